"""What the kinds scored from a number share (``bands``, ``linear``): the range an answer may take,
the warnings about a rate's figures typed as fractions, and how their template hints name the figure."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .._text import fmt
from .._tree import Node
from ..model import Bands, Linear
from ._base import Leaf, Report

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


def number_what(leaf: Leaf) -> str:
    """What a number leaf asks for: the rule's ``measure``, or 数值."""
    return getattr(leaf.rule, "measure", None) or "数值"


def range_hint(leaf: Leaf) -> str:
    """The range a number answer must lie in, as the template says it."""
    if leaf.low is None or leaf.high is None:
        return ""
    return f"，{fmt(leaf.low)}~{fmt(leaf.high)}"
