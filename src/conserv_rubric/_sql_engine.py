"""``conserv-rubric score RUBRIC FILE --engine duckdb``: a CSV or Parquet file of sheets scored
inside DuckDB, giving the rows the Python engine's ``--format csv``/``jsonl`` gives (DESIGN §13).

One query reads the file (every column as text), parses every cell with the grammar of the
Python readers (`conserv_rubric._sql.cells`) and scores every row (`_sql.query.render_rows`).
A row DuckDB is not sure to read as Python does is read again by the Python reader and scored by
`score()`: a row with an invalid cell (so that its errors are the Python engine's, word for word),
and a row whose ``[sheet]`` columns are not plain (a blank agency, a control character, a year
that is not digits, a stage the rubric lacks, a date that is not ``YYYY-MM-DD``, another
rubric's title) or which fills a column that answers no leaf (an unknown address, energy data).
A file DuckDB cannot number line by line as the Python reader does (not UTF-8, a row that runs
over several lines or breaks the CSV grammar, empty lines between rows) is scored by the Python
engine as a whole, with a note on standard error. Parquet has no lines: a row is named by its
number (the first row is 1).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import os
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs

from ._batch import iter_sheets
from ._compiled import Compiled, compiled
from ._csv_report import CARD_HEAD, CARD_TAIL, GATE_SEPARATOR
from ._energy_model import Coefficients
from ._fields import SHORTENED_CODE
from ._headers import Headers, header_row
from ._limits import MAX_CSV_COLUMNS, MAX_CSV_ROW_BYTES
from ._provenance import provenance_of
from ._score import ScoreCard, score
from ._sheet import NO_ROWS, csv_header, csv_row
from ._sql import NotExpressible
from ._sql.cells import _SPACE, SPACE
from ._sql.query import render_rows
from ._stream import BLOCK, _encoding, _Lines, _open, _TooLong
from ._text import csv_cell, fmt
from .batch import _scored
from .errors import Problem, RubricError, SheetError
from .model import Rubric

#: The keys of a score card's JSON (`ScoreCard.to_dict`) a summary row keeps: no per-item reasons.
SUMMARY_KEYS: Final = (
    "schema_version",
    "provenance",
    "rubric",
    "agency",
    "code",
    "year",
    "stage",
    "assessor",
    "encoding",
    "date",
    "file",
    "line",
    "total",
    "max",
    "level",
    "passed",
    "failed_gates",
    "units",
)
#: How many result rows are fetched from DuckDB at a time (one DuckDB vector).
BATCH: Final = 2048
#: The bytes DuckDB's CSV reader reads at a time (its default, 16 MiB per thread, is most of the
#: engine's memory); above the Python reader's longest row (`MAX_CSV_ROW_BYTES`) and DuckDB's
#: longest line (2 MB by default), so every row the Python reader takes fits one buffer.
CSV_BUFFER: Final = 4 * 1024 * 1024
#: Settings that keep the engine's memory flat whatever the file's size, each skipped where the
#: DuckDB installed lacks it: no cache of the file's bytes (DuckDB ≥ 1.3 keeps what it reads of a
#: file, growing with the file), and a small buffer of result rows ahead of the Python loop.
_SETTINGS: Final = ("SET enable_external_file_cache = false", "SET streaming_buffer_size = '2MB'")
#: What `conserv_rubric._text.hidden_character` finds, as a DuckDB regular expression.
_HIDDEN: Final = "[\\x00-\\x1f\\x7f-\\x9f\\x{61c}\\x{200e}\\x{200f}\\x{2028}-\\x{202e}\\x{2066}-\\x{2069}]"


def summary(card: ScoreCard) -> dict[str, Any]:
    """The summary row of *card* as the DuckDB engine writes it in JSON Lines."""
    whole = card.to_dict()
    return {k: whole[k] for k in SUMMARY_KEYS}


class Fallback(Exception):
    """The file is scored by the Python engine; *note* (if any) says why on standard error."""

    def __init__(self, note: str | None) -> None:
        super().__init__(note)
        self.note = note


@attrs.frozen
class Row:
    """A row DuckDB scored: the cells of the CSV report (made safe as `csv_cell` makes them) or
    the summary of JSON Lines, whichever the report is; and whether the agency passed."""

    passed: bool
    cells: list[str] = attrs.field(factory=list)
    json: dict[str, Any] = attrs.field(factory=dict)


Result = Row | ScoreCard | RubricError


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _trim(expr: str) -> str:
    return f"trim({expr}, {_lit(SPACE)})"


def _blank(expr: str) -> str:
    """Whether the cell is blank as `str.strip` finds it (the shorter set of spaces first: faster)."""
    ascii_ = f"trim({expr}, {_lit(_SPACE)})"
    return (
        f"({expr} IS NULL OR {ascii_} = '' OR (strlen({ascii_}) <> length({ascii_}) AND {_trim(expr)} = ''))"
    )


def _physical_lines(path: str | Path) -> int:
    """The lines the Python reader counts up to the last non-empty one; raise `Fallback` where
    DuckDB would number rows otherwise (a lone CR, an empty line between rows). Read in blocks."""
    lf = cr = crlf = 0
    tail = b""  # the last bytes of the block before: a pattern may straddle two blocks
    first_empty = -1  # where the first empty line begins (the offset of its line break)
    content_end = 0  # the offset after the last byte that is no line break
    lf_after = 0  # the line feeds after it
    offset = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            window = tail + chunk
            lf += chunk.count(b"\n")
            cr += chunk.count(b"\r")
            crlf += window.count(b"\r\n") - tail.count(b"\r\n")
            if first_empty == -1:
                found = [k for k in (window.find(b"\n\n"), window.find(b"\n\r\n")) if k != -1]
                if found:
                    first_empty = offset - len(tail) + min(found) + 1
            stripped = chunk.rstrip(b"\r\n")
            if stripped:
                content_end = offset + len(stripped)
                lf_after = chunk.count(b"\n", len(stripped))
            else:
                lf_after += chunk.count(b"\n")
            tail = window[-2:]
            offset += len(chunk)
    if cr != crlf:
        raise Fallback("a line ends in a lone CR, which DuckDB does not count as Python does")
    if first_empty != -1 and first_empty + 1 < content_end:
        raise Fallback("empty lines between rows, which DuckDB does not count")
    return lf - lf_after + 1


def _csv_header(path: str | Path, file: str) -> list[str]:
    """The header of the CSV file, as the Python reader reads it; raise `Fallback` for a file
    DuckDB does not read as Python does, or whose problems the Python engine reports."""
    try:
        stream = _open(path, file)
    except SheetError:
        raise Fallback(None) from None
    with stream:
        block = stream.read(BLOCK)
        stream.seek(0)
        try:
            encoding = _encoding(block, len(block) < BLOCK, file)
        except SheetError:
            raise Fallback(None) from None
        if encoding != "utf-8":
            raise Fallback("the file is GB18030 (GBK) text, and DuckDB reads UTF-8 only")
        lines = _Lines(stream, encoding, file)
        try:
            cells = next(csv.reader(lines, strict=True))
            header = csv_header(cells, file)
        except (StopIteration, csv.Error, SheetError, _TooLong):  # the Python engine names it
            raise Fallback(None) from None
        if lines.line != 1 or lines.problems or len(header) > MAX_CSV_COLUMNS:
            raise Fallback(None)
    return header


@attrs.frozen
class _Plan:
    """What the query of one file needs: the rubric, its compiled plan and the card every row
    shares the constants of (its maximum, provenance, units' maxima)."""

    rubric: Rubric
    plan: Compiled
    reference: dict[str, Any]
    stamp: tuple[str, str]


def _plan(rubric: Rubric) -> _Plan:
    reference = score(rubric, {}).to_dict()
    p = provenance_of(rubric)
    return _Plan(rubric, compiled(rubric), reference, (p.hash, p.library))


def _needs_python(rubric: Rubric, plan: Compiled, header: Sequence[str], raw: Sequence[str]) -> str:
    """Whether a row is read again in Python: its ``[sheet]`` columns are not plain, or it fills a
    column that answers no leaf (see the module's docstring)."""
    tests: list[str] = []
    for column, cell in zip(header, raw, strict=True):
        t = _trim(cell)
        filled = f"NOT {_blank(cell)}"
        if column == "agency":
            tests += [_blank(cell), f"regexp_matches({cell}, {_lit(_HIDDEN)})"]
        elif column == "code":  # a code Excel shortened to 9.11E+17 is refused by the Python reader
            shortened = f"regexp_full_match({t}, {_lit(SHORTENED_CODE)})"
            tests.append(f"coalesce(regexp_matches({cell}, {_lit(_HIDDEN)}) OR {shortened}, FALSE)")
        elif column == "assessor":
            tests.append(f"coalesce(regexp_matches({cell}, {_lit(_HIDDEN)}), FALSE)")
        elif column == "stage":
            stages = ", ".join(_lit(s) for s in rubric.stages)
            tests.append(f"({filled} AND ({t} NOT IN ({stages}) OR regexp_matches({cell}, {_lit(_HIDDEN)})))")
        elif column == "year":
            tests.append(f"({filled} AND NOT regexp_full_match({t}, '[0-9]{{1,9}}'))")
        elif column == "rubric":
            tests.append(f"({filled} AND {t} <> {_lit(rubric.title)})")
        elif column == "date":
            iso = f"regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
            tests.append(
                f"({filled} AND NOT coalesce({iso} AND {t} >= '0001' AND try_cast({t} AS DATE) IS NOT NULL,"
                " FALSE))"
            )
        elif column not in plan.leaves:
            tests.append(f"({filled})")
    if "stage" not in header and "self" not in rubric.stages:
        tests.append("TRUE")
    return " OR ".join(tests) or "FALSE"


def _meta(column: str, header: Sequence[str], raw: Sequence[str]) -> str:
    if column not in header:
        return "'self'" if column == "stage" else "NULL"
    t = _trim(raw[header.index(column)])
    if column == "year":
        return f"CAST(try_cast({t} AS BIGINT) AS VARCHAR)"
    if column == "date":
        return f"try_cast({t} AS DATE)"
    if column == "stage":
        return f"coalesce(NULLIF({t}, ''), 'self')"
    return f"NULLIF({t}, '')"


_OUT_META: Final = ("code", "year", "stage", "assessor", "date")


def _query(p: _Plan, header: Sequence[str], source: str, parquet: bool) -> str:
    """The query over *source* (a ``read_csv``/``read_parquet`` call): one row per non-blank row."""
    raw = [f"CAST({_q(c)} AS VARCHAR)" if parquet else _q(f"c{i}") for i, c in enumerate(header)]
    cols = [f"{r} AS {_q(f'${i}')}" for i, r in enumerate(raw)]
    agency = _trim(raw[header.index("agency")])
    leaves = [
        f"{raw[header.index(a)]} AS {_q(a)}" if a in header else f"NULL AS {_q(a)}" for a in p.plan.leaves
    ]
    meta = [f"{_meta(c, header, raw)} AS {_q('=' + c)}" for c in _OUT_META]
    python = _needs_python(p.rubric, p.plan, header, raw)
    # Every cell is blank exactly when all of them together are nothing but spaces: one test a row.
    blank = _blank(f"concat({', '.join(raw)})")
    line = "row_number() OVER ()" + ("" if parquet else " + 1")
    table = (
        f"(SELECT * FROM (SELECT {line} AS {_q('#line')}, {agency} AS agency, {', '.join(leaves)}"
        f"{', ' if leaves else ''}{', '.join(meta)}, ({python}) AS {_q('?python')}, {', '.join(cols)},"
        f" ({blank}) AS {_q('#blank')} FROM {source}) WHERE NOT {_q('#blank')})"
    )
    dollars = [_q(f"${i}") for i in range(len(header))]
    keep = ["#line", "?python", *("=" + c for c in _OUT_META), *(f"${i}" for i in range(len(header)))]
    out = ["#line", "?python", *("=" + c for c in _OUT_META)]
    flagged = f"NOT t.{_q('!valid')} OR t.{_q('?python')}"
    tail = [
        f"CASE WHEN {flagged} THEN list_value({', '.join('t.' + d for d in dollars)}) END AS {_q('#raw')}"
    ]
    return render_rows(p.rubric, table, keep, out, tail)


def _csv_source(path: str, header: Sequence[str]) -> str:
    columns = ", ".join(f"{_lit(f'c{i}')}: 'VARCHAR'" for i in range(len(header)))
    return (
        f"read_csv({_lit(path)}, header = true, columns = {{{columns}}}, delim = ',', quote = '\"',"
        " escape = '\"', auto_detect = false, strict_mode = true, null_padding = false, encoding = 'utf-8',"
        f" buffer_size = {CSV_BUFFER})"
    )


def _connect() -> Any:
    import duckdb  # noqa: PLC0415 - the optional extra [sql], only for this engine

    con = duckdb.connect(config={"preserve_insertion_order": True})
    for setting in _SETTINGS:
        with contextlib.suppress(duckdb.Error):  # an older DuckDB without the setting
            con.execute(setting)
    return con


def _duck_error(file: str, exc: Exception) -> RubricError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return RubricError([Problem(file=file, message=f"DuckDB cannot read the file: {first}")])


def results(
    rubric: Rubric, path: Path, coefficients: Coefficients | None, notes: list[str], as_json: bool
) -> Iterator[Result]:
    """Every result of the file at *path*, in file order, rows made for JSON Lines (*as_json*)
    or CSV; a note on why a file was scored by the Python engine is appended to *notes* (and
    written by the caller as it comes)."""
    file = str(path)
    p = _plan(rubric)
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            yield from _parquet(p, path, file, coefficients, as_json)
            return
        if suffix != ".csv":
            raise Fallback("not a CSV or Parquet file")
        yield from _csv(p, path, file, coefficients, as_json)
    except Fallback as fb:
        if fb.note is not None:
            notes.append(f"{file}: {fb.note}; scored by the Python engine")
        yield from _python(rubric, path, coefficients)


def _python(rubric: Rubric, path: Path, coefficients: Coefficients | None) -> Iterator[Result]:
    return _scored(rubric, iter_sheets(path), coefficients)


def _csv(
    p: _Plan, path: Path, file: str, coefficients: Coefficients | None, as_json: bool
) -> Iterator[Result]:
    header = _csv_header(path, file)
    lines = _physical_lines(path)
    con = _connect()
    source = _csv_source(str(path), header)
    try:
        counted = con.execute(f"SELECT count(*) FROM {source}").fetchone()
    except Exception as exc:  # noqa: BLE001 - duckdb.Error: what the Python reader locates
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Fallback(f"DuckDB cannot read it as the Python reader does ({first})") from None
    if counted is None or counted[0] + 1 != lines:
        raise Fallback("a row runs over several lines, which DuckDB does not number as Python does")
    if os.path.getsize(path) >= MAX_CSV_ROW_BYTES:
        longest = " + ".join(f"coalesce(strlen({_q(f'c{i}')}), 0)" for i in range(len(header)))
        got = con.execute(f"SELECT max({longest}) FROM {source}").fetchone()
        if got is not None and got[0] is not None and got[0] * 2 >= MAX_CSV_ROW_BYTES:
            raise Fallback(None)  # the Python reader refuses a row of more than the limit
    yield from _rows(p, con, _query(p, header, source, parquet=False), header, file, coefficients, as_json)


def _parquet(
    p: _Plan, path: Path, file: str, coefficients: Coefficients | None, as_json: bool
) -> Iterator[Result]:
    con = _connect()
    source = f"read_parquet({_lit(str(path))})"
    try:
        names = [d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0").description]
    except Exception as exc:  # noqa: BLE001 - duckdb.Error, said as the file's problem
        yield _duck_error(file, exc)
        return
    try:
        header = csv_header(names, file)
    except SheetError as exc:
        yield exc
        return
    if header != names:  # 单位 read as agency: the query names the file's own columns
        renamed = ", ".join(f"{_q(n)} AS {_q(h)}" for n, h in zip(names, header, strict=True))
        source = f"(SELECT {renamed} FROM {source})"
    import duckdb  # noqa: PLC0415 - the optional extra [sql]

    try:
        yield from _rows(p, con, _query(p, header, source, parquet=True), header, file, coefficients, as_json)
    except duckdb.Error as exc:
        yield _duck_error(file, exc)


def _rows(
    p: _Plan,
    con: Any,
    query: str,
    header: Sequence[str],
    file: str,
    coefficients: Coefficients | None,
    as_json: bool,
) -> Iterator[Result]:
    n = len(p.plan.unit_nodes)
    ref = p.reference
    units = ref["units"]
    gates = p.plan.gates
    top = fmt(ref["max"])
    safe = functools.lru_cache(maxsize=4096)(csv_cell)  # a rubric's words, a few of them
    where, stamp = safe(file), [safe(x) for x in p.stamp]
    cursor = con.execute(query)
    done = 0
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            break
        for row in batch:
            done += 1
            line, python, code, year, stage, assessor, date, valid, agency = row[:9]
            if python or not valid:
                cells = ["" if c is None else c for c in row[-1]]
                sheet = csv_row(list(header), line, line, cells, file, "utf-8")
                if sheet is None:
                    done -= 1
                elif isinstance(sheet, SheetError):
                    yield sheet
                else:
                    try:
                        yield score(p.rubric, sheet, coefficients=coefficients)
                    except RubricError as exc:
                        yield exc
                continue
            points = row[9 : 9 + n]
            total, _, level, passed, reasons = row[9 + n : 14 + n]
            day = date.isoformat() if date is not None else None
            failed = [(g, r) for g, r in zip(gates, reasons, strict=True) if r is not None]
            if not as_json:
                cells_ = [
                    csv_cell(agency),
                    csv_cell(code or ""),
                    year or "",  # digits, the date ISO text and the points are safe as they are
                    safe(stage),
                    csv_cell(assessor or ""),
                    day or "",
                    *points,
                    total,
                    top,
                    safe(level or ""),
                    "true" if passed else "false",
                    safe(GATE_SEPARATOR.join(r for _, r in failed)),
                    where,
                    str(line),
                    *stamp,
                ]
                yield Row(passed, cells=cells_)
                continue
            json = {
                **{k: ref[k] for k in ("schema_version", "provenance", "rubric")},
                "agency": agency,
                "code": code,
                "year": None if year is None else int(year),
                "stage": stage,
                "assessor": assessor,
                "encoding": "utf-8",
                "date": day,
                "file": file,
                "line": line,
                "total": Decimal(total),
                "max": ref["max"],
                "level": level,
                "passed": passed,
                "failed_gates": [{"kind": g.kind, "address": g.address, "reason": r} for g, r in failed],
                "units": [{**u, "points": Decimal(x)} for u, x in zip(units, points, strict=True)],
            }
            yield Row(passed, json=json)
    if not done:
        yield SheetError([Problem(file=file, line=1, message=NO_ROWS)])


def csv_header_line(rubric: Rubric, headers: Headers) -> list[str]:
    """The header of the CSV report of cards scored against *rubric*."""
    units = [f"{a} {u.title}" for a, u in compiled(rubric).unit_nodes]
    return [csv_cell(c) for c in header_row([*CARD_HEAD, *units, *CARD_TAIL], headers)]


def refusal(rubric: Rubric, file: str) -> RubricError | None:
    """Why *rubric* cannot be scored in DuckDB (a located reason), or None."""
    try:
        render_rows(rubric, "sheets", (), (), ())
    except NotExpressible as exc:
        return RubricError([Problem(file=file, message=str(exc))])
    return None
