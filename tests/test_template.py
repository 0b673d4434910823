"""Blank answer sheets: every leaf with its text, valid as written, scoring as if left empty."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from conserv_rubric import (
    Rubric,
    RubricError,
    SheetInfo,
    check_sheet,
    load_rubric,
    loads_rubric,
    loads_sheet,
    score,
)
from conserv_rubric._compiled import compiled
from conserv_rubric.templates import template

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "rubrics").rglob("*.toml"))


def _loads(path: Path) -> Rubric | None:
    try:
        return load_rubric(path)
    except RubricError:  # shipped on purpose with a transcription problem (see test_validate.py)
        return None


LOADABLE = [p for p in SHIPPED if _loads(p) is not None]

# Every shape of leaf: names, zero_if, a count threshold, judged with a step, deductions (one of
# which, a count threshold, would deduct at 0 and is therefore commented out), a ratio band that
# scores at 0 (commented out), a number band and a linear rule that do not, na_if, cases, check.
RUBRIC = """\
title = "模板测试"
total = 26
na = "exclude"

[[levels]]
name = "合格"
min = 20

[[units]]
title = "管理"
points = 12

[[units.projects]]
title = "制度"
points = 7

[[units.projects.items]]
kind = "each"
text = "每项制度得1分，最高得2分。"
per = 1
max = 2
options = ["节能", "节水"]

[[units.projects.items]]
kind = "parts"
text = "开展宣传，得1分；全年培训不少于4次，得2分。"
zero_if = "未配备人员"

[[units.projects.items.parts]]
kind = "flag"
text = "开展宣传"
points = 1

[[units.projects.items.parts]]
kind = "flag"
text = "全年培训不少于4次"
points = 2
at_least = 4

[[units.projects.items]]
kind = "judged"
text = "酌情评分"
range = [0.5, 2]
step = 0.5

[[units.projects]]
title = "台账"
points = 5

[[units.projects.items]]
kind = "deduct"
text = "台账完善（5分）"
points = 5

[[units.projects.items.deductions]]
kind = "flag"
text = "无台账扣5分"
points = 5

[[units.projects.items.deductions]]
kind = "flag"
text = "少于三处扣2分"
points = 2
at_least = 3

[[units.projects.items.deductions]]
kind = "each"
text = "每发现一处扣1分"
per = 1

[[units]]
title = "能耗"
points = 14

[[units.items]]
kind = "bands"
text = "人均能耗与平均值之比"
input = "ratio"
bands = [{ le = 0.9, points = 4 }, { gt = 0.9, points = 0 }]

[[units.items]]
kind = "bands"
text = "节能率"
unit = "%"
bands = [{ lt = 5, points = 0 }, { ge = 5, points = 2 }]

[[units.items]]
kind = "linear"
text = "降低10%得2分，每再降低5%再得1分，最高得4分"
start = 10
step = 5
per = 1
base = 2
max = 4
unit = "%"
na_if = "无基准年数据"

[[units.items]]
kind = "cases"
text = "完成年度及累计目标"
conditions = [{ text = "完成年度目标" }, { text = "完成累计目标" }]
rows = [{ when = { a = true, b = true }, points = 4 }, { when = { b = true }, points = 2 }, { points = 0 }]

[[units.items]]
kind = "check"
text = "无重大安全事故"
"""

EXPECTED = """\
# 模板测试 — 自评打分表
# 总分26分；认定：合格 ≥ 20分
# 按每个答案上方的注释填写。默认值（false、0、[]）表示不符合或没有；
# 扣分项的默认值表示没有扣分情形。
# 行首为 # 的答案行尚未填写；填写时删去行首的 #。

[sheet]
rubric = "模板测试"
agency = ""          # 被评价单位名称
year = 2024
stage = "self"       # "self" 自评，"verified" 核查
assessor = ""        # 填表人

[answers]

# ═══ 1 管理（12分）
# ─── 1.1 制度（7分）

# 1.1.1 每项制度得1分，最高得2分。（2分）
# 填写数量（整数）或所列名称，可选：节能、节水
"1.1.1" = []

# 1.1.2 开展宣传，得1分；全年培训不少于4次，得2分。（3分）
# · 1.1.2.zero 未配备人员（符合则本项不得分，填 true）
# 填写 true 或 false
"1.1.2.zero" = false
# · 1.1.2.a 开展宣传（1分）
# 填写 true 或 false
"1.1.2.a" = false
# · 1.1.2.b 全年培训不少于4次（2分）
# 填写数量（整数），达到4时得分
"1.1.2.b" = 0

# 1.1.3 酌情评分（2分）
# 0 或 0.5~2 之间的分值（以0.5分为单位）
"1.1.3" = 0

# ─── 1.2 台账（5分）

