"""Answer sheets (自评打分表): reading TOML, JSON and CSV into `Sheet` objects."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from ._cells import normal, number
from ._convert import structure
from ._expect import Expectation, read_expect
from ._fields import read_date, shortened_code
from ._frozen import Frozen
from ._headers import READ_ZH, read_header, unnamed_cell
from ._labels import STAGE_NAMES
from ._not_sheet import check_csv_header, check_document
from ._parse import csv_records, parse_json, parse_toml, read_bytes, read_text
from ._text import describe, hidden_character, not_a_path, not_text, suggest
from .errors import Problem, RubricError, SheetError

if TYPE_CHECKING:
    from ._energy_model import EnergyData


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SheetInfo(Frozen):
    """The ``[sheet]`` table: who is assessed, when, and by whom.

    Attributes:
        agency: the agency's name.
        code: the agency's code (统一社会信用代码 or the roster's own), if given.
        year: the year assessed.
        stage: one of the rubric's stages (``Rubric.stages``); `score` checks it.
        assessor: who filled the sheet in.
        rubric: the title of the rubric the sheet is for (`conserv_rubric.templates.template` writes it).
        date: the day the sheet was signed off (a TOML date, or ``YYYY-MM-DD`` text).
        rubric_hash: the hash of the rubric the sheet was made from (a workbook names it);
            `score` refuses the sheet for a rubric with another hash.
    """

    agency: str
    code: str | None = None
    year: int | None = None
    stage: str = "self"
    assessor: str | None = None
    rubric: str | None = None
    date: datetime.date | None = None
    rubric_hash: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Sheet(Frozen):
    """One agency's answers for one rubric, self-assessed or verified.

    Attributes:
        info: the ``[sheet]`` table.
        answers: leaf address → answer, as written (checked against a rubric when scored).
        evidence: address → documents cited as 佐证材料.
        notes: address → free text.
        expect: the ``[expect]`` table, the result the sheet should score (``conserv-rubric
            test`` compares them; scoring ignores it).
        file: where the sheet was read from, if anywhere.
        row: the line its CSV row starts on, if it was read from CSV.
        encoding: how the file was decoded: ``"utf-8"``, or ``"gb18030"`` for a CSV file
            that is not UTF-8 but GB18030 (GBK), as Excel and WPS save it on Chinese Windows;
            None for a sheet not read from a file.
        cells: for a workbook, where each value was read: problem path → cell (``自评打分表!G14``).
        energy: the ``[energy]`` section (`conserv_rubric.energy.EnergyData`), from which the
            items a rubric binds to an energy indicator are scored; None when the sheet has none.
    """

    info: SheetInfo
    answers: dict[str, Any] = attrs.field(factory=dict, hash=False)
    evidence: dict[str, tuple[str, ...]] = attrs.field(factory=dict, hash=False)
    notes: dict[str, str] = attrs.field(factory=dict, hash=False)
    expect: Expectation | None = None
    file: str | None = None
    row: int | None = None
    encoding: str | None = None
    cells: dict[str, str] = attrs.field(factory=dict, hash=False, repr=False)
    energy: EnergyData | None = attrs.field(default=None, hash=False)

    @property
    def agency(self) -> str:
        """The agency's name."""
        return self.info.agency

    @property
    def stage(self) -> str:
        """The stage, such as ``"self"`` or ``"verified"``."""
        return self.info.stage


#: The [sheet] keys that hold one line of text (a name, a code), never a control character
#: (`rubric` need not be checked: it must equal the rubric's own title).
SINGLE_LINE: Final = ("agency", "code", "stage", "assessor")


def _single_line(info: SheetInfo, file: str | None, where: str) -> list[Problem]:
    """A problem for each single-line field of *info* that holds a control character."""
    problems = []
    for key in SINGLE_LINE:
        value = getattr(info, key, None)
        ch = hidden_character(value) if isinstance(value, str) else None
        if ch is not None:
            message = f"holds the control character {ch}; write it on one line, as plain text"
            problems.append(Problem(file=file, path=f"{where}.{key}", message=message))
    return problems


