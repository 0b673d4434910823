"""Streaming CSV sheet files: one row read, checked and handed on at a time, any file size.

The encoding is decided from the first block (UTF-8, or GB18030 as Excel and WPS save CSV on
Chinese Windows); every line after it is decoded on its own, so a bad byte further down costs
the row it is in, located by its line, not the file. Limits are per row (`MAX_CSV_ROW_BYTES`)
and per header (`MAX_CSV_COLUMNS`), not per file: memory stays flat.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final, NamedTuple

from ._limits import MAX_CSV_COLUMNS, MAX_CSV_ROW_BYTES
from ._parse import _BOMS, _OPEN_FLAGS, Unreadable, _gb18030, _reason, _regular
from ._sheet import _WORKBOOK_MAGIC, EMPTY_CSV, NO_ROWS, Sheet, csv_header, csv_row
from .errors import Problem, SheetError

#: How many bytes at the start of a file decide its encoding.
BLOCK: Final = 64 * 1024
_NUL: Final = "holds a NUL character: not text, or UTF-16 without a byte-order mark; save the file as UTF-8"


class _TooLong(Exception):
    """A record ran past `MAX_CSV_ROW_BYTES`; the rest of its last line was skipped."""


class _Lines:
    """The lines of a binary stream, decoded one by one, counted as a text editor counts them.

    `csv.reader` pulls lines from it; a record longer than the limit raises `_TooLong` from
    here, and the reader is made again over the same lines to go on with the next one.
    """

    def __init__(self, stream: BinaryIO, encoding: str, file: str) -> None:
        self.stream = stream
        self.codec = "utf-8" if encoding == "utf-8" else "gb18030"
        self.file = file
        self.line = 0  # the last line handed out
        self.offset = 0  # the byte offset of the next line
        self.record_bytes = 0
        self.problems: list[Problem] = []  # the bad bytes of the record being read
        self.pending: list[str] = []  # the rest of a line that held a lone CR

    def start_record(self) -> None:
        self.record_bytes = 0
        self.problems = []

    def __iter__(self) -> _Lines:
        return self

    def _skip_rest(self, data: bytes) -> None:
        while data and not data.endswith(b"\n"):
            data = self.stream.readline(BLOCK)
            self.offset += len(data)

    def __next__(self) -> str:
        if self.pending:
            self.line += 1
            return self.pending.pop(0)
        room = MAX_CSV_ROW_BYTES - self.record_bytes
        data = self.stream.readline(room + 1)
        if not data:
            raise StopIteration
        start = self.offset
        self.offset += len(data)
        self.record_bytes += len(data)
        self.line += 1
        if len(data) > room:
            self._skip_rest(data)
            raise _TooLong
        try:
            text = data.decode(self.codec)
        except UnicodeDecodeError as exc:
            self.problems.append(self._undecodable(data, start + exc.start))
            text = data.decode(self.codec, "replace")
        if start == 0:
            text = text.removeprefix("\ufeff")
        if "\x00" in text:
            self.problems.append(Problem(file=self.file, line=self.line, message=_NUL))
            text = text.replace("\x00", "")
        cr = text.find("\r")
        if cr != -1 and cr != len(text) - 2:
            # A lone CR ends a line too (as in csv_records): the rest waits its turn.
            first, *self.pending = io.StringIO(text, newline="")
            return first
        return text

    def _undecodable(self, data: bytes, at: int) -> Problem:
        if self.codec == "gb18030":
            message = f"not GB18030 text (byte {at}), as the start of the file is; save the file as UTF-8"
        elif _gb18030(data) is not None:
            message = f"not UTF-8 text (byte {at}; it reads as GBK/GB18030); save the file as UTF-8"
        else:
            message = f"not UTF-8 text (byte {at}); save the file as UTF-8"
        return Problem(file=self.file, line=self.line, message=message)


def _open(path: str | Path, file: str) -> BinaryIO:
    """The regular file at *path*, opened for reading (see `conserv_rubric._parse.read_limited`)."""
    try:
        try:
            _regular(os.stat(path).st_mode)
            fd = os.open(path, _OPEN_FLAGS)
        except (OSError, ValueError) as exc:
            raise _reason(exc) from None
        stream = os.fdopen(fd, "rb")
        try:
            _regular(os.fstat(stream.fileno()).st_mode)
        except Unreadable:
            stream.close()
            raise
    except Unreadable as exc:
        raise SheetError([Problem(file=file, message=f"cannot read file: {exc.reason}")]) from None
    return stream


def _encoding(block: bytes, whole: bool, file: str) -> str:
    """How the file that begins with *block* is decoded: ``"utf-8"`` or ``"gb18030"``.

    Raises:
        SheetError: the block is a workbook, UTF-16 or UTF-32, or holds a NUL character.
    """
    for magic, message in _WORKBOOK_MAGIC.items():
        if block.startswith(magic):
            raise SheetError([Problem(file=file, message=message)])
    bom = next((name for mark, name in _BOMS if block.startswith(mark)), None)
    if bom is not None:
        message = f"not UTF-8 text but {bom} (by its byte-order mark); save the file as UTF-8"
        raise SheetError([Problem(file=file, line=1, message=message)])
    nul = block.find(b"\x00")
    if nul != -1:
        raise SheetError([Problem(file=file, line=block.count(b"\n", 0, nul) + 1, message=_NUL)])
    # A character cut at the block's end is no bad byte: only whole lines decide.
    cut = block if whole else block[: block.rfind(b"\n") + 1] or block
    try:
        cut.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030" if _gb18030(cut) is not None else "utf-8"
    return "utf-8"


class Record(NamedTuple):
    """One CSV record not yet read into a `Sheet`: what `csv_row` takes, cheap to send to a worker."""

    header: list[str]
    first: int
    last: int
    cells: list[str]
    file: str
    encoding: str

    def sheet(self) -> Sheet | SheetError:
        """The record's `Sheet`, or the `SheetError` of its cells."""
        result = csv_row(self.header, self.first, self.last, self.cells, self.file, self.encoding)
        assert result is not None  # blank rows are skipped before a Record is made
        return result


