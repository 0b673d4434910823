"""The kinds made of other rules: ``parts`` (summed clauses), ``best`` (the best alternative) and
``deduct`` (points minus deductions, "扣完为止")."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import attrs

from .._text import fmt
from .._tree import Node, child_addresses, children
from ..model import Best, Deduct, Each, Parts
from ._base import (
    ZERO,
    Answers,
    Deduction,
    Evaluate,
    Kind,
    Leaf,
    Num,
    Report,
    answered,
    compile_rule,
    count,
    detail,
    fast,
    integral,
    kind_of,
    leaves,
    plain_flags,
    positive,
    reachable,
    register,
)


def _bound(rule: Parts | Best, *, with_bonus: bool) -> Decimal | None:
    """The sum (parts, capped) or the best (alternatives) of the children's bounds."""
    values = [
        kind_of(c).reachable(c) if with_bonus else kind_of(c).maximum(c)
        for c in children(rule)
        if with_bonus or not c.bonus
    ]
    if isinstance(rule, Best):
        return None if None in values else max((v for v in values if v is not None), default=ZERO)
    total = None if None in values else sum((v for v in values if v is not None), ZERO)
    if rule.max is not None:
        return rule.max if total is None else min(total, rule.max)
    return total


def _terms(rule: Parts | Best, address: str, answers: Answers) -> list[tuple[str, Num]]:
    return [
        (addr.rsplit(".", 1)[-1], compile_rule(child, addr)(answers))
        for addr, child in child_addresses(rule, address)
    ]


def _deductions(rule: Parts | Best | Deduct, address: str) -> list[Deduction]:
    return [compile_rule(c, addr, penalty=True) for addr, c in child_addresses(rule, address)]


@register
class PartsKind(Kind):
    """Independently scored clauses, summed and optionally capped."""

    name = "parts"
    model = Parts

    def maximum(self, rule: Parts) -> Decimal | None:
        return _bound(rule, with_bonus=False)

    def reachable(self, rule: Parts) -> Decimal | None:
        return _bound(rule, with_bonus=True)

    def integral(self, rule: Parts) -> bool:
        return all(integral(c) for c in rule.parts) and (rule.max is None or isinstance(fast(rule.max), int))

    def compile(self, rule: Parts, address: str) -> Evaluate:
        fns = [compile_rule(c, addr) for addr, c in child_addresses(rule, address)]
        limit = None if rule.max is None else fast(rule.max)
        if limit is None:
            return lambda a: sum([f(a) for f in fns])
        return lambda a: min(sum([f(a) for f in fns]), limit)

    def deduction(self, rule: Parts, address: str) -> Deduction:
        # Deductions made of parts: their sum, unknown as soon as one of them is.
        fns = _deductions(rule, address)
        limit = None if rule.max is None else fast(rule.max)

        def parts(a: Answers) -> Num | None:
            taken: Num = 0
            for f in fns:
                got = f(a)
                if got is None:
                    return None
                taken += got
            return taken if limit is None or taken < limit else limit

        return parts

    def reason(self, rule: Parts, address: str, answers: Answers, points: Decimal) -> str:
        terms = _terms(rule, address, answers)
        summed = sum((g for _, g in terms), ZERO)
        text = " + ".join(f"{k} {fmt(g)}分" for k, g in terms) + f" = {fmt(summed)}分"
        if rule.max is not None and summed > rule.max:
            text += f"，按最高{fmt(rule.max)}分计"
        return text

    def term(self, rule: Parts, address: str, answers: Answers, taken: Decimal) -> str:
        # Deductions made of parts: what each part took.
        fns = [
            (a.rsplit(".", 1)[-1], compile_rule(c, a, penalty=True))
            for a, c in child_addresses(rule, address)
        ]
        summed = " + ".join(f"{k} {fmt(f(answers) or ZERO)}分" for k, f in fns)
        return f"{fmt(taken)}分{detail(address, rule.text, summed)}"

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

    def integral(self, rule: Best) -> bool:
        return all(integral(c) for c in rule.alternatives)

    def compile(self, rule: Best, address: str) -> Evaluate:
        # An unanswered alternative scores what its kind gives a blank (0 for a figure it needs),
        # so a blank never makes one alternative win over an answered one.
        fns = [compile_rule(c, addr) for addr, c in child_addresses(rule, address)]
        return lambda a: max([f(a) for f in fns])

    def deduction(self, rule: Best, address: str) -> Deduction:
        fns = _deductions(rule, address)

        def best(a: Answers) -> Num | None:
            got = [f(a) for f in fns]
            return None if None in got else max(g for g in got if g is not None)

        return best

    def reason(self, rule: Best, address: str, answers: Answers, points: Decimal) -> str:
        scored = _terms(rule, address, answers)
        best = next(k for k, g in scored if g == points)
        return f"取最高：{best} {fmt(points)}分（" + "，".join(f"{k} {fmt(g)}分" for k, g in scored) + "）"

    def check(self, node: Node, rule: Best, add: Report) -> None:
        if not rule.alternatives:
            add(node, "alternatives is empty")


