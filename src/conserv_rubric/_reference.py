"""An independent reading of the rubric format, for the property kit to check the engine against.

`conserv_rubric.strategies` declares the totals of the rubrics it generates with `rule_max`,
and `conserv_rubric.testing` recomputes awards and totals with `award` and `check_totals`.
These read docs/rubric-format.md directly — one branch per kind, without the library's rule
registry or compiler — so that a mistake in the engine shows up as a disagreement instead of
being repeated on both sides.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction
from typing import Any, Final

import attrs

from ._kinds import Leaf
from ._text import fmt
from ._tree import Node, children, join, letter, walk
from .model import (
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
    Tiers,
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
    if isinstance(rule, Tiers):
        return max(
            (t.range[1] if t.range is not None else t.points or ZERO for t in rule.tiers), default=ZERO
        )
    return max((r.points for r in rule.rows), default=ZERO)


def deduction_step(rule: Rule) -> Decimal | None:
    """The most one finding of a deduction takes away, read from docs/rules/deduct.md: a flag's
    points, a counter's per, a linear rule's first step (base + per), a judged range's top, and
    for the other kinds their maximum."""
    if isinstance(rule, Each):
        return rule.per
    if isinstance(rule, Linear):
        return rule.base + rule.per
    return rule_max(rule)


def is_partial(rubric: Rubric) -> bool:
    """Whether a ``published`` figure of the rubric, a unit or a project is above what was
    transcribed (docs/rules/published.md): such a rubric awards no level."""
    if rubric.published is not None and rubric.published > rubric.total:
        return True
    return any(
        g.node.published is not None and g.node.published > _transcribed(g)
        for unit in groups(rubric)
        for g in (unit, *unit.projects)
    )


def _transcribed(group: Group) -> Decimal:
    """What a unit or project was transcribed as: its declared points, else its children's."""
    node = group.node
    if node.points is not None:
        return node.points
    if group.projects:
        return group_sum((_transcribed(p) for p in group.projects), node.max)
    return group_sum((rule_max(r) or ZERO for _, r in group.items if not r.bonus), node.max)


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


@attrs.frozen
class UnitRow:
    """A unit as the total sees it: its points, declared maximum, applicable maximum (what its
    applicable items can score), whether it is a bonus unit, and its weight."""

    points: Decimal
    declared: Decimal
    applicable: Decimal
    bonus: bool
    weight: Decimal


def total_of(rubric: Rubric, rows: Sequence[UnitRow]) -> Decimal:
    """The total from unit scores, read from docs/rules/aggregate.md and docs/rules/na_if.md.

    Under ``na = "rescale"`` a base unit of which nothing applies leaves both the sum and its
    maximum, and what remains is scaled up to the full maximum; the result is rounded half up
    to ``digits`` once. An aggregate divisor that does not divide exactly rounds likewise.
    """
    agg = rubric.aggregate
    base_points = sum((Fraction(r.points) * Fraction(r.weight) for r in rows if not r.bonus), Fraction(0))
    bonus_points = sum((Fraction(r.points) * Fraction(r.weight) for r in rows if r.bonus), Fraction(0))
    gone = [r for r in rows if not r.bonus and r.applicable == 0 and r.declared > 0]
    rounded = False
    if rubric.na == "rescale" and gone:
        full = sum((Fraction(r.declared) * Fraction(r.weight) for r in rows if not r.bonus), Fraction(0))
        left = full - sum((Fraction(r.declared) * Fraction(r.weight) for r in gone), Fraction(0))
        base_points = base_points * full / left if left else Fraction(0)
        rounded = True
    total = base_points + bonus_points
    if agg is not None:
        total = (Fraction(agg.base) + total) / Fraction(agg.divisor)
    places = rubric.digits or 0
    if rounded:
        return half_up(total, places)
    exact = WIDE.divide(Decimal(total.numerator), Decimal(total.denominator))
    if WIDE.multiply(exact, Decimal(total.denominator)) != total.numerator:  # no finite decimal
        return half_up(total, places)
    return exact


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


