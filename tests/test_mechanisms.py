"""One test per scoring mechanism M01–M39 of /work/shared/rubrics/MECHANISMS.md.

Each test scores a real item (from a shipped rubric in rubrics/, or, where no shipped rubric has
it, from a rubric in tests/data/mechanisms/ that quotes the source item) at and around its
boundaries. Every expected number is worked out by hand from the standard's text; the docstring
quotes the source wording and names the address used.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conserv_rubric import (
    GateResult,
    Rubric,
    RubricError,
    ScoreCard,
    SheetError,
    load_sheet,
    loads_rubric,
    score,
)
from conserv_rubric._compiled import compiled
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric.diffs import diff

ROOT = Path(__file__).resolve().parent.parent
RUBRICS = ROOT / "rubrics"
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data" / "mechanisms"

Answers = dict[str, Any]


@functools.cache
def rubric(name: str) -> Rubric:
    """A shipped rubric by stem, or a test rubric as ``data/<stem>``.

    `read_rubric` also returns the two shipped rubrics that are invalid by design (their problems
    are asserted in test_shipped.py); scoring does not depend on validity.
    """
    path = DATA / f"{name[5:]}.toml" if name.startswith("data/") else RUBRICS / f"{name}.toml"
    found, _ = read_rubric(path)
    return found


def variant(text: str) -> Rubric:
    """A rubric written as TOML text, with ``extends`` looked up in tests/data/mechanisms/."""
    return loads_rubric(text, base_dir=DATA)


def points(card: ScoreCard, address: str) -> Decimal:
    """An item's points, checked to be an exact Decimal."""
    got = card.items[address].points
    assert isinstance(got, Decimal)
    return got


def reason(card: ScoreCard, address: str) -> str:
    return card.items[address].reason


def top_answers(of: Rubric, **explicit: object) -> Answers:
    """Answers that reach every item's maximum, for rubrics made of flags, counters and judged
    items (numbers and ratios must be given in *explicit*, keyed with '_' for '.')."""
    given = {key.replace("_", "."): value for key, value in explicit.items()}
    out: Answers = {}
    for address, leaf in compiled(of).leaves.items():
        if address.endswith((".zero", ".na")):
            continue
        if address in given:
            out[address] = given[address]
        elif leaf.shape == "bool":
            out[address] = True
        elif leaf.shape == "count_or_names":
            out[address] = len(leaf.options) if leaf.closed else 10
        elif leaf.shape == "count":
            out[address] = 10
        elif leaf.shape == "judged":
            assert leaf.high is not None
            out[address] = leaf.high
        else:
            raise AssertionError(f"give an answer for {address} ({leaf.shape})")
    return out


def sheet_answers(path: Path) -> Answers:
    return dict(load_sheet(path).answers)


# --- M01–M07: items and their parts ---------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected", "why"),
    [
        ({"1.4": True}, Decimal("5"), "符合，得5分"),
        ({"1.4": False}, Decimal("0"), "不符合，0分"),
        ({}, Decimal("0"), "未填写，0分"),
    ],
)
def test_m01_binary_award(answers: Answers, expected: Decimal, why: str) -> None:
    """M01. 公共机构生活垃圾分类考评表 (LJ7) row 4: "制定并签订《公共机构生活垃圾分类目标责任书》，
    加盖单位印章得5分". Address gonggong-jigou-laji-fenlei 1.4: met → 5, not met → 0, unanswered → 0.
    """
    card = score(rubric("gonggong-jigou-laji-fenlei"), answers)
    assert points(card, "1.4") == expected
    assert reason(card, "1.4") == why
    assert card.total == expected
    assert ("1.4" in card.unanswered) is (not answers)


@pytest.mark.parametrize(
    ("a", "b", "c", "d", "expected", "why"),
    [
        (True, True, True, True, Decimal("20"), "a 8分 + b 4分 + c 4分 + d 4分 = 20分"),
        (True, False, True, False, Decimal("12"), "a 8分 + b 0分 + c 4分 + d 0分 = 12分"),
        (False, True, True, True, Decimal("12"), "a 0分 + b 4分 + c 4分 + d 4分 = 12分"),
        (False, False, False, False, Decimal("0"), "a 0分 + b 0分 + c 0分 + d 0分 = 0分"),
    ],
)
def test_m02_additive_checklist(a: bool, b: bool, c: bool, d: bool, expected: Decimal, why: str) -> None:
    """M02. GB/T 50378-2019 9.2.8 "按照绿色施工的要求进行施工和管理，按下列规则分别评分并累计":
    绿色施工优良等级 8, 混凝土损耗率 4, 钢筋损耗率 4, 免粉刷模板 4 (8 + 4 + 4 + 4 = 20).
    Address gbt50378-2019-jiafenxiang 9.2.8.a–d.
    """
    answers = {"9.2.8.a": a, "9.2.8.b": b, "9.2.8.c": c, "9.2.8.d": d}
    card = score(rubric("gbt50378-2019-jiafenxiang"), answers)
    assert points(card, "9.2.8") == expected
    assert reason(card, "9.2.8") == why


@pytest.mark.parametrize(
    ("name", "address", "answer", "expected", "why"),
    [
        ("leed-v41-bdc", "8.1", 0, Decimal("0"), "0项 × 1分 = 0分（最高5分）"),
        ("leed-v41-bdc", "8.1", 4, Decimal("4"), "4项 × 1分 = 4分（最高5分）"),
        ("leed-v41-bdc", "8.1", 5, Decimal("5"), "5项 × 1分 = 5分（最高5分）"),
        ("leed-v41-bdc", "8.1", 6, Decimal("5"), "6项 × 1分 = 6分，按最高5分计"),
        (
            "data/dyrmt-jieyuexing-jiguan",
            "2.2.2",
            ["定额管理", "绿色消费", "节能节水"],
            Decimal("3"),
            "3项（定额管理、绿色消费、节能节水） × 1分 = 3分（最高3分）",
        ),
        (
            "data/dyrmt-jieyuexing-jiguan",
            "2.2.2",
            ["定额管理", "绿色消费", "节能节水", "生活垃圾分类"],
            Decimal("3"),
            "4项（定额管理、绿色消费、节能节水、生活垃圾分类） × 1分 = 4分，按最高3分计",
        ),
        # The district list ends with 等 (open): a rule outside the list counts too.
        (
            "district",
            "2.2.2",
            ["节能", "节水", "绿色消费", "定额管理", "生活垃圾分类", "公务用车管理"],
            Decimal("5"),
            "6项（节能、节水、绿色消费、定额管理、生活垃圾分类、公务用车管理） × 1分 = 6分，按最高5分计",
        ),
    ],
)
def test_m03_per_count_with_cap(name: str, address: str, answer: object, expected: Decimal, why: str) -> None:
    """M03. LEED v4.1 Innovation: "the project earns innovation points one by one … up to the
    5-point cap" (leed-v41-bdc 8.1); 节约型机关评价标准 (DY) 管理制度-2: six kinds of rules listed,
    "每项得1分，最高得3分" (data/dyrmt-jieyuexing-jiguan 2.2.2); district 2.2.2 "每项得1分，最高得5分".
    """
    card = score(rubric(name), {address: answer})
    assert points(card, address) == expected
    assert reason(card, address) == why


def test_m03_closed_list_rejects_other_names() -> None:
    """M03. DY's list of six rules is closed (no 等): a name outside it is an error at 2.2.2."""
    with pytest.raises(SheetError) as excinfo:
        score(rubric("data/dyrmt-jieyuexing-jiguan"), {"2.2.2": ["节约用纸"]})
    assert str(excinfo.value) == (
        """answers."2.2.2": '节约用纸' is not one of the options: """
        "能源资源消费统计、定额管理、节能节水、生活垃圾分类、绿色消费、用能设备节能操作规程"
    )


@pytest.mark.parametrize(
    ("short", "expected", "why"),
    [
        (0, Decimal("3"), "3分 = 3分"),
        (1, Decimal("2.8"), "3分 − 0.2分 × 1人（a） = 2.8分"),
        (10, Decimal("1"), "3分 − 0.2分 × 10人（a） = 1分"),
        (14, Decimal("0.2"), "3分 − 0.2分 × 14人（a） = 0.2分"),
        (15, Decimal("0"), "3分 − 0.2分 × 15人（a） = 0分"),
        (16, Decimal("0"), "3分 − 0.2分 × 16人（a） = 0分（扣完为止）"),
    ],
)
def test_m04_fractional_deductions(short: int, expected: Decimal, why: str) -> None:
    """M04. 宜春 考评评分细则 1.1 机构运行, row 2 (3分): "每差1人扣0.2分，至扣完为止".
    Address data/yichun-laji-fenlei-kaoping 1.1.2.a. Fifteen deductions of 0.2 take exactly the
    3 points (binary floats would leave 4.4e-16); fourteen leave exactly 0.2.
    """
    card = score(rubric("data/yichun-laji-fenlei-kaoping"), {"1.1.2.a": short})
    got = points(card, "1.1.2")
    assert got == expected
    assert str(got.normalize()) == str(expected)
    assert reason(card, "1.1.2") == why


