"""The mechanisms real standards use that once needed a workaround (issue #12), each written as
the standard says it.

Each test quotes the standard's wording. Five of the standards are not in this repository; their
wording is quoted in the issue, and the rubrics here transcribe only the quoted line. The others
are the 临安 and 广西 lines of MECHANISMS.md and the partial transcriptions in
tests/data/mechanisms/. Every expected figure is worked out by hand from the quoted text.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conserv_rubric import (
    GateResult,
    Rubric,
    RubricError,
    ScoreCard,
    Sheet,
    SheetError,
    SheetInfo,
    cli,
    load_sheet,
    loads_rubric,
    score,
    validate,
)
from conserv_rubric._fmt import comments, format_file
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric.diffs import diff
from conserv_rubric.gaps import gap
from conserv_rubric.reports import render_cards, render_check, render_gap
from conserv_rubric.templates import template

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "mechanisms"

Answers = dict[str, Any]


def one_item(item: str, *, total: str, head: str = "") -> Rubric:
    """A rubric of one unit holding the TOML *item* (an ``[[units.items]]`` body)."""
    return loads_rubric(
        f'title = "摘录"\ntotal = {total}\n{head}\n[[units]]\ntitle = "u"\npoints = {total}\n\n'
        f"[[units.items]]\n{item}"
    )


def sheet(stage: str, answers: Answers) -> Sheet:
    return Sheet(info=SheetInfo(agency="甲局", stage=stage), answers=answers)


def reason(card: ScoreCard, address: str = "1.1") -> str:
    return card.items[address].reason


# --- 1. a gate on a measured figure, apart from the points ----------------------------------

SATISFACTION = one_item(
    """kind = "bands"
text = "满意率大于85%…计8分，未达到标准60%不能被表彰"
measure = "满意率"
unit = "%"
range = [0, 100]
gate = "required"
gate_figure = { ge = 60 }
consequence = "不能被表彰"
bands = [{ gt = 85, points = 8 }, { le = 85, points = 0 }]
""",
    total="8",
)


@pytest.mark.parametrize(
    ("rate", "points", "gates"),
    [
        ("90", Decimal("8"), ()),
        ("85", Decimal("0"), ()),
        ("60", Decimal("0"), ()),
        (
            "59.9",
            Decimal("0"),
            (GateResult("required", "1.1", "条目 1.1 满意率为59.9%，须不低于60%（不能被表彰）"),),
        ),
    ],
)
def test_a_gate_on_the_measured_rate(rate: str, points: Decimal, gates: tuple[GateResult, ...]) -> None:
    """ "满意率大于85%…计8分，未达到标准60%不能被表彰": 60–85 % and below 60 % both score 0, but only
    below 60 % bars the award, in the standard's own words."""
    card = score(SATISFACTION, {"1.1": Decimal(rate)})
    assert card.items["1.1"].points == points
    assert card.failed_gates == gates
    assert card.passed is (not gates)


def test_an_unanswered_rate_fails_its_gate() -> None:
    card = score(SATISFACTION, {})
    assert card.failed_gates == (
        GateResult("required", "1.1", "条目 1.1 满意率未填写，须不低于60%（不能被表彰）"),
    )


def test_a_rate_outside_its_range_is_refused() -> None:
    """range = [0, 100]: 850 typed for 85 is an error, not a pass."""
    with pytest.raises(SheetError) as excinfo:
        score(SATISFACTION, {"1.1": 850})
    assert str(excinfo.value) == 'answers."1.1": expected a number from 0 to 100, got 850'


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "gate_min = 0\n",
            "item 1.1 in unit 1 u (units[0].items[0]): gate_figure and gate_min: the gate compares "
            "the figure or the points, give one",
        ),
        (
            'gate_figure = { ge = 60, gt = 50 }\ngate = "required"\nkind = "flag"\npoints = 8\n',
            "item 1.1 in unit 1 u (units[0].items[0]): gate_figure needs an item scored from one "
            "number: bands with a number answer, or linear\n"
            "item 1.1 in unit 1 u (units[0].items[0].gate_figure): gate_figure takes gt or ge, not both",
        ),
    ],
)
def test_a_figure_gate_that_cannot_work_is_refused(extra: str, message: str) -> None:
    if extra.startswith("gate_min"):
        item = 'kind = "linear"\nstart = 0\nstep = 1\nper = 1\nmax = 8\n'
        item += 'gate = "veto"\ngate_figure = { ge = 1 }\n'
        text = item + extra
    else:
        text = extra
    with pytest.raises(RubricError) as excinfo:
        one_item(text, total="8")
    assert str(excinfo.value) == message


