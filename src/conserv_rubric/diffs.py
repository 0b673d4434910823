"""Self-assessment against verification: the items whose points the verifier changed."""

from __future__ import annotations

from decimal import Decimal

import attrs

from ._exact import exactly
from ._score import ScoreCard
from .errors import Problem, RubricError

__all__ = ["ItemDiff", "SheetDiff", "diff"]


@attrs.frozen
class ItemDiff:
    """One item scored differently; *difference* is verified minus self-assessed points."""

    address: str
    text: str
    max: Decimal
    self_points: Decimal
    verified_points: Decimal
    difference: Decimal
    self_reason: str
    verified_reason: str


@attrs.frozen
class SheetDiff:
    """A self-assessed and a verified score card of one rubric, compared.

    Attributes:
        items: exactly the items whose points differ, in rubric order.
        difference: verified total minus self-assessed total.
        self_level: the level the self-assessment reached (None: none).
        verified_level: the level the verification reached.
    """

    rubric: str
    agency: str | None
    max: Decimal
    self_total: Decimal
    verified_total: Decimal
    difference: Decimal
    self_level: str | None
    verified_level: str | None
    self_passed: bool
    verified_passed: bool
    items: tuple[ItemDiff, ...]


@exactly
def diff(self_card: ScoreCard, verified_card: ScoreCard) -> SheetDiff:
    """Compare a self-assessed card with the verified card of the same agency and rubric.

    Args:
        self_card: the agency's own scoring (自评).
        verified_card: the verifier's scoring (核定) against the same rubric.

    Returns:
        The items whose points differ, with both reasons, and both totals and levels.

    Raises:
        RubricError: the cards were scored against rubrics with different items.
    """
    mine, theirs = self_card.items, verified_card.items
    if list(mine) != list(theirs) or self_card.rubric.title != verified_card.rubric.title:
        message = "the two score cards were scored against different rubrics; compare cards of one rubric"
        raise RubricError([Problem(message=message)])
    items = tuple(
        ItemDiff(a, r.text, r.max, r.points, v.points, v.points - r.points, r.reason, v.reason)
        for a, r in mine.items()
        if (v := theirs[a]).points != r.points
    )
    sheet = self_card.sheet or verified_card.sheet
    return SheetDiff(
        self_card.rubric.title,
        sheet.info.agency if sheet is not None else None,
        self_card.max,
        self_card.total,
        verified_card.total,
        verified_card.total - self_card.total,
        self_card.level,
        verified_card.level,
        self_card.passed,
        verified_card.passed,
        items,
    )
