"""Validation (DESIGN §4): declared totals against computed maxima, and every other check.

`validate` runs a list of named checks over the rubric, each reporting into one collector, the
way packaging collects every problem of a metadata file before raising. A rule kind's own checks
live with the kind (`conserv_rubric._kinds`); the checks here apply to every rule, group and the
rubric as a whole. Each problem is an error (the rubric cannot be used) or a warning (a likely
authoring mistake that still scores).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Final

import attrs

from ._exact import exactly
from ._frozen import Frozen
from ._kinds import ZERO, Report, Severity, is_deduction, kind_of, leaves, positive, reachable
from ._kinds._said import said_subtotal
from ._text import argument, fmt, suggest, suggest_address
from ._totals import declared_max, divides_exactly, group_max, sum_or_none, transform, unit_value, unit_weight
from ._tree import Node, walk
from .errors import Problem, RubricError, _Problems
from .model import Check, Parts, Project, Rubric, Rule, Unit

_ID: Final = re.compile(r"[A-Za-z0-9_-]+")


class Collector:
    """Collects the problems the checks report, in order, up to `MAX_PROBLEMS` of each severity."""

    def __init__(self) -> None:
        self.problems = _Problems()

    def __call__(
        self,
        node: Node | None,
        message: str,
        path: str | None = None,
        *,
        expected: str | None = None,
        actual: str | None = None,
        severity: Severity = "error",
    ) -> None:
        """Report a problem with *node* (None: the rubric as a whole, at *path*)."""
        if self.problems.full(severity):
            self.problems.count(1, severity)
        elif node is None:
            self.problems.append(
                Problem(path=path, message=message, expected=expected, actual=actual, severity=severity)
            )
        else:
            self.problems.append(
                Problem(
                    path=path or node.path,
                    address=node.address,
                    label=node.label,
                    message=message,
                    expected=expected,
                    actual=actual,
                    severity=severity,
                )
            )


@attrs.frozen(repr=False, eq=False)
class _Context(Frozen):
    rubric: Rubric
    nodes: list[Node]
    add: Collector

    @property
    def units(self) -> list[Node]:
        return [n for n in self.nodes if n.kind == "unit"]


# --- the checks, in the order their problems are listed -------------------------------------


def _unique_addresses(ctx: _Context) -> None:
    seen: dict[str, Node] = {}
    for node in ctx.nodes:
        if node.address in seen:
            ctx.add(node, f"duplicate address {node.address}, already used by {seen[node.address].path}")
        else:
            seen[node.address] = node
    leaf_seen: dict[str, str] = {}
    for node in ctx.nodes:
        if node.kind != "item":
            continue
        for leaf in leaves(node.rule, node.address, node.address):
            if leaf.address in seen and seen[leaf.address].kind in ("unit", "project"):
                ctx.add(node, f"answer address {leaf.address} clashes with a unit or project")
            if leaf.address in leaf_seen and leaf.address != node.address:
                ctx.add(node, f"duplicate answer address {leaf.address}")
            leaf_seen[leaf.address] = node.address


def _rubric_basics(ctx: _Context) -> None:
    if not ctx.rubric.units:
        ctx.add(None, "a rubric needs at least one unit", "units")
    if ctx.rubric.total <= 0:
        ctx.add(None, f"total must be more than 0, got {fmt(ctx.rubric.total)}", "total")
    _check_published(ctx, None, ctx.rubric.published, ctx.rubric.total)


def _check_published(
    ctx: _Context, node: Node | None, published: Decimal | None, recovered: Decimal | None
) -> None:
    """A published figure beside what was recovered: more than 0 and at least the recovered one."""
    if published is None:
        return
    path = None if node is not None else "published"
    if published <= 0:
        ctx.add(node, f"published must be more than 0, got {fmt(published)}", path)
    elif recovered is not None and recovered > published:
        ctx.add(
            node,
            f"published {fmt(published)} is less than the {fmt(recovered)} points transcribed",
            path,
            expected=f"≥ {fmt(recovered)}",
            actual=fmt(published),
        )
    elif recovered is not None and recovered == published:
        ctx.add(
            node,
            f"published {fmt(published)} equals the points transcribed: nothing is missing, "
            "leave published out",
            path,
            severity="warning",
        )


def _check_group(ctx: _Context, node: Node, obj: Unit | Project, kids: str) -> None:
    add = ctx.add
    computed = group_max(obj)
    _check_published(ctx, node, obj.published, obj.points if obj.points is not None else computed)
    if isinstance(obj, Project) and obj.consequence is not None and not obj.nonzero:
        add(node, "consequence needs nonzero: it says what a ★ project at 0 means")
    if isinstance(obj, Project) and obj.withholds is not None:
        if obj.nonzero:
            _check_withholds(ctx, node, obj.withholds)
        else:
            add(node, "withholds needs nonzero: it names the lowest level a ★ project at 0 withholds")
    summed = None if obj.max is None else group_max(attrs.evolve(obj, max=None))
    if obj.max is not None:
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
            # A cap that cut the children's sum is named: "add up to" the cap would be untrue.
            how = fmt(computed)
            if summed is not None and summed != computed:
                how = f"{fmt(summed)}, capped at {how} by its max"
            add(
                node,
                f"declares {fmt(obj.points)} points, its {kids} add up to {how}",
                expected=fmt(obj.points),
                actual=fmt(computed),
            )


def _check_id(add: Report, node: Node, given: str | None) -> None:
    """Report an `id` that is no address segment: empty, or holding other characters than
    letters, digits, '-' and '_'."""
    if given == "":
        position = node.address.rsplit(".", 1)[-1]
        what = "part" if node.kind == "rule" else node.kind
        add(
            node,
            f"id is empty: leave id out to address the {what} by its position ({position}), "
            "or write letters, digits, '-' or '_'",
            f"{node.path}.id",
        )
    elif given is not None and not _ID.fullmatch(given):
        add(node, f"id must be letters, digits, '-' or '_' (no dots), got {given!r}")


def _check_rule(ctx: _Context, node: Node, rule: Rule) -> None:
    add = ctx.add
    nested = node.kind == "rule"
    if nested and rule.gate is not None:
        add(node, "gate belongs on an item, not on a part of one")
    if rule.bonus and not (nested and node.path.rsplit(".", 1)[-1].startswith("parts[")):
        add(node, "bonus belongs on a part of a parts item (over-achievement beyond its points)")
    if nested and rule.na_if is not None and not is_deduction(node):
        add(node, "na_if belongs on an item or on a deduction of a deduct, not on a part of one")
    for key, given in (("nonzero", rule.nonzero), ("verifier_only", rule.verifier_only)):
        if nested and given:
            add(node, f"{key} belongs on an item, not on a part of one")
    _check_gate_keys(ctx, node, rule)
    _check_id(add, node, rule.id)
    kind = kind_of(rule)
    declared: Decimal | None = getattr(rule, "points", None)
    positive(node, add, "points", declared)
    kind.check(node, rule, add)
    _check_subtotal(node, rule, declared, add)
    computed = declared_max(rule)
    if declared is not None and kind.points_declare_max and computed is not None and declared != computed:
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
        elif rule.gate_min == 0 and not isinstance(rule, Check):
            add(node, "gate_min 0 never fails: every score reaches it", severity="warning")


def _check_withholds(ctx: _Context, node: Node, name: str) -> None:
    """``withholds`` names one of the rubric's levels, and not the lowest (which is the default)."""
    where = f"{node.path}.withholds"
    levels = sorted(ctx.rubric.levels, key=lambda lv: lv.min)
    names = [lv.name for lv in levels]
    if not levels:
        ctx.add(node, "withholds names a level, but the rubric declares no levels", where)
    elif name not in names:
        listed = ", ".join(names)
        message = f"withholds '{name}' names no level{suggest(name, names)}: the levels are {listed}"
        ctx.add(node, message, where, expected=listed, actual=name)
    elif name == names[0]:
        message = (
            f"withholds '{name}' names the lowest level: without it a failed gate withholds "
            "every level anyway; leave withholds out"
        )
        ctx.add(node, message, where, severity="warning")


