"""``tiers``, named tiers of which a sheet names one: "符合…4分 基本符合…3—1分 不符合:0分".

A tier is worth fixed points, or a range the assessor chooses in ("基本符合…3—1分"); the answer
names the tier and, for a ranged one, its points. Inside a ``deduct`` the tiers are mutually
exclusive deductions ("未定计划扣2分，计划不完整扣1分"): at most one of them is taken.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from .._exact import multiple_of
from .._text import fmt
from .._tree import Node
from ..model import Tier, Tiers
from ._base import (
    ZERO,
    Answers,
    Blank,
    Evaluate,
    Kind,
    Leaf,
    Num,
    Report,
    detail,
    fast,
    register,
    same_name,
)


def worth(tier: Tier) -> str:
    """What *tier* is worth, as the standard writes it: ``4分``, ``1~3分``."""
    if tier.range is not None:
        return f"{fmt(tier.range[0])}~{fmt(tier.range[1])}分"
    return f"{fmt(tier.points or ZERO)}分"


def chosen(value: object) -> tuple[str, Decimal] | None:
    """The tier a validated answer names and its points, or None when it is unanswered."""
    if not isinstance(value, Mapping):
        return None
    return str(value["tier"]), Decimal(value["points"])


@register
class TiersKind(Kind):
    """Named tiers, one of which a sheet names; a ranged tier also takes its points."""

    name = "tiers"
    model = Tiers

    def leaves(self, rule: Tiers, address: str, item: str, penalty: bool) -> Iterator[Leaf]:
        # In a deduction a blank tier is a failing not found, as a blank flag is.
        blank: Blank = "none" if penalty else "zero"
        names = tuple(t.name for t in rule.tiers)
        yield Leaf(address, "tier", rule, item, rule.text, names, True, blank=blank)

    def maximum(self, rule: Tiers) -> Decimal:
        return max(
            (t.range[1] if t.range is not None else t.points or ZERO for t in rule.tiers), default=ZERO
        )

    def integral(self, rule: Tiers) -> bool:
        return all(t.range is None and isinstance(fast(t.points or ZERO), int) for t in rule.tiers)

    def compile(self, rule: Tiers, address: str) -> Evaluate:
        fixed = {t.name: fast(t.points) for t in rule.tiers if t.points is not None}

        def tiers(a: Answers) -> Num:
            value = a.get(address)
            if value is None:
                return 0
            found = fixed.get(value["tier"])
            return found if found is not None else Decimal(value["points"])

        return tiers

    def reason(self, rule: Tiers, address: str, answers: Answers, points: Decimal) -> str:
        found = chosen(answers.get(address))
        if found is None:
            return "未填写，0分"
        name, _ = found
        tier = next(t for t in rule.tiers if t.name == name)
        if tier.range is not None:
            return f"{name}（{worth(tier)}）：评定{fmt(points)}分"
        return f"{name}：{fmt(points)}分"

    def term(self, rule: Tiers, address: str, answers: Answers, taken: Decimal) -> str:
        found = chosen(answers.get(address))
        return f"{fmt(taken)}分{detail(address, found[0] if found else None)}"

    def check(self, node: Node, rule: Tiers, add: Report) -> None:
        if not rule.tiers:
            add(node, "tiers is empty")
            return
        clash = same_name("tier", (t.name for t in rule.tiers))
        if clash is not None:
            add(node, clash)
        for i, tier in enumerate(rule.tiers):
            where = f"{node.path}.tiers[{i}]"
            if not tier.name.strip():
                add(node, "a tier needs a name", where)
            if tier.points is None and tier.range is None:
                add(node, f"tier '{tier.name}' needs points or a range", where)
            elif tier.points is not None and tier.range is not None:
                add(node, f"tier '{tier.name}' takes points or a range, not both", where)
            if tier.points is not None and tier.points < 0:
                add(node, f"points must be 0 or more, got {fmt(tier.points)}", where)
            if tier.range is not None:
                lo, hi = tier.range
                if lo < 0 or hi <= 0 or lo > hi:
                    add(
                        node,
                        "range must be [low, high] with 0 ≤ low ≤ high and high > 0, "
                        f"got [{fmt(lo)}, {fmt(hi)}]",
                        where,
                    )
            if tier.step is not None:
                if tier.range is None:
                    add(node, f"step belongs to a tier with a range; tier '{tier.name}' has none", where)
                elif tier.step <= 0:
                    add(node, f"step must be more than 0, got {fmt(tier.step)}", where)
                elif not all(multiple_of(e, tier.step) for e in tier.range):
                    lo, hi = tier.range
                    add(
                        node,
                        f"range [{fmt(lo)}, {fmt(hi)}] has an end that is not a multiple of "
                        f"step {fmt(tier.step)}",
                        where,
                    )

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        rule = leaf.rule
        assert isinstance(rule, Tiers)
        shown = "、".join(f"{t.name}（{'扣' if deduction else ''}{worth(t)}）" for t in rule.tiers)
        ranged = next((t for t in rule.tiers if t.range is not None), None)
        tail = ""
        if ranged is not None:
            assert ranged.range is not None
            tail = f'；有分值范围的等级另填分值，如 "{ranged.name} {fmt(ranged.range[1])}"'
        return f"填写所列等级之一：{shown}{tail}"
