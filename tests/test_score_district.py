"""Golden tests on rubrics/district.toml: every figure below is worked out by hand from the seed
standard (XX区节约型机关评价标准, 附件), not read back from the engine.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from conserv_rubric import Rubric, Sheet, load_rubric, load_sheet, score

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "district"


def _seq(prefix: str, count: int, letters: bool = False) -> list[str]:
    return [f"{prefix}.{'abcd'[i] if letters else i + 1}" for i in range(count)]


# Addresses as the seed numbers them (DESIGN §2): 5 units, 12 projects, 37 items, 44 leaves.
FLAGS = [
    *_seq("1.1.1", 3, letters=True),
    *_seq("2.1", 4),
    *_seq("2.2.1", 2, letters=True),
    "2.2.3",
    *_seq("2.2.4", 2, letters=True),
    *_seq("2.2.5", 4, letters=True),
    *_seq("3.1", 5),
    *_seq("3.2", 2),
    *_seq("3.3", 2),
    *_seq("3.4", 2),
    *_seq("4.1", 4),
    *_seq("4.2", 3),
    *_seq("4.3", 4),
    "5.2.1",
]
COUNTERS = {"2.2.2": 5, "5.1.1": 2, "5.1.2": 4, "5.1.3": 2, "5.2.2": 2}  # counts that reach each cap
LEAVES = [
    *_seq("1.1.1", 3, letters=True),
    *_seq("2.1", 4),
    *_seq("2.2.1", 2, letters=True),
    "2.2.2",
    "2.2.3",
    *_seq("2.2.4", 2, letters=True),
    *_seq("2.2.5", 4, letters=True),
    *_seq("3.1", 5),
    *_seq("3.2", 2),
    *_seq("3.3", 2),
    *_seq("3.4", 2),
    *_seq("4.1", 4),
    *_seq("4.2", 3),
    *_seq("4.3", 4),
    *_seq("5.1", 3),
    *_seq("5.2", 2),
]
ITEMS = [
    "1.1.1",
    *_seq("2.1", 4),
    *_seq("2.2", 5),
    *_seq("3.1", 5),
    *_seq("3.2", 2),
    *_seq("3.3", 2),
    *_seq("3.4", 2),
    *_seq("4.1", 4),
    *_seq("4.2", 3),
    *_seq("4.3", 4),
    *_seq("5.1", 3),
    *_seq("5.2", 2),
]
UNIT_MAX = [9, 27, 25, 22, 17]
PROJECT_MAX = {
    "1.1": 9,
    "2.1": 5,
    "2.2": 22,
    "3.1": 9,
    "3.2": 6,
    "3.3": 6,
    "3.4": 4,
    "4.1": 8,
    "4.2": 6,
    "4.3": 8,
    "5.1": 10,
    "5.2": 7,
}


@pytest.fixture(scope="module")
def district() -> Rubric:
    return load_rubric(ROOT / "rubrics" / "district.toml")


def _all_met() -> dict[str, Any]:
    return {**dict.fromkeys(FLAGS, True), **COUNTERS}


def test_the_address_lists_are_complete() -> None:
    assert len(LEAVES) == 44
    assert sorted(LEAVES) == sorted([*FLAGS, *COUNTERS])
    assert len(ITEMS) == 37
    assert sum(PROJECT_MAX.values()) == sum(UNIT_MAX) == 100


def test_all_met_scores_100(district: Rubric) -> None:
    card = score(district, _all_met())
    assert card.total == Decimal(100)
    assert card.max == Decimal(100)
    assert card.level == "节约型机关"
    assert card.passed
    assert card.unanswered == ()
    assert [u.points for u in card.units] == UNIT_MAX
    assert {p.address: p.points for p in card.projects} == PROJECT_MAX
    assert list(card.items) == ITEMS
    assert all(r.points == r.max for r in card.items.values())


def test_nothing_answered_scores_0_and_lists_every_leaf(district: Rubric) -> None:
    card = score(district, {})
    assert card.total == Decimal(0)
    assert card.level is None
    assert not card.passed
    assert card.unanswered == tuple(LEAVES)
    assert len(card.unanswered) == 44
    assert [(u.points, u.max) for u in card.units] == [(Decimal(0), Decimal(m)) for m in UNIT_MAX]
    assert [r.points for r in card.items.values()] == [0] * 37
    assert card.without_evidence == ()


@pytest.mark.parametrize(
    ("name", "total", "level", "units"),
    [
        ("pass.toml", 92, "节约型机关", [6, 25, 22, 22, 17]),
        ("fail.toml", 64, None, [6, 13, 17, 16, 12]),
        ("at-80.toml", 80, "节约型机关", [9, 19, 20, 18, 14]),
    ],
)
def test_example_sheets_score_their_hand_totals(
    district: Rubric, name: str, total: int, level: str | None, units: list[int]
) -> None:
    sheet = load_sheet(EXAMPLES / name)
    assert (sheet.info.year, sheet.info.stage) == (2024, "self")
    assert sheet.agency.startswith("XX区")
    card = score(district, sheet)
    assert card.total == Decimal(total)
    assert card.level == level
    assert card.passed is (level is not None)
    assert [u.points for u in card.units] == units
    assert sum(r.points for r in card.items.values()) == card.total


def test_the_pass_example_in_detail(district: Rubric) -> None:
    card = score(district, load_sheet(EXAMPLES / "pass.toml"))
    assert {p.address: int(p.points) for p in card.projects} == {
        "1.1": 6,
        "2.1": 5,
        "2.2": 20,
        "3.1": 9,
        "3.2": 3,
        "3.3": 6,
        "3.4": 4,
        "4.1": 8,
        "4.2": 6,
        "4.3": 8,
        "5.1": 10,
        "5.2": 7,
    }
    assert card.unanswered == ()
    reasons = {a: card.items[a].reason for a in ("1.1.1", "2.2.2", "2.2.5", "3.2.2", "5.1.2")}
    assert reasons == {
        "1.1.1": "a 3分 + b 3分 + c 0分 = 6分",
        "2.2.2": "4项（能源资源消费统计、节能、节水、公务用车管理） × 1分 = 4分（最高5分）",
        "2.2.5": "a 2分 + b 1分 + c 1分 + d 0分 = 4分",
        "3.2.2": "不符合，0分",
        "5.1.2": "6类（设备节电、随手关灯、节约用水、减少使用电梯、空调温度设定、垃圾分类投放）"
        " × 1分 = 6分，按最高4分计",
    }


def test_the_fail_example_lists_its_unanswered_leaves(district: Rubric) -> None:
    card = score(district, load_sheet(EXAMPLES / "fail.toml"))
    assert card.unanswered == ("3.1.2", "3.3.2")
    assert card.items["3.1.2"].reason == "未填写，0分"
    assert [(p.address, p.points) for p in card.projects if p.address in ("3.1", "3.3")] == [
        ("3.1", Decimal(7)),
        ("3.3", Decimal(3)),
    ]


def _at_80(**changes: Any) -> Sheet:
    sheet = load_sheet(EXAMPLES / "at-80.toml")
    return attrs.evolve(sheet, answers={**sheet.answers, **changes})


def test_at_80_passes_with_exactly_80(district: Rubric) -> None:
    card = score(district, _at_80())
    assert (card.total, card.level, card.passed) == (Decimal(80), "节约型机关", True)


@pytest.mark.parametrize(
    "change",
    [
        {"2.1.1": False},
        {"2.1.3": False},
        {"2.1.4": False},
        {"3.1.3": False},
        {"2.2.5.b": False},
        {"2.2.5.c": False},
        {"5.1.3": 1},
        {"2.2.2": ["定额管理", "节能"]},
    ],
    ids=str,
)
def test_one_point_below_80_fails(district: Rubric, change: dict[str, Any]) -> None:
    card = score(district, _at_80(**change))
    assert card.total == Decimal(79)
    assert card.level is None
    assert not card.passed


def test_one_point_below_80_by_leaving_a_flag_out(district: Rubric) -> None:
    sheet = load_sheet(EXAMPLES / "at-80.toml")
    answers = {a: v for a, v in sheet.answers.items() if a != "2.1.3"}
    card = score(district, attrs.evolve(sheet, answers=answers))
    assert (card.total, card.level) == (Decimal(79), None)
    assert card.unanswered == ("2.1.3",)


@pytest.mark.parametrize(
    ("address", "answer", "points", "reason"),
    [
        ("2.2.2", 7, 5, "7项 × 1分 = 7分，按最高5分计"),
        ("2.2.2", 5, 5, "5项 × 1分 = 5分（最高5分）"),
        ("2.2.2", 3, 3, "3项 × 1分 = 3分（最高5分）"),
        ("5.2.2", 9, 4, "9次 × 2分 = 18分，按最高4分计"),
        ("5.2.2", 1, 2, "1次 × 2分 = 2分（最高4分）"),
        ("5.1.3", 0, 0, "0次 × 1分 = 0分（最高2分）"),
        ("5.1.3", 3, 2, "3次 × 1分 = 3分，按最高2分计"),
        ("5.1.2", ["设备节电", "随手关灯"], 2, "2类（设备节电、随手关灯） × 1分 = 2分（最高4分）"),
        (
            "5.1.1",
            ["全国节能宣传周", "全国低碳日", "世界水日"],
            4,
            "3项（全国节能宣传周、全国低碳日、世界水日） × 2分 = 6分，按最高4分计",
        ),
        # 2.2.2's list ends with 等 (open), so a system the standard does not name counts too.
        ("2.2.2", ["节能", "公务用车管理"], 2, "2项（节能、公务用车管理） × 1分 = 2分（最高5分）"),
    ],
)
def test_counters_score_up_to_their_caps(
    district: Rubric, address: str, answer: object, points: int, reason: str
) -> None:
    card = score(district, {address: answer})
    result = card.items[address]
    assert (result.points, result.reason) == (Decimal(points), reason)
    assert card.total == Decimal(points)


def test_an_unanswered_counter_says_so(district: Rubric) -> None:
    card = score(district, {})
    assert card.items["2.2.2"].reason == "未填写，0分"
    assert card.items["2.2.2"].unanswered == ("2.2.2",)


@pytest.mark.parametrize(
    ("answers", "address", "points", "reason", "unanswered"),
    [
        (
            {"2.2.5.a": True, "2.2.5.b": False, "2.2.5.c": True, "2.2.5.d": False},
            "2.2.5",
            3,
            "a 2分 + b 0分 + c 1分 + d 0分 = 3分",
            (),
        ),
        ({"2.2.4.a": True}, "2.2.4", 3, "a 3分 + b 0分 = 3分", ("2.2.4.b",)),
        ({"2.2.1.b": True}, "2.2.1", 2, "a 0分 + b 2分 = 2分", ("2.2.1.a",)),
        (
            {"1.1.1.a": True, "1.1.1.b": True, "1.1.1.c": True},
            "1.1.1",
            9,
            "a 3分 + b 3分 + c 3分 = 9分",
            (),
        ),
    ],
)
def test_parts_score_only_their_met_parts(
    district: Rubric,
    answers: dict[str, Any],
    address: str,
    points: int,
    reason: str,
    unanswered: tuple[str, ...],
) -> None:
    card = score(district, answers)
    result = card.items[address]
    assert (result.points, result.reason, result.unanswered) == (Decimal(points), reason, unanswered)
    assert card.total == Decimal(points)


@pytest.mark.parametrize(
    ("answer", "points", "reason"),
    [(True, 2, "符合，得2分"), (False, 0, "不符合，0分"), (None, 0, "未填写，0分")],
)
def test_flag_reasons(district: Rubric, answer: bool | None, points: int, reason: str) -> None:
    answers = {} if answer is None else {"2.1.2": answer}
    result = score(district, answers).items["2.1.2"]
    assert (result.points, result.max, result.reason) == (Decimal(points), Decimal(2), reason)
    assert (result.unit, result.project) == ("2", "2.1")
    assert result.text == "明确节约能源资源工作的管理机构和工作职责，得2分。"


def test_evidence_cited_at_a_part_is_shown_on_its_item(district: Rubric) -> None:
    card = score(district, load_sheet(EXAMPLES / "pass.toml"))
    assert card.items["1.1.1"].evidence == ("《2023年度XX区公共机构能源资源消费统计报表》",)
    assert card.items["2.1.2"].evidence == ()


def test_evidence_cited_at_a_one_leaf_item_is_shown_once(district: Rubric) -> None:
    card = score(district, load_sheet(EXAMPLES / "pass.toml"))
    assert card.items["5.1.1"].evidence == (
        "2024年全国节能宣传周活动照片及简报",
        "2024年世界水日宣传活动简报",
    )
    assert card.items["2.1.1"].evidence == ("《关于成立XX区发展和改革局节约型机关创建工作领导小组的通知》",)
    assert len(card.items["2.2.2"].evidence) == 4


def test_without_evidence_lists_scoring_items_that_cite_nothing(district: Rubric) -> None:
    card = score(district, load_sheet(EXAMPLES / "pass.toml"))
    cited = {"1.1.1", "2.1.1", "2.2.2", "5.1.1"}
    scored_nothing = {"3.2.2"}
    assert card.without_evidence == tuple(a for a in ITEMS if a not in cited | scored_nothing)


def test_a_dict_and_a_sheet_score_alike(district: Rubric) -> None:
    sheet = load_sheet(EXAMPLES / "fail.toml")
    from_dict = score(district, dict(sheet.answers))
    from_sheet = score(district, sheet)
    assert from_dict.total == from_sheet.total == Decimal(64)
    assert from_dict.sheet is None
    assert from_sheet.sheet is sheet
