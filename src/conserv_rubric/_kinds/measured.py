"""The kinds scored from a number: ``bands`` ("≤0.9×平均值 得7分 …"), ``linear`` ("每再降低10%再得5分")
and ``judged`` (points the assessor chooses, "酌情扣1~5分")."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Final

from .._exact import EXACT, finite, multiple_of, quotient, round_half_up, scales_finitely, settle
from .._text import fmt
from .._tree import Node
from ..model import Band, Bands, Judged, Linear
from ._base import (
    ZERO,
    Answers,
    Blank,
    Deduction,
    Evaluate,
    Kind,
    Leaf,
    Num,
    Report,
    Shape,
    detail,
    fast,
    is_deduction,
    positive,
    register,
)

# --- what a number answer may be -------------------------------------------------------------

#: Words of a deduction's text that deduct for a figure short of its target ("每低1%扣2分").
SHORTFALL_WORDS: Final = ("每低", "低于", "每少", "少于", "每差", "不足", "每降", "下降", "每减少", "差距")
#: Words of a deduction's text that deduct for a figure over its limit ("每高1%扣1分").
EXCESS_WORDS: Final = ("每高", "高于", "每超", "超过", "超出", "每多")


def answer_range(rule: Bands | Linear) -> tuple[Decimal, Decimal] | None:
    """The numbers an answer to *rule* may take, when the rubric declares them."""
    return rule.range


def _rate_name(rule: Bands | Linear) -> str | None:
    """The text or `measure` that names *rule*'s figure a rate ("满意率", "…85%"), when the rule
    declares no unit; None otherwise."""
    if rule.unit is not None:
        return None
    return next((t for t in (rule.text, rule.measure or "") if any(w in t for w in ("%", "％", "率"))), None)


def _check_gate_figure(
    node: Node, rule: Bands | Linear, add: Report, edges: list[tuple[str, Decimal]]
) -> None:
    """Warn about a `gate_figure` bound written as a fraction ("0.6" for 60 %) on a rule whose
    own figures are percentages: the gate would pass almost any answer."""
    figure = rule.gate_figure
    if figure is None:
        return
    percent = (
        rule.unit == "%"
        or (rule.range is not None and rule.range[1] == 100)
        or (_rate_name(rule) is not None and any(e > 1 for _, e in edges))
    )
    if not percent:
        return
    for key in ("gt", "ge", "lt", "le"):
        bound = getattr(figure, key)
        if bound is not None and 0 < bound < 1:
            add(
                node,
                f"gate_figure {key} = {fmt(bound)} reads as a fraction, but the rule's figures are "
                f"percentages: a rate of {fmt(bound * 100)}% is written {fmt(bound * 100)}",
                severity="warning",
            )


def check_range(node: Node, rule: Bands | Linear, add: Report, edges: list[tuple[str, Decimal]]) -> None:
    """Report a declared range that is malformed, *edges* (what, number) that lie outside it, and
    a percentage rule whose edges or `gate_figure` read as fractions ("0.85" typed for 85 %)."""
    _check_gate_figure(node, rule, add, edges)
    if rule.range is not None:
        lo, hi = rule.range
        if lo >= hi:
            add(node, f"range must be [low, high] with low < high, got [{fmt(lo)}, {fmt(hi)}]")
            return
        outside = [f"{what} {fmt(e)}" for what, e in edges if not lo <= e <= hi]
        if outside:
            one = len(outside) == 1
            add(
                node,
                f"{', '.join(outside)} {'lies' if one else 'lie'} outside range [{fmt(lo)}, {fmt(hi)}]: "
                f"no answer reaches {'it' if one else 'them'}",
                severity="warning",
            )
        return
    # A rate by its unit, or, with no unit, by its text or measure ("满意率大于85%").
    rate = _rate_name(rule)
    if (rule.unit != "%" and rate is None) or not edges:
        return
    numbers = sorted({e for _, e in edges})
    if all(0 <= e <= 1 for e in numbers) and any(0 < e < 1 for e in numbers):
        shown = ", ".join(fmt(e) for e in numbers)
        example = next(e for e in reversed(numbers) if 0 < e < 1)
        if rule.unit == "%":
            what, fix = (
                'the unit is "%"',
                "if answers are fractions, declare range = [0, 1] and drop the unit",
            )
        else:
            what = f'"{rate}" reads as a rate'
            fix = (
                'write the figures as percentages with unit = "%", '
                "or declare range = [0, 1] if answers are fractions"
            )
        add(
            node,
            f"{what} but every figure the rule compares with ({shown}) lies between 0 and 1: "
            f"a rate of {fmt(example * 100)}% is written {fmt(example * 100)}, not {fmt(example)}; {fix}",
            severity="warning",
        )


# --- bands ---------------------------------------------------------------------------------


def _band_match(band: Band, x: Decimal, ref: Decimal | None) -> bool:
    """Whether *x* falls in *band*; with a reference *ref*, the band's edges are multiples of it."""
    if ref is None:
        low_gt, low_ge, high_lt, high_le = band.gt, band.ge, band.lt, band.le
    else:
        low_gt, low_ge, high_lt, high_le = (
            None if e is None else e * ref for e in (band.gt, band.ge, band.lt, band.le)
        )
    if low_gt is not None and not x > low_gt:
        return False
    if low_ge is not None and not x >= low_ge:
        return False
    if high_lt is not None and not x < high_lt:
        return False
    return not (high_le is not None and not x <= high_le)