def test_m04_half_points_sum_exactly() -> None:
    """M04. 777doc row 2: "制定垃圾分类工作目标，提出减量措施，每项2.5分，共5分" (1.2), beside row 6's
    rate-based 3.15 (1.6): 2.5 + 3.15 = 5.65 exactly, and two items of 2.5 make exactly 5."""
    one = score(rubric("gonggong-jigou-laji-fenlei"), {"1.2": ["减量措施"], "1.6": Decimal("62.9")})
    assert points(one, "1.2") == Decimal("2.5")
    assert reason(one, "1.2") == "1项（减量措施） × 2.5分 = 2.5分（最高5分）"
    assert one.total == Decimal("5.65")
    both = score(rubric("gonggong-jigou-laji-fenlei"), {"1.2": ["工作目标", "减量措施"]})
    assert points(both, "1.2") == Decimal("5")


@pytest.mark.parametrize(
    ("met", "expected", "why"),
    [
        ((True, True, True, True), Decimal("4"), "a 1分 + b 1分 + c 1分 + d 1分 = 4分"),
        ((True, True, True, False), Decimal("3"), "a 1分 + b 1分 + c 1分 + d 0分 = 3分"),
        ((False, False, False, True), Decimal("1"), "a 0分 + b 0分 + c 0分 + d 1分 = 1分"),
    ],
)
def test_m05_bracketed_subtotal(met: tuple[bool, bool, bool, bool], expected: Decimal, why: str) -> None:
    """M05. DY 管理制度-3: "按照《公共机构能源资源消费统计调查制度》…(4分)" followed by 1) 2) 3) 4),
    each 1 point. Address data/dyrmt-jieyuexing-jiguan 2.2.3.a–d."""
    answers = dict(zip(("2.2.3.a", "2.2.3.b", "2.2.3.c", "2.2.3.d"), met, strict=True))
    card = score(rubric("data/dyrmt-jieyuexing-jiguan"), answers)
    assert points(card, "2.2.3") == expected
    assert reason(card, "2.2.3") == why
    assert card.items["2.2.3"].max == Decimal("4")


def test_m05_subtotal_mismatch_is_caught() -> None:
    """M05. The sub-rules must add up to the bracketed (4分): a sub-rule of 2 makes them 5."""
    text = (DATA / "dyrmt-jieyuexing-jiguan.toml").read_text(encoding="utf-8")
    line = '{ kind = "flag", points = 1, text = "4）'
    assert text.count(line) == 1
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(text.replace(line, line.replace("points = 1", "points = 2")))
    assert str(excinfo.value) == (
        "item 2.2.3 in project 2.2 管理制度 (units[1].projects[1].items[2]): "
        "declares 4 points, its parts add up to 5"
    )


def test_m06_declared_subtotals_at_every_level() -> None:
    """M06. 项目 → 内容 → rules, each with a declared total: district unit 2 完善制度体系 (27) =
    2.1 管理机构 (5) + 2.2 管理制度 (22), and 2.2.5 (5) = 2 + 1 + 1 + 1. Sheet examples/district/at-80:
    2.1 = 1 + 2 + 1 + 1 = 5; 2.2 = 4 + 3 + 0 + 3 + 4 = 14; unit 2 = 19."""
    card = score(rubric("district"), load_sheet(EXAMPLES / "district" / "at-80.toml"))
    units = {u.address: (u.points, u.max) for u in card.units}
    projects = {p.address: (p.points, p.max) for p in card.projects}
    assert units == {
        "1": (Decimal("9"), Decimal("9")),
        "2": (Decimal("19"), Decimal("27")),
        "3": (Decimal("20"), Decimal("25")),
        "4": (Decimal("18"), Decimal("22")),
        "5": (Decimal("14"), Decimal("17")),
    }
    assert projects["2.1"] == (Decimal("5"), Decimal("5"))
    assert projects["2.2"] == (Decimal("14"), Decimal("22"))
    assert points(card, "2.2.5") == Decimal("4")
    assert card.total == Decimal("80")


def test_m06_subtotal_mismatch_is_caught_at_each_level() -> None:
    """M06. District project 2.2 declared as 21: its items add up to 22, and unit 2's 27 no longer
    matches its projects (5 + 21 = 26)."""
    text = (RUBRICS / "district.toml").read_text(encoding="utf-8")
    before = 'title = "管理制度"\npoints = 22'
    assert text.count(before) == 1
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(text.replace(before, 'title = "管理制度"\npoints = 21'))
    assert str(excinfo.value) == (
        "unit 2 完善制度体系 (units[1]): declares 27 points, its projects add up to 26\n"
        "project 2.2 管理制度 in unit 2 完善制度体系 (units[1].projects[1]): "
        "declares 21 points, its items add up to 22"
    )


@pytest.mark.parametrize(
    ("name", "address", "a", "b", "expected", "why"),
    [
        ("data/dyrmt-jieyuexing-jiguan", "2.1.2", True, False, Decimal("1"), "a 1分 + b 0分 = 1分"),
        ("data/dyrmt-jieyuexing-jiguan", "2.1.2", False, True, Decimal("2"), "a 0分 + b 2分 = 2分"),
        ("data/dyrmt-jieyuexing-jiguan", "2.1.2", True, True, Decimal("3"), "a 1分 + b 2分 = 3分"),
        ("data/dyrmt-jieyuexing-jiguan", "2.2.1", False, True, Decimal("1"), "a 0分 + b 1分 = 1分"),
        ("district", "2.2.1", True, False, Decimal("2"), "a 2分 + b 0分 = 2分"),
        ("district", "2.2.1", True, True, Decimal("4"), "a 2分 + b 2分 = 4分"),
    ],
)
def test_m07_two_clauses_in_one_rule(
    name: str, address: str, a: bool, b: bool, expected: Decimal, why: str
) -> None:
    """M07. DY 管理机构-2 "…管理机构和工作职责，得1分；推进部门或系统节约能源资源工作，得2分"
    (data/dyrmt-jieyuexing-jiguan 2.1.2) and 管理制度-1 (2.2.1: 2 + 1); district 2.2.1 "制定节约型机关
    创建实施方案，得2分；制定节约能源资源实施方案，并明确年度节约能源资源目标，得2分"."""
    card = score(rubric(name), {f"{address}.a": a, f"{address}.b": b})
    assert points(card, address) == expected
    assert reason(card, address) == why


# --- M08–M14: numbers, bands and alternatives -----------------------------------------------


@pytest.mark.parametrize(
    ("value", "ref", "expected", "band"),
    [
        ("18", "20", Decimal("7"), "x/参考值 ≤ 0.9"),
        ("18.01", "20", Decimal("6"), "0.9 < x/参考值 ≤ 1"),
        ("20", "20", Decimal("6"), "0.9 < x/参考值 ≤ 1"),
        ("20.01", "20", Decimal("5"), "1 < x/参考值 ≤ 1.1"),
        ("22", "20", Decimal("5"), "1 < x/参考值 ≤ 1.1"),
        ("22.01", "20", Decimal("4"), "1.1 < x/参考值 ≤ 1.2"),
        ("24", "20", Decimal("4"), "1.1 < x/参考值 ≤ 1.2"),
        ("24.01", "20", Decimal("0"), "1.2 < x/参考值"),
        ("12.33", "13.7", Decimal("7"), "x/参考值 ≤ 0.9"),
        ("12.3301", "13.7", Decimal("6"), "0.9 < x/参考值 ≤ 1"),
    ],
)
def test_m08_bands_relative_to_a_reference(value: str, ref: str, expected: Decimal, band: str) -> None:
    """M08. 节约型公共机构示范单位评价标准 1.1 用能量指标, 单位建筑面积能源消耗指标 against the
    provincial average: "≤0.9×平均值 得7分", 6 to the average, 5 to 1.1×, 4 to 1.2×, ">1.2×平均值
    得0分". Address data/jieyuexing-gonggong-jigou-shifan-110 1.1.1, answered {value, ref}.
    0.9 × 13.7 = 12.33 exactly."""
    answer = {"value": Decimal(value), "ref": Decimal(ref)}
    card = score(rubric("data/jieyuexing-gonggong-jigou-shifan-110"), {"1.1.1": answer})
    assert points(card, "1.1.1") == expected
    assert reason(card, "1.1.1") == f"{value}kgce/m²，参考值{ref}kgce/m²：{band} → {expected}分"


