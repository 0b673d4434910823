"""The plan (创建行动方案): which rubric and level it counts, its goals, its schedule, its 二级单位.

A plan is TOML (``plans/*.toml``). It is read field by field (see `_fields`) so that every
mistake is located by its key path.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from pathlib import Path
from typing import Final, Literal

import attrs

from ._fields import Fields, table_lines
from ._parse import decode, parse_toml, read_bytes
from .errors import Problem, RubricError
from .model import Rubric

#: How 二级单位 count: with their parent (纳入整体创建，统一组织申报), or as agencies of their own.
SECONDARY: Final = ("with_parent", "separately")


@attrs.frozen(kw_only=True)
class PlanRubric:
    """The ``[rubric]`` table: the rubric a plan counts, and at which level.

    Attributes:
        name: the shipped rubric's name (``district`` for ``rubrics/district.toml``).
        title: the rubric's title; a rubric with another title is refused.
        version: the rubric's version, when the plan pins one.
        level: the level that counts as built (建成), e.g. 节约型机关.
    """

    name: str | None = None
    title: str
    version: str | None = None
    level: str


@attrs.frozen(kw_only=True)
class Goal:
    """A ``[[goals]]`` entry: *share* of the agencies at the level *by* a date.

    Attributes:
        by: the date the goal is due.
        share: a fraction of the agencies (0.25 for 25 %), at most four decimal places.
        text: the plan's own words.
    """

    by: datetime.date
    share: Decimal
    text: str | None = None


@attrs.frozen(kw_only=True)
class Milestone:
    """A ``[[schedule]]`` entry: something due by a date, for a stage of the rubric or not.

    Attributes:
        what: what is due (实施方案, 自评, 核查, 总结).
        by: the last day.
        start: the first day, for a window such as 核查 11月1日–15日.
        stage: the rubric stage whose sheets are due (``self``, ``verified``); sheets of that
            stage dated after *by* are late.
        text: the plan's own words.
    """

    what: str
    by: datetime.date
    start: datetime.date | None = None
    stage: str | None = None
    text: str | None = None


@attrs.frozen(kw_only=True)
class Secondary:
    """The ``[secondary]`` table: how 二级单位 count.

    Attributes:
        count: ``"with_parent"`` (the default: in the parent's application, not counted on their
            own) or ``"separately"`` (each is an agency of the denominator).
        text: the plan's own words.
    """

    count: Literal["with_parent", "separately"] = "with_parent"
    text: str | None = None


@attrs.frozen(kw_only=True)
class Plan:
    """A 创建行动方案.

    Attributes:
        title: the plan's title.
        year: the year it counts; the roll-up's year unless another is given.
        rubric: the rubric and level it counts.
        goals: the goals, in the plan's order.
        schedule: the milestones, in the plan's order.
        secondary: how 二级单位 count.
        issuer: who issued it.
        note: a remark on how the plan was transcribed.
        file: where it was read from, if anywhere.
    """

    title: str
    year: int
    rubric: PlanRubric
    goals: tuple[Goal, ...] = ()
    schedule: tuple[Milestone, ...] = ()
    secondary: Secondary = Secondary()
    issuer: str | None = None
    note: str | None = None
    file: str | None = None

    def deadline(self, stage: str, year: int | None = None) -> datetime.date | None:
        """The last day for sheets of *stage*, if the schedule sets one.

        The schedule is the plan's every year (方案: 每年10月底前 …), written out for `year`: for a
        roll-up of another *year*, the deadline is the same month and day in that year (28 February
        for a 29th that year lacks).
        """
        by = next((m.by for m in self.schedule if m.stage == stage), None)
        if by is None or year is None or year == self.year:
            return by
        moved = by.year + (year - self.year)
        try:
            return by.replace(year=moved)
        except ValueError:  # 29 February, in a year without one
            return by.replace(year=moved, day=28)

    def for_rubric(self, rubric: Rubric) -> Plan:
        """This plan applied to another edition of its rubric (the what-if of ``rollup --compare``)."""
        return attrs.evolve(
            self, rubric=attrs.evolve(self.rubric, title=rubric.title, version=rubric.version)
        )


def _goals(top: Fields, lines: list[int]) -> list[Goal]:
    goals = []
    entries = top.tables("goals")
    for i, table in entries:
        line = lines[i] if len(lines) == len(top.data.get("goals", ())) else None
        fields = Fields(table, f"goals[{i}]", ("by", "share", "text"), top.problems, top.file, line)
        by, share, text = (
            fields.date("by", required=True),
            fields.share("share", required=True),
            fields.text("text"),
        )
        if by is not None and share is not None:
            goals.append(Goal(by=by, share=share, text=text))
    return goals


def _schedule(top: Fields, lines: list[int]) -> list[Milestone]:
    out: list[Milestone] = []
    keys = ("what", "by", "start", "stage", "text")
    seen: dict[str, str] = {}
    for i, table in top.tables("schedule"):
        path = f"schedule[{i}]"
        line = lines[i] if len(lines) == len(top.data.get("schedule", ())) else None
        fields = Fields(table, path, keys, top.problems, top.file, line)
        what, by, start = (
            fields.text("what", required=True),
            fields.date("by", required=True),
            fields.date("start"),
        )
        stage, text = fields.text("stage"), fields.text("text")
        if start is not None and by is not None and start > by:
            fields.fail("start", f"starts on {start.isoformat()}, after its last day {by.isoformat()}")
        if stage is not None:
            if stage in seen:
                fields.fail("stage", f'stage "{stage}" already has a deadline in {seen[stage]}')
            seen.setdefault(stage, path)
        if what is not None and by is not None:
            out.append(Milestone(what=what, by=by, start=start, stage=stage, text=text))
    return out


def loads_plan(text: str, *, file: str | None = None) -> Plan:
    """Read a plan from TOML *text*.

    Args:
        text: the plan (``title``, ``year``, ``[rubric]`` with ``title`` and ``level``,
            ``[[goals]]``, ``[[schedule]]``, ``[secondary]``; see docs/rollup.md).
        file: the file name, for messages.

    Raises:
        RubricError: the text is not a valid plan; every problem is listed with its key path.
    """
    doc = parse_toml(text, file)
    problems: list[Problem] = []
    known = ("title", "issuer", "year", "note", "rubric", "goals", "schedule", "secondary")
    top = Fields(doc, "", known, problems, file)
    title, year = top.text("title", required=True), top.whole("year", required=True)
    issuer, note = top.text("issuer"), top.text("note")
    if year is not None and not 1900 <= year <= 9999:
        top.fail("year", f"expected a year such as 2024, got {year}")
    rubric: PlanRubric | None = None
    raw = top.table("rubric", required=True)
    if raw is not None:
        fields = Fields(raw, "rubric", ("name", "title", "version", "level"), problems, file)
        name, rtitle, version = (
            fields.text("name"),
            fields.text("title", required=True),
            fields.text("version"),
        )
        level = fields.text("level", required=True)
        if rtitle is not None and level is not None:
            rubric = PlanRubric(name=name, title=rtitle, version=version, level=level)
    goals = _goals(top, table_lines(text, "goals"))
    schedule = _schedule(top, table_lines(text, "schedule"))
    secondary = Secondary()
    raw = top.table("secondary")
    if raw is not None:
        fields = Fields(raw, "secondary", ("count", "text"), problems, file)
        count = fields.choice("count", SECONDARY, "with_parent")
        secondary = Secondary(
            count="separately" if count == "separately" else "with_parent", text=fields.text("text")
        )
    if problems or title is None or year is None or rubric is None:
        raise RubricError(problems)
    return Plan(
        title=title,
        year=year,
        rubric=rubric,
        goals=tuple(goals),
        schedule=tuple(schedule),
        secondary=secondary,
        issuer=issuer,
        note=note,
        file=file,
    )


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """Read the plan at *path*.

    Raises:
        RubricError: the file cannot be read or is not a valid plan (see `loads_plan`).
    """
    file = str(path)
    # Regular files only, within the limit: a FIFO or /dev/zero given as the file never hangs.
    data = read_bytes(Path(path))
    return loads_plan(decode(data, file), file=file)


def check_plan(plan: Plan, rubric: Rubric) -> list[Problem]:
    """Why *plan* cannot count *rubric*: another rubric, a level or a stage it lacks."""
    problems: list[Problem] = []

    def fail(path: str, message: str) -> None:
        problems.append(Problem(file=plan.file, path=path, message=message))

    want = plan.rubric
    if want.title != rubric.title:
        fail("rubric.title", f'the plan counts rubric "{want.title}", not "{rubric.title}"')
    elif want.version is not None and want.version != rubric.version:
        got = f'version "{rubric.version}"' if rubric.version is not None else "no version"
        fail(
            "rubric.version",
            f'the plan counts version "{want.version}" of "{want.title}"; the rubric has {got}',
        )
    names = [lv.name for lv in rubric.levels]
    if want.level not in names:
        known = "、".join(names) if names else "none"
        fail("rubric.level", f'the rubric has no level "{want.level}" (its levels: {known})')
    for i, milestone in enumerate(plan.schedule):
        if milestone.stage is not None and milestone.stage not in rubric.stages:
            stages = ", ".join(f'"{s}"' for s in rubric.stages)
            fail(
                f"schedule[{i}].stage", f'the rubric has no stage "{milestone.stage}" (its stages: {stages})'
            )
    return problems
