"""Gap analysis: open items, what each adds, and the fewest items that reach the next level."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import conserv_rubric as cr
from conserv_rubric import load_rubric, load_sheet, loads_rubric, loads_sheet, score
from conserv_rubric._provenance import rubric_hash
from conserv_rubric.gaps import Gap, Shortfall, gap
from conserv_rubric.reports import render_gap

D = Decimal

ROOT = Path(__file__).resolve().parent.parent

# Unit 1 is capped at 5 although its items add up to 8, so additions there are not additive.
RUBRIC = """\
title = "差距测试"
total = 10
na = "exclude"

[[levels]]
name = "合格"
min = 6

[[levels]]
name = "优秀"
min = 9

[[units]]
title = "甲"
points = 5
max = 5

[[units.items]]
kind = "flag"
text = "甲一"
points = 3

[[units.items]]
kind = "flag"
text = "甲二"
points = 3

[[units.items]]
kind = "flag"
text = "甲三"
points = 2

[[units]]
title = "乙"
points = 5

[[units.items]]
kind = "flag"
text = "乙一"
points = 2
na_if = "无食堂"

[[units.items]]
kind = "flag"
text = "乙二"
points = 2

[[units.items]]
kind = "flag"
text = "乙三"
points = 1
gate = "required"
"""


def _gap(answers: dict[str, Any], rubric: str = RUBRIC) -> Gap:
    return gap(score(loads_rubric(rubric), answers))


def _plan(g: Gap) -> list[tuple[str, Decimal, Decimal, str | None]]:
    assert g.target is not None
    return [(s.address, s.adds, s.total, s.gate) for s in g.target.plan]


def test_open_items_and_what_each_adds_under_the_cap() -> None:
    # 1.1 and 1.2 met: unit 1 = min(6, 5) = 5, so 1.3 adds nothing; 2.1 + 2.2 = 4.
    g = _gap({"1.1": True, "1.2": True, "2.1": True, "2.2": True})
    assert [(u.address, u.points, u.adds) for u in g.units] == [("1", D(5), D(0)), ("2", D(4), D(1))]
    assert [(i.address, i.points, i.max, i.adds) for u in g.units for i in u.items] == [
        ("1.3", D(0), D(2), D(0)),
        ("2.3", D(0), D(1), D(1)),
    ]
    assert g.adds == 1


def test_plan_fixes_gates_first_then_takes_the_largest_addition_recomputed() -> None:
    # Gate 2.3 first (+1 → 1). Then 1.1 and 1.2 both add 3: the first by address wins (→ 4).
    # Now 1.2 adds only 2 (unit 1 capped at 5), tied with 1.3, 2.1, 2.2: 1.2 wins (→ 6 ≥ 6).
    g = _gap({})
    assert g.target is not None
    assert (g.target.name, g.target.min, g.target.missing, g.target.reachable) == ("合格", D(6), D(6), True)
    assert _plan(g) == [("2.3", D(1), D(1), "required"), ("1.1", D(3), D(4), None), ("1.2", D(2), D(6), None)]


def test_total_already_enough_but_a_gate_failed() -> None:
    g = _gap({"1.1": True, "1.2": True, "2.1": True, "2.2": True})
    assert g.total == 9
    assert g.level is None
    assert g.target is not None
    assert g.target.missing == 0
    assert _plan(g) == [("2.3", D(1), D(10), "required")]


def test_next_level_unreachable_when_items_do_not_apply() -> None:
    # 2.1 is not applicable (excluded): at most 5 + 2 + 1 = 8 < 9 for 优秀.
    g = _gap({"1.1": True, "1.2": True, "2.3": True, "2.1.na": True})
    assert g.level == "合格"
    assert g.target is not None
    assert (g.target.name, g.target.reachable, g.target.best, g.target.plan) == ("优秀", False, D(8), ())
    assert [i.address for u in g.units for i in u.items] == ["1.3", "2.2"]


UNIT_MIN = RUBRIC.replace('name = "合格"\nmin = 6\n', 'name = "合格"\nmin = 6\nunit_min = { "2" = 4 }\n')


def test_total_enough_but_a_unit_short() -> None:
    # 5 (capped) + 1 = 6 ≥ 6, but unit 2 has 1 < 4: 2.1 (→ 3) is not enough, 2.2 (→ 5) is.
    g = _gap({"1.1": True, "1.2": True, "2.3": True}, UNIT_MIN)
    assert g.target is not None
    assert g.target.missing == 0
    assert render_gap(g, "text").splitlines()[4:6] == [
        "总分已够“合格”（6分），但有评价单元得分不足；最少完成以下 2 项：",
        "评价单元 2 乙：现1分，需 ≥ 4分",
    ]


def test_lacking_units_are_worked_on_first() -> None:
    # Total 3 + 1 = 4; unit 2 has 1 of the 4 it needs. Without the unit rule 1.2 (+2, first by
    # address) would come first; instead 2.1 (→ unit 2 = 3, total 6) then 2.2 (→ 5, total 8).
    g = _gap({"1.1": True, "2.3": True}, UNIT_MIN)
    assert g.target is not None
    assert g.target.shortfalls == (Shortfall("2", "乙", Decimal(1), Decimal(4)),)
    assert _plan(g) == [("2.1", D(2), D(6), None), ("2.2", D(2), D(8), None)]
    assert render_gap(g, "text").splitlines()[4:6] == [
        "距“合格”（6分）还差 2 分；最少完成以下 2 项：",
        "评价单元 2 乙：现1分，需 ≥ 4分",
    ]


ZERO_GATE = """\
title = "零分项"
total = 4