@pytest.mark.parametrize(
    ("name", "address", "answer", "expected"),
    [
        ("gbt50378-2019-jiafenxiang", "9.2.5.b", Decimal("34.9"), Decimal("0")),
        ("gbt50378-2019-jiafenxiang", "9.2.5.b", Decimal("35"), Decimal("5")),
        ("gbt50378-2019-jiafenxiang", "9.2.5.b", Decimal("49.9"), Decimal("5")),
        ("gbt50378-2019-jiafenxiang", "9.2.5.b", Decimal("50"), Decimal("10")),
        ("gbt50378-2019-jiafenxiang", "9.2.5.b", Decimal("100"), Decimal("10")),
        ("jieneng-mubiao-zeren-county", "1.1.a", Decimal("49.9"), Decimal("0")),
        ("jieneng-mubiao-zeren-county", "1.1.a", Decimal("50"), Decimal("20")),
        ("jieneng-mubiao-zeren-county", "1.1.a", Decimal("59.9"), Decimal("20")),
        ("jieneng-mubiao-zeren-county", "1.1.a", Decimal("60"), Decimal("24")),
        ("jieneng-mubiao-zeren-county", "1.1.a", Decimal("79.9"), Decimal("28")),
        ("jieneng-mubiao-zeren-county", "1.1.a", Decimal("80"), Decimal("32")),
        ("jieneng-mubiao-zeren-county", "1.1.a", Decimal("89.9"), Decimal("32")),
        ("jieneng-mubiao-zeren-county", "1.1.a", Decimal("90"), Decimal("36")),
        ("jieneng-mubiao-zeren-county", "1.1.a", Decimal("99.9"), Decimal("36")),
        ("jieneng-mubiao-zeren-county", "1.1.a", Decimal("100"), Decimal("40")),
        ("data/jieneng-huairou-zhongdian", "1.2", Decimal("-3"), Decimal("15")),
        ("data/jieneng-huairou-zhongdian", "1.2", Decimal("0"), Decimal("15")),
        ("data/jieneng-huairou-zhongdian", "1.2", Decimal("0.1"), Decimal("10")),
        ("data/jieneng-huairou-zhongdian", "1.2", Decimal("9.9"), Decimal("10")),
        ("data/jieneng-huairou-zhongdian", "1.2", Decimal("10"), Decimal("5")),
        ("data/jieneng-huairou-zhongdian", "1.2", Decimal("19.9"), Decimal("5")),
        ("data/jieneng-huairou-zhongdian", "1.2", Decimal("20"), Decimal("0")),
    ],
)
def test_m09_absolute_bands(name: str, address: str, answer: Decimal, expected: Decimal) -> None:
    """M09. GB/T 50378-2019 9.2.5 "预制构件用量比例达到35%得5分，达到50%得10分" (9.2.5.b);
    节能目标责任 county table 1.1 "完成年度计划目标得40分，完成目标的90%得36分，完成80%得32分，
    完成70%得28分，完成60%得24分，完成50%得20分，完成50%以下不得分" (jieneng-mubiao-zeren-county 1.1.a);
    怀柔 能源消费总量控制目标 "未超过 15 / 10%以下 10 / 20%以下 5 / 20%以上 0"
    (data/jieneng-huairou-zhongdian 1.2; the exact 10% and 20% go to the lower band)."""
    card = score(rubric(name), {address: answer})
    item = address.rsplit(".", 1)[0] if address.endswith((".a", ".b")) else address
    assert points(card, item) == expected


@pytest.mark.parametrize(
    ("name", "answers", "item", "expected", "why"),
    [
        (
            "gbt50378-2019-jiafenxiang",
            {"9.2.5.a": True, "9.2.5.b": Decimal("20")},
            "9.2.5",
            Decimal("10"),
            "取最高：a 10分（a 10分，b 0分）",
        ),
        (
            "gbt50378-2019-jiafenxiang",
            {"9.2.5.a": True, "9.2.5.b": Decimal("60")},
            "9.2.5",
            Decimal("10"),
            "取最高：a 10分（a 10分，b 10分）",
        ),
        (
            "gbt50378-2019-jiafenxiang",
            {"9.2.5.a": False, "9.2.5.b": Decimal("42")},
            "9.2.5",
            Decimal("5"),
            "取最高：b 5分（a 0分，b 5分）",
        ),
        (
            "data/jieyuexing-gonggong-jigou-shifan-110",
            {"1.2.1.a": True, "1.2.1.b": {"value": Decimal("30"), "ref": Decimal("20")}},
            "1.2.1",
            Decimal("7"),
            "取最高：a 7分（a 7分，b 0分）",
        ),
        (
            "data/jieyuexing-gonggong-jigou-shifan-110",
            {"1.2.1.a": False, "1.2.1.b": {"value": Decimal("21"), "ref": Decimal("20")}},
            "1.2.1",
            Decimal("5"),
            "取最高：b 5分（a 0分，b 5分）",
        ),
    ],
)
def test_m10_override_alternative(
    name: str, answers: Answers, item: str, expected: Decimal, why: str
) -> None:
    """M10. G110 1.2 用水量指标 "被评为本地区节水型单位，得7分；否则依据…人均水资源消耗指标"
    (data/jieyuexing-gonggong-jigou-shifan-110 1.2.1: 1.5 × 平均值 → 0, 1.05 × → 5); GB/T 50378-2019
    9.2.5 "主体结构为钢结构或木结构得10分；否则按预制构件用量比例评分" (9.2.5)."""
    card = score(rubric(name), answers)
    assert points(card, item) == expected
    assert reason(card, item) == why


@pytest.mark.parametrize(
    ("a", "b", "expected", "why"),
    [
        (True, False, Decimal("3"), "取最高：a 3分（a 3分，b 0分）"),
        (False, True, Decimal("5"), "取最高：b 5分（a 0分，b 5分）"),
        (True, True, Decimal("5"), "取最高：b 5分（a 3分，b 5分）"),
        (False, False, Decimal("0"), "取最高：a 0分（a 0分，b 0分）"),
    ],
)
def test_m11_exclusive_tiers(a: bool, b: bool, expected: Decimal, why: str) -> None:
    """M11. GB/T 50378-2019 9.2.4 场地绿容率不低于3.0: "按计算值达到得3分，按实测值达到得5分" —
    only the higher tier counts (both met: 5, not 8). Address gbt50378-2019-jiafenxiang 9.2.4."""
    card = score(rubric("gbt50378-2019-jiafenxiang"), {"9.2.4.a": a, "9.2.4.b": b})
    assert points(card, "9.2.4") == expected
    assert reason(card, "9.2.4") == why


@pytest.mark.parametrize(
    ("answers", "expected", "why"),
    [
        ({"1.1.a": True, "1.1.b": True}, Decimal("35"), "a是，b是：第1行，35分"),
        ({"1.1.a": False, "1.1.b": True}, Decimal("20"), "a否，b是：第2行，20分"),
        ({"1.1.a": True, "1.1.b": False}, Decimal("10"), "a是，b否：第3行，10分"),
        ({"1.1.a": False, "1.1.b": False}, Decimal("0"), "a否，b否：第4行，0分"),
        ({}, Decimal("0"), "a未填写，b未填写：无法确定所在行，0分"),
    ],
)
def test_m12_decision_table_first_matching_row(answers: Answers, expected: Decimal, why: str) -> None:
    """M12. 怀柔 重点用能单位 单耗下降率目标 (35分): annual target met (a) and "累计降低进度须达到年均
    20%以上" (b) → yes/yes 35, no/yes 20, yes/no 10, no/no 0. Address data/jieneng-huairou-zhongdian
    1.1. Row 3 is written {a = true}, which yes/yes also matches: the first matching row (35) wins."""
    card = score(rubric("data/jieneng-huairou-zhongdian"), answers)
    assert points(card, "1.1") == expected
    assert reason(card, "1.1") == why


@pytest.mark.parametrize(
    ("rate", "expected", "why"),
    [
        ("0", Decimal("0"), "0%：0 × 5分 = 0分（最高5分）"),
        ("20.9", Decimal("1.05"), "20.9%：0.209 × 5分 = 1.045分，保留2位小数为1.05分（最高5分）"),
        ("62.9", Decimal("3.15"), "62.9%：0.629 × 5分 = 3.145分，保留2位小数为3.15分（最高5分）"),
        ("87.5", Decimal("4.38"), "87.5%：0.875 × 5分 = 4.375分，保留2位小数为4.38分（最高5分）"),
        ("100", Decimal("5"), "100%：1 × 5分 = 5分（最高5分）"),
    ],
)
def test_m13_rate_times_points(rate: str, expected: Decimal, why: str) -> None:
    """M13. 777doc row 6 "干部职工掌握垃圾分类知识，得5分；随机抽查，按知晓率打分": 5 × 知晓率, two
    decimals half up (20.9% → 1.045 → 1.05, 62.9% → 3.145 → 3.15; half-even would give 1.04 and 3.14).
    Address gonggong-jigou-laji-fenlei 1.6."""
    card = score(rubric("gonggong-jigou-laji-fenlei"), {"1.6": Decimal(rate)})
    assert points(card, "1.6") == expected
    assert reason(card, "1.6") == why


@pytest.mark.parametrize(
    ("name", "address", "answer", "expected"),
    [
        ("gbt50378-2019-jiafenxiang", "9.2.1", "39.9", Decimal("0")),
        ("gbt50378-2019-jiafenxiang", "9.2.1", "40", Decimal("10")),
        ("gbt50378-2019-jiafenxiang", "9.2.1", "49.9", Decimal("10")),
        ("gbt50378-2019-jiafenxiang", "9.2.1", "50", Decimal("15")),
        ("gbt50378-2019-jiafenxiang", "9.2.1", "79.9", Decimal("25")),
        ("gbt50378-2019-jiafenxiang", "9.2.1", "80", Decimal("30")),
        ("gbt50378-2019-jiafenxiang", "9.2.1", "95", Decimal("30")),
        ("data/guangxi-jieshui-danwei", "1.1", "95.9", Decimal("0")),
        ("data/guangxi-jieshui-danwei", "1.1", "96", Decimal("0")),
        ("data/guangxi-jieshui-danwei", "1.1", "96.9", Decimal("0")),
        ("data/guangxi-jieshui-danwei", "1.1", "97", Decimal("2")),
        ("data/guangxi-jieshui-danwei", "1.1", "99", Decimal("6")),
        ("data/guangxi-jieshui-danwei", "1.1", "100", Decimal("8")),
    ],
)
def test_m14_threshold_step_and_cap(name: str, address: str, answer: str, expected: Decimal) -> None:
    """M14. GB/T 50378-2019 9.2.1 "相比现行有关建筑节能标准降低40%得10分，每再降低10%再得5分，最高
    得30分" (gbt50378-2019-jiafenxiang 9.2.1); 广西 节水器具 "低于96%不得分，每高1个百分点得2分，满分
    8分" (data/guangxi-jieshui-danwei 1.1)."""
    card = score(rubric(name), {address: Decimal(answer)})
    assert points(card, address) == expected


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("39.9", "39.9%，低于40%，0分"),
        ("58", "58%：10分 + 1 × 5分 = 15分（最高30分）"),
        ("80", "80%：10分 + 4 × 5分 = 30分（最高30分）"),
        # 10 + 5 × 5 = 35, capped: the explanation must add up, as the counters' "按最高…计" does.
        ("95", "95%：10分 + 5 × 5分 = 35分，按最高30分计"),
    ],
)
def test_m14_reasons(answer: str, why: str) -> None:
    """M14. The reasons of GB/T 50378-2019 9.2.1 below the threshold, on it, and over the cap."""
    card = score(rubric("gbt50378-2019-jiafenxiang"), {"9.2.1": Decimal(answer)})
    assert reason(card, "9.2.1") == why