# --- 2. mutually exclusive deductions --------------------------------------------------------

PLAN_ITEM = """kind = "deduct"
text = "制定年度工作计划：未定计划扣2分，计划不完整扣1分"
points = 4
deductions = [
  { kind = "tiers", text = "未定计划扣2分，计划不完整扣1分", tiers = [
    { name = "未定计划", points = 2 },
    { name = "计划不完整", points = 1 },
  ] },
]
"""


@pytest.mark.parametrize(
    ("answer", "points", "why"),
    [
        ("未定计划", Decimal("2"), "4分 − 2分（a：未定计划） = 2分"),
        ("计划不完整", Decimal("3"), "4分 − 1分（a：计划不完整） = 3分"),
        (None, Decimal("4"), "4分 = 4分；a 未填写，按无扣分计"),
    ],
)
def test_exclusive_deductions_take_one(answer: str | None, points: Decimal, why: str) -> None:
    """ "未定计划扣2分，计划不完整扣1分": a plan is missing or incomplete, not both; one deduction
    is taken (4 − 2 or 4 − 1), never 4 − 2 − 1 = 1."""
    card = score(one_item(PLAN_ITEM, total="4"), {} if answer is None else {"1.1.a": answer})
    assert card.items["1.1"].points == points
    assert reason(card) == why


def test_exclusive_deductions_cannot_both_be_claimed() -> None:
    with pytest.raises(SheetError) as excinfo:
        score(one_item(PLAN_ITEM, total="4"), {"1.1.a": ["未定计划", "计划不完整"]})
    assert str(excinfo.value) == (
        'answers."1.1.a": expected the name of a tier (未定计划、计划不完整), got an array'
    )


# --- 3. items only the verifier may score ----------------------------------------------------

VERIFIER = one_item(
    """kind = "judged"
text = "参加省级培训情况，由省教育厅依据参加情况评分"
range = [0, 5]
verifier_only = true
""",
    total="5",
)


def test_a_self_assessment_is_not_awarded_the_verifiers_item() -> None:
    """ "由省教育厅依据参加情况评分": the agency's own sheet (the rubric's first stage) does not award
    it, even where it is answered; the verifier's does."""
    mine = score(VERIFIER, sheet("self", {"1.1": 5}))
    assert mine.items["1.1"].points == 0
    assert reason(mine) == "仅由核查方评分，自评不计分；所填答案不计"
    assert mine.withheld == ("1.1",)
    assert mine.unanswered == ()
    theirs = score(VERIFIER, sheet("verified", {"1.1": 4}))
    assert theirs.items["1.1"].points == 4
    assert theirs.withheld == ()
    compared = diff(score(VERIFIER, sheet("self", {})), theirs)
    assert [(i.address, i.self_points, i.verified_points) for i in compared.items] == [
        ("1.1", Decimal("0"), Decimal("4"))
    ]


def test_bare_answers_are_a_self_assessment() -> None:
    assert score(VERIFIER, {"1.1": 5}).total == 0


def test_the_template_leaves_the_verifiers_item_unanswered() -> None:
    text = template(VERIFIER, year=2024)
    assert "# 1.1 参加省级培训情况，由省教育厅依据参加情况评分（5分）（由核查方评分，自评不填）" in text
    assert '# "1.1" = 0' in text


# --- 4. a zero triggered by a count ----------------------------------------------------------