#: Wide enough for any quotient of figures within the input limits to be rounded only once.
WIDE: Final = Context(prec=200, rounding=ROUND_HALF_UP)


def half_up(value: Fraction, places: int) -> Decimal:
    """*value* rounded half away from zero to *places* decimals, with the decimal module's own
    rounding (the engine rounds integers of its own). A quotient of small numbers that is no
    finite decimal lies far from any half, so its 200-digit approximation rounds the same."""
    wide = WIDE.divide(Decimal(value.numerator), Decimal(value.denominator))
    return wide.quantize(Decimal(1).scaleb(-places), context=WIDE)


def award(rule: Rule, address: str, answers: Mapping[str, Any], penalty: bool) -> Decimal:
    """What *rule* awards (with *penalty*: deducts), read from docs/rubric-format.md and the
    table of unanswered leaves in docs/scoring.md, without the library's compiler."""
    got = deducted(rule, address, answers) if penalty else _award(rule, address, answers)
    return ZERO if got is None else got


def _missing(answers: Mapping[str, Any], address: str) -> bool:
    return answers.get(address) is None


def deducted(rule: Rule, address: str, answers: Mapping[str, Any]) -> Decimal | None:
    """What *rule* takes away as a deduction, or None when it cannot be known: a figure it is
    computed from was left unanswered (a measured value, a count to compare with at_least,
    a condition the row depends on). A deduction answered not applicable takes nothing."""
    if rule.zero_if is not None and answers.get(f"{address}.zero") is True:
        return ZERO
    if rule.na_if is not None and answers.get(f"{address}.na") is True:
        return ZERO
    kids = [(join(address, c.id or letter(i)), c) for i, c in enumerate(children(rule))]
    if isinstance(rule, Flag) and rule.at_least:
        # "少于三处扣5分": no count given, no way to tell whether it falls short
        if _missing(answers, address):
            return None
        return rule.points if answers[address] < rule.at_least else ZERO
    if isinstance(rule, Bands | Linear) and _missing(answers, address):
        return None
    if isinstance(rule, Cases):
        row = table_row(rule, address, answers)
        if row is None:
            return None
        return ZERO if row < 0 else rule.rows[row].points
    if isinstance(rule, Parts | Best):
        taken = [deducted(c, a, answers) for a, c in kids]
        if any(t is None for t in taken):
            return None
        known = [t for t in taken if t is not None]
        if isinstance(rule, Best):
            return max(known, default=ZERO)
        summed = sum(known, ZERO)
        return summed if rule.max is None else min(summed, rule.max)
    if isinstance(rule, Deduct):
        if zeroed(rule, kids, answers):
            return ZERO
        taken = [deducted(c, a, answers) for a, c in kids]
        if any(t is None for t in taken):
            return None
        return max(rule.points - sum((t for t in taken if t is not None), ZERO), ZERO)
    # flag, each, judged, tiers: a failing not recorded was not found; bands and linear, answered
    return _award(rule, address, answers)


def zeroed(rule: Deduct, kids: Sequence[tuple[str, Rule]], answers: Mapping[str, Any]) -> bool:
    """Whether a counted deduction of *rule* reached its ``zero_at`` ("都不知晓的不得分"), unless
    that deduction is switched off (its zero or N/A clause answered true)."""
    for a, c in kids:
        if not isinstance(c, Each) or not c.zero_at:
            continue
        off = (c.zero_if is not None and answers.get(f"{a}.zero") is True) or (
            c.na_if is not None and answers.get(f"{a}.na") is True
        )
        if not off and count_of(answers.get(a)) >= c.zero_at:
            return True
    return False


