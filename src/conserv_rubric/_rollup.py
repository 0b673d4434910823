"""The roll-up (DESIGN §9): every agency on the roster, its latest sheet, and the district's share.

Each sheet is scored on its own; a sheet that fails (broken, another year, a stage the rubric
lacks, answers that do not fit) is reported and the rest are still counted. Sheets are matched
to roster rows by code where both have one, else by NFKC-normalised trimmed name. An agency's
latest stage counts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from decimal import (
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Decimal,
    localcontext,
)
from pathlib import Path

import attrs

from ._energy_model import Coefficients
from ._inputs import gather
from ._plan import Plan, check_plan, load_plan
from ._rollup_model import (
    AVERAGE_PLACES,
    CONTEXT,
    SHARE_PLACES,
    AgencyResult,
    Average,
    Below,
    GoalResult,
    GroupCount,
    InputError,
    ItemChange,
    Late,
    Missing,
    Rollup,
    StageDifference,
    Summary,
    Unmatched,
)
from ._roster import Roster, RosterEntry, load_roster, normalise
from ._score import ScoreCard, score
from ._sheet import Sheet
from ._stages import check_stages
from ._text import suggest
from .diffs import diff
from .errors import Problem, RubricError, SheetError
from .gaps import gap
from .model import Rubric

# --- the computation -------------------------------------------------------------------------


@attrs.define
class _Row:
    entry: RosterEntry
    counted: bool
    by_stage: dict[str, list[tuple[Sheet, ScoreCard]]] = attrs.Factory(dict)


def _located(sheet: Sheet) -> str:
    name = sheet.file if sheet.file is not None else f'the sheet of "{sheet.info.agency}"'
    if sheet.row is not None:
        return f"{name}:{sheet.row}"
    cell = sheet.cells.get("sheet.agency")  # a workbook's worksheet, by the cell naming the agency
    return f"{name} ({cell})" if cell is not None else name


def _error(p: Problem) -> InputError:
    # Problems in workbooks will carry the cell (自评打分表!F14); the others have none.
    message = f"{p.path}: {p.message}" if p.path else p.message
    return InputError(p.file, p.line, p.column, getattr(p, "cell", None), message)


def _number_word(n: int) -> str:
    return {2: "two", 3: "three"}.get(n, str(n))


class _Matcher:
    """Matches sheets to roster rows: by code when both have one, else by normalised name."""

    def __init__(self, rows: list[_Row]) -> None:
        self.rows = rows
        self.by_code = {normalise(r.entry.code): k for k, r in enumerate(rows) if r.entry.code}
        self.by_name = {normalise(r.entry.agency): k for k, r in enumerate(rows)}
        self.names = [r.entry.agency for r in rows]

    def match(self, sheet: Sheet) -> tuple[int | None, str]:
        code = normalise(sheet.info.code) if sheet.info.code else None
        name = normalise(sheet.info.agency)
        if code is not None and code in self.by_code:
            return self.by_code[code], ""
        if not name:
            return None, "the sheet names no agency (sheet.agency is empty)"
        k = self.by_name.get(name)
        if k is not None:
            row_code = self.rows[k].entry.code
            if code is None or row_code is None:
                return k, ""
            given = f'the roster gives "{self.names[k]}" the code "{row_code}"'
            return None, f'code "{code}" is not on the roster; {given}'
        hint = suggest(name, self.names)
        if code is not None:
            return None, f'neither code "{code}" nor agency "{sheet.info.agency}" is on the roster{hint}'
        return None, f'agency "{sheet.info.agency}" is not on the roster{hint}'


def _resolve(
    plan: Plan | str | os.PathLike[str] | None, roster: Roster | str | os.PathLike[str] | None
) -> tuple[Plan | None, Roster | None]:
    if plan is not None and not isinstance(plan, Plan):
        plan = load_plan(plan)
    if roster is not None and not isinstance(roster, Roster):
        roster = load_roster(roster)
    return plan, roster


def _known_files(plan: Plan | None, roster: Roster | None) -> dict[Path, str]:
    known: dict[Path, str] = {}
    for doc, role in ((roster, "the roster"), (plan, "the plan")):
        if doc is not None and doc.file is not None:
            known[Path(doc.file).resolve()] = role
    return known


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    with localcontext(CONTEXT):
        return (Decimal(part) / Decimal(whole)).quantize(
            Decimal(1).scaleb(-SHARE_PLACES), rounding=ROUND_FLOOR
        )


def _goals(plan: Plan | None, agencies: int, reached: int) -> tuple[GoalResult, ...]:
    out = []
    for goal in plan.goals if plan is not None else ():
        num, den = goal.share.as_integer_ratio()
        needed = -(-num * agencies // den)  # ⌈share × agencies⌉ in integers: no rounding anywhere
        out.append(
            GoalResult(goal.by, goal.share, needed, reached >= needed, max(needed - reached, 0), goal.text)
        )
    return tuple(out)


def _averages(
    cards: Sequence[ScoreCard], blank: ScoreCard
) -> tuple[tuple[Average, ...], tuple[Average, ...]]:
    units = []
    with localcontext(CONTEXT):
        quantum = Decimal(1).scaleb(-AVERAGE_PLACES)
        for u, unit in enumerate(blank.units):
            points = [c.units[u].points for c in cards]
            mean = (
                (sum(points, Decimal(0)) / len(points)).quantize(quantum, ROUND_HALF_UP) if points else None
            )
            missed = sum(1 for c in cards if c.units[u].points < c.units[u].max)
            units.append(Average(unit.address, unit.title, unit.max, mean, missed, len(points)))
        items = []
        for address, item in blank.items.items():
            results = [c.items[address] for c in cards if c.items[address].applicable]
            total = sum((r.points for r in results), Decimal(0))
            mean = (total / len(results)).quantize(quantum, ROUND_HALF_UP) if results else None
            missed = sum(1 for r in results if r.points < r.max)
            items.append(Average(address, item.text, item.max, mean, missed, len(results)))
    return tuple(units), tuple(items)


def _below(result: AgencyResult, card: ScoreCard) -> Below:
    g = gap(card)
    t = g.target
    return Below(
        result.agency,
        result.code,
        result.parent,
        result.stage,
        card.total,
        card.level,
        t.name if t is not None else None,
        t.missing if t is not None else None,
        t.reachable if t is not None else None,
        t.best if t is not None else None,
        t.plan if t is not None else (),
        tuple(f"{x.address}：{x.reason}" for x in g.failed_gates),
    )


def _difference(
    result: AgencyResult, first: ScoreCard, last: ScoreCard, stages: tuple[str, str]
) -> StageDifference:
    d = diff(first, last)
    items = tuple(
        ItemChange(i.address, i.text, i.self_points, i.verified_points, i.difference) for i in d.items
    )
    return StageDifference(
        result.agency,
        result.code,
        stages[0],
        stages[1],
        d.self_total,
        d.verified_total,
        d.difference,
        d.self_level,
        d.verified_level,
        items,
    )


def _score_all(
    rubric: Rubric,
    sheets: Sequence[Sheet],
    year: int | None,
    errors: list[InputError],
    coefficients: Coefficients | None,
) -> list[tuple[Sheet, ScoreCard]]:
    """Every sheet of the roll-up's year scored; the others reported in *errors*."""
    scored = []
    for sheet in sheets:
        if year is not None and sheet.info.year != year:
            given = sheet.info.year
            said = f"the sheet is for {given}" if given is not None else "the sheet names no year"
            message = f"sheet.year: {said}; the roll-up is for {year}"
            errors.append(InputError(sheet.file, sheet.row, None, None, message))
            continue
        try:
            scored.append((sheet, score(rubric, sheet, coefficients=coefficients)))
        except SheetError as exc:
            errors.extend(_error(p) for p in exc.problems)
    return scored


