"""The roll-up's results: every class `rollup()` returns, and its JSON contract (`Rollup.to_dict`)."""

from __future__ import annotations

import datetime
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import Any, Final

import attrs

from ._inputs import Skipped
from ._plan import Plan
from ._provenance import provenance
from ._roster import Roster
from ._score import ScoreCard
from .gaps import Step
from .model import Rubric

#: The version of the JSON contract of `Rollup.to_dict`; it changes when a key changes meaning.
SCHEMA_VERSION: Final = 1
#: Shares are rounded down to this many decimal places, so a rounded share ≥ a goal exactly when
#: the goal is met (goals have at most this many places).
SHARE_PLACES: Final = 4
#: Averages are rounded half up (四舍五入) to this many decimal places.
AVERAGE_PLACES: Final = 2
#: The library's own decimal context for the roll-up's arithmetic.
CONTEXT: Final = Context(prec=28, traps=[InvalidOperation, DivisionByZero, Overflow])


@attrs.frozen
class AgencyResult:
    """One roster row and the sheet that counts for it (its latest stage).

    Attributes:
        counted: whether the row is in the denominator (a 二级单位 counts with its parent by default).
        stage: the stage of the sheet that counts; None without a sheet.
        total: that sheet's total; None without a sheet.
        reached: whether it reached the plan's level.
        card: that sheet's score card (not part of the JSON).
    """

    agency: str
    code: str | None
    parent: str | None
    type: str | None
    counted: bool
    stage: str | None = None
    file: str | None = None
    line: int | None = None
    date: datetime.date | None = None
    total: Decimal | None = None
    level: str | None = None
    passed: bool | None = None
    reached: bool = False
    card: ScoreCard | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class GoalResult:
    """A goal of the plan against the roll-up.

    Attributes:
        share: the goal's share (0.25).
        needed: the agencies it takes: ⌈share × agencies⌉.
        met: whether reached ≥ needed (the share of agencies built is at least the goal's).
        short_by: the agencies still needed (还差N家), 0 when met.
    """

    by: datetime.date
    share: Decimal
    needed: int
    met: bool
    short_by: int
    text: str | None


@attrs.frozen
class GroupCount:
    """Agencies of one type, or of one parent and its 二级单位: counted, with a sheet, at the level.

    Attributes:
        secondary: the 二级单位 under the parent (None for a type).
    """

    agencies: int
    sheets: int
    reached: int
    secondary: int | None = None


@attrs.frozen
class Summary:
    """The counts: the denominator, sheets, the level reached, share and goals.

    Attributes:
        agencies: roster rows that count under the plan (the denominator).
        sheets: of those, the agencies with a sheet that counts (申报).
        read: sheets read and scored, of every stage, matched or not.
        reached: counted agencies at or above the plan's level.
        share: reached / agencies, rounded down to `SHARE_PLACES` places; None without agencies.
        by_level: counted agencies by the level their sheet reached, lowest level first.
        by_type: counted agencies by roster type ("" for none given).
        by_parent: each agency with 二级单位: its group's counts.
        goals: each goal of the plan.
    """

    agencies: int
    sheets: int
    read: int
    reached: int
    share: Decimal | None
    by_level: dict[str, int]
    by_type: dict[str, GroupCount]
    by_parent: dict[str, GroupCount]
    goals: tuple[GoalResult, ...]


@attrs.frozen
class Average:
    """A unit's or item's points over the counted agencies' sheets.

    Attributes:
        average: mean points, rounded half up to `AVERAGE_PLACES` places; None over no sheets.
        missed: sheets that scored less than its maximum.
        count: sheets it was scored on (an item that does not apply is left out).
    """

    address: str
    title: str
    max: Decimal
    average: Decimal | None
    missed: int
    count: int


@attrs.frozen
class Below:
    """A counted agency below the plan's level, and its gap (`conserv_rubric.gap`) to the next level.

    Attributes:
        target: the next level; missing: the points to it; best: the total with every open item
            at full points; plan: the fewest items that reach it; failed_gates: why gates failed.
    """

    agency: str
    code: str | None
    parent: str | None
    stage: str | None
    total: Decimal
    level: str | None
    target: str | None
    missing: Decimal | None
    reachable: bool | None
    best: Decimal | None
    plan: tuple[Step, ...]
    failed_gates: tuple[str, ...]


@attrs.frozen
class Missing:
    """A counted agency without a sheet (未申报)."""

    agency: str
    code: str | None
    parent: str | None
    type: str | None


