"""Writing the 自评打分表 template workbook: the standard's own table, ready to fill in and print.

openpyxl is imported where it is used: it is an optional extra, and this module is imported by
`conserv_rubric.workbook`, which must import without it.
"""

from __future__ import annotations

import datetime
import io
import math
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Final

from . import __version__
from ._labels import STAGE_LABELS as STAGES
from ._provenance import HASH_VERSION, rubric_hash
from ._text import fmt, width
from ._tree import walk
from ._xlsx_layout import (
    ADDRESS,
    ANSWER,
    HEADERS,
    INFO,
    PROVENANCE,
    PROVENANCE_KEYS,
    SHEET_TITLE,
    require_openpyxl,
)
from ._xlsx_table import ENERGY_ROWS, TOP, Operator, Validation, accepts, groups, hint, rows
from .errors import Problem, RubricError
from .model import Rubric

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["ENERGY_ROWS", "clean", "put_text", "write_template"]

#: Column widths in Excel's units (about one Latin character; a Chinese one takes two).
WIDTHS: Final = (6, 13, 14, 56, 7, 10, 14, 22, 14)
#: The 地址 column's width where the energy rows' long addresses (energy.use.electricity.kwh) are.
ENERGY_ADDRESS_WIDTH: Final = 17
#: The header row of the table; the rows above it hold the title and the sheet's details.
HEADER_ROW: Final = 5
FONT: Final = "宋体"
#: Points of height per line of wrapped text (11 pt 宋体, with leading).
LINE_HEIGHT: Final = 15
#: Excel's limits on a data validation's input message and its title.
PROMPT_LIMIT: Final = 255
PROMPT_TITLE_LIMIT: Final = 32
#: The columns of the address and the answer (1-based, as openpyxl counts them).
ADDRESS_COLUMN: Final = HEADERS.index(ADDRESS) + 1
ANSWER_COLUMN: Final = HEADERS.index(ANSWER) + 1
#: The fill of the cells to type in.
INPUT_FILL: Final = "FFF8DC"
HEADER_FILL: Final = "D9D9D9"
#: Characters XML 1.0 cannot hold; a text holding one is written with the character escaped.
_ILLEGAL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(text: str) -> str:
    """*text* with the control characters XML cannot hold written as ``\\x07``."""
    return _ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def put_text(cell: Cell, text: str) -> None:
    """Write *text* into *cell* as text, even where it starts with ``=`` (never a formula)."""
    cell.value = clean(text)
    cell.data_type = "s"
    # The quote prefix keeps it text when someone edits the cell in Excel or WPS.
    if text[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True


def _lines(text: str, column_width: int) -> int:
    """How many lines *text* wraps to in a column of *column_width* (Chinese characters count 2)."""
    room = max(column_width - 2, 1)
    return sum(max(1, math.ceil(width(part) / room)) for part in text.split("\n"))


class _Validations:
    """The data validations of a worksheet, one per distinct rule and message."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.made: dict[tuple[object, ...], DataValidation] = {}

    def add(
        self,
        cell: Cell,
        title: str,
        prompt: str,
        kind: Validation | None = None,
        first: str | None = None,
        second: str | None = None,
        operator: Operator | None = None,
    ) -> None:
        from openpyxl.comments import Comment  # noqa: PLC0415 - optional extra
        from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415 - optional extra

        if len(prompt) > PROMPT_LIMIT:
            # Excel cuts an input message at 255 characters: the whole text goes into a comment.
            cell.comment = Comment(clean(prompt), "conserv-rubric", width=400, height=200)
            more = "……（全文见批注）"
            prompt = prompt[: PROMPT_LIMIT - len(more)] + more
        key = (title, prompt, kind, first, second, operator)
        found = self.made.get(key)
        if found is None:
            found = DataValidation(
                type=kind,
                formula1=first,
                formula2=second,
                operator=operator,
                allow_blank=True,
                showInputMessage=True,
                showErrorMessage=kind is not None,
                promptTitle=clean(title[:PROMPT_TITLE_LIMIT]),
                prompt=clean(prompt),
                errorTitle="答案不符合要求" if kind is not None else None,
                error=clean(prompt) if kind is not None else None,
            )
            self.ws.add_data_validation(found)
            self.made[key] = found
        found.add(cell.coordinate)


def _number(value: Decimal) -> int | float:
    """A point value as a number cell (points have a few decimals at most, exact in a double)."""
    return int(value) if value == value.to_integral_value() else float(value)


class _Writer:
    """The template worksheet being written, with its styles and data validations."""

    def __init__(self, ws: Worksheet, *, energy: bool) -> None:
        from openpyxl.cell.cell import Cell  # noqa: PLC0415 - optional extra
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side  # noqa: PLC0415 - extra

        self.ws = ws
        self.cell_type = Cell
        self.dv = _Validations(ws)
        thin = Side(style="thin", color="808080")
        self.box = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.plain = Font(name=FONT, size=11)
        self.bold = Font(name=FONT, size=11, bold=True)
        self.title_font = Font(name=FONT, size=16, bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="center")
        self.indented = Alignment(wrap_text=True, vertical="center", indent=1)
        self.centre = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.open = Protection(locked=False)
        self.to_fill = PatternFill("solid", fgColor=INPUT_FILL)
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.columns = len(HEADERS)
        self.widths = list(WIDTHS)
        if energy:
            self.widths[ADDRESS_COLUMN - 1] = ENERGY_ADDRESS_WIDTH

    def cell(self, row: int, col: int) -> Cell:
        cell = self.ws.cell(row=row, column=col)
        assert isinstance(cell, self.cell_type), cell.coordinate  # only a range's first cell is written
        return cell

    def text(self, row: int, col: int, value: str, *, bold: bool = False, centre: bool = False) -> Cell:
        cell = self.cell(row, col)
        put_text(cell, value)
        cell.font = self.bold if bold else self.plain
        cell.alignment = self.centre if centre else self.wrap
        return cell

    def to_type_in(self, cell: Cell, *, fill: bool = True) -> None:
        cell.protection = self.open
        cell.font = self.plain
        cell.alignment = self.wrap
        if fill:
            cell.fill = self.to_fill

    def height(self, row: int, text: str, address: str) -> None:
        """Make *row* tall enough for its wrapped 评价标准 and 地址 (Excel does not fit it on opening)."""
        room = self.widths[ADDRESS_COLUMN - 1] - 1  # an address is ASCII: one unit a character
        lines = max(_lines(text, self.widths[3]), math.ceil(len(address) / room))
        self.ws.row_dimensions[row].height = LINE_HEIGHT * lines + 4

    def merge(self, row: int, first: int, last: int, end_row: int | None = None) -> None:
        if last > first or (end_row is not None and end_row > row):
            self.ws.merge_cells(start_row=row, start_column=first, end_row=end_row or row, end_column=last)

    def head(self, rubric: Rubric, year: int | None) -> None:
        """The title, and the sheet's details: each label with the cell to fill in right of it."""
        self.merge(1, 1, self.columns)
        self.text(1, 1, f"{rubric.title}自评打分表", centre=True).font = self.title_font
        self.ws.row_dimensions[1].height = 30
        cells: dict[str, Cell] = {}
        pairs = (("单位名称", "统一社会信用代码"), ("年度", "阶段"), ("填表人", "日期"))
        for row, pair in enumerate(pairs, start=2):
            for label, (first, last, value_last) in zip(pair, ((1, 2, 4), (5, 6, self.columns)), strict=True):
                self.merge(row, first, last)
                self.text(row, first, label, bold=True, centre=True)
                self.merge(row, last + 1, value_last)
                cells[INFO[label]] = cell = self.cell(row, last + 1)
                self.to_type_in(cell)
            self.ws.row_dimensions[row].height = 20
        labels = [STAGES.get(s, s) for s in rubric.stages]
        cells["year"].value = year if year is not None else datetime.date.today().year
        put_text(cells["stage"], labels[0])
        cells["code"].number_format = "@"  # 18 digits and letters: never a number Excel rounds
        cells["date"].number_format = "yyyy-mm-dd"
        add = self.dv.add
        add(cells["year"], "年度", "填写评价年度，如 2024。", "whole", "1900", "2999", "between")
        add(cells["stage"], "阶段", "选择：" + "、".join(labels), "list", '"' + ",".join(labels) + '"')
        add(cells["date"], "日期", "填写日期，如 2024-10-28。", "date", "1", None, "greaterThan")
        add(cells["code"], "统一社会信用代码", "填写18位统一社会信用代码（或名录中的单位代码）。")

    def header(self) -> None:
        for col, name in enumerate(HEADERS, start=1):
            cell = self.text(HEADER_ROW, col, name, bold=True, centre=True)
            cell.fill = self.header_fill
        self.ws.row_dimensions[HEADER_ROW].height = 22

    def table(self, rubric: Rubric) -> int:
        """One row per item and leaf, the unit and project cells merged over their rows; the last row."""
        row = HEADER_ROW
        spans: dict[str, list[int]] = {}  # unit or project address → its first and last row
        for r in rows(rubric):
            row += 1
            for group in (r.unit, r.project):
                if group is not None:
                    spans.setdefault(group, [row, row])[1] = row
            text = self.text(row, 4, r.text)
            if r.leaf is not None and r.leaf.address != r.leaf.item:
                text.alignment = self.indented
            if r.points is not None:
                self.cell(row, 5).value = _number(r.points)
                self.cell(row, 5).alignment = self.centre
            self.text(row, ADDRESS_COLUMN, r.address, centre=True)
            if r.leaf is not None:
                answer = self.cell(row, ANSWER_COLUMN)
                self.to_type_in(answer)
                answer.alignment = self.centre
                check = accepts(r.leaf)
                prompt = hint(r.leaf, r.deduction)
                title = f"{r.leaf.address} 填写说明"
                self.dv.add(answer, title, prompt, check.kind, check.first, check.second, check.operator)
                if check.text:
                    answer.number_format = "@"
            for col in (ANSWER_COLUMN + 1, ANSWER_COLUMN + 2):  # 佐证材料, 备注
                self.to_type_in(self.cell(row, col), fill=False)
            self.height(row, r.text, r.address)
        titles = groups(rubric)
        for address, (first, last) in spans.items():
            column = 3 if "." in address else 1
            for col, value in (
                ((column, titles[address]),) if column == 3 else ((1, address), (2, titles[address]))
            ):
                self.merge(first, col, col, last)
                self.text(first, col, value, centre=True)
        return row

    def energy(self, row: int) -> int:
        """The rows of the sheet's energy data (说明五), after the items; the last row."""
        first = row + 1
        for entry in ENERGY_ROWS:
            row += 1
            label = f"{entry.label}（{entry.unit}）" + (f"：{entry.note}" if entry.note else "")
            self.text(row, 4, label)
            self.text(row, ADDRESS_COLUMN, entry.address, centre=True)
            answer = self.cell(row, ANSWER_COLUMN)
            self.to_type_in(answer)
            answer.alignment = self.centre
            if entry.address == "energy.year":
                self.dv.add(
                    answer, entry.label, "填写上一日历年，如 2023。", "whole", "1900", "2999", "between"
                )
            else:
                prompt = f"填写{entry.label}，单位：{entry.unit}。"
                self.dv.add(answer, entry.label, prompt, "decimal", "0", TOP, "between")
            for col in (ANSWER_COLUMN + 1, ANSWER_COLUMN + 2):
                self.to_type_in(self.cell(row, col), fill=False)
            self.height(row, label, entry.address)
        for col, value in ((2, "能源资源消耗（说明五）"), (3, "选填：用于计算三项年度指标")):
            self.merge(first, col, col, row)
            self.text(first, col, value, centre=True)
        return row

    def borders(self, first: int, last: int) -> None:
        for r in range(first, last + 1):
            for col in range(1, self.columns + 1):
                self.ws.cell(row=r, column=col).border = self.box  # merged cells keep borders too

    def notes(self, rubric: Rubric, row: int) -> int:
        """How to fill the sheet in, below the table. The last row."""
        levels = "；".join(f"{lv.name} ≥ {fmt(lv.min)}分" for lv in rubric.levels)
        lines = [
            f"总分{fmt(rubric.total)}分" + (f"；认定：{levels}" if levels else "") + "。",
            "填写黄色单元格：答案按单元格的提示填写（是/否、数量或数值）；空白表示未填写，按不得分、"
            "没有扣分情形计。佐证材料每行一份，或用“；”分隔。地址列请勿改动。",
        ]
        if rubric.issuer or rubric.version:
            lines.insert(0, "，".join(x for x in (rubric.issuer, rubric.version) if x))
        # The author's notes (answer units, readings of an ambiguous line), as check and the card show them.
        notes = [f"{n.address}：{n.rule.note}" for n in walk(rubric) if n.kind == "item" and n.rule.note]
        if notes:
            lines.append("条目说明：" + "；".join(notes))
        row += 1
        for line in lines:
            row += 1
            self.merge(row, 1, self.columns)
            self.text(row, 1, line)
            self.ws.row_dimensions[row].height = LINE_HEIGHT * _lines(line, sum(self.widths)) + 4
        return row

    def page(self, rubric: Rubric, last: int) -> None:
        """A4 landscape, the whole width on a page, the header row on every page; locked cells."""
        from openpyxl.utils import get_column_letter  # noqa: PLC0415 - optional extra
        from openpyxl.worksheet.properties import PageSetupProperties  # noqa: PLC0415 - optional extra

        ws = self.ws
        for index, column_width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column_width
        ws.freeze_panes = self.cell(HEADER_ROW + 1, 1)
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.print_area = f"A1:{get_column_letter(self.columns)}{last}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        footer = ws.oddFooter
        assert footer is not None
        footer.center.text = "第 &P 页，共 &N 页"
        footer.left.text = clean(f"{rubric.title} {rubric.version or ''}".strip()).replace("&", "&&")
        # Only the cells to fill in are open; the rest, the address column first, is locked.
        # There is no password: the lock guards against slips, and columns and rows may still be
        # resized.
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        ws.protection.formatRows = False


def _provenance(wb: Workbook, rubric: Rubric) -> None:
    """The hidden worksheet naming the rubric the workbook was made from (DESIGN §14)."""
    prov = wb.create_sheet(PROVENANCE)
    values = {
        "rubric": rubric.title,
        "version": rubric.version or "",
        "hash": rubric_hash(rubric),
        "hash_version": str(HASH_VERSION),
        "library": f"conserv-rubric {__version__}",
    }
    for row, (key, what) in enumerate(PROVENANCE_KEYS.items(), start=1):
        for col, value in enumerate((key, values[key], what), start=1):
            put_text(prov.cell(row=row, column=col), value)
    for column, column_width in (("A", 14), ("B", 80), ("C", 40)):
        prov.column_dimensions[column].width = column_width
    prov.sheet_state = "hidden"
    prov.protection.sheet = True


def write_template(rubric: Rubric, path: str | os.PathLike[str], *, year: int | None, energy: bool) -> None:
    """Write the template workbook of *rubric* to *path* (see `conserv_rubric.workbook`)."""
    file = str(path)
    require_openpyxl(file)
    from openpyxl import Workbook  # noqa: PLC0415 - optional extra, checked above

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLE
    w = _Writer(ws, energy=energy)
    w.head(rubric, year)
    w.header()
    last = w.table(rubric)
    if energy:
        last = w.energy(last)
    w.borders(HEADER_ROW, last)
    w.page(rubric, w.notes(rubric, last))
    _provenance(wb, rubric)
    wb.properties.title = clean(f"{rubric.title}自评打分表")
    wb.properties.creator = f"conserv-rubric {__version__}"
    buffer = io.BytesIO()
    wb.save(buffer)
    try:
        Path(path).write_bytes(buffer.getvalue())
    except OSError as exc:
        raise RubricError([Problem(file=file, message=f"cannot write file: {exc.strerror or exc}")]) from None