# --- M15–M20: deductions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "answers", "item", "expected", "why"),
    [
        ("shenzhen-lvse-jiguan-kaoping", {}, "1.1", Decimal("3"), "3分 = 3分；a、b、c 未填写，按无扣分计"),
        (
            "shenzhen-lvse-jiguan-kaoping",
            {"1.1.a": True},
            "1.1",
            Decimal("2"),
            "3分 − 1分（a：无计划扣1分） = 2分；b、c 未填写，按无扣分计",
        ),
        (
            "shenzhen-lvse-jiguan-kaoping",
            {"1.1.a": True, "1.1.b": False, "1.1.c": True},
            "1.1",
            Decimal("1"),
            "3分 − 1分（a：无计划扣1分） − 1分（c：记录不全扣1分） = 1分",
        ),
        (
            "shenzhen-lvse-jiguan-kaoping",
            {"1.1.a": True, "1.1.b": True, "1.1.c": True},
            "1.1",
            Decimal("0"),
            "3分 − 1分（a：无计划扣1分） − 1分（b：无制度扣1分） − 1分（c：记录不全扣1分） = 0分",
        ),
        (
            "shenzhen-lvse-jiguan-kaoping",
            {"1.2.a": True},
            "1.2",
            Decimal("1"),
            "3分 − 2分（a：机构不健全扣2分） = 1分；b 未填写，按无扣分计",
        ),
        (
            "data/yichun-laji-fenlei-kaoping",
            {"1.1.1.b": True},
            "1.1.1",
            Decimal("1"),
            "2分 − 1分（b：未成立管理机构的，扣1分） = 1分；a 未填写，按无扣分计",
        ),
    ],
)
def test_m15_fixed_deductions(name: str, answers: Answers, item: str, expected: Decimal, why: str) -> None:
    """M15. 深圳市绿色机关考评细则 1.1 (3分): "无计划扣1分，无制度扣1分，记录不全扣1分"
    (shenzhen-lvse-jiguan-kaoping 1.1), 1.2 "机构不健全扣2分" (1.2); 宜春 机构运行 row 1
    "未成立领导小组的，扣1分，未成立管理机构的，扣1分" (data/yichun-laji-fenlei-kaoping 1.1.1)."""
    card = score(rubric(name), answers)
    assert points(card, item) == expected
    assert reason(card, item) == why


@pytest.mark.parametrize(
    ("name", "answers", "item", "expected", "why"),
    [
        ("shenzhen-laji-fenlei-lvse-danwei", {"3.3.a": 0}, "3.3", Decimal("5"), "5分 = 5分"),
        ("shenzhen-laji-fenlei-lvse-danwei", {"3.3.a": 4}, "3.3", Decimal("1"), "5分 − 1分 × 4处（a） = 1分"),
        ("shenzhen-laji-fenlei-lvse-danwei", {"3.3.a": 5}, "3.3", Decimal("0"), "5分 − 1分 × 5处（a） = 0分"),
        (
            "shenzhen-laji-fenlei-lvse-danwei",
            {"3.3.a": 6},
            "3.3",
            Decimal("0"),
            "5分 − 1分 × 6处（a） = 0分（扣完为止）",
        ),
        (
            "shenzhen-laji-fenlei-lvse-danwei",
            {"3.1.b": ["玻璃", "金属"]},
            "3.1",
            Decimal("11"),
            "15分 − 2分 × 2类（b：玻璃、金属） = 11分；a 未填写，按无扣分计",
        ),
        ("shenzhen-lvse-jiguan-kaoping", {"1.8.a": 2}, "1.8", Decimal("2"), "4分 − 1分 × 2次（a） = 2分"),
        ("data/yichun-laji-fenlei-kaoping", {"1.2.2.a": 4}, "1.2.2", Decimal("4"), "4分 = 4分"),
        ("data/yichun-laji-fenlei-kaoping", {"1.2.2.a": 6}, "1.2.2", Decimal("4"), "4分 = 4分"),
        (
            "data/yichun-laji-fenlei-kaoping",
            {"1.2.2.a": 3},
            "1.2.2",
            Decimal("3"),
            "4分 − 1分 × 1（a：3次，目标4次） = 3分",
        ),
        (
            "data/yichun-laji-fenlei-kaoping",
            {"1.2.2.a": 0},
            "1.2.2",
            Decimal("0"),
            "4分 − 1分 × 4（a：0次，目标4次） = 0分",
        ),
    ],
)
def test_m16_per_occurrence_deductions(
    name: str, answers: Answers, item: str, expected: Decimal, why: str
) -> None:
    """M16. 深圳垃圾分类绿色单位 分类标志 (5分) "每发现一处…扣1分" (shenzhen-laji-fenlei-lvse-danwei 3.3)
    and 集中投放点 "每缺少一类分类容器扣2分" (3.1.b); 深圳绿色机关 1.8 "少一次扣1分" (1.8.a);
    宜春 例会 "全年不少于4次会议 … 每少一次扣1分", answered with the meetings held
    (data/yichun-laji-fenlei-kaoping 1.2.2)."""
    card = score(rubric(name), answers)
    assert points(card, item) == expected
    assert reason(card, item) == why


@pytest.mark.parametrize(
    ("address", "answer", "expected"),
    [
        ("1.1.a", "0", Decimal("20")),
        ("1.1.a", "4.9", Decimal("20")),
        ("1.1.a", "5", Decimal("18")),
        ("1.1.a", "9.9", Decimal("18")),
        ("1.1.a", "10", Decimal("16")),
        ("1.1.a", "45", Decimal("2")),
        ("1.1.a", "49.9", Decimal("2")),
        ("1.1.a", "50", Decimal("0")),
        ("1.1.a", "60", Decimal("0")),
        ("1.2.a", "0", Decimal("15")),
        ("1.2.a", "0.9", Decimal("15")),
        ("1.2.a", "1", Decimal("14")),
        ("1.2.a", "14", Decimal("1")),
        ("1.2.a", "15", Decimal("0")),
        ("1.2.a", "20", Decimal("0")),
        ("1.3.a", "4.2", Decimal("15")),
        ("1.3.a", "5", Decimal("15")),
        ("1.3.a", "5.9", Decimal("15")),
        ("1.3.a", "6", Decimal("14")),
        ("1.3.a", "19.9", Decimal("1")),
        ("1.3.a", "20", Decimal("0")),
        ("1.3.a", "25", Decimal("0")),
    ],
)
def test_m17_metric_deviation_deductions(address: str, answer: str, expected: Decimal) -> None:
    """M17. 四川省节水型企业评价标准 1 单位产品取新水量 (20): "每高5%扣2分，扣完为止" (1.1.a, % over the
    quota); 2 水重复利用率 (15): "每低1%扣1分，扣完为止" (1.2.a, points below the industry level);
    3 综合漏失率 (15): "≤ 5% → 15", "每高1%扣1分，扣完为止" (1.3.a, the rate). Address
    sichuan-jieshui-qiye 1.1–1.3; whole steps only."""
    card = score(rubric("sichuan-jieshui-qiye"), {address: Decimal(answer)})
    assert points(card, address[:3]) == expected


@pytest.mark.parametrize(
    ("answers", "item", "why"),
    [
        ({"1.1.a": True}, "1.1", "5分 − 5分（a：无工作方案扣5分） = 0分；b、c 未填写，按无扣分计"),
        (
            {"1.1.b": True, "1.1.c": True},
            "1.1",
            "5分 − 3分（b：未落实工作经费扣3分） − 2分（c：无专人负责扣2分） = 0分；a 未填写，按无扣分计",
        ),
        (
            {"1.1.a": True, "1.1.b": True},
            "1.1",
            "5分 − 5分（a：无工作方案扣5分） − 3分（b：未落实工作经费扣3分） = 0分（扣完为止）；"
            "c 未填写，按无扣分计",
        ),
        (
            {"1.1.a": True, "1.1.b": True, "1.1.c": True},
            "1.1",
            "5分 − 5分（a：无工作方案扣5分） − 3分（b：未落实工作经费扣3分） − 2分（c：无专人负责扣2分） "
            "= 0分（扣完为止）",
        ),
        (
            {"1.2.b": 5, "1.2.c": True, "1.2.d": 3},
            "1.2",
            "10分 − 5分（b：台账不完善酌情扣1~5分） − 3分（c：未定期向街道办报送数据扣3分） − 1分 × 3类（d） "
            "= 0分（扣完为止）；a 未填写，按无扣分计",
        ),
    ],
)
def test_m18_floor_at_zero(answers: Answers, item: str, why: str) -> None:
    """M18. 深圳垃圾分类绿色单位 工作方案 (5分): "no plan −5; no funding −3; no dedicated staff −2" —
    "They add up to 10 against a 5-point item, so a floor at 0 is required" (1.1); 管理台账 (10分):
    "酌情扣1~5分", −3, "每少一类垃圾收运记录扣1分" (1.2). Address shenzhen-laji-fenlei-lvse-danwei.
    Exactly 0 is not marked 扣完为止; below 0 is."""
    card = score(rubric("shenzhen-laji-fenlei-lvse-danwei"), answers)
    assert points(card, item) == Decimal("0")
    assert reason(card, item) == why
    assert card.total >= 0