def _award(rule: Rule, address: str, answers: Mapping[str, Any]) -> Decimal:
    if rule.zero_if is not None and answers.get(f"{address}.zero") is True:
        return ZERO
    value = answers.get(address)
    if isinstance(rule, Flag):
        if rule.at_least:
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
        summed = sum((_award(c, a, answers) for a, c in kids), ZERO)
        return summed if rule.max is None else min(summed, rule.max)
    if isinstance(rule, Best):
        return max((_award(c, a, answers) for a, c in kids), default=ZERO)
    if isinstance(rule, Deduct):
        if zeroed(rule, kids, answers):
            return ZERO
        taken = [deducted(c, a, answers) for a, c in kids]
        if any(t is None for t in taken):
            return ZERO  # a deduction that cannot be computed: the item earns nothing
        return max(rule.points - sum((t for t in taken if t is not None), ZERO), ZERO)
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
        return ZERO if value is None else linear_points(rule, number_of(value))
    if isinstance(rule, Judged):
        return ZERO if value is None else number_of(value)
    if isinstance(rule, Tiers):
        return ZERO if value is None else tier_points(rule, value)
    row = table_row(rule, address, answers)
    return ZERO if row is None or row < 0 else rule.rows[row].points


def tier_points(rule: Tiers, value: object) -> Decimal:
    """The points of a ``tiers`` answer as docs/sheet-format.md writes it: a tier's name, or a
    ranged tier's name and points, as a table or as text with a space between ("基本符合 2")."""
    if isinstance(value, dict):
        name, points = value["tier"], value.get("points")
    else:
        assert isinstance(value, str)
        text = value.strip()
        names = {t.name for t in rule.tiers}
        name, points = (text, None) if text in names else (text.rsplit(None, 1)[0], text.rsplit(None, 1)[1])
    tier = next(t for t in rule.tiers if t.name == name)
    if tier.points is not None:
        return tier.points
    return number_of(Decimal(points) if isinstance(points, str) else points)


def linear_points(rule: Linear, x: Decimal) -> Decimal:
    """A `Linear` award from docs/rules/linear.md, in exact fractions, rounded once."""
    over = Fraction(x) - Fraction(rule.start)
    if rule.direction == "down":
        over = -over
    if over < 0:
        return ZERO
    steps = over / Fraction(rule.step)
    if rule.steps == "whole":
        steps = Fraction(steps.numerator // steps.denominator)
    elif rule.steps == "started":
        steps = Fraction(-(-steps.numerator // steps.denominator))
    got = Fraction(rule.base) + Fraction(rule.per) * steps
    if rule.digits is not None:
        points = half_up(got, rule.digits)
    else:
        points = WIDE.divide(Decimal(got.numerator), Decimal(got.denominator))  # finite: validated
    return points if rule.max is None else min(points, rule.max)


def table_row(rule: Cases, address: str, answers: Mapping[str, Any]) -> int | None:
    """The row a decision table gives: its index, -1 when no row matches, None when the row
    depends on a condition left unanswered. Small tables are read by trying every way the
    unanswered conditions could be answered: the row is known when all of them agree."""
    keys = [c.id or letter(i) for i, c in enumerate(rule.conditions)]
    given = {k: answers.get(join(address, k)) for k in keys}
    open_keys = [k for k in keys if given[k] is None]

    def first(truth: Mapping[str, object]) -> int:
        return next(
            (i for i, row in enumerate(rule.rows) if all(truth.get(k) is v for k, v in row.when.items())),
            -1,
        )

    if len(open_keys) > 8:  # too many ways: the first row not ruled out must name none of them
        for i, row in enumerate(rule.rows):
            if any(given.get(k) is not None and given.get(k) is not v for k, v in row.when.items()):
                continue
            return None if any(given.get(k) is None for k in row.when) else i
        return -1
    rows = {
        first({**given, **dict(zip(open_keys, combo, strict=True))})
        for combo in itertools.product((True, False), repeat=len(open_keys))
    }
    return rows.pop() if len(rows) == 1 else None


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
    with localcontext(WIDE):
        if step is not None:
            first = (low / step).to_integral_value(ROUND_CEILING)
            last = (high / step).to_integral_value(ROUND_FLOOR)
            ks = range(int(first), int(last) + 1)
            values = [step * k for k in (*ks[:20], *ks[-20:])]  # both ends of a long range
        else:
            values = [low + (high - low) * k / 8 for k in range(9)]
        return sorted({ZERO, *values})
