"""withholds: a failed gate that bars a level and those above it, not the ones below
(docs/rules/withholds.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb
import pytest
from spark_session import spark as local_spark

from conserv_rubric import RubricError, ScoreCard, loads_rubric, score
from conserv_rubric._compiled import compiled
from conserv_rubric._xlsx_table import rows
from conserv_rubric.gaps import gap
from conserv_rubric.pages import render_cards_html
from conserv_rubric.reports import render_cards, render_gap
from conserv_rubric.sql import render
from conserv_rubric.templates import template

LEVELS = """
[[levels]]
name = "合格"
min = 60

[[levels]]
name = "良好"
min = 80

[[levels]]
name = "优秀"
min = 90
"""

#: A condition worth no points beside a counter worth 0–100, so that the total is the count.
RUBRIC = (
    """
title = "示范单位评价（示例）"
total = 100

[[units]]
title = "基本条件"
points = 100

[[units.items]]
kind = "check"
text = "年度内未发生重大浪费事件（发生的，不得评为优秀）"
withholds = "优秀"

[[units.items]]
kind = "each"
text = "其他工作，每项得1分"
per = 1
max = 100
"""
    + LEVELS
)

REASON = "条目 1.1 未满足（不得评为“优秀”）"


def both(rubric: Any, answers: dict[str, Any]) -> ScoreCard:
    """*answers* scored by the interpreter (the rubric's first use) and by the generated plan
    (its second and later uses); the two cards must agree."""
    c = compiled(rubric)
    c.plan, c.uses = None, 0
    first = score(rubric, answers)
    score(rubric, answers)
    second = score(rubric, answers)
    assert c.plan is not None
    assert second._snap is not None  # the plan scored it, not the interpreter again
    assert second.to_dict() == first.to_dict()
    return second


@pytest.mark.parametrize(
    ("met", "count", "level", "passed", "verdict", "reasons"),
    [
        (False, 95, "良好", True, "达到“良好”（80分）；门槛项未通过，不得评为“优秀”", [REASON]),
        (False, 85, "良好", True, "达到“良好”（80分）；门槛项未通过，不得评为“优秀”", [REASON]),
        (True, 95, "优秀", True, "达到“优秀”（90分）", []),
        (False, 90, "良好", True, "达到“良好”（80分）；门槛项未通过，不得评为“优秀”", [REASON]),
        (
            False,
            50,
            None,
            False,
            "未达到“合格”（60分），还差10分；门槛项未通过，不得评为“优秀”",
            [REASON],
        ),
        (True, 50, None, False, "未达到“合格”（60分），还差10分", []),
    ],
)
def test_a_failed_gate_withholds_its_level_and_those_above(
    met: bool, count: int, level: str | None, passed: bool, verdict: str, reasons: list[str]
) -> None:
    card = both(loads_rubric(RUBRIC), {"1.1": met, "1.2": count})
    assert card.total == Decimal(count)
    assert (card.level, card.passed, card.verdict) == (level, passed, verdict)
    assert [g.reason for g in card.failed_gates] == reasons


def test_the_standards_own_words_still_name_the_consequence() -> None:
    rubric = loads_rubric(
        RUBRIC.replace('withholds = "优秀"', 'withholds = "优秀"\nconsequence = "最高评为良好"')
    )
    card = both(rubric, {"1.1": False, "1.2": 95})
    assert [g.reason for g in card.failed_gates] == ["条目 1.1 未满足（最高评为良好）"]
    assert card.level == "良好"


def test_a_middle_level_withholds_it_and_every_one_above() -> None:
    rubric = loads_rubric(RUBRIC.replace('withholds = "优秀"', 'withholds = "良好"'))
    card = both(rubric, {"1.1": False, "1.2": 95})
    assert (card.level, card.verdict) == (
        "合格",
        "达到“合格”（60分）；门槛项未通过，不得评为“良好”及以上等级",
    )
    assert [g.reason for g in card.failed_gates] == ["条目 1.1 未满足（不得评为“良好”及以上等级）"]


def test_the_lowest_level_any_failed_gate_names_wins_and_a_plain_gate_withholds_all() -> None:
    second = """
[[units.items]]
kind = "check"
text = "节能目标责任考核为完成等级"
"""
    text = RUBRIC.replace('\n[[units.items]]\nkind = "each"', second + '\n[[units.items]]\nkind = "each"', 1)
    rubric = loads_rubric(text)
    # 1.2 withholds every level, 1.1 only 优秀: failing both withholds all
    card = both(rubric, {"1.1": False, "1.2": False, "1.3": 95})
    assert (card.level, card.passed, card.verdict) == (None, False, "未达到任何等级：门槛项未通过")
    assert both(rubric, {"1.1": False, "1.2": True, "1.3": 95}).level == "良好"
    bars = text.replace(
        'text = "节能目标责任考核为完成等级"', 'text = "节能目标责任考核为完成等级"\nwithholds = "良好"'
    )
    card = both(loads_rubric(bars), {"1.1": False, "1.2": False, "1.3": 95})
    assert (card.level, card.verdict) == (
        "合格",
        "达到“合格”（60分）；门槛项未通过，不得评为“良好”及以上等级",
    )


STARRED = (
    """
title = "示范单位评价（★项目）"
total = 100

[[units]]
title = "能源资源"
points = 100

[[units.projects]]
title = "用水量指标"
points = 10
nonzero = true
withholds = "良好"

[[units.projects.items]]
kind = "each"
text = "节水措施，每项得1分"
per = 1
max = 10

[[units.projects]]
title = "其他"
points = 90

[[units.projects.items]]
kind = "each"
text = "其他工作，每项得1分"
per = 1
max = 90
"""
    + LEVELS
)


def test_a_starred_project_at_zero_withholds_what_it_names() -> None:
    rubric = loads_rubric(STARRED)
    card = both(rubric, {"1.1.1": 0, "1.2.1": 85})
    assert (card.total, card.level, card.passed) == (Decimal(85), "合格", True)
    assert card.verdict == "达到“合格”（60分）；门槛项未通过，不得评为“良好”及以上等级"
    assert [g.reason for g in card.failed_gates] == ["★项目 1.1 用水量指标 得0分（不得评为“良好”及以上等级）"]
    assert both(rubric, {"1.1.1": 1, "1.2.1": 85}).level == "良好"


def test_a_starred_item_and_a_gate_figure_withhold_what_they_name() -> None:
    items = """
[[units.items]]
kind = "bands"
text = "满意率大于85%得10分；未达到60%的，不得评为优秀"
measure = "满意率"
unit = "%"
range = [0, 100]
bands = [{ le = 85, points = 0 }, { gt = 85, points = 10 }]
gate = "required"
gate_figure = { ge = 60 }
withholds = "优秀"

[[units.items]]
kind = "each"
text = "节水器具，每项得1分"
per = 1
max = 10
nonzero = true
withholds = "优秀"

[[units.items]]
kind = "each"
text = "其他工作，每项得1分"
per = 1
max = 80
"""
    head = 'title = "t"\ntotal = 100\n\n[[units]]\ntitle = "u"\npoints = 100\n'
    rubric = loads_rubric(head + items + LEVELS)
    # 90 points with a figure of 70: above the gate's 60, so 优秀
    assert both(rubric, {"1.1": 90, "1.2": 10, "1.3": 80}).level == "优秀"
    card = both(rubric, {"1.1": 55, "1.2": 10, "1.3": 80})
    assert (card.total, card.level) == (Decimal(90), "良好")
    assert [g.reason for g in card.failed_gates] == ["条目 1.1 满意率为55%，须不低于60%（不得评为“优秀”）"]
    card = both(rubric, {"1.1": 90, "1.2": 0, "1.3": 80})
    assert (card.total, card.level) == (Decimal(90), "良好")
    assert [g.reason for g in card.failed_gates] == ["★条目 1.2 得0分（不得评为“优秀”）"]


def test_the_way_up_fixes_the_gate_only_for_a_level_it_withholds() -> None:
    rubric = loads_rubric(RUBRIC)
    up = gap(score(rubric, {"1.1": False, "1.2": 95}))
    assert up.target is not None
    assert (up.target.name, up.target.missing, up.target.reachable) == ("优秀", Decimal(0), True)
    assert [(s.address, s.gate) for s in up.target.plan] == [("1.1", "required")]
    assert (
        render_gap(up, "text").splitlines()[4]
        == "总分已够“优秀”（90分），但有门槛项未通过；最少完成以下 1 项："
    )
    low = gap(score(rubric, {"1.1": False, "1.2": 50}))
    assert low.target is not None
    assert (low.target.name, low.target.missing) == ("合格", Decimal(10))
    assert [(s.address, s.gate) for s in low.target.plan] == [("1.2", None)]


def test_reports_the_page_and_the_template_say_what_is_withheld() -> None:
    rubric = loads_rubric(RUBRIC)
    card = score(rubric, {"1.1": False, "1.2": 95})
    lines = render_cards([card], "text").splitlines()
    assert "认定：达到“良好”（80分）；门槛项未通过，不得评为“优秀”" in lines
    assert f"未通过的门槛项：1.1：{REASON}" in lines
    page = render_cards_html([card])
    assert "达到“良好”（80分）；门槛项未通过，不得评为“优秀”" in page
    assert f"1.1：{REASON}" in page
    assert (
        "# 1.1 年度内未发生重大浪费事件（发生的，不得评为优秀）（必须满足；否则不得评为“优秀”）"
        in template(rubric).splitlines()
    )
    flag = 'kind = "flag"\npoints = 10\ngate = "required"'
    flagged = loads_rubric(RUBRIC.replace('kind = "check"', flag).replace("max = 100", "max = 90"))
    assert (
        "# 1.1 年度内未发生重大浪费事件（发生的，不得评为优秀）（10分）（必须完成项；否则不得评为“优秀”）"
        in (template(flagged).splitlines())
    )
    assert next(rows(flagged)).text == (
        "1.年度内未发生重大浪费事件（发生的，不得评为优秀）（必须完成项）（否则不得评为“优秀”）"
    )
    # The standard's own words, where given, are what both blank sheets say, as the reason does.
    worded = loads_rubric(
        RUBRIC.replace('kind = "check"', flag + '\nconsequence = "最高评为良好"').replace(
            "max = 100", "max = 90"
        )
    )
    assert (
        "# 1.1 年度内未发生重大浪费事件（发生的，不得评为优秀）（10分）（必须完成项；否则最高评为良好）"
        in (template(worded).splitlines())
    )
    assert (
        next(rows(worded)).text
        == "1.年度内未发生重大浪费事件（发生的，不得评为优秀）（必须完成项）（否则最高评为良好）"
    )


def test_the_sql_query_reaches_the_levels_score_reaches() -> None:
    rubric = loads_rubric(RUBRIC)
    sheets = {"a": ("false", "95"), "b": ("false", "85"), "c": ("true", "95"), "d": ("false", "50")}
    con = duckdb.connect()
    con.execute('CREATE TABLE sheets (agency VARCHAR, "1.1" VARCHAR, "1.2" VARCHAR)')
    con.executemany("INSERT INTO sheets VALUES (?, ?, ?)", [[k, *v] for k, v in sheets.items()])
    # agency, the unit, total, max, level, passed, failed
    got = {r[0]: (r[2], *r[4:]) for r in con.execute(render(rubric)).fetchall()}
    assert got == {
        "a": (Decimal(95), "良好", True, REASON),
        "b": (Decimal(85), "良好", True, REASON),
        "c": (Decimal(95), "优秀", True, ""),
        "d": (Decimal(50), None, False, REASON),
    }
    for agency, (met, count) in sheets.items():
        card = score(rubric, {"1.1": met == "true", "1.2": int(count)})
        assert got[agency][1:3] == (card.level, card.passed)


@pytest.mark.needs_java
def test_the_spark_query_reaches_the_levels_score_reaches() -> None:
    rubric = loads_rubric(RUBRIC)
    rows = [["a", "false", "95"], ["c", "true", "95"], ["d", "false", "50"]]
    local_spark().createDataFrame(rows, "agency string, `1.1` string, `1.2` string").createOrReplaceTempView(
        "sheets"
    )
    got = {r[0]: (r[4], r[5], r[6]) for r in local_spark().sql(render(rubric, "spark")).collect()}
    assert got == {"a": ("良好", True, REASON), "c": ("优秀", True, ""), "d": (None, False, REASON)}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            'withholds = "优"',
            "item 1.1 in unit 1 基本条件 (units[0].items[0].withholds): withholds '优' names no level "
            "(did you mean '优秀'?): the levels are 合格, 良好, 优秀",
        ),
        (
            'withholds = "卓越"',
            "item 1.1 in unit 1 基本条件 (units[0].items[0].withholds): withholds '卓越' names no level: "
            "the levels are 合格, 良好, 优秀",
        ),
        (
            'withholds = "优秀"\ngate = "zero"',
            'item 1.1 in unit 1 基本条件 (units[0].items[0]): withholds does not apply to gate = "zero": '
            "a failed zero gate scores the whole evaluation 0",
        ),
    ],
)
def test_a_withheld_level_must_be_one_of_the_levels(change: str, message: str) -> None:
    with pytest.raises(RubricError) as exc:
        loads_rubric(RUBRIC.replace('withholds = "优秀"', change))
    assert str(exc.value) == message


def test_withholds_is_set_on_an_item_or_a_project_not_a_unit() -> None:
    text = RUBRIC.replace(
        "points = 100\n\n[[units.items]]", 'points = 100\nwithholds = "优秀"\n\n[[units.items]]', 1
    )
    with pytest.raises(RubricError) as exc:
        loads_rubric(text)
    assert str(exc.value) == (
        "units[0]: unknown key 'withholds': withholds is set on a project or an item, not on a unit"
    )
