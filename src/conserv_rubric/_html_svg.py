"""Charts drawn as inline SVG: bars against their maxima, a stacked share with goal marks, a histogram.

Each chart is an image whose accessible name is its title, and every bar, segment and mark
carries a ``<title>`` saying its figures in words; the page puts a table with the same figures
beside it. Coordinates are computed in `Decimal` and written with one decimal place, so a
chart is the same on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Final

import attrs

from ._html_doc import Html, el
from ._text import clip

_CONTEXT: Final = Context(prec=28)
_TENTH: Final = Decimal("0.1")

#: The drawing's width in user units; it scales to the page's width.
WIDTH: Final = 640
#: The width of a bar chart drawn beside its table, whose column is narrower than the page.
SIDE_WIDTH: Final = 480
#: Display columns of a bar's label before it is clipped (its title keeps it whole).
LABEL_COLUMNS: Final = 22
#: User units per display column of a label at the charts' 13-unit font.
_COLUMN: Final = Decimal("6.5")
#: Room after the longest bar for its figures (25/27, 12/37家).
_FIGURES: Final = 64
_ROW: Final = 28


def n(value: Decimal | int) -> str:
    """A coordinate with one decimal place."""
    with localcontext(_CONTEXT):
        return str(Decimal(value).quantize(_TENTH, ROUND_HALF_UP))


def _scaled(value: Decimal, scale: Decimal, length: int) -> Decimal:
    # Called inside the charts' own context: a value beyond the scale is drawn at its end.
    return Decimal(0) if scale <= 0 else max(Decimal(0), min(value, scale)) / scale * length


def _svg(title: str, height: int, parts: Sequence[Html], width: int = WIDTH) -> Html:
    return el(
        "svg",
        el("title", title),
        parts,
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {width} {height}",
        role="img",
        class_="chart-svg",
    )


@attrs.frozen
class Bar:
    """One bar: its label, value and maximum, the text beside it and the title saying it in words."""

    label: str
    value: Decimal
    max: Decimal
    shown: str
    tip: str
    low: bool = False


def bars(
    title: str, rows: Sequence[Bar], *, width: int = SIDE_WIDTH, label_columns: int = LABEL_COLUMNS
) -> Html:
    """Horizontal bars, each a track as long as its maximum and a fill as long as its value.

    The chart is *width* units wide, with labels clipped to *label_columns* display columns.
    """
    with localcontext(_CONTEXT):
        return _bars(title, rows, width, label_columns)


def _bars(title: str, rows: Sequence[Bar], width: int, label_columns: int) -> Html:
    scale = max((r.max for r in rows), default=Decimal(0))
    label_end = int(label_columns * _COLUMN) + 6
    start = label_end + 8
    length = width - _FIGURES - start
    parts = []
    for k, r in enumerate(rows):
        y = 6 + k * _ROW
        track = _scaled(r.max, scale, length)
        fill = _scaled(r.value, scale, length)
        parts.append(
            el(
                "g",
                el("title", r.tip),
                el("text", clip(r.label, label_columns), x=label_end, y=y + 15, text_anchor="end"),
                el("rect", class_="track", x=start, y=y, width=n(track), height=18),
                el("rect", class_="fill low" if r.low else "fill", x=start, y=y, width=n(fill), height=18),
                el("text", r.shown, x=n(start + track + 6), y=y + 15),
                class_="bar",
            )
        )
    return _svg(title, 12 + len(rows) * _ROW, parts, width)


@attrs.frozen
class Segment:
    """A part of a whole: *count* of the whole's members, drawn with the CSS class *kind*."""

    label: str
    count: int
    kind: str
    tip: str


@attrs.frozen
class Mark:
    """A vertical mark at *share* (0–1) of the whole, labelled above the bar."""

    share: Decimal
    label: str
    tip: str


def stacked(title: str, whole: int, segments: Sequence[Segment], marks: Sequence[Mark]) -> Html:
    """One bar of *whole* members split into *segments*, with *marks* (goals) across it."""
    with localcontext(_CONTEXT):
        return _stacked(title, whole, segments, marks)


def _stacked(title: str, whole: int, segments: Sequence[Segment], marks: Sequence[Mark]) -> Html:
    left, length = 8, WIDTH - 16
    parts = [el("rect", class_="seg-none", x=left, y=30, width=length, height=30)]
    x = Decimal(left)
    for s in segments:
        if not s.count:
            continue
        w = _scaled(Decimal(s.count), Decimal(whole), length)
        parts.append(
            el("g", el("title", s.tip), el("rect", class_=s.kind, x=n(x), y=30, width=n(w), height=30))
        )
        x += w
    for m in marks:
        mx = left + _scaled(m.share, Decimal(1), length)
        parts.append(
            el(
                "g",
                el("title", m.tip),
                el("line", class_="goal", x1=n(mx), x2=n(mx), y1=18, y2=68),
                el("text", m.label, class_="goal-text", x=n(mx), y=13, text_anchor="middle"),
            )
        )
    for k in range(0, 101, 25):
        tx = left + _scaled(Decimal(k), Decimal(100), length)
        anchor = "start" if k == 0 else "end" if k == 100 else "middle"
        parts.append(el("text", f"{k}%", class_="small", x=n(tx), y=84, text_anchor=anchor))
    return _svg(title, 92, parts)


@attrs.frozen
class Column:
    """One column of a histogram: its count and the title saying it in words."""

    count: int
    tip: str


def histogram(
    title: str, columns: Sequence[Column], ticks: Sequence[str], marker: tuple[Decimal, str] | None
) -> Html:
    """Vertical columns side by side, *ticks* under their edges, and a *marker* (share 0–1, label)."""
    with localcontext(_CONTEXT):
        return _histogram(title, columns, ticks, marker)


def _histogram(
    title: str, columns: Sequence[Column], ticks: Sequence[str], marker: tuple[Decimal, str] | None
) -> Html:
    left, right, top, bottom = 16, SIDE_WIDTH - 16, 34, 190
    highest = max((c.count for c in columns), default=0)
    step = Decimal(right - left) / max(len(columns), 1)
    parts = [el("line", class_="axis", x1=left, x2=right, y1=bottom, y2=bottom)]
    for k, c in enumerate(columns):
        h = _scaled(Decimal(c.count), Decimal(highest), bottom - top)
        x = left + step * k
        parts.append(
            el(
                "g",
                el("title", c.tip),
                el("rect", class_="fill", x=n(x + 4), y=n(bottom - h), width=n(step - 8), height=n(h)),
                el("text", str(c.count), x=n(x + step / 2), y=n(bottom - h - 4), text_anchor="middle"),
            )
        )
    for k, tick in enumerate(ticks):
        parts.append(
            el("text", tick, class_="small", x=n(left + step * k), y=bottom + 16, text_anchor="middle")
        )
    if marker is not None:
        mx = left + _scaled(marker[0], Decimal(1), right - left)
        parts.append(
            el(
                "g",
                el("title", marker[1]),
                el("line", class_="goal", x1=n(mx), x2=n(mx), y1=4, y2=bottom),
                el("text", marker[1], class_="goal-text", x=n(mx + 4), y=12),
            )
        )
    return _svg(title, bottom + 24, parts, SIDE_WIDTH)
