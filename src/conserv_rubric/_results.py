"""What a score card holds besides its sums: each item's result, each unit's and project's, and
each failed gate's (`conserv_rubric._score.ScoreCard` hands them out)."""

from __future__ import annotations

from decimal import Decimal

import attrs

from ._compiled import GateKind
from ._frozen import Frozen


@attrs.frozen(repr=False, eq=False)
class GateResult(Frozen):
    """A gate that failed: which, where, and why it withholds every level."""

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
