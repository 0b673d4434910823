"""``judged``: points the assessor chooses within a range ("酌情扣1~5分")."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .._exact import multiple_of
from .._text import fmt
from .._tree import Node
from ..model import Judged
from ._base import (
    Answers,
    Blank,
    Evaluate,
    Kind,
    Leaf,
    Report,
    positive,
    register,
)
from ._said import said_range


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

        said = said_range(rule.text)
        if said is not None and (said[1], said[2]) != (lo, hi):
            add(
                node,
                f"the text says {said[0]}, but range = [{fmt(lo)}, {fmt(hi)}]",
                expected=f"[{fmt(said[1])}, {fmt(said[2])}]",
                actual=f"[{fmt(lo)}, {fmt(hi)}]",
                severity="warning",
            )

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        assert leaf.low is not None
        assert leaf.high is not None
        step = f"（以{fmt(leaf.step)}分为单位）" if leaf.step is not None else ""
        return f"0 或 {fmt(leaf.low)}~{fmt(leaf.high)} 之间的{'扣分' if deduction else '分值'}{step}"
