"""Reading filled 自评打分表 workbooks: every value found by its 地址, every problem by its cell.

A worksheet is an agency's sheet when it has a header row holding ``地址`` and ``答案``; the
reader finds the columns by their headers, the sheet's details by their labels above the table
and the rubric the workbook was made from in the hidden worksheet 标准信息, so rows and columns
may be moved, hidden or added. Values are read as typed, never recalculated:

- a formula is refused by its cell (the value Excel last computed is not trusted);
- a number is the shortest ``repr`` of the stored double, rounded to the 15 significant digits
  Excel shows, so 0.30000000000000004 (what ``=0.1+0.2`` stores) reads as 0.3 and
  85.00000000000001 as 85; a whole number becomes an `int`;
- a percentage-formatted cell is read as the percentage shown: 0.85 as 85;
- 是/否 and TRUE/FALSE (a boolean cell or the text) are yes and no;
- text is read as a CSV cell is (digits are a count or a number, ``0.85/1`` a figure with its
  reference), and names in one cell are separated by ``、``.

openpyxl is imported where it is used: it is an optional extra, and `conserv_rubric._sheet`
imports this module only when it is asked for a workbook.
"""

from __future__ import annotations

import datetime
import decimal
import os
import re
import unicodedata
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._energy_model import EnergyData
from ._energy_parse import parse_energy
from ._labels import STAGE_NAMES
from ._limits import MAX_WORKSHEET_ROWS
from ._sheet import Sheet, _sheet_from_doc
from ._text import clip, describe
from ._xlsx_layout import (
    ADDRESS,
    ANSWER,
    ENERGY_PREFIX,
    EVIDENCE,
    EVIDENCE_SEPARATORS,
    INFO,
    NOTES,
    PROVENANCE,
    reference,
)
from ._xlsx_open import open_workbook
from .errors import Problem, SheetError

if TYPE_CHECKING:
    from typing import TypeAlias

    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.cell.read_only import ReadOnlyCell

    #: A cell that holds something: what a read-only worksheet gives (typed as a worksheet's cell).
    AnyCell: TypeAlias = Cell | ReadOnlyCell
    from openpyxl.worksheet.worksheet import Worksheet  # read-only ones, which have the same reading API

#: Excel keeps and shows 15 significant digits; the rest of a double's repr is binary noise.
EXCEL_DIGITS: Final = 15
_EXCEL: Final = decimal.Context(prec=EXCEL_DIGITS, rounding=decimal.ROUND_HALF_UP)
_EXACT: Final = decimal.Context(prec=60, traps=[decimal.Inexact, decimal.Overflow, decimal.InvalidOperation])
#: How far down a worksheet its header row is looked for.
HEADER_SEARCH: Final = 50
_YES: Final = frozenset({"是", "true"})
_NO: Final = frozenset({"否", "false"})
_NO_ENERGY: Final = "the energy rows hold no values; fill in the 答案 cells of the energy.… rows"
_HASH: Final = re.compile(r"sha256:[0-9a-f]{64}")
#: What to do with a hidden worksheet that holds a table, by its state.
_UNHIDE: Final = {
    "hidden": "unhide it (right-click a worksheet tab → 取消隐藏) to have it scored, or delete it",
    "veryHidden": (
        "Excel's menus cannot unhide it (it is very hidden, set by a macro or another program): "
        "copy the agency's answers into a visible worksheet, or save the visible ones as a new workbook"
    ),
}
#: Quoted text and escaped characters of a number format, which are shown as they are.
_FORMAT_LITERAL: Final = re.compile(r'"[^"]*"|\\.')


# --- cells -----------------------------------------------------------------------------------


def _percent(number_format: str) -> bool:
    """Whether a number format shows its number as a percentage."""
    return "%" in _FORMAT_LITERAL.sub("", number_format)


def excel_number(value: int | float, percent: bool = False) -> int | Decimal:
    """A number cell's value as Excel shows it: shortest repr, 15 significant digits, exact.

    >>> excel_number(0.1 + 0.2), excel_number(85.00000000000001), excel_number(0.85, percent=True)
    (Decimal('0.3'), 85, 85)
    """
    number = Decimal(value) if isinstance(value, int) else _EXCEL.plus(Decimal(repr(value)))
    if percent:
        number = number.scaleb(2, _EXACT)
    if number == number.to_integral_value():
        return int(number)
    return number.normalize(_EXACT)


