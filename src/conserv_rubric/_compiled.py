"""The compiled rubric: a plan built once per rubric, which scores validated answers fast.

Every item's rule is compiled to a closure (`conserv_rubric._kinds.compile_rule`); projects and
units become slices and caps; plain flags are summed without a call each. `Compiled` also
answers the questions other modules ask of a rubric's structure — `level_for`, `shortfalls`,
`totals` — so they need not reach into its attributes.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

from ._exact import exact, exactly, round_half_up
from ._frozen import Frozen
from ._gates import Gate, level_within, within
from ._kinds import (
    ZERO,
    Answers,
    Evaluate,
    Leaf,
    Num,
    compile_rule,
    fast,
    integral,
    kind_of,
    leaves,
    maximum,
    plain_flags,
)
from ._totals import Aggregator, group_max
from ._tree import walk
from .model import Check, Level, Project, Rubric, Rule, Unit

#: How many sets of not-applicable items a compiled rubric remembers the maxima of.
MAX_CACHED: Final = 1024


@attrs.frozen(repr=False, eq=False)
class CompiledItem(Frozen):
    address: str
    rule: Rule
    evaluate: Evaluate
    unit: int
    project: int | None
    max: Decimal
    na: str | None
    leaves: tuple[str, ...]


@attrs.frozen(repr=False, eq=False)
class Applicable(Frozen):
    """What the items, projects, units and the rubric can score on one sheet, given the items
    it declares not applicable: the maxima that reflect the rubric's ``na`` policy.

    Attributes:
        items, projects, units: each one's applicable maximum, in rubric order.
        total: the applicable maximum of the total (base units only, like `ScoreCard.max`).
        dropped_projects, dropped_units: the projects and units none of whose points apply;
            they are not evaluated (no ★ gate, no ``unit_min`` or ``unit_share``).
    """

    items: tuple[Decimal, ...]
    projects: tuple[Decimal, ...]
    units: tuple[Decimal, ...]
    total: Decimal
    dropped_projects: frozenset[int]
    dropped_units: frozenset[int]


class Compiled:
    """A rubric prepared for scoring: its leaves, items and groups, each evaluated by a closure."""

    @exactly
    def __init__(self, rubric: Rubric) -> None:
        # A weak reference: the cache of compiled rubrics must not keep rubrics alive.
        self._rubric = weakref.ref(rubric)
        self.leaves: dict[str, Leaf] = {}
        self.items: list[CompiledItem] = []
        self.unit_nodes: list[tuple[str, Unit]] = []
        self.project_nodes: list[tuple[str, Project, int]] = []
        self.gates: list[Gate] = []
        for node in walk(rubric):
            if node.kind == "unit":
                assert isinstance(node.obj, Unit)
                self.unit_nodes.append((node.address, node.obj))
            elif node.kind == "project":
                assert isinstance(node.obj, Project)
                self.project_nodes.append((node.address, node.obj, node.unit))
                if node.obj.nonzero:
                    label = f"★项目 {node.address} {node.obj.title}"
                    index = len(self.project_nodes) - 1
                    gate = Gate("nonzero", node.address, index, ZERO, label, "project")
                    words, held = node.obj.consequence, node.obj.withholds
                    self.gates.append(attrs.evolve(gate, consequence=words, withholds=held))
            elif node.kind == "item":
                rule = node.obj
                assert not isinstance(rule, Unit | Project)
                item_leaves = list(leaves(rule, node.address, node.address))
                for leaf in item_leaves:
                    self.leaves[leaf.address] = leaf
                index = len(self.items)
                self.items.append(
                    CompiledItem(
                        node.address,
                        rule,
                        compile_rule(rule, node.address),
                        node.unit,
                        node.project,
                        maximum(rule) or ZERO,
                        f"{node.address}.na" if rule.na_if is not None else None,
                        tuple(leaf.address for leaf in item_leaves),
                    )
                )
                self._item_gate(rule, node.address, index)
        self.item_addresses = frozenset(i.address for i in self.items)
        # Items only a verifier scores: a self-assessment (the first stage) is not awarded them.
        self.verifier_items = frozenset(k for k, i in enumerate(self.items) if i.rule.verifier_only)
        self.partial = partial_parts(rubric)
        self.fns = [i.evaluate for i in self.items]
        self.item_max: list[Num] = [fast(i.max) for i in self.items]
        self.na_items = [(k, i.na) for k, i in enumerate(self.items) if i.na is not None]
        self.checks = {g.index: g.address for g in self.gates if g.test == "check"}
        # Items of one project (or of a unit without projects) are contiguous: slices suffice.
        by_group: dict[tuple[int, int | None], list[int]] = {}
        for k, item in enumerate(self.items):
            by_group.setdefault((item.unit, item.project), []).append(k)
        local: dict[int, int] = {}
        self.project_slices: list[tuple[int, int]] = []
        self.project_scored: list[frozenset[int]] = []  # each project's items that carry points
        for _, _, u_index in self.project_nodes:
            local[u_index] = local.get(u_index, -1) + 1
            own = by_group.get((u_index, local[u_index]), [])
            self.project_slices.append((own[0], own[-1] + 1) if own else (0, 0))
            self.project_scored.append(frozenset(k for k in own if self.items[k].max > 0))
        self.unit_parts: list[tuple[list[int], tuple[int, int] | None]] = []
        by_unit: dict[int, list[int]] = {}
        for p, (_, _, u) in enumerate(self.project_nodes):
            by_unit.setdefault(u, []).append(p)
        for u_index, (_, unit) in enumerate(self.unit_nodes):
            if unit.projects:
                self.unit_parts.append((by_unit.get(u_index, []), None))
            else:
                own = by_group.get((u_index, None), [])
                self.unit_parts.append(([], (own[0], own[-1] + 1) if own else (0, 0)))
        self.project_max = [group_max(p) or ZERO for _, p, _ in self.project_nodes]
        self.unit_max = [group_max(u) or ZERO for _, u in self.unit_nodes]
        self.bonus_units = [u.bonus for _, u in self.unit_nodes]
        self.aggregator = Aggregator(rubric, [a for a, _ in self.unit_nodes], self.unit_max, self.bonus_units)
        self.levels = sorted(rubric.levels, key=lambda lv: lv.min, reverse=True)
        self.unit_index = {a: k for k, (a, _) in enumerate(self.unit_nodes)}
        # What each level asks of each unit, worked out once so that a verdict only compares.
        self.unit_mins = [
            [(self.unit_index[a], need) for a, need in lv.unit_min.items()] for lv in self.levels
        ]
        self.share_needs = [
            None if lv.unit_share is None else [lv.unit_share * m for m in self.unit_max]
            for lv in self.levels
        ]
        self._plan()
        self._fast_plan()
        # A rubric of whole points scored from yes/no answers and counts only adds ints: it is
        # scored without entering a decimal context. Anything else runs in the library's own.
        self.integral = (
            not self.na_items
            and self.aggregator.plain
            and all(integral(i.rule) for i in self.items)
            and all(cap is None or isinstance(cap, int) for _, _, cap in self.project_plan)
            and all(cap is None or isinstance(cap, int) for _, _, cap in self.unit_plan)
        )
        self._applicable_cache: dict[frozenset[int], Applicable] = {
            frozenset(): self._applicable(frozenset())
        }
        self.level_needs = [self._needs(k, None) for k in range(len(self.levels))]
        self.leaf_index = {address: j for j, address in enumerate(self.leaves)}
        #: Each item's address and where its leaves lie in the leaves' order (they are contiguous).
        self.item_spans: list[tuple[str, int, int]] = []
        for item in self.items:
            start = self.leaf_index[item.leaves[0]] if item.leaves else 0
            self.item_spans.append((item.address, start, start + len(item.leaves)))
        #: How many sheets were scored with this rubric; its generated plan
        #: (`conserv_rubric._codegen.Plan`), made once it is used more than once.
        self.uses = 0
        self.plan: Any = None
        #: What cards of this rubric share, since it depends only on what they hold: the unit
        #: and project results by their points, each item's result by its answers.
        self.memo_units: list[dict[Num, Any]] = [{} for _ in self.unit_nodes]
        self.memo_projects: dict[tuple[Num, ...], tuple[Any, ...]] = {}
        self.memo_items: list[dict[object, Any]] = [{} for _ in self.items]
        #: Per item, how a counter's result for names is made from its count's (or None).
        self.named: list[Any] | None = None

    def _item_gate(self, rule: Rule, address: str, index: int) -> None:
        """The gate an item declares, if any: a gate on its points or on its measured figure,
        or a ★ item that must score more than 0."""
        label, held = f"条目 {address}", rule.withholds
        if rule.nonzero:
            star = Gate("nonzero", address, index, ZERO, f"★{label}", "positive", withholds=held)
            self.gates.append(attrs.evolve(star, consequence=rule.consequence))
            return
        kind = rule.gate or ("required" if isinstance(rule, Check) else None)
        if kind is None:
            return
        words = rule.consequence
        if isinstance(rule, Check):
            self.gates.append(
                Gate(kind, address, index, ZERO, label, "check", consequence=words, withholds=held)
            )
        elif rule.gate_figure is not None:
            rule_kind = kind_of(rule)

            def read(a: Answers, rule: Rule = rule) -> Decimal | None:
                return rule_kind.figure(rule, address, a)

            unit = getattr(rule, "unit", None) or ""
            what = getattr(rule, "measure", None) or "数值"
            gate = Gate(
                kind, address, index, ZERO, label, "figure", rule.gate_figure, read, unit, words, what, held
            )
            self.gates.append(gate)
        else:
            need = rule.gate_min if rule.gate_min is not None else maximum(rule) or ZERO
            self.gates.append(Gate(kind, address, index, need, label, consequence=words, withholds=held))

    @property
    def rubric(self) -> Rubric:
        """The rubric compiled (alive while anyone scores with it)."""
        rubric = self._rubric()
        if rubric is None:  # pragma: no cover - callers hold the rubric
            raise ReferenceError("the rubric was garbage-collected")
        return rubric

    def _plan(self) -> None:
        """Precompute the shape of the sum: slices, caps and whether anything is weighted."""
        self.project_plan = [
            (start, end, None if p.max is None else fast(p.max))
            for (start, end), (_, p, _) in zip(self.project_slices, self.project_nodes, strict=True)
        ]
        self.unit_plan = [
            (tuple(projects), span, None if unit.max is None else fast(unit.max))
            for (projects, span), (_, unit) in zip(self.unit_parts, self.unit_nodes, strict=True)
        ]

    def _fast_plan(self) -> None:
        """Group each project's (and each item-holding unit's) plain flags for the hot path."""

        def group(start: int, end: int) -> tuple[tuple[tuple[str, Num], ...], tuple[Evaluate, ...]]:
            pairs: list[tuple[str, Num]] = []
            fns: list[Evaluate] = []
            for k in range(start, end):
                item = self.items[k]
                flags = plain_flags(item.rule, item.address)
                if flags is None:
                    fns.append(item.evaluate)
                else:
                    pairs.extend(flags)
            return tuple(pairs), tuple(fns)

        # Not-applicable answers change what an item counts for; such rubrics take the general path.
        self.fast = not self.na_items
        self.fast_projects = [(*group(start, end), cap) for start, end, cap in self.project_plan]
        self.fast_units = [
            (projects, None if span is None else group(*span), cap) for projects, span, cap in self.unit_plan
        ]

    @exactly
    def totals(
        self, pts: Sequence[Num], excluded: set[int] | frozenset[int] = frozenset()
    ) -> tuple[list[Decimal], list[Decimal], Decimal]:
        """Project points, unit points and the total from item points.

        Args:
            pts: every item's points, in rubric order.
            excluded: the items that do not apply (for ``na = "rescale"``).
        """
        project_pts, unit_pts, total = self._sums(pts, excluded)
        return [Decimal(p) for p in project_pts], [Decimal(u) for u in unit_pts], total

    def _groups(self, pts: Sequence[Num]) -> tuple[list[Num], list[Num]]:
        # The hot path: whole points stay ints (see _kinds.fast) until the total.
        project_pts: list[Num] = []
        for start, end, cap in self.project_plan:
            s = sum(pts[start:end])
            project_pts.append(cap if cap is not None and s > cap else s)
        unit_pts: list[Num] = []
        for projects, span, cap in self.unit_plan:
            s = sum([project_pts[p] for p in projects]) if span is None else sum(pts[span[0] : span[1]])
            unit_pts.append(cap if cap is not None and s > cap else s)
        return project_pts, unit_pts

    def _sums(
        self, pts: Sequence[Num], excluded: set[int] | frozenset[int]
    ) -> tuple[list[Num], list[Num], Decimal]:
        project_pts, unit_pts = self._groups(pts)
        if excluded and self.rubric.na == "rescale":
            dropped = self._rescale(unit_pts, excluded)
            return project_pts, unit_pts, self.aggregator.total(unit_pts, dropped)
        return project_pts, unit_pts, self.aggregator.total(unit_pts)

    def _rescale(self, unit_pts: list[Num], excluded: set[int] | frozenset[int]) -> frozenset[int]:
        """Scale each unit to its maximum over the maximum of the items that applied (GB/T
        50378-2014's Qi = actual × 100 / applicable maximum, caps included), rounded half up
        once to the rubric's digits; return the base units of which nothing applied, which drop
        out of the total (`Aggregator`)."""
        unit_top, dropped = self.rescaling(excluded)
        for u, top in enumerate(unit_top):
            if top:
                unit_pts[u] = self.rescaled(u, unit_pts[u], top)
        return dropped

    def rescaling(self, excluded: set[int] | frozenset[int]) -> tuple[list[Num], frozenset[int]]:
        """What each unit's applicable items can score, and the base units of which nothing
        applies, for a sheet whose items *excluded* do not apply (``na = "rescale"``)."""
        unit_top = self._groups([0 if k in excluded else m for k, m in enumerate(self.item_max)])[1]
        dropped = frozenset(
            u for u, top in enumerate(self.unit_max) if not unit_top[u] and top and not self.bonus_units[u]
        )
        return unit_top, dropped

    def rescaled(self, u: int, points: Num, applicable: Num) -> Num:
        """Unit *u*'s *points* scaled to its maximum over *applicable* (> 0), what its
        applicable items can score; unchanged when all of it applies."""
        top = self.unit_max[u]
        if applicable < top:
            return round_half_up(
                Fraction(points) * Fraction(top) / Fraction(applicable), self.rubric.digits or 0
            )
        return points

    def _applicable(self, excluded: frozenset[int]) -> Applicable:
        na = self.rubric.na
        items = [m if k not in excluded or na == "full" else 0 for k, m in enumerate(self.item_max)]
        project_top, unit_top = self._groups(items)
        dropped_projects = frozenset(
            p
            for p, (top, full) in enumerate(zip(project_top, self.project_max, strict=True))
            if full and not top
        )
        dropped_units = frozenset(
            u for u, (top, full) in enumerate(zip(unit_top, self.unit_max, strict=True)) if full and not top
        )
        if na == "rescale":
            # Rescaled units are worth their full points whenever anything in them applies.
            unit_top = [0 if u in dropped_units else m for u, m in enumerate(self.unit_max)]
        base = [0 if bonus else m for m, bonus in zip(unit_top, self.bonus_units, strict=True)]
        base_dropped = frozenset(u for u in dropped_units if not self.bonus_units[u])
        if not excluded:
            total = self.rubric.total
        elif na == "rescale":
            total = self.aggregator.total(base, base_dropped)
        else:
            total = self.aggregator.total(base)
        return Applicable(
            tuple(Decimal(m) for m in items),
            tuple(Decimal(m) for m in project_top),
            tuple(Decimal(m) for m in unit_top),
            total,
            dropped_projects,
            dropped_units,
        )

    def applicable(self, excluded: frozenset[int] | set[int]) -> Applicable:
        """The applicable maxima for a sheet whose items *excluded* do not apply."""
        key = frozenset(excluded)
        found = self._applicable_cache.get(key)
        if found is None:
            if len(self._applicable_cache) >= MAX_CACHED:
                self._applicable_cache = {frozenset(): self._applicable_cache[frozenset()]}
            with exact():
                found = self._applicable_cache[key] = self._applicable(key)
        return found

    def item_points(self, answers: Answers, held: frozenset[int] = frozenset()) -> tuple[list[Num], set[int]]:
        """Every item's points, and the items answered as not applicable; the items *held*
        (a verifier's, on a self-assessment) score 0 unless they do not apply."""
        pts: list[Num] = [f(answers) for f in self.fns]
        excluded: set[int] = set()
        for k, na in self.na_items:
            if answers.get(na) is True:
                excluded.add(k)
                pts[k] = self.item_max[k] if self.rubric.na == "full" else 0
        for k in held:
            if k not in excluded:
                pts[k] = 0
        return pts, excluded

    def _fast_sums(self, answers: Answers) -> tuple[list[Num], list[Num], Decimal]:
        get = answers.get
        project_pts: list[Num] = []
        for pairs, fns, cap in self.fast_projects:
            s = sum([p for a, p in pairs if get(a) is True]) + sum([f(answers) for f in fns])
            project_pts.append(cap if cap is not None and s > cap else s)
        unit_pts: list[Num] = []
        for projects, direct, cap in self.fast_units:
            if direct is None:
                s = sum([project_pts[p] for p in projects])
            else:
                s = sum([p for a, p in direct[0] if get(a) is True]) + sum([f(answers) for f in direct[1]])
            unit_pts.append(cap if cap is not None and s > cap else s)
        return project_pts, unit_pts, self.aggregator.total(unit_pts)

    def evaluate(self, answers: Answers, *, withhold: bool = False) -> Outcome:
        """Score validated *answers* (the hot path); with *withhold* (a self-assessment) the
        items only a verifier scores are not awarded."""
        held = self.verifier_items if withhold else frozenset()
        if self.integral:
            return self._evaluate(answers, held)
        with exact():
            return self._evaluate(answers, held)

    def _evaluate(self, answers: Answers, held: frozenset[int]) -> Outcome:
        pts: list[Num] | None = None
        excluded: set[int] = set()
        if self.fast and not held:
            project_pts, unit_pts, total = self._fast_sums(answers)
        else:
            pts, excluded = self.item_points(answers, held)
            project_pts, unit_pts, total = self._sums(pts, excluded)
        dropped = self.applicable(excluded).dropped_projects if excluded else frozenset()
        failed: list[Gate] = []
        for gate in self.gates:
            test = gate.test
            if test == "project":
                # Not evaluated (cannot fail): none of its points apply, or all are the verifier's.
                held_all = held and self.project_scored[gate.index] <= held | excluded
                if project_pts[gate.index] <= 0 and gate.index not in dropped and not held_all:
                    failed.append(gate)
            elif gate.index in excluded or gate.index in held:
                continue  # not evaluated: it does not apply, or it is the verifier's to score
            elif test == "check":
                if answers.get(gate.address) is not True:
                    failed.append(gate)
            elif test == "figure":
                assert gate.read is not None
                assert gate.figure is not None
                x = gate.read(answers)
                if x is None or not within(gate.figure, x):
                    failed.append(gate)
            else:
                got = pts[gate.index] if pts is not None else self.fns[gate.index](answers)
                if got < gate.need or (test == "positive" and got <= 0):
                    failed.append(gate)
        if any(g.kind == "zero" for g in failed):
            total = ZERO
        level = None if self.partial else level_within(self, failed, total, unit_pts, excluded)
        return Outcome(pts, project_pts, unit_pts, total, level, tuple(failed), frozenset(excluded), held)

    def _needs(self, k: int, app: Applicable | None) -> list[tuple[int, Decimal]]:
        lv = self.levels[k]
        dropped = app.dropped_units if app is not None else frozenset()
        out = [(u, need) for u, need in self.unit_mins[k] if u not in dropped]
        shares = self.share_needs[k]
        if shares is not None and app is not None:
            assert lv.unit_share is not None
            with exact():
                shares = [lv.unit_share * m for m in app.units]
        if shares is not None:
            out.extend(
                (u, need) for u, need in enumerate(shares) if not self.bonus_units[u] and u not in dropped
            )
        return out

    def _unit_needs(self, k: int, excluded: set[int] | frozenset[int]) -> list[tuple[int, Decimal]]:
        """What the *k*-th level (highest first) asks of each unit it constrains, as (unit, need).

        A unit none of whose points apply asks nothing; ``unit_share`` is a share of what each
        unit's applicable items can score."""
        if not excluded:
            return self.level_needs[k]
        return self._needs(k, self.applicable(excluded))

    def level_for(
        self, total: Decimal, unit_pts: Sequence[Num], excluded: set[int] | frozenset[int] = frozenset()
    ) -> str | None:
        """The highest level whose thresholds *total* and the unit points meet (gates aside)."""
        for k, lv in enumerate(self.levels):
            if total < lv.min:
                continue
            if any(unit_pts[u] < need for u, need in self._unit_needs(k, excluded)):
                continue
            return lv.name
        return None

    def unit_needs(
        self, level: Level, excluded: set[int] | frozenset[int] = frozenset()
    ) -> list[tuple[int, Decimal]]:
        """What *level* asks of each unit it constrains (``unit_min``, ``unit_share``), as
        (unit, need) pairs; a unit may appear more than once."""
        k = next(i for i, lv in enumerate(self.levels) if lv.name == level.name)
        return self._unit_needs(k, excluded)

    def shortfalls(
        self, level: Level, unit_pts: Sequence[Decimal], excluded: set[int] | frozenset[int] = frozenset()
    ) -> dict[int, Decimal]:
        """The units below what *level* asks (``unit_min``, ``unit_share``), with what it asks."""
        out: dict[int, Decimal] = {}
        for u, need in self.unit_needs(level, excluded):
            if unit_pts[u] < need:
                out[u] = max(need, out.get(u, ZERO))
        return out


@attrs.frozen(repr=False, eq=False)
class Outcome(Frozen):
    """What scoring one sheet found, before it is explained (a `ScoreCard` explains it)."""

    pts: list[Num] | None
    project_pts: list[Num]
    unit_pts: list[Num]
    total: Decimal
    level: str | None
    failed: tuple[Gate, ...]
    excluded: frozenset[int]
    withheld: frozenset[int] = frozenset()


@attrs.frozen(repr=False, eq=False)
class Partial(Frozen):
    """A part of a rubric transcribed only in part: what was transcribed and what is published."""

    label: str
    transcribed: Decimal
    published: Decimal


@exactly
def partial_parts(rubric: Rubric) -> tuple[Partial, ...]:
    """The rubric, units and projects whose published figure is more than was transcribed, in
    rubric order (empty: the transcription is complete)."""
    out = []
    if rubric.published is not None and rubric.published > rubric.total:
        out.append(Partial("总分", rubric.total, rubric.published))
    for node in walk(rubric):
        group = node.obj
        if isinstance(group, Unit | Project) and group.published is not None:
            got = group.points if group.points is not None else group_max(group)
            if got is not None and group.published > got:
                label = f"{'单元' if node.kind == 'unit' else '项目'}{node.address}"
                out.append(Partial(label, got, group.published))
    return tuple(out)


_COMPILED: Final[dict[int, Compiled]] = {}


def compiled(rubric: Rubric) -> Compiled:
    """The compiled form of *rubric*, built once per rubric object."""
    found = _COMPILED.get(id(rubric))
    if found is not None and found.rubric is rubric:
        return found
    made = Compiled(rubric)
    _COMPILED[id(rubric)] = made
    weakref.finalize(rubric, _COMPILED.pop, id(rubric), None)
    return made
