"""Comparing a self-assessed card with the verified one."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import RubricError, ScoreCard, load_rubric, load_sheet, loads_rubric, loads_sheet, score
from conserv_rubric.diffs import ItemDiff, diff
from conserv_rubric.reports import render_diff

ROOT = Path(__file__).resolve().parent.parent

RUBRIC = """\
title = "对比测试"
total = 6

[[levels]]
name = "合格"
min = 4

[[units]]
title = "管理"
points = 6

[[units.items]]
kind = "flag"
text = "制定方案，得2分。"
points = 2

[[units.items]]
kind = "each"
text = "每项制度得0.5分，最高得2分。"
per = 0.5
max = 2

[[units.items]]
kind = "parts"
text = "开展宣传，得1分；组织培训，得1分。"
points = 2

[[units.items.parts]]
kind = "flag"
text = "开展宣传"
points = 1

[[units.items.parts]]
kind = "flag"
text = "组织培训"
points = 1
"""

# Self: 2 + 3 × 0.5 + (1 + 1) = 5.5 → 合格.
SELF = """\
[sheet]
agency = "甲局"
stage = "self"

[answers]
"1.1" = true
"1.2" = 3
"1.3.a" = true
"1.3.b" = true
"""

# Verified: 2 + 1 × 0.5 + (1 + 0) = 3.5 → no level. 1.1 unchanged.
VERIFIED = """\
[sheet]
agency = "甲局"
stage = "verified"

[answers]
"1.1" = true
"1.2" = 1
"1.3.a" = true
"1.3.b" = false
"""


def _cards(self_text: str = SELF, verified_text: str = VERIFIED) -> tuple[ScoreCard, ScoreCard]:
    rubric = loads_rubric(RUBRIC)
    return score(rubric, loads_sheet(self_text)), score(rubric, loads_sheet(verified_text))


def test_lists_exactly_the_items_that_differ() -> None:
    d = diff(*_cards())
    assert d.items == (
        ItemDiff(
            "1.2",
            "每项制度得0.5分，最高得2分。",
            Decimal(2),
            Decimal("1.5"),
            Decimal("0.5"),
            Decimal(-1),
            "3项 × 0.5分 = 1.5分（最高2分）",
            "1项 × 0.5分 = 0.5分（最高2分）",
        ),
        ItemDiff(
            "1.3",
            "开展宣传，得1分；组织培训，得1分。",
            Decimal(2),
            Decimal(2),
            Decimal(1),
            Decimal(-1),
            "a 1分 + b 1分 = 2分",
            "a 1分 + b 0分 = 1分",
        ),
    )


def test_totals_and_levels_of_both() -> None:
    d = diff(*_cards())
    assert (d.agency, d.max, d.self_total, d.verified_total, d.difference) == (
        "甲局",
        Decimal(6),
        Decimal("5.5"),
        Decimal("3.5"),
        Decimal(-2),
    )
    assert (d.self_level, d.verified_level, d.self_passed, d.verified_passed) == ("合格", None, True, False)


def test_identical_cards_have_no_differences() -> None:
    d = diff(*_cards(SELF, SELF.replace('"self"', '"verified"')))
    assert d.items == ()
    assert d.difference == 0
    assert render_diff(d, "text") == (
        "对比测试 — 甲局 自评与核定对比\n\n"
        "自评 5.5分（合格），核定 5.5分（合格），相差 0 分\n\n"
        "自评与核定各条目得分一致\n"
    )


def test_a_raised_score_shows_a_plus_sign() -> None:
    d = diff(*_cards(VERIFIED.replace('"verified"', '"self"'), SELF))
    assert [(i.address, i.difference) for i in d.items] == [("1.2", Decimal(1)), ("1.3", Decimal(1))]
    assert "相差 +2 分" in render_diff(d, "text")


DIFF_TEXT = """\
对比测试 — 甲局 自评与核定对比

自评 5.5分（合格），核定 3.5分（未获认定），相差 -2 分

序号  内容                            分值  自评  核定  差值  说明
1.2   每项制度得0.5分，最高得2分。       2   1.5   0.5    -1  自评：3项 × 0.5分 = 1.5分（最高2分）；核定：1项 × 0.5分 = 0.5分（最高2分）
1.3   开展宣传，得1分；组织培训，得…     2     2     1    -1  自评：a 1分 + b 1分 = 2分；核定：a 1分 + b 0分 = 1分

共 2 项得分不同
"""  # noqa: E501 - the table's rows are as wide as the reasons


def test_render_text() -> None:
    assert render_diff(diff(*_cards()), "text") == DIFF_TEXT


def test_render_markdown() -> None:
    assert render_diff(diff(*_cards()), "markdown") == (
        "## 对比测试 — 甲局 自评与核定对比\n\n"
        "自评 5.5分（合格），核定 3.5分（未获认定），相差 -2 分\n\n"
        "| 序号 | 内容 | 分值 | 自评 | 核定 | 差值 | 说明 |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | --- |\n"
        "| 1.2 | 每项制度得0.5分，最高得2分。 | 2 | 1.5 | 0.5 | -1 | "
        "自评：3项 × 0.5分 = 1.5分（最高2分）；核定：1项 × 0.5分 = 0.5分（最高2分） |\n"
        "| 1.3 | 开展宣传，得1分；组织培训，得… | 2 | 2 | 1 | -1 | "
        "自评：a 1分 + b 1分 = 2分；核定：a 1分 + b 0分 = 1分 |\n"
        "\n"
        "共 2 项得分不同\n"
    )


def test_render_json_has_exact_numbers() -> None:
    text = render_diff(diff(*_cards()), "json")
    data = json.loads(text, parse_float=Decimal)
    assert (data["self_total"], data["verified_total"], data["difference"]) == (
        Decimal("5.5"),
        Decimal("3.5"),
        -2,
    )
    assert data["items"][0]["self_points"] == Decimal("1.5")
    assert '"verified_points": 0.5,' in text
    assert [i["address"] for i in data["items"]] == ["1.2", "1.3"]


def test_cards_of_different_rubrics_are_refused() -> None:
    own, _ = _cards()
    district = score(load_rubric(ROOT / "rubrics" / "district.toml"), {})
    with pytest.raises(RubricError) as exc:
        diff(own, district)
    assert (
        str(exc.value)
        == "the two score cards were scored against different rubrics; compare cards of one rubric"
    )


def test_district_examples() -> None:
    # pass.toml (92) against at-80.toml (80): nine items differ; 1.1.1 is the only one raised (6 → 9).
    rubric = load_rubric(ROOT / "rubrics" / "district.toml")
    examples = ROOT / "examples" / "district"
    d = diff(
        score(rubric, load_sheet(examples / "pass.toml")), score(rubric, load_sheet(examples / "at-80.toml"))
    )
    assert (d.self_total, d.verified_total, d.difference) == (Decimal(92), Decimal(80), Decimal(-12))
    assert sum((i.difference for i in d.items), Decimal(0)) == -12
    assert [i.address for i in d.items if i.difference > 0] == ["1.1.1"]
    assert len(d.items) == 9
