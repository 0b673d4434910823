"""Scoring: a compiled rubric, the score card, and the explanation of every point."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal

import attrs

from ._index import walk
from ._model import Check, Project, Rubric, Rule, Unit
from ._rules import (
    ZERO,
    Answers,
    Evaluate,
    Leaf,
    Num,
    compile_rule,
    explain,
    fmt,
    leaves,
    maximum,
    plain_flags,
    reachable,
)
from ._sheet import Sheet, SheetInfo, check_answers
from ._stages import stage_problem
from ._validate import group_max, unit_weight
from .errors import Problem, SheetError

GateKind = Literal["required", "veto", "zero", "nonzero"]


@attrs.frozen
class _Item:
    address: str
    rule: Rule
    evaluate: Evaluate
    unit: int
    project: int | None
    max: Decimal
    na: str | None
    leaves: tuple[str, ...]


@attrs.frozen
class _Gate:
    kind: GateKind
    address: str
    index: int
    need: Decimal
    label: str


class Compiled:
    """A rubric prepared for scoring: its leaves, items and groups, each evaluated by a closure."""

    def __init__(self, rubric: Rubric) -> None:
        # A weak reference: the cache of compiled rubrics must not keep rubrics alive.
        self._rubric = weakref.ref(rubric)
        self.leaves: dict[str, Leaf] = {}
        self.items: list[_Item] = []
        self.unit_nodes: list[tuple[str, Unit]] = []
        self.project_nodes: list[tuple[str, Project, int]] = []
        self.gates: list[_Gate] = []
        for node in walk(rubric):
            if node.kind == "unit":
                assert isinstance(node.obj, Unit)
                self.unit_nodes.append((node.address, node.obj))
            elif node.kind == "project":
                assert isinstance(node.obj, Project)
                self.project_nodes.append((node.address, node.obj, node.unit))
                if node.obj.nonzero:
                    label = f"★项目 {node.address} {node.obj.title}"
                    self.gates.append(
                        _Gate("nonzero", node.address, len(self.project_nodes) - 1, ZERO, label)
                    )
            elif node.kind == "item":
                rule = node.obj
                assert not isinstance(rule, Unit | Project)
                item_leaves = list(leaves(rule, node.address, node.address))
                for leaf in item_leaves:
                    self.leaves[leaf.address] = leaf
                index = len(self.items)
                self.items.append(
                    _Item(
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
                gate = rule.gate or ("required" if isinstance(rule, Check) else None)
                if gate is not None:
                    need = rule.gate_min if rule.gate_min is not None else maximum(rule) or ZERO
                    self.gates.append(_Gate(gate, node.address, index, need, f"条目 {node.address}"))
        self.item_addresses = frozenset(i.address for i in self.items)
        self.fns = [i.evaluate for i in self.items]
        self.item_max = [i.max for i in self.items]
        self.na_items = [(k, i.na) for k, i in enumerate(self.items) if i.na is not None]
        self.checks = {
            g.index: self.items[g.index].address
            for g in self.gates
            if isinstance(self.items[g.index].rule, Check) and g.kind != "nonzero"
        }
        # Items of one project (or of a unit without projects) are contiguous: slices suffice.
        by_group: dict[tuple[int, int | None], list[int]] = {}
        for k, item in enumerate(self.items):
            by_group.setdefault((item.unit, item.project), []).append(k)
        local: dict[int, int] = {}
        self.project_slices: list[tuple[int, int]] = []
        for _, _, u_index in self.project_nodes:
            local[u_index] = local.get(u_index, -1) + 1
            own = by_group.get((u_index, local[u_index]), [])
            self.project_slices.append((own[0], own[-1] + 1) if own else (0, 0))
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
        self.weights = [unit_weight(rubric, a) for a, _ in self.unit_nodes]
        self.bonus_units = [u.bonus for _, u in self.unit_nodes]
        agg = rubric.aggregate
        self.base = agg.base if agg else ZERO
        self.divisor = agg.divisor if agg else None
        self.levels = sorted(rubric.levels, key=lambda lv: lv.min, reverse=True)
        self.unit_index = {a: k for k, (a, _) in enumerate(self.unit_nodes)}
        self.quantum = Decimal(1).scaleb(-(rubric.digits or 0))
        self._plan()
        self._fast_plan()

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
            (start, end, p.max)
            for (start, end), (_, p, _) in zip(self.project_slices, self.project_nodes, strict=True)
        ]
        self.unit_plan = [
            (tuple(projects), span, unit.max)
            for (projects, span), (_, unit) in zip(self.unit_parts, self.unit_nodes, strict=True)
        ]
        self.plain_sum = self.divisor is None and all(w == 1 for w in self.weights)

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

    def _sums(
        self, pts: Sequence[Num], excluded: set[int] | frozenset[int]
    ) -> tuple[list[Num], list[Num], Decimal]:
        # The hot path: whole points stay ints (see _rules.fast) until the total.
        project_pts: list[Num] = []
        for start, end, cap in self.project_plan:
            s = sum(pts[start:end])
            project_pts.append(cap if cap is not None and s > cap else s)
        unit_pts: list[Num] = []
        for projects, span, cap in self.unit_plan:
            s = sum([project_pts[p] for p in projects]) if span is None else sum(pts[span[0] : span[1]])
            unit_pts.append(cap if cap is not None and s > cap else s)
        if excluded and self.rubric.na == "rescale":
            self._rescale(unit_pts, excluded)
        if self.plain_sum:
            return project_pts, unit_pts, Decimal(sum(unit_pts))
        weighted = sum([p * w for p, w in zip(unit_pts, self.weights, strict=True)], ZERO)
        total = weighted if self.divisor is None else (self.base + weighted) / self.divisor
        return project_pts, unit_pts, total

    def _rescale(self, unit_pts: list[Num], excluded: set[int] | frozenset[int]) -> None:
        # GB/T 50378-2014 style: a unit's score is scaled to its maximum over the maximum of the
        # items that applied (caps included), so not-applicable items neither help nor hurt.
        applicable = [0 if k in excluded else m for k, m in enumerate(self.item_max)]
        _, unit_top, _ = self._sums(applicable, frozenset())
        for u, top in enumerate(self.unit_max):
            if unit_top[u] and unit_top[u] < top:
                unit_pts[u] = (unit_pts[u] * top / unit_top[u]).quantize(self.quantum, ROUND_HALF_UP)

    def item_points(self, answers: Answers) -> tuple[list[Num], set[int]]:
        """Every item's points, and the items answered as not applicable."""
        pts: list[Num] = [f(answers) for f in self.fns]
        excluded: set[int] = set()
        for k, na in self.na_items:
            if answers.get(na) is True:
                excluded.add(k)
                pts[k] = self.item_max[k] if self.rubric.na == "full" else 0
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
        if self.plain_sum:
            return project_pts, unit_pts, Decimal(sum(unit_pts))
        weighted = sum([p * w for p, w in zip(unit_pts, self.weights, strict=True)], ZERO)
        total = weighted if self.divisor is None else (self.base + weighted) / self.divisor
        return project_pts, unit_pts, total

    def score(self, answers: Answers, sheet: Sheet | None) -> ScoreCard:
        """Score validated *answers* (the hot path)."""
        pts: list[Num] | None = None
        excluded: set[int] = set()
        if self.fast:
            project_pts, unit_pts, total = self._fast_sums(answers)
        else:
            pts, excluded = self.item_points(answers)
            project_pts, unit_pts, total = self._sums(pts, excluded)
        failed: list[_Gate] = []
        for gate in self.gates:
            if gate.kind == "nonzero":
                if project_pts[gate.index] <= 0:
                    failed.append(gate)
            elif gate.index in excluded:
                continue
            elif gate.index in self.checks:
                if answers.get(self.checks[gate.index]) is not True:
                    failed.append(gate)
            elif (pts[gate.index] if pts is not None else self.fns[gate.index](answers)) < gate.need:
                failed.append(gate)
        if any(g.kind == "zero" for g in failed):
            total = ZERO
        level = None if failed else self._level(total, unit_pts)
        return ScoreCard(
            self, answers, sheet, pts, project_pts, unit_pts, total, level, tuple(failed), frozenset(excluded)
        )

    def _level(self, total: Decimal, unit_pts: Sequence[Num]) -> str | None:
        for lv in self.levels:
            if total < lv.min:
                continue
            if any(unit_pts[self.unit_index[a]] < need for a, need in lv.unit_min.items()):
                continue
            if lv.unit_share is not None and any(
                not self.bonus_units[u] and unit_pts[u] < lv.unit_share * self.unit_max[u]
                for u in range(len(unit_pts))
            ):
                continue
            return lv.name
        return None