@pytest.mark.parametrize(
    ("address", "answer", "item", "expected"),
    [
        ("1.2.b", 0, "1.2", Decimal("10")),
        ("1.2.b", 1, "1.2", Decimal("9")),
        ("1.2.b", Decimal("2.5"), "1.2", Decimal("7.5")),
        ("1.2.b", 5, "1.2", Decimal("5")),
        ("2.2.b", 3, "2.2", Decimal("7")),
    ],
)
def test_m19_judged_range_deduction(address: str, answer: object, item: str, expected: Decimal) -> None:
    """M19. 深圳垃圾分类绿色单位 管理台账 "台账不完善酌情扣1~5分" (1.2.b) and 人员培训 "培训记录不完善
    酌情扣1~3分" (2.2.b): the assessor's deduction, 0 when nothing is wrong."""
    card = score(rubric("shenzhen-laji-fenlei-lvse-danwei"), {address: answer})
    assert points(card, item) == expected


@pytest.mark.parametrize(
    ("address", "answer", "message"),
    [
        ("1.2.b", Decimal("5.5"), 'answers."1.2.b": expected 0 or a number from 1 to 5, got 5.5'),
        ("1.2.b", Decimal("0.5"), 'answers."1.2.b": expected 0 or a number from 1 to 5, got 0.5'),
        ("1.2.b", -1, 'answers."1.2.b": expected 0 or a number from 1 to 5, got -1'),
        ("2.2.b", 4, 'answers."2.2.b": expected 0 or a number from 1 to 3, got 4'),
    ],
)
def test_m19_out_of_range_is_rejected(address: str, answer: object, message: str) -> None:
    """M19. A deduction outside 酌情扣1~5分 (or 1~3分) is an error naming the address."""
    with pytest.raises(SheetError) as excinfo:
        score(rubric("shenzhen-laji-fenlei-lvse-danwei"), {address: answer})
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("answers", "expected", "why"),
    [
        ({"1.1.2.zero": True, "1.1.2.a": 0}, Decimal("0"), "本项不得分（街道未配备专职人员）"),
        ({"1.1.2.zero": True, "1.1.2.a": 3}, Decimal("0"), "本项不得分（街道未配备专职人员）"),
        ({"1.1.2.zero": False, "1.1.2.a": 3}, Decimal("2.4"), "3分 − 0.2分 × 3人（a） = 2.4分"),
        ({"1.1.2.a": 0}, Decimal("3"), "3分 = 3分"),
    ],
)
def test_m20_zero_override(answers: Answers, expected: Decimal, why: str) -> None:
    """M20. 宜春 机构运行 row 2: "未配备人员的，本项不得分" before "每差1人扣0.2分". Address
    data/yichun-laji-fenlei-kaoping 1.1.2, zeroed at 1.1.2.zero."""
    card = score(rubric("data/yichun-laji-fenlei-kaoping"), answers)
    assert points(card, "1.1.2") == expected
    assert reason(card, "1.1.2") == why
    assert card.unanswered == ("1.1.1.a", "1.1.1.b", "1.1.3.a", "1.1.4", "1.2.1", "1.2.2.a")


# --- M21–M27: applicability, counts and bonuses ---------------------------------------------

# 深圳垃圾分类绿色单位, examples/shenzhen-laji-fenlei-lvse-danwei/lianghao.toml (61 of 70: units
# 11 / 19 / 31, 3.2 = 10), except that the canteen deduction 3.2.a (未设置餐厨垃圾收集容器扣5分) is
# answered true: 3.2 = 5, unit 3 = 13 + 5 + 3 + 5 = 26, total 56.
SZL_ANSWERS: Answers = {
    "1.1.c": True,
    "1.2.b": 2,
    "2.1.b": 5,
    "2.2.b": 1,
    "3.1.b": ["玻璃"],
    "3.2.a": True,
    "3.3.a": 2,
    "3.4.a": 0,
}


def not_applicable(answers: Answers, item: str) -> Answers:
    """*answers* with *item* marked not applicable and its own answers left out, as score() asks."""
    kept = {a: v for a, v in answers.items() if a != item and not a.startswith(item + ".")}
    return {**kept, f"{item}.na": True}


def test_m21_item_applies_only_with_the_attribute() -> None:
    """M21. 临安 "有食堂单位未设置易腐垃圾桶扣4分": a rule that applies only to units with a canteen.
    深圳 餐厨垃圾 (10分) "食堂设置餐厨垃圾收集容器，并与有资质的收运单位签订收运合同" read the same way
    (data/shenzhen-laji-fenlei-shitang 3.2, na_if 单位未设食堂); with na = "full" a unit without a
    canteen loses nothing there, whatever the deductions say."""
    card = score(variant('extends = "shenzhen-laji-fenlei-shitang.toml"\nna = "full"'), SZL_ANSWERS)
    assert points(card, "3.2") == Decimal("5")
    assert card.total == Decimal("56")
    card = score(
        variant('extends = "shenzhen-laji-fenlei-shitang.toml"\nna = "full"'),
        not_applicable(SZL_ANSWERS, "3.2"),
    )
    assert points(card, "3.2") == Decimal("10")
    assert reason(card, "3.2") == "不适用（单位未设食堂）"
    assert card.total == Decimal("61")


CANTEEN_DEDUCTIONS = (
    'extends = "shenzhen-laji-fenlei-lvse-danwei"\n'
    '[[override]]\nat = "3.2.a"\nna_if = "单位未设食堂"\n'
    '[[override]]\nat = "3.2.b"\nna_if = "单位未设食堂"\n'
)


@pytest.mark.parametrize(
    ("answers", "expected", "why"),
    [
        (
            {"3.2.a.na": True, "3.2.b.na": True},
            Decimal("10"),
            "10分 = 10分；a 不适用（单位未设食堂）；b 不适用（单位未设食堂）",
        ),
        (
            {"3.2.a": True, "3.2.a.na": False},
            Decimal("5"),
            "10分 − 5分（a：未设置餐厨垃圾收集容器扣5分） = 5分；b 未填写，按无扣分计",
        ),
        # Unanswered, the condition holds: the deduction applies as written.
        (
            {"3.2.a": True, "3.2.b": True},
            Decimal("0"),
            "10分 − 5分（a：未设置餐厨垃圾收集容器扣5分） − 5分（b：未与有资质的收运单位签订合同扣5分） "
            "= 0分",
        ),
    ],
)
def test_m21_condition_on_a_deduction(answers: Answers, expected: Decimal, why: str) -> None:
    """M21. The 临安 form puts the condition on the deduction: "有食堂单位未设置易腐垃圾桶扣4分". A
    deduction with na_if takes nothing away where it does not apply, and needs no `na` policy
    (the item's points do not change): 深圳 3.2's canteen deductions read so (3.2.a, 3.2.b
    answered at 3.2.a.na, 3.2.b.na), without a decision table and its catch-all row."""
    card = score(variant(CANTEEN_DEDUCTIONS), answers)
    assert points(card, "3.2") == expected
    assert reason(card, "3.2") == why


def test_m21_condition_on_a_part_is_rejected() -> None:
    """M21. A condition on a part of a parts item would make that part's points vanish from an
    item that still declares them: na_if there is an error naming the part."""
    text = 'extends = "gonggong-jigou-laji-fenlei"\n[[override]]\nat = "1.5.a"\nna_if = "单位无下属单位"\n'
    with pytest.raises(RubricError) as excinfo:
        variant(text)
    assert str(excinfo.value) == (
        "part 1.5.a in unit 1 考评项目（标签缺失） (units[0].items[4].parts[0]): "
        "na_if belongs on an item or on a deduction of a deduct, not on a part of one"
    )


@pytest.mark.parametrize(
    ("policy", "answers", "item", "unit3", "total"),
    [
        # Applicable: 3.2 = 10 − 5; unit 3 = 13 + 5 + 3 + 5 = 26; 11 + 19 + 26 = 56.
        ('na = "exclude"', {}, Decimal("5"), Decimal("26"), Decimal("56")),
        # exclude: 3.2 leaves with 0; unit 3 = 13 + 3 + 5 = 21; 11 + 19 + 21 = 51.
        ('na = "exclude"', {"3.2.na": True}, Decimal("0"), Decimal("21"), Decimal("51")),
        # full: 3.2 = 10; unit 3 = 31; 61.
        ('na = "full"', {"3.2.na": True}, Decimal("10"), Decimal("31"), Decimal("61")),
        # rescale: unit 3 = 21 × 35 / (35 − 10) = 29.4 → 29 (0 places); 11 + 19 + 29 = 59.
        ('na = "rescale"\ndigits = 0', {"3.2.na": True}, Decimal("0"), Decimal("29"), Decimal("59")),
        # ... with 1 place: 29.4; 59.4.
        ('na = "rescale"\ndigits = 1', {"3.2.na": True}, Decimal("0"), Decimal("29.4"), Decimal("59.4")),
        # 3.3 with one sign wrong (4): 22 × 35 / 25 = 30.8 → 31 (half up); 11 + 19 + 31 = 61.
        (
            'na = "rescale"\ndigits = 0',
            {"3.2.na": True, "3.3.a": 1},
            Decimal("0"),
            Decimal("31"),
            Decimal("61"),
        ),
    ],
)
def test_m22_not_applicable_policies(
    policy: str, answers: Answers, item: Decimal, unit3: Decimal, total: Decimal
) -> None:
    """M22. 广西 中央空调、锅炉 "无…此项不评分" (normalisation unstated) and GB/T 50378-2014 "Qi =
    actual score × 100 / theoretical maximum of the 参评 (applicable) items". Address
    data/shenzhen-laji-fenlei-shitang 3.2 (10 of unit 3's 35), under each `na` policy."""
    given = {**SZL_ANSWERS, **answers}
    if "3.2.na" in answers:
        given = not_applicable(given, "3.2")
    card = score(variant(f'extends = "shenzhen-laji-fenlei-shitang.toml"\n{policy}'), given)
    assert points(card, "3.2") == item
    assert card.items["3.2"].applicable == ("3.2.na" not in answers)
    assert [u.points for u in card.units] == [Decimal("11"), Decimal("19"), unit3]
    assert card.total == total
    assert card.max == Decimal("70")


