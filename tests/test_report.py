"""Reports: the totals tree of check, score tables as text, Markdown, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

import conserv_rubric as cr
from conserv_rubric import (
    Problem,
    Rubric,
    RubricError,
    ScoreCard,
    load_rubric,
    load_sheet,
    loads_rubric,
    loads_sheet,
    score,
)
from conserv_rubric._provenance import rubric_hash
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric._text import clip, dumps_json, grid, width, wrap
from conserv_rubric.reports import render_cards, render_check

ROOT = Path(__file__).resolve().parent.parent

RUBRIC = """\
title = "测试标准"
total = 10

[[levels]]
name = "合格"
min = 6

[[units]]
title = "目标管理"
points = 4

[[units.projects]]
title = "节能"
points = 4

[[units.projects.items]]
kind = "flag"
text = "制定节能方案，得2分。"
points = 2

[[units.projects.items]]
kind = "each"
text = "每项制度得1分，最高得2分。"
per = 1
max = 2
points = 2

[[units]]
title = "宣传教育"
points = 6

[[units.items]]
kind = "parts"
text = "开展宣传，得2.5分；组织培训，得0.5分。"
points = 3

[[units.items.parts]]
kind = "flag"
text = "开展宣传"
points = 2.5

[[units.items.parts]]
kind = "flag"
text = "组织培训"
points = 0.5

[[units.items]]
kind = "judged"
text = "酌情评分"
range = [1, 3]
points = 3
"""

# 2 + min(3 × 1, 2) + (2.5 + 0) + 1.5 = 8 of 10 → 合格 (6).
SHEET = """\
[sheet]
agency = "甲局"
year = 2024
assessor = "张三"

[answers]
"1.1.1" = true
"1.1.2" = ["节能", "节水", "节电"]
"2.1.a" = true
"2.1.b" = false
"2.2" = 1.5

[evidence]
"1.1.1" = ["《节能方案》"]
"""


@pytest.fixture
def card() -> ScoreCard:
    return score(loads_rubric(RUBRIC), loads_sheet(SHEET))


def footer(rubric: Rubric) -> str:
    """The provenance line a report ends with: the title, the hash's first 12 digits, the library."""
    digest = rubric_hash(rubric)
    assert len(digest) == len("sha256:") + 64
    return f"评价标准：{rubric.title}，sha256:{digest[7:19]}…，conserv_rubric {cr.__version__}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("abc", 3), ("节能", 4), ("ＡＢ", 4), ("a节b", 4), ("e\u0301", 1), ("", 0)],
)
def test_width_counts_wide_and_full_width_as_two(text: str, expected: int) -> None:
    assert width(text) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("制定节能方案", 12, "制定节能方案"), ("制定节能方案", 11, "制定节能方…"), ("abcdef", 4, "abc…")],
)
def test_clip_respects_display_width(text: str, limit: int, expected: str) -> None:
    assert clip(text, limit) == expected


def test_wrap_breaks_chinese_anywhere_and_keeps_ascii_words() -> None:
    assert wrap("制定节能方案 GB/T 29149 得2分", 12) == ["制定节能方案", "GB/T 29149", "得2分"]


def test_wrap_never_starts_a_line_with_closing_punctuation() -> None:
    assert wrap("制定节能方案。得2分", 12) == ["制定节能方案。", "得2分"]
    assert wrap("制定节能方案得2分", 12) == ["制定节能方案", "得2分"]


def test_grid_aligns_chinese_by_display_width() -> None:
    rows = [["序号", "单元", "分"], ["1", "目标管理", "9"], ["10", "ab", "27"]]
    # widths 4, 8 and 2 (right-aligned), two spaces between columns
    assert grid(rows, frozenset({2})) == ["序号  单元      分", "1     目标管理   9", "10    ab        27"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2.5"), "2.5"),
        (Decimal("0.2"), "0.2"),
        (Decimal("2.50"), "2.5"),
        (Decimal("1E+1"), "10"),
        (Decimal("-0.5"), "-0.5"),
        (Decimal("100"), "100"),
    ],
)
def test_dumps_json_writes_decimals_as_exact_numbers(value: Decimal, expected: str) -> None:
    assert dumps_json({"x": [value]}) == f'{{\n  "x": [\n    {expected}\n  ]\n}}'


def test_dumps_json_leaves_strings_alone() -> None:
    data = {"a": "0:0", "b": Decimal("0.1"), "c": ("2.5", None, True)}
    assert json.loads(dumps_json(data), parse_float=Decimal) == {
        "a": "0:0",
        "b": Decimal("0.1"),
        "c": ["2.5", None, True],
    }


