"""The plan (创建行动方案): the seed's plan as data, and every mistake located by its key path."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import RubricError, load_rubric, loads_rubric
from conserv_rubric._plan import check_plan
from conserv_rubric.rollup import Goal, Plan, PlanRubric, Secondary, load_plan, loads_plan, rollup

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "plans" / "district.toml"
DISTRICT = ROOT / "rubrics" / "district.toml"

GOOD = """\
title = "XX区节约型机关创建行动方案"
year = 2024

[rubric]
title = "XX区节约型机关评价标准"
level = "节约型机关"
"""


def test_the_shipped_plan_is_the_seeds() -> None:
    plan = load_plan(PLAN)
    assert (plan.title, plan.year, plan.issuer) == (
        "XX区节约型机关创建行动方案",
        2024,
        "XX区人民政府办公室（节能办）",
    )
    assert plan.rubric == PlanRubric(
        name="district", title="XX区节约型机关评价标准", version="2024", level="节约型机关"
    )
    # 二、主要目标: 25 %, 50 %, 70 %, all three dated 2024年底 in the seed, kept as published.
    end = datetime.date(2024, 12, 31)
    assert [(g.by, g.share) for g in plan.goals] == [
        (end, Decimal("0.25")),
        (end, Decimal("0.50")),
        (end, Decimal("0.70")),
    ]
    assert plan.note is not None
    assert "均写作“2024年底”" in plan.note
    # 五、创建步骤: 实施方案 by 8月15日, 自评 by 10月底, 核查 11月1日–15日, 总结 by 11月20日.
    assert [(m.what, m.stage, m.start, m.by) for m in plan.schedule] == [
        ("实施方案", None, None, datetime.date(2024, 8, 15)),
        ("自评", "self", None, datetime.date(2024, 10, 31)),
        ("核查", "verified", datetime.date(2024, 11, 1), datetime.date(2024, 11, 15)),
        ("总结", None, None, datetime.date(2024, 11, 20)),
    ]
    assert (plan.deadline("self"), plan.deadline("verified"), plan.deadline("final")) == (
        datetime.date(2024, 10, 31),
        datetime.date(2024, 11, 15),
        None,
    )
    assert plan.secondary == Secondary(
        count="with_parent", text="区级党政机关要将其所属创建范围内的二级单位纳入整体创建，统一组织申报创建。"
    )
    assert check_plan(plan, load_rubric(DISTRICT)) == []


def test_a_minimal_plan_takes_the_defaults() -> None:
    plan = loads_plan(GOOD)
    assert plan == Plan(
        title="XX区节约型机关创建行动方案",
        year=2024,
        rubric=PlanRubric(title="XX区节约型机关评价标准", level="节约型机关"),
    )
    assert plan.secondary.count == "with_parent"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(
            "[[goals]]\nby = 2024-12-31\nshare = 25\n",
            "p.toml:8: goals[0].share: expected a share more than 0 and at most 1 with at most 4 decimal "
            "places (0.25 for 25%), got a number (25)",
            id="share as a percentage",
        ),
        pytest.param(
            "[[goals]]\nby = 2024-12-31\nshare = 0.12345\n",
            "p.toml:8: goals[0].share: expected a share more than 0 and at most 1 with at most 4 decimal "
            "places (0.25 for 25%), got a number (0.12345)",
            id="share too precise",
        ),
        pytest.param(
            "[[goals]]\nby = 2024-12-31\nshare = 1e30\n",
            "p.toml:8: goals[0].share: expected a number below 1,000,000,000,000 "
            "with at most 10 decimal places",
            id="share absurd",
        ),
        pytest.param(
            '[[goals]]\nby = 2024-12-31\nshare = "25%"\n',
            'p.toml:8: goals[0].share: expected a share such as 0.25, got a string ("25%")',
            id="share as text",
        ),
        pytest.param(
            '[[goals]]\nby = "2024年底"\nshare = 0.25\n',
            'p.toml:8: goals[0].by: expected a date such as 2024-10-28, got a string ("2024年底")',
            id="date as Chinese text",
        ),
        pytest.param(
            "[[goals]]\nby = 2024-12-31T00:00:00\nshare = 0.25\n",
            "p.toml:8: goals[0].by: expected a date such as 2024-10-28, "
            "got a date and time (2024-12-31T00:00:00)",
            id="date and time",
        ),
        pytest.param(
            '[[goals]]\nby = "2024-02-30"\nshare = 0.25\n',
            'p.toml:8: goals[0].by: "2024-02-30" is not a calendar date',
            id="no such day",
        ),
        pytest.param(
            "[[goals]]\nshare = 0.25\n",
            "p.toml:8: goals[0]: missing required key 'by'",
            id="goal without date",
        ),
        pytest.param(
            '[[schedule]]\nwhat = "自评"\nstage = "self"\nby = 2024-10-31\n\n'
            '[[schedule]]\nwhat = "补报"\nstage = "self"\nby = 2024-11-10\n',
            'p.toml:13: schedule[1].stage: stage "self" already has a deadline in schedule[0]',
            id="two deadlines for a stage",
        ),
        pytest.param(
            '[[schedule]]\nwhat = "核查"\nstart = 2024-11-15\nby = 2024-11-01\n',
            "p.toml:8: schedule[0].start: starts on 2024-11-15, after its last day 2024-11-01",
            id="window backwards",
        ),
        pytest.param(
            '[secondary]\ncount = "with-parent"\n',
            'p.toml: secondary.count: expected one of "with_parent", "separately", '
            """got a string ("with-parent") (did you mean 'with_parent'?)""",
            id="secondary typo",
        ),
    ],
)
def test_bad_plans(extra: str, message: str) -> None:
    text = GOOD + "\n" + extra
    with pytest.raises(RubricError) as excinfo:
        loads_plan(text, file="p.toml")
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            'title = "方案"\n',
            "p.toml: top level: missing required key 'year'\n"
            "p.toml: top level: missing required key 'rubric'",
            id="no year, no rubric",
        ),
        pytest.param(
            'title = "方案"\nyear = 24\n[rubric]\ntitle = "标准"\n',
            "p.toml: year: expected a year such as 2024, got 24\n"
            "p.toml: rubric: missing required key 'level'",
            id="short year, no level",
        ),
        pytest.param(
            'title = "方案"\nyear = "2024"\n[rubric]\ntitle = "标准"\nlevel = "节约型机关"\n',
            'p.toml: year: expected a whole number, got a string ("2024")',
            id="year as text",
        ),
        pytest.param(
            'title = "方案"\nyear = 2024\nrubric = "district"\n',
            'p.toml: rubric: expected a table, got a string ("district")',
            id="rubric as a name",
        ),
        pytest.param(
            'title = "方案"\nyear = 2024\n[rubric\n',
            "p.toml:3:8: invalid TOML: Expected ']' at the end of a table declaration",
            id="syntax",
        ),
    ],
)
def test_bad_plan_documents(text: str, message: str) -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_plan(text, file="p.toml")
    assert str(excinfo.value) == message


def test_an_unknown_key_is_named_with_the_nearest() -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_plan("titel = 1\n" + GOOD, file="p.toml")
    assert str(excinfo.value) == "p.toml: titel: unknown key 'titel' (did you mean 'title'?)"


def test_a_plan_for_another_rubric_is_refused(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(GOOD.replace("XX区节约型机关评价标准", "YY区节约型机关评价标准"), encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        rollup(load_rubric(DISTRICT), [], plan=plan)
    assert str(excinfo.value) == (
        f'{plan}: rubric.title: the plan counts rubric "YY区节约型机关评价标准", not "XX区节约型机关评价标准"'
    )


def test_a_plan_pinning_another_version_is_refused() -> None:
    plan = loads_plan(
        GOOD.replace('level = "节约型机关"', 'level = "节约型机关"\nversion = "2023"'), file="p.toml"
    )
    assert [str(p) for p in check_plan(plan, load_rubric(DISTRICT))] == [
        'p.toml: rubric.version: the plan counts version "2023" of "XX区节约型机关评价标准"; '
        'the rubric has version "2024"'
    ]
    unversioned = loads_rubric(DISTRICT.read_text(encoding="utf-8").replace('version = "2024"\n', ""))
    assert [str(p) for p in check_plan(plan, unversioned)] == [
        'p.toml: rubric.version: the plan counts version "2023" of "XX区节约型机关评价标准"; '
        "the rubric has no version"
    ]


def test_a_level_or_stage_the_rubric_lacks_is_refused() -> None:
    text = GOOD.replace('level = "节约型机关"', 'level = "节约型单位"') + (
        '\n[[schedule]]\nwhat = "评审"\nstage = "final"\nby = 2024-11-30\n'
    )
    plan = loads_plan(text, file="p.toml")
    assert [str(p) for p in check_plan(plan, load_rubric(DISTRICT))] == [
        'p.toml: rubric.level: the rubric has no level "节约型单位" (its levels: 节约型机关)',
        'p.toml: schedule[0].stage: the rubric has no stage "final" (its stages: "self", "verified")',
    ]


def test_for_rubric_carries_the_plan_to_another_edition() -> None:
    plan = loads_plan(GOOD)
    other = loads_rubric(DISTRICT.read_text(encoding="utf-8").replace("XX区节约型", "YY区节约型"))
    moved = plan.for_rubric(other)
    assert (moved.rubric.title, moved.rubric.level, moved.goals) == (
        "YY区节约型机关评价标准",
        "节约型机关",
        (),
    )
    assert check_plan(moved, other) == []
    assert isinstance(Goal(by=datetime.date(2024, 12, 31), share=Decimal("0.7")).share, Decimal)


def test_an_unreadable_plan_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.toml"
    with pytest.raises(RubricError) as excinfo:
        load_plan(missing)
    assert str(excinfo.value) == f"{missing}: cannot read file: No such file or directory"


@pytest.mark.parametrize(
    ("by", "year", "expected"),
    [
        ("2024-10-31", None, datetime.date(2024, 10, 31)),
        ("2024-10-31", 2024, datetime.date(2024, 10, 31)),
        ("2024-10-31", 2026, datetime.date(2026, 10, 31)),
        ("2024-10-31", 2023, datetime.date(2023, 10, 31)),
        # A deadline on 29 February moves to the 28th of a year without one, to the 29th of a leap year.
        ("2024-02-29", 2025, datetime.date(2025, 2, 28)),
        ("2024-02-29", 2028, datetime.date(2028, 2, 29)),
    ],
)
def test_a_deadline_is_the_same_day_in_the_roll_ups_year(
    by: str, year: int | None, expected: datetime.date
) -> None:
    text = (
        'title = "方案"\nyear = 2024\n[rubric]\ntitle = "标准"\nlevel = "达标"\n'
        f'[[schedule]]\nwhat = "自评"\nstage = "self"\nby = {by}\n'
    )
    plan = loads_plan(text)
    assert plan.deadline("self", year) == expected
    assert plan.deadline("verified", year) is None