def _check_subtotal(node: Node, rule: Rule, declared: Decimal | None, add: Report) -> None:
    """Warn where the text heads the rule with its points in brackets ("用水台账（4分）") and
    ``points`` says another figure."""
    said = said_subtotal(rule.text)
    if said is not None and declared is not None and said[1] != declared:
        message = f"the text says {said[0]}, but points = {fmt(declared)}"
        add(node, message, expected=fmt(said[1]), actual=fmt(declared), severity="warning")


def _check_gate_keys(ctx: _Context, node: Node, rule: Rule) -> None:
    """The keys that gate an item apart from its points: ★, a measured figure, the wording."""
    add = ctx.add
    gated = rule.gate is not None or isinstance(rule, Check)
    if rule.nonzero and gated:
        add(node, "nonzero is a gate of its own (★: more than 0 points); leave out gate")
    if rule.consequence is not None and not (gated or rule.nonzero):
        add(node, "consequence needs gate or nonzero: it says what failing the gate means")
    if rule.withholds is not None:
        if not (gated or rule.nonzero):
            add(node, "withholds needs gate or nonzero: it names the lowest level a failed gate withholds")
        elif rule.gate == "zero":
            add(
                node,
                'withholds does not apply to gate = "zero": a failed zero gate scores the whole evaluation 0',
            )
        else:
            _check_withholds(ctx, node, rule.withholds)
    figure = rule.gate_figure
    if figure is None:
        return
    if rule.gate is None:
        add(node, "gate_figure needs gate")
    if rule.gate_min is not None:
        add(node, "gate_figure and gate_min: the gate compares the figure or the points, give one")
    if not kind_of(rule).measures(rule):
        add(node, "gate_figure needs an item scored from one number: bands with a number answer, or linear")
    where = f"{node.path}.gate_figure"
    if figure.gt is not None and figure.ge is not None:
        add(node, "gate_figure takes gt or ge, not both", where)
    if figure.lt is not None and figure.le is not None:
        add(node, "gate_figure takes lt or le, not both", where)
    edges = [e for e in (figure.gt, figure.ge, figure.lt, figure.le) if e is not None]
    if not edges:
        add(node, "gate_figure needs a bound: gt, ge, lt or le", where)
    low = figure.gt if figure.gt is not None else figure.ge
    high = figure.lt if figure.lt is not None else figure.le
    if (
        low is not None
        and high is not None
        and (low > high or (low == high and (figure.ge is None or figure.le is None)))
    ):
        add(node, "gate_figure holds no number: its lower bound is not below its upper bound", where)
    span = getattr(rule, "range", None)
    if span is not None:
        outside = [fmt(e) for e in edges if not span[0] <= e <= span[1]]
        if outside:
            add(
                node,
                f"gate_figure bound {', '.join(outside)} lies outside range [{fmt(span[0])}, {fmt(span[1])}]",
                where,
                severity="warning",
            )


