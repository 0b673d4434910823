"""An independent reading of the rubric format, for the property kit to check the engine against.

`conserv_rubric.strategies` declares the totals of the rubrics it generates with `rule_max`,
and `conserv_rubric.testing` recomputes awards and totals with `award` and `check_totals`.
These read docs/rubric-format.md directly — one branch per kind, without the library's rule
registry or compiler — so that a mistake in the engine shows up as a disagreement instead of
being repeated on both sides.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, Final

import attrs

from ._kinds import Leaf
from ._text import fmt
from ._tree import Node, children, join, letter, walk
from .model import (
    Bands,
    Best,
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

ZERO: Final = Decimal(0)


class PropertyFailure(AssertionError):
    """A rubric or its scoring breaks a property.

    Attributes:
        property: the property's name, one of `PROPERTIES`.
        address: the unit, project, item or leaf where it breaks (None: the rubric as a whole).
        detail: what is wrong, in one line or a few.
        answers: the answers that show it, if the property is about scoring.
    """

    def __init__(
        self, prop: str, detail: str, *, address: str | None = None, answers: Mapping[str, Any] | None = None
    ) -> None:
        self.property = prop
        self.address = address
        self.detail = detail
        self.answers = dict(answers) if answers is not None else None
        where = f" at {address}" if address and not detail.startswith(f"{address}:") else ""
        text = f"property '{prop}' failed{where}: {detail}"
        if answers is not None:
            text += f"\n  answers: {show_answers(answers)}"
        super().__init__(text)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # The default would call __init__ with the message alone (pickling, pytest-xdist).
        return _rebuild_failure, (self.property, self.detail, self.address, self.answers)


def _rebuild_failure(
    prop: str, detail: str, address: str | None, answers: Mapping[str, Any] | None
) -> PropertyFailure:
    return PropertyFailure(prop, detail, address=address, answers=answers)


def show(value: object) -> object:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dict):
        return {k: show(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [show(v) for v in value]
    return value


def show_answers(answers: Mapping[str, Any]) -> str:
    return json.dumps({k: show(v) for k, v in answers.items()}, ensure_ascii=False, default=str)


@attrs.frozen
class Group:
    """A unit or project with its items (address, rule) and, for a unit, its projects."""

    address: str
    node: Unit | Project
    items: tuple[tuple[str, Rule], ...]
    projects: tuple[Group, ...] = ()


def groups(rubric: Rubric) -> list[Group]:
    """The units of *rubric* as groups, from the one walker over the rubric."""
    Items = list[tuple[str, Rule]]
    units: list[tuple[str, Unit, Items, list[tuple[str, Project, Items]]]] = []
    for node in walk(rubric):
        if isinstance(node.obj, Unit):
            units.append((node.address, node.obj, [], []))
        elif isinstance(node.obj, Project):
            units[-1][3].append((node.address, node.obj, []))
        elif node.kind == "item":
            owner = units[-1][3][-1][2] if node.project is not None else units[-1][2]
            owner.append((node.address, node.rule))
    return [
        Group(a, u, tuple(items), tuple(Group(pa, p, tuple(pi)) for pa, p, pi in projects))
        for a, u, items, projects in units
    ]


def all_items(tree: Sequence[Group]) -> Iterable[tuple[str, Rule]]:
    """Every item of the groups, in rubric order."""
    for unit in tree:
        for project in unit.projects:
            yield from project.items
        yield from unit.items


# --- maxima, read from the format -----------------------------------------------------


def rule_max(rule: Rule) -> Decimal | None:
    """The most *rule* awards without over-achievement bonuses (None: unbounded)."""
    if isinstance(rule, Flag):
        return rule.points
    if isinstance(rule, Check):
        return ZERO
    if isinstance(rule, Each):
        if rule.max is not None:
            return rule.max
        return rule.per * len(rule.options) if rule.options and not rule.open else None
    if isinstance(rule, Parts):
        values = [rule_max(p) for p in rule.parts if not p.bonus]
        total = None if None in values else sum((v for v in values if v is not None), ZERO)
        if rule.max is None:
            return total
        return rule.max if total is None else min(total, rule.max)
    if isinstance(rule, Best):
        values = [rule_max(a) for a in rule.alternatives]
        return None if None in values else max((v for v in values if v is not None), default=ZERO)
    if isinstance(rule, Bands):
        return max((b.points for b in rule.bands), default=ZERO)
    if isinstance(rule, Linear):
        return rule.max
    if isinstance(rule, Judged):
        return rule.range[1]
    if isinstance(rule, Deduct):
        return rule.points
    return max((r.points for r in rule.rows), default=ZERO)


def rule_reach(rule: Rule) -> Decimal | None:
    """The most *rule* awards, over-achievement bonuses included."""
    if isinstance(rule, Parts):
        values = [rule_reach(p) for p in rule.parts]
        total = None if None in values else sum((v for v in values if v is not None), ZERO)
        if rule.max is None:
            return total
        return rule.max if total is None else min(total, rule.max)
    if isinstance(rule, Best):
        values = [rule_reach(a) for a in rule.alternatives]
        return None if None in values else max((v for v in values if v is not None), default=ZERO)
    return rule_max(rule)


def contribution(rule: Rule) -> Decimal:
    """What an item adds to its project's or unit's declared points."""
    top = rule_max(rule)
    assert top is not None, "a generated item is always bounded"
    return top


def group_sum(values: Iterable[Decimal], cap: Decimal | None) -> Decimal:
    total = sum(values, ZERO)
    return total if cap is None else min(total, cap)


# --- totals, recomputed --------------------------------------------------------------


def _item_value(address: str, rule: Rule) -> Decimal:
    """What an item adds to its group's declared points, recomputed from its rule."""
    if rule.bonus:
        return ZERO
    top = rule_max(rule)
    if top is None:
        raise PropertyFailure("totals", "the item has no upper limit", address=address)
    declared = getattr(rule, "points", None)
    if declared is not None and declared != top:
        raise PropertyFailure(
            "totals", f"declares {fmt(declared)} points, its rule gives at most {fmt(top)}", address=address
        )
    return top