_COMPILED: Final[dict[int, Compiled]] = {}

_GATE_WORDS: Final[dict[str, str]] = {
    "required": "必须完成项，未完成不予认定",
    "veto": "否决性指标，未达到即为最低等级",
    "zero": "未达到则评价总分为0分",
    "nonzero": "★项目得分不得为0分",
}


def compiled(rubric: Rubric) -> Compiled:
    """The compiled form of *rubric*, built once per rubric object."""
    found = _COMPILED.get(id(rubric))
    if found is not None and found.rubric is rubric:
        return found
    made = Compiled(rubric)
    _COMPILED[id(rubric)] = made
    weakref.finalize(rubric, _COMPILED.pop, id(rubric), None)
    return made


@attrs.frozen
class GateResult:
    """A gate that failed: which, where, and why it withholds every level."""

    kind: GateKind
    address: str
    reason: str


@attrs.frozen
class ItemResult:
    """One item's award, its maximum and the reason, in the standard's words."""

    address: str
    text: str
    points: Decimal
    max: Decimal
    reason: str
    unit: str
    project: str | None
    applicable: bool
    unanswered: tuple[str, ...]
    evidence: tuple[str, ...]


@attrs.frozen
class GroupResult:
    """A unit's or project's points and maximum."""

    address: str
    title: str
    points: Decimal
    max: Decimal