def _nodes(ctx: _Context) -> None:
    for node in ctx.nodes:
        obj = node.obj
        if isinstance(obj, Unit | Project):
            _check_id(ctx.add, node, obj.id)
        if isinstance(obj, Unit):
            if not obj.projects and not obj.items:
                ctx.add(node, "is empty: a unit needs projects or items")
                continue
            if obj.projects and obj.items:
                ctx.add(node, "holds both projects and items; put the items in a project")
            _check_group(ctx, node, obj, "projects" if obj.projects else "items")
        elif isinstance(obj, Project):
            if not obj.items:
                ctx.add(node, "is empty: a project needs items")
                continue
            _check_group(ctx, node, obj, "items")
        else:
            _check_rule(ctx, node, obj)


def _units_total(ctx: _Context, *, bonus: bool) -> Decimal | None:
    rubric = ctx.rubric
    values = [
        None if (v := unit_value(u)) is None else v * unit_weight(rubric, n.address)
        for u, n in zip(rubric.units, ctx.units, strict=True)
        if u.bonus == bonus
    ]
    total = sum_or_none(values)
    agg = rubric.aggregate
    if total is None or (
        agg is not None and (agg.divisor <= 0 or (rubric.digits is None and not divides_exactly(agg.divisor)))
    ):
        return None  # the aggregate's own check says what is wrong
    return transform(rubric, total, with_base=not bonus)


