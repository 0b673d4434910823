"""The rule algebra: each rule's maximum, the answers it wants, its award and the reason.

Scoring compiles every rule once into a closure that maps answers to points (the hot path);
the reason for an award is worked out only when somebody asks for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal, TypeAlias

import attrs

from ._model import (
    Band,
    Bands,
    Best,
    Cases,
    Check,
    Deduct,
    Each,
    Flag,
    Judged,
    Linear,
    Parts,
    Rule,
    children,
)
from ._paths import join, letter

ZERO: Final = Decimal(0)
Answers: TypeAlias = Mapping[str, Any]
Num: TypeAlias = Decimal | int
Evaluate: TypeAlias = Callable[[Answers], Num]

Shape: TypeAlias = Literal["bool", "count", "count_or_names", "number", "ratio", "judged"]


def fmt(value: Decimal | int) -> str:
    """A number as the standard writes it: 2, 2.5, 0.2 (never 2.0 or 2E+1)."""
    if isinstance(value, int):
        return str(value)
    if not value.is_finite() or abs(value.adjusted()) > 30:
        return str(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


@attrs.frozen
class Leaf:
    """One answerable address of a rubric and the shape of answer it wants."""

    address: str
    shape: Shape
    rule: Rule | None
    item: str
    text: str
    options: tuple[str, ...] = ()
    closed: bool = False
    low: Decimal | None = None
    high: Decimal | None = None
    step: Decimal | None = None


def child_addresses(rule: Rule, address: str) -> list[tuple[str, Rule]]:
    """The nested rules of *rule* with their addresses."""
    return [(join(address, c.id or letter(i)), c) for i, c in enumerate(children(rule))]


def condition_addresses(rule: Cases, address: str) -> list[tuple[str, str]]:
    """The condition ids of a `Cases` table and their addresses."""
    out = []
    for i, c in enumerate(rule.conditions):
        key = c.id or letter(i)
        out.append((key, join(address, key)))
    return out


def leaves(rule: Rule, address: str, item: str) -> Iterator[Leaf]:
    """Every answerable address inside *rule* (at *address*, part of item *item*)."""
    if rule.zero_if is not None:
        yield Leaf(f"{address}.zero", "bool", None, item, rule.zero_if)
    if rule.na_if is not None:
        yield Leaf(f"{address}.na", "bool", None, item, rule.na_if)
    if isinstance(rule, Flag):
        yield Leaf(address, "count" if rule.at_least else "bool", rule, item, rule.text)
    elif isinstance(rule, Check):
        yield Leaf(address, "bool", rule, item, rule.text)
    elif isinstance(rule, Each):
        closed = bool(rule.options) and not rule.open
        yield Leaf(address, "count_or_names", rule, item, rule.text, rule.options, closed)
    elif isinstance(rule, Bands):
        yield Leaf(address, "ratio" if rule.input == "ratio" else "number", rule, item, rule.text)
    elif isinstance(rule, Linear):
        yield Leaf(address, "number", rule, item, rule.text)
    elif isinstance(rule, Judged):
        yield Leaf(
            address,
            "judged",
            rule,
            item,
            rule.text,
            low=rule.range[0],
            high=rule.range[1],
            step=rule.step,
        )
    elif isinstance(rule, Cases):
        for (_, addr), cond in zip(condition_addresses(rule, address), rule.conditions, strict=True):
            yield Leaf(addr, "bool", None, item, cond.text)
    else:
        for addr, child in child_addresses(rule, address):
            yield from leaves(child, addr, item)


# --- maxima --------------------------------------------------------------------------------


def maximum(rule: Rule) -> Decimal | None:
    """The most *rule* can award without over-achievement bonuses; None if unbounded."""
    if isinstance(rule, Flag):
        return rule.points
    if isinstance(rule, Check):
        return ZERO
    if isinstance(rule, Each):
        if rule.max is not None:
            return rule.max
        if rule.options and not rule.open:
            return rule.per * len(rule.options)
        return None
    if isinstance(rule, Parts | Best):
        return _composite_bound(rule, with_bonus=False)
    if isinstance(rule, Bands):
        return max((b.points for b in rule.bands), default=ZERO)
    if isinstance(rule, Linear):
        return rule.max
    if isinstance(rule, Judged):
        return rule.range[1]
    if isinstance(rule, Deduct):
        return rule.points
    return max((r.points for r in rule.rows), default=ZERO)


def reachable(rule: Rule) -> Decimal | None:
    """The most *rule* can award, over-achievement bonuses included."""
    if isinstance(rule, Parts | Best):
        return _composite_bound(rule, with_bonus=True)
    return maximum(rule)


def _composite_bound(rule: Parts | Best, *, with_bonus: bool) -> Decimal | None:
    """The sum (parts, capped) or the best (alternatives) of the children's bounds."""
    bound = reachable if with_bonus else maximum
    values = [bound(c) for c in children(rule) if with_bonus or not c.bonus]
    if isinstance(rule, Best):
        return None if None in values else max((v for v in values if v is not None), default=ZERO)
    total = None if None in values else sum((v for v in values if v is not None), ZERO)
    if rule.max is not None:
        return rule.max if total is None else min(total, rule.max)
    return total