AWARENESS = one_item(
    """kind = "deduct"
text = "知晓生活垃圾四分类：每有一项不知晓的扣1分，都不知晓的不得分"
points = 5

[[units.items.deductions]]
kind = "each"
per = 1
zero_at = 4
options = ["可回收物", "有害垃圾", "厨余垃圾", "其他垃圾"]
text = "每有一项不知晓的扣1分"
""",
    total="5",
)


@pytest.mark.parametrize(
    ("unknown", "points", "why"),
    [
        ([], Decimal("5"), "5分 = 5分"),
        (["有害垃圾"], Decimal("4"), "5分 − 1分 × 1项（a：有害垃圾） = 4分"),
        (
            ["可回收物", "有害垃圾", "厨余垃圾"],
            Decimal("2"),
            "5分 − 1分 × 3项（a：可回收物、有害垃圾、厨余垃圾） = 2分",
        ),
        (
            ["可回收物", "有害垃圾", "厨余垃圾", "其他垃圾"],
            Decimal("0"),
            "a 4项（可回收物、有害垃圾、厨余垃圾、其他垃圾），达到4项本项不得分，0分",
        ),
    ],
)
def test_all_unknown_scores_nothing(unknown: list[str], points: Decimal, why: str) -> None:
    """ "每有一项不知晓的扣1分，都不知晓的不得分": three of four unknown leave 5 − 3 = 2; all four
    leave 0, not 5 − 4 = 1."""
    card = score(AWARENESS, {"1.1.a": unknown})
    assert card.items["1.1"].points == points
    assert reason(card) == why


def test_zero_at_belongs_on_a_deduction() -> None:
    with pytest.raises(RubricError) as excinfo:
        one_item('kind = "each"\nper = 1\nmax = 3\nzero_at = 2\n', total="3")
    assert str(excinfo.value) == (
        "item 1.1 in unit 1 u (units[0].items[0]): "
        'zero_at belongs on a counted deduction of a deduct ("都不知晓的不得分")'
    )


# --- 5. named tiers with a range inside one --------------------------------------------------

CONFORMITY = one_item(
    """kind = "tiers"
text = "符合…4分 基本符合…3—1分 不符合:0分"
tiers = [
  { name = "符合", points = 4 },
  { name = "基本符合", range = [1, 3] },
  { name = "不符合", points = 0 },
]
""",
    total="4",
)


@pytest.mark.parametrize(
    ("answer", "points", "why"),
    [
        ("符合", Decimal("4"), "符合：4分"),
        ("基本符合 2", Decimal("2"), "基本符合（1~3分）：评定2分"),
        # As a Chinese input method types it: full-width digits and space, read as every cell is.
        ("基本符合　２", Decimal("2"), "基本符合（1~3分）：评定2分"),
        ({"tier": " 基本符合", "points": 3}, Decimal("3"), "基本符合（1~3分）：评定3分"),
        ({"tier": "基本符合", "points": Decimal("1.5")}, Decimal("1.5"), "基本符合（1~3分）：评定1.5分"),
        ("不符合", Decimal("0"), "不符合：0分"),
    ],
)
def test_a_sheet_names_one_tier(answer: object, points: Decimal, why: str) -> None:
    """ "符合…4分 基本符合…3—1分 不符合:0分": the sheet names one tier, and for 基本符合 its points."""
    card = score(CONFORMITY, {"1.1": answer})
    assert card.items["1.1"].points == points
    assert reason(card) == why


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            "基本符合",
            "tier '基本符合' takes points from 1 to 3: "
            'write "基本符合 3" or { tier = "基本符合", points = 3 }',
        ),
        ("基本符合 4", "tier '基本符合' takes points from 1 to 3, got 4"),
        ("符合 3", "tier '符合' is worth 4 points; leave its points out"),
        ("较好", "'较好' is not one of the tiers: 符合、基本符合、不符合"),
        (
            "基本符合 1e0",
            "tier '基本符合' takes its points in digits after a space (\"基本符合 2\"), got '基本符合 1e0'",
        ),
        (
            "基本符合2分",
            "tier '基本符合' takes its points in digits after a space (\"基本符合 2\"), got '基本符合2分'",
        ),
        (["符合", "基本符合"], "expected the name of a tier (符合、基本符合、不符合), got an array"),
    ],
)
def test_a_tier_answer_that_does_not_fit_is_refused(answer: object, message: str) -> None:
    with pytest.raises(SheetError) as excinfo:
        score(CONFORMITY, {"1.1": answer})
    assert str(excinfo.value) == f'answers."1.1": {message}'