[[levels]]
name = "合格"
min = 3

[[units]]
title = "安全"
points = 4

[[units.items]]
kind = "flag"
text = "甲"
points = 2

[[units.items]]
kind = "flag"
text = "无安全事故"
points = 1
gate = "zero"

[[units.items]]
kind = "flag"
text = "丙"
points = 1
"""


def test_a_failed_zero_gate_is_fixed_first_and_restores_the_total() -> None:
    g = _gap({"1.1": True, "1.3": True}, ZERO_GATE)
    assert g.total == 0
    assert g.target is not None
    assert g.target.missing == 3
    assert _plan(g) == [("1.2", D(4), D(4), "zero")]


STAR = """\
title = "星号项目"
total = 4

[[levels]]
name = "合格"
min = 2

[[units]]
title = "管理"
points = 4

[[units.projects]]
title = "机构"
points = 2
nonzero = true

[[units.projects.items]]
kind = "flag"
text = "甲"
points = 1

[[units.projects.items]]
kind = "flag"
text = "乙"
points = 1

[[units.projects]]
title = "制度"
points = 2

[[units.projects.items]]
kind = "flag"
text = "丙"
points = 2
"""


def test_a_zero_star_project_gets_its_first_most_valuable_item() -> None:
    g = _gap({"1.2.1": True}, STAR)
    assert g.level is None
    assert _plan(g) == [("1.1.1", D(1), D(3), "nonzero")]


def test_district_fail_example_needs_six_items() -> None:
    # 64 of 80: five items add 3 each (address order) → 79, then 2.2.1 (+2, first of the 2s) → 81.
    rubric = load_rubric(ROOT / "rubrics" / "district.toml")
    g = gap(score(rubric, load_sheet(ROOT / "examples" / "district" / "fail.toml")))
    assert g.target is not None
    assert g.target.missing == 16
    assert [(a, t) for a, _, t, _ in _plan(g)] == [
        ("1.1.1", D(67)),
        ("2.2.2", D(70)),
        ("2.2.3", D(73)),
        ("3.2.2", D(76)),
        ("3.3.2", D(79)),
        ("2.2.1", D(81)),
    ]
    assert render_gap(g, "text").splitlines()[4] == "距“节约型机关”（80分）还差 16 分；最少完成以下 6 项："


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("rubrics/district.toml|examples/district/pass.toml", "已达到最高等级“节约型机关”"),
        (
            "rubrics/shenzhen-lvse-jiguan-kaoping.toml|examples/shenzhen-lvse-jiguan-kaoping/lianghao.toml",
            "本标准未设认定等级",
        ),
    ],
)
def test_no_target(path: str, line: str) -> None:
    rubric_path, sheet_path = path.split("|")
    g = gap(score(load_rubric(ROOT / rubric_path), load_sheet(ROOT / sheet_path)))
    assert g.target is None
    assert render_gap(g, "text").splitlines()[4] == line


GAP_TEXT = """\
差距测试 差距分析

