"""``each``, the capped counter: "每项得1分，最高得5分", "每次得2分，最高得4分"."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

from .._exact import finite
from .._text import fmt
from .._tree import Node
from ..model import Each
from ._base import (
    Answers,
    Blank,
    Evaluate,
    Kind,
    Leaf,
    Num,
    Report,
    check_said_at_least,
    check_said_cap,
    count,
    detail,
    fast,
    is_deduction,
    positive,
    register,
    same_name,
)
from ._said import said_per


@register
class EachKind(Kind):
    """*per* points for each counted thing (a count or distinct names), capped at *max*."""

    name = "each"
    model = Each

    def leaves(self, rule: Each, address: str, item: str, penalty: bool) -> Iterator[Leaf]:
        closed = bool(rule.options) and not rule.open
        # In a deduction ("每发现一处扣2分") a blank count is a failing not found.
        blank: Blank = "none" if penalty else "zero"
        yield Leaf(address, "count_or_names", rule, item, rule.text, rule.options, closed, blank=blank)

    def maximum(self, rule: Each) -> Decimal | None:
        if rule.max is not None:
            return rule.max
        if rule.options and not rule.open:
            return rule.per * len(rule.options)
        return None

    def integral(self, rule: Each) -> bool:
        top = self.maximum(rule)
        return isinstance(fast(rule.per), int) and (top is None or isinstance(fast(top), int))

    def compile(self, rule: Each, address: str) -> Evaluate:
        per, need = fast(rule.per), rule.at_least or 0
        top = self.maximum(rule)
        if top is None:
            return lambda a: 0 if (n := count(a.get(address))) < need else per * n
        cap = fast(top)
        # The count from which the cap is reached: a larger count is never multiplied out.
        full = math.ceil(Fraction(top) / Fraction(rule.per))

        def each(a: Answers) -> Num:
            n = count(a.get(address))
            if n < need or n == 0:
                return 0
            return cap if n >= full else per * n

        return each

    def reason(self, rule: Each, address: str, answers: Answers, points: Decimal) -> str:
        value = answers.get(address)
        if value is None:
            return "未填写，0分"
        if isinstance(value, list):
            return self.named(rule, self.counted(rule, len(value), points), value)
        return self.counted(rule, count(value), points)

    def named(self, rule: Each, counted: str, names: list[str]) -> str:
        """The reason for an answer naming *names*, from *counted*, the reason for their count
        alone: the names follow the count (``3项（节能、节水、节电） × 1分 = 3分``)."""
        if not names:
            return counted
        before, after = self.around(rule, counted, len(names))
        return f"{before}{'、'.join(names)}{after}"

    def around(self, rule: Each, counted: str, n: int) -> tuple[str, str]:
        """What the reason for *n* names writes before and after them, from *counted*, the
        reason for the count alone: the names follow the count, in brackets."""
        head = f"{n}{rule.unit or '项'}"
        assert counted.startswith(head)  # every reason for a count opens with it
        return f"{head}（", f"）{counted[len(head) :]}"

    def counted(self, rule: Each, n: int, points: Decimal) -> str:
        """The reason for a count of *n*, answered as a number, that earns *points*."""
        noun = rule.unit or "项"
        cap = self.maximum(rule)
        tail = f"（最高{fmt(cap)}分）" if cap is not None else ""
        if rule.at_least and n < rule.at_least:
            return f"{n}{noun}，不足{rule.at_least}{noun}，0分"
        product = finite(Fraction(rule.per) * n)
        assert product is not None  # a finite decimal times a count
        if cap is not None and product > cap:
            return f"{n}{noun} × {fmt(rule.per)}分 = {fmt(product)}分，按最高{fmt(cap)}分计"
        return f"{n}{noun} × {fmt(rule.per)}分 = {fmt(points)}分{tail}"

    def single(self, rule: Each) -> Decimal:
        return rule.per

    def term(self, rule: Each, address: str, answers: Answers, taken: Decimal) -> str:
        value = answers.get(address)
        n = count(value)
        noun = rule.unit or "项"
        names = "、".join(value) if isinstance(value, list) else None
        product = finite(Fraction(rule.per) * n)
        assert product is not None  # a finite decimal times a count
        if product != taken:  # capped
            capped = f"{n}{noun} × {fmt(rule.per)}分 = {fmt(product)}分，按最多{fmt(taken)}分计"
            return f"{fmt(taken)}分{detail(address, names, capped)}"
        return f"{fmt(rule.per)}分 × {n}{noun}{detail(address, names)}"

    def check(self, node: Node, rule: Each, add: Report) -> None:
        positive(node, add, "at_least", rule.at_least)
        positive(node, add, "per", rule.per)
        positive(node, add, "max", rule.max)
        closed = bool(rule.options) and not rule.open
        clash = same_name("option", rule.options)
        if clash is not None:
            add(node, clash)
        if rule.at_least is not None and closed and rule.at_least > len(rule.options):
            add(
                node,
                f"at_least {rule.at_least} cannot be reached: the standard lists {len(rule.options)} options",
            )
        if rule.max is not None and closed and rule.per * len(rule.options) < rule.max:
            add(
                node,
                f"cap {fmt(rule.max)} cannot be reached: {len(rule.options)} options × {fmt(rule.per)}"
                f" = {fmt(rule.per * len(rule.options))}",
                expected=f"≤ {fmt(rule.per * len(rule.options))}",
                actual=fmt(rule.max),
            )
        if rule.open and not rule.options:
            add(node, "open = true needs options to extend")
        per = said_per(rule.text)
        if per is not None and per[1] != rule.per:
            add(
                node,
                f"the text says {per[0]}, but per = {fmt(rule.per)}",
                expected=fmt(per[1]),
                actual=fmt(rule.per),
                severity="warning",
            )
        check_said_cap(node, rule.text, self.maximum(rule), rule.max, add)
        check_said_at_least(node, rule.text, rule.at_least, add)
        if rule.zero_at is not None:
            positive(node, add, "zero_at", rule.zero_at)
            if not is_deduction(node):
                add(node, 'zero_at belongs on a counted deduction of a deduct ("都不知晓的不得分")')
            elif closed and rule.zero_at > len(rule.options):
                add(
                    node,
                    f"zero_at {rule.zero_at} cannot be reached: "
                    f"the standard lists {len(rule.options)} options",
                )
        if self.maximum(rule) is None and not is_deduction(node):
            add(node, "a counter that awards points needs a cap (max) or a closed list of options")

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        zero_at = getattr(leaf.rule, "zero_at", None)
        tail = f"；达到{zero_at}时本项不得分" if zero_at else ""
        if not leaf.options:
            return "填写数量（整数）" + tail
        more = "" if leaf.closed else "（也可填写其他名称）"
        return f"填写数量（整数）或所列名称，可选：{'、'.join(leaf.options)}{more}{tail}"
