"""Batches: every sheet of a file that can be read, and every one that cannot, in file order.

`iter_sheets` is what the command line scores a batch with: one bad row of a CSV file costs
that row, not the file. It builds on `load_sheets`, which refuses a whole file for one bad row:
when a CSV file is refused only for problems on its rows, the rows that hold them are set
aside and the rest is read again, so each row is read by the one CSV reader there is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from ._sheet import Sheet, _read, _sheets_from_csv, load_sheets
from .errors import Problem, SheetError


def iter_sheets(path: str | Path) -> Iterator[Sheet | SheetError]:
    """Every sheet in the file at *path*, and an error for each one that cannot be read.

    A TOML or JSON file gives one sheet or one error. A CSV file gives a sheet per good row
    and an error per bad row, in row order; a problem of the file itself (unreadable, no
    header, a bad header) gives one error for the file.

    Args:
        path: a ``.toml``, ``.json`` or ``.csv`` sheet file.

    Yields:
        Each `Sheet`, or the `SheetError` of a file or row, in file order.
    """
    try:
        sheets = load_sheets(path)
    except SheetError as exc:
        if Path(path).suffix.lower() != ".csv":
            yield exc
            return
        yield from _salvage(path, exc)
        return
    yield from sheets


def _records(text: str) -> list[tuple[int, int, int]] | None:
    """(record number, first line, last line) of every CSV record, header included; None if the
    text is not CSV (the reader's own error then stands)."""
    out: list[tuple[int, int, int]] = []
    reader = csv.reader(io.StringIO(text))
    last = 0
    try:
        for number, _ in enumerate(reader, start=1):
            out.append((number, last + 1, reader.line_num))
            last = reader.line_num
    except csv.Error:
        return None
    return out


def _salvage(path: str | Path, refused: SheetError) -> Iterator[Sheet | SheetError]:
    """The good rows of a CSV file that `load_sheets` refused, and an error for each bad row."""
    bad_lines = {p.line for p in refused.problems}
    if None in bad_lines or 1 in bad_lines:  # the file or its header: nothing can be trusted
        yield refused
        return
    text, file = _read(path)
    records = _records(text)
    if records is None:
        yield refused
        return
    lines = list(io.StringIO(text))  # split as the CSV reader splits, so line numbers agree
    header = "".join(lines[: records[0][2]])
    # A row's problems carry its record number or its first line; when the two differ (a
    # quoted cell spans lines above it), the row that fails on its own is the one meant.
    kept = list(lines)
    for number, first, last in records[1:]:
        if number not in bad_lines and first not in bad_lines:
            continue
        try:
            _sheets_from_csv(header + "".join(lines[first - 1 : last]), file)
        except SheetError:
            # Set aside as one blank record over as many lines, so that neither the records
            # nor the lines after it are numbered differently.
            kept[first - 1 : last] = ['"' + "\n" * (last - first) + '"\n', *([""] * (last - first))]
    try:
        sheets = _sheets_from_csv("".join(kept), file)
    except SheetError:
        yield refused  # the rows were not told apart: the file's error stands whole
        return
    errors: dict[int, list[Problem]] = {}
    for problem in refused.problems:
        assert problem.line is not None
        errors.setdefault(problem.line, []).append(problem)
    entries: list[tuple[int, Sheet | SheetError]] = [(n, SheetError(p)) for n, p in errors.items()]
    entries.extend((s.row or 0, s) for s in sheets)
    entries.sort(key=lambda e: e[0])
    yield from (entry for _, entry in entries)
