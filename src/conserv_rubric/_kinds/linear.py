"""``linear``: a threshold, then points for each step past it, capped ("每再降低10%再得5分")."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

from .._exact import EXACT, finite, quotient, round_half_up, scales_finitely, settle
from .._text import fmt
from .._tree import Node
from ..model import Linear
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
    check_said_cap,
    detail,
    is_deduction,
    positive,
    register,
)
from ._said import said_rate
from .measured import EXCESS_WORDS, SHORTFALL_WORDS, check_range, number_what, range_hint


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
        if raw != points:  # rounded to the rule's digits: the equation shows the exact product first
            exact = finite(raw) if isinstance(raw, Fraction) else raw
            if exact is None:
                return f"{head} ≈ {fmt(points)}分（保留{rule.digits}位小数）{most}"
            return f"{head} = {fmt(exact)}分，保留{rule.digits}位小数为{fmt(points)}分{most}"
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
        _check_said(node, rule, add)
        edges = [("start", rule.start)]
        full = _full_at(rule)
        if full is not None and full != rule.start:
            edges.append(("the figure of the cap", full))
        check_range(node, rule, add, edges)

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        unit = getattr(leaf.rule, "unit", None)
        return f"填写{number_what(leaf)}" + range_hint(leaf) + (f"（单位：{unit}）" if unit else "")


def _check_said(node: Node, rule: Linear, add: Report) -> None:
    """Warn where the text's step clause ("每降低1%得0.5分") or cap ("最高得5分") and the keys
    disagree. A step written as a percentage matches a step of that figure (1 for "1%", with
    answers in per cent) or of its hundredth (0.01, with answers as fractions)."""
    rate = said_rate(rule.text)
    if rate is not None:
        clause, step, per = rate
        if per != rule.per:
            message = f"the text says {clause}, but per = {fmt(rule.per)}"
            add(node, message, expected=fmt(per), actual=fmt(rule.per), severity="warning")
        if rule.step not in (step, step / 100):
            message = f"the text says {clause}, but step = {fmt(rule.step)}"
            add(node, message, expected=fmt(step), actual=fmt(rule.step), severity="warning")
    check_said_cap(node, rule.text, rule.max, rule.max, add)


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
