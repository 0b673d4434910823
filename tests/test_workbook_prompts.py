"""Every answer cell of the 自评打分表 says what to type, with examples in “…”: typed as Excel
stores them, the examples read back and score as the answers they stand for, for every rule kind."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from conserv_rubric import Rubric, SheetError, loads_rubric, score
from conserv_rubric._compiled import compiled
from conserv_rubric.workbook import read_workbook, write_template

# One item of every kind a workbook answers, and every shape of answer cell: flags, a check,
# counts with and without options and a count threshold, parts with a zero clause, best, the
# deductions of each kind (a flag, a count, a linear figure counted downwards, a judged one), bands
# on a percentage, on a fraction and on ratios (with a unit and without), a linear rule with an N/A
# clause, judged points, a decision table, and fixed and ranged tiers.
RUBRIC = """\
title = "示例：每种规则"
total = 58
na = "exclude"

[[units]]
title = "全部规则"
points = 58

[[units.items]]
kind = "flag"
text = "制定节能方案"
points = 2

[[units.items]]
kind = "check"
text = "无重大安全事故"

[[units.items]]
kind = "each"
text = "开展专题培训，每项得1分"
per = 1
max = 3
options = ["节能", "节水", "垃圾分类"]

[[units.items]]
kind = "each"
text = "每发布一期简报得2分"
per = 2
max = 4

[[units.items]]
kind = "flag"
text = "全年宣传不少于4次"
points = 2
at_least = 4

[[units.items]]
kind = "parts"
text = "宣传与培训"
zero_if = "发生浪费事件"

[[units.items.parts]]
kind = "flag"
text = "开展宣传"
points = 1

[[units.items.parts]]
kind = "flag"
text = "开展培训"
points = 1

[[units.items]]
kind = "best"
text = "获得表彰"

[[units.items.alternatives]]
kind = "flag"
text = "获得省级表彰"
points = 3

[[units.items.alternatives]]
kind = "flag"
text = "获得市级表彰"
points = 1

[[units.items]]
kind = "deduct"
text = "台账管理"
points = 8

[[units.items.deductions]]
kind = "flag"
text = "无台账扣2分"
points = 2

[[units.items.deductions]]
kind = "each"
text = "每发现一处问题扣1分"
per = 1

[[units.items.deductions]]
kind = "linear"
text = "计量器具配备率每低1个百分点扣1分，最多扣2分"
start = 90
step = 1
per = 1
max = 2
direction = "down"
unit = "%"

[[units.items.deductions]]
kind = "judged"
text = "台账不完善酌情扣1~2分"
range = [1, 2]

[[units.items]]
kind = "bands"
text = "满意率"
unit = "%"
bands = [{ lt = 85, points = 0 }, { ge = 85, points = 4 }]

[[units.items]]
kind = "bands"
text = "设备完好比例"
range = [0, 1]
bands = [{ lt = 0.85, points = 0 }, { ge = 0.85, points = 4 }]

[[units.items]]
kind = "bands"
text = "人均能耗与平均值之比"
input = "ratio"
bands = [{ le = 0.9, points = 4 }, { gt = 0.9, points = 0 }]

[[units.items]]
kind = "bands"
text = "人均能耗与定额之比"
input = "ratio"
unit = "kgce/人"
bands = [{ le = 1, points = 4 }, { gt = 1, points = 0 }]

[[units.items]]
kind = "linear"
text = "节能率达到10%得2分，每再提高5%再得1分，最高得4分"
start = 10
step = 5
per = 1
base = 2
max = 4
unit = "%"
na_if = "无基准年数据"

[[units.items]]
kind = "judged"
text = "酌情评分"
range = [0.5, 2]
step = 0.5

[[units.items]]
kind = "cases"
text = "完成年度及累计目标"
conditions = [{ text = "完成年度目标" }, { text = "完成累计目标" }]
rows = [{ when = { a = true, b = true }, points = 4 }, { when = { b = true }, points = 2 }, { points = 0 }]

[[units.items]]
kind = "tiers"
text = "制度执行情况"
tiers = [{ name = "符合", points = 4 }, { name = "基本符合", points = 2 }, { name = "不符合", points = 0 }]

