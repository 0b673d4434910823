"""``conserv-rubric score --format csv|jsonl``: each result written as it is scored.

Nothing is collected, so a file of a million rows is scored in flat memory; the exit code is
the batch's (2 if any input failed, else 1 if any agency did not reach the level, else 0).
The CSV header is written first, from the rubric, whether any card follows or none does.

A CSV row written as CSV is scored straight from its cells where it can be
(`conserv_rubric._fast_rows`); any other row, and every row written as JSON Lines, is read into a
sheet, scored as a card and rendered, which writes the same bytes.

With ``--jobs N`` (N > 1) the rows are read here and sent, a chunk of `CHUNK` at a time, to N
worker processes that score them and render their lines; each row goes as one string (its cells
joined by NUL) and each chunk's lines come back as lists, written in input order, at most
`IN_FLIGHT_PER_JOB` chunks per worker under way, so memory stays flat. Reading, scoring and
rendering are the same functions in one process or many (`_outcome`), so the bytes written are
the same for every N.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import itertools
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple, TextIO

from ._csv_report import cards_csv_header
from ._fast_rows import rows_for
from ._output import csv_bom
from ._rubric_io import load_rubric
from ._score import ScoreCard, score
from ._sheet import Sheet, load_sheets
from ._stream import Record, stream_records
from ._text import dumps_json, visible
from .errors import Problem, RubricError, SheetError
from .model import Rubric
from .reports import error_entry, render_cards

#: Whether a CSV record is scored straight from its cells where it can be (`conserv_rubric._fast_rows`);
#: off, every record is read into a sheet and scored as a card, which writes the same bytes.
FAST = True
#: How often, in seconds, the progress line on a terminal is rewritten.
PROGRESS_EVERY: Final = 1.0
#: Rows sent to a worker at a time: enough to make the cost of sending them small.
CHUNK: Final = 512
#: Chunks under way per worker: one being scored, one waiting, so that no worker idles.
IN_FLIGHT_PER_JOB: Final = 2

_Item = Record | Sheet | SheetError
_Format = Literal["csv", "jsonl"]
_Headers = Literal["en", "zh"]


class _Outcome(NamedTuple):
    """What one sheet, row or file writes: its output text, its lines on standard error, and its
    status (0 reached the level, 1 did not, 2 could not be read or scored)."""

    text: str
    errors: str
    status: int


def _outcome(rubric: Rubric, item: _Item, fmt: _Format, headers: _Headers) -> _Outcome:
    """Read *item* into a sheet if it is a row, score it, and render the result (csv: its line,
    without the header line)."""
    if FAST and fmt == "csv" and item.__class__ is Record:
        assert isinstance(item, Record)
        fast = rows_for(rubric, item.header, item.file).line(item.first, item.last, item.cells)
        if fast is not None:
            return _Outcome(fast[0], "", fast[1])
    sheet = item.sheet() if isinstance(item, Record) else item
    result: ScoreCard | SheetError
    if isinstance(sheet, SheetError):
        result = sheet
    else:
        try:
            result = score(rubric, sheet)
        except SheetError as exc:
            result = exc
    if isinstance(result, ScoreCard):
        if fmt == "jsonl":
            text = dumps_json(result.to_dict(), indent=None) + "\n"
        else:
            text = render_cards([result], "csv", headers=headers)  # its header line, then its row
            text = text[text.index("\n") + 1 :]
        return _Outcome(text, "", 0 if result.passed else 1)
    errors = "".join(visible(str(p)) + "\n" for p in result.problems)
    text = dumps_json(error_entry(result), indent=None) + "\n" if fmt == "jsonl" else ""
    return _Outcome(text, errors, 2)


def _items(path: Path) -> Iterator[_Item]:
    """The rows of a CSV file (as records, read into sheets where they are scored), or the
    sheets of any other file, and an error for each that cannot be read, in file order."""
    if path.suffix.lower() == ".csv":
        yield from stream_records(path)
        return
    try:
        yield from load_sheets(path)
    except SheetError as exc:
        yield exc


_WORKER: Final[dict[str, Any]] = {}


def _start_worker(rubric: Rubric, fmt: _Format, headers: _Headers) -> None:
    _WORKER.update(rubric=rubric, fmt=fmt, headers=headers)


#: A record as it is sent to a worker: its source's index in the chunk, its first and last line,
#: and its cells joined by NUL, which no cell holds (`conserv_rubric._stream` takes NUL out of a
#: line, and refuses the record that held one): one string is much cheaper to send than a list.
_Packed = tuple[int, int, int, str]
#: A chunk as it is sent: the sources of its records (header, file, encoding), and its items.
_Chunk = tuple[list[tuple[list[str], str, str]], list["_Packed | Record | Sheet | _Outcome"]]
#: A chunk's outcomes as they come back: each item's text, the errors of those that have some
#: (by their place in the chunk), and each item's status.
_Done = tuple[list[str], dict[int, str], bytes]


def _pack(items: list[Record | Sheet | _Outcome]) -> _Chunk:
    """A chunk of *items* as it is sent to a worker: records packed, the rest as they are."""
    sources: list[tuple[list[str], str, str]] = []
    packed: list[_Packed | Record | Sheet | _Outcome] = []
    last: Record | None = None
    for item in items:
        if item.__class__ is Record:
            assert isinstance(item, Record)
            cells = item.cells
            joined = "\x00".join(cells)
            if joined.count("\x00") != len(cells) - 1:  # a record not read from a file
                packed.append(item)
                continue
            if last is None or item.header is not last.header or item.file != last.file:
                sources.append((item.header, item.file, item.encoding))
                last = item
            packed.append((len(sources) - 1, item.first, item.last, joined))
        else:
            packed.append(item)
    return sources, packed


def _chunk_outcomes(chunk: _Chunk) -> _Done:
    """A worker's part: the outcome of every item of one chunk, in order."""
    rubric, fmt, headers = _WORKER["rubric"], _WORKER["fmt"], _WORKER["headers"]
    sources, items = chunk
    texts: list[str] = []
    errors: dict[int, str] = {}
    statuses = bytearray()
    for k, entry in enumerate(items):
        if isinstance(entry, _Outcome):
            outcome = entry
        elif isinstance(entry, Record | Sheet):
            outcome = _outcome(rubric, entry, fmt, headers)
        else:
            source, first, last, joined = entry
            header, file, encoding = sources[source]
            record = Record(header, first, last, joined.split("\x00"), file, encoding)
            outcome = _outcome(rubric, record, fmt, headers)
        texts.append(outcome.text)
        if outcome.errors:
            errors[k] = outcome.errors
        statuses.append(outcome.status)
    return texts, errors, bytes(statuses)


