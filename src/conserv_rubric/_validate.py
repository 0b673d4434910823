"""Validation: declared totals against computed maxima, and every other check of DESIGN §4."""

from __future__ import annotations

import collections
import itertools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Final

import attrs

from ._index import Node, walk
from ._model import (
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
    Project,
    Rubric,
    Rule,
    Unit,
)
from ._paths import letter
from ._rules import ZERO, band_edges, fmt, leaves, maximum, reachable, sort_key
from .errors import Problem

_ID: Final = re.compile(r"[A-Za-z0-9_-]+")

#: Decision tables with more conditions than this are not checked combination by combination.
MAX_CASE_CONDITIONS: Final = 12
#: Longer decision tables are refused.
MAX_CASE_ROWS: Final = 256


def _sum_or_none(values: list[Decimal | None]) -> Decimal | None:
    total = ZERO
    for v in values:
        if v is None:
            return None
        total += v
    return total


def declared_or_max(rule: Rule) -> Decimal | None:
    """What a rule contributes to its parent's total: its declared points, else its maximum."""
    if rule.bonus:
        return ZERO
    declared = getattr(rule, "points", None)
    return declared if declared is not None else maximum(rule)


def group_max(node: Unit | Project) -> Decimal | None:
    """The computed maximum of a unit or project from its children's declared points."""
    if isinstance(node, Unit) and node.projects:
        values = [p.points if p.points is not None else group_max(p) for p in node.projects]
    else:
        values = [declared_or_max(i) for i in node.items]
    total = _sum_or_none(values)
    if total is not None and node.max is not None:
        return min(total, node.max)
    return total


def unit_weight(rubric: Rubric, address: str) -> Decimal:
    """The weight of the unit at *address* in the total (1 without an aggregate)."""
    if rubric.aggregate is None:
        return Decimal(1)
    return rubric.aggregate.weights.get(address, Decimal(1))


def transform(rubric: Rubric, weighted_sum: Decimal, *, with_base: bool = True) -> Decimal:
    """Apply the rubric's aggregate (base and divisor) to a weighted sum of unit scores."""
    agg = rubric.aggregate
    if agg is None:
        return weighted_sum
    return ((agg.base if with_base else ZERO) + weighted_sum) / agg.divisor