def test_tiers_are_checked() -> None:
    with pytest.raises(RubricError) as excinfo:
        one_item(
            'kind = "tiers"\ntiers = [{ name = "符合", points = 4 }, { name = "符合", range = [1, 3] }, '
            '{ name = "差", points = 1, range = [0, 1] }]\n',
            total="4",
        )
    assert str(excinfo.value) == (
        "item 1.1 in unit 1 u (units[0].items[0]): tier '符合' is listed twice\n"
        "item 1.1 in unit 1 u (units[0].items[0].tiers[2]): tier '差' takes points or a range, not both"
    )


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            'kind = "tiers"\ntiers = [{ name = "符合", points = 4 }, { name = "符合 ", points = 2 }]\n',
            "tiers '符合' and '符合 ' are one name to a sheet",
        ),
        (
            'kind = "tiers"\ntiers = [{ name = "A级", points = 4 }, { name = "Ａ级", points = 1 }]\n',
            "tiers 'A级' and 'Ａ级' are one name to a sheet",
        ),
        (
            'kind = "each"\nper = 1\nmax = 3\noptions = ["节能", "节能 ", "节水"]\n',
            "options '节能' and '节能 ' are one name to a sheet",
        ),
    ],
)
def test_names_a_sheet_cannot_tell_apart_are_refused(item: str, message: str) -> None:
    # An answer is normalised (NFKC, trimmed) before it is compared: "符合" would pick "符合 ".
    with pytest.raises(RubricError) as excinfo:
        one_item(item, total="3" if "each" in item else "4")
    assert str(excinfo.value) == (
        f"item 1.1 in unit 1 u (units[0].items[0]): {message} (compared after NFKC normalisation and "
        "trimming): rename one"
    )


# --- 6. ★ on an item ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "points", "gates"),
    [
        ("97", Decimal("2"), ()),
        ("96", Decimal("0"), (GateResult("nonzero", "1.1", "★条目 1.1 得0分（★条目得分不得为0分）"),)),
    ],
)
def test_a_starred_item_must_score(rate: str, points: Decimal, gates: tuple[GateResult, ...]) -> None:
    """广西 节水型单位 marks items with ★ ("GXJ ★ marks"): 节水器具 "低于96%不得分，每高1个百分点得2分"
    at 96 % scores 0, and the ★ withholds the pass (data/guangxi-jieshui-danwei 1.1)."""
    of, _ = read_rubric(DATA / "guangxi-jieshui-danwei.toml")
    card = score(of, {"1.1": Decimal(rate), "1.2": True})
    assert card.items["1.1"].points == points
    assert card.failed_gates == gates
    assert card.verdict == ("通过（本标准未设等级）" if not gates else "未通过：门槛项未通过")


def test_a_starred_item_quotes_its_consequence() -> None:
    # The standard's own words replace the default phrase, as on a ★ project or a gate.
    starred = one_item(
        'kind = "flag"\ntext = "建立节能管理制度"\npoints = 3\nnonzero = true\n'
        'consequence = "实行一票否决"\n',
        total="3",
    )
    card = score(starred, {"1.1": False})
    assert card.failed_gates == (GateResult("nonzero", "1.1", "★条目 1.1 得0分（实行一票否决）"),)
    assert not card.passed


# --- 7. a deduction that applies only to some agencies ---------------------------------------

