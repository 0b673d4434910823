"""Batches: every sheet of a file that can be read, and every one that cannot, in file order.

`iter_sheets` is what the command line scores a batch with: one bad row of a CSV file costs
that row, not the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ._sheet import Sheet, load_sheets
from .errors import SheetError


def iter_sheets(path: str | Path) -> Iterator[Sheet | SheetError]:
    """Every sheet in the file at *path*, and an error for each one that cannot be read.

    A TOML or JSON file gives one sheet or one error. A CSV file, of any size, is read a row at
    a time (`conserv_rubric._stream.stream_csv`): a sheet per good row and an error per bad row,
    in row order; a problem of the file itself (unreadable, no header, a bad header, no rows)
    gives one error for the file.

    Args:
        path: a ``.toml``, ``.json`` or ``.csv`` sheet file.

    Yields:
        Each `Sheet`, or the `SheetError` of a file or row, in file order.
    """
    if Path(path).suffix.lower() != ".csv":
        try:
            yield from load_sheets(path)
        except SheetError as exc:
            yield exc
        return
    from ._stream import stream_csv  # noqa: PLC0415 - kept off the start-up of commands that read no CSV

    yield from stream_csv(path)