def measured(rule: Bands, value: object) -> tuple[Decimal, Decimal | None] | None:
    """The figure a validated answer gives and the reference it is compared with (None for a
    plain number, compared with the edges themselves), or None when there is nothing to compare:
    the leaf is unanswered, or a ratio answer lacks its reference."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        x, ref = value.get("value"), value.get("ref")
        if x is None or ref is None:
            return None
        return Decimal(x), Decimal(ref)
    return Decimal(value), None  # type: ignore[arg-type]  # validated: a number


def band_for(rule: Bands, value: object) -> Band | None:
    """The band a validated answer falls in, or None when there is nothing to compare."""
    found = measured(rule, value)
    if found is None:
        return None
    x, ref = found
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

    def leaves(self, rule: Bands, address: str, item: str, penalty: bool) -> Iterator[Leaf]:
        shape: Shape = "ratio" if rule.input == "ratio" else "number"
        low, high = rule.range if rule.range is not None else (None, None)
        blank: Blank = "void" if penalty else "zero"
        yield Leaf(address, shape, rule, item, rule.text, low=low, high=high, blank=blank)

    def measures(self, rule: Bands) -> bool:
        return rule.input == "number"

    def figure(self, rule: Bands, address: str, answers: Answers) -> Decimal | None:
        value = answers.get(address)
        return None if value is None or isinstance(value, Mapping) else Decimal(value)

    def maximum(self, rule: Bands) -> Decimal:
        return max((b.points for b in rule.bands), default=ZERO)

    def integral(self, rule: Bands) -> bool:
        # A plain number is only compared with the edges; a ratio multiplies them by its reference.
        return rule.input != "ratio" and all(isinstance(fast(b.points), int) for b in rule.bands)

    def compile(self, rule: Bands, address: str) -> Evaluate:
        scored = self.deduction(rule, address)
        return lambda a: scored(a) or 0

    def deduction(self, rule: Bands, address: str) -> Deduction:
        def bands(a: Answers) -> Num | None:
            found = measured(rule, a.get(address))
            if found is None:
                return None
            band = next((b for b in rule.bands if _band_match(b, *found)), None)
            return 0 if band is None else fast(band.points)

        return bands

    def reason(self, rule: Bands, address: str, answers: Answers, points: Decimal) -> str:
        found = measured(rule, answers.get(address))
        if found is None:
            return "未填写，0分"
        x, ref = found
        band = band_for(rule, answers.get(address))
        unit = rule.unit or ""
        what = rule.measure or ""
        if rule.input == "ratio" and ref is not None:
            shown = f"{what}{fmt(x)}{unit}，参考值{fmt(ref)}{unit}"
            var = "x/参考值"
        else:
            shown = f"{what}{fmt(x)}{unit}"
            var = "x"
        return f"{shown}：{describe_band(band, var) if band else '不在任何区间'} → {fmt(points)}分"

    def term(self, rule: Bands, address: str, answers: Answers, taken: Decimal) -> str:
        found = measured(rule, answers.get(address))
        assert found is not None  # a deduction that took points was answered
        x, ref = found
        band = band_for(rule, answers.get(address))
        unit = rule.unit or ""
        var = "x/参考值" if ref is not None else "x"
        shown = f"{rule.measure or ''}{fmt(x)}{unit}" + (
            f"，参考值{fmt(ref)}{unit}" if ref is not None else ""
        )
        where = describe_band(band, var) if band else "不在任何区间"
        return f"{fmt(taken)}分{detail(address, f'{shown}：{where}')}"

    def check(self, node: Node, rule: Bands, add: Report) -> None:
        if not rule.bands:
            add(node, "bands is empty")
            return
        if rule.range is not None and rule.input == "ratio":
            add(
                node,
                'range belongs to a number answer; an input = "ratio" answer is compared with its reference',
            )
        elif rule.input == "number":
            bounds = {e for b in rule.bands for e in (b.gt, b.ge, b.lt, b.le) if e is not None}
            check_range(node, rule, add, [("edge", e) for e in sorted(bounds)])
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
        return f"填写{_what(leaf)}" + _range_hint(leaf) + tail


def _what(leaf: Leaf) -> str:
    """What a number leaf asks for: the rule's ``measure``, or 数值."""
    return getattr(leaf.rule, "measure", None) or "数值"