def validate(rubric: Rubric) -> list[Problem]:  # noqa: C901 - a flat list of checks
    """Check *rubric* and return every problem found.

    The declared total of the rubric, each unit, project and composite item is compared with
    what its children add up to, taking each child's declared figure where it has one and its
    computed maximum otherwise, so that one wrong figure is reported once, where it is.
    Addresses must be unique, caps reachable, bands without gaps or overlaps, decision tables
    complete, and levels ascending and within the total.

    Returns:
        The problems, empty when the rubric is valid. Each names the node by address and
        TOML path.
    """
    problems: list[Problem] = []
    nodes = list(walk(rubric))

    def add(
        node: Node | None,
        message: str,
        path: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        if node is None:
            problems.append(Problem(path=path, message=message, expected=expected, actual=actual))
        else:
            problems.append(
                Problem(
                    path=path or node.path,
                    address=node.address,
                    label=node.label,
                    message=message,
                    expected=expected,
                    actual=actual,
                )
            )

    seen: dict[str, Node] = {}
    for node in nodes:
        if node.address in seen:
            first = seen[node.address]
            add(node, f"duplicate address {node.address}, already used by {first.path}")
        else:
            seen[node.address] = node
    leaf_seen: dict[str, str] = {}
    for node in nodes:
        if node.kind == "item":
            assert not isinstance(node.obj, Unit | Project)
            for leaf in leaves(node.obj, node.address, node.address):
                if leaf.address in seen and seen[leaf.address].kind in ("unit", "project"):
                    add(node, f"answer address {leaf.address} clashes with a unit or project")
                if leaf.address in leaf_seen and leaf.address != node.address:
                    add(node, f"duplicate answer address {leaf.address}")
                leaf_seen[leaf.address] = node.address

    if not rubric.units:
        add(None, "a rubric needs at least one unit", "units")
    if rubric.total <= 0:
        add(None, f"total must be more than 0, got {fmt(rubric.total)}", "total")

    for node in nodes:
        obj = node.obj
        if isinstance(obj, Unit | Project) and obj.id is not None and not _ID.fullmatch(obj.id):
            add(node, f"id must be letters, digits, '-' or '_' (no dots), got {obj.id!r}")
        if isinstance(obj, Unit):
            if not obj.projects and not obj.items:
                add(node, "is empty: a unit needs projects or items")
                continue
            if obj.projects and obj.items:
                add(node, "holds both projects and items; put the items in a project")
            _check_group(node, obj, "projects" if obj.projects else "items", add)
        elif isinstance(obj, Project):
            if not obj.items:
                add(node, "is empty: a project needs items")
                continue
            _check_group(node, obj, "items", add)
        else:
            _check_rule(node, obj, add)

    base_units = [
        (u, n)
        for u, n in zip(rubric.units, (n for n in nodes if n.kind == "unit"), strict=True)
        if not u.bonus
    ]
    bonus_units = [
        (u, n) for u, n in zip(rubric.units, (n for n in nodes if n.kind == "unit"), strict=True) if u.bonus
    ]

    def units_total(pairs: list[tuple[Unit, Node]], *, with_base: bool) -> Decimal | None:
        values = [
            None
            if (v := (u.points if u.points is not None else group_max(u))) is None
            else v * unit_weight(rubric, n.address)
            for u, n in pairs
        ]
        total = _sum_or_none(values)
        if total is None or (rubric.aggregate is not None and rubric.aggregate.divisor <= 0):
            return None
        return transform(rubric, total, with_base=with_base)

    base_total = units_total(base_units, with_base=True)
    if base_total is not None and base_total != rubric.total:
        how = "after the aggregate formula" if rubric.aggregate else ""
        add(
            None,
            f"declares {fmt(rubric.total)} points, its units add up to {fmt(base_total)}"
            + (f" {how}" if how else ""),
            "total",
            expected=fmt(rubric.total),
            actual=fmt(base_total),
        )
    bonus_total = units_total(bonus_units, with_base=False)
    if rubric.bonus is not None:
        if not bonus_units:
            add(None, "bonus is declared but no unit has bonus = true", "bonus")
        elif bonus_total is not None and bonus_total != rubric.bonus:
            add(
                None,
                f"declares {fmt(rubric.bonus)} points, its bonus units add up to {fmt(bonus_total)}",
                "bonus",
                expected=fmt(rubric.bonus),
                actual=fmt(bonus_total),
            )
    highest = rubric.total + (rubric.bonus if rubric.bonus is not None else bonus_total or ZERO)

    unit_nodes = {n.address: (n, n.obj) for n in nodes if n.kind == "unit"}
    previous: Decimal | None = None
    names: set[str] = set()
    for i, level in enumerate(rubric.levels):
        path = f"levels[{i}]"
        if level.name in names:
            add(None, f"level name '{level.name}' is used twice", f"{path}.name")
        names.add(level.name)
        if level.min <= 0:
            add(None, f"level '{level.name}' needs min > 0, got {fmt(level.min)}", f"{path}.min")
        if level.min > highest:
            add(
                None,
                f"level '{level.name}' needs {fmt(level.min)} points, "
                f"above the most a sheet can score ({fmt(highest)})",
                f"{path}.min",
                expected=f"≤ {fmt(highest)}",
                actual=fmt(level.min),
            )
        if previous is not None and level.min <= previous:
            add(
                None,
                f"levels must ascend: '{level.name}' needs {fmt(level.min)}, "
                f"not more than the level before ({fmt(previous)})",
                f"{path}.min",
            )
        previous = level.min
        for address, need in level.unit_min.items():
            found = unit_nodes.get(address)
            if found is None:
                add(None, f"no unit at address '{address}'", f"{path}.unit_min")
                continue
            cap = group_max(found[1])  # type: ignore[arg-type]  # a Unit
            if need < 0 or (cap is not None and need > cap):
                add(
                    None,
                    f"unit {address} can score at most {fmt(cap or ZERO)}, the level asks {fmt(need)}",
                    f"{path}.unit_min",
                )
        if level.unit_share is not None and not ZERO < level.unit_share <= 1:
            add(
                None,
                f"unit_share must be more than 0 and at most 1, got {fmt(level.unit_share)}",
                f"{path}.unit_share",
            )

    needs_na = [n for n in nodes if n.kind in ("item", "rule") and getattr(n.obj, "na_if", None) is not None]
    if needs_na and rubric.na is None:
        add(needs_na[0], 'has na_if, so the rubric must declare na = "exclude", "full" or "rescale"')
    if rubric.na == "rescale" and rubric.digits is None:
        add(None, 'na = "rescale" needs digits, the decimal places a rescaled score is rounded to', "na")
    if rubric.digits is not None and not 0 <= rubric.digits <= 10:
        add(None, f"digits must be between 0 and 10, got {rubric.digits}", "digits")
    if rubric.aggregate is not None:
        if rubric.aggregate.divisor <= 0:
            add(None, "divisor must be more than 0", "aggregate.divisor")
        for address, weight in rubric.aggregate.weights.items():
            if address not in unit_nodes:
                add(None, f"no unit at address '{address}'", "aggregate.weights")
            elif weight <= 0:
                add(
                    None,
                    f"the weight of unit {address} must be more than 0, got {fmt(weight)}",
                    "aggregate.weights",
                )
    return problems


Add = Callable[..., None]


def _check_group(node: Node, obj: Unit | Project, kids: str, add: Add) -> None:
    computed = group_max(obj)
    if obj.max is not None:
        summed = group_max(attrs.evolve(obj, max=None))
        if obj.max <= 0:
            add(node, f"max must be more than 0, got {fmt(obj.max)}")
        elif summed is not None and obj.max > summed:
            add(node, f"cap {fmt(obj.max)} cannot be reached: its {kids} add up to {fmt(summed)}")
    if obj.points is not None:
        if obj.points <= 0:
            add(node, f"points must be more than 0, got {fmt(obj.points)}")
        elif computed is None:
            add(node, f"declares {fmt(obj.points)} points, but one of its {kids} has no upper limit")
        elif computed != obj.points:
            add(
                node,
                f"declares {fmt(obj.points)} points, its {kids} add up to {fmt(computed)}",
                expected=fmt(obj.points),
                actual=fmt(computed),
            )


def _positive(node: Node, add: Add, name: str, value: Decimal | int | None, *, zero_ok: bool = False) -> None:
    if value is None:
        return
    if value < 0 or (value == 0 and not zero_ok):
        want = "0 or more" if zero_ok else "more than 0"
        add(node, f"{name} must be {want}, got {fmt(value)}")


def _check_rule(node: Node, rule: Rule, add: Add) -> None:  # noqa: C901 - one check per kind
    nested = node.kind == "rule"
    if nested and rule.gate is not None:
        add(node, "gate belongs on an item, not on a part of one")
    if rule.bonus and not (nested and node.path.rsplit(".", 1)[-1].startswith("parts[")):
        add(node, "bonus belongs on a part of a parts item (over-achievement beyond its points)")
    if nested and rule.na_if is not None:
        add(node, "na_if belongs on an item, not on a part of one")
    if rule.id is not None and not _ID.fullmatch(rule.id):
        add(node, f"id must be letters, digits, '-' or '_' (no dots), got {rule.id!r}")
    if isinstance(rule, Check) and nested:
        add(node, "a check is an item of its own, not a part of one")
    in_deduction = node.path.rsplit(".", 1)[-1].startswith("deductions[")
    _positive(node, add, "points", getattr(rule, "points", None))
    if isinstance(rule, Flag | Each) and rule.at_least is not None:
        _positive(node, add, "at_least", rule.at_least)
    if isinstance(rule, Each):
        _positive(node, add, "per", rule.per)
        _positive(node, add, "max", rule.max)
        twice = [o for o, n in collections.Counter(rule.options).items() if n > 1]
        if twice:
            add(node, f"option '{twice[0]}' is listed twice")
        if rule.at_least is not None and rule.options and not rule.open and rule.at_least > len(rule.options):
            add(
                node,
                f"at_least {rule.at_least} cannot be reached: the standard lists {len(rule.options)} options",
            )
        if (
            rule.max is not None
            and rule.options
            and not rule.open
            and rule.per * len(rule.options) < rule.max
        ):
            add(
                node,
                f"cap {fmt(rule.max)} cannot be reached: {len(rule.options)} options × {fmt(rule.per)}"
                f" = {fmt(rule.per * len(rule.options))}",
                expected=f"≤ {fmt(rule.per * len(rule.options))}",
                actual=fmt(rule.max),
            )
        if rule.open and not rule.options:
            add(node, "open = true needs options to extend")
        if maximum(rule) is None and not in_deduction:
            add(node, "a counter that awards points needs a cap (max) or a closed list of options")
    elif isinstance(rule, Parts):
        _positive(node, add, "max", rule.max)
        if not rule.parts:
            add(node, "parts is empty")
        elif rule.max is not None:
            summed = reachable(attrs.evolve(rule, max=None))
            if summed is not None and rule.max > summed:
                add(node, f"cap {fmt(rule.max)} cannot be reached: its parts add up to {fmt(summed)}")
    elif isinstance(rule, Linear):
        _positive(node, add, "step", rule.step)
        _positive(node, add, "per", rule.per)
        _positive(node, add, "max", rule.max)
        _positive(node, add, "base", rule.base, zero_ok=True)
        if rule.max is None and not in_deduction:
            add(node, "a linear rule that awards points needs a cap (max)")
        if rule.digits is not None and not 0 <= rule.digits <= 10:
            add(node, f"digits must be between 0 and 10, got {rule.digits}")
    elif isinstance(rule, Judged):
        lo, hi = rule.range
        if lo < 0 or hi <= 0 or lo > hi:
            add(
                node,
                f"range must be [low, high] with 0 ≤ low ≤ high and high > 0, got [{fmt(lo)}, {fmt(hi)}]",
            )
        _positive(node, add, "step", rule.step)
        if rule.step is not None and rule.step > 0 and any(end % rule.step for end in rule.range):
            add(
                node,
                f"range [{fmt(lo)}, {fmt(hi)}] has an end that is not a multiple of step {fmt(rule.step)}",
            )
    elif isinstance(rule, Bands):
        _check_bands(node, rule, add)
    elif isinstance(rule, Cases):
        _check_cases(node, rule, add)
    elif isinstance(rule, Best) and not rule.alternatives:
        add(node, "alternatives is empty")
    elif isinstance(rule, Deduct) and not rule.deductions:
        add(node, "deductions is empty")
    declared = getattr(rule, "points", None)
    computed = maximum(rule)
    if (
        declared is not None
        and not isinstance(rule, Flag | Deduct)
        and computed is not None
        and declared != computed
    ):
        how = (
            "its parts add up to"
            if isinstance(rule, Parts) and rule.max is None
            else "its rule gives at most"
        )
        add(
            node,
            f"declares {fmt(declared)} points, {how} {fmt(computed)}",
            expected=fmt(declared),
            actual=fmt(computed),
        )
    if rule.gate_min is not None:
        top = reachable(rule)
        if rule.gate_min < 0 or (top is not None and rule.gate_min > top):
            add(
                node,
                f"gate_min {fmt(rule.gate_min)} cannot be reached: the item gives at most {fmt(top or ZERO)}",
            )
        if rule.gate is None and not isinstance(rule, Check):
            add(node, "gate_min needs gate")


def _check_bands(node: Node, rule: Bands, add: Add) -> None:
    if not rule.bands:
        add(node, "bands is empty")
        return
    for i, band in enumerate(rule.bands):
        where = f"{node.path}.bands[{i}]"
        if band.gt is not None and band.ge is not None:
            add(node, "a band takes gt or ge, not both", where)
        if band.lt is not None and band.le is not None:
            add(node, "a band takes lt or le, not both", where)
        if band.points < 0:
            add(node, f"points must be 0 or more, got {fmt(band.points)}", where)
    edges = sorted(band_edges(rule), key=sort_key)
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


def _check_cases(node: Node, rule: Cases, add: Add) -> None:
    keys = [c.id or letter(i) for i, c in enumerate(rule.conditions)]
    if not rule.conditions:
        add(node, "conditions is empty")
    if len(set(keys)) != len(keys):
        add(node, "condition ids must be unique")
    if not rule.rows:
        add(node, "rows is empty")
    for i, row in enumerate(rule.rows):
        if row.points < 0:
            add(node, f"points must be 0 or more, got {fmt(row.points)}", f"{node.path}.rows[{i}]")
        for key in row.when:
            if key not in keys:
                add(
                    node,
                    f"unknown condition '{key}'; conditions are {', '.join(keys)}",
                    f"{node.path}.rows[{i}].when",
                )
    if len(rule.rows) > MAX_CASE_ROWS:
        add(node, f"a decision table has at most {MAX_CASE_ROWS} rows, this one {len(rule.rows)}")
    elif rule.rows and len(keys) <= MAX_CASE_CONDITIONS:
        for combo in itertools.product((True, False), repeat=len(keys)):
            truth = dict(zip(keys, combo, strict=True))
            if not any(all(truth.get(k) == v for k, v in row.when.items()) for row in rule.rows):
                shown = ", ".join(f"{k} = {str(v).lower()}" for k, v in truth.items())
                add(node, f"no row matches {shown}; add a row without 'when' for the rest")
                break