def _assign(
    scored: Sequence[tuple[Sheet, ScoreCard]], roster: Roster | None, separately: bool
) -> tuple[list[_Row], list[Unmatched]]:
    """The rows (the roster's, or one per agency that sent a sheet) with their sheets by stage."""
    rows = [_Row(e, separately or e.parent is None) for e in roster.agencies] if roster is not None else []
    matcher = _Matcher(rows)
    unmatched: list[Unmatched] = []
    for sheet, card in scored:
        info = sheet.info
        if roster is None:
            key = normalise(info.agency)
            if key not in matcher.by_name:
                matcher.by_name[key] = len(rows)
                rows.append(_Row(RosterEntry(agency=info.agency, code=info.code), True))
            k = matcher.by_name[key]
        else:
            found, reason = matcher.match(sheet)
            if found is None:
                unmatched.append(
                    Unmatched(info.agency, info.code, sheet.file, sheet.row, info.stage, card.total, reason)
                )
                continue
            k = found
        rows[k].by_stage.setdefault(info.stage, []).append((sheet, card))
    return rows, unmatched


def _usable(row: _Row, errors: list[InputError]) -> dict[str, ScoreCard]:
    """The row's one card per stage; two sheets at one stage are an error and neither counts."""
    usable: dict[str, ScoreCard] = {}
    for stage, found in row.by_stage.items():
        if len(found) == 1:
            usable[stage] = found[0][1]
            continue
        names = [_located(s) for s, _ in found]
        listed = ", ".join(names[:-1]) + f" and {names[-1]}"
        message = (
            f'"{row.entry.agency}" has {_number_word(len(names))} sheets at stage "{stage}": {listed}; '
            "none of them is counted"
        )
        last = found[-1][0]
        errors.append(InputError(last.file, last.row, None, last.cells.get("sheet.agency"), message))
    return usable