def _group_value(group: Group) -> Decimal:
    """The computed maximum of a unit or project, checked against what it declares."""
    if group.projects:
        values = [_group_value(p) for p in group.projects]
    else:
        values = [_item_value(a, rule) for a, rule in group.items]
    summed = sum(values, ZERO)
    node = group.node
    computed = summed if node.max is None else min(summed, node.max)
    if node.points is not None and node.points != computed:
        raise PropertyFailure(
            "totals",
            f"declares {fmt(node.points)} points, its children add up to {fmt(computed)}",
            address=group.address,
        )
    return computed


def check_totals(rubric: Rubric, tree: Sequence[Group]) -> None:
    """Recompute every declared total with exact arithmetic of our own (DESIGN §4)."""
    agg = rubric.aggregate
    sums = {False: ZERO, True: ZERO}
    for unit in tree:
        assert isinstance(unit.node, Unit)
        weight = agg.weights.get(unit.address, Decimal(1)) if agg else Decimal(1)
        sums[unit.node.bonus] += _group_value(unit) * weight
    total, bonus = sums[False], sums[True]
    if agg is not None:
        total, bonus = (agg.base + total) / agg.divisor, bonus / agg.divisor
    if total != rubric.total:
        raise PropertyFailure(
            "totals", f"declares total {fmt(rubric.total)}, its units add up to {fmt(total)}"
        )
    if rubric.bonus is not None and bonus != rubric.bonus:
        raise PropertyFailure(
            "totals", f"declares bonus {fmt(rubric.bonus)}, its bonus units add up to {fmt(bonus)}"
        )


# --- awards, read from the format -------------------------------------------------------


def number_of(value: object) -> Decimal:
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)  # type: ignore[arg-type]  # an int or Decimal in a valid sheet


def count_of(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, list | tuple):
        return len(value)
    assert isinstance(value, int)
    return value