# --- evaluation (hot path) -----------------------------------------------------------------


def _count(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, list | tuple):
        return len(value)
    assert isinstance(value, int)
    return value


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


def case_row(rule: Cases, address: str, answers: Answers) -> int | None:
    """The index of the first matching row of a decision table."""
    truth = {key: answers.get(addr) is True for key, addr in condition_addresses(rule, address)}
    for i, row in enumerate(rule.rows):
        if all(truth.get(k) == v for k, v in row.when.items()):
            return i
    return None


def compile_rule(rule: Rule, address: str, *, penalty: bool = False) -> Evaluate:
    """A function from answers to the points *rule* awards (zero and N/A leaves included).

    Args:
        rule: the rule.
        address: its address.
        penalty: the rule is a deduction of a `Deduct` (or nested in one); a `Flag` with
            ``at_least`` then deducts when the count falls short instead of awarding when met.
    """
    inner = _compile(rule, address, penalty)
    if rule.zero_if is not None:
        zero_at = f"{address}.zero"
        core = inner

        def inner(answers: Answers) -> Num:
            return 0 if answers.get(zero_at) is True else core(answers)

    return inner


def plain_flags(rule: Rule, address: str) -> list[tuple[str, Num]] | None:
    """The (address, points) of a rule that only adds plain flags, else None.

    A plain ``flag``, or uncapped ``parts`` made only of them, scores the sum of the points of
    the leaves answered ``true``; the hot path adds those without a call per rule.
    """
    if rule.zero_if is not None or rule.na_if is not None or rule.gate is not None or rule.bonus:
        return None
    if isinstance(rule, Flag):
        return None if rule.at_least else [(address, fast(rule.points))]
    if isinstance(rule, Parts) and rule.max is None:
        out: list[tuple[str, Num]] = []
        for addr, child in child_addresses(rule, address):
            found = plain_flags(child, addr)
            if found is None:
                return None
            out.extend(found)
        return out
    return None


def fast(value: Decimal) -> Num:
    """*value* as an int when it is whole: int sums are several times faster than Decimal
    ones and mix with them exactly, so the hot path adds whole points as ints."""
    return int(value) if value == value.to_integral_value() else value


def _compile(rule: Rule, address: str, penalty: bool) -> Evaluate:
    if isinstance(rule, Flag):
        points = fast(rule.points)
        if rule.at_least:
            need = rule.at_least
            if penalty:
                # "少于三处扣5分": deduct when a count is given and falls short of the threshold.
                return lambda a: points if (n := a.get(address)) is not None and n < need else 0
            return lambda a: points if (a.get(address) or 0) >= need else 0
        return lambda a: points if a.get(address) is True else 0
    if isinstance(rule, Check):
        return lambda a: 0
    if isinstance(rule, Each):
        per, need = fast(rule.per), rule.at_least or 0
        top = maximum(rule)
        cap = None if top is None else fast(top)

        def each(a: Answers) -> Num:
            n = _count(a.get(address))
            if n < need or n == 0:
                return 0
            got = per * n
            return cap if cap is not None and got > cap else got

        return each
    if isinstance(rule, Parts):
        fns = [compile_rule(c, addr, penalty=penalty) for addr, c in child_addresses(rule, address)]
        limit = None if rule.max is None else fast(rule.max)
        if limit is None:
            return lambda a: sum([f(a) for f in fns])
        return lambda a: min(sum([f(a) for f in fns]), limit)
    if isinstance(rule, Best):
        fns = [compile_rule(c, addr, penalty=penalty) for addr, c in child_addresses(rule, address)]
        return lambda a: max([f(a) for f in fns])
    if isinstance(rule, Bands):

        def bands(a: Answers) -> Num:
            band = band_for(rule, a.get(address))
            return 0 if band is None else band.points

        return bands
    if isinstance(rule, Linear):

        def linear(a: Answers) -> Num:
            value = a.get(address)
            return 0 if value is None else linear_award(rule, Decimal(value))

        return linear
    if isinstance(rule, Judged):
        return lambda a: Decimal(a.get(address) or 0)
    if isinstance(rule, Deduct):
        fns = [compile_rule(c, addr, penalty=True) for addr, c in child_addresses(rule, address)]
        start = fast(rule.points)

        def deduct(a: Answers) -> Num:
            left = start - sum([f(a) for f in fns])
            return left if left > 0 else 0

        return deduct

    def cases(a: Answers) -> Num:
        row = case_row(rule, address, a)
        return 0 if row is None else rule.rows[row].points

    return cases


# --- explanation ---------------------------------------------------------------------------