def _result(row: _Row, stage: str | None, card: ScoreCard | None, reached: bool) -> AgencyResult:
    e = row.entry
    if stage is None or card is None or card.sheet is None:
        return AgencyResult(e.agency, e.code, e.parent, e.type, row.counted)
    sheet = card.sheet
    return AgencyResult(
        e.agency,
        e.code,
        e.parent,
        e.type,
        row.counted,
        stage,
        sheet.file,
        sheet.row,
        sheet.info.date,
        card.total,
        card.level,
        card.passed,
        reached,
        card,
    )


def _count(members: Sequence[AgencyResult], secondary: int | None = None) -> GroupCount:
    with_sheet = sum(1 for m in members if m.card is not None)
    return GroupCount(len(members), with_sheet, sum(1 for m in members if m.reached), secondary)


def _summary(
    results: Sequence[AgencyResult], plan: Plan | None, ladder: dict[str, Decimal], read: int, grouped: bool
) -> Summary:
    counted = [r for r in results if r.counted]
    reached = sum(1 for r in counted if r.reached)
    levels = sorted(ladder, key=ladder.__getitem__)
    by_level = {name: sum(1 for r in counted if r.card is not None and r.level == name) for name in levels}
    types = dict.fromkeys(r.type or "" for r in counted)
    by_type = {t: _count([r for r in counted if (r.type or "") == t]) for t in types}
    by_parent: dict[str, GroupCount] = {}
    for parent in (r for r in results if r.parent is None and grouped):
        key = normalise(parent.agency)
        kids = [r for r in results if r.parent is not None and normalise(r.parent) == key]
        if kids:
            by_parent[parent.agency] = _count([m for m in (parent, *kids) if m.counted], len(kids))
    return Summary(
        len(counted),
        sum(1 for r in counted if r.card is not None),
        read,
        reached,
        _share(reached, len(counted)),
        by_level,
        by_type,
        by_parent,
        _goals(plan, len(counted), reached),
    )


def _late(
    plan: Plan | None, rows: Sequence[_Row], scored: Sequence[tuple[Sheet, ScoreCard]], year: int | None
) -> tuple[Late, ...]:
    if plan is None:
        return ()
    owner = {id(s): row.entry for row in rows for found in row.by_stage.values() for s, _ in found}
    late = []
    for sheet, _ in scored:
        deadline = plan.deadline(sheet.info.stage, year)
        day = sheet.info.date
        if deadline is None or day is None or day <= deadline:
            continue
        entry = owner.get(id(sheet))
        agency = entry.agency if entry is not None else sheet.info.agency
        code = entry.code if entry is not None else sheet.info.code
        late.append(
            Late(agency, code, sheet.file, sheet.row, sheet.info.stage, day, deadline, (day - deadline).days)
        )
    return tuple(late)