def _sheet_from_doc(doc: Mapping[str, Any], file: str | None, where: str = "") -> Sheet:
    problems: list[Problem] = []
    known = {"sheet", "answers", "evidence", "notes", "expect", "energy"}
    for key in doc:
        if key not in known:
            problems.append(
                Problem(
                    file=file,
                    path=f"{where}{key}",
                    message=f"unknown table '{key}'{suggest(key, list(known))}",
                )
            )
    raw_info = doc.get("sheet")
    info: SheetInfo | None = None
    if raw_info is None:
        problems.append(
            Problem(
                file=file, path=f"{where}sheet", message='missing [sheet] table with at least agency = "…"'
            )
        )
    else:
        # cattrs has no hook for dates: the date is read here, the rest structured as usual.
        rest = dict(raw_info) if isinstance(raw_info, dict) else raw_info
        dated = isinstance(rest, dict) and "date" in rest
        raw_date = rest.pop("date") if dated else None
        try:
            info = structure(rest, SheetInfo, f"{where}sheet")
        except RubricError as exc:
            problems.extend(p.with_file(file) for p in exc.problems)
        if info is not None:
            problems.extend(_single_line(info, file, f"{where}sheet"))
            shortened = shortened_code(info.code) if info.code is not None else None
            if shortened is not None:
                problems.append(Problem(file=file, path=f"{where}sheet.code", message=shortened))
        if dated:
            day, error = read_date(raw_date)
            if error is not None:
                problems.append(Problem(file=file, path=f"{where}sheet.date", message=error))
            elif info is not None:
                info = attrs.evolve(info, date=day)
    tables: dict[str, dict[str, Any]] = {}
    for name in ("answers", "evidence", "notes"):
        value = doc.get(name, {})
        if not isinstance(value, dict):
            problems.append(
                Problem(file=file, path=f"{where}{name}", message=f"expected a table, got {describe(value)}")
            )
            value = {}
        tables[name] = value
    evidence: dict[str, tuple[str, ...]] = {}
    for address, cited in tables["evidence"].items():
        docs = [cited] if isinstance(cited, str) else cited
        if not isinstance(docs, list):
            message = f"expected a list of document names, got {describe(docs)}"
            problems.append(Problem(file=file, path=f'{where}evidence."{address}"', message=message))
            continue
        bad = next((i for i, d in enumerate(docs) if not isinstance(d, str) or not normal(d)), None)
        if bad is not None:
            # A blank name would count as evidence cited, and hide the item from without_evidence.
            shown = "a blank string" if isinstance(docs[bad], str) else describe(docs[bad])
            message = f"expected a document name, got {shown}"
            path = f'{where}evidence."{address}"' + (f"[{bad}]" if docs is cited else "")
            problems.append(Problem(file=file, path=path, message=message))
            continue
        evidence[address] = tuple(docs)
    for address, note in tables["notes"].items():
        if not isinstance(note, str):
            problems.append(
                Problem(
                    file=file,
                    path=f'{where}notes."{address}"',
                    message=f"expected a string, got {describe(note)}",
                )
            )
    expect, more = read_expect(doc.get("expect"), file, f"{where}expect")
    problems.extend(more)
    energy = _energy(doc, info, file, problems)
    if problems or info is None:
        raise SheetError(problems)
    return Sheet(
        info=info,
        answers=dict(tables["answers"]),
        evidence=evidence,
        notes=dict(tables["notes"]),
        expect=expect,
        file=file,
        energy=energy,
    )


def _energy(
    doc: Mapping[str, Any], info: SheetInfo | None, file: str | None, problems: list[Problem]
) -> EnergyData | None:
    """The ``[energy]`` table (nested, or a CSV row's dotted columns), its problems added to *problems*."""
    if "energy" not in doc:
        return None
    section = doc["energy"]
    if not isinstance(section, dict):
        problems.append(
            Problem(file=file, path="energy", message=f"expected a table, got {describe(section)}")
        )
        return None
    if info is None:  # the [sheet] table's own problem is reported; the data need its year
        return None
    year = info.year
    if year is None:
        message = "missing; a sheet with [energy] needs its year: the data cover the calendar year before it"
        problems.append(Problem(file=file, path="sheet.year", message=message))
        return None
    from ._energy_parse import parse_energy  # noqa: PLC0415 - kept off start-up: only [energy] needs it

    try:
        data = parse_energy(section, file=file, sheet_year=year)
    except SheetError as exc:
        problems.extend(exc.problems)
        return None
    return attrs.evolve(data, agency=info.agency)


_FORMATS: Final = ("toml", "json", "csv")