@pytest.mark.parametrize(
    ("name", "answers", "item", "expected", "why"),
    [
        ("gonggong-jigou-laji-fenlei", {"1.9": 0}, "1.9", Decimal("0"), "0次（不少于1次）不足，0分"),
        ("gonggong-jigou-laji-fenlei", {"1.9": 1}, "1.9", Decimal("5"), "1次（不少于1次）得5分"),
        ("gonggong-jigou-laji-fenlei", {"1.9": 3}, "1.9", Decimal("5"), "3次（不少于1次）得5分"),
        (
            "shenzhen-laji-fenlei-lvse-danwei",
            {"2.1.b": 2},
            "2.1",
            Decimal("5"),
            "10分 − 5分（b：2，少于3；少于三处扣5分） = 5分；a 未填写，按无扣分计",
        ),
        (
            "shenzhen-laji-fenlei-lvse-danwei",
            {"2.1.b": 3},
            "2.1",
            Decimal("10"),
            "10分 = 10分；a 未填写，按无扣分计",
        ),
        (
            "shenzhen-laji-fenlei-lvse-danwei",
            {"2.1.a": True, "2.1.b": 0},
            "2.1",
            Decimal("0"),
            "10分 − 10分（a：无宣传资料扣10分） − 5分（b：0，少于3；少于三处扣5分） = 0分（扣完为止）",
        ),
    ],
)
def test_m23_count_thresholds(name: str, answers: Answers, item: str, expected: Decimal, why: str) -> None:
    """M23. 777doc row 9 "年内至少组织一次垃圾分类培训、知识竞赛或志愿服务活动，得5分"
    (gonggong-jigou-laji-fenlei 1.9, at_least 1); 深圳 静态宣传 "少于三处扣5分"
    (shenzhen-laji-fenlei-lvse-danwei 2.1.b, a deduction below 3)."""
    card = score(rubric(name), answers)
    assert points(card, item) == expected
    assert reason(card, item) == why


@pytest.mark.parametrize(
    ("documents", "meetings", "expected", "why"),
    [
        (["工作计划"], 3, Decimal("4"), "a 1分 + b 3分 = 4分"),
        (["工作计划", "工作总结", "检查情况材料"], 0, Decimal("3"), "a 3分 + b 0分 = 3分"),
        (["工作计划", "工作总结", "检查情况材料"], 2, Decimal("5"), "a 3分 + b 2分 = 5分"),
        (["工作计划", "工作总结"], 4, Decimal("5"), "a 2分 + b 4分 = 6分，按最高5分计"),
        ([], 6, Decimal("5"), "a 0分 + b 5分 = 5分"),
    ],
)
def test_m24_mixed_counting_under_one_cap(
    documents: list[str], meetings: int, expected: Decimal, why: str
) -> None:
    """M24. 777doc row 3: "有工作计划、工作总结和检查情况材料的每项1分，每次会议1分，共5分".
    Address gonggong-jigou-laji-fenlei 1.3 (documents 1.3.a, meetings 1.3.b)."""
    card = score(rubric("gonggong-jigou-laji-fenlei"), {"1.3.a": documents, "1.3.b": meetings})
    assert points(card, "1.3") == expected
    assert reason(card, "1.3") == why


@pytest.mark.parametrize(
    ("contracts", "onsite", "expected"),
    [
        (["有害垃圾", "可回收物", "餐厨垃圾"], True, Decimal("14")),
        (["有害垃圾", "可回收物", "餐厨垃圾"], False, Decimal("9")),
        (["有害垃圾", "可回收物"], True, Decimal("11")),
        ([], True, Decimal("5")),
    ],
)
def test_m25_stacking_bonus(contracts: list[str], onsite: bool, expected: Decimal) -> None:
    """M25. 777doc row 13 (14分): "签订有害垃圾、可回收物、餐厨垃圾收运合同，每项得3分，餐厨垃圾就地化
    处理的，得5分" — 14 only if the 5 stacks on the three contracts (3 + 3 + 3 + 5). Address
    gonggong-jigou-laji-fenlei 1.13."""
    card = score(rubric("gonggong-jigou-laji-fenlei"), {"1.13.a": contracts, "1.13.b": onsite})
    assert points(card, "1.13") == expected
    assert card.items["1.13"].max == Decimal("14")


@pytest.mark.parametrize(
    ("answers", "expected", "why"),
    [({"1.2": True}, Decimal("2"), "符合，得2分"), ({"1.2": False}, Decimal("0"), "不符合，0分")],
)
def test_m26_negative_condition(answers: Answers, expected: Decimal, why: str) -> None:
    """M26. 广西 节水型单位 "两年内未受到浪费水处罚得2分": points for the absence of an event, answered
    true when there was no penalty. Address data/guangxi-jieshui-danwei 1.2."""
    card = score(rubric("data/guangxi-jieshui-danwei"), answers)
    assert points(card, "1.2") == expected
    assert reason(card, "1.2") == why


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("100", Decimal("40")),
        ("109.9", Decimal("40")),
        ("110", Decimal("43")),
        ("129.9", Decimal("46")),
        ("130", Decimal("49")),
        ("200", Decimal("49")),
    ],
)
def test_m27_over_achievement_bonus(rate: str, expected: Decimal) -> None:
    """M27. 节能目标责任 county table 1.1 (40分): "每超额完成10%加3分，最多加9分" — the item reaches 49
    of its declared 40. Address jieneng-mubiao-zeren-county 1.1 (ladder 1.1.a + bonus 1.1.b)."""
    card = score(rubric("jieneng-mubiao-zeren-county"), {"1.1.a": Decimal(rate), "1.1.b": Decimal(rate)})
    assert points(card, "1.1") == expected
    assert card.items["1.1"].max == Decimal("40")


def test_m27_total_exceeds_the_declared_total() -> None:
    """M27. "declared 100, reachable 109 via the over-achievement bonus": every item at its maximum
    and a completion rate of 130% give 40 + 9 + 60 = 109 of a declared 100."""
    of = rubric("jieneng-mubiao-zeren-county")
    card = score(of, top_answers(of, **{"1_1_a": 130, "1_1_b": 130, "2_7_c": 100}))
    assert points(card, "1.1") == Decimal("49")
    assert reason(card, "1.1") == "a 40分 + b 9分 = 49分"
    assert card.total == Decimal("109")
    assert card.max == Decimal("100")
    assert card.level == "超额完成"


# --- M28–M37: gates, bonus units, levels and aggregation ------------------------------------


def test_m28_required_gate_carries_points() -> None:
    """M28. DY 1 强化目标管理 (5分): "【必须完成项】" — a gate that also carries 5 points. Address
    data/dyrmt-jieyuexing-jiguan 1.1.1. No pass rule was recovered, and unit 2 only in part (15 of
    its published 25), so no sheet passes; the gate still fails where 1.1.1 is not met."""
    of = rubric("data/dyrmt-jieyuexing-jiguan")
    met = score(of, top_answers(of))
    assert points(met, "1.1.1") == Decimal("5")
    assert met.total == Decimal("20")
    assert met.failed_gates == ()
    assert not met.passed
    assert met.verdict == "转录不完整，不作认定：单元2录入15分（原标准25分）"
    failed = score(of, {**top_answers(of), "1.1.1": False})
    assert points(failed, "1.1.1") == Decimal("0")
    assert failed.total == Decimal("15")
    assert not failed.passed
    assert failed.failed_gates == (
        GateResult("required", "1.1.1", "条目 1.1.1 得0分，未达到5分（必须完成项，未完成不予认定）"),
    )


def test_m28_required_gate_withholds_the_level_at_otherwise_full_points() -> None:
    """M28. District 1.1.1 (9分) read as the template's 必须完成项 (data/district-bixu): missing one
    indicator (1.1.1.c) leaves 97 ≥ 80, but no 节约型机关."""
    of = rubric("data/district-bixu")
    full = score(of, top_answers(of))
    assert (full.total, full.level) == (Decimal("100"), "节约型机关")
    card = score(of, {**top_answers(of), "1.1.1.c": False})
    assert card.total == Decimal("97")
    assert card.level is None
    assert not card.passed
    assert card.failed_gates == (
        GateResult("required", "1.1.1", "条目 1.1.1 得6分，未达到9分（必须完成项，未完成不予认定）"),
    )