@attrs.frozen
class Late:
    """A sheet dated after its stage's deadline in the plan's schedule; it still counts.

    Attributes:
        days: how many days late.
    """

    agency: str
    code: str | None
    file: str | None
    line: int | None
    stage: str
    date: datetime.date
    deadline: datetime.date
    days: int


@attrs.frozen
class Unmatched:
    """A sheet that matches no roster row; it is scored but not counted."""

    agency: str
    code: str | None
    file: str | None
    line: int | None
    stage: str
    total: Decimal
    reason: str


@attrs.frozen
class ItemChange:
    """An item scored differently: *difference* is ``to_points − from_points`` (None: absent in one)."""

    address: str
    text: str
    from_points: Decimal | None
    to_points: Decimal | None
    difference: Decimal | None


@attrs.frozen
class StageDifference:
    """An agency's first-stage sheet (自评) against the sheet that counts (核查 …)."""

    agency: str
    code: str | None
    from_stage: str
    to_stage: str
    from_total: Decimal
    to_total: Decimal
    difference: Decimal
    from_level: str | None
    to_level: str | None
    items: tuple[ItemChange, ...]


@attrs.frozen
class InputError:
    """An input that failed: where (file, line and column, or cell) and what."""

    file: str | None
    line: int | None
    column: int | None
    cell: str | None
    message: str


def _plain(value: Any) -> Any:
    """A JSON-ready value: attrs records as dicts (score cards left out), dates in ISO form."""
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value)) if f.name != "card"}
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@attrs.frozen
class Rollup:
    """A district's year: per-agency results, counts and shares against the plan's goals.

    Attributes:
        rubric: the rubric scored against.
        plan: the plan, if any.
        roster: the roster, if any (without one, every agency that sent a sheet is a row).
        year: the year counted (None: not checked).
        level: the level that counts as built (the plan's, or the rubric's lowest).
        summary: the counts.
        agencies: every row, in roster order.
        units: unit averages; items: item averages and miss counts, in rubric order.
        below: counted agencies below the level, with their gap.
        missing: counted agencies without a sheet (未申报).
        late: sheets dated after their stage's deadline.
        unmatched: sheets that match no roster row.
        skipped: files not read as sheets.
        differences: first stage against the counting stage, per agency with both.
        errors: inputs that failed.
    """

    rubric: Rubric = attrs.field(eq=False, repr=False)
    plan: Plan | None
    roster: Roster | None
    year: int | None
    level: str | None
    summary: Summary
    agencies: tuple[AgencyResult, ...]
    units: tuple[Average, ...]
    items: tuple[Average, ...]
    below: tuple[Below, ...]
    missing: tuple[Missing, ...]
    late: tuple[Late, ...]
    unmatched: tuple[Unmatched, ...]
    skipped: tuple[Skipped, ...]
    differences: tuple[StageDifference, ...]
    errors: tuple[InputError, ...]

    @property
    def failed(self) -> bool:
        """Whether an input failed or a sheet matched no roster row (the command exits 2)."""
        return bool(self.errors or self.unmatched)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (DESIGN §9, docs/rollup.md): numbers as `Decimal`, dates as ISO text.

        Returns:
            A dict with schema_version, provenance, year, level, plan, roster, summary,
            agencies, units, items, below, missing, late, unmatched, skipped, differences and errors.
        """
        plan = self.plan
        summary = _plain(self.summary)
        for group in summary["by_type"].values():
            del group["secondary"]
        return {
            "schema_version": SCHEMA_VERSION,
            "provenance": provenance(self.rubric),
            "year": self.year,
            "level": self.level,
            "plan": None
            if plan is None
            else {"title": plan.title, "file": plan.file, "secondary": plan.secondary.count},
            "roster": None
            if self.roster is None
            else {"file": self.roster.file, "rows": len(self.roster.agencies)},
            "summary": summary,
            "agencies": _plain(self.agencies),
            "units": [_average_dict(u, "title") for u in self.units],
            "items": [_average_dict(i, "text") for i in self.items],
            "below": _plain(self.below),
            "missing": _plain(self.missing),
            "late": _plain(self.late),
            "unmatched": _plain(self.unmatched),
            "skipped": _plain(self.skipped),
            "differences": _plain(self.differences),
            "errors": _plain(self.errors),
        }


def _average_dict(a: Average, name: str) -> dict[str, Any]:
    return {
        "address": a.address,
        name: a.title,
        "max": a.max,
        "average": a.average,
        "missed": a.missed,
        "count": a.count,
    }