def loads_sheet(
    text: str,
    *,
    format: Literal["toml", "json", "csv"] = "toml",  # noqa: A002 - the word users know
    file: str | None = None,
) -> Sheet:
    """Read a sheet from TOML, JSON or CSV *text* (CSV: a header and one row).

    Args:
        text: the sheet's text.
        format: ``"toml"``, ``"json"`` or ``"csv"``.
        file: the file name messages name, if the text comes from one.

    Returns:
        The sheet.

    Raises:
        SheetError: the format is unknown, or the text is not a well-formed sheet (CSV: or holds
            more or fewer than one row); every problem is listed with its location.
    """
    _text_argument(text, file)
    if format not in _FORMATS:
        message = f"unknown sheet format {format!r}; expected one of {', '.join(map(repr, _FORMATS))}"
        raise SheetError([Problem(file=file, message=message)])
    if format == "csv":
        return _one(
            _sheets_from_csv(text, file), file, "loads_sheet() reads one: give it a header and one row"
        )
    if not text.strip():  # a 0-byte file, or one Excel or an editor saved with only line breaks
        raise SheetError([Problem(file=file, message=_EMPTY[format])])
    try:
        doc = parse_json(text, file) if format == "json" else parse_toml(text, file)
    except RubricError as exc:
        raise SheetError(exc.problems) from None
    check_document(doc, file)  # a roster, plan or rubric is named as such, not as 9 unknown tables
    return _sheet_from_doc(doc, file)


#: What an empty TOML or JSON sheet should have held.
_EMPTY: Final = {
    "toml": 'the sheet is empty; expected a [sheet] table with at least agency = "…", and [answers]',
    "json": 'the sheet is empty; expected a JSON object with "sheet" (at least "agency") and "answers"',
}
#: What an empty CSV sheet file should have held.
EMPTY_CSV: Final = "the CSV file is empty; expected a header row"


#: Files that are workbooks, which are not read (yet): what to do instead.
_WORKBOOKS: Final = {
    ".xlsm": "macro-enabled workbooks (.xlsm) are not read; save the workbook as .xlsx",
    ".parquet": "Parquet files are read by the DuckDB engine only: conserv-rubric score RUBRIC FILE"
    " --engine duckdb --format csv (or jsonl)",
}
#: How workbooks begin, whatever their name says: a ZIP archive (.xlsx), an OLE file (.xls, .et).
_WORKBOOK_MAGIC: Final = {
    b"PK\x03\x04": "is a ZIP archive (a workbook?), not a TOML, JSON or CSV sheet; a workbook is read"
    " when its name ends in .xlsx",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "is an Excel 97-2003 or WPS workbook, not a sheet; save it as .xlsx",
}


def _read(path: str | Path, csv_file: bool) -> tuple[str, str, str]:
    file = str(path)
    refused = _WORKBOOKS.get(Path(path).suffix.lower())
    if refused is not None:
        raise SheetError([Problem(file=file, message=refused)])
    try:
        data = read_bytes(path)
        for magic, message in _WORKBOOK_MAGIC.items():
            if data.startswith(magic):
                raise SheetError([Problem(file=file, message=message)])
        text, encoding = read_text(data, file, gb18030=csv_file)
    except SheetError:
        raise
    except RubricError as exc:
        raise SheetError(exc.problems) from None
    return text, file, encoding


def load_sheets(path: str | Path) -> list[Sheet]:
    """Read every sheet in the file at *path*: one for TOML and JSON, one per row for CSV, one
    per worksheet for an ``.xlsx`` workbook (see `conserv_rubric.workbook`).

    A CSV file that is not UTF-8 but is GB18030 (as Excel and WPS save CSV on Chinese Windows)
    is read as GB18030, and its sheets say so in `Sheet.encoding`.

    Args:
        path: a ``.toml``, ``.json`` or ``.csv`` file (any other name is read as TOML).

    Returns:
        The sheets, in the file's order.

    Raises:
        SheetError: the file cannot be read (a workbook is refused, with what to do instead),
            is malformed, or (CSV) holds a header without rows.
    """
    _path_argument(path, "load_sheets")
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xls", ".et"):  # read by the workbook module, which builds on this one
        from ._xlsx_read import read_sheets  # noqa: PLC0415 - openpyxl is an optional extra

        return read_sheets(path)
    text, file, encoding = _read(path, suffix == ".csv")
    if suffix == ".csv":
        sheets = _sheets_from_csv(text, file)
    else:
        sheets = [loads_sheet(text, format="json" if suffix == ".json" else "toml", file=file)]
    return [attrs.evolve(s, encoding=encoding) for s in sheets]


def _one(sheets: list[Sheet], file: str | None, advice: str) -> Sheet:
    if len(sheets) != 1:
        raise SheetError([Problem(file=file, message=f"holds {len(sheets)} sheets; {advice}")])
    return sheets[0]


