"""Reports of a total that is not the plain sum of the unit rows they show: the weights, base
and divisor of ``[aggregate]``, a unit rescaled under ``na = "rescale"`` and a unit dropped."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import conserv_rubric as cr
from conserv_rubric import load_rubric, load_sheet, loads_rubric, score
from conserv_rubric._provenance import rubric_hash
from conserv_rubric.model import Rubric
from conserv_rubric.pages import render_cards_html
from conserv_rubric.reports import render_cards

ROOT = Path(__file__).resolve().parent.parent
AUTHORS = ROOT / "tests" / "data" / "authors"

# Unit 2 counts at 0.5: 4 + 8 × 0.5 + 2 = 10.
WEIGHTED = """\
title = "加权测试标准"
total = 10

[aggregate]
weights = { "2" = 0.5 }

[[levels]]
name = "合格"
min = 6

[[units]]
title = "目标"
points = 4
items = [{ kind = "flag", text = "制定目标", points = 4 }]

[[units]]
title = "制度"
points = 8
items = [
  { kind = "flag", text = "制度一", points = 3 },
  { kind = "flag", text = "制度二", points = 5 },
]

[[units]]
title = "宣传"
points = 2
items = [{ kind = "flag", text = "宣传周", points = 2 }]
"""

# 4 + 3 + 2 in the rows; 4 + 3 × 0.5 + 2 = 7.5 in the total → 合格 (6).
ANSWERS = {"1.1": True, "2.1": True, "2.2": False, "3.1": True}


def footer(rubric: Rubric) -> str:
    return f"评价标准：{rubric.title}，sha256:{rubric_hash(rubric)[7:19]}…，conserv_rubric {cr.__version__}"


def test_the_text_report_writes_how_a_weighted_total_comes_from_the_units() -> None:
    rubric = loads_rubric(WEIGHTED)
    text = render_cards([score(rubric, ANSWERS)], "text")
    assert text == (
        "加权测试标准\n"
        "\n"
        "序号  评价单元  评价项目  得分/分值  说明\n"
        "1.1   目标                      4/4  符合，得4分\n"
        "1     目标      小计            4/4\n"
        "2.1   制度                      3/3  符合，得3分\n"
        "2.2                             0/5  不符合，0分\n"
        "2     制度      小计            3/8\n"
        "3.1   宣传                      2/2  符合，得2分\n"
        "3     宣传      小计            2/2\n"
        "      总分                   7.5/10\n"
        "\n"
        "总分 = 4 + 3×0.5 + 2 = 7.5\n"
        "认定：达到“合格”（6分）\n"
        "得分但缺少佐证材料：1.1、2.1、3.1\n"
        "\n"
        f"{footer(rubric)}\n"
    )


def test_the_markdown_report_writes_the_formula_as_a_paragraph() -> None:
    text = render_cards([score(loads_rubric(WEIGHTED), ANSWERS)], "markdown")
    assert "\n\n总分 = 4 + 3×0.5 + 2 = 7.5\n\n**认定**：达到“合格”（6分）\n" in text


def test_the_json_card_carries_each_units_weighted_figure() -> None:
    data = json.loads(render_cards([score(loads_rubric(WEIGHTED), ANSWERS)], "json"))
    assert data["total"] == 7.5
    assert data["aggregate"] == {
        "base": 0,
        "divisor": 1,
        "units": [
            {"address": "1", "points": 4, "weight": 1, "weighted": 4, "counted": True},
            {"address": "2", "points": 3, "weight": 0.5, "weighted": 1.5, "counted": True},
            {"address": "3", "points": 2, "weight": 1, "weighted": 2, "counted": True},
        ],
        "scale": None,
        "formula": "4 + 3×0.5 + 2 = 7.5",
    }


def test_the_scorecard_page_writes_the_formula_under_the_units() -> None:
    page = render_cards_html([score(loads_rubric(WEIGHTED), ANSWERS)])
    assert '<p class="formula">总分 = 4 + 3×0.5 + 2 = 7.5</p>' in page


def test_the_countys_report_reconciles_its_rows_with_its_total() -> None:
    # Rows 6 + 24 + 22 + 22 + 17 + 3 = 94; unit 2 at 0.5 and unit 4 at 1.25:
    # 6 + 12 + 22 + 27.5 + 17 + 3 = 87.5.
    rubric = load_rubric(AUTHORS / "zz-county.toml")
    card = score(rubric, load_sheet(AUTHORS / "zz-county" / "jieyue.toml"))
    line = "总分 = 6 + 24×0.5 + 22 + 22×1.25 + 17 + 3 = 87.5"
    assert line in render_cards([card], "text").splitlines()
    assert f"\n\n{line}\n\n" in render_cards([card], "markdown")


def test_a_base_and_a_divisor_are_written_and_an_inexact_quotient_is_rounded() -> None:
    ten = loads_rubric(
        'title = "t"\ntotal = 41\n\n[aggregate]\nbase = 400\ndivisor = 10\n\n'
        '[[units]]\ntitle = "u"\npoints = 10\nitems = [{ kind = "each", per = 1, max = 10 }]\n'
    )
    # (400 + 4) / 10 = 40.4
    assert "总分 = (400 + 4) / 10 = 40.4" in render_cards([score(ten, {"1.1": 4})], "text").splitlines()
    three = loads_rubric(
        'title = "t"\ntotal = 4\ndigits = 1\n\n[aggregate]\ndivisor = 3\n\n'
        '[[units]]\ntitle = "u"\npoints = 12\nitems = [{ kind = "each", per = 1, max = 12 }]\n'
    )
    # 5 / 3 = 1.666… → 1.7 (digits 1, half up)
    card = score(three, {"1.1": 5})
    assert card.total == Decimal("1.7")
    assert "总分 = 5 / 3 ≈ 1.7" in render_cards([card], "text").splitlines()


def test_a_plain_sum_writes_no_formula() -> None:
    rubric = load_rubric(ROOT / "rubrics" / "district.toml")
    card = score(rubric, load_sheet(ROOT / "examples" / "district" / "pass.toml"))
    assert "aggregate" not in card.to_dict()
    assert "rescaled" not in card.to_dict()
    assert not any(line.startswith("总分 =") for line in render_cards([card], "text").splitlines())


DROPPED = """\
title = "示例：整单元不适用"
total = 100
na = "rescale"
digits = 1