def _range_hint(leaf: Leaf) -> str:
    """The range a number answer must lie in, as the template says it."""
    if leaf.low is None or leaf.high is None:
        return ""
    return f"，{fmt(leaf.low)}~{fmt(leaf.high)}"


# --- linear --------------------------------------------------------------------------------


def linear_distance(rule: Linear, x: Decimal) -> Decimal:
    """How far *x* is past the threshold, in the rule's direction (negative: short of it)."""
    return EXACT.subtract(x, rule.start) if rule.direction == "up" else EXACT.subtract(rule.start, x)


def linear_steps(rule: Linear, x: Decimal) -> Decimal | Fraction | None:
    """How many steps *x* is past the threshold, exactly (None below it)."""
    distance = linear_distance(rule, x)
    if distance < 0:
        return None
    if rule.steps == "exact":
        return quotient(distance, rule.step)
    whole, left = EXACT.divmod(distance, rule.step)
    return EXACT.add(whole, 1) if rule.steps == "started" and left else whole


def linear_exact(rule: Linear, x: Decimal) -> Decimal | Fraction | None:
    """The award of a `Linear` rule for *x* before rounding and the cap (None below the
    threshold): base + per × steps, computed exactly. For fractional steps the product is
    formed before the division, so 2.75 × 3 / 1.5 is 5.5, not 1.8333… × 3."""
    distance = linear_distance(rule, x)
    if distance < 0:
        return None
    if rule.steps == "exact":
        got = quotient(EXACT.multiply(rule.per, distance), rule.step)
        return EXACT.add(rule.base, got) if isinstance(got, Decimal) else Fraction(rule.base) + got
    steps = linear_steps(rule, x)
    assert isinstance(steps, Decimal)  # whole steps
    return EXACT.add(rule.base, EXACT.multiply(rule.per, steps))


def linear_award(rule: Linear, x: Decimal) -> Decimal:
    """The award of a `Linear` rule for the number *x*: computed exactly, then rounded once."""
    exact = linear_exact(rule, x)
    if exact is None:
        return ZERO
    points = settle(exact, rule.digits)
    # The cap comes last, so rounding can never lift an award above it.
    if rule.max is not None and points > rule.max:
        points = rule.max
    return points


def _shown(value: Decimal | Fraction, digits: int | None) -> Decimal:
    """An exact figure as a reason shows it: exact when it is a finite decimal, else rounded."""
    if isinstance(value, Decimal):
        return value
    found = finite(value)
    return found if found is not None else round_half_up(value, digits or 0)