def stream_csv(path: str | Path) -> Iterator[Sheet | SheetError]:
    """Every row of the CSV sheet file at *path* as a `Sheet` or the `SheetError` of that row.

    Rows are read one at a time, so a file of any size is read in flat memory. A problem of
    the file itself (unreadable, a workbook, UTF-16, no header, a bad one, no rows) is one error
    for the file; a row that is too long, not CSV, or holds bytes that do not decode is the
    error of that row, located by its line, and the rows after it are still read.

    Args:
        path: a ``.csv`` file.

    Yields:
        Each row's `Sheet` (with `Sheet.row` and `Sheet.encoding`) or `SheetError`, in file order.
    """
    for record in stream_records(path):
        yield record if isinstance(record, SheetError) else record.sheet()


def stream_records(path: str | Path) -> Iterator[Record | SheetError]:
    """As `stream_csv`, but each row that is not blank as its `Record`, read into a sheet later
    (by a worker process of ``score --jobs``); the errors are the same, in the same places."""
    file = str(path)
    try:
        stream = _open(path, file)
    except SheetError as exc:
        yield exc
        return
    with stream:
        try:
            block = stream.read(BLOCK)
            stream.seek(0)
            encoding = _encoding(block, len(block) < BLOCK, file)
        except SheetError as exc:
            yield exc
            return
        except OSError as exc:
            yield SheetError([Problem(file=file, message=f"cannot read file: {_reason(exc).reason}")])
            return
        yield from _records(_Lines(stream, encoding, file), encoding, file)


def _below(reader: Iterator[list[str]], lines: _Lines) -> Iterator[tuple[int, list[str]]]:
    """The records after the first, with their first lines, until one cannot be read: where
    `csv_header` looks for the header when the first row is not it. A record that cannot be read
    is given as one cell of U+FFFD: it is not blank, so the file is not taken for an empty one."""
    while True:
        first = lines.line + 1
        lines.start_record()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (_TooLong, csv.Error):
            yield first, ["\ufffd"]
            return
        yield first, cells


def _records(lines: _Lines, encoding: str, file: str) -> Iterator[Record | SheetError]:
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    rows = 0
    while True:
        first = lines.line + 1
        lines.start_record()
        problem: Problem | None = None
        try:
            cells = next(reader)
        except StopIteration:
            break
        except _TooLong:
            error = f"the row is more than {MAX_CSV_ROW_BYTES} bytes; the limit is {MAX_CSV_ROW_BYTES}"
            problem = Problem(file=file, line=first, message=error)
        except csv.Error as exc:
            if str(exc) == "unexpected end of data":
                error = "invalid CSV: a quote opened in this row is never closed"
                problem = Problem(file=file, line=first, message=error)
            else:
                line = first if "field limit" in str(exc) else lines.line
                problem = Problem(file=file, line=line, message=f"invalid CSV: {exc}")
        if problem is not None:
            if header is None:
                yield SheetError([problem])
                return
            rows += 1
            yield SheetError([problem])
            reader = csv.reader(lines, strict=True)  # the record is dropped, the next one read afresh
            continue
        if header is None:
            if lines.problems:
                yield SheetError(lines.problems)
                return
            if len(cells) > MAX_CSV_COLUMNS:
                message = f"the header has {len(cells)} columns; the limit is {MAX_CSV_COLUMNS}"
                yield SheetError([Problem(file=file, line=1, message=message)])
                return
            try:
                header = csv_header(cells, file, _below(reader, lines))
            except SheetError as exc:
                yield exc
                return
            continue
        if lines.problems:
            rows += 1
            yield SheetError(lines.problems)
            continue
        if any(cell.strip() for cell in cells):  # a blank row is no sheet (as in csv_row)
            rows += 1
            yield Record(header, first, lines.line, cells, file, encoding)
    if header is None:
        yield SheetError([Problem(file=file, message=EMPTY_CSV)])
    elif not rows:
        yield SheetError([Problem(file=file, line=1, message=NO_ROWS)])