CARD_TEXT = """\
测试标准
单位：甲局　年度：2024　阶段：自评　评估人：张三

序号   评价单元  评价项目  得分/分值  说明
1.1.1  目标管理  节能            2/2  符合，得2分
1.1.2                            2/2  3项（节能、节水、节电） × 1分 = 3分，按最高2分计
1      目标管理  小计            4/4
2.1    宣传教育                2.5/3  a 2.5分 + b 0分 = 2.5分
2.2                            1.5/3  评定1.5分（1~3分）
2      宣传教育  小计            4/6
       总分                     8/10

认定：达到“合格”（6分）
得分但缺少佐证材料：1.1.2、2.1、2.2

{footer}
"""

CARD_MARKDOWN = """\
## 测试标准

单位：甲局　年度：2024　阶段：自评　评估人：张三

| 序号 | 评价单元 | 评价项目 | 得分/分值 | 说明 |
| --- | --- | --- | ---: | --- |
| 1.1.1 | 目标管理 | 节能 | 2/2 | 符合，得2分 |
| 1.1.2 |  |  | 2/2 | 3项（节能、节水、节电） × 1分 = 3分，按最高2分计 |
| 1 | 目标管理 | 小计 | 4/4 |  |
| 2.1 | 宣传教育 |  | 2.5/3 | a 2.5分 + b 0分 = 2.5分 |
| 2.2 |  |  | 1.5/3 | 评定1.5分（1\\~3分） |
| 2 | 宣传教育 | 小计 | 4/6 |  |
|  | **总分** |  | **8/10** |  |

**认定**：达到“合格”（6分）

**得分但缺少佐证材料**：1.1.2、2.1、2.2

{footer}
"""


def test_card_as_text_is_the_standards_table(card: ScoreCard) -> None:
    assert render_cards([card], "text") == CARD_TEXT.format(footer=footer(card.rubric))


def test_card_as_markdown(card: ScoreCard) -> None:
    # Markdown escapes the underscore, which it would read as emphasis.
    line = footer(card.rubric).replace("conserv_rubric", "conserv\\_rubric")
    assert render_cards([card], "markdown") == CARD_MARKDOWN.format(footer=line)


def test_cards_as_csv_one_row_each(card: ScoreCard) -> None:
    rubric = card.rubric
    other = score(rubric, loads_sheet('[sheet]\nagency = "乙局"\n[answers]\n"2.1.b" = true\n"2.2" = 2.5\n'))
    tail = f"{rubric_hash(rubric)},{cr.__version__}"
    assert render_cards([card, other], "csv") == (
        "agency,code,year,stage,assessor,date,1 目标管理,2 宣传教育,total,max,level,passed,"
        "failed_gates,file,line,rubric_hash,library\n"
        f"甲局,,2024,self,张三,,4,4,8,10,合格,true,,,,{tail}\n"
        f"乙局,,,self,,,0,3,3,10,,false,,,,{tail}\n"
    )


def test_csv_refuses_cards_of_different_rubrics(card: ScoreCard) -> None:
    district = score(load_rubric(ROOT / "rubrics" / "district.toml"), {})
    with pytest.raises(RubricError) as exc:
        render_cards([card, district], "csv")
    assert str(exc.value) == "cards scored against different rubrics cannot share one CSV table"


def test_card_as_json_is_to_dict_with_exact_numbers(card: ScoreCard) -> None:
    text = render_cards([card], "json")
    assert json.loads(text, parse_float=Decimal) == card.to_dict()
    assert '"total": 8,' in text
    assert '"points": 2.5,' in text
    assert json.loads(text, parse_float=Decimal)["items"][2]["points"] == Decimal("2.5")


def test_several_cards_as_json_are_a_list(card: ScoreCard) -> None:
    data = json.loads(render_cards([card, card], "json"))
    assert [d["total"] for d in data] == [8, 8]


def test_gates_and_unanswered_are_listed() -> None:
    rubric = load_rubric(ROOT / "rubrics" / "leed-v41-bdc.toml")
    card = score(rubric, load_sheet(ROOT / "examples" / "leed-v41-bdc" / "prereq-failed.toml"))
    *_, tail, last = render_cards([card], "text").split("\n\n")
    assert card.unanswered == ()
    assert tail.splitlines() == [
        "认定：未达到任何等级：门槛项未通过",
        "未通过的门槛项：7.2：条目 7.2 未满足（必须完成项，未完成不予认定）",
        "得分但缺少佐证材料：" + "、".join(card.without_evidence),
        # the author's notes on items, as the rubric writes them
        "条目说明：",
        "  2.1：The recovered table lists ND Location (16) and the seven credits (16) side by side; "
        "ND Location is an alternative path, so only the better of the two counts.",
        "  3.3：2 points as in the official scorecard; the third-party table gives 1.",
    ]
    assert last == f"{footer(rubric).replace('，sha256', '（v4.1），sha256', 1)}\n"