def load_sheet(path: str | Path) -> Sheet:
    """Read one sheet from a ``.toml``, ``.json`` or one-row ``.csv`` file, or a one-agency ``.xlsx``.

    Args:
        path: the file; see `load_sheets`.

    Returns:
        The sheet.

    Raises:
        SheetError: the file cannot be read, is malformed, or (CSV, workbook) holds more than one sheet.
    """
    _path_argument(path, "load_sheet")
    return _one(load_sheets(path), str(path), "use load_sheets() to read them all")


def _text_argument(text: object, file: str | None) -> None:
    message = not_text(text, "loads_sheet", "the sheet's text", "load_sheet")
    if message is not None:
        raise SheetError([Problem(file=file, message=message)])


def _path_argument(path: object, call: str) -> None:
    message = not_a_path(path, call, "sheet")
    if message is not None:
        raise SheetError([Problem(message=message)])


#: A CSV cell that reads ``true`` or ``false`` is kept as one of these two objects, so that the
#: generated plan recognises the commonest answers by identity (`conserv_rubric._codegen`).
WORDS: Final = {"true": "true", "false": "false"}
#: CSV columns that fill the ``[sheet]`` table rather than answer a leaf.
META_COLUMNS: Final = ("agency", "code", "year", "stage", "assessor", "rubric", "date")


def _sheets_from_csv(text: str, file: str | None) -> list[Sheet]:
    sheets: list[Sheet] = []
    problems: list[Problem] = []
    for row in csv_rows(text, file):
        if isinstance(row, SheetError):
            problems.extend(row.problems)
        else:
            sheets.append(row)
    if problems:
        raise SheetError(problems)
    return sheets


def _separator_hint(cells: list[str]) -> str:
    """What to do about a header whose columns another separator divides (Excel in some locales
    saves ``;``, a copy from a table gives tabs): the hint, or nothing."""
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        pieces = {READ_ZH.get(p.strip(), p.strip()) for cell in cells for p in cell.split(sep)}
        if any(sep in cell for cell in cells) and "agency" in pieces:
            save = "save the file as CSV (comma delimited)"
            return f"; its columns are separated by {name}, not commas: {save}"
    return ""


#: How many records below a first row without ``agency`` are searched for the header it should be.
HEADER_SEARCH: Final = 20


def _header_hint(below: Iterable[tuple[int, list[str]]]) -> str:
    """Where the header is when the first row is not it, from the records *below* (line, cells):
    a title or the details above the table (merged cells saved as CSV), or the 自评打分表
    workbook saved as CSV, whose table is headed 地址, 答案. The hint, or nothing."""
    rows = [
        (line, {cell.strip() for cell in cells}) for line, cells in itertools.islice(below, HEADER_SEARCH)
    ]
    for line, names in rows:  # the workbook's details above its table hold 单位名称: look here first
        if {"地址", "答案"} <= names:
            return (
                f"; line {line} is the header of the 自评打分表 workbook's table (地址, 答案): score"
                " the workbook (.xlsx) itself, or write a CSV sheet with a row per agency and a column"
                " per address"
            )
    for line, names in rows:
        if "agency" in {READ_ZH.get(name, name) for name in names}:
            return f"; line {line} has one: delete the rows above it"
    return ""


def csv_header(cells: list[str], file: str | None, below: Iterable[tuple[int, list[str]]] = ()) -> list[str]:
    """The column names of a CSV sheet file's header row *cells*.

    Args:
        cells: the first record's cells.
        file: the file, for messages.
        below: the records below it (line, cells), read only when *cells* lacks ``agency``, to
            say where the header is.

    Raises:
        SheetError: the header has no ``agency`` column, or names a column twice; the file holds
            nothing but blank lines and empty cells.
    """
    header = read_header(cells, file)  # 单位, 年度 … read as agency, year …
    if "agency" not in header:
        read = [0, 0]  # the records below read by the hint, and those of them that hold text

        def watched() -> Iterator[tuple[int, list[str]]]:
            for line, names in below:
                read[0] += 1
                read[1] += any(name.strip() for name in names)
                yield line, names

        hint = _separator_hint(cells) or _header_hint(watched())
        blank = not any(cell.strip() for cell in cells) and read[0] < HEADER_SEARCH and not read[1]
        if not hint and blank:
            # Only blank lines or empty cells (",,,") to the end, as a spreadsheet saves an empty table.
            raise SheetError([Problem(file=file, message=EMPTY_CSV)])
        message = "the header needs an 'agency' (单位) column" + hint
        raise SheetError([Problem(file=file, line=1, message=message)])
    check_csv_header(header, file)
    if {"total", "rubric_hash", "library"}.issubset(header):
        message = (
            "this is a report conserv-rubric wrote (total, rubric_hash and library columns), not a sheet;"
            " keep reports apart from the sheets"
        )
        raise SheetError([Problem(file=file, line=1, message=message)])
    seen: set[str] = set()
    for column in header:
        if column in seen and column:  # columns without a name: see `unnamed_cell`
            raise SheetError([Problem(file=file, line=1, message=f"column {column!r} appears twice")])
        seen.add(column)
    return header