@pytest.mark.parametrize(
    ("rate", "item", "total", "level"),
    [
        ("99.9", Decimal("36"), Decimal("96"), None),
        ("100", Decimal("40"), Decimal("100"), "超额完成"),
    ],
)
def test_m29_veto(rate: str, item: Decimal, total: Decimal, level: str | None) -> None:
    """M29. County table 1.1: "本指标为否决性指标，只要未达到年度计划确定的目标值即为未完成等级".
    Address jieneng-mubiao-zeren-county 1.1 (gate_min 40). At 99.9% the total is 36 + 60 = 96, which
    would be 超额完成 (≥ 95), but the veto withholds every level."""
    of = rubric("jieneng-mubiao-zeren-county")
    card = score(of, top_answers(of, **{"1_1_a": Decimal(rate), "1_1_b": Decimal(rate), "2_7_c": 100}))
    assert points(card, "1.1") == item
    assert card.total == total
    assert card.level == level
    if level is None:
        assert card.failed_gates == (
            GateResult("veto", "1.1", "条目 1.1 得36分，未达到40分（否决性指标，未达到即为最低等级）"),
        )


def g110_answers(first: str, second: str) -> Answers:
    """Full G110 answers with 1.1.1 and 1.1.2 at *first* and *second* × the average."""
    of = rubric("data/jieyuexing-gonggong-jigou-shifan-110")
    low = {"value": Decimal("80"), "ref": Decimal("100")}
    return top_answers(
        of,
        **{
            "1_1_1": {"value": Decimal(first) * 100, "ref": Decimal("100")},
            "1_1_2": {"value": Decimal(second) * 100, "ref": Decimal("100")},
            "1_2_1_b": low,
        },
    )


@pytest.mark.parametrize(
    ("first", "second", "project", "total", "level"),
    [
        ("1.3", "1.3", Decimal("0"), Decimal("96"), None),
        ("1.2", "1.3", Decimal("4"), Decimal("100"), "节约型公共机构示范单位"),
        ("0.9", "0.9", Decimal("14"), Decimal("110"), "节约型公共机构示范单位"),
    ],
)
def test_m30_star_project_must_not_score_zero(
    first: str, second: str, project: Decimal, total: Decimal, level: str | None
) -> None:
    """M30. G110 说明: "任一加'★'的评价项目总分不得为0分". Project 1.1 用能量指标 of
    data/jieyuexing-gonggong-jigou-shifan-110 (★ assumed: the ★ list was not recovered). Both
    sub-metrics above 1.2 × 平均值 score 0: 110 − 14 = 96 ≥ 85, yet no level; one at 1.2× keeps 4."""
    card = score(rubric("data/jieyuexing-gonggong-jigou-shifan-110"), g110_answers(first, second))
    assert {p.address: p.points for p in card.projects}["1.1"] == project
    assert card.total == total
    assert card.level == level
    if level is None:
        assert card.failed_gates == (
            GateResult("nonzero", "1.1", "★项目 1.1 用能量指标 得0分（★项目得分不得为0分）"),
        )


@pytest.mark.parametrize(
    ("bonus", "total", "level"),
    [({"8.1": 5, "9.1": 1}, Decimal("40"), "Certified"), ({"8.1": 0, "9.1": 0}, Decimal("34"), None)],
)
def test_m31_bonus_unit_counts_toward_levels(bonus: Answers, total: Decimal, level: str | None) -> None:
    """M31. LEED v4.1: "Base 100 … + bonus 10 (Innovation 6 + Regional Priority 4) = 110", levels
    "Certified 40–49" on the 110 scale. examples/leed-v41-bdc/certified-edge (base 34) reaches 40
    only with 5 Innovation points (8.1) and 1 Regional Priority point (9.1)."""
    answers = {**sheet_answers(EXAMPLES / "leed-v41-bdc" / "certified-edge.toml"), **bonus}
    card = score(rubric("leed-v41-bdc"), answers)
    assert [u.points for u in card.units if u.address in ("8", "9")] == [bonus["8.1"], bonus["9.1"]]
    assert card.total == total
    assert card.level == level


@pytest.mark.parametrize(
    ("extra", "total", "level"),
    [
        ({"6.1": 4}, Decimal("84"), None),
        ({"6.1": 5}, Decimal("85"), "节约型公共机构示范单位"),
        ({"6.1": 10}, Decimal("90"), "节约型公共机构示范单位"),
    ],
)
def test_m31_g110_bonus_unit(extra: Answers, total: Decimal, level: str | None) -> None:
    """M31. G110: "Total 110分 = 基础评价单元 100 + 附加评价单元 10", pass at "≥ 85": a base of 80
    (unit 2 管理制度与实施 at 9 of 29, everything else full) passes with 5 bonus points, not with 4.
    Address data/jieyuexing-gonggong-jigou-shifan-110, bonus unit 6 (6.1)."""
    answers = {**g110_answers("0.9", "0.9"), "2.1": 9, **extra}
    card = score(rubric("data/jieyuexing-gonggong-jigou-shifan-110"), answers)
    assert card.total == total
    assert card.level == level


@pytest.mark.parametrize(
    ("answers", "unit", "total"),
    [
        ("fengding.toml", Decimal("100"), Decimal("50")),
        ("yixiang.toml", Decimal("91"), Decimal("49.1")),
        # 30 + 20 + 8 + 5 + 10 + 15 + 12 = 100: exactly the cap.
        (
            {
                "9.2.1": 80,
                "9.2.2": True,
                "9.2.3": True,
                "9.2.4.b": True,
                "9.2.5.a": True,
                "9.2.6": 3,
                "9.2.7": True,
            },
            Decimal("100"),
            Decimal("50"),
        ),
        # ... and one more point (9.2.9) is capped away.
        (
            {
                "9.2.1": 80,
                "9.2.2": True,
                "9.2.3": True,
                "9.2.4.b": True,
                "9.2.5.a": True,
                "9.2.6": 3,
                "9.2.7": True,
                "9.2.9": 1,
            },
            Decimal("100"),
            Decimal("50"),
        ),
    ],
)
def test_m32_capped_bonus_pool(answers: Answers | str, unit: Decimal, total: Decimal) -> None:
    """M32. GB/T 50378-2019 加分项: "the recovered 加分项 maxima 30+20+8+5+10+15+12+20+20 = 140 …
    above the category's declared 100", capped ("大于100分时应取为100分"). Unit 9 of
    gbt50378-2019-jiafenxiang; total = (400 + QA) / 10 (fengding: 140 → 100 → 50; yixiang: 91 → 49.1)."""
    if isinstance(answers, str):
        answers = sheet_answers(EXAMPLES / "gbt50378-2019-jiafenxiang" / answers)
    card = score(rubric("gbt50378-2019-jiafenxiang"), answers)
    assert [u.points for u in card.units] == [unit]
    assert card.total == total


@pytest.mark.parametrize(
    ("change", "total", "level"),
    [({}, Decimal("80"), "节约型机关"), ({"2.1.3": False}, Decimal("79"), None)],
)
def test_m33_single_pass_threshold(change: Answers, total: Decimal, level: str | None) -> None:
    """M33. District 说明四: "评价总得分80分（含）以上的党政机关，认定为节约型机关". Sheet
    examples/district/at-80 (80) and the same with 2.1.3 (1分) not met (79)."""
    answers = {**sheet_answers(EXAMPLES / "district" / "at-80.toml"), **change}
    card = score(rubric("district"), answers)
    assert card.total == total
    assert card.level == level
    assert card.passed is (level is not None)


# LEED judged credits in the order they are filled to reach a wanted total (all prerequisites met).
LEED_CREDITS = [("2.1.a", 16), ("5.6", 18), ("5.5", 6), ("4.5", 6), ("6.2", 5), ("5.9", 5), ("3.5", 3)]
LEED_CREDITS += [("7.4", 3), ("7.9", 3), ("3.3", 2), ("4.4", 2), ("4.6", 2), ("5.8", 2), ("6.3", 2)]
LEED_CREDITS += [("6.4", 2), ("6.5", 2), ("6.6", 2), ("7.3", 2), ("7.6", 2), ("7.8", 2)]


def leed_answers(total: int) -> Answers:
    """Every LEED prerequisite met and the credits filled, in LEED_CREDITS order, to *total*."""
    out: Answers = {
        a: True for a in ("3.1", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "5.4", "6.1", "7.1", "7.2")
    }
    left = total
    for address, top in LEED_CREDITS:
        take = min(top, left)
        out[address] = take
        left -= take
    assert left == 0
    return out


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (39, None),
        (40, "Certified"),
        (49, "Certified"),
        (50, "Silver"),
        (59, "Silver"),
        (60, "Gold"),
        (79, "Gold"),
        (80, "Platinum"),
    ],
)
def test_m34_several_levels(total: int, level: str | None) -> None:
    """M34. LEED v4.1: "Certified 40–49, Silver 50–59, Gold 60–79, Platinum 80+". Address
    leed-v41-bdc, multi-point credits filled to the wanted total."""
    card = score(rubric("leed-v41-bdc"), leed_answers(total))
    assert card.total == Decimal(total)
    assert card.level == level


def gb_answers(q: tuple[int, int, int, int, int], qa: Answers) -> Answers:
    """GB/T 50378-2019 answers: every 控制项 met, 评分项 Q1–Q5 (4.2 … 8.2), and 加分项 *qa*."""
    out: Answers = {f"{n}.1": True for n in range(4, 9)}
    out.update({f"{n}.2": value for n, value in zip(range(4, 9), q, strict=True)})
    return {**out, **qa}


