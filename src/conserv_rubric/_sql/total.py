"""The rubric's total as SQL: the units' plain sum, or the ``[aggregate]`` formula
(base + Σ weight × unit score) / divisor, exactly as `conserv_rubric._totals.Aggregator` gives it.

Everything stays in whole numbers. The unit points are whole units of ``10**-s`` points; the
weighted sum is whole units of ``10**-n`` points (``n`` = ``s`` plus the places of the weights,
or more for the base). A divisor ``a/b`` (in lowest terms) whose ``a`` has no prime factor but 2
and 5 divides every decimal exactly: ``1/a = c/10**k``, so the total is the sum times ``b × c``
in units of ``10**-(n + k)`` (GB/T 50378's /10 is ×1 in tenths). Any other divisor (3) gives
quotients no decimal writes, and the rubric's ``digits`` round them half up once, as
`conserv_rubric._exact.round_half_up` does: the quotient's whole units of ``10**-digits`` are
``(2|x| + d) div 2d`` with the sign of ``x``, for the whole numbers ``x/d`` it is made of.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs

from .._compiled import Compiled
from .._limits import MAX_DECIMALS, MAX_NUMBER
from .._text import fmt
from ..model import Bands, Best, Cases, Check, Deduct, Each, Flag, Judged, Linear, Parts, Rule
from ._base import UNITS, Ctx, NotExpressible, places

#: The most decimal places of a total rendered (its whole units are 10**-MAX_TOTAL_SCALE points):
#: a judged score without a step (10 places) over a divisor of 10, weighted by 0.5, needs 12;
#: the query shows totals up to 10**8 points at 14 places (`query._points`).
MAX_TOTAL_SCALE: Final = 14


def _whole(value: Decimal | Fraction | int) -> str:
    whole = Fraction(value)
    assert whole.denominator == 1, value
    return f"CAST({whole.numerator} AS {UNITS})"


def _scaled(value: Decimal, places: int) -> int:
    """*value* × 10**places, a whole number (computed as a fraction: no decimal context rounds it)."""
    power: int = 10**places
    whole = Fraction(value) * power
    assert whole.denominator == 1, (value, places)
    return whole.numerator


def _exact_places(a: int) -> int | None:
    """The least ``k`` such that *a* divides ``10**k``, or None when *a* has a prime factor but 2 and 5."""
    rest, twos, fives = a, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    return max(twos, fives) if rest == 1 else None


@attrs.frozen
class Total:
    """How the total is computed from the unit points, all in whole numbers.

    Attributes:
        scale: the places of the total's whole units (its column is ``10**-scale`` points).
        factors: each unit's weight in units of the weighted sum (``None``: a plain sum).
        base: the base in units of the weighted sum.
        times: the weighted sum's multiplier (exact divisor), or the rounded quotient's numerator factor.
        over: the rounded quotient's denominator (None: the divisor divides exactly).
        up: the power of ten that brings the total's natural unit to *scale*.
    """

    scale: int
    factors: tuple[int, ...] | None = None
    base: int = 0
    times: int = 1
    over: int | None = None
    up: int = 0

    def sql(self, ctx: Ctx, units: Sequence[str]) -> str:
        """The total in whole units of ``10**-scale`` points from the unit columns *units*."""
        if self.factors is None:
            value = " + ".join(units) or "0"
            return value if self.up == 0 else f"{_whole(10**self.up)} * ({value})"
        terms = [u if f == 1 else f"{_whole(f)} * {u}" for f, u in zip(self.factors, units, strict=True)]
        if self.base:
            terms.insert(0, _whole(self.base))
        weighted = "(" + (" + ".join(terms) or _whole(0)) + ")"
        if self.over is None:
            value = weighted if self.times == 1 else f"{_whole(self.times)} * {weighted}"
        else:
            x = f"({_whole(self.times)} * {weighted})"
            half = ctx.idiv(f"{_whole(2)} * {x} + {_whole(self.over)}", _whole(2 * self.over))
            minus = ctx.idiv(f"{_whole(-2)} * {x} + {_whole(self.over)}", _whole(2 * self.over))
            value = f"CASE WHEN {x} < 0 THEN -{minus} ELSE {half} END"
        return value if self.up == 0 else f"{_whole(10**self.up)} * ({value})"


def total_plan(plan: Compiled, unit_scale: int, level_mins: Sequence[Decimal]) -> Total:
    """How to render the total of *plan*'s rubric whose unit points are in units of
    ``10**-unit_scale`` and whose levels ask *level_mins* of it; raise `NotExpressible` when the
    total needs more places than `MAX_TOTAL_SCALE`, or may reach more points than its column
    holds at its places (`query._points`)."""
    agg = plan.aggregator
    need = max((places(m) for m in level_mins), default=0)
    if agg.plain:
        return Total(max(unit_scale, need), up=max(0, need - unit_scale))
    assert agg.divisor is not None
    weight_places = max((places(w) for w in agg.weights), default=0)
    summed = max(unit_scale + weight_places, places(agg.base))
    factors = tuple(_scaled(w, summed - unit_scale) for w in agg.weights)
    base = _scaled(agg.base, summed)
    divisor = Fraction(agg.divisor)
    a, b = divisor.numerator, divisor.denominator
    k = _exact_places(a)
    if k is not None:
        natural, times, over = summed + k, b * (10**k // a), None
    else:
        digits = agg.digits if agg.digits is not None else MAX_DECIMALS
        natural = digits
        times = b * 10 ** max(0, digits - summed)
        over = a * 10 ** max(0, summed - digits)
    scale = max(natural, need)
    if scale > MAX_TOTAL_SCALE:
        raise NotExpressible(
            None,
            f"rubric (aggregate): the total needs {scale} decimal places, more than the"
            f" {MAX_TOTAL_SCALE} the query computes",
        )
    # At 10 places or fewer a column holds 10^16 points, more than any unit or plain sum of units
    # below the limits reaches; after a divisor, at 13 or 14 places, it holds 10^10 or 10^8.
    units = _unit_bounds(plan)
    top = (
        abs(Fraction(agg.base)) + sum(abs(Fraction(w)) * u for w, u in zip(agg.weights, units, strict=True))
    ) / divisor
    _fits(top, scale, "rubric (aggregate): the total")
    return Total(scale, factors, base, times, over, scale - natural)


def _most(rule: Rule) -> Fraction:
    """The most points (in magnitude) the query's expression of *rule* reaches, bonus parts
    included; a deduction never more than it starts from."""
    if isinstance(rule, Flag | Deduct):
        return abs(Fraction(rule.points))
    if isinstance(rule, Each):
        if rule.max is not None:
            return Fraction(rule.max)
        return Fraction(rule.per) * (len(rule.options) if rule.options and not rule.open else MAX_NUMBER)
    if isinstance(rule, Parts):
        summed = sum((_most(p) for p in rule.parts), Fraction(0))
        return summed if rule.max is None else min(summed, Fraction(rule.max))
    if isinstance(rule, Best):
        return max((_most(a) for a in rule.alternatives), default=Fraction(0))
    if isinstance(rule, Bands):
        return max((abs(Fraction(b.points)) for b in rule.bands), default=Fraction(0))
    if isinstance(rule, Cases):
        return max((abs(Fraction(r.points)) for r in rule.rows), default=Fraction(0))
    if isinstance(rule, Linear):
        return Fraction(rule.max if rule.max is not None else MAX_NUMBER)
    if isinstance(rule, Judged):
        return max(abs(Fraction(rule.range[0])), abs(Fraction(rule.range[1])))
    # Every other kind is refused before a total is rendered; a new one must say its bound here.
    assert isinstance(rule, Check), f"no bound for a {type(rule).__name__} rule"
    return Fraction(0)


def _unit_bounds(plan: Compiled) -> list[Fraction]:
    """The most points each unit's column reaches, as the query sums and caps them."""
    items = [_most(i.rule) for i in plan.items]

    def capped(value: Fraction, cap: Decimal | int | None) -> Fraction:
        return value if cap is None else min(value, Fraction(cap))

    projects = [capped(sum(items[start:end], Fraction(0)), cap) for start, end, cap in plan.project_plan]
    out = []
    for projs, span, cap in plan.unit_plan:
        summed = (
            sum(items[span[0] : span[1]], Fraction(0))
            if span is not None
            else sum((projects[p] for p in projs), Fraction(0))
        )
        out.append(capped(summed, cap))
    return out


def _fits(top: Fraction, scale: int, what: str) -> None:
    """Refuse a column of *scale* places whose points may reach *top*: it holds 10^(36 - 2 × scale)."""
    limit = 10 ** (36 - 2 * scale)
    if top >= limit:
        shown = Decimal(math.floor(top * 10**scale)).scaleb(-scale)  # exact: a whole number scaled
        raise NotExpressible(
            None,
            f"{what} may reach {fmt(shown)} points, and at {scale} decimal places its column"
            f" holds less than {limit:,}",
        )