@register
class LinearKind(Kind):
    """A threshold, then *per* points for each *step*, capped at *max*."""

    name = "linear"
    model = Linear

    def leaves(self, rule: Linear, address: str, item: str, penalty: bool) -> Iterator[Leaf]:
        low, high = rule.range if rule.range is not None else (None, None)
        blank: Blank = "void" if penalty else "zero"
        yield Leaf(address, "number", rule, item, rule.text, low=low, high=high, blank=blank)

    def maximum(self, rule: Linear) -> Decimal | None:
        return rule.max

    def single(self, rule: Linear) -> Decimal:
        # The first step past the threshold takes the base and one step's points.
        return rule.base + rule.per

    def measures(self, rule: Linear) -> bool:
        return True

    def figure(self, rule: Linear, address: str, answers: Answers) -> Decimal | None:
        value = answers.get(address)
        return None if value is None else Decimal(value)

    def compile(self, rule: Linear, address: str) -> Evaluate:
        def linear(a: Answers) -> Num:
            value = a.get(address)
            return 0 if value is None else linear_award(rule, Decimal(value))

        return linear

    def deduction(self, rule: Linear, address: str) -> Deduction:
        def linear(a: Answers) -> Num | None:
            value = a.get(address)
            return None if value is None else linear_award(rule, Decimal(value))

        return linear

    def reason(self, rule: Linear, address: str, answers: Answers, points: Decimal) -> str:
        value = answers.get(address)
        if value is None:
            return "未填写，0分"
        x = Decimal(value)
        unit = rule.unit or ""
        what = rule.measure or ""
        steps = linear_steps(rule, x)
        if steps is None:
            side = "低于" if rule.direction == "up" else "高于"
            return f"{what}{fmt(x)}{unit}，{side}{fmt(rule.start)}{unit}，0分"
        base = f"{fmt(rule.base)}分 + " if rule.base else ""
        if isinstance(steps, Decimal):
            shown = fmt(steps)
        else:  # a fraction of a step that no decimal writes exactly: show the division
            shown = f"{fmt(linear_distance(rule, x))}/{fmt(rule.step)}"
        raw = linear_exact(rule, x)
        assert raw is not None  # at or past the threshold
        head = f"{what}{fmt(x)}{unit}：{base}{shown} × {fmt(rule.per)}分"
        if rule.max is not None and raw > rule.max:
            return f"{head} = {fmt(_shown(raw, rule.digits))}分，按最高{fmt(rule.max)}分计"
        most = f"（最高{fmt(rule.max)}分）" if rule.max is not None else ""
        return f"{head} = {fmt(points)}分{most}"

    def term(self, rule: Linear, address: str, answers: Answers, taken: Decimal) -> str:
        value = answers.get(address)
        assert value is not None  # a deduction that took points was answered
        x = Decimal(value)
        unit = rule.unit or ""
        where = "目标" if rule.direction == "down" else "限值"
        figure = f"{rule.measure or ''}{fmt(x)}{unit}，{where}{fmt(rule.start)}{unit}"
        steps = linear_steps(rule, x)
        assert steps is not None  # past the threshold
        shown = (
            fmt(steps) if isinstance(steps, Decimal) else f"{fmt(linear_distance(rule, x))}/{fmt(rule.step)}"
        )
        base = f"{fmt(rule.base)}分 + " if rule.base else ""
        product = f"{base}{fmt(rule.per)}分 × {shown}"
        raw = linear_exact(rule, x)
        assert raw is not None
        if rule.max is not None and raw > rule.max:
            capped = f"{product} = {fmt(_shown(raw, rule.digits))}分，按最多{fmt(rule.max)}分计"
            return f"{fmt(taken)}分{detail(address, figure, capped)}"
        if raw != taken:  # rounded to the rule's digits
            return f"{fmt(taken)}分{detail(address, figure, f'{product}，保留{rule.digits}位小数')}"
        return f"{product}{detail(address, figure)}"

    def check(self, node: Node, rule: Linear, add: Report) -> None:
        positive(node, add, "step", rule.step)
        positive(node, add, "per", rule.per)
        positive(node, add, "max", rule.max)
        positive(node, add, "base", rule.base, zero_ok=True)
        if rule.max is None and not is_deduction(node):
            add(node, "a linear rule that awards points needs a cap (max)")
        if (
            rule.steps == "exact"
            and rule.digits is None
            and rule.step > 0
            and not scales_finitely(Fraction(rule.per) / Fraction(rule.step))
        ):
            add(
                node,
                f'steps = "exact" awards {fmt(rule.per)} points per {fmt(rule.step)}, so an award can be '
                f"a fraction such as {Fraction(rule.per) / Fraction(rule.step)} point that no decimal "
                "writes exactly; declare digits, the decimal places to round it to",
            )
        if rule.digits is not None and not 0 <= rule.digits <= 10:
            add(node, f"digits must be between 0 and 10, got {rule.digits}")
        elif (
            rule.digits is not None
            and rule.max is not None
            and (Fraction(rule.max) * 10**rule.digits).denominator != 1
        ):
            add(
                node,
                f"max {fmt(rule.max)} has more decimals than digits = {rule.digits}: "
                f"an award at the cap is not rounded to {rule.digits} decimal places",
                severity="warning",
            )
        _check_direction(node, rule, add)
        edges = [("start", rule.start)]
        full = _full_at(rule)
        if full is not None and full != rule.start:
            edges.append(("the figure of the cap", full))
        check_range(node, rule, add, edges)

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        unit = getattr(leaf.rule, "unit", None)
        return f"填写{_what(leaf)}" + _range_hint(leaf) + (f"（单位：{unit}）" if unit else "")


