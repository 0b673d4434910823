"""Text reports that fit a terminal: the last column of a table wraps instead of running on.

The command line sets the terminal's width with `fitting` only when a text report goes to a
terminal; piped or redirected output, and every report built outside it, stays exactly as
`conserv_rubric._text.grid` lays it out. Within `fitting`, `grid` wraps a table's last column
(the 说明 of a score card, the 内容 of a gap report) into the columns left beside the others,
continuation lines starting under that column, and `fit_lines` wraps any other line that is
too wide (a label such as ``得分但缺少佐证材料：`` hangs its continuation lines under its
text). ASCII words (addresses, numbers, file names) are never broken, and closing punctuation
never starts a line.

Widths are those of `conserv_rubric._text.width`, the one measure every report aligns by:
wide and full-width characters take two columns, and East Asian *ambiguous* characters (“ ” × —
… ①) take one, as Unicode's UAX #11 advises where the context is not known to be East Asian
and as terminals do by default.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Final, Protocol

from ._text import grid as plain_grid
from ._text import width, wrap

#: The narrowest a wrapped column may get; a terminal narrower than that leaves the table as it is.
MIN_ROOM: Final = 16

_COLUMNS: ContextVar[int | None] = ContextVar("conserv_rubric_columns", default=None)


class _Stream(Protocol):
    def isatty(self) -> bool: ...


def terminal_columns(stream: _Stream) -> int | None:
    """The width of the terminal *stream* writes to, or None when it is not a terminal.

    ``COLUMNS`` in the environment overrides the width the terminal reports.
    """
    if not stream.isatty():
        return None
    import shutil  # noqa: PLC0415 - kept off start-up: only a terminal has a width

    columns = shutil.get_terminal_size((0, 0)).columns
    return columns if columns > 0 else None


@contextlib.contextmanager
def fitting(columns: int | None) -> Iterator[None]:
    """Within this block, `grid` and `fitted` fit *columns* (None: lay out as usual)."""
    token = _COLUMNS.set(columns)
    try:
        yield
    finally:
        _COLUMNS.reset(token)


def _wrapped(text: str, room: int) -> list[str]:
    # wrap lets closing punctuation overhang its limit (a run such as "），" by several wide
    # characters): wrap narrower until nothing overhangs the room.
    for limit in range(room, max(room - 12, 1), -1):
        lines = wrap(text, limit)
        if all(width(line) <= room for line in lines):
            break
    return lines or [""]


def fit_grid(rows: Sequence[Sequence[str]], right: frozenset[int], columns: int) -> list[str]:
    """*rows* laid out as `conserv_rubric._text.grid` does, the last column wrapped to fit *columns*."""
    lines = plain_grid(rows, right)
    last = len(rows[0]) - 1
    if last in right or max(width(line) for line in lines) <= columns:
        return lines
    start = sum(max(width(row[i]) for row in rows) for i in range(last)) + 2 * last
    room = columns - start
    if room < MIN_ROOM:
        return lines
    cells = [_wrapped(row[last], room) for row in rows]
    firsts = plain_grid([[*row[:last], cell[0]] for row, cell in zip(rows, cells, strict=True)], right)
    out = []
    for line, cell in zip(firsts, cells, strict=True):
        out.append(line)
        out.extend(" " * start + more for more in cell[1:])
    return out


def grid(rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """Rows aligned in columns (`conserv_rubric._text.grid`), fitted to the terminal within `fitting`."""
    columns = _COLUMNS.get()
    return plain_grid(rows, right) if columns is None else fit_grid(rows, right, columns)


def _fit_line(line: str, columns: int) -> list[str]:
    body = line.lstrip(" ")
    lead = len(line) - len(body)
    if "  " in body:  # laid out in columns: `fit_grid` has done what can be done
        return [line]
    cut = body.find("：")
    hang = lead + cut + 1 if cut >= 0 and width(line[: lead + cut + 1]) <= columns // 2 else lead
    indent = width(line[:hang])
    room = columns - indent
    if room < MIN_ROOM:
        return [line]
    parts = _wrapped(line[hang:], room)
    return [line[:hang] + parts[0], *(" " * indent + p for p in parts[1:])]


def fit_lines(text: str, columns: int) -> str:
    """*text* with every line wider than *columns* wrapped, except lines laid out in columns."""
    out = []
    for line in text.split("\n"):
        out.extend(_fit_line(line, columns) if width(line) > columns else [line])
    return "\n".join(out)


def fitted(text: str) -> str:
    """*text* fitted to the terminal within `fitting`, else unchanged."""
    columns = _COLUMNS.get()
    return text if columns is None else fit_lines(text, columns)
