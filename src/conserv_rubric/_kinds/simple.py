"""The yes/no kinds: ``flag`` ("…，得2分", or a count reaching a threshold) and ``check`` (控制项)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .._indicators import INDICATOR_NAMES
from .._text import fmt, suggest
from .._tree import Node
from ..model import Check, Flag
from ._base import (
    Answers,
    Blank,
    Deduction,
    Evaluate,
    Kind,
    Leaf,
    Num,
    Report,
    Shape,
    check_said_at_least,
    detail,
    fast,
    positive,
    register,
)
from ._said import said_points


@register
class FlagKind(Kind):
    """ "…，得2分": *points* when met, or (with ``at_least``) when a count reaches it."""

    name = "flag"
    model = Flag
    points_declare_max = False

    def leaves(self, rule: Flag, address: str, item: str, penalty: bool) -> Iterator[Leaf]:
        # In a deduction a blank flag is a failing not found; a blank count short of at_least
        # ("少于三处扣5分") is a figure the deduction needs.
        blank: Blank = ("void" if rule.at_least else "none") if penalty else "zero"
        shape: Shape = "count" if rule.at_least else "bool"
        yield Leaf(address, shape, rule, item, rule.text, blank=blank)

    def maximum(self, rule: Flag) -> Decimal:
        return rule.points

    def integral(self, rule: Flag) -> bool:
        return isinstance(fast(rule.points), int)

    def compile(self, rule: Flag, address: str) -> Evaluate:
        points = fast(rule.points)
        if rule.at_least:
            need = rule.at_least
            return lambda a: points if (a.get(address) or 0) >= need else 0
        return lambda a: points if a.get(address) is True else 0

    def deduction(self, rule: Flag, address: str) -> Deduction:
        if not rule.at_least:
            return self.compile(rule, address)
        points, need = fast(rule.points), rule.at_least

        # "少于三处扣5分": deduct when the count falls short; without a count, nothing is known.
        def short(a: Answers) -> Num | None:
            n = a.get(address)
            return None if n is None else points if n < need else 0

        return short

    def reason(self, rule: Flag, address: str, answers: Answers, points: Decimal) -> str:
        value = answers.get(address)
        if value is None:
            return "未填写，0分"
        if rule.at_least:
            mark = "得" if points else "不足，"
            return f"{value}次（不少于{rule.at_least}次）{mark}{fmt(points)}分"
        return f"符合，得{fmt(points)}分" if value else "不符合，0分"

    def term(self, rule: Flag, address: str, answers: Answers, taken: Decimal) -> str:
        if rule.at_least:
            said = f"{answers.get(address)}，少于{rule.at_least}"
            return f"{fmt(taken)}分{detail(address, said, rule.text)}"
        return f"{fmt(taken)}分{detail(address, rule.text)}"

    def check(self, node: Node, rule: Flag, add: Report) -> None:
        positive(node, add, "at_least", rule.at_least)
        check_said_at_least(node, rule.text, rule.at_least, add)
        said = said_points(rule.text)
        if said is not None and said != rule.points:
            add(
                node,
                f"the text says {fmt(said)}分, but points = {fmt(rule.points)}",
                expected=fmt(said),
                actual=fmt(rule.points),
                severity="warning",
            )
        if rule.indicator is not None:
            if rule.indicator not in INDICATOR_NAMES:
                names = INDICATOR_NAMES
                hint = suggest(rule.indicator, names)
                add(node, f"unknown indicator '{rule.indicator}'{hint}; expected one of {', '.join(names)}")
            if rule.at_least:
                add(
                    node, "a flag bound to an energy indicator takes no at_least: the indicator is met or not"
                )

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        if leaf.shape == "bool":
            return "填写 true 或 false"
        need = getattr(leaf.rule, "at_least", None)
        return f"填写数量（整数），{'少于' if deduction else '达到'}{need}时{'扣分' if deduction else '得分'}"

    def plain_flags(self, rule: Flag, address: str) -> list[tuple[str, Num]] | None:
        return None if rule.at_least else [(address, fast(rule.points))]


@register
class CheckKind(Kind):
    """A pass/fail item worth no points (控制项, prerequisite); always a gate."""

    name = "check"
    model = Check

    def leaves(self, rule: Check, address: str, item: str, penalty: bool) -> Iterator[Leaf]:
        yield Leaf(address, "bool", rule, item, rule.text)

    def maximum(self, rule: Check) -> Decimal:
        return Decimal(0)

    def integral(self, rule: Check) -> bool:
        return True

    def compile(self, rule: Check, address: str) -> Evaluate:
        return lambda a: 0

    def reason(self, rule: Check, address: str, answers: Answers, points: Decimal) -> str:
        value = answers.get(address)
        if value is None:
            return "未填写（必须满足）"
        return "符合" if value else "不符合（必须满足）"

    def check(self, node: Node, rule: Check, add: Report) -> None:
        if node.kind == "rule":
            add(node, "a check is an item of its own, not a part of one")
