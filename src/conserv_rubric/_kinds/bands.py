"""``bands``: points by the band a number, or its ratio to a reference, falls in ("≤0.9×平均值 得7分 …")."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from decimal import Decimal

from .._text import fmt
from .._tree import Node
from ..model import Band, Bands
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
    register,
)
from .measured import check_range, number_what, range_hint


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
        return f"填写{number_what(leaf)}" + range_hint(leaf) + tail