# 1.2.1 台账完善（5分）
# · 1.2.1.a 无台账扣5分（扣分项，最多扣5分）
# 填写 true 或 false
"1.2.1.a" = false
# · 1.2.1.b 少于三处扣2分（扣分项，最多扣2分）
# 填写数量（整数），少于3时扣分；未填写则无法计算扣分，本项0分，填写时删去下一行行首的 #
# "1.2.1.b" = 0
# · 1.2.1.c 每发现一处扣1分（扣分项）
# 填写数量（整数）
"1.2.1.c" = 0

# ═══ 2 能耗（14分）

# 2.1 人均能耗与平均值之比（4分）
# 填写 { value = 实测值, ref = 参考值 }；未填写按0分计，填写时删去下一行行首的 #
# "2.1" = { value = 0, ref = 1 }

# 2.2 节能率（2分）
# 填写数值（单位：%）
"2.2" = 0

# 2.3 降低10%得2分，每再降低5%再得1分，最高得4分（4分）
# 填写数值（单位：%）
"2.3" = 0
# · 2.3.na 无基准年数据（不适用则填 true，本项不评分）
# 不适用时删去下一行行首的 #，并删去本项的其他答案行；未填写即为适用
# "2.3.na" = true

# 2.4 完成年度及累计目标（4分）
# · 2.4.a 完成年度目标（条件）
# 填写 true 或 false
"2.4.a" = false
# · 2.4.b 完成累计目标（条件）
# 填写 true 或 false
"2.4.b" = false

# 2.5 无重大安全事故（必须满足）
# 填写 true 或 false
"2.5" = false