@register
class DeductKind(Kind):
    """Start from *points* and take the deductions away, never below 0.

    An unanswered deficiency (a flag, a count, a judged amount) was not found and takes nothing
    away; an unanswered figure a deduction is computed from (a measured value, a count short of
    ``at_least``, a decision table's condition) leaves the deduction unknown, and the item then
    scores 0 rather than its full points. A deduction answered not applicable (its ``na_if``)
    takes nothing away; a counted deduction that reaches its ``zero_at`` zeroes the item.
    """

    name = "deduct"
    model = Deduct
    points_declare_max = False

    def leaves(self, rule: Deduct, address: str, item: str, penalty: bool) -> Iterator[Leaf]:
        for addr, child in child_addresses(rule, address):
            yield from leaves(child, addr, item, penalty=True)

    def maximum(self, rule: Deduct) -> Decimal:
        return rule.points

    def integral(self, rule: Deduct) -> bool:
        return isinstance(fast(rule.points), int) and all(integral(c) for c in rule.deductions)

    def _scorer(self, rule: Deduct, address: str, unknown: Num | None) -> Deduction:
        fns = _deductions(rule, address)
        start = fast(rule.points)
        zeros = _zeros(rule, address)

        def deduct(a: Answers) -> Num | None:
            for at, need, off in zeros:
                if count(a.get(at)) >= need and not any(a.get(o) is True for o in off):
                    return 0
            taken: Num = 0
            for f in fns:
                got = f(a)
                if got is None:
                    return unknown
                taken += got
            left = start - taken
            return left if left > 0 else 0

        return deduct

    def compile(self, rule: Deduct, address: str) -> Evaluate:
        scored = self._scorer(rule, address, 0)
        return lambda a: scored(a) or 0

    def deduction(self, rule: Deduct, address: str) -> Deduction:
        return self._scorer(rule, address, None)

    def reason(self, rule: Deduct, address: str, answers: Answers, points: Decimal) -> str:
        for at, need, off in _zeros(rule, address):
            n = count(answers.get(at))
            if n >= need and not any(answers.get(o) is True for o in off):
                child = next(c for a, c in child_addresses(rule, address) if a == at)
                assert isinstance(child, Each)
                noun = child.unit or "项"
                value = answers.get(at)
                names = f"（{'、'.join(value)}）" if isinstance(value, list) and value else ""
                key = at.rsplit(".", 1)[-1]
                return f"{key} {n}{noun}{names}，达到{need}{noun}本项不得分，0分"
        terms = [
            (addr.rsplit(".", 1)[-1], compile_rule(c, addr, penalty=True)(answers), c, addr)
            for addr, c in child_addresses(rule, address)
        ]
        unknown = [k for k, g, _, _ in terms if g is None]
        if unknown:
            return f"{'、'.join(unknown)} 未填写，无法计算扣分，0分"
        taken = sum((g for _, g, _, _ in terms if g is not None), ZERO)
        parts = "".join(f" − {kind_of(c).term(c, addr, answers, Decimal(g))}" for _, g, c, addr in terms if g)
        floor = "（扣完为止）" if rule.points - taken < 0 else ""
        inapplicable = [
            k for k, _, c, addr in terms if c.na_if is not None and answers.get(f"{addr}.na") is True
        ]
        blank = [
            k
            for k, g, c, addr in terms
            if not g
            and k not in inapplicable
            and not answered(c, addr, answers)
            and answers.get(f"{addr}.zero") is not True
        ]
        none = f"；{'、'.join(blank)} 未填写，按无扣分计" if blank else ""
        na = "".join(f"；{k} 不适用（{c.na_if}）" for k, _, c, _ in terms if k in inapplicable)
        return f"{fmt(rule.points)}分{parts} = {fmt(points)}分{floor}{na}{none}"

    def check(self, node: Node, rule: Deduct, add: Report) -> None:
        if not rule.deductions:
            add(node, "deductions is empty")
        for i, (addr, child) in enumerate(child_addresses(rule, address=node.address)):
            once = kind_of(child).single(child)
            if once is not None and once > rule.points:
                add(
                    node,
                    f"deduction {addr} takes {fmt(once)} points at once, more than the "
                    f"{fmt(rule.points)} points the item has",
                    f"{node.path}.deductions[{i}]",
                    severity="warning",
                )


def _zeros(rule: Deduct, address: str) -> list[tuple[str, int, tuple[str, ...]]]:
    """The counted deductions of *rule* that zero the item ("都不知晓的不得分"): each one's
    address, its ``zero_at`` and the clauses that turn it off (its zero and N/A answers)."""
    out = []
    for addr, child in child_addresses(rule, address):
        if isinstance(child, Each) and child.zero_at:
            off = tuple(
                f"{addr}.{suffix}"
                for suffix, condition in (("zero", child.zero_if), ("na", child.na_if))
                if condition is not None
            )
            out.append((addr, child.zero_at, off))
    return out