def _in_workers(
    jobs: int, rubric: Rubric, items: Iterable[_Item], fmt: _Format, headers: _Headers
) -> Iterator[_Outcome]:
    """The outcomes of *items* scored by *jobs* worker processes, in input order."""
    # concurrent.futures, not multiprocessing.Pool: a worker that dies breaks the pool with an
    # error (an internal error, exit 3) instead of leaving the batch waiting for it forever.
    from concurrent.futures import Future, ProcessPoolExecutor  # noqa: PLC0415 - only --jobs needs it

    # An error is rendered here: it is cheap, and an exception need not survive pickling.
    sent = (_outcome(rubric, i, fmt, headers) if isinstance(i, SheetError) else i for i in items)
    chunks = iter(lambda: list(itertools.islice(sent, CHUNK)), [])
    pool = ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(rubric, fmt, headers))
    pending: collections.deque[Future[_Done]] = collections.deque()

    def outcomes(done: _Done) -> Iterator[_Outcome]:
        texts, errors, statuses = done
        for k, text in enumerate(texts):
            yield _Outcome(text, errors.get(k, ""), statuses[k])

    try:
        for chunk in chunks:
            pending.append(pool.submit(_chunk_outcomes, _pack(chunk)))
            if len(pending) >= jobs * IN_FLIGHT_PER_JOB:
                yield from outcomes(pending.popleft().result())
        while pending:
            yield from outcomes(pending.popleft().result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Progress:
    """``scored N sheets (E errors), R sheets/s`` on standard error, rewritten in place: only
    when standard error is a terminal."""

    def __init__(self) -> None:
        self.on = sys.stderr.isatty()
        self.shown = False
        self.start = time.monotonic()
        self.next = self.start + PROGRESS_EVERY

    def tick(self, done: int, errors: int) -> None:
        if not self.on or done % 256:
            return
        now = time.monotonic()
        if now >= self.next:
            self.next = now + PROGRESS_EVERY
            rate = done / (now - self.start) if now > self.start else 0.0
            sys.stderr.write(f"\rscored {done:,} sheets ({errors:,} errors), {rate:,.0f} sheets/s\x1b[K")
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            self.shown = False


@contextlib.contextmanager
def output(path: Path | None, bom: bool, inputs: Sequence[Path] = ()) -> Iterator[TextIO]:
    """The file at *path* opened for a report written as it goes (standard output when None).

    Raises:
        RubricError: *path* is one of the *inputs* (opening it would empty it before it is read),
            or it cannot be opened.
    """
    if path is None:
        yield sys.stdout
        return
    for given in inputs:
        with contextlib.suppress(OSError):
            if path.exists() and path.samefile(given):
                message = f"-o names the input {given}: writing the report there would erase it first"
                raise RubricError([Problem(file=str(path), message=message)])
    try:
        out = path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
    except OSError as exc:
        message = f"cannot write file: {exc.strerror or exc}"
        raise RubricError([Problem(file=str(path), message=message)]) from None
    with out:
        yield out


def score_streamed(args: argparse.Namespace) -> int:
    """Score ``args.sheets`` against ``args.rubric``, writing each result as it comes (on
    ``args.jobs`` processes)."""
    rubric = load_rubric(args.rubric, root=args.root)
    fmt: _Format = "jsonl" if args.format == "jsonl" else "csv"
    headers: _Headers = "zh" if getattr(args, "headers", None) == "zh" else "en"
    jobs: int = getattr(args, "jobs", 1)
    items = itertools.chain.from_iterable(_items(path) for path in args.sheets)
    if jobs > 1:
        outcomes = _in_workers(jobs, rubric, items, fmt, headers)
    else:
        outcomes = (_outcome(rubric, item, fmt, headers) for item in items)
    worst = done = errored = 0
    progress = _Progress()
    bom = csv_bom(args)
    with output(args.output, bom, args.sheets) as out:
        if bom and args.output is None:  # --bom on standard output: the file's own BOM
            out.write("\ufeff")
        if fmt == "csv":  # the same header, unit columns included, whether any card follows or not
            out.write(cards_csv_header(rubric, headers))
        for text, errors, status in outcomes:
            done += 1
            worst = max(worst, status)
            if errors:
                errored += 1
                progress.clear()
                sys.stderr.write(errors)
            if text:  # a card's line, or jsonl's error
                out.write(text)
            progress.tick(done, errored)
    progress.clear()
    return worst
