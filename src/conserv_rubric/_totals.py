"""Totals arithmetic: what a rule, project and unit add up to, and the aggregate formula.

Validation compares declared totals with these figures; scoring, reports and templates show
them. The aggregate formula — a plain sum, or (base + Σ weight × unit score) / divisor as
GB/T 50378's (400 + ΣQ)/10 — is written here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from ._exact import exactly, scales_finitely, settle
from ._kinds import ZERO, Num, maximum
from ._limits import MAX_DECIMALS
from ._tree import children
from .model import Aggregate, Best, Parts, Project, Rubric, Rule, Unit


@exactly
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


@exactly
def declared_max(rule: Rule) -> Decimal | None:
    """The most *rule* gives by what its children declare: the parts of a ``parts`` (capped) or
    the alternatives of a ``best`` by their declared points where they have them, as a group
    adds up its children, so that a wrong subtotal below is reported once, where it is; any
    other rule's maximum."""
    if not isinstance(rule, Parts | Best):
        return maximum(rule)
    values = [declared_or_max(c) for c in children(rule) if not c.bonus]
    known = [v for v in values if v is not None]
    if isinstance(rule, Best):
        return None if len(known) < len(values) else max(known, default=ZERO)
    total = None if len(known) < len(values) else sum(known, ZERO)
    if rule.max is None:
        return total
    return rule.max if total is None else min(total, rule.max)


@exactly
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


def divides_exactly(divisor: Decimal) -> bool:
    """Whether dividing any finite decimal by *divisor* (> 0) gives a finite decimal: 10 or 0.5
    do, 3 does not (its quotients are then rounded to the rubric's ``digits``)."""
    return scales_finitely(1 / Fraction(divisor))


def quotient(rubric: Rubric, numerator: Decimal) -> Decimal:
    """*numerator* over the rubric's aggregate divisor: exact, or rounded half up once to the
    rubric's ``digits`` when the divisor does not divide exactly (the validator asks for them)."""
    return _divided(numerator, rubric.aggregate, rubric.digits)


def _divided(numerator: Decimal, agg: Aggregate | None, digits: int | None) -> Decimal:
    """`quotient`, from the rubric's aggregate and digits alone."""
    if agg is None:
        return numerator
    exact = Fraction(numerator) / Fraction(agg.divisor)
    if divides_exactly(agg.divisor):
        return settle(exact, None)
    # Without digits the rubric is refused; `check` still shows its totals, to MAX_DECIMALS places.
    return settle(exact, digits if digits is not None else MAX_DECIMALS)


@exactly
def transform(rubric: Rubric, weighted_sum: Decimal, *, with_base: bool = True) -> Decimal | None:
    """Apply the rubric's aggregate (base and divisor) to a weighted sum of unit scores; None
    when the divisor is not more than 0 (the validator reports it)."""
    agg = rubric.aggregate
    if agg is None:
        return weighted_sum
    if agg.divisor <= 0:
        return None
    return quotient(rubric, (agg.base if with_base else ZERO) + weighted_sum)


class Aggregator:
    """The total from unit scores, with the rubric's weights, base and divisor (the one formula).

    With ``na = "rescale"``, a base unit none of whose points apply drops out: the units that do
    apply are scaled so that their weighted maximum is the rubric's, and the total is rounded half
    up once to the rubric's ``digits`` (docs/rules/na_if.md).

    Attributes:
        plain: whether the total is a plain sum (no weight other than 1, no divisor).
    """

    __slots__ = (
        "aggregate",
        "base",
        "bonus",
        "digits",
        "divisor",
        "exact_divisor",
        "maxima",
        "plain",
        "weights",
    )

    def __init__(
        self,
        rubric: Rubric,
        unit_addresses: Sequence[str],
        unit_maxima: Sequence[Decimal],
        bonus: Sequence[bool],
    ) -> None:
        agg = rubric.aggregate
        # Not the rubric itself: the compiled rubric holds this, and must not keep it alive.
        self.aggregate = agg
        self.weights = [unit_weight(rubric, a) for a in unit_addresses]
        self.maxima = list(unit_maxima)
        self.bonus = list(bonus)
        self.base = agg.base if agg else ZERO
        self.divisor = agg.divisor if agg else None
        self.digits = rubric.digits
        self.exact_divisor = self.divisor is None or divides_exactly(self.divisor)
        self.plain = self.divisor is None and all(w == 1 for w in self.weights)

    def total(self, unit_pts: Sequence[Num], dropped: frozenset[int] = frozenset()) -> Decimal:
        """The total of the unit scores *unit_pts* (in unit order), in the library's context.

        Args:
            unit_pts: every unit's points.
            dropped: the base units none of whose points apply, under ``na = "rescale"``.
        """
        if dropped:
            return self.of_rescaled(*self.rescaled_sums(unit_pts, dropped))
        if self.plain:
            return Decimal(sum(unit_pts))
        return self.of_weighted(sum([p * w for p, w in zip(unit_pts, self.weights, strict=True)], ZERO))

    def of_weighted(self, weighted: Num) -> Decimal:
        """The total from Σ weight × unit points (for a plain sum, the points' sum), so that a
        caller who changes one unit can update the sum instead of summing again."""
        if self.divisor is None:
            return Decimal(weighted)
        if self.exact_divisor:
            return (self.base + weighted) / self.divisor  # a finite decimal: EXACT proves it
        return _divided(self.base + weighted, self.aggregate, self.digits)

    def rescaled_sums(
        self, unit_pts: Sequence[Num], dropped: frozenset[int]
    ) -> tuple[Fraction, Fraction, Fraction, Fraction]:
        """The sums a rescaled total is made of, for `of_rescaled`: the weighted points of the
        base units that apply (*got*), the weighted maxima of all base units (*full*) and of
        those that apply (*kept*), and the weighted points of the bonus units (*extra*)."""
        got = full = kept = extra = Fraction(0)
        for u, (points, weight, top, bonus) in enumerate(
            zip(unit_pts, self.weights, self.maxima, self.bonus, strict=True)
        ):
            if bonus:
                extra += Fraction(points) * Fraction(weight)
                continue
            full += Fraction(top) * Fraction(weight)
            if u not in dropped:
                kept += Fraction(top) * Fraction(weight)
                got += Fraction(points) * Fraction(weight)
        return got, full, kept, extra

    def of_rescaled(self, got: Fraction, full: Fraction, kept: Fraction, extra: Fraction) -> Decimal:
        """The total under ``na = "rescale"`` from the sums of `rescaled_sums`."""
        scaled = got * full / kept if kept else Fraction(0)
        total = Fraction(self.base) + scaled + extra
        if self.divisor is not None:
            total /= Fraction(self.divisor)
        return settle(total, self.digits if self.digits is not None else 0)