class ScoreCard:
    """The result of scoring one sheet: every item's points with the reason, subtotals, total,
    the level reached and the gates that failed.

    Attributes:
        total: the total score (after any aggregate formula).
        max: the most the rubric allows in its base units (the declared total).
        level: the highest level reached, or None.
        passed: True when a level is reached (for a rubric without levels: no gate failed).
        failed_gates: the gates that failed.
    """

    __slots__ = (
        "__dict__",
        "_c",
        "_given_pts",
        "_project_pts",
        "_rubric",
        "_unit_pts",
        "answers",
        "excluded",
        "failed_gates_raw",
        "level",
        "sheet",
        "total",
    )

    def __init__(
        self,
        c: Compiled,
        answers: Answers,
        sheet: Sheet | None,
        pts: list[Num] | None,
        project_pts: list[Num],
        unit_pts: list[Num],
        total: Decimal,
        level: str | None,
        failed: tuple[_Gate, ...],
        excluded: frozenset[int],
    ) -> None:
        self._c = c
        self._rubric = c.rubric
        self.answers = answers
        self.sheet = sheet
        self._given_pts = pts
        self._project_pts = project_pts
        self._unit_pts = unit_pts
        self.total = total
        self.level = level
        self.failed_gates_raw = failed
        self.excluded = excluded

    @property
    def rubric(self) -> Rubric:
        """The rubric scored against."""
        return self._rubric

    @property
    def max(self) -> Decimal:
        """The declared total of the rubric's base units."""
        return self._c.rubric.total

    @property
    def passed(self) -> bool:
        """Whether the agency reached a level (or, without levels, failed no gate)."""
        if self._c.rubric.levels:
            return self.level is not None
        return not self.failed_gates_raw

    @functools.cached_property
    def _pts(self) -> list[Num]:
        return self._given_pts if self._given_pts is not None else self._c.item_points(self.answers)[0]

    @functools.cached_property
    def failed_gates(self) -> tuple[GateResult, ...]:
        """Every failed gate with its reason."""
        out = []
        for g in self.failed_gates_raw:
            word = _GATE_WORDS[g.kind]
            if g.kind == "nonzero":
                reason = f"{g.label} 得0分（{word}）"
            elif g.index in self._c.checks:
                reason = f"{g.label} 未满足（{word}）"
            else:
                got = fmt(self._pts[g.index])
                reason = f"{g.label} 得{got}分，未达到{fmt(g.need)}分（{word}）"
            out.append(GateResult(g.kind, g.address, reason))
        return tuple(out)

    @functools.cached_property
    def items(self) -> dict[str, ItemResult]:
        """Every item's result by address, in rubric order."""
        c = self._c
        evidence = self.sheet.evidence if self.sheet is not None else {}
        out = {}
        for k, item in enumerate(c.items):
            applicable = k not in self.excluded
            if applicable:
                points, reason = explain(item.rule, item.address, self.answers)
                if points != self._pts[k]:  # pragma: no cover - the two paths share one compiler
                    raise AssertionError(f"{item.address}: {points} != {self._pts[k]}")
            else:
                points = Decimal(self._pts[k])
                reason = f"不适用（{item.rule.na_if}）"
            unit = c.unit_nodes[item.unit][0]
            project = None
            if item.project is not None:
                project = f"{unit}.{c.unit_nodes[item.unit][1].projects[item.project].id or item.project + 1}"
            docs: list[str] = []
            for address in dict.fromkeys((item.address, *item.leaves)):
                docs.extend(d for d in evidence.get(address, ()) if d not in docs)
            out[item.address] = ItemResult(
                item.address,
                item.rule.text,
                points,
                item.max,
                reason,
                unit,
                project,
                applicable,
                tuple(a for a in item.leaves if a not in self.answers and not a.endswith((".zero", ".na"))),
                tuple(docs),
            )
        return out

    @functools.cached_property
    def units(self) -> tuple[GroupResult, ...]:
        """Every unit's points and maximum."""
        return tuple(
            GroupResult(a, u.title, Decimal(p), m)
            for (a, u), p, m in zip(self._c.unit_nodes, self._unit_pts, self._c.unit_max, strict=True)
        )

    @functools.cached_property
    def projects(self) -> tuple[GroupResult, ...]:
        """Every project's points and maximum."""
        return tuple(
            GroupResult(a, p.title, Decimal(pts), m)
            for (a, p, _), pts, m in zip(
                self._c.project_nodes, self._project_pts, self._c.project_max, strict=True
            )
        )

    @functools.cached_property
    def unanswered(self) -> tuple[str, ...]:
        """The leaves no answer was given for (each scored 0)."""
        return tuple(a for r in self.items.values() if r.applicable for a in r.unanswered)

    @functools.cached_property
    def without_evidence(self) -> tuple[str, ...]:
        """Items that earned points but cite no evidence (佐证材料)."""
        return tuple(a for a, r in self.items.items() if r.points > 0 and not r.evidence)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (points as `Decimal`); the schema is documented in docs/scoring.md."""
        info = self.sheet.info if self.sheet is not None else None
        return {
            "rubric": self.rubric.title,
            "agency": info.agency if info else None,
            "year": info.year if info else None,
            "stage": info.stage if info else None,
            "assessor": info.assessor if info else None,
            "total": self.total,
            "max": self.max,
            "level": self.level,
            "passed": self.passed,
            "failed_gates": [attrs.asdict(g) for g in self.failed_gates],
            "units": [attrs.asdict(u) for u in self.units],
            "projects": [attrs.asdict(p) for p in self.projects],
            "items": [
                {**attrs.asdict(r), "unanswered": list(r.unanswered), "evidence": list(r.evidence)}
                for r in self.items.values()
            ],
            "unanswered": list(self.unanswered),
            "without_evidence": list(self.without_evidence),
        }


def check_sheet(rubric: Rubric, sheet: Sheet | Mapping[str, Any]) -> list[Problem]:
    """Every problem with *sheet*'s answers for *rubric* (unknown addresses, wrong shapes …)."""
    c = compiled(rubric)
    if not isinstance(sheet, Sheet):
        sheet = Sheet(info=SheetInfo(agency=""), answers=dict(sheet))
    return check_answers(c.leaves, c.item_addresses, sheet)[1]