LINAN = one_item(
    """kind = "deduct"
text = "分类设施：设置分类垃圾桶，有食堂的单位设置易腐垃圾桶；宣传：配有电子显示屏的单位播放垃圾分类宣传内容"
points = 10

[[units.items.deductions]]
kind = "flag"
points = 4
na_if = "单位未设食堂"
text = "有食堂单位未设置易腐垃圾桶扣4分"

[[units.items.deductions]]
kind = "flag"
points = 3
na_if = "单位未配电子显示屏"
text = "配有电子显示屏但未播放垃圾分类宣传内容扣3分"
""",
    total="10",
)


@pytest.mark.parametrize(
    ("answers", "points", "why"),
    [
        (
            {"1.1.a": True, "1.1.b": True},
            Decimal("3"),
            "10分 − 4分（a：有食堂单位未设置易腐垃圾桶扣4分） "
            "− 3分（b：配有电子显示屏但未播放垃圾分类宣传内容扣3分） = 3分",
        ),
        (
            {"1.1.a.na": True, "1.1.b": True},
            Decimal("7"),
            "10分 − 3分（b：配有电子显示屏但未播放垃圾分类宣传内容扣3分） = 7分；a 不适用（单位未设食堂）",
        ),
        (
            {"1.1.a.na": True, "1.1.b.na": True},
            Decimal("10"),
            "10分 = 10分；a 不适用（单位未设食堂）；b 不适用（单位未配电子显示屏）",
        ),
    ],
)
def test_a_deduction_for_some_agencies_only(answers: Answers, points: Decimal, why: str) -> None:
    """临安 "有食堂单位未设置易腐垃圾桶扣4分", "有电子显示屏的单位未播放…扣3分" (MECHANISMS.md M21): an
    agency without a canteen or a screen loses nothing there, with no decision table and no
    catch-all row, and no `na` policy (the item's points stay 10)."""
    card = score(LINAN, answers)
    assert card.items["1.1"].points == points
    assert card.items["1.1"].max == Decimal("10")
    assert reason(card) == why


def test_a_deduction_marked_not_applicable_is_not_unanswered() -> None:
    """A deduction whose ``.na`` is true may not be answered (the sheet is refused if it is), so
    the card must not list it among the leaves left unanswered; the other one still is."""
    card = score(LINAN, {"1.1.a.na": True})
    assert card.unanswered == ("1.1.b",)
    assert card.items["1.1"].unanswered == ("1.1.b",)
    assert score(LINAN, {"1.1.a.na": True, "1.1.b.na": True}).unanswered == ()


# --- 8. a partial transcription ----------------------------------------------------------------


def test_a_partial_transcription_gives_no_verdict() -> None:
    """宜春 考评评分细则: unit 1 组织领导 is 25 in the standard and project 1.2 工作落实 15; 17 and 7
    were recovered (data/yichun-laji-fenlei-kaoping). A full sheet scores 17 of 17, and the card
    says that the transcription is partial instead of 通过."""
    of, problems = read_rubric(DATA / "yichun-laji-fenlei-kaoping.toml")
    assert problems == []
    answers = {"1.1.1.a": False, "1.1.1.b": False, "1.1.2.a": 0, "1.1.3.a": 0, "1.1.4": True}
    card = score(of, {**answers, "1.2.1": True, "1.2.2.a": 4})
    assert (card.total, card.max) == (Decimal("17"), Decimal("17"))
    assert card.partial
    assert not card.passed
    assert card.verdict == "转录不完整，不作认定：单元1录入17分（原标准25分）；项目1.2录入7分（原标准15分）"
    assert f"认定：{card.verdict}" in render_cards([card], "text").splitlines()
    assert gap(card).verdict == card.verdict
    assert gap(card).target is None


def test_a_partial_transcription_with_levels_plans_no_level() -> None:
    # The rubric declares a level, but a partial transcription awards none: the gap says why,
    # not that the standard has no levels.
    rubric = one_item(
        'kind = "flag"\npoints = 10\n', total="10", head='published = 40\n[[levels]]\nname = "达标"\nmin = 8'
    )
    found = gap(score(rubric, {"1.1": False}))
    assert (found.partial, found.target) == (True, None)
    assert render_gap(found, "text").splitlines()[4] == (
        "转录不完整，不作认定：总分录入10分（原标准40分），故不计算达到等级的差距"
    )