当前得分 0 分（满分 10 分），未达到任何等级：门槛项未通过

距“合格”（6分）还差 6 分；最少完成以下 3 项：

    序号  得分/分值  可增加  完成后总分  内容
1.  2.3         0/1      +1           1  （必须完成项）乙三
2.  1.1         0/3      +3           4  甲一
3.  1.2         0/3      +2           6  甲二

未通过的门槛项：
  2.3：条目 2.3 得0分，未达到1分（必须完成项，未完成不予认定）

未得满分的条目（全部得满分可增加 10 分）：

序号  得分/分值  可增加  内容
1           0/5      +5  甲
1.1         0/3      +3  甲一
1.2         0/3      +3  甲二
1.3         0/2      +2  甲三
2           0/5      +5  乙
2.1         0/2      +2  乙一
2.2         0/2      +2  乙二
2.3         0/1      +1  乙三

{footer}
"""


def _footer() -> str:
    digest = rubric_hash(loads_rubric(RUBRIC))
    return f"评价标准：差距测试，{digest[:19]}…，conserv_rubric {cr.__version__}"


def test_render_text() -> None:
    assert render_gap(_gap({}), "text") == GAP_TEXT.format(footer=_footer())


def test_a_sheet_without_an_agency_is_named_as_such() -> None:
    g = gap(score(loads_rubric(RUBRIC), loads_sheet('[sheet]\nagency = ""\n')))
    assert g.agency == ""
    assert render_gap(g, "text").splitlines()[0] == "差距测试 — 未填写单位名称 差距分析"


def test_render_json_is_versioned_and_names_the_rubric() -> None:
    data = json.loads(render_gap(_gap({}), "json"), parse_float=Decimal)
    assert list(data)[:3] == ["schema_version", "provenance", "rubric"]
    assert data["schema_version"] == 1
    assert data["provenance"]["hash"] == rubric_hash(loads_rubric(RUBRIC))
    assert data["provenance"]["library"] == cr.__version__


def test_render_markdown() -> None:
    text = render_gap(_gap({"1.1": True, "1.2": True, "2.3": True, "2.1.na": True}), "markdown")
    assert text == (
        "## 差距测试 差距分析\n\n"
        "当前得分 6 分（满分 10 分），达到“合格”（6分）\n\n"
        "即使所有未得分项都得满分，最多得8分，仍达不到“优秀”（9分）\n\n"
        "未得满分的条目（全部得满分可增加 2 分）：\n\n"
        "| 序号 | 得分/分值 | 可增加 | 内容 |\n"
        "| --- | ---: | ---: | --- |\n"
        "| 1 | 5/5 | +0 | 甲 |\n"
        "| 1.3 | 0/2 | +0 | 甲三 |\n"
        "| 2 | 1/5 | +2 | 乙 |\n"
        "| 2.2 | 0/2 | +2 | 乙二 |\n"
        "\n"
        + _footer().replace("conserv_rubric", "conserv\\_rubric")  # Markdown escapes the _
        + "\n"
    )


def test_render_json_has_exact_numbers() -> None:
    rubric = RUBRIC.replace("points = 3\n", "points = 2.5\n", 1).replace("total = 10", "total = 9.5")
    rubric = rubric.replace('title = "甲"\npoints = 5\nmax = 5', 'title = "甲"\npoints = 4.5\nmax = 4.5')
    data = json.loads(render_gap(_gap({"1.1": True}, rubric), "json"), parse_float=Decimal)
    assert data["total"] == Decimal("2.5")
    assert data["units"][0]["items"][0] == {
        "address": "1.2",
        "text": "甲二",
        "points": 0,
        "max": 3,
        "adds": 2,
    }
    assert data["target"]["plan"][0] == {
        "address": "2.3",
        "text": "乙三",
        "points": 0,
        "max": 1,
        "adds": 1,
        "total": Decimal("3.5"),
        "gate": "required",
    }
    assert '"total": 2.5,' in render_gap(_gap({"1.1": True}, rubric), "json")


# 1.3 only the verifier scores (docs/rules/verifier_only.md): a self-assessment is not awarded it.
VERIFIER = """\
title = "核查测试"
total = 10

