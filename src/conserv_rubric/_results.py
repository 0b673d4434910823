"""What a score card holds besides its sums: each item's result, each unit's and project's, and
each failed gate's (`conserv_rubric._score.ScoreCard` hands them out)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ._frozen import Frozen
from ._gates import Gate, GateKind, describe_figure, gate_words
from ._text import fmt

if TYPE_CHECKING:
    from ._score import ScoreCard


@attrs.frozen(repr=False, eq=False)
class GateResult(Frozen):
    """A gate that failed: which, where, and why it withholds the levels it does."""

    kind: GateKind
    address: str
    reason: str


@attrs.frozen(repr=False, eq=False)
class ItemResult(Frozen):
    """One item's award, its maximum and the reason, in the standard's words.

    Attributes:
        max: the item's maximum, whether it applies or not.
        applicable_max: what it can score on this sheet: its maximum, or 0 when it does not
            apply (under ``na = "exclude"`` or ``"rescale"``).
        unanswered: its leaves without an answer (none for an item the sheet's stage does
            not score).
        note: the rubric author's note on the item (how a line is read, what the answer is).
    """

    address: str
    text: str
    points: Decimal
    max: Decimal
    applicable_max: Decimal
    reason: str
    unit: str
    project: str | None
    applicable: bool
    unanswered: tuple[str, ...]
    evidence: tuple[str, ...]
    note: str | None = None


@attrs.frozen(repr=False, eq=False)
class GroupResult(Frozen):
    """A unit's or project's points and maximum.

    Attributes:
        max: its declared (or computed) maximum.
        applicable_max: what it can score on this sheet given the items that do not apply:
            the sum of its applicable items (capped) under ``na = "exclude"``; under
            ``"rescale"`` a unit's full maximum while anything in it applies, else 0.
    """

    address: str
    title: str
    points: Decimal
    max: Decimal
    applicable_max: Decimal


def gate_result(g: Gate, card: ScoreCard) -> GateResult:
    """Failed gate *g* of *card* with its reason, in the standard's own words where the rubric
    gives them (``consequence``), else the levels it withholds (``withholds``)."""
    word = gate_words(g, card.rubric.levels)
    if g.test in ("project", "positive"):
        reason = f"{g.label} 得0分（{word}）"
    elif g.test == "check":
        reason = f"{g.label} 未满足（{word}）"
    elif g.test == "figure":
        assert g.read is not None
        assert g.figure is not None
        x = g.read(card.answers)
        shown = f"{g.measure}未填写" if x is None else f"{g.measure}为{fmt(x)}{g.unit}"
        reason = f"{g.label} {shown}，须{describe_figure(g.figure, g.unit)}（{word}）"
    else:
        got = fmt(card._pts[g.index])
        reason = f"{g.label} 得{got}分，未达到{fmt(g.need)}分（{word}）"
    return GateResult(g.kind, g.address, reason)