def test_a_partial_rubric_total_is_said_in_check() -> None:
    rubric = one_item('kind = "flag"\npoints = 17.5\n', total="17.5", head="published = 49")
    assert score(rubric, {"1.1": True}).verdict == "转录不完整，不作认定：总分录入17.5分（原标准49分）"
    text = render_check(rubric, validate(rubric), "text")
    assert (
        "总分 17.5 = 17.5 ✓（原标准49分）\n部分转录：总分录入17.5分（原标准49分）；按本表评分不作认定\n"
        in text
    )


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (
            "published = 10",
            "published: published 10 is less than the 17.5 points transcribed",
        ),
        ("published = 0", "published: published must be more than 0, got 0"),
    ],
)
def test_a_published_total_below_what_was_transcribed_is_refused(head: str, message: str) -> None:
    with pytest.raises(RubricError) as excinfo:
        one_item('kind = "flag"\npoints = 17.5\n', total="17.5", head=head)
    assert str(excinfo.value) == message


# --- 9. the standard's own consequence ---------------------------------------------------------


def test_a_gate_says_what_the_standard_says() -> None:
    """ "…不能被表彰": the failed gate quotes the standard's consequence, not the fixed phrase of a
    必须完成项 ("必须完成项，未完成不予认定")."""
    rubric = one_item(
        'kind = "flag"\npoints = 5\ngate = "required"\nconsequence = "不能被表彰"\n'
        'text = "年度内无重大浪费事件"\n',
        total="5",
    )
    assert score(rubric, {"1.1": False}).failed_gates == (
        GateResult("required", "1.1", "条目 1.1 得0分，未达到5分（不能被表彰）"),
    )


def test_a_consequence_without_a_gate_is_refused() -> None:
    with pytest.raises(RubricError) as excinfo:
        one_item('kind = "flag"\npoints = 5\nconsequence = "不能被表彰"\n', total="5")
    assert str(excinfo.value) == (
        "item 1.1 in unit 1 u (units[0].items[0]): consequence needs gate or nonzero: "
        "it says what failing the gate means"
    )


# --- explanations an assessor can audit ------------------------------------------------------

ACCURACY = one_item(
    """kind = "deduct"
text = "投放准确率达到90%，得30分；每低1个百分点扣2分，扣完为止"
points = 30

[[units.items.deductions]]
kind = "linear"
direction = "down"
start = 90
step = 1
per = 2
unit = "%"
measure = "投放准确率"
text = "每低1个百分点扣2分"
""",
    total="30",
)


@pytest.mark.parametrize(
    ("rate", "why"),
    [
        ("85", "30分 − 2分 × 5（a：投放准确率85%，目标90%） = 20分"),
        ("95", "30分 = 30分"),
        ("70", "30分 − 2分 × 20（a：投放准确率70%，目标90%） = 0分（扣完为止）"),
    ],
)
def test_a_deduction_shows_the_rate_and_its_target(rate: str, why: str) -> None:
    """临安 准确率 "90%: −2/%" (MECHANISMS.md M17): 85 % is 5 points short, 5 × 2 = 10 deducted."""
    assert reason(score(ACCURACY, {"1.1.a": Decimal(rate)})) == why


def test_an_excluded_item_shows_what_could_be_scored() -> None:
    """With na = "exclude", 深圳 3.2 餐厨垃圾 (10) not applicable leaves unit 3 at 21 of the 25 that
    apply (of 35), and the item is not shown as 0 of 10 (data/shenzhen-laji-fenlei-shitang)."""
    given = load_sheet(ROOT / "examples" / "shenzhen-laji-fenlei-lvse-danwei" / "lianghao.toml")
    of = loads_rubric('extends = "shenzhen-laji-fenlei-shitang.toml"\n', base_dir=DATA)
    # lianghao answers 3.2's deductions; a sheet marking 3.2 not applicable answers none of them
    answers = {a: v for a, v in given.answers.items() if a != "3.2" and not a.startswith("3.2.")}
    card = score(of, Sheet(info=given.info, answers={**answers, "3.2.na": True}))
    rows = render_cards([card], "text").splitlines()
    assert [r.split()[-2:] for r in rows if r.startswith("3.2 ")] == [["—/10", "不适用（单位未设食堂）"]]
    assert ["3", "设施配置", "小计", "21/25（满分35）"] in [r.split() for r in rows]
    assert ["总分", "51/60（满分70）"] in [r.split() for r in rows]