def _formula(cell: AnyCell) -> str | None:
    """The formula in *cell*, if it holds one."""
    if cell.data_type != "f":
        return None
    value = cell.value
    text = value if isinstance(value, str) else getattr(value, "text", None) or "="
    return clip(str(text), 40)


def _day(value: datetime.datetime | datetime.date) -> object:
    """A date cell's day; a date and time is kept as it is, for the date check to refuse."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value


def _raw(cell: AnyCell) -> tuple[object, str | None]:
    """*cell*'s value as typed (None for an empty cell), or why it cannot be read."""
    formula = _formula(cell)
    if formula is not None:
        return None, f"holds a formula ({formula}); type the value itself (formulas are not recalculated)"
    if cell.data_type == "e":
        return None, f"holds an error value ({cell.value}); type the value itself"
    value = cell.value
    if isinstance(value, bool | str) or value is None:
        return value, None
    if isinstance(value, int | float):
        return excel_number(value, _percent(cell.number_format)), None
    if isinstance(value, datetime.datetime | datetime.date):
        return _day(value), None
    return None, f"holds a {type(value).__name__} ({value}), not a value that can be read"


def _answer(cell: AnyCell) -> tuple[object, str | None]:
    """An answer cell's value, as `conserv_rubric._answers` checks it, or why it cannot be read."""
    value, error = _raw(cell)
    if error is not None or value is None or isinstance(value, bool | int | Decimal):
        return value, error
    if isinstance(value, datetime.date):
        fix = "set the cell's format to 常规 (General) and type it again"
        return None, f"holds a date ({value.isoformat()}), not an answer; {fix}"
    assert isinstance(value, str)
    text = unicodedata.normalize("NFKC", value).strip()
    if text.lower() in _YES:
        return True, None
    if text.lower() in _NO:
        return False, None
    # Text as a CSV cell is: the one answer grammar reads it against its leaf (`_cells`), names
    # separated by 、 included; a blank cell is no answer.
    return (text or None), None


def _text(cell: AnyCell) -> tuple[str | None, str | None]:
    """A text cell (a detail, a note, an address) stripped, None when empty; or why not text."""
    value, error = _raw(cell)
    if error is not None:
        return None, error
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, f"expected text, got {describe(value)}"
    return value.strip() or None, None


# --- one worksheet ---------------------------------------------------------------------------


@attrs.frozen
class Table:
    """An agency's worksheet: the cells that hold something, and where its header and details are."""

    title: str
    cells: dict[tuple[int, int], AnyCell]
    header: int
    columns: dict[str, int]
    #: Each detail's label → the cell holding its value, or None where it is empty.
    info: dict[str, AnyCell | None]

    def at(self, cell: AnyCell) -> str:
        """Where *cell* is, as Excel names it in this workbook (``自评打分表!G14``)."""
        return reference(self.title, cell.coordinate)

    def ref(self, row: int, column: int) -> str:
        """The cell at *row* and *column*, as Excel names it."""
        from openpyxl.utils import get_column_letter  # noqa: PLC0415 - optional extra, loaded by now

        return reference(self.title, f"{get_column_letter(column)}{row}")