def explain(rule: Rule, address: str, answers: Answers, *, penalty: bool = False) -> tuple[Decimal, str]:
    """The points *rule* awards (or, with *penalty*, deducts) and why, in the standard's words."""
    points = Decimal(compile_rule(rule, address, penalty=penalty)(answers))
    if rule.zero_if is not None and answers.get(f"{address}.zero") is True:
        return points, f"本项不得分（{rule.zero_if}）"
    return points, _reason(rule, address, answers, points, penalty)


def _reason(rule: Rule, address: str, answers: Answers, points: Decimal, penalty: bool) -> str:  # noqa: C901 - one branch per kind
    value = answers.get(address)
    if isinstance(rule, Flag):
        if rule.at_least and penalty:
            if value is None:
                return "未填写，不扣分"
            return f"{value}处（少于{rule.at_least}处扣分），扣{fmt(points)}分"
        if rule.at_least:
            n = value or 0
            mark = "得" if points else "不足，"
            return f"{n}次（不少于{rule.at_least}次）{mark}{fmt(points)}分"
        if value is None:
            return "未填写，0分"
        return f"符合，得{fmt(points)}分" if value else "不符合，0分"
    if isinstance(rule, Check):
        if value is None:
            return "未填写（必须满足）"
        return "符合" if value else "不符合（必须满足）"
    if isinstance(rule, Each):
        if value is None:
            return "未填写，0分"
        n = _count(value)
        noun = rule.unit or "项"
        names = f"（{'、'.join(value)}）" if isinstance(value, list) and value else ""
        cap = maximum(rule)
        tail = f"（最高{fmt(cap)}分）" if cap is not None else ""
        if rule.at_least and n < rule.at_least:
            return f"{n}{noun}{names}，不足{rule.at_least}{noun}，0分"
        if cap is not None and rule.per * n > cap:
            return f"{n}{noun}{names} × {fmt(rule.per)}分 = {fmt(rule.per * n)}分，按最高{fmt(cap)}分计"
        return f"{n}{noun}{names} × {fmt(rule.per)}分 = {fmt(points)}分{tail}"
    if isinstance(rule, Parts | Deduct):
        terms = []
        for addr, child in child_addresses(rule, address):
            got = compile_rule(child, addr, penalty=penalty or isinstance(rule, Deduct))(answers)
            terms.append((addr.rsplit(".", 1)[-1], got))
        if isinstance(rule, Deduct):
            taken = sum((g for _, g in terms), ZERO)
            parts = "".join(f" − {fmt(g)}分（{k}）" for k, g in terms if g)
            floor = "（扣完为止）" if rule.points - taken < 0 else ""
            return f"{fmt(rule.points)}分{parts} = {fmt(points)}分{floor}"
        summed = sum((g for _, g in terms), ZERO)
        text = " + ".join(f"{k} {fmt(g)}分" for k, g in terms) + f" = {fmt(summed)}分"
        if rule.max is not None and summed > rule.max:
            text += f"，按最高{fmt(rule.max)}分计"
        return text
    if isinstance(rule, Best):
        scored = [
            (addr.rsplit(".", 1)[-1], compile_rule(c, addr, penalty=penalty)(answers))
            for addr, c in child_addresses(rule, address)
        ]
        best = next(k for k, g in scored if g == points)
        return f"取最高：{best} {fmt(points)}分（" + "，".join(f"{k} {fmt(g)}分" for k, g in scored) + "）"
    if isinstance(rule, Bands):
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
    if isinstance(rule, Linear):
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
    if isinstance(rule, Judged):
        lo, hi = rule.range
        return f"评定{fmt(points)}分（{fmt(lo)}~{fmt(hi)}分）"
    assert isinstance(rule, Cases)
    row = case_row(rule, address, answers)
    truth = "，".join(
        f"{key}{'是' if answers.get(addr) is True else '否'}"
        for key, addr in condition_addresses(rule, address)
    )
    if row is None:
        return f"{truth}：无匹配行，0分"
    return f"{truth}：第{row + 1}行，{fmt(points)}分"


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


def band_edges(rule: Bands) -> list[tuple[Decimal | None, bool, Decimal | None, bool, int]]:
    """Each band as (low, low_inclusive, high, high_inclusive, index), None for open."""
    out = []
    for i, b in enumerate(rule.bands):
        low = b.gt if b.gt is not None else b.ge
        high = b.lt if b.lt is not None else b.le
        out.append((low, b.ge is not None, high, b.le is not None, i))
    return out


def sort_key(edge: tuple[Decimal | None, bool, Decimal | None, bool, int]) -> tuple[float, Decimal, int]:
    """Sort bands by their lower edge, open first, inclusive before exclusive."""
    low, inclusive, _, _, _ = edge
    if low is None:
        return (-math.inf, ZERO, 0)
    return (0.0, low, 0 if inclusive else 1)