[[units]]
title = "办公"
points = 50
items = [{ kind = "flag", points = 30 }, { kind = "flag", points = 20 }]

[[units]]
title = "食堂"
points = 50
items = [{ kind = "flag", points = 50, na_if = "无食堂" }]
"""


def test_a_dropped_unit_is_left_out_and_the_rest_scaled_to_the_total() -> None:
    # Unit 2 drops out: 50 of the 50 points that apply, scaled to 100.
    card = score(loads_rubric(DROPPED), {"1.1": True, "1.2": True, "2.1.na": True})
    assert "总分 = 50 × 100 / 50 = 100" in render_cards([card], "text").splitlines()
    data = card.to_dict()["aggregate"]
    assert [u["counted"] for u in data["units"]] == [True, False]
    assert data["scale"] == {"full": Decimal(100), "applicable": Decimal(50)}


def test_a_rescaled_unit_says_what_it_was_scaled_from() -> None:
    # 2.1 0 + 2.2 10 + 2.3 8 + 2.5 2 = 20 of the 10 + 10 + 8 + 6 = 34 points that apply (2.4 does
    # not): 20 × 40 / 34 = 23.529… → 23.5.
    rubric = load_rubric(AUTHORS / "green-school.toml")
    card = score(rubric, load_sheet(AUTHORS / "green-school" / "wushitang.toml"))
    note = "适用条目34分中得20分，按比例折算：20 × 40 / 34 ≈ 23.5分"
    assert f"2      资源节约  小计        23.5/40  {note}" in render_cards([card], "text").splitlines()
    assert f"| 2 | 资源节约 | 小计 | 23.5/40 | {note} |" in render_cards([card], "markdown").splitlines()
    assert card.to_dict()["rescaled"] == [
        {"address": "2", "points": 20, "applicable": 34, "max": 40, "scaled": Decimal("23.5")}
    ]
    assert f'<span class="note">{note}</span>' in render_cards_html([card])
    # The total is the plain sum of the rows shown: 15 + 23.5 + 24 + 0 = 62.5, no formula.
    assert "aggregate" not in card.to_dict()


def test_gbt50378s_frame_adds_its_bonus_to_the_base() -> None:
    # No base unit is shipped: (400 + 100) / 10 = 50, the 加分项 capped at 100.
    rubric = load_rubric(ROOT / "rubrics" / "gbt50378-2019-jiafenxiang.toml")
    card = score(rubric, load_sheet(ROOT / "examples" / "gbt50378-2019-jiafenxiang" / "fengding.toml"))
    assert "总分 = (400 + 100) / 10 = 50" in render_cards([card], "text").splitlines()


def test_a_failed_zero_gate_is_named_instead_of_the_formulas_figure() -> None:
    gated = WEIGHTED.replace(
        'items = [{ kind = "flag", text = "宣传周", points = 2 }]',
        'items = [{ kind = "flag", text = "宣传周", points = 2 },'
        ' { kind = "check", gate = "zero", text = "无事故" }]',
    )
    card = score(loads_rubric(gated), {**ANSWERS, "3.2": False})
    assert card.total == 0
    formula = "4 + 3×0.5 + 2；门槛项未通过，未达到则评价总分为0分"
    assert card.to_dict()["aggregate"]["formula"] == formula
    assert f"总分 = {formula}" in render_cards([card], "text").splitlines()