def award(rule: Rule, address: str, answers: Mapping[str, Any], penalty: bool) -> Decimal:  # noqa: C901 - one branch per kind, on purpose: no registry
    """What *rule* awards, read from docs/rubric-format.md without the library's compiler."""
    if rule.zero_if is not None and answers.get(f"{address}.zero") is True:
        return ZERO
    value = answers.get(address)
    if isinstance(rule, Flag):
        if rule.at_least:
            if penalty:  # "少于三处扣5分": a given count short of the threshold deducts
                return rule.points if value is not None and value < rule.at_least else ZERO
            return rule.points if (value or 0) >= rule.at_least else ZERO
        return rule.points if value is True else ZERO
    if isinstance(rule, Check):
        return ZERO
    if isinstance(rule, Each):
        n = count_of(value)
        if n == 0 or (rule.at_least and n < rule.at_least):
            return ZERO
        cap = (
            rule.max
            if rule.max is not None
            else rule.per * len(rule.options)
            if rule.options and not rule.open
            else None
        )
        got = rule.per * n
        return got if cap is None else min(got, cap)
    kids = [(join(address, c.id or letter(i)), c) for i, c in enumerate(children(rule))]
    if isinstance(rule, Parts):
        summed = sum((award(c, a, answers, penalty) for a, c in kids), ZERO)
        return summed if rule.max is None else min(summed, rule.max)
    if isinstance(rule, Best):
        return max((award(c, a, answers, penalty) for a, c in kids), default=ZERO)
    if isinstance(rule, Deduct):
        left = rule.points - sum((award(c, a, answers, True) for a, c in kids), ZERO)
        return max(left, ZERO)
    if isinstance(rule, Bands):
        if value is None:
            return ZERO
        x, ref = (
            (number_of(value["value"]), number_of(value["ref"]))
            if isinstance(value, dict)
            else (number_of(value), Decimal(1))
        )
        hits = [b for b in rule.bands if in_band(b, x, ref)]
        if len(hits) != 1:
            raise PropertyFailure(
                "award",
                f"{fmt(x)} (ref {fmt(ref)}) falls in {len(hits)} bands, not exactly one",
                address=address,
            )
        return hits[0].points
    if isinstance(rule, Linear):
        if value is None:
            return ZERO
        x = number_of(value)
        distance = x - rule.start if rule.direction == "up" else rule.start - x
        if distance < 0:
            return ZERO
        raw = distance / rule.step
        steps = {
            "whole": raw.to_integral_value(ROUND_FLOOR),
            "started": raw.to_integral_value(ROUND_CEILING),
            "exact": raw,
        }[rule.steps]
        got = rule.base + rule.per * steps
        if rule.max is not None:
            got = min(got, rule.max)
        if rule.digits is not None:
            got = got.quantize(Decimal(1).scaleb(-rule.digits), ROUND_HALF_UP)
        return got
    if isinstance(rule, Judged):
        return ZERO if value is None else number_of(value)
    truth = {
        c.id or letter(i): answers.get(join(address, c.id or letter(i))) is True
        for i, c in enumerate(rule.conditions)
    }
    for row in rule.rows:
        if all(truth.get(k) == v for k, v in row.when.items()):
            return row.points
    return ZERO


def in_band(band: Any, x: Decimal, ref: Decimal) -> bool:
    return not (
        (band.gt is not None and not x > band.gt * ref)
        or (band.ge is not None and not x >= band.ge * ref)
        or (band.lt is not None and not x < band.lt * ref)
        or (band.le is not None and not x <= band.le * ref)
    )


def item_nodes(rubric: Rubric) -> dict[str, list[Node]]:
    """Each item's address → the item's node and its nested rules' nodes, from the one walker."""
    out: dict[str, list[Node]] = {}
    current = ""
    for node in walk(rubric):
        if node.kind == "item":
            current = node.address
            out[current] = [node]
        elif node.kind == "rule":
            out[current].append(node)
    return out


def judged_values(leaf: Leaf) -> list[Decimal]:
    assert leaf.low is not None
    assert leaf.high is not None
    low, high, step = leaf.low, leaf.high, leaf.step
    if step is not None:
        first = (low / step).to_integral_value(ROUND_CEILING)
        last = (high / step).to_integral_value(ROUND_FLOOR)
        ks = range(int(first), int(last) + 1)
        values = [step * k for k in (*ks[:20], *ks[-20:])]  # both ends of a long range
    else:
        values = [low + (high - low) * k / 8 for k in range(9)]
    return sorted({ZERO, *values})