def _label(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return unicodedata.normalize("NFKC", value).strip().rstrip(":：").strip() or None


def _filled(ws: Worksheet, file: str, problems: list[Problem]) -> dict[tuple[int, int], AnyCell] | None:
    """The cells of *ws* that hold something, by row and column; None past the row limit."""
    cells: dict[tuple[int, int], AnyCell] = {}
    # The size a file declares may be wrong (some tools write none, or a stale one): read it all.
    ws.reset_dimensions()  # type: ignore[attr-defined]  # a read-only worksheet's
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue  # empty: the rest of a merged range, or a cell with only a format
            assert isinstance(cell.row, int)
            assert isinstance(cell.column, int)
            if cell.row > MAX_WORKSHEET_ROWS:
                message = (
                    f"the worksheet {ws.title} goes on to row {cell.row}; the limit is {MAX_WORKSHEET_ROWS} "
                    "rows: delete what is below the table"
                )
                problems.append(
                    Problem(file=file, cell=reference(ws.title, cell.coordinate), message=message)
                )
                return None
            cells[cell.row, cell.column] = cell
    return cells


def _table(ws: Worksheet, file: str, problems: list[Problem]) -> Table | None:
    """*ws* as an agency's sheet, or None when it has no header row with 地址 and 答案."""
    cells = _filled(ws, file, problems)
    if cells is None:
        return None
    labels: dict[int, list[tuple[str, AnyCell]]] = {}
    for (row, _), cell in sorted(cells.items()):
        label = _label(cell.value)
        if label is not None:
            labels.setdefault(row, []).append((label, cell))
    wanted = {ADDRESS, ANSWER}
    header = next(
        (r for r in sorted(labels) if r <= HEADER_SEARCH and wanted <= {n for n, _ in labels[r]}), 0
    )
    if not header:
        return None
    columns: dict[str, int] = {}
    for name in (ADDRESS, ANSWER, EVIDENCE, NOTES):
        named = [c for label, c in labels[header] if label == name]
        if len(named) > 1:
            twice = " and ".join(c.coordinate for c in named[:2])
            message = f"the header row names the column {name} twice ({twice}); keep one"
            problems.append(
                Problem(file=file, cell=reference(ws.title, named[1].coordinate), message=message)
            )
        if named:
            columns[name] = named[0].column
    # A detail's value is the first cell right of its label that holds something, unless that
    # is the next label (a merged range is empty but for its first cell).
    info: dict[str, AnyCell | None] = {}
    for row in (r for r in sorted(labels) if r < header):
        for label, cell in labels[row]:
            if label not in INFO:
                continue
            if INFO[label] in info:
                message = f"the label {label} appears twice; keep one"
                problems.append(
                    Problem(file=file, cell=reference(ws.title, cell.coordinate), message=message)
                )
                continue
            right = sorted((col, c) for (r, col), c in cells.items() if r == row and col > cell.column)
            value = right[0][1] if right else None
            info[INFO[label]] = value if value is not None and _label(value.value) not in INFO else None
    return Table(ws.title, cells, header, columns, info)


def _detail(table: Table, field: str, file: str, problems: list[Problem]) -> object:
    """The value of the detail *field* (``year`` …) as `SheetInfo` takes it, or None when empty."""
    cell = table.info.get(field)
    if cell is None:
        return None
    path = f"sheet.{field}"
    value, error = _raw(cell)
    if error is not None:
        problems.append(Problem(file=file, path=path, cell=table.at(cell), message=error))
        return None
    if isinstance(value, str):
        value = value.strip() or None
    if value is None:
        return None
    if field == "code" and isinstance(value, int | Decimal):
        message = (
            f"the code is a number ({value}), and Excel keeps only 15 digits of a number; "
            "set the cell's format to 文本 (Text) and type the code again"
        )
        problems.append(Problem(file=file, path=path, cell=table.at(cell), message=message))
        return None
    if field == "year" and isinstance(value, datetime.date):  # 2024 in a date cell shows as 1905/7/16
        message = f"holds a date ({value}), not a year; "
        message += "set the cell's format to 常规 (General) and type the year again"
        problems.append(Problem(file=file, path=path, cell=table.at(cell), message=message))
        return None
    digits = unicodedata.normalize("NFKC", value) if isinstance(value, str) else ""
    if field == "year" and re.fullmatch(r"[0-9]{4}", digits):
        return int(digits)
    if field == "stage" and isinstance(value, str):
        return STAGE_NAMES.get(value, value)
    return value


@attrs.frozen
class Rows:
    """What the rows below a worksheet's header hold, by address, and the cell of each value."""

    answers: dict[str, object]
    evidence: dict[str, list[str]]
    notes: dict[str, str]
    energy: dict[str, object]
    cells: dict[str, str]


def _rows(table: Table, file: str, problems: list[Problem]) -> Rows:
    columns = table.columns
    answers: dict[str, object] = {}
    evidence: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    energy: dict[str, object] = {}
    cells: dict[str, str] = {}
    seen: dict[str, str] = {}

    def problem(path: str | None, cell: AnyCell, message: str) -> None:
        problems.append(Problem(file=file, path=path, cell=table.at(cell), message=message))

    for row in sorted({r for r, _ in table.cells if r > table.header}):
        address_cell = table.cells.get((row, columns[ADDRESS]))
        filled = {
            name: table.cells[row, col]
            for name, col in columns.items()
            if name != ADDRESS and (row, col) in table.cells
        }
        raw, error = _raw(address_cell) if address_cell is not None else (None, None)
        if error is not None:
            assert address_cell is not None
            problem(None, address_cell, f"{error}; the 地址 column holds the leaf's address")
            continue
        if isinstance(raw, int | Decimal):
            assert address_cell is not None
            message = (
                f"the address is a number ({raw}); an address is text such as 2.2.1 (as a number, "
                "2.10 would be 2.1): set the column's format to 文本 (Text) and type it again"
            )
            problem(None, address_cell, message)
            continue
        address = unicodedata.normalize("NFKC", raw).strip() if isinstance(raw, str) else ""
        if not address:
            if filled:
                name, cell = next(iter(filled.items()))
                where = table.ref(row, columns[ADDRESS]).rsplit("!", 1)[1]
                problem(None, cell, f"the {name} cell has no address in the 地址 column ({where})")
            continue
        assert address_cell is not None
        ref = table.at(address_cell)
        if address in seen:
            problem(None, address_cell, f"the address {address} appears twice ({seen[address]} and {ref})")
            continue
        seen[address] = ref
        answer = filled.get(ANSWER)
        if address.startswith(ENERGY_PREFIX):
            cells[address] = table.ref(row, columns[ANSWER])
            if answer is not None:
                value, error = _raw(answer)
                if error is not None:
                    problem(address, answer, error)
                else:
                    energy[address] = value.strip() if isinstance(value, str) else value
            continue
        if answer is not None:
            path = f'answers."{address}"'
            cells[path] = table.at(answer)
            value, error = _answer(answer)
            if error is not None:
                problem(path, answer, error)
            elif value is not None:
                answers[address] = value
        for name, key in ((EVIDENCE, "evidence"), (NOTES, "notes")):
            extra = filled.get(name)
            if extra is None:
                continue
            path = f'{key}."{address}"'
            cells[path] = table.at(extra)
            text, error = _text(extra)
            if error is not None:
                problem(path, extra, error)
            elif text is not None and key == "evidence":
                evidence[address] = [d.strip() for d in EVIDENCE_SEPARATORS.split(text) if d.strip()]
            elif text is not None:
                notes[address] = text
    return Rows(answers, evidence, notes, energy, cells)


# --- the workbook ----------------------------------------------------------------------------


def _provenance(
    workbook: Workbook, file: str, problems: list[Problem]
) -> tuple[dict[str, str], dict[str, str]]:
    """The rubric the workbook was made from, as `SheetInfo` fields, with their cells."""
    if PROVENANCE not in workbook.sheetnames:
        return {}, {}
    ws = workbook[PROVENANCE]
    found: dict[str, AnyCell] = {}
    for row in ws.iter_rows(min_row=1, max_row=50, max_col=2):
        key = _label(row[0].value) if row else None
        if key in ("rubric", "hash") and len(row) > 1 and row[1].value is not None:
            found[key] = row[1]
    info: dict[str, str] = {}
    cells: dict[str, str] = {}
    for key, field in (("rubric", "rubric"), ("hash", "rubric_hash")):
        cell = found.get(key)
        if cell is None:
            continue
        value = cell.value
        ref = reference(ws.title, cell.coordinate)
        if not isinstance(value, str) or (key == "hash" and not _HASH.fullmatch(value.strip())):
            what = "hash (sha256: and 64 hex digits)" if key == "hash" else "title"
            message = (
                f"expected the rubric's {what}, got {describe(value)}; the hidden worksheet "
                f"{PROVENANCE} names the rubric the workbook was made from"
            )
            problems.append(Problem(file=file, path=f"sheet.{field}", cell=ref, message=message))
            continue
        info[field] = value.strip()
        cells[f"sheet.{field}"] = ref
    return info, cells


def _tables(workbook: Workbook, file: str, problems: list[Problem]) -> list[Table]:
    tables = []
    for ws in workbook.worksheets:
        if ws.title != PROVENANCE:
            table = _table(ws, file, problems)
            if table is not None and ws.sheet_state != "visible":
                # What Excel shows is what is scored: a hidden copy would count an agency unseen.
                message = (
                    f"the worksheet {ws.title} holds a 自评打分表 but is hidden, "
                    "so the workbook is not scored; "
                )
                message += _UNHIDE.get(ws.sheet_state, _UNHIDE["hidden"])
                problems.append(
                    Problem(file=file, cell=table.ref(table.header, table.columns[ADDRESS]), message=message)
                )
            elif table is not None:
                tables.append(table)
    if not tables and not problems:
        message = (
            "no worksheet holds a 自评打分表: expected a header row with 地址 and 答案 "
            "(conserv-rubric template RUBRIC --format xlsx -o FILE makes one)"
        )
        problems.append(Problem(file=file, message=message))
    return tables


def read_sheets(path: str | os.PathLike[str]) -> list[Sheet]:
    """Every agency's sheet in the workbook at *path*, one per worksheet with a 自评打分表.

    Raises:
        SheetError: every problem found, each located by its cell (``自评打分表!G14``).
    """
    workbook, file = open_workbook(path)
    problems: list[Problem] = []
    rubric, rubric_cells = _provenance(workbook, file, problems)
    sheets: list[Sheet] = []
    for table in _tables(workbook, file, problems):
        info: dict[str, Any] = dict(rubric)
        cells = dict(rubric_cells)
        for field, cell in table.info.items():
            if cell is not None:
                cells[f"sheet.{field}"] = table.at(cell)
            value = _detail(table, field, file, problems)
            if value is not None:
                info[field] = value
        info.setdefault("agency", "")
        rows = _rows(table, file, problems)
        cells.update(rows.cells)
        doc = {"sheet": info, "answers": rows.answers, "evidence": rows.evidence, "notes": rows.notes}
        first = next((ref for a, ref in rows.cells.items() if a.startswith(ENERGY_PREFIX)), None)
        if rows.energy:
            doc["energy"] = rows.energy
        try:
            sheet = _sheet_from_doc(doc, file)
        except SheetError as exc:
            problems.extend(
                attrs.evolve(
                    p,
                    cell=_energy_cell(p.path, rows.cells, first)
                    if first is not None and (p.path or "").startswith("energy")
                    else cells.get(p.path or ""),
                )
                for p in exc.problems
            )
            continue
        # An .xlsx holds its text as UTF-8 XML, whatever the computer that saved it.
        sheets.append(attrs.evolve(sheet, cells=cells, encoding="utf-8"))
    if problems:
        raise SheetError(problems)
    return sheets


def read_energy(path: str | os.PathLike[str]) -> list[EnergyData]:
    """The energy data (its ``energy.…`` rows) of every agency's worksheet in the workbook at *path*.

    Raises:
        SheetError: no worksheet has energy rows, or the data are wrong; each problem located.
    """
    workbook, file = open_workbook(path)
    problems: list[Problem] = []
    out: list[EnergyData] = []
    any_rows = False
    for table in _tables(workbook, file, problems):
        rows = _rows(table, file, problems)
        first = next((ref for a, ref in rows.cells.items() if a.startswith(ENERGY_PREFIX)), None)
        if first is None:
            continue
        any_rows = True
        if not rows.energy:
            problems.append(Problem(file=file, cell=first, message=_NO_ENERGY))
            continue
        year = _detail(table, "year", file, problems)
        agency = _detail(table, "agency", file, problems)
        try:
            data = parse_energy(rows.energy, file=file, sheet_year=year if isinstance(year, int) else None)
        except SheetError as exc:
            problems.extend(
                attrs.evolve(p, cell=_energy_cell(p.path, rows.cells, first)) for p in exc.problems
            )
            continue
        out.append(attrs.evolve(data, agency=agency if isinstance(agency, str) else None))
    if not any_rows and not problems:
        message = (
            "no energy rows (地址 energy.area, energy.use.electricity.kwh …); make a template with them: "
            "conserv-rubric template RUBRIC --format xlsx --energy -o FILE"
        )
        problems.append(Problem(file=file, message=message))
    if problems:
        raise SheetError(problems)
    return out


def _energy_cell(path: str | None, cells: dict[str, str], first: str) -> str:
    """The cell of an energy problem's path: its row, or the first row under it (``energy.use``)."""
    if path is None:
        return first
    if path in cells:
        return cells[path]
    return next((ref for address, ref in cells.items() if address.startswith(path + ".")), first)