def test_unanswered_leaves_are_listed() -> None:
    card = score(loads_rubric(RUBRIC), loads_sheet('[sheet]\nagency = "甲局"\n[answers]\n"2.1.a" = true\n'))
    assert render_cards([card], "text").endswith(
        "认定：未达到“合格”（6分），还差3.5分\n"
        "未填写（按0分计）：1.1.1、1.1.2、2.1.b、2.2\n"
        "得分但缺少佐证材料：2.1\n"
        "\n"
        f"{footer(card.rubric)}\n"
    )


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [
        ('"1.1.1" = true', "未达到“合格”（6分），还差4分"),
        ('"1.1.1" = true\n"1.1.2" = 2\n"2.1.a" = true', "达到“合格”（6分）"),
    ],
)
def test_level_line(sheet: str, expected: str) -> None:
    card = score(loads_rubric(RUBRIC), loads_sheet(f'[sheet]\nagency = "甲局"\n[answers]\n{sheet}\n'))
    assert f"认定：{expected}\n" in render_cards([card], "text")


CHECK_TEXT = """\
测试标准

评价单元 / 项目 / 条目                        分值  计算
1 目标管理                                       4     4  ✓
  1.1 节能                                       4     4  ✓
    1.1.1 制定节能方案，得2分。                  2     2  ✓
    1.1.2 每项制度得1分，最高得2分。             2     2  ✓
2 宣传教育                                       6     6  ✓
  2.1 开展宣传，得2.5分；组织培训，得0.5分。     3     3  ✓
  2.2 酌情评分                                   3     3  ✓

总分 10 = 4 + 6 ✓
认定等级：
  合格 ≥ 6分

✓ 有效：2 个评价单元，1 个评价项目，4 个条目，分值相符
"""


def test_check_prints_the_totals_tree() -> None:
    assert render_check(loads_rubric(RUBRIC), [], "text") == CHECK_TEXT


def test_check_marks_mismatches_and_lists_problems(tmp_path: Path) -> None:
    # 2.2 declares 4 but its range gives 3; unit 2 then adds up to 3 + 4 = 7, not 6; total 11 ≠ 10.
    bad = RUBRIC.replace("total = 10", "total = 11").replace(
        "range = [1, 3]\npoints = 3", "range = [1, 3]\npoints = 4"
    )
    path = tmp_path / "bad.toml"
    path.write_text(bad, encoding="utf-8")
    rubric, problems = read_rubric(path)
    text = render_check(rubric, problems, "text")
    lines = text.splitlines()
    assert lines[7] == "2 宣传教育                                       6     7  ✗"
    assert lines[8] == "  2.1 开展宣传，得2.5分；组织培训，得0.5分。     3     3  ✓"
    assert lines[9] == "  2.2 酌情评分                                   4     3  ✗"
    assert lines[11] == "总分 11 ≠ 4 + 6 = 10 ✗"
    assert text.endswith(
        "\n".join(
            [
                "",
                f"问题（{len(problems)}）：",
                *(str(p) for p in problems),
                "",
                f"✗ 无效：{len(problems)} 个问题",
                "",
            ]
        )
    )
    assert len(problems) == 3


@pytest.mark.parametrize(
    ("address", "marked"),
    [("2.1.a", [8]), ("2.1", [8]), ("1.1", [4]), ("2", [7]), ("3", [])],
)
def test_check_marks_the_node_a_problem_names(address: str, marked: list[int]) -> None:
    # A part's problem marks its item; otherwise only the node named, never its parents.
    problem = Problem(message="something is wrong", address=address, path="units[1]")
    lines = render_check(loads_rubric(RUBRIC), [problem], "text").splitlines()
    assert [n for n, line in enumerate(lines) if line.endswith("✗")] == marked
    assert lines[-4:] == ["问题（1）：", f"{address} (units[1]): something is wrong", "", "✗ 无效：1 个问题"]


