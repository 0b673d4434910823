"""Scoring: `score` a sheet against a rubric, and the `ScoreCard` that explains every point."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._answers import check_answers
from ._compiled import _COMPILED, Applicable, Compiled, Outcome, compiled
from ._exact import exact, exactly
from ._gates import barred_note
from ._kinds import ZERO, Answers, Num, answered, kind_of, reachable, unanswered_leaves
from ._plan_shared import Named, named_results, plan_when_reused
from ._provenance import SCHEMA_VERSION, Provenance, coefficients_provenance, provenance_of, rubric_hash
from ._results import GateResult, GroupResult, ItemResult, gate_result
from ._score_args import _as_coefficients, _as_rubric, _as_sheet, _from_energy, _located
from ._sheet import Sheet
from ._stages import stage_problem
from ._text import fmt
from .errors import Problem, SheetError
from .model import Rubric, Rule

if TYPE_CHECKING:
    from ._codegen import Sums
    from ._energy_model import Coefficients
    from ._energy_score import Derived

__all__ = ["GateResult", "GroupResult", "ItemResult", "ScoreCard", "reachable_total", "score"]

#: Results a rubric's cards share, at most, per item and for units and projects.
MAX_SHARED: Final = 256


class ScoreCard:
    """The result of scoring one sheet: every item's points with the reason, subtotals, total,
    the level reached and the gates that failed.

    Attributes:
        total: the total score (after any aggregate formula).
        max: the most the rubric allows in its base units (the declared total).
        applicable_max: the most this sheet could score there, given what does not apply.
        level: the highest level reached, or None.
        passed: True when a level is reached (for a rubric without levels: no gate failed);
            never for a rubric transcribed only in part.
        failed_gates: the gates that failed.
        verdict: what the card reached, in words.

    A card pickles as the rubric, the sheet (or the answers) and the coefficient table it was
    scored with, so a process pool can return cards; unpickling scores the sheet again.
    """

    __slots__ = (
        "__dict__",
        "_answers",
        "_c",
        "_given_pts",
        "_items",
        "_project_pts",
        "_rubric",
        "_snap",
        "_unit_pts",
        "_units",
        "_vals",
        "_withhold",
        "derived",
        "excluded",
        "failed_gates_raw",
        "held",
        "level",
        "sheet",
        "total",
    )

    def __init__(
        self,
        c: Compiled,
        answers: Answers,
        sheet: Sheet | None,
        outcome: Outcome,
        derived: Derived | None = None,
    ) -> None:
        self._c = c
        self.derived = derived
        self._rubric = c.rubric
        self._answers: Answers | None = answers
        self._snap: dict[str, Any] | None = None
        self._vals: tuple[Any, ...] | None = None
        self._withhold = False
        self.sheet = sheet
        self._given_pts = outcome.pts
        self._project_pts: list[Num] | None = outcome.project_pts
        self._unit_pts = outcome.unit_pts
        self._units: tuple[GroupResult, ...] | None = None
        self._items: dict[str, ItemResult] | None = None
        self.total = outcome.total
        self.level = outcome.level
        self.failed_gates_raw = outcome.failed
        self.excluded = outcome.excluded
        self.held = outcome.withheld

    def _written(self) -> dict[str, Any] | None:
        """The answers a card from the generated plan was scored from, as they were given (each
        passed the plan's checks); None for a card of the interpreter (`answers` has them)."""
        return self._snap

    def _checked(self) -> tuple[Any, ...]:
        """The checked answers, one per leaf in rubric order (None: unanswered); a card from the
        plan checks again the answers it was given (they pass the same checks)."""
        if self._vals is None:
            if self._snap is not None:
                self._vals = self._c.plan.whole(self._snap, self._withhold)
                assert self._vals is not None  # the same answers passed the same checks when scored
            else:
                answers = self.answers
                self._vals = tuple(answers.get(a) for a in self._c.leaves)
        return self._vals

    @property
    def answers(self) -> Answers:
        """The answers as checked: leaf address → normalised answer."""
        if self._answers is None:
            assert self._snap is not None
            vals, index = self._checked(), self._c.leaf_index
            self._answers = {k: vals[index[k]] for k in self._snap}
        return self._answers

    @property
    def rubric(self) -> Rubric:
        """The rubric scored against."""
        return self._rubric

    @property
    def max(self) -> Decimal:
        """The declared total of the rubric's base units."""
        return self._c.rubric.total

    @functools.cached_property
    def _applicable(self) -> Applicable:
        return self._c.applicable(self.excluded)

    @property
    def applicable_max(self) -> Decimal:
        """The most this sheet could score in the base units, given the items it declares not
        applicable: `max` unless ``na = "exclude"`` leaves items out (``"rescale"`` and
        ``"full"`` keep the declared total; a rubric of which nothing applies can score only
        its aggregate base)."""
        return self._applicable.total

    @property
    def passed(self) -> bool:
        """Whether the agency reached a level (or, without levels, failed no gate); never for a
        rubric transcribed only in part (see `partial`)."""
        if self._c.partial:
            return False
        if self._rubric.levels:
            return self.level is not None
        return not self.failed_gates_raw

    @property
    def partial(self) -> bool:
        """Whether the rubric transcribes only part of the standard (a ``published`` figure
        above what was transcribed): such a card awards no level and never passes."""
        return bool(self._c.partial)

    @property
    def withheld(self) -> tuple[str, ...]:
        """The items this sheet's stage does not score: on a self-assessment, those only a
        verifier scores (``verifier_only``)."""
        return tuple(self._c.items[k].address for k in sorted(self.held))

    @property
    def verdict(self) -> str:
        """What the card reached, in the standard's words: 达到“…”, 通过, or 未达到 … and why;
        for a rubric transcribed only in part, that no verdict can be given."""
        rubric = self.rubric
        if self._c.partial:
            parts = "；".join(
                f"{p.label}录入{fmt(p.transcribed)}分（原标准{fmt(p.published)}分）" for p in self._c.partial
            )
            return f"转录不完整，不作认定：{parts}"
        note = barred_note(rubric.levels, self.failed_gates_raw)
        if self.level is not None:
            reached = next(lv for lv in rubric.levels if lv.name == self.level)
            return f"达到“{self.level}”（{fmt(reached.min)}分）{note}"
        if self.failed_gates_raw and not note:
            return "未达到任何等级：门槛项未通过" if rubric.levels else "未通过：门槛项未通过"
        if not rubric.levels:
            return "通过（本标准未设等级）"
        lowest = min(rubric.levels, key=lambda lv: lv.min)
        if self.total >= lowest.min:
            return f"未达到“{lowest.name}”（{fmt(lowest.min)}分）：单元得分不足{note}"
        with exact():
            short = lowest.min - self.total
        return f"未达到“{lowest.name}”（{fmt(lowest.min)}分），还差{fmt(short)}分{note}"

    @functools.cached_property
    @exactly
    def _pts(self) -> list[Num]:
        if self._given_pts is not None:
            return self._given_pts
        return self._c.item_points(self.answers, self.held)[0]

    def _point(self, k: int) -> Num:
        """Item *k*'s points: of a card from the plan, that item's alone (by its closure)."""
        if self._given_pts is not None or self._snap is None or "_pts" in self.__dict__:
            return self._pts[k]
        return 0 if k in self.held else self._c.fns[k](self.answers)

    @functools.cached_property
    @exactly
    def _projects_pts(self) -> list[Num]:
        return self._c._groups(self._pts)[0] if self._project_pts is None else self._project_pts

    @functools.cached_property
    def failed_gates(self) -> tuple[GateResult, ...]:
        """Every failed gate with its reason, in the standard's own words where the rubric gives
        them (``consequence``)."""
        return tuple(gate_result(g, self) for g in self.failed_gates_raw)

    @property
    def items(self) -> dict[str, ItemResult]:
        """Every item's result by address, in rubric order."""
        found = self._items
        if found is None:
            evidence = self.sheet.evidence if self.sheet is not None else {}
            # What an item's result is made of is its own answers alone (no evidence, no
            # [energy]): such results are shared by the cards of one rubric, keyed by them.
            shared = not evidence and self.derived is None
            if shared and not (self.excluded or self.held) and self._snap is not None:
                # From the plan: every result looked up at once, if each is shared already.
                found = self._c.plan.explain(self._snap, self._withhold)
            if found is None:
                found = self._built(evidence, shared)
            self._items = found
        return found

    @exactly
    def _built(self, evidence: Mapping[str, tuple[str, ...]], shared: bool) -> dict[str, ItemResult]:
        """Every item's result, each shared one looked up and the others built."""
        c = self._c
        alone = self.excluded or self.held
        vals = self._checked() if shared else ()
        memos = c.memo_items
        if c.named is None:
            c.named = [named_results(c, k) for k in range(len(c.items))]
        out = {}
        for k, (address, start, stop) in enumerate(c.item_spans):
            # An unanswered item is shared too: its key is None.
            key: Any = None
            share = shared and not (alone and (k in self.excluded or k in self.held))
            if share:
                if stop - start == 1:
                    key = vals[start]
                    named = c.named[k]
                    if key.__class__ is list and named is not None:
                        out[address] = self._named(k, named, key)
                        continue
                    if key.__class__ is list:
                        key = tuple(key)
                else:
                    key = vals[start:stop]
                try:
                    found = memos[k].get(key)
                except TypeError:  # a ratio or a tier, or names among several leaves: not shared
                    share, found = False, None
                if found is not None:
                    out[address] = found
                    continue
            result = out[address] = self._item(k, self.answers, evidence)
            if share and len(memos[k]) < MAX_SHARED:
                memos[k][key] = result
        return out

    def _named(self, k: int, named: Named, names: list[str]) -> ItemResult:
        """Item *k*'s result for an answer naming *names*: its count's, shared by the rubric's
        cards (made now if need be), with the names in the reason."""
        memo, n = self._c.memo_items[k], len(names)
        base = memo.get(n)
        if base is None:
            address = self._c.items[k].address
            base = self._item(k, {**self.answers, address: n}, {})
            if len(memo) < MAX_SHARED:
                memo[n] = base
        return named(names, base)

    def _item(self, k: int, answers: Answers, evidence: Mapping[str, tuple[str, ...]]) -> ItemResult:
        c = self._c
        item = c.items[k]
        rule = item.rule
        applicable = k not in self.excluded
        if not applicable:
            points = Decimal(self._point(k))
            reason = f"不适用（{rule.na_if}）{self._ignored(rule, item.address)}"
        elif k in self.held:
            points = ZERO
            reason = f"仅由核查方评分，自评不计分{self._ignored(rule, item.address)}"
        else:
            points = Decimal(self._point(k))
            if rule.zero_if is not None and answers.get(f"{item.address}.zero") is True:
                reason = f"本项不得分（{rule.zero_if}）"
            else:
                reason = kind_of(rule).reason(rule, item.address, answers, points)
            if self.derived is not None:
                reason = self._energy_reason(item.address, item.leaves, reason)
        unit = c.unit_nodes[item.unit][0]
        project = None
        if item.project is not None:
            project = f"{unit}.{c.unit_nodes[item.unit][1].projects[item.project].id or item.project + 1}"
        # Each document once, in order: a dict, since a sheet may cite thousands.
        docs: dict[str, None] = {}
        if evidence:
            for address in dict.fromkeys((item.address, *item.leaves)):
                docs.update(dict.fromkeys(evidence.get(address, ())))
        return ItemResult(
            item.address,
            rule.text,
            points,
            item.max,
            self._applicable.items[k],
            reason,
            unit,
            project,
            applicable,
            () if k in self.held else unanswered_leaves(item.address, item.leaves, answers),
            tuple(docs),
            rule.note,
        )

    def _ignored(self, rule: Rule, address: str) -> str:
        """What the reason of an item that is not scored says of answers given to it anyway:
        they do not count, said so rather than silently passed over."""
        return "；所填答案不计" if answered(rule, address, self.answers) else ""

    def _energy_reason(self, address: str, leaves: tuple[str, ...], reason: str) -> str:
        """*reason* with the figures of the leaves answered from ``[energy]``."""
        assert self.derived is not None
        told = self.derived.reasons
        if address in told:
            return told[address]
        shown = [f"{a.removeprefix(address + '.')} {told[a]}" for a in leaves if a in told]
        return f"{reason}（{'；'.join(shown)}）" if shown else reason

    @property
    def coefficients(self) -> Coefficients | None:
        """The coefficient table the sheet's ``[energy]`` was scored with; None when nothing was."""
        return None if self.derived is None else self.derived.coefficients

    @property
    def units(self) -> tuple[GroupResult, ...]:
        """Every unit's points and maximum."""
        found = self._units
        if found is None:
            c = self._c
            if c.integral and not self.excluded:
                # Whole points (ints) with every item applicable: the same points, the same result.
                try:
                    found = tuple(map(dict.__getitem__, c.memo_units, self._unit_pts))  # one per unit
                except KeyError:
                    found = self._groups(c.memo_units)
            else:
                found = self._groups(None)
            self._units = found
        return found

    def _groups(self, memo: list[dict[Num, GroupResult]] | None) -> tuple[GroupResult, ...]:
        c = self._c
        found = tuple(
            GroupResult(a, u.title, Decimal(p), m, top)
            for (a, u), p, m, top in zip(
                c.unit_nodes, self._unit_pts, c.unit_max, self._applicable.units, strict=True
            )
        )
        if memo is not None:
            for shared, p, result in zip(memo, self._unit_pts, found, strict=True):
                if len(shared) < MAX_SHARED:
                    shared[p] = result
        return found

    @functools.cached_property
    def projects(self) -> tuple[GroupResult, ...]:
        """Every project's points and maximum."""
        c = self._c
        key = tuple(self._projects_pts) if c.integral and not self.excluded else None
        found = c.memo_projects.get(key) if key is not None else None
        if found is None:
            found = tuple(
                GroupResult(a, p.title, Decimal(pts), m, top)
                for (a, p, _), pts, m, top in zip(
                    c.project_nodes, self._projects_pts, c.project_max, self._applicable.projects, strict=True
                )
            )
            if key is not None and len(c.memo_projects) < MAX_SHARED:
                c.memo_projects[key] = found
        return found

    @functools.cached_property
    def unanswered(self) -> tuple[str, ...]:
        """The leaves of applicable items no answer was given for (docs/scoring.md says what
        each means: most score 0; an unanswered deficiency takes nothing away)."""
        return tuple(a for r in self.items.values() if r.applicable for a in r.unanswered)

    @functools.cached_property
    def none_found(self) -> tuple[str, ...]:
        """The unanswered leaves that are deficiencies of a ``deduct`` item (a flag, a count, a
        judged amount), read as none found: they take no points away."""
        leaves = self._c.leaves
        return tuple(a for a in self.unanswered if leaves[a].blank == "none")

    @functools.cached_property
    def without_evidence(self) -> tuple[str, ...]:
        """Items that earned points but cite no evidence (佐证材料)."""
        return tuple(a for a, r in self.items.items() if r.points > 0 and not r.evidence)

    @property
    def provenance(self) -> Provenance:
        """What produced this card: the rubric's title, version and hash, the library (DESIGN §14)."""
        return provenance_of(self._rubric)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as what it was scored from: the rubric, the sheet (or the answers given) and the
        coefficient table; unpickling scores that again, to the same card."""
        source: Sheet | dict[str, Any] = (
            self.sheet if self.sheet is not None else dict(self._written() or self.answers)
        )
        return (_rescored, (self._rubric, source, self.coefficients))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (points as `Decimal`, the date as ISO text); the schema, version
        `SCHEMA_VERSION`, is documented in docs/scoring.md."""
        from ._card_total import rescaled_units, total_formula  # noqa: PLC0415 - off score()'s start-up

        info = self.sheet.info if self.sheet is not None else None
        sheet = self.sheet
        # Named only where it is not the default (DESIGN §14), so other cards keep their shape.
        table = coefficients_provenance(self.coefficients)
        return {
            "schema_version": SCHEMA_VERSION,
            "provenance": attrs.asdict(self.provenance),
            **({"coefficients": table} if table is not None else {}),
            "rubric": self.rubric.title,
            "agency": info.agency if info else None,
            "code": info.code if info else None,
            "year": info.year if info else None,
            "stage": info.stage if info else None,
            "assessor": info.assessor if info else None,
            "encoding": self.sheet.encoding if self.sheet is not None else None,
            "date": info.date.isoformat() if info and info.date else None,
            "file": sheet.file if sheet else None,
            "line": sheet.row if sheet else None,
            "total": self.total,
            "max": self.max,
            "applicable_max": self.applicable_max,
            "level": self.level,
            "passed": self.passed,
            "verdict": self.verdict,
            "partial": [attrs.asdict(p) for p in self._c.partial],
            "withheld": list(self.withheld),
            "failed_gates": [attrs.asdict(g) for g in self.failed_gates],
            "units": [attrs.asdict(u) for u in self.units],
            # Only where the total is not the units' plain sum, so other cards keep their shape.
            **({"aggregate": formula} if (formula := total_formula(self)) is not None else {}),
            **({"rescaled": rescaled} if (rescaled := rescaled_units(self)) else {}),
            "projects": [attrs.asdict(p) for p in self.projects],
            "items": [
                {**attrs.asdict(r), "unanswered": list(r.unanswered), "evidence": list(r.evidence)}
                for r in self.items.values()
            ],
            "unanswered": list(self.unanswered),
            "none_found": list(self.none_found),
            "without_evidence": list(self.without_evidence),
        }


_NEW: Final = object.__new__
_NOTHING: Final[frozenset[int]] = frozenset()


def _planned(
    c: Compiled, rubric: Rubric, snap: dict[str, Any], sheet: Sheet | None, withhold: bool, found: Sums
) -> ScoreCard:
    """A card from the generated plan (`conserv_rubric._codegen`): the sums now, the checked
    answers and the items' points when an explanation first asks for them."""
    card: ScoreCard = _NEW(ScoreCard)
    card._c = c
    card.derived = card._answers = card._vals = card._given_pts = card._project_pts = None
    card._items = None
    card._rubric = rubric
    card._snap = snap
    card._withhold = withhold
    card.sheet = sheet
    card._unit_pts, card.total, card.level, card.failed_gates_raw, card._units = found
    card.excluded = _NOTHING
    card.held = c.verifier_items if withhold else _NOTHING
    return card


def score(
    rubric: Rubric, sheet: Sheet | Mapping[str, Any], *, coefficients: Coefficients | None = None
) -> ScoreCard:
    """Score *sheet* against *rubric* and explain every point.

    A sheet with ``[energy]`` answers the flags the rubric binds to an energy indicator
    (``indicator = "area_energy"``) from its figures: met when the indicator meets its target,
    with the figures as the reason (``单位建筑面积能耗 5.19 kgce/m²（目标 6.00）→ 3分``).

    Args:
        rubric: a validated rubric (from `load_rubric` or `loads_rubric`).
        sheet: a `Sheet` (from `load_sheet`, `load_sheets` or `loads_sheet`), or a mapping from
            leaf address to answer.
        coefficients: the standard-coal table for ``[energy]``
            (`conserv_rubric.energy.load_coefficients`); default 当量值.

    Returns:
        The score card, with the total, the level, the failed gates and every item's points
        with the reason.

    Raises:
        SheetError: *sheet* names an address that *rubric* lacks, gives an answer of the
            wrong shape, or names another rubric (its title or, for a workbook, its hash);
            every such problem is listed. Also when its ``[energy]`` cannot be judged (no target
            for a bound indicator), when it answers a bound flag both yes/no and from ``[energy]``,
            or when the rubric binds nothing to an indicator; and when *sheet* is neither a
            `Sheet` nor a mapping (a path: read it with `load_sheet` first).
        RubricError: *rubric* is not a `Rubric`, or *coefficients* is not a table (a name:
            load it with `load_coefficients` first).
    """
    # A rubric scored before, through its generated plan: nothing else is looked up, and a
    # plain dict of answers goes straight to the generated function.
    if coefficients is not None:
        _as_coefficients(coefficients)
    c = _COMPILED.get(id(rubric))
    if c is not None and (plan := c.plan) is not None and c._rubric() is rubric:
        if type(sheet) is dict:
            snap: dict[str, Any] = sheet.copy()
            sums = plan.quick(snap, True)
            if sums is not None:
                return _planned(c, rubric, snap, None, True, sums)
        else:
            found = plan.run(sheet)
            if found is not None:
                return _planned(c, rubric, *found)
    c = compiled(_as_rubric(rubric, "score"))
    plan = plan_when_reused(c)
    if plan is not None:
        found = plan.run(sheet)
        if found is not None:
            return _planned(c, c.rubric, *found)
    given = _as_sheet(sheet, "score")
    derived, given, energy_problems = _from_energy(c, given, coefficients)
    answers, problems = check_answers(c.leaves, c.item_addresses, given)
    problems[:0] = energy_problems
    if isinstance(sheet, Sheet):
        wrong_stage = stage_problem(c.rubric, given.info.stage, given.file, given.row)
        if wrong_stage is not None:
            problems.insert(0, wrong_stage)
    named = given.info.rubric
    if named is not None and named != c.rubric.title:
        problems.append(
            Problem(
                file=given.file,
                line=given.row,
                path="sheet.rubric",
                message=f"the sheet is for '{named}', not for '{c.rubric.title}'",
            )
        )
    elif given.info.rubric_hash is not None and given.info.rubric_hash != rubric_hash(c.rubric):
        problems.insert(
            0,
            Problem(
                file=given.file,
                line=given.row,
                path="sheet.rubric_hash",
                message=f"the sheet was made from another edition of '{c.rubric.title}' "
                f"({given.info.rubric_hash[:19]}…, this rubric is {rubric_hash(c.rubric)[:19]}…); "
                "fill in a template made from this rubric",
            ),
        )
    if problems:
        raise SheetError(_located(given, problems))
    card_sheet = sheet if isinstance(sheet, Sheet) else None
    # Bare answers have no stage: they are read as the first, the self-assessment.
    first = card_sheet is None or given.info.stage == c.rubric.stages[0]
    return ScoreCard(c, answers, card_sheet, c.evaluate(answers, withhold=first), derived)


def _rescored(rubric: Rubric, source: Sheet | dict[str, Any], coefficients: Coefficients | None) -> ScoreCard:
    """A pickled card: *source* scored again against *rubric* (`ScoreCard.__reduce__`)."""
    return score(rubric, source, coefficients=coefficients)


def reachable_total(rubric: Rubric) -> Decimal:
    """The most a sheet can score, bonuses and over-achievement included."""
    c = compiled(rubric)
    pts = [reachable(i.rule) or i.max for i in c.items]
    return c.totals(pts)[2]