def highest(rubric: Rubric, bonus_total: Decimal | None) -> Decimal:
    """The most a sheet can score under the standard: the total (as published, where only part
    of it was transcribed) plus the declared (or computed) bonus."""
    base = rubric.published if rubric.published is not None else rubric.total
    return base + (rubric.bonus if rubric.bonus is not None else bonus_total or ZERO)


def _totals(ctx: _Context) -> None:
    rubric = ctx.rubric
    base_total = _units_total(ctx, bonus=False)
    if base_total is not None and base_total != rubric.total:
        how = " after the aggregate formula" if rubric.aggregate else ""
        ctx.add(
            None,
            f"declares {fmt(rubric.total)} points, its units add up to {fmt(base_total)}{how}",
            "total",
            expected=fmt(rubric.total),
            actual=fmt(base_total),
        )
    if rubric.bonus is None:
        return
    bonus_total = _units_total(ctx, bonus=True)
    if not any(u.bonus for u in rubric.units):
        ctx.add(None, "bonus is declared but no unit has bonus = true", "bonus")
    elif bonus_total is not None and bonus_total != rubric.bonus:
        ctx.add(
            None,
            f"declares {fmt(rubric.bonus)} points, its bonus units add up to {fmt(bonus_total)}",
            "bonus",
            expected=fmt(rubric.bonus),
            actual=fmt(bonus_total),
        )