def rollup(
    rubric: Rubric,
    sheets: Iterable[Sheet | str | os.PathLike[str]],
    plan: Plan | str | os.PathLike[str] | None = None,
    roster: Roster | str | os.PathLike[str] | None = None,
    year: int | None = None,
    *,
    coefficients: Coefficients | None = None,
) -> Rollup:
    """Roll up a district's sheets against its roster and plan (DESIGN §9).

    Args:
        rubric: the rubric to score against.
        sheets: sheets, sheet files, or folders to scan for ``.toml``, ``.json`` and ``.csv``
            sheets (other files are listed as skipped).
        plan: the plan (创建行动方案) or its file: the level that counts, the goals, the
            schedule and how 二级单位 count. Without a plan the rubric's lowest level counts and
            there are no goals.
        roster: the roster (名录) or its file. Without one, every agency that sent a sheet is
            a row, in the order its first sheet was read, and none is missing.
        year: the year counted; default the plan's. A sheet of another year (or of none) is an
            error. Without a year or plan, years are not checked.
        coefficients: the standard-coal table for sheets with ``[energy]`` (default 当量值).

    Returns:
        The roll-up. Broken sheets, sheets of another year, two sheets of one agency at one
        stage and sheets that do not fit the rubric are in ``errors``; everything else is counted.

    Raises:
        RubricError: the plan or roster cannot be read, the plan counts another rubric (or a
            level or stage the rubric lacks), or the rubric's stages are malformed.
    """
    problems = check_stages(rubric)
    plan, roster = _resolve(plan, roster)
    if plan is not None:
        problems.extend(check_plan(plan, rubric))
    if problems:
        raise RubricError(problems)
    ladder = {lv.name: lv.min for lv in rubric.levels}
    level = plan.rubric.level if plan is not None else min(ladder, key=ladder.__getitem__, default=None)
    if year is None and plan is not None:
        year = plan.year
    gathered = gather(sheets, _known_files(plan, roster))
    errors = [_error(p) for p in gathered.problems]
    scored = _score_all(rubric, gathered.sheets, year, errors, coefficients)
    separately = plan is not None and plan.secondary.count == "separately"
    rows, unmatched = _assign(scored, roster, separately)

    order = {stage: i for i, stage in enumerate(rubric.stages)}
    first_stage = rubric.stages[0]
    results: list[AgencyResult] = []
    differences: list[StageDifference] = []
    for row in rows:
        usable = _usable(row, errors)
        latest = max(usable, key=order.__getitem__, default=None)
        card = usable[latest] if latest is not None else None
        reached = card is not None and (
            card.passed if level is None else card.level is not None and ladder[card.level] >= ladder[level]
        )
        result = _result(row, latest, card, reached)
        results.append(result)
        first = usable.get(first_stage)
        if first is not None and card is not None and latest is not None and latest != first_stage:
            differences.append(_difference(result, first, card, (first_stage, latest)))

    counted_cards = [r.card for r in results if r.counted and r.card is not None]
    units, items = _averages(counted_cards, score(rubric, {}))
    return Rollup(
        rubric=rubric,
        plan=plan,
        roster=roster,
        year=year,
        level=level,
        summary=_summary(results, plan, ladder, len(scored), roster is not None),
        agencies=tuple(results),
        units=units,
        items=items,
        below=tuple(_below(r, r.card) for r in results if r.counted and r.card is not None and not r.reached),
        missing=tuple(
            Missing(r.agency, r.code, r.parent, r.type)
            for r, row in zip(results, rows, strict=True)
            if r.counted and not row.by_stage
        ),
        late=_late(plan, rows, scored, year),
        unmatched=tuple(unmatched),
        skipped=gathered.skipped,
        differences=tuple(differences),
        errors=tuple(errors),
    )