[[levels]]
name = "合格"
min = 6

[[units]]
title = "甲"
points = 10

[[units.items]]
kind = "flag"
text = "自查一"
points = 4

[[units.items]]
kind = "flag"
text = "自查二"
points = 2

[[units.items]]
kind = "flag"
text = "参加培训，由核查方评分"
points = 4
verifier_only = true
"""


def _staged(stage: str, answers: str, rubric: str = VERIFIER) -> Gap:
    return gap(
        score(loads_rubric(rubric), loads_sheet(f'[sheet]\nagency = "甲单位"\nstage = "{stage}"\n{answers}'))
    )


def test_a_self_assessment_plans_without_the_verifiers_items() -> None:
    # The agency can raise 1.2 (+2 → 6) by itself; 1.3 (+4) is the verifier's to award, so it is
    # listed apart and neither counted in what the agency can add nor planned.
    g = _staged("self", '[answers]\n"1.1" = true\n"1.3" = true\n')
    assert [(i.address, i.adds) for u in g.units for i in u.items] == [("1.2", D(2))]
    assert (g.units[0].adds, g.adds) == (D(2), D(2))
    assert [(i.address, i.points, i.max, i.adds) for i in g.withheld] == [("1.3", D(0), D(4), D(4))]
    assert g.target is not None
    assert (g.target.best, g.target.reachable) == (D(6), True)
    assert _plan(g) == [("1.2", D(2), D(6), None)]
    assert render_gap(g, "text").splitlines()[15:19] == [
        "仅由核查方评分的条目（自评不计分，不计入以上可增加的分数和计划）：",
        "",
        "序号  得分/分值  可增加  内容",
        "1.3         0/4      +4  参加培训，由核查方评分",
    ]


def test_the_verifiers_sheet_plans_every_item() -> None:
    g = _staged("verified", '[answers]\n"1.1" = true\n')
    assert [(i.address, i.adds) for u in g.units for i in u.items] == [("1.2", D(2)), ("1.3", D(4))]
    assert g.withheld == ()
    assert _plan(g) == [("1.3", D(4), D(8), None)]


def test_a_level_out_of_the_agencys_reach_is_unreachable() -> None:
    # 合格 at 8: 4 + 2 is all a self-assessment can score; only the verifier's 1.3 would reach it.
    g = _staged("self", '[answers]\n"1.1" = true\n', VERIFIER.replace("min = 6", "min = 8"))
    assert g.target is not None
    assert (g.target.best, g.target.reachable, g.target.plan) == (D(6), False, ())


STAR_VERIFIER = """\
title = "核查测试"
total = 10

[[levels]]
name = "合格"
min = 6

[[units]]
title = "甲"
points = 10

[[units.projects]]
title = "自查"
points = 6

[[units.projects.items]]
kind = "flag"
text = "自查一"
points = 4

[[units.projects.items]]
kind = "flag"
text = "自查二"
points = 2

[[units.projects]]
title = "培训"
points = 4
nonzero = true

[[units.projects.items]]
kind = "flag"
text = "参加培训，由核查方评分"
points = 4
verifier_only = true
"""


def test_a_star_project_of_verifiers_items_alone_is_left_to_the_verifier() -> None:
    rubric = STAR_VERIFIER
    g = _staged("self", '[answers]\n"1.1.1" = true\n"1.1.2" = true\n', rubric)
    # The ★ project 1.2 is the verifier's alone: a self-assessment does not evaluate it, as it does
    # not a ★ item only a verifier scores, so its 6 points reach 合格.
    assert g.failed_gates == ()
    assert (g.level, g.target) == ("合格", None)
    assert [w.address for w in g.withheld] == ["1.2.1"]


def test_nothing_left_but_the_verifiers_items() -> None:
    g = _staged("self", '[answers]\n"1.1" = true\n"1.2" = true\n')
    assert (g.units, g.adds, g.target) == ((), D(0), None)
    assert render_gap(g, "text").splitlines()[4:11] == [
        "已达到最高等级“合格”",
        "",
        "自评可得分的条目均已得满分",
        "",
        "仅由核查方评分的条目（自评不计分，不计入以上可增加的分数和计划）：",
        "",
        "序号  得分/分值  可增加  内容",
    ]