def test_check_as_json(tmp_path: Path) -> None:
    bad = RUBRIC.replace("range = [1, 3]\npoints = 3", "range = [1, 3]\npoints = 4")
    path = tmp_path / "bad.toml"
    path.write_text(bad, encoding="utf-8")
    rubric, problems = read_rubric(path)
    data = json.loads(render_check(rubric, problems, "json"), parse_float=Decimal)
    assert (data["rubric"], data["file"], data["valid"]) == ("测试标准", str(path), False)
    # the total adds the units' declared points, as validation does
    assert data["total"] == {
        "declared": 10,
        "computed": 10,
        "formula": "4 + 6",
        "ok": True,
        "published": None,
    }
    unit = data["units"][1]
    assert (unit["address"], unit["declared"], unit["computed"], unit["ok"]) == ("2", 6, 7, False)
    assert [(i["address"], i["declared"], i["computed"], i["ok"]) for i in unit["items"]] == [
        ("2.1", 3, 3, True),
        ("2.2", 4, 3, False),
    ]
    assert data["units"][0]["projects"][0]["items"][0]["kind"] == "flag"
    assert data["levels"] == [{"name": "合格", "min": 6, "unit_min": {}, "unit_share": None}]
    assert data["problems"][0]["message"] == "declares 6 points, its items add up to 7"
    assert data["problems"][1] == {
        "message": "declares 4 points, its rule gives at most 3",
        "path": "units[1].items[1]",
        "address": "2.2",
        "line": None,
        "column": None,
        "expected": "4",
        "actual": "3",
    }


def test_check_shows_the_aggregate_formula() -> None:
    rubric = load_rubric(ROOT / "rubrics" / "gbt50378-2019-jiafenxiang.toml")
    lines = render_check(rubric, [], "text").splitlines()
    # the standard's own base (published = 100) beside the 40 transcribed
    assert "总分 40 = (400 + 0) / 10 ✓（原标准100分）" in lines
    assert "附加分 10 = (100) / 10 ✓" in lines


def test_check_writes_no_divisor_of_1() -> None:
    # Weights alone (the county's 0.5 and 1.25), and a base without a divisor: nothing is divided.
    county = load_rubric(ROOT / "tests" / "data" / "authors" / "zz-county.toml")
    assert "总分 100 = 9 + 0.5×25 + 25 + 1.25×22 + 17 + 9 ✓" in render_check(county, [], "text").splitlines()
    based = loads_rubric(RUBRIC.replace("total = 10\n", "total = 15\n\n[aggregate]\nbase = 5\n", 1))
    data = json.loads(render_check(based, [], "json"))
    assert data["total"]["formula"] == "5 + 4 + 6"
    assert "总分 15 = 5 + 4 + 6 ✓" in render_check(based, [], "text").splitlines()


def test_check_of_district_adds_up() -> None:
    text = render_check(load_rubric(ROOT / "rubrics" / "district.toml"), [], "text")
    assert "总分 100 = 9 + 27 + 25 + 22 + 17 ✓\n" in text
    assert "✗" not in text
    assert text.endswith("✓ 有效：5 个评价单元，12 个评价项目，37 个条目，分值相符\n")


def test_csv_parses_back(card: ScoreCard) -> None:
    rows = list(csv.DictReader(io.StringIO(render_cards([card], "csv"))))
    assert rows == [
        {
            "agency": "甲局",
            "code": "",
            "year": "2024",
            "stage": "self",
            "assessor": "张三",
            "date": "",
            "1 目标管理": "4",
            "2 宣传教育": "4",
            "total": "8",
            "max": "10",
            "level": "合格",
            "passed": "true",
            "failed_gates": "",
            "file": "",
            "line": "",
            "rubric_hash": rubric_hash(card.rubric),
            "library": cr.__version__,
        }
    ]


def test_the_lazy_renderers_are_typed_and_a_missing_name_is_missing() -> None:
    # The renderers other commands need are imported when first asked for; a type checker
    # still sees each one's signature, and a name the module lacks is an error for it too
    # (`mypy --strict tests` fails on an unused ignore below if it is not).
    from conserv_rubric import reports  # noqa: PLC0415 - the import is what is tested

    assert sorted(set(reports.__all__) & set(dir(reports))) == sorted(reports.__all__)
    assert reports.render_gap.__module__ == "conserv_rubric._report_gap"
    with pytest.raises(ImportError) as exc:
        from conserv_rubric.reports import render_card  # type: ignore[attr-defined]  # noqa: F401, PLC0415
    assert str(exc.value).startswith("cannot import name 'render_card' from 'conserv_rubric.reports'")