[[units.items]]
kind = "tiers"
text = "档案管理情况"
tiers = [
  { name = "符合", points = 4 }, { name = "基本符合", range = [1, 3] }, { name = "不符合", points = 0 },
]
"""

YES_NO = "符合填“是”，不符合填“否”。"
COUNT = "填写数量（整数），如“2”；或逐项填写名称，用“、”分隔。"

#: Each answer cell's input message, as the template writes it.
PROMPTS = {
    "1.1": YES_NO,
    "1.2": YES_NO,
    "1.3": "填写数量（整数），如“2”；或所列名称，用“、”分隔。可选：节能、节水、垃圾分类",
    "1.4": COUNT,
    "1.5": "填写数量（整数），达到4时得分，如“4”。",
    "1.6.zero": "符合本项不得分的情形填“是”，否则填“否”。",
    "1.6.a": YES_NO,
    "1.6.b": YES_NO,
    "1.7.a": YES_NO,
    "1.7.b": YES_NO,
    "1.8.a": "有扣分情形填“是”，没有填“否”。",
    "1.8.b": COUNT,
    "1.8.c": "填写数值（单位：%），如“89”或“89%”。",
    "1.8.d": "填写 0 或 1~2 之间的扣分，如“2”。",
    "1.9": "填写数值（单位：%），如“85”或“85%”。",
    "1.10": "填写 0~1 之间的数值，如“0.85”（小数，不填百分数）。",
    "1.11": "填写“实测值/参考值”，如“90/100”；或两者之比，如“0.9”（不填百分数）。",
    "1.12": "填写“实测值/参考值”（单位：kgce/人），如“100/100”；或两者之比，如“1”（不填百分数）。",
    "1.13": "填写数值（单位：%），如“15”或“15%”。",
    "1.13.na": "本项不适用填“是”，否则填“否”。",
    "1.14": "填写 0 或 0.5~2 之间的分值，以0.5分为单位，如“2”。",
    "1.15.a": YES_NO,
    "1.15.b": YES_NO,
    "1.16": "填写一个等级：符合（4分）、基本符合（2分）、不符合（0分），如“符合”。",
    "1.17": "填写一个等级：符合（4分）、基本符合（1~3分，如“基本符合 3”）、不符合（0分）。",
}

#: Two sheets typed from the examples, and the points of each item worked out by hand.
FIRST = {
    "1.1": "是",
    "1.2": "是",
    "1.3": "2",
    "1.4": "2",
    "1.5": "4",
    "1.6.zero": "是",
    "1.6.a": "是",
    "1.6.b": "是",
    "1.7.a": "是",
    "1.7.b": "是",
    "1.8.a": "是",
    "1.8.b": "2",
    "1.8.c": "89",
    "1.8.d": "2",
    "1.9": "85",
    "1.10": "0.85",
    "1.11": "90/100",
    "1.12": "100/100",
    "1.13": "15",
    "1.13.na": "否",
    "1.14": "2",
    "1.15.a": "是",
    "1.15.b": "是",
    "1.16": "符合",
    "1.17": "基本符合 3",
}
SECOND = {
    **FIRST,
    "1.1": "否",
    "1.3": "节能、节水、垃圾分类",
    "1.6.zero": "否",
    "1.6.a": "否",
    "1.7.a": "否",
    "1.8.a": "否",
    "1.8.c": "89%",
    "1.9": "85%",
    "1.11": "0.9",
    "1.12": "1",
    "1.13": "15%",
    "1.15.a": "否",
}
#: FIRST with 1.13 marked not applicable instead: it takes no other answer.
NOT_APPLICABLE = {**{a: t for a, t in FIRST.items() if a != "1.13"}, "1.13.na": "是"}
# FIRST: 1.3 two names' worth (2 × 1); 1.4 2 × 2 = 4; 1.5 4 ≥ 4; 1.6 zeroed; 1.7 the better of 3
# and 1; 1.8 8 − 2 − 2 × 1 − 1 (89 is one point below 90) − 2 = 1; 1.9 85 ≥ 85; 1.10 0.85 ≥ 0.85;
# 1.11 90/100 = 0.9 ≤ 0.9; 1.12 100/100 = 1 ≤ 1; 1.13 15 = 10 + one step of 5: 2 + 1; 1.14 2;
# 1.15 both conditions; 1.16 符合; 1.17 基本符合 with 3.
FIRST_POINTS = [2, 0, 2, 4, 2, 0, 3, 1, 4, 4, 4, 4, 3, 2, 4, 4, 3]
# SECOND: 1.1 no; 1.3 three names; 1.6 only 1.6.b; 1.7 only the 1 of 1.7.b; 1.8 8 − 2 − 1 − 2 = 3;
# 85% is 85, 89% is 89, 15% is 15; 0.9 and 1 are the ratios themselves; 1.15 only b: row 2.
SECOND_POINTS = [0, 0, 3, 4, 2, 1, 1, 3, 4, 4, 4, 4, 3, 2, 2, 4, 3]


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return loads_rubric(RUBRIC)


def _rows(ws: Worksheet) -> dict[str, int]:
    """The row of each address (地址 is column F, the answer column G)."""
    return {
        str(ws.cell(row=r, column=6).value): r
        for r in range(6, ws.max_row + 1)
        if ws.cell(row=r, column=6).value
    }


def _prompts(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)["自评打分表"]
    at = {f"G{r}": a for a, r in _rows(ws).items()}
    return {
        at[c]: str(dv.prompt)
        for dv in ws.data_validations.dataValidation
        for c in str(dv.sqref).split()
        if c in at
    }


def examples(prompt: str) -> list[str]:
    """What a prompt shows to type: each “…” after 如, 填 or 或, and an options list as it is shown."""
    found = re.findall(r"[如填或]“([^”]+)”", prompt)
    listed = re.search(r"可选：(.+)$", prompt)
    return found + ([listed[1]] if listed else [])


def type_in(cell: Cell, text: str) -> None:
    """Store *text* in *cell* as Excel stores what is typed into it: in a text cell (format @) as
    text; otherwise a percentage as its fraction in a percentage format, a number as a number,
    anything else as text. Excel would turn 3/4 into a date: the template must not ask for it."""
    if cell.number_format == "@" or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?%?|[0-9]+/[0-9]+", text):
        cell.value = text
    elif text.endswith("%"):
        cell.value = float(Decimal(text[:-1]) / 100)
        cell.number_format = "0%"
    elif "/" in text:
        raise AssertionError(
            f"{cell.coordinate}: Excel would read {text} as a date in a cell not formatted as text"
        )
    else:
        cell.value = int(text) if text.isdigit() else float(text)


def _typed(rubric: Rubric, tmp_path: Path, answers: dict[str, str]) -> Path:
    path = tmp_path / "sheet.xlsx"
    write_template(rubric, path, year=2024, energy=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评打分表"]
    rows = _rows(ws)
    for address, text in answers.items():
        cell = ws.cell(row=rows[address], column=7)
        assert isinstance(cell, Cell)
        type_in(cell, text)
    wb.save(path)
    return path


def test_every_answer_cell_shows_examples(rubric: Rubric, tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    write_template(rubric, path, year=2024, energy=False)
    assert set(compiled(rubric).leaves) == set(PROMPTS)
    assert _prompts(path) == PROMPTS
    assert all(examples(p) for p in PROMPTS.values())


def test_every_example_is_typed_in_one_of_the_sheets() -> None:
    # The examples a prompt shows, each typed into some cell that shows that prompt.
    for prompt in set(PROMPTS.values()):
        typed = {
            sheet[a]
            for sheet in (FIRST, SECOND, NOT_APPLICABLE)
            for a, p in PROMPTS.items()
            if p == prompt and a in sheet
        }
        assert set(examples(prompt)) <= typed, prompt
    for sheet in (FIRST, SECOND, NOT_APPLICABLE):
        assert all(text in examples(PROMPTS[a]) for a, text in sheet.items())


@pytest.mark.parametrize(
    ("answers", "points"), [(FIRST, FIRST_POINTS), (SECOND, SECOND_POINTS)], ids=["first", "second"]
)
def test_the_examples_read_back_and_score(
    rubric: Rubric, tmp_path: Path, answers: dict[str, str], points: list[int]
) -> None:
    (sheet,) = read_workbook(_typed(rubric, tmp_path, answers))
    card = score(rubric, sheet)
    assert [r.points for r in card.items.values()] == [Decimal(p) for p in points]
    assert card.total == sum(points)
    assert card.failed_gates == ()


def test_an_item_marked_not_applicable_from_its_example(rubric: Rubric, tmp_path: Path) -> None:
    (sheet,) = read_workbook(_typed(rubric, tmp_path, NOT_APPLICABLE))
    card = score(rubric, sheet)
    assert (card.items["1.13"].applicable, card.total) == (False, Decimal(sum(FIRST_POINTS) - 3))


@pytest.mark.parametrize(
    ("address", "typed", "message"),
    [
        # A ratio cell is text: a percentage stays "85%", refused, never read as the ratio 85.
        ("1.11", "85%", 'expected a number or VALUE/REF (such as 15.8/18), got a string ("85%")'),
        # A fraction typed as a percentage is stored as 0.85 shown as 85%, read as shown: refused.
        ("1.10", "85%", "expected a number from 0 to 1, got 85"),
    ],
)
def test_what_the_prompt_says_not_to_type_is_refused(
    rubric: Rubric, tmp_path: Path, address: str, typed: str, message: str
) -> None:
    path = _typed(rubric, tmp_path, {address: typed})
    (sheet,) = read_workbook(path)
    with pytest.raises(SheetError) as exc:
        score(rubric, sheet)
    (problem,) = exc.value.problems
    assert problem.message == message
    assert problem.cell == f"自评打分表!G{_rows(openpyxl.load_workbook(path)['自评打分表'])[address]}"
