"""The kinds scored from a number: ``bands`` ("≤0.9×平均值 得7分 …"), ``linear`` ("每再降低10%再得5分")
and ``judged`` (points the assessor chooses, "酌情扣1~5分")."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .._text import fmt
from .._tree import Node
from ..model import Band, Bands, Judged, Linear
from ._base import ZERO, Answers, Evaluate, Kind, Leaf, Num, Report, is_deduction, positive, register

# --- bands ---------------------------------------------------------------------------------


def _band_match(band: Band, x: Decimal, ref: Decimal) -> bool:
    if band.gt is not None and not x > band.gt * ref:
        return False
    if band.ge is not None and not x >= band.ge * ref:
        return False
    if band.lt is not None and not x < band.lt * ref:
        return False
    return not (band.le is not None and not x <= band.le * ref)


def band_for(rule: Bands, value: object) -> Band | None:
    """The band a validated answer falls in, or None when unanswered."""
    if value is None:
        return None
    if rule.input == "ratio":
        x, ref = Decimal(value["value"]), Decimal(value["ref"])  # type: ignore[index]  # validated: a table
    else:
        x, ref = Decimal(value), Decimal(1)  # type: ignore[arg-type]  # validated: a number
    for band in rule.bands:
        if _band_match(band, x, ref):
            return band
    return None


def describe_band(band: Band, var: str = "x") -> str:
    """A band as an inequality: '0.9 < x ≤ 1'."""
    left = (
        f"{fmt(band.gt)} < " if band.gt is not None else f"{fmt(band.ge)} ≤ " if band.ge is not None else ""
    )
    right = (
        f" < {fmt(band.lt)}" if band.lt is not None else f" ≤ {fmt(band.le)}" if band.le is not None else ""
    )
    if not left and not right:
        return "任意值"
    return f"{left}{var}{right}"


Edge = tuple[Decimal | None, bool, Decimal | None, bool, int]


def band_edges(rule: Bands) -> list[Edge]:
    """Each band as (low, low_inclusive, high, high_inclusive, index), None for open."""
    out = []
    for i, b in enumerate(rule.bands):
        low = b.gt if b.gt is not None else b.ge
        high = b.lt if b.lt is not None else b.le
        out.append((low, b.ge is not None, high, b.le is not None, i))
    return out


def _sort_key(edge: Edge) -> tuple[float, Decimal, int]:
    """Sort bands by their lower edge, open first, inclusive before exclusive."""
    low, inclusive, _, _, _ = edge
    if low is None:
        return (-math.inf, ZERO, 0)
    return (0.0, low, 0 if inclusive else 1)


@register
class BandsKind(Kind):
    """Points by the band a number (or its ratio to a reference) falls in."""

    name = "bands"
    model = Bands

    def leaves(self, rule: Bands, address: str, item: str) -> Iterator[Leaf]:
        yield Leaf(address, "ratio" if rule.input == "ratio" else "number", rule, item, rule.text)

    def maximum(self, rule: Bands) -> Decimal:
        return max((b.points for b in rule.bands), default=ZERO)

    def compile(self, rule: Bands, address: str, penalty: bool) -> Evaluate:
        def bands(a: Answers) -> Num:
            band = band_for(rule, a.get(address))
            return 0 if band is None else band.points

        return bands

    def reason(self, rule: Bands, address: str, answers: Answers, points: Decimal, penalty: bool) -> str:
        value = answers.get(address)
        if value is None:
            return "未填写，0分"
        band = band_for(rule, value)
        unit = rule.unit or ""
        if rule.input == "ratio":
            shown = f"{fmt(Decimal(value['value']))}{unit}，参考值{fmt(Decimal(value['ref']))}{unit}"
            var = "x/参考值"
        else:
            shown = f"{fmt(Decimal(value))}{unit}"
            var = "x"
        return f"{shown}：{describe_band(band, var) if band else '不在任何区间'} → {fmt(points)}分"

    def check(self, node: Node, rule: Bands, add: Report) -> None:
        if not rule.bands:
            add(node, "bands is empty")
            return
        for i, band in enumerate(rule.bands):
            where = f"{node.path}.bands[{i}]"
            if band.gt is not None and band.ge is not None:
                add(node, "a band takes gt or ge, not both", where)
            if band.lt is not None and band.le is not None:
                add(node, "a band takes lt or le, not both", where)
            if band.points < 0:
                add(node, f"points must be 0 or more, got {fmt(band.points)}", where)
        edges = sorted(band_edges(rule), key=_sort_key)
        first = edges[0]
        if first[0] is not None:
            add(node, f"bands leave numbers {'below' if first[1] else 'up to'} {fmt(first[0])} uncovered")
        for (_, _, high, high_inc, i), (low, low_inc, _, _, j) in itertools.pairwise(edges):
            if high is None:
                add(node, f"bands {i + 1} and {j + 1} overlap: band {i + 1} has no upper bound")
                continue
            if low is None:
                continue
            if low < high or (low == high and low_inc and high_inc):
                add(node, f"bands {i + 1} and {j + 1} overlap at {fmt(low)}")
            elif low > high or (low == high and not low_inc and not high_inc):
                add(node, f"bands leave numbers from {fmt(high)} to {fmt(low)} uncovered")
        for low, low_inc, high, high_inc, i in edges:
            if (
                low is not None
                and high is not None
                and (low > high or (low == high and not (low_inc and high_inc)))
            ):
                add(node, f"band {i + 1} is empty")
        last = max(edges, key=lambda e: (e[2] is None, e[2] or ZERO))
        if last[2] is not None:
            add(node, f"bands leave numbers above {fmt(last[2])} uncovered")

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        unit = getattr(leaf.rule, "unit", None)
        tail = f"（单位：{unit}）" if unit else ""
        if leaf.shape == "ratio":
            return "填写 { value = 实测值, ref = 参考值 }" + tail
        return "填写数值" + tail


# --- linear --------------------------------------------------------------------------------


def linear_steps(rule: Linear, x: Decimal) -> Decimal | None:
    """How many steps *x* is past the threshold (None below it)."""
    distance = x - rule.start if rule.direction == "up" else rule.start - x
    if distance < 0:
        return None
    raw = distance / rule.step
    if rule.steps == "whole":
        return raw.to_integral_value(ROUND_FLOOR)
    if rule.steps == "started":
        return raw.to_integral_value(ROUND_CEILING)
    return raw


def linear_award(rule: Linear, x: Decimal) -> Decimal:
    """The award of a `Linear` rule for the number *x*."""
    steps = linear_steps(rule, x)
    if steps is None:
        return ZERO
    points = rule.base + rule.per * steps
    if rule.digits is not None:
        points = points.quantize(Decimal(1).scaleb(-rule.digits), ROUND_HALF_UP)
    # The cap comes last, so rounding can never lift an award above it.
    if rule.max is not None and points > rule.max:
        points = rule.max
    return points


@register
class LinearKind(Kind):
    """A threshold, then *per* points for each *step*, capped at *max*."""

    name = "linear"
    model = Linear

    def leaves(self, rule: Linear, address: str, item: str) -> Iterator[Leaf]:
        yield Leaf(address, "number", rule, item, rule.text)

    def maximum(self, rule: Linear) -> Decimal | None:
        return rule.max

    def compile(self, rule: Linear, address: str, penalty: bool) -> Evaluate:
        def linear(a: Answers) -> Num:
            value = a.get(address)
            return 0 if value is None else linear_award(rule, Decimal(value))

        return linear

    def reason(self, rule: Linear, address: str, answers: Answers, points: Decimal, penalty: bool) -> str:
        value = answers.get(address)
        if value is None:
            return "未填写，0分"
        x = Decimal(value)
        unit = rule.unit or ""
        steps = linear_steps(rule, x)
        if steps is None:
            side = "低于" if rule.direction == "up" else "高于"
            return f"{fmt(x)}{unit}，{side}{fmt(rule.start)}{unit}，0分"
        base = f"{fmt(rule.base)}分 + " if rule.base else ""
        raw = rule.base + rule.per * steps
        head = f"{fmt(x)}{unit}：{base}{fmt(steps)} × {fmt(rule.per)}分"
        if rule.max is not None and raw > rule.max:
            return f"{head} = {fmt(raw)}分，按最高{fmt(rule.max)}分计"
        most = f"（最高{fmt(rule.max)}分）" if rule.max is not None else ""
        return f"{head} = {fmt(points)}分{most}"

    def check(self, node: Node, rule: Linear, add: Report) -> None:
        positive(node, add, "step", rule.step)
        positive(node, add, "per", rule.per)
        positive(node, add, "max", rule.max)
        positive(node, add, "base", rule.base, zero_ok=True)
        if rule.max is None and not is_deduction(node):
            add(node, "a linear rule that awards points needs a cap (max)")
        if rule.digits is not None and not 0 <= rule.digits <= 10:
            add(node, f"digits must be between 0 and 10, got {rule.digits}")
        elif (
            rule.digits is not None
            and rule.max is not None
            and rule.max.quantize(Decimal(1).scaleb(-rule.digits)) != rule.max
        ):
            add(
                node,
                f"max {fmt(rule.max)} has more decimals than digits = {rule.digits}: "
                f"an award at the cap is not rounded to {rule.digits} decimal places",
                severity="warning",
            )

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        unit = getattr(leaf.rule, "unit", None)
        return "填写数值" + (f"（单位：{unit}）" if unit else "")


# --- judged --------------------------------------------------------------------------------


@register
class JudgedKind(Kind):
    """Points the assessor chooses within *range* ("酌情扣1~5分")."""

    name = "judged"
    model = Judged

    def leaves(self, rule: Judged, address: str, item: str) -> Iterator[Leaf]:
        low, high = rule.range
        yield Leaf(address, "judged", rule, item, rule.text, low=low, high=high, step=rule.step)

    def maximum(self, rule: Judged) -> Decimal:
        return rule.range[1]

    def compile(self, rule: Judged, address: str, penalty: bool) -> Evaluate:
        return lambda a: Decimal(a.get(address) or 0)

    def reason(self, rule: Judged, address: str, answers: Answers, points: Decimal, penalty: bool) -> str:
        lo, hi = rule.range
        return f"评定{fmt(points)}分（{fmt(lo)}~{fmt(hi)}分）"

    def check(self, node: Node, rule: Judged, add: Report) -> None:
        lo, hi = rule.range
        if lo < 0 or hi <= 0 or lo > hi:
            add(
                node,
                f"range must be [low, high] with 0 ≤ low ≤ high and high > 0, got [{fmt(lo)}, {fmt(hi)}]",
            )
        positive(node, add, "step", rule.step)
        if rule.step is not None and rule.step > 0 and any(end % rule.step for end in rule.range):
            add(
                node,
                f"range [{fmt(lo)}, {fmt(hi)}] has an end that is not a multiple of step {fmt(rule.step)}",
            )

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        assert leaf.low is not None
        assert leaf.high is not None
        step = f"（以{fmt(leaf.step)}分为单位）" if leaf.step is not None else ""
        return f"0 或 {fmt(leaf.low)}~{fmt(leaf.high)} 之间的{'扣分' if deduction else '分值'}{step}"