def _levels(ctx: _Context) -> None:
    rubric, add = ctx.rubric, ctx.add
    top = highest(rubric, _units_total(ctx, bonus=True))
    unit_nodes = {n.address: n.obj for n in ctx.units}
    titles = [(a, u.title) for a, u in unit_nodes.items() if isinstance(u, Unit)]
    previous: Decimal | None = None
    names: set[str] = set()
    for i, level in enumerate(rubric.levels):
        path = f"levels[{i}]"
        if level.name in names:
            add(None, f"level name '{level.name}' is used twice", f"{path}.name")
        names.add(level.name)
        if level.min <= 0:
            add(None, f"level '{level.name}' needs min > 0, got {fmt(level.min)}", f"{path}.min")
        elif level.min < 1 <= rubric.total / 10:
            # A share typed for points ("80%" as 0.8): the level would be reached by almost any sheet.
            share, percent = level.min * rubric.total, level.min * 100  # validate() is exact
            add(
                None,
                f"level '{level.name}' needs {fmt(level.min)} of {fmt(rubric.total)} points, which "
                f"reads as a share: {fmt(percent)}% of the total is min = {fmt(share)}",
                f"{path}.min",
                severity="warning",
            )
        if level.min > top:
            add(
                None,
                f"level '{level.name}' needs {fmt(level.min)} points, "
                f"above the most a sheet can score ({fmt(top)})",
                f"{path}.min",
                expected=f"≤ {fmt(top)}",
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
            if not isinstance(found, Unit):
                add(
                    None,
                    f"no unit at address '{address}'{suggest_address(address, titles)}",
                    f"{path}.unit_min",
                )
                continue
            cap = group_max(found)
            if need < 0:
                message = f"the minimum of unit {address} must be 0 or more, got {fmt(need)}"
                add(None, message, f"{path}.unit_min")
            elif cap is not None and need > cap:
                add(
                    None,
                    f"unit {address} can score at most {fmt(cap)}, the level asks {fmt(need)}",
                    f"{path}.unit_min",
                )
        if level.unit_share is not None and not ZERO < level.unit_share <= 1:
            add(
                None,
                f"unit_share must be more than 0 and at most 1, got {fmt(level.unit_share)}",
                f"{path}.unit_share",
            )


def _policies(ctx: _Context) -> None:
    rubric, add = ctx.rubric, ctx.add
    # A deduction's na_if only switches that deduction off; an item's changes what it counts for.
    needs_na = [n for n in ctx.nodes if n.kind == "item" and n.rule.na_if is not None]
    if needs_na and rubric.na is None:
        add(needs_na[0], 'has na_if, so the rubric must declare na = "exclude", "full" or "rescale"')
    if rubric.na == "rescale" and rubric.digits is None:
        add(None, 'na = "rescale" needs digits, the decimal places a rescaled score is rounded to', "na")
    if rubric.digits is not None and not 0 <= rubric.digits <= 10:
        add(None, f"digits must be between 0 and 10, got {rubric.digits}", "digits")


def _aggregate(ctx: _Context) -> None:
    agg, add = ctx.rubric.aggregate, ctx.add
    if agg is None:
        return
    if agg.divisor <= 0:
        add(None, "divisor must be more than 0", "aggregate.divisor")
    elif ctx.rubric.digits is None and not divides_exactly(agg.divisor):
        add(
            None,
            f"dividing by {fmt(agg.divisor)} can give a total that no decimal writes exactly; "
            "declare digits, the decimal places the total is rounded to",
            "aggregate.divisor",
        )
    units = {n.address for n in ctx.units}
    for address, weight in agg.weights.items():
        if address not in units:
            hint = suggest_address(
                address, [(n.address, n.obj.title) for n in ctx.units if isinstance(n.obj, Unit)]
            )
            add(None, f"no unit at address '{address}'{hint}", "aggregate.weights")
        elif weight <= 0:
            message = f"the weight of unit {address} must be more than 0, got {fmt(weight)}"
            add(None, message, "aggregate.weights")


#: Every check, in the order their problems are listed.
CHECKS: Final[tuple[Callable[[_Context], None], ...]] = (
    _unique_addresses,
    _rubric_basics,
    _nodes,
    _totals,
    _levels,
    _policies,
    _aggregate,
)


def _check_rubric(rubric: object) -> None:
    if not isinstance(rubric, Rubric):
        hint = "; load it first: load_rubric(path)" if isinstance(rubric, str | os.PathLike) else ""
        raise RubricError([Problem(message=f"validate() takes a Rubric, not {argument(rubric)}{hint}")])


@exactly
def validate(rubric: Rubric) -> list[Problem]:
    """Check *rubric* and return every problem found, errors and warnings.

    The declared total of the rubric, each unit, project and composite item is compared with
    what its children add up to, taking each child's declared figure where it has one and its
    computed maximum otherwise, so that one wrong figure is reported once, where it is.
    Addresses must be unique, caps reachable, bands without gaps or overlaps, decision tables
    complete, and levels ascending and within the total. Warnings (``severity == "warning"``)
    mark what still scores but is likely a mistake: a decision-table row that the rows before
    it always shadow, a ``linear`` cap with more decimals than its ``digits``.

    Returns:
        The problems, empty when the rubric is valid and clean. Each names the node by address
        and TOML path. At most 100 of each severity are listed; when there are more, the last of
        that severity says how many (``… and 40 more problems``).

    Raises:
        RubricError: *rubric* is not a `Rubric` (a file is read, and validated, by `load_rubric`).
    """
    _check_rubric(rubric)
    add = Collector()
    ctx = _Context(rubric, list(walk(rubric)), add)
    for check in CHECKS:
        check(ctx)
    return add.problems.list()


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that make a rubric unusable (warnings left out)."""
    return [p for p in problems if p.severity == "error"]