GB_LEVELS_AS_UNIT_MIN = """\
extends = "gbt50378-2019-quanbu.toml"
levels = [
  { name = "一星级", min = 60, unit_min = { "4" = 30, "5" = 30, "6" = 30, "7" = 60, "8" = 30 } },
  { name = "二星级", min = 70, unit_min = { "4" = 30, "5" = 30, "6" = 30, "7" = 60, "8" = 30 } },
  { name = "三星级", min = 85, unit_min = { "4" = 30, "5" = 30, "6" = 30, "7" = 60, "8" = 30 } },
]
"""


@pytest.mark.parametrize("how", ["unit_share", "unit_min"])
@pytest.mark.parametrize(
    ("q", "qa", "total", "level"),
    [
        # Every category at exactly 30%: (400 + 180 + 20) / 10 = 60.
        ((30, 30, 30, 60, 30), {"9.2.2": True}, Decimal("60"), "一星级"),
        # 资源节约 at 59 of 200 (< 60): (400 + 179 + 21) / 10 = 60, no star.
        ((30, 30, 30, 59, 30), {"9.2.2": True, "9.2.9": 1}, Decimal("60"), None),
        # 安全耐久 at 29 of 100: (400 + 529) / 10 = 92.9, no star.
        ((29, 100, 100, 200, 100), {}, Decimal("92.9"), None),
        ((30, 100, 100, 200, 100), {}, Decimal("93"), "三星级"),
    ],
)
def test_m35_per_category_minimum(
    how: str, q: tuple[int, int, int, int, int], qa: Answers, total: Decimal, level: str | None
) -> None:
    """M35. GB/T 50378-2019: "each category's 评分项 score ≥ 30% of its 评分项满分值" for every star.
    data/gbt50378-2019-quanbu (categories 4–8, maxima 100/100/100/200/100), written with
    unit_share = 0.3 and, equivalently, with unit_min = 30 / 60."""
    of = rubric("data/gbt50378-2019-quanbu") if how == "unit_share" else variant(GB_LEVELS_AS_UNIT_MIN)
    card = score(of, gb_answers(q, qa))
    assert card.total == total
    assert card.level == level


def test_m36_gbt50378_worked_example() -> None:
    """M36. GB/T 50378-2019 Q = (Q0 + Q1 + Q2 + Q3 + Q4 + Q5 + QA) / 10, worked example
    "400 + 63 + 60 + 75 + 73 + 72 + 62 = 805, /10 = 80.5 → 二星级". Address data/gbt50378-2019-quanbu:
    Q1–Q5 at 4.2 … 8.2; QA = 62 from 9.2.1 (降低80%: 10 + 4 × 5 = 30) + 9.2.2 (20) + 9.2.7 (12)."""
    card = score(
        rubric("data/gbt50378-2019-quanbu"),
        gb_answers((63, 60, 75, 73, 72), {"9.2.1": 80, "9.2.2": True, "9.2.7": True}),
    )
    assert {u.address: u.points for u in card.units} == {
        "9": Decimal("62"),
        "4": Decimal("63"),
        "5": Decimal("60"),
        "6": Decimal("75"),
        "7": Decimal("73"),
        "8": Decimal("72"),
    }
    assert card.total == Decimal("80.5")
    assert card.level == "二星级"


def test_m37_whole_evaluation_zero_gate() -> None:
    """M37. 行业场所生活垃圾分类评价标准: "场所内未开展垃圾分类…该场所为0分计算". Added to the district
    standard as check 4.2.4 (data/district-zero-gate): failing it scores the whole evaluation 0."""
    of = rubric("data/district-zero-gate")
    met = score(of, top_answers(of))
    assert (met.total, met.level) == (Decimal("100"), "节约型机关")
    card = score(of, {**top_answers(of), "4.2.4": False})
    assert card.total == Decimal("0")
    assert card.level is None
    assert [(g.kind, g.address) for g in card.failed_gates] == [("zero", "4.2.4")]


# --- M38–M39 --------------------------------------------------------------------------------


def test_m38_several_scorer_columns() -> None:
    """M38. 四川省节水型企业评价标准 columns "标准分 | 自查分 | 实得分": one rubric, two sheets of the
    same enterprise, stage self (examples/sichuan-jieshui-qiye/zicha, 77) and verified (shide, 59).
    自查 18 / 13 / 15 / 15 / 8 / 8; 实得 12 / 11 / 13 / 12 / 4 / 7."""
    of = rubric("sichuan-jieshui-qiye")
    mine = score(of, load_sheet(EXAMPLES / "sichuan-jieshui-qiye" / "zicha.toml"))
    theirs = score(of, load_sheet(EXAMPLES / "sichuan-jieshui-qiye" / "shide.toml"))
    assert mine.sheet is not None
    assert theirs.sheet is not None
    assert (mine.sheet.info.stage, theirs.sheet.info.stage) == ("self", "verified")
    assert (mine.total, theirs.total) == (Decimal("77"), Decimal("59"))
    expected = {
        "1.1": (Decimal("18"), Decimal("12")),
        "1.2": (Decimal("13"), Decimal("11")),
        "1.3": (Decimal("15"), Decimal("13")),
        "1.4": (Decimal("15"), Decimal("12")),
        "1.5": (Decimal("8"), Decimal("4")),
        "1.6": (Decimal("8"), Decimal("7")),
    }
    assert {a: (mine.items[a].points, theirs.items[a].points) for a in mine.items} == expected
    compared = diff(mine, theirs)
    assert compared.difference == Decimal("-18")
    assert [(i.address, i.self_points, i.verified_points, i.difference) for i in compared.items] == [
        (a, s, v, v - s) for a, (s, v) in expected.items()
    ]


@pytest.mark.parametrize(
    ("answer", "expected", "why"),
    [
        (0, Decimal("0"), "评定0分（0~3分）"),
        (Decimal("2.5"), Decimal("2.5"), "评定2.5分（0~3分）"),
        (3, Decimal("3"), "评定3分（0~3分）"),
    ],
)
def test_m39_under_specified(answer: object, expected: Decimal, why: str) -> None:
    """M39. 深圳市绿色机关考评细则 1.7 "Staff show sustainability awareness", 3 points, method
    "问卷测试", "(rule not stated)": a judged item of 0–3. Address shenzhen-lvse-jiguan-kaoping 1.7."""
    card = score(rubric("shenzhen-lvse-jiguan-kaoping"), {"1.7": answer})
    assert points(card, "1.7") == expected
    assert reason(card, "1.7") == why


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Decimal("3.5"), 'answers."1.7": expected 0 or a number from 0 to 3, got 3.5'),
        (Decimal("-0.5"), 'answers."1.7": expected 0 or a number from 0 to 3, got -0.5'),
        (True, 'answers."1.7": expected a number, got a boolean (true)'),
    ],
)
def test_m39_out_of_range_is_rejected(answer: object, message: str) -> None:
    """M39. A judged answer outside 0–3 (or not a number) is an error naming the address 1.7."""
    with pytest.raises(SheetError) as excinfo:
        score(rubric("shenzhen-lvse-jiguan-kaoping"), {"1.7": answer})
    assert str(excinfo.value) == message


# --- a failed gate reaches no level, per gate kind ------------------------------------------


def _gate_case(kind: str) -> tuple[Rubric, Answers, Answers]:
    """A rubric, answers at full points, and the change that fails its gate of *kind*."""
    if kind == "required":
        of = rubric("data/district-bixu")
        return of, top_answers(of), {"1.1.1.c": False}
    if kind == "veto":
        of = rubric("jieneng-mubiao-zeren-county")
        full = top_answers(of, **{"1_1_a": 100, "1_1_b": 100, "2_7_c": 100})
        return of, full, {"1.1.a": Decimal("99.9"), "1.1.b": Decimal("99.9")}
    if kind == "zero":
        of = rubric("data/district-zero-gate")
        return of, top_answers(of), {"4.2.4": False}
    if kind == "nonzero":
        return (
            rubric("data/jieyuexing-gonggong-jigou-shifan-110"),
            g110_answers("0.9", "0.9"),
            {k: v for k, v in g110_answers("1.3", "1.3").items() if k.startswith("1.1.")},
        )
    of = rubric("leed-v41-bdc")
    return of, top_answers(of), {"7.2": False}


@pytest.mark.parametrize(
    ("kind", "address", "full", "level", "failed"),
    [
        ("required", "1.1.1", Decimal("100"), "节约型机关", Decimal("97")),
        ("veto", "1.1", Decimal("100"), "超额完成", Decimal("96")),
        ("zero", "4.2.4", Decimal("100"), "节约型机关", Decimal("0")),
        ("nonzero", "1.1", Decimal("110"), "节约型公共机构示范单位", Decimal("96")),
        ("check", "7.2", Decimal("110"), "Platinum", Decimal("110")),
    ],
)
def test_failed_gate_reaches_no_level(
    kind: str, address: str, full: Decimal, level: str, failed: Decimal
) -> None:
    """Issue requirement 2: a failed gate reaches no level even at otherwise full points — 必须完成项
    (district 1.1.1 as in the template), 否决性指标 (county 1.1), the whole-evaluation zero gate
    (行业场所, district 4.2.4), ★ (G110 1.1) and a prerequisite check (LEED 7.2 Environmental
    Tobacco Smoke Control)."""
    of, answers, change = _gate_case(kind)
    top = score(of, answers)
    assert (top.total, top.level, top.failed_gates) == (full, level, ())
    card = score(of, {**answers, **change})
    assert card.total == failed
    assert card.level is None
    assert not card.passed
    assert [(g.kind, g.address) for g in card.failed_gates] == [
        ("required" if kind == "check" else kind, address)
    ]
