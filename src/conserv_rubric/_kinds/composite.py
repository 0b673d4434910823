"""The kinds made of other rules: ``parts`` (summed clauses), ``best`` (the best alternative) and
``deduct`` (points minus deductions, "扣完为止")."""

from __future__ import annotations

from decimal import Decimal

import attrs

from .._text import fmt
from .._tree import Node, child_addresses, children
from ..model import Best, Deduct, Parts
from ._base import (
    ZERO,
    Answers,
    Evaluate,
    Kind,
    Num,
    Report,
    compile_rule,
    fast,
    maximum,
    plain_flags,
    positive,
    reachable,
    register,
)


def _bound(rule: Parts | Best, *, with_bonus: bool) -> Decimal | None:
    """The sum (parts, capped) or the best (alternatives) of the children's bounds."""
    bound = reachable if with_bonus else maximum
    values = [bound(c) for c in children(rule) if with_bonus or not c.bonus]
    if isinstance(rule, Best):
        return None if None in values else max((v for v in values if v is not None), default=ZERO)
    total = None if None in values else sum((v for v in values if v is not None), ZERO)
    if rule.max is not None:
        return rule.max if total is None else min(total, rule.max)
    return total


def _terms(rule: Parts | Deduct, address: str, answers: Answers, penalty: bool) -> list[tuple[str, Num]]:
    return [
        (addr.rsplit(".", 1)[-1], compile_rule(child, addr, penalty=penalty)(answers))
        for addr, child in child_addresses(rule, address)
    ]


@register
class PartsKind(Kind):
    """Independently scored clauses, summed and optionally capped."""

    name = "parts"
    model = Parts

    def maximum(self, rule: Parts) -> Decimal | None:
        return _bound(rule, with_bonus=False)

    def reachable(self, rule: Parts) -> Decimal | None:
        return _bound(rule, with_bonus=True)

    def compile(self, rule: Parts, address: str, penalty: bool) -> Evaluate:
        fns = [compile_rule(c, addr, penalty=penalty) for addr, c in child_addresses(rule, address)]
        limit = None if rule.max is None else fast(rule.max)
        if limit is None:
            return lambda a: sum([f(a) for f in fns])
        return lambda a: min(sum([f(a) for f in fns]), limit)

    def reason(self, rule: Parts, address: str, answers: Answers, points: Decimal, penalty: bool) -> str:
        terms = _terms(rule, address, answers, penalty)
        summed = sum((g for _, g in terms), ZERO)
        text = " + ".join(f"{k} {fmt(g)}分" for k, g in terms) + f" = {fmt(summed)}分"
        if rule.max is not None and summed > rule.max:
            text += f"，按最高{fmt(rule.max)}分计"
        return text

    def check(self, node: Node, rule: Parts, add: Report) -> None:
        positive(node, add, "max", rule.max)
        if not rule.parts:
            add(node, "parts is empty")
        elif rule.max is not None:
            summed = reachable(attrs.evolve(rule, max=None))
            if summed is not None and rule.max > summed:
                add(node, f"cap {fmt(rule.max)} cannot be reached: its parts add up to {fmt(summed)}")

    def plain_flags(self, rule: Parts, address: str) -> list[tuple[str, Num]] | None:
        if rule.max is not None:
            return None
        out: list[tuple[str, Num]] = []
        for addr, child in child_addresses(rule, address):
            found = plain_flags(child, addr)
            if found is None:
                return None
            out.extend(found)
        return out


@register
class BestKind(Kind):
    """The best of several alternatives ("…得7分；否则…")."""

    name = "best"
    model = Best

    def maximum(self, rule: Best) -> Decimal | None:
        return _bound(rule, with_bonus=False)

    def reachable(self, rule: Best) -> Decimal | None:
        return _bound(rule, with_bonus=True)

    def compile(self, rule: Best, address: str, penalty: bool) -> Evaluate:
        fns = [compile_rule(c, addr, penalty=penalty) for addr, c in child_addresses(rule, address)]
        return lambda a: max([f(a) for f in fns])

    def reason(self, rule: Best, address: str, answers: Answers, points: Decimal, penalty: bool) -> str:
        scored = _terms(rule, address, answers, penalty)  # type: ignore[arg-type]  # alternatives, like parts
        best = next(k for k, g in scored if g == points)
        return f"取最高：{best} {fmt(points)}分（" + "，".join(f"{k} {fmt(g)}分" for k, g in scored) + "）"

    def check(self, node: Node, rule: Best, add: Report) -> None:
        if not rule.alternatives:
            add(node, "alternatives is empty")


@register
class DeductKind(Kind):
    """Start from *points* and take the deductions away, never below 0."""

    name = "deduct"
    model = Deduct
    points_declare_max = False

    def maximum(self, rule: Deduct) -> Decimal:
        return rule.points

    def compile(self, rule: Deduct, address: str, penalty: bool) -> Evaluate:
        fns = [compile_rule(c, addr, penalty=True) for addr, c in child_addresses(rule, address)]
        start = fast(rule.points)

        def deduct(a: Answers) -> Num:
            left = start - sum([f(a) for f in fns])
            return left if left > 0 else 0

        return deduct

    def reason(self, rule: Deduct, address: str, answers: Answers, points: Decimal, penalty: bool) -> str:
        terms = _terms(rule, address, answers, True)
        taken = sum((g for _, g in terms), ZERO)
        parts = "".join(f" − {fmt(g)}分（{k}）" for k, g in terms if g)
        floor = "（扣完为止）" if rule.points - taken < 0 else ""
        return f"{fmt(rule.points)}分{parts} = {fmt(points)}分{floor}"

    def check(self, node: Node, rule: Deduct, add: Report) -> None:
        if not rule.deductions:
            add(node, "deductions is empty")
