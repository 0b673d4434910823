"""Answer sheets (自评打分表): reading TOML, JSON and CSV into `Sheet` objects."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from ._convert import structure
from ._fields import read_date
from ._headers import read_header
from ._parse import decode, parse_json, parse_toml, read_bytes
from ._text import describe, suggest
from .errors import Problem, RubricError, SheetError

#: CSV columns that describe the sheet rather than answer a leaf.
META_COLUMNS: Final = ("agency", "code", "year", "stage", "assessor", "date")


@attrs.frozen(kw_only=True)
class SheetInfo:
    """The ``[sheet]`` table: who is assessed, when, and by whom.

    Attributes:
        code: the agency's code (统一社会信用代码 or the roster's own), if given.
        stage: one of the rubric's stages (``Rubric.stages``); `score` checks it.
        date: the day the sheet was signed off (a TOML date, or ``YYYY-MM-DD`` text).
    """

    agency: str
    code: str | None = None
    year: int | None = None
    stage: str = "self"
    assessor: str | None = None
    rubric: str | None = None
    date: datetime.date | None = None


@attrs.frozen(kw_only=True)
class Sheet:
    """One agency's answers for one rubric, self-assessed or verified.

    Attributes:
        info: the ``[sheet]`` table.
        answers: leaf address → answer, as written (checked against a rubric when scored).
        evidence: address → documents cited as 佐证材料.
        notes: address → free text.
        file: where the sheet was read from, if anywhere.
        row: the CSV row it was read from, if any.
    """

    info: SheetInfo
    answers: dict[str, Any] = attrs.field(factory=dict, hash=False)
    evidence: dict[str, tuple[str, ...]] = attrs.field(factory=dict, hash=False)
    notes: dict[str, str] = attrs.field(factory=dict, hash=False)
    file: str | None = None
    row: int | None = None

    @property
    def agency(self) -> str:
        """The agency's name."""
        return self.info.agency

    @property
    def stage(self) -> str:
        """The stage, such as ``"self"`` or ``"verified"``."""
        return self.info.stage


def _sheet_from_doc(doc: Mapping[str, Any], file: str | None, where: str = "") -> Sheet:
    problems: list[Problem] = []
    known = {"sheet", "answers", "evidence", "notes"}
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
        bad = [i for i, d in enumerate(docs) if not isinstance(d, str)]
        if bad:
            message = f"expected a document name, got {describe(docs[bad[0]])}"
            problems.append(
                Problem(file=file, path=f'{where}evidence."{address}"[{bad[0]}]', message=message)
            )
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
    if problems or info is None:
        raise SheetError(problems)
    return Sheet(
        info=info, answers=dict(tables["answers"]), evidence=evidence, notes=dict(tables["notes"]), file=file
    )


def loads_sheet(text: str, *, format: Literal["toml", "json"] = "toml", file: str | None = None) -> Sheet:  # noqa: A002 - the word users know
    """Read a sheet from TOML or JSON *text*.

    Raises:
        SheetError: the text is not a well-formed sheet; every problem is listed with its location.
    """
    try:
        doc = parse_json(text, file) if format == "json" else parse_toml(text, file)
    except RubricError as exc:
        raise SheetError(exc.problems) from None
    return _sheet_from_doc(doc, file)


def _read(path: str | Path) -> tuple[str, str]:
    file = str(path)
    try:
        return decode(read_bytes(path), file), file
    except RubricError as exc:
        raise SheetError(exc.problems) from None


def load_sheets(path: str | Path) -> list[Sheet]:
    """Read every sheet in the file at *path*: one for TOML and JSON, one per row for CSV.

    Raises:
        SheetError: the file cannot be read or holds a malformed sheet.
    """
    text, file = _read(path)
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return _sheets_from_csv(text, file)
    return [loads_sheet(text, format="json" if suffix == ".json" else "toml", file=file)]


def load_sheet(path: str | Path) -> Sheet:
    """Read one sheet from a ``.toml``, ``.json`` or one-row ``.csv`` file.

    Raises:
        SheetError: the file cannot be read, is malformed, or (CSV) holds more than one row.
    """
    sheets = load_sheets(path)
    if len(sheets) != 1:
        raise SheetError(
            [
                Problem(
                    file=str(path), message=f"holds {len(sheets)} sheets; use load_sheets() to read them all"
                )
            ]
        )
    return sheets[0]


_NUMBER: Final = re.compile(r"[+-]?[0-9]{1,18}(\.[0-9]{1,18})?")


class Cell(str):
    """Text from a CSV cell: names separated by ``;`` where a list of names is wanted."""

    __slots__ = ()

    def names(self) -> list[str]:
        """The names in the cell."""
        return [name.strip() for name in self.split(";") if name.strip()]


def _cell(text: str) -> object:
    text = text.strip()
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    if _NUMBER.fullmatch(text):
        return int(text) if "." not in text else Decimal(text)
    if "/" in text:
        value, _, ref = text.partition("/")
        if _NUMBER.fullmatch(value.strip()) and _NUMBER.fullmatch(ref.strip()):
            return {"value": Decimal(value.strip()), "ref": Decimal(ref.strip())}
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return Cell(text)


def _sheets_from_csv(text: str, file: str) -> list[Sheet]:
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise SheetError([Problem(file=file, message=f"invalid CSV: {exc}")]) from None
    if not rows:
        raise SheetError([Problem(file=file, message="the CSV file is empty; expected a header row")])
    header = read_header(rows[0], file)  # 单位, 年度 … read as agency, year …
    if "agency" not in header:
        message = "the header needs an 'agency' (单位) column"
        raise SheetError([Problem(file=file, line=1, message=message)])
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise SheetError([Problem(file=file, line=1, message=f"column {dupes[0]!r} appears twice")])
    sheets, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(file=file, line=number, message=f"has {len(row)} cells, the header has {len(header)}")
            )
            continue
        info: dict[str, Any] = {}
        answers: dict[str, Any] = {}
        for column, cell in zip(header, row, strict=True):
            if column in META_COLUMNS:
                if cell.strip():
                    info[column] = (
                        int(cell)
                        if column == "year" and re.fullmatch(r"[0-9]{1,6}", cell.strip())
                        else cell.strip()
                    )
            else:
                value = _cell(cell)
                if value is not None:
                    answers[column] = value
        try:
            sheet = _sheet_from_doc({"sheet": info, "answers": answers}, file)
        except SheetError as exc:
            problems.extend(attrs.evolve(p, line=number) for p in exc.problems)
        else:
            sheets.append(attrs.evolve(sheet, row=number))
    if problems:
        raise SheetError(problems)
    return sheets