def score(rubric: Rubric, sheet: Sheet | Mapping[str, Any]) -> ScoreCard:
    """Score *sheet* against *rubric* and explain every point.

    Args:
        rubric: a validated rubric (from `load_rubric` or `loads_rubric`).
        sheet: a `Sheet`, or a mapping from leaf address to answer.

    Returns:
        The score card, with the total, the level, the failed gates and every item's points
        with the reason.

    Raises:
        SheetError: *sheet* names an address that *rubric* lacks, or gives an answer of the
            wrong shape; every such problem is listed.
    """
    c = compiled(rubric)
    if not isinstance(sheet, Sheet):
        sheet_obj = Sheet(info=SheetInfo(agency=""), answers=dict(sheet))
        answers, problems = check_answers(c.leaves, c.item_addresses, sheet_obj)
        if problems:
            raise SheetError(problems)
        return c.score(answers, None)
    answers, problems = check_answers(c.leaves, c.item_addresses, sheet)
    wrong_stage = stage_problem(rubric, sheet.info.stage, sheet.file, sheet.row)
    if wrong_stage is not None:
        problems.insert(0, wrong_stage)
    named = sheet.info.rubric
    if named is not None and named != rubric.title:
        problems.append(
            Problem(
                file=sheet.file,
                line=sheet.row,
                path="sheet.rubric",
                message=f"the sheet is for '{named}', not for '{rubric.title}'",
            )
        )
    if problems:
        raise SheetError(problems)
    return c.score(answers, sheet)


def reachable_total(rubric: Rubric) -> Decimal:
    """The most a sheet can score, bonuses and over-achievement included."""
    c = compiled(rubric)
    pts = [reachable(i.rule) or i.max for i in c.items]
    return c.totals(pts)[2]