def _check_direction(node: Node, rule: Linear, add: Report) -> None:
    """Warn about a deduction whose text and direction disagree: "每低1%扣2分" counted upwards
    takes points from a figure above its target and none from one below it."""
    if not is_deduction(node) or rule.step <= 0:
        return
    text = rule.text
    if node.parent is not None and not any(w in text for w in (*SHORTFALL_WORDS, *EXCESS_WORDS)):
        # A deduction labelled briefly ("准确率") under an item that says it ("每低1个百分点扣2分").
        text = node.parent.text
    short = any(w in text for w in SHORTFALL_WORDS)
    over = any(w in text for w in EXCESS_WORDS)
    said = f'"{text}"'
    once = rule.base + rule.per
    loses = f"loses {fmt(once)} point{'' if once == 1 else 's'}"
    if rule.direction == "up" and short and not over and rule.start > 0:
        add(
            node,
            f'{said} deducts for a figure below {fmt(rule.start)}, but direction is "up", which deducts '
            f"for one above it ({fmt(rule.start + rule.step)} {loses}, {fmt(rule.start - rule.step)} none); "
            'write direction = "down"',
            severity="warning",
        )
    elif rule.direction == "down" and over and not short:
        add(
            node,
            f'{said} deducts for a figure above {fmt(rule.start)}, but direction is "down", which deducts '
            f"for one below it ({fmt(rule.start - rule.step)} {loses}, {fmt(rule.start + rule.step)} none); "
            'leave direction out, or write "up"',
            severity="warning",
        )


def _full_at(rule: Linear) -> Decimal | None:
    """The figure from which a capped `Linear` rule awards its cap (None without a cap)."""
    if rule.max is None or rule.per <= 0 or rule.step <= 0 or rule.max <= rule.base:
        return None
    need = Fraction(rule.max - rule.base) / Fraction(rule.per)  # steps to the cap
    if rule.steps == "whole":
        distance = Fraction(math.ceil(need)) * Fraction(rule.step)
    elif rule.steps == "started":
        distance = Fraction(max(math.ceil(need) - 1, 0)) * Fraction(rule.step)
    else:
        distance = need * Fraction(rule.step)
    found = finite(distance)
    if found is None:
        return None
    return rule.start + found if rule.direction == "up" else rule.start - found


# --- judged --------------------------------------------------------------------------------


@register
class JudgedKind(Kind):
    """Points the assessor chooses within *range* ("酌情扣1~5分")."""

    name = "judged"
    model = Judged

    def leaves(self, rule: Judged, address: str, item: str, penalty: bool) -> Iterator[Leaf]:
        low, high = rule.range
        # In a deduction ("酌情扣1~5分") a blank amount is nothing deducted.
        blank: Blank = "none" if penalty else "zero"
        yield Leaf(address, "judged", rule, item, rule.text, low=low, high=high, step=rule.step, blank=blank)

    def maximum(self, rule: Judged) -> Decimal:
        return rule.range[1]

    def compile(self, rule: Judged, address: str) -> Evaluate:
        return lambda a: Decimal(a.get(address) or 0)

    def reason(self, rule: Judged, address: str, answers: Answers, points: Decimal) -> str:
        lo, hi = rule.range
        if answers.get(address) is None:
            return "未填写，0分"
        return f"评定{fmt(points)}分（{fmt(lo)}~{fmt(hi)}分）"

    def check(self, node: Node, rule: Judged, add: Report) -> None:
        lo, hi = rule.range
        if lo < 0 or hi <= 0 or lo > hi:
            add(
                node,
                f"range must be [low, high] with 0 ≤ low ≤ high and high > 0, got [{fmt(lo)}, {fmt(hi)}]",
            )
        positive(node, add, "step", rule.step)
        if rule.step is not None and rule.step > 0 and not all(multiple_of(e, rule.step) for e in rule.range):
            add(
                node,
                f"range [{fmt(lo)}, {fmt(hi)}] has an end that is not a multiple of step {fmt(rule.step)}",
            )

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        assert leaf.low is not None
        assert leaf.high is not None
        step = f"（以{fmt(leaf.step)}分为单位）" if leaf.step is not None else ""
        return f"0 或 {fmt(leaf.low)}~{fmt(leaf.high)} 之间的{'扣分' if deduction else '分值'}{step}"