#: A row that is the header again: the second file's header, where two CSV files were joined.
REPEATED_HEADER: Final = "repeats the header row (line 1): two CSV files joined into one? Delete this row"


def _repeats(header: list[str], row: list[str]) -> bool:
    """Whether *row* names the header's columns, as the header does (a byte-order mark aside)."""

    def name(cell: str) -> str:
        text = cell.replace("\ufeff", "").strip()
        return READ_ZH.get(text, text)

    return name(row[0]) == header[0] and [name(cell) for cell in row] == header


def csv_row(
    header: list[str], first: int, last: int, row: list[str], file: str | None, encoding: str | None = None
) -> Sheet | SheetError | None:
    """The sheet of one CSV record on lines *first* to *last*, its error, or None for a blank row."""
    if not any(cell.strip() for cell in row):
        return None
    if len(row) != len(header):
        message = f"has {len(row)} cells, the header has {len(header)}"
        return SheetError([Problem(file=file, line=first, message=message)])
    if _repeats(header, row):
        return SheetError([Problem(file=file, line=first, message=REPEATED_HEADER)])
    problems: list[Problem] = []
    info: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    energy: dict[str, str] = {}
    for index, (column, cell) in enumerate(zip(header, row, strict=True), 1):
        if not column:
            if normal(cell.strip()):
                problems.append(Problem(file=file, line=first, message=unnamed_cell(index, cell.strip())))
            continue
        meta = column in META_COLUMNS
        if "\n" in cell or "\r" in cell:
            # No answer or [sheet] value holds a line break: this is a quote left open (or
            # closed too late), which would otherwise swallow the rows below it.
            where = f"sheet.{column}" if meta else f'answers."{column}"'
            message = (
                f"the cell holds a line break (the row runs from line {first} to line {last}):"
                " close the quote that opens it, or keep the cell on one line"
            )
            problems.append(Problem(file=file, line=first, path=where, message=message))
            continue
        text_ = cell.strip()
        if not normal(text_):
            continue
        if column == "year":
            year = number(normal(text_))
            info[column] = year if isinstance(year, int) else text_
        elif column == "stage":  # 自评, 核查 as the workbook's list and the reports label them
            info[column] = STAGE_NAMES.get(text_, text_)
        elif meta:
            info[column] = text_
        elif column.startswith("energy."):  # dotted columns of [energy] (DESIGN §11)
            energy[column] = text_
        else:
            # Text until checked against the rubric: the leaf decides what it means.
            answers[column] = WORDS.get(text_, text_)
    if problems:
        return SheetError(problems)
    try:
        doc = {"sheet": info, "answers": answers, **({"energy": energy} if energy else {})}
        sheet = _sheet_from_doc(doc, file)
    except SheetError as exc:
        return SheetError(attrs.evolve(p, line=first) for p in exc.problems)
    return attrs.evolve(sheet, row=first, encoding=encoding)


def csv_rows(text: str, file: str | None) -> Iterator[Sheet | SheetError]:
    """Each row of a CSV sheet file as a `Sheet`, or as the `SheetError` of that row, in order.

    The whole text at once; `conserv_rubric._stream.stream_csv` reads a file of any size row by row
    with the same per-row code.

    Raises:
        SheetError: a problem of the file itself: not CSV, no header or a bad one, no rows.
    """
    try:
        records = csv_records(text, file)
    except RubricError as exc:
        raise SheetError(exc.problems) from None
    if not records:
        raise SheetError([Problem(file=file, message=EMPTY_CSV)])
    header = csv_header(records[0][2], file, ((first, cells) for first, _, cells in records[1:]))
    rows = 0
    for first, last, row in records[1:]:
        result = csv_row(header, first, last, row, file)
        if result is None:
            continue
        rows += 1
        yield result
    if not rows:
        raise SheetError([Problem(file=file, line=1, message=NO_ROWS)])


#: The problem of a CSV file with a header and nothing below it.
NO_ROWS: Final = "the header has no rows below it; add a row per agency"
