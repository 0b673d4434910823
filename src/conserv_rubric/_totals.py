"""Totals arithmetic: what a rule, project and unit add up to, and the aggregate formula.

Validation compares declared totals with these figures; scoring, reports and templates show
them. The aggregate formula — a plain sum, or (base + Σ weight × unit score) / divisor as
GB/T 50378's (400 + ΣQ)/10 — is written here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from ._kinds import ZERO, Num, maximum
from .model import Project, Rubric, Rule, Unit


def sum_or_none(values: Iterable[Decimal | None]) -> Decimal | None:
    """The sum of *values*, or None if any is None (unbounded)."""
    total = ZERO
    for v in values:
        if v is None:
            return None
        total += v
    return total


def declared_or_max(rule: Rule) -> Decimal | None:
    """What a rule contributes to its parent's total: its declared points, else its maximum."""
    if rule.bonus:
        return ZERO
    declared: Decimal | None = getattr(rule, "points", None)
    return declared if declared is not None else maximum(rule)


def group_max(node: Unit | Project) -> Decimal | None:
    """The computed maximum of a unit or project from its children's declared points."""
    if isinstance(node, Unit) and node.projects:
        values = [p.points if p.points is not None else group_max(p) for p in node.projects]
    else:
        values = [declared_or_max(i) for i in node.items]
    total = sum_or_none(values)
    if total is not None and node.max is not None:
        return min(total, node.max)
    return total


def unit_value(unit: Unit) -> Decimal | None:
    """A unit's declared points, else its computed maximum."""
    return unit.points if unit.points is not None else group_max(unit)


def unit_weight(rubric: Rubric, address: str) -> Decimal:
    """The weight of the unit at *address* in the total (1 without an aggregate)."""
    if rubric.aggregate is None:
        return Decimal(1)
    return rubric.aggregate.weights.get(address, Decimal(1))


def transform(rubric: Rubric, weighted_sum: Decimal, *, with_base: bool = True) -> Decimal:
    """Apply the rubric's aggregate (base and divisor) to a weighted sum of unit scores."""
    agg = rubric.aggregate
    if agg is None:
        return weighted_sum
    return ((agg.base if with_base else ZERO) + weighted_sum) / agg.divisor


class Aggregator:
    """The total from unit scores, with the rubric's weights, base and divisor (the one formula).

    Attributes:
        plain: whether the total is a plain sum (no weight other than 1, no divisor).
    """

    __slots__ = ("base", "divisor", "plain", "weights")

    def __init__(self, rubric: Rubric, unit_addresses: Sequence[str]) -> None:
        agg = rubric.aggregate
        self.weights = [unit_weight(rubric, a) for a in unit_addresses]
        self.base = agg.base if agg else ZERO
        self.divisor = agg.divisor if agg else None
        self.plain = self.divisor is None and all(w == 1 for w in self.weights)

    def total(self, unit_pts: Sequence[Num]) -> Decimal:
        """The total of the unit scores *unit_pts* (in unit order)."""
        if self.plain:
            return Decimal(sum(unit_pts))
        weighted = sum([p * w for p, w in zip(unit_pts, self.weights, strict=True)], ZERO)
        return weighted if self.divisor is None else (self.base + weighted) / self.divisor