def test_gap_and_diff_agree_with_score_without_levels() -> None:
    """A rubric without levels: score says 通过（本标准未设等级）, and so do gap and diff."""
    rubric = one_item('kind = "flag"\npoints = 5\n', total="5")
    mine = score(rubric, sheet("self", {"1.1": True}))
    theirs = score(rubric, sheet("verified", {"1.1": True}))
    assert mine.verdict == "通过（本标准未设等级）"
    assert (
        render_gap(gap(mine), "text").splitlines()[2] == "当前得分 5 分（满分 5 分），通过（本标准未设等级）"
    )
    assert diff(mine, theirs).verified_verdict == "通过（本标准未设等级）"


def test_notes_reach_check_the_template_and_the_card() -> None:
    rubric = one_item(
        'kind = "flag"\npoints = 2\nnote = "答案为是否印发文件"\ntext = "印发工作方案"\n', total="2"
    )
    assert "说明：\n  1.1：答案为是否印发文件\n" in render_check(rubric, [], "text")
    assert "# 1.1 印发工作方案（2分）\n# 说明：答案为是否印发文件\n" in template(rubric, year=2024)
    card_lines = render_cards([score(rubric, {"1.1": True})], "text").splitlines()
    # The notes close the card, before the line naming the rubric it was scored against.
    assert card_lines[-3:-1] == ["条目说明：1.1：答案为是否印发文件", ""]
    assert card_lines[-1].startswith("评价标准：摘录，sha256:")
    assert score(rubric, {}).items["1.1"].note == "答案为是否印发文件"


# --- two standards written from scratch (tests/data/authors/) ----------------------------------

AUTHORS = ROOT / "tests" / "data" / "authors"
WRITTEN = [
    # A county variant of the district's: weights, a deduction unit, a veto, two levels.
    ("zz-county.toml", ["foujue", "jieyue", "shifan"]),
    # A school standard: three levels, a ★ project, a veto, rescaled N/A items, a capped bonus unit.
    ("green-school.toml", ["foujue", "wushitang", "xingxiang", "youxiu"]),
]


@pytest.mark.parametrize(("name", "sheets"), WRITTEN, ids=[n for n, _ in WRITTEN])
def test_a_standard_written_from_scratch_scores_its_sheets_as_worked_by_hand(
    name: str, sheets: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each sheet's [expect] was worked out by hand in its header comment."""
    rubric = AUTHORS / name
    found = sorted(p.stem for p in (AUTHORS / rubric.stem).glob("*.toml"))
    assert found == sheets
    assert validate(read_rubric(rubric)[0]) == []
    paths = [str(AUTHORS / rubric.stem / f"{s}.toml") for s in sheets]
    code = cli.main(["test", "--no-properties", str(rubric), *paths])
    out = capsys.readouterr().out
    assert (code, out.splitlines()[-1]) == (0, f"{len(sheets)} of {len(sheets)} example sheets as expected")


@pytest.mark.parametrize("name", [n for n, _ in WRITTEN])
def test_a_standard_written_from_scratch_formats_without_loss(name: str, tmp_path: Path) -> None:
    """fmt --write keeps every comment and the rubric; a second --write changes nothing."""
    path = tmp_path / name
    source = (AUTHORS / name).read_text(encoding="utf-8")
    path.write_text(source, encoding="utf-8")
    before = read_rubric(AUTHORS / name)[0]
    format_file(path, mode="write")
    once = path.read_text(encoding="utf-8")
    assert format_file(path, mode="check").canonical
    assert [c.text for c in comments(once)] == [c.text for c in comments(source)]
    assert read_rubric(path)[0] == before
