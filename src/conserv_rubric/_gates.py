"""Gates as the compiled rubric tests them, and what a failed gate withholds.

A failed gate withholds every level unless it says ``withholds``: the lowest level it bars
("不得评为优秀"), so that the levels below it can still be reached (docs/rules/withholds.md). The
scorer, the generated plan, the verdict, the gap and the SQL renderer all ask these functions, so
they agree on which levels a card may reach.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import attrs

from ._frozen import Frozen
from ._kinds import Answers, Num
from ._text import GATE_WORDS, fmt
from .model import Figure, Level, Project, Rule

if TYPE_CHECKING:
    from ._compiled import Compiled

GateKind = Literal["required", "veto", "zero", "nonzero"]


@attrs.frozen(repr=False, eq=False)
class Gate(Frozen):
    """A gate and how it is tested: the item's points against *need* (``points``), more than 0
    (``positive``, a ★ item), a check answered true (``check``), the measured figure against
    *figure* (``figure``, read by *read*), or a ★ project's points more than 0 (``project``);
    *withholds* is the lowest level its failure withholds (None: every level)."""

    kind: GateKind
    address: str
    index: int
    need: Decimal
    label: str
    test: Literal["points", "positive", "check", "figure", "project"] = "points"
    figure: Figure | None = None
    read: Callable[[Answers], Decimal | None] | None = attrs.field(default=None, eq=False)
    unit: str = ""
    consequence: str | None = None
    measure: str = "数值"
    withholds: str | None = None


def describe_figure(figure: Figure, unit: str = "") -> str:
    """What a `gate_figure` asks, as a reason says it: ``不低于60%``, ``高于0%且不高于5%``."""
    bounds = [
        f"{words}{fmt(edge)}{unit}"
        for words, edge in (
            ("高于", figure.gt),
            ("不低于", figure.ge),
            ("低于", figure.lt),
            ("不高于", figure.le),
        )
        if edge is not None
    ]
    return "且".join(bounds)


def within(figure: Figure, x: Decimal) -> bool:
    """Whether *x* meets what a `gate_figure` asks."""
    return not (
        (figure.gt is not None and not x > figure.gt)
        or (figure.ge is not None and not x >= figure.ge)
        or (figure.lt is not None and not x < figure.lt)
        or (figure.le is not None and not x <= figure.le)
    )


def withheld(levels: Sequence[Level], failed: Sequence[Gate]) -> int:
    """How many of *levels* (highest first, as `Compiled.levels` holds them) the *failed* gates
    withhold: from the highest down to the lowest level any of them names; a gate without
    ``withholds`` (and so every ``zero`` gate) withholds them all."""
    if not failed:
        return 0
    names = [lv.name for lv in levels]
    return max(len(names) if g.withholds is None else names.index(g.withholds) + 1 for g in failed)


def level_within(
    c: Compiled,
    failed: Sequence[Gate],
    total: Decimal,
    unit_pts: Sequence[Num],
    excluded: frozenset[int] | set[int],
) -> str | None:
    """The highest level *total* and the unit points reach that the *failed* gates leave open."""
    if not failed:
        return c.level_for(total, unit_pts, excluded)
    for lv in c.levels[withheld(c.levels, failed) :]:
        if total >= lv.min and not any(unit_pts[u] < need for u, need in c.unit_needs(lv, excluded)):
            return lv.name
    return None


def barred(levels: Sequence[Level], failed: Sequence[Gate]) -> Level | None:
    """The lowest level the *failed* gates withhold where some level below it is still open
    (None: no gate failed, or they withhold every level)."""
    if not failed:
        return None
    ordered = sorted(levels, key=lambda lv: lv.min, reverse=True)
    skip = withheld(ordered, failed)
    return ordered[skip - 1] if 0 < skip < len(ordered) else None


def barred_words(levels: Sequence[Level], name: str) -> str:
    """What failing a gate that withholds level *name* means, as a reason says it:
    ``不得评为“优秀”`` for the highest level, ``不得评为“良好”及以上等级`` below it."""
    top = max(levels, key=lambda lv: lv.min).name
    return f"不得评为“{name}”" if name == top else f"不得评为“{name}”及以上等级"


def stated_consequence(node: Rule | Project, levels: Sequence[Level]) -> str | None:
    """What a blank sheet says failing *node*'s gate means, after 否则: its ``consequence``, else
    the levels its ``withholds`` bars; None when it states neither."""
    if node.consequence is not None:
        return node.consequence
    return None if node.withholds is None else barred_words(levels, node.withholds)


def gate_words(g: Gate, levels: Sequence[Level]) -> str:
    """What failing *g* means, as its reason ends: the standard's own words (``consequence``),
    else the levels it withholds (``withholds``), else the fixed phrase of its kind."""
    if g.consequence is not None:
        return g.consequence
    if g.withholds is not None:
        return barred_words(levels, g.withholds)
    return "★条目得分不得为0分" if g.test == "positive" else GATE_WORDS[g.kind]


def barred_note(levels: Sequence[Level], failed: Sequence[Gate]) -> str:
    """What a verdict adds where the *failed* gates withhold only the upper levels:
    ``；门槛项未通过，不得评为“优秀”``, else ''."""
    capped = barred(levels, failed)
    return "" if capped is None else f"；门槛项未通过，{barred_words(levels, capped.name)}"
