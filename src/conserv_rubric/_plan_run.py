"""A rubric's generated plan at run time: the functions `conserv_rubric._codegen` writes, made once
for a rubric scored more than once, and what deciding a sheet takes (`Plan.run`).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ._codegen import Quick, Sums, _Plan
from ._compiled import Compiled
from ._exact import EXACT
from ._gates import within
from ._plan_shared import MISS, Checker, copy_answer
from ._provenance import rubric_hash
from ._results import GroupResult, ItemResult
from ._score import MAX_SHARED
from ._sheet import WORDS, Sheet


class Plan:
    """The generated functions of one compiled rubric, and the memo of text they share.

    Attributes:
        quick: from answers as written (a dict), the unit points, total, level and failed gates.
        text: the same, looking text up first (a sheet read from CSV).
        whole: the checked answers alone, for a card's explanations.
        explain: every item's result, when each is one the rubric's cards share (else None).
        source: the source of `quick`, for reading.
    """

    def __init__(self, c: Compiled) -> None:
        self.checker = Checker(list(c.leaves.values()))
        source, self.quick = self._make(c, full=False, text=False)
        self.source: str = source
        self.text: Quick = self._make(c, full=False, text=True)[1]
        whole = self._make(c, full=True, text=False)[1]
        self.whole: Callable[[dict[str, Any], bool], tuple[Any, ...] | None] = whole
        explain = self._make(c, full=True, text=False, explain=True)[1]
        self.explain: Callable[[dict[str, Any], bool], dict[str, ItemResult] | None] = explain
        self.leaves = c.leaves.keys() | c.item_addresses
        self.title = c.rubric.title
        self.rubric = c._rubric
        self.stages = c.rubric.stages
        self.first = c.rubric.stages[0]
        #: The rubric's hash, worked out when a sheet first names one (it is dear to compute).
        self.hash: str | None = None
        _share_units(c)

    def run(self, sheet: object) -> tuple[dict[str, Any], Sheet | None, bool, Sums] | None:
        """*sheet* scored: the answers it was scored from (a copy), the sheet (None for a
        dict), whether the verifier's items were withheld, and the sums; or None when the full
        checker must read it: a sheet with ``[energy]``, naming another rubric, of another stage,
        citing evidence or notes for addresses that may not exist, or with any answer in doubt."""
        if sheet.__class__ is dict:
            assert isinstance(sheet, dict)
            snap: dict[str, Any] = sheet.copy()
            found = self.quick(snap, True)
            return None if found is None else (snap, None, True, found)
        if sheet.__class__ is not Sheet:
            return None
        assert isinstance(sheet, Sheet)
        info = sheet.info
        if sheet.energy is not None or (info.rubric is not None and info.rubric != self.title):
            return None
        if info.rubric_hash is not None:
            if self.hash is None:
                rubric = self.rubric()
                if rubric is None:
                    return None
                self.hash = rubric_hash(rubric)
            if info.rubric_hash != self.hash:
                return None
        stage = info.stage
        if stage != self.first and stage not in self.stages:
            return None
        if (sheet.evidence or sheet.notes) and not (
            self.leaves.issuperset(sheet.evidence) and self.leaves.issuperset(sheet.notes)
        ):
            return None
        snap = sheet.answers.copy()
        withhold = stage == self.first
        found = self.text(snap, withhold)
        return None if found is None else (snap, sheet, withhold, found)

    def _make(
        self, c: Compiled, *, full: bool, text: bool, explain: bool = False
    ) -> tuple[str, Callable[..., Any]]:
        plan = _Plan(c, full=full, text=text, explain=explain)
        plan.checker = self.checker
        source = plan.build()
        namespace: dict[str, Any] = {
            **plan.src.names,
            "Decimal": Decimal,
            "localcontext": decimal.localcontext,
            "EXACT": EXACT,
            "ZERO": Decimal(0),
            "NONE": (),
            "MISS": MISS,
            "TB": self.checker.text_bool,
            "YES": WORDS["true"],
            "NO": WORDS["false"],
            "fix": self.checker.fix,
            "copy": copy_answer,
            "within": within,
            "ADDRESSES": tuple(c.leaves),
        }
        code = compile(source, f"<conserv_rubric plan for {c.rubric.title!r}>", "exec")
        exec(code, namespace)  # our own source, written from the validated rubric
        return source, namespace["explain" if explain else "quick"]


def _share_units(c: Compiled) -> None:
    """Make the results of every whole number of points from 0 to each unit's maximum, which the
    rubric's cards then share (`Compiled.memo_units`), as a card reading its units would."""
    if not c.integral:
        return
    tops = c.applicable(frozenset()).units
    for memo, (address, unit), most, top in zip(c.memo_units, c.unit_nodes, c.unit_max, tops, strict=True):
        for p in range(min(int(most), MAX_SHARED - 1) + 1):
            if p not in memo:
                memo[p] = GroupResult(address, unit.title, Decimal(p), most, top)


def plan_of(c: Compiled) -> Plan | None:
    """*c*'s generated plan, written when the rubric is scored the second time (a rubric
    scored once is not worth it); None before."""
    plan: Plan | None = c.plan
    if plan is None:
        c.uses += 1
        if c.uses > 1:
            plan = c.plan = Plan(c)
    return plan
