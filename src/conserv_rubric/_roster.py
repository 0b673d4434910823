"""The roster (名录): every agency in scope, with its parent (for a 二级单位), type and code.

A roster is CSV (a header row naming the columns) or TOML (``[[agencies]]`` tables). Every bad
row is located by file and line; two rows of one agency, two rows with one code, and a parent
that is not on the roster are refused.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Final, Literal, Protocol

import attrs

from ._fields import Fields, shortened_code, table_lines
from ._headers import READ_ZH, unnamed_cell
from ._parse import parse_toml, read_bytes, read_text
from ._sheet import _WORKBOOK_MAGIC
from ._text import suggest
from .errors import Problem, RubricError

#: The roster's columns; Chinese headers are read as the column they name.
COLUMNS: Final = ("agency", "parent", "type", "code")
ZH_COLUMNS: Final = {zh: en for zh, en in READ_ZH.items() if en in COLUMNS}


def normalise(name: str) -> str:
    """*name* as agencies are matched: NFKC-normalised (full-width ＸＸ is XX) and trimmed."""
    return unicodedata.normalize("NFKC", name).strip()


@attrs.frozen(kw_only=True)
class RosterEntry:
    """One agency on the roster.

    Attributes:
        agency: its name.
        parent: for a 二级单位, the name of the agency it belongs to.
        type: its kind (党的机关, 行政机关, 人民团体 …), as the roster writes it.
        code: its code (统一社会信用代码 or the office's own), used to match sheets first.
        line: the roster line it was read from (CSV, or the ``[[agencies]]`` header in TOML).
        path: its TOML path (``agencies[3]``), for TOML rosters.
    """

    agency: str
    parent: str | None = None
    type: str | None = None
    code: str | None = None
    line: int | None = None
    path: str | None = None

    @property
    def where(self) -> str:
        """How messages name the row: ``line 4`` or ``agencies[3]``."""
        return f"line {self.line}" if self.line is not None else self.path or "?"


@attrs.frozen(kw_only=True)
class Roster:
    """The agencies in scope (名录), in the roster's order.

    Attributes:
        agencies: every row.
        file: where the roster was read from, if anywhere.
    """

    agencies: tuple[RosterEntry, ...]
    file: str | None = None

    def children(self, parent: RosterEntry) -> tuple[RosterEntry, ...]:
        """The 二级单位 that name *parent* as theirs, in roster order."""
        key = normalise(parent.agency)
        return tuple(a for a in self.agencies if a.parent is not None and normalise(a.parent) == key)


def _check(entries: list[RosterEntry], file: str | None, problems: list[Problem]) -> None:
    """Refuse duplicate agencies and codes and parents that are not top-level roster agencies."""

    def fail(entry: RosterEntry, message: str) -> None:
        problems.append(Problem(file=file, line=entry.line, path=entry.path, message=message))

    by_name: dict[str, RosterEntry] = {}
    by_code: dict[str, RosterEntry] = {}
    for entry in entries:
        key = normalise(entry.agency)
        first = by_name.setdefault(key, entry)
        if first is not entry:
            fail(entry, f'agency "{entry.agency}" is on the roster twice: {first.where} and {entry.where}')
        shortened = shortened_code(entry.code) if entry.code is not None else None
        if shortened is not None:
            fail(entry, shortened)
        elif entry.code is not None:
            same = by_code.setdefault(normalise(entry.code), entry)
            if same is not entry:
                fail(
                    entry,
                    f'code "{entry.code}" is on the roster twice: {same.where} ("{same.agency}") '
                    f'and {entry.where} ("{entry.agency}")',
                )
    names = [e.agency for e in entries]
    for entry in entries:
        if entry.parent is None:
            continue
        parent = by_name.get(normalise(entry.parent))
        if parent is None:
            fail(entry, f'parent "{entry.parent}" is not on the roster{suggest(entry.parent, names)}')
        elif parent is entry or normalise(parent.agency) == normalise(entry.agency):
            fail(entry, f'"{entry.agency}" names itself as its parent')
        elif parent.parent is not None:
            fail(
                entry,
                f'parent "{entry.parent}" is itself a 二级单位 (of "{parent.parent}", {parent.where}); '
                "a 二级单位 belongs to an agency without a parent",
            )


#: The problem of a roster file with no header row.
_EMPTY: Final = "the roster is empty; expected a header row with 'agency'"
#: How many rows below a first row without ``agency`` are searched for the header it should be.
_HEADER_SEARCH: Final = 20


class _Reader(Protocol):
    """A `csv.reader`: its rows, and the line it has read to."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...
    def __next__(self) -> list[str]: ...


def _header_below(header: list[str], reader: _Reader) -> str | None:
    """What a first row without ``agency`` is, from the rows below it: ``""`` when the file holds
    nothing but blank rows (an empty roster), the problem when a row below is the header (a title
    typed above the table), None when neither is known (the header's own problems are reported).
    """
    blank = not any(cell.strip() for cell in header)
    try:
        for row in itertools.islice(reader, _HEADER_SEARCH):
            if "agency" in {ZH_COLUMNS.get(c.strip(), c.strip()) for c in row}:
                line = reader.line_num
                return f"the header needs an 'agency' column; line {line} has one: delete the rows above it"
            blank = blank and not any(cell.strip() for cell in row)
        # Only an empty file is called empty: the search did not stop before the end of it.
        return "" if blank and next(reader, None) is None else None
    except csv.Error:
        return None  # the header lacks agency all the same, and its own problems say so


def _from_csv(text: str, file: str | None, problems: list[Problem]) -> list[RosterEntry]:
    # strict: an unclosed quote is an error, not a cell that runs to the end of the file.
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.append(Problem(file=file, line=1, message=f"invalid CSV: {exc}"))
        return []
    if header is None:
        problems.append(Problem(file=file, message=_EMPTY))
        return []
    if not {ZH_COLUMNS.get(c.strip(), c.strip()) for c in header} & {"agency"}:
        found = _header_below(header, reader)
        if found is not None:
            problems.append(Problem(file=file, line=1 if found else None, message=found or _EMPTY))
            return []
    columns: list[str] = []
    for cell in header:
        name = cell.strip()
        name = ZH_COLUMNS.get(name, name)
        if not name:  # read while its cells are empty: see `unnamed_cell`
            pass
        elif name not in COLUMNS:
            hint = suggest(name, list(COLUMNS))
            message = f"unknown column '{cell.strip()}'{hint}; expected agency, parent, type, code"
            problems.append(Problem(file=file, line=1, message=message))
        elif name in columns:
            problems.append(Problem(file=file, line=1, message=f"column '{name}' appears twice"))
        columns.append(name)
    if "agency" not in columns:
        problems.append(Problem(file=file, line=1, message="the header needs an 'agency' column"))
    if problems:
        return []
    entries = []
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            problems.append(Problem(file=file, line=reader.line_num, message=f"invalid CSV: {exc}"))
            break
        if row is None:
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            message = f"has {len(row)} cells, the header has {len(columns)}"
            problems.append(Problem(file=file, line=line, message=message))
            continue
        unnamed = [(i, v.strip()) for i, (c, v) in enumerate(zip(columns, row, strict=True), 1) if not c]
        for column, value in unnamed:
            if value:
                problems.append(Problem(file=file, line=line, message=unnamed_cell(column, value)))
        if any(value for _, value in unnamed):
            continue
        cells = {c: v.strip() or None for c, v in zip(columns, row, strict=True) if c}
        agency = cells.get("agency")
        if agency is None:
            problems.append(Problem(file=file, line=line, message="the agency cell is empty"))
            continue
        entries.append(
            RosterEntry(
                agency=agency,
                parent=cells.get("parent"),
                type=cells.get("type"),
                code=cells.get("code"),
                line=line,
            )
        )
    return entries


def _from_toml(text: str, file: str | None, problems: list[Problem]) -> list[RosterEntry]:
    try:
        doc = parse_toml(text, file)
    except RubricError as exc:
        problems.extend(exc.problems)
        return []
    top = Fields(doc, "", ("agencies",), problems, file)
    if "agencies" not in doc:
        top.fail(None, 'missing [[agencies]] tables, each with at least agency = "…"')
    lines = table_lines(text, "agencies")
    entries = []
    for i, table in top.tables("agencies"):
        path = f"agencies[{i}]"
        line = lines[i] if len(lines) == len(doc.get("agencies", ())) else None
        fields = Fields(table, path, COLUMNS, problems, file, line)
        agency = fields.text("agency", required=True)
        parent, kind, code = fields.text("parent"), fields.text("type"), fields.text("code")
        if agency is not None:
            entries.append(
                RosterEntry(agency=agency, parent=parent, type=kind, code=code, line=line, path=path)
            )
    return entries


def loads_roster(text: str, *, format: Literal["csv", "toml"], file: str | None = None) -> Roster:  # noqa: A002 - the word users know
    """Read a roster from CSV or TOML *text*.

    Args:
        text: the roster.
        format: ``"csv"`` (a header row with ``agency`` and optionally ``parent``, ``type``,
            ``code``, or their Chinese names 单位名称, 上级单位, 类型, 代码) or ``"toml"``
            (``[[agencies]]`` tables with the same keys).
        file: the file name, for messages.

    Returns:
        The roster, in its own order.

    Raises:
        RubricError: a malformed row, a duplicate agency or code (naming both rows), or a parent
            that is not an agency without a parent on the roster; every problem is listed.
    """
    problems: list[Problem] = []
    entries = _from_csv(text, file, problems) if format == "csv" else _from_toml(text, file, problems)
    if not problems:
        if not entries:
            problems.append(Problem(file=file, message="the roster lists no agencies"))
        _check(entries, file, problems)
    if problems:
        raise RubricError(problems)
    return Roster(agencies=tuple(entries), file=file)


#: A roster kept in Excel, by its name or its first bytes (a zip archive, an OLE file).
_WORKBOOK_SUFFIXES: Final = (".xlsx", ".xlsm", ".xls", ".et")
_WORKBOOK: Final = (
    "a workbook, not a CSV or TOML roster; in Excel or WPS save the roster as CSV UTF-8 "
    "(另存为 → CSV UTF-8（逗号分隔）) and give that file"
)


def load_roster(path: str | os.PathLike[str]) -> Roster:
    """Read the roster at *path*: ``.csv``, or TOML for any other name.

    Raises:
        RubricError: the file cannot be read, is a workbook (save it as CSV), or is not a valid
            roster (see `loads_roster`).
    """
    file = str(path)
    # Regular files only, within the limit: a FIFO or /dev/zero given as the file never hangs.
    data = read_bytes(Path(path))
    if Path(path).suffix.lower() in _WORKBOOK_SUFFIXES or data.startswith(tuple(_WORKBOOK_MAGIC)):
        raise RubricError([Problem(file=file, message=_WORKBOOK)])  # not "not UTF-8 text (byte 12)"
    csv_file = Path(path).suffix.lower() == ".csv"
    text, _ = read_text(data, file, gb18030=csv_file)  # GBK as sheets are: Excel's "CSV" in China
    return loads_roster(text, format="csv" if csv_file else "toml", file=file)