[evidence]
# 佐证材料：条目或答案地址 = [文件名, …]，例如：
# "1.1.1" = ["《……》"]
"""


def test_template_as_a_whole() -> None:
    assert template(loads_rubric(RUBRIC), year=2024) == EXPECTED


def test_shipped_rubrics_were_found() -> None:
    assert len(SHIPPED) >= 8
    assert len(LOADABLE) >= 6


def _keys(text: str) -> tuple[list[str], list[str]]:
    active = re.findall(r'^"([^"]+)" = ', text, re.MULTILINE)
    commented = re.findall(r'^# "([^"]+)" = ', text, re.MULTILINE)
    return active, commented


@pytest.mark.parametrize("path", LOADABLE, ids=lambda p: p.name)
def test_template_round_trips_and_scores_as_an_empty_sheet(path: Path) -> None:
    rubric = load_rubric(path)
    text = template(rubric, year=2024)
    sheet = loads_sheet(text)
    assert check_sheet(rubric, sheet) == []
    active, commented = _keys(text.split("[evidence]")[0])
    leaves = list(compiled(rubric).leaves)
    assert sorted(active + commented, key=leaves.index) == leaves
    assert list(sheet.answers) == active
    filled, empty = score(rubric, sheet), score(rubric, {})
    assert [r.points for r in filled.items.values()] == [r.points for r in empty.items.values()]
    assert filled.total == empty.total


def test_sheet_table() -> None:
    sheet = loads_sheet(template(loads_rubric(RUBRIC), year=2024))
    assert sheet.info == SheetInfo(agency="", year=2024, stage="self", assessor="", rubric="模板测试")
    assert sheet.evidence == {}


def test_the_stage_line_lists_the_rubric_s_stages() -> None:
    # The seed's word for the office's check is 核查; other stages are named as declared.
    plain = template(loads_rubric(RUBRIC), year=2024)
    assert '\nstage = "self"       # "self" 自评，"verified" 核查\n' in plain
    staged = loads_rubric('stages = ["self", "initial", "final"]\n' + RUBRIC)
    text = template(staged, year=2024)
    assert '\nstage = "self"       # "self" 自评，"initial"，"final"\n' in text
    assert loads_sheet(text).info.stage == "self"


def test_awkward_titles_are_quoted() -> None:
    rubric = loads_rubric(RUBRIC.replace('title = "模板测试"', 'title = "引号\\"与\\\\反斜杠"'))
    assert loads_sheet(template(rubric, year=2024)).info.rubric == '引号"与\\反斜杠'


def test_year_defaults_to_this_year() -> None:
    text = template(loads_rubric(RUBRIC))
    assert f"\nyear = {datetime.date.today().year}\n" in text


@pytest.mark.parametrize(
    ("edits", "total"),
    [
        ({}, 0),
        ({'"1.1.1" = []': '"1.1.1" = ["节能", "节水"]'}, 2),
        ({'"1.1.2.a" = false': '"1.1.2.a" = true', '"1.1.2.b" = 0': '"1.1.2.b" = 4'}, 3),
        ({'"1.1.2.a" = false': '"1.1.2.a" = true', '"1.1.2.zero" = false': '"1.1.2.zero" = true'}, 0),
        ({'# "1.2.1.b" = 0': '"1.2.1.b" = 1', '"1.2.1.c" = 0': '"1.2.1.c" = 1'}, 2),
        ({'# "1.2.1.b" = 0': '"1.2.1.b" = 3'}, 5),
        ({'# "2.1" = { value = 0, ref = 1 }': '"2.1" = { value = 8, ref = 10 }'}, 4),
        ({'"2.2" = 0': '"2.2" = 5', '"2.3" = 0': '"2.3" = 20.5'}, 6),
        ({'"2.4.a" = false': '"2.4.a" = true', '"2.4.b" = false': '"2.4.b" = true'}, 4),
    ],
)
def test_filled_in_template_scores_without_other_edits(edits: dict[str, str], total: int) -> None:
    # Empty: nothing scores. The deduction item 1.2.1 needs its count 1.2.1.b to tell whether it
    # falls short of 3, so until that line is filled in it scores 0; with 3 it keeps its 5.
    # 1.1.1: 2 names × 1 = 2. 1.1.2: 1 + 2 (4 ≥ 4).
    # zero_if zeroes 1.1.2. 1.2.1: 5 − 2 (1 < 3) − 1 = 2, and nothing else. 2.1: 8/10 ≤ 0.9 → 4.
    # 2.2: 5% → 2; 2.3: 20.5% → 2 + 2 whole steps × 1 = 4. 2.4: both conditions → 4.
    rubric = loads_rubric(RUBRIC)
    text = template(rubric, year=2024)
    for old, new in edits.items():
        assert text.count(f"\n{old}\n") == 1
        text = text.replace(f"\n{old}\n", f"\n{new}\n")
    assert score(rubric, loads_sheet(text)).total == total


@pytest.mark.parametrize(
    "path",
    [*LOADABLE, ROOT / "tests" / "data" / "mechanisms" / "shenzhen-laji-fenlei-shitang.toml"],
    ids=lambda p: p.name,
)
def test_no_clause_is_answered_for_the_agency(path: Path) -> None:
    # An N/A clause left out means the item applies; a written `.na = false` would be an answer the
    # agency never gave. Each item's own answer comes before its clauses, so that it does not read
    # as the clause's.
    rubric = load_rubric(path)
    text = template(rubric, year=2024)
    active, commented = _keys(text.split("[evidence]")[0])
    assert [a for a in active if a.endswith(".na")] == []
    leaves = compiled(rubric).leaves
    assert [a for a in commented if a.endswith(".na")] == [a for a in leaves if a.endswith(".na")]
    for address in active + commented:
        item = leaves[address].item
        if item != address and item in leaves:
            assert (active + commented).index(item) < (active + commented).index(address), address


def test_an_uncommented_clause_marks_the_item_not_applicable() -> None:
    rubric = loads_rubric(RUBRIC)
    text = template(rubric, year=2024)
    assert "2.3.na" not in loads_sheet(text).answers
    assert score(rubric, loads_sheet(text)).items["2.3"].applicable
    # As the comment says: the line uncommented, the item's other answer line deleted.
    filled = text.replace('\n# "2.3.na" = true\n', '\n"2.3.na" = true\n').replace('\n"2.3" = 0\n', "\n")
    card = score(rubric, loads_sheet(filled))
    assert (card.items["2.3"].applicable, card.items["2.3"].reason) == (False, "不适用（无基准年数据）")


def test_a_deduction_s_clause_says_to_delete_the_deduction_s_answer() -> None:
    rubric = loads_rubric(
        'title = "T"\ntotal = 10\n[[units]]\ntitle = "u"\npoints = 10\n[[units.items]]\nkind = "deduct"\n'
        'text = "设施"\npoints = 10\ndeductions = [\n'
        '  { kind = "flag", points = 4, na_if = "单位未设食堂", text = "未设易腐垃圾桶扣4分" },\n'
        '  { kind = "flag", points = 3, text = "未张贴标识扣3分" },\n]\n'
    )
    text = template(rubric, year=2024)
    assert (
        "\n# · 1.1.a.na 单位未设食堂（不适用则填 true，不扣此项）\n"
        "# 不适用时删去下一行行首的 #，并删去此扣分项的答案行；未填写即为适用\n"
        '# "1.1.a.na" = true\n'
        "# · 1.1.a 未设易腐垃圾桶扣4分（扣分项，最多扣4分）\n"
        "# 填写 true 或 false\n"
        '"1.1.a" = false\n'
    ) in text
    # As the comment says: the line uncommented, the deduction's answer deleted; 1.1.b still counts.
    filled = text.replace('\n# "1.1.a.na" = true\n', '\n"1.1.a.na" = true\n').replace(
        '\n"1.1.a" = false\n', "\n"
    )
    assert score(rubric, loads_sheet(filled)).total == 10


def test_district_template_lists_each_item_text_once() -> None:
    rubric = load_rubric(ROOT / "rubrics" / "district.toml")
    text = template(rubric, year=2024)
    assert text.count("\n# 2.2.2 制定落实能源资源消费统计") == 1
    assert "# ═══ 3 推行绿色办公（25分）\n# ─── 3.1 行为节约（9分）\n" in text
    answers = text.split("[evidence]")[0]
    assert len(_keys(answers)[0]) == 44
    assert _keys(answers)[1] == []
