"""What an unanswered leaf means, kind by kind: one test per row of the table in docs/scoring.md.

Issue #9: a blank measured figure scored full marks (a 漏失率 left empty on a ``deduct`` item
earned 8/8, and the report said "未填写（按0分计）"). An unanswered number that a deduction or
a band depends on must not award points; an unanswered deficiency means none was found.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from conserv_rubric import loads_rubric, loads_sheet, score
from conserv_rubric._compiled import compiled
from conserv_rubric.pages import render_cards_html
from conserv_rubric.reports import render_cards
from conserv_rubric.templates import template
from conserv_rubric.testing import check_scoring


def _item(rule: str, points: str) -> str:
    """A rubric with one item, *rule* (TOML keys), worth *points*."""
    return (
        f'title = "t"\ntotal = {points}\n\n[[units]]\ntitle = "u"\npoints = {points}\n\n'
        f"[[units.items]]\n{rule}\n"
    )


def _deduct(*deductions: str, points: str = "8") -> str:
    rows = ",\n".join(f"  {d}" for d in deductions)
    return _item(f'kind = "deduct"\ntext = "扣分项"\npoints = {points}\ndeductions = [\n{rows},\n]', points)


# --- outside a deduction: an unanswered leaf scores 0 -----------------------------------------

AWARDS = [
    ("flag", 'kind = "flag"\npoints = 2', "2"),
    ("flag-at-least", 'kind = "flag"\npoints = 2\nat_least = 3', "2"),
    ("each", 'kind = "each"\nper = 1\nmax = 3', "3"),
    ("bands", 'kind = "bands"\nbands = [{ lt = 10, points = 4 }, { ge = 10, points = 0 }]', "4"),
    (
        "bands-ratio",
        'kind = "bands"\ninput = "ratio"\nbands = [{ le = 0.9, points = 7 }, { gt = 0.9, points = 0 }]',
        "7",
    ),
    ("linear-down", 'kind = "linear"\nstart = 100\nstep = 1\nper = 1\nmax = 5\ndirection = "down"', "5"),
    ("judged", 'kind = "judged"\nrange = [1, 5]', "5"),
]


@pytest.mark.parametrize(("rule", "points"), [pytest.param(r, p, id=i) for i, r, p in AWARDS])
def test_an_unanswered_award_scores_nothing_and_is_listed(rule: str, points: str) -> None:
    card = score(loads_rubric(_item(rule, points)), {})
    assert card.items["1.1"].points == 0
    assert card.items["1.1"].reason == "未填写，0分"
    assert card.unanswered == ("1.1",)
    assert card.none_found == ()


def test_an_unanswered_check_fails_its_gate() -> None:
    rubric = loads_rubric(
        'title = "t"\ntotal = 1\n\n[[units]]\ntitle = "u"\npoints = 1\n\n'
        '[[units.items]]\nkind = "check"\ntext = "无重大事故"\n\n[[units.items]]\nkind = "flag"\npoints = 1\n'
    )
    card = score(rubric, {"1.2": True})
    assert card.items["1.1"].reason == "未填写（必须满足）"
    assert [g.reason for g in card.failed_gates] == ["条目 1.1 未满足（必须完成项，未完成不予认定）"]
    assert not card.passed


# --- cases: the row must follow from what was answered ----------------------------------------

TABLE = _item(
    'kind = "cases"\n'
    'conditions = [{ id = "y", text = "完成年度目标" }, { id = "c", text = "完成累计进度" }]\n'
    "rows = [\n"
    "  { when = { y = true, c = true }, points = 35 },\n"
    "  { when = { y = false, c = true }, points = 20 },\n"
    "  { when = { y = true, c = false }, points = 10 },\n"
    "  { points = 0 },\n"
    "]",
    "35",
)


@pytest.mark.parametrize(
    ("answers", "points", "reason"),
    [
        ({}, 0, "y未填写，c未填写：无法确定所在行，0分"),
        # y alone leaves rows 1 and 3 open: which one depends on c.
        ({"1.1.y": True}, 0, "y是，c未填写：无法确定所在行，0分"),
        ({"1.1.c": True}, 0, "y未填写，c是：无法确定所在行，0分"),
        ({"1.1.y": True, "1.1.c": False}, 10, "y是，c否：第3行，10分"),
    ],
)
def test_a_decision_table_with_an_open_condition_scores_nothing(
    answers: dict[str, bool], points: int, reason: str
) -> None:
    card = score(loads_rubric(TABLE), answers)
    assert card.items["1.1"].points == points
    assert card.items["1.1"].reason == reason
    assert card.unanswered == tuple(a for a in ("1.1.y", "1.1.c") if a not in answers)


def test_a_decision_table_decided_by_what_was_answered_scores_its_row() -> None:
    # Row 1 names only y: y = true decides it whatever c is; y = false leaves only the catch-all.
    rubric = loads_rubric(
        TABLE.replace(
            "  { when = { y = true, c = true }, points = 35 },\n", "  { when = { y = true }, points = 35 },\n"
        )
    )
    assert score(rubric, {"1.1.y": True}).items["1.1"].reason == "y是，c未填写：第1行，35分"
    assert score(rubric, {"1.1.y": False}).items["1.1"].reason == "y否，c未填写：无法确定所在行，0分"


# --- inside a deduction -----------------------------------------------------------------------

LEAKAGE = _deduct(
    '{ kind = "linear", start = 5, step = 1, per = 1, max = 8, unit = "%", text = "综合漏失率每高1%扣1分" }',
    '{ kind = "flag", points = 2, text = "无用水台账扣2分" }',
)


def test_a_blank_measured_figure_gives_no_points() -> None:
    # The 漏失率 left empty: the deduction cannot be computed, so 0 of 8, not 8 of 8.
    card = score(loads_rubric(LEAKAGE), {"1.1.b": False})
    assert card.items["1.1"].points == 0
    assert card.items["1.1"].reason == "a 未填写，无法计算扣分，0分"
    assert card.unanswered == ("1.1.a",)
    assert card.none_found == ()
    assert card.total == 0


def test_the_report_tells_blank_figures_from_blank_deficiencies() -> None:
    sheet = loads_sheet('[sheet]\nagency = "甲局"\n[answers]\n')
    text = render_cards([score(loads_rubric(LEAKAGE), sheet)], "text")
    # The lists come last, before the provenance line.
    lists, footer = text.rsplit("\n\n", 1)
    assert lists.endswith("未填写（按0分计）：1.1.a\n未填写（按无扣分计）：1.1.b")
    assert footer.startswith("评价标准：")


def test_the_scorecard_page_tells_blank_figures_from_blank_deficiencies() -> None:
    # As the text report: the blank figure scores 0, the blank deficiency takes nothing away.
    sheet = loads_sheet('[sheet]\nagency = "甲局"\n[answers]\n')
    page = render_cards_html([score(loads_rubric(LEAKAGE), sheet)])
    assert '<p class="unanswered"><strong>未填写（按0分计）：</strong>1.1.a</p>' in page
    assert '<p class="unanswered"><strong>未填写（按无扣分计）：</strong>1.1.b</p>' in page


def test_an_answered_figure_deducts_per_step() -> None:
    card = score(loads_rubric(LEAKAGE), {"1.1.a": Decimal("7.5")})
    # 7.5 − 5 = 2.5 → 2 whole steps × 1 = 2; 1.1.b unanswered: no 台账 failing was found.
    assert card.items["1.1"].points == 6
    assert card.items["1.1"].reason == "8分 − 1分 × 2（a：7.5%，限值5%） = 6分；b 未填写，按无扣分计"
    assert card.none_found == ("1.1.b",)


@pytest.mark.parametrize(
    "deduction",
    [
        pytest.param('{ kind = "flag", points = 2, text = "未建立制度扣2分" }', id="flag"),
        pytest.param('{ kind = "each", per = 1, text = "每发现一处扣1分" }', id="each"),
        pytest.param('{ kind = "judged", range = [1, 5], text = "酌情扣1~5分" }', id="judged"),
    ],
)
def test_an_unanswered_deficiency_was_not_found(deduction: str) -> None:
    rubric = loads_rubric(_deduct(deduction, '{ kind = "flag", points = 1, text = "未报送扣1分" }'))
    card = score(rubric, {"1.1.b": True})
    assert card.items["1.1"].points == 7
    assert card.items["1.1"].reason == "8分 − 1分（b：未报送扣1分） = 7分；a 未填写，按无扣分计"
    assert card.unanswered == ("1.1.a",)
    assert card.none_found == ("1.1.a",)


@pytest.mark.parametrize(
    ("deduction", "answer"),
    [
        pytest.param('{ kind = "flag", points = 5, at_least = 3, text = "少于三处扣5分" }', 3, id="at-least"),
        pytest.param(
            '{ kind = "bands", bands = [{ le = 5, points = 0 }, { gt = 5, points = 4 }], text = "漏失率" }',
            Decimal(5),
            id="bands",
        ),
        pytest.param(
            '{ kind = "linear", start = 0, step = 5, per = 2, text = "每高5%扣2分" }', Decimal(4), id="linear"
        ),
        pytest.param(
            '{ kind = "cases", conditions = [{ id = "y" }], rows = [{ when = { y = false }, points = 3 }, '
            "{ points = 0 }] }",
            None,
            id="cases",
        ),
    ],
)
def test_an_unanswered_figure_of_a_deduction_voids_the_item(deduction: str, answer: object) -> None:
    rubric = loads_rubric(_deduct(deduction))
    blank = score(rubric, {})
    assert blank.items["1.1"].points == 0
    assert blank.items["1.1"].reason == "a 未填写，无法计算扣分，0分"
    assert blank.none_found == ()
    address = "1.1.a.y" if answer is None else "1.1.a"
    answered = score(rubric, {address: True if answer is None else answer})
    assert answered.items["1.1"].points == 8  # the figure shows nothing to deduct
    assert answered.items["1.1"].reason == "8分 = 8分"


def test_a_deduction_made_of_parts_needs_its_figures() -> None:
    rubric = loads_rubric(
        _deduct(
            '{ kind = "parts", text = "台账", parts = [{ kind = "flag", points = 1 }, '
            '{ kind = "linear", start = 0, step = 1, per = 1, max = 3 }] }'
        )
    )
    assert score(rubric, {"1.1.a.a": True}).items["1.1"].reason == "a 未填写，无法计算扣分，0分"
    card = score(rubric, {"1.1.a.a": True, "1.1.a.b": 2})
    assert card.items["1.1"].points == 5
    assert card.items["1.1"].reason == "8分 − 3分（a：台账；a 1分 + b 2分） = 5分"


# --- composites that hold a deduction ---------------------------------------------------------

BEST = _item(
    'kind = "best"\ntext = "被评为节水型单位得8分；否则按漏失率扣分"\nalternatives = [\n'
    '  { kind = "flag", points = 8, text = "被评为节水型单位" },\n'
    '  { kind = "deduct", points = 8, deductions = [\n'
    '    { kind = "linear", start = 5, step = 1, per = 1, max = 8 },\n'
    "  ] },\n"
    "]",
    "8",
)


@pytest.mark.parametrize(
    ("answers", "points", "reason"),
    [
        ({}, 0, "取最高：a 0分（a 0分，b 0分）"),
        ({"1.1.a": False}, 0, "取最高：a 0分（a 0分，b 0分）"),
        ({"1.1.a": True}, 8, "取最高：a 8分（a 8分，b 0分）"),
        ({"1.1.b.a": 6}, 7, "取最高：b 7分（a 0分，b 7分）"),
    ],
)
def test_best_never_takes_an_alternative_that_was_not_answered(
    answers: dict[str, object], points: int, reason: str
) -> None:
    card = score(loads_rubric(BEST), answers)
    assert card.items["1.1"].points == points
    assert card.items["1.1"].reason == reason


def test_a_part_that_is_a_deduction_scores_0_without_its_figure() -> None:
    rubric = loads_rubric(
        _item(
            'kind = "parts"\ntext = "节水"\nparts = [\n'
            '  { kind = "flag", points = 2, text = "有节水制度" },\n'
            '  { kind = "deduct", points = 6, deductions = [\n'
            '    { kind = "linear", start = 5, step = 1, per = 1, max = 6 },\n'
            "  ] },\n"
            "]",
            "8",
        )
    )
    card = score(rubric, {"1.1.a": True})
    assert card.items["1.1"].points == 2
    assert card.items["1.1"].reason == "a 2分 + b 0分 = 2分"


# --- the template says the same -----------------------------------------------------------------


def test_the_template_leaves_a_figure_of_a_deduction_blank_and_says_why() -> None:
    text = template(loads_rubric(LEAKAGE), year=2024)
    assert (
        "# · 1.1.a 综合漏失率每高1%扣1分（扣分项，最多扣8分）\n"
        "# 填写数值（单位：%）；未填写则无法计算扣分，本项0分，填写时删去下一行行首的 #\n"
        '# "1.1.a" = 0\n'
        "# · 1.1.b 无用水台账扣2分（扣分项，最多扣2分）\n"
        "# 填写 true 或 false\n"
        '"1.1.b" = false\n'
    ) in text
    assert score(loads_rubric(LEAKAGE), loads_sheet(text)).total == 0


def test_a_ratio_without_its_reference_is_not_compared() -> None:
    # A sheet cannot give a ratio band a value without its reference (the answer check refuses
    # it); the band scores such an answer, from any other caller, as a figure left out.
    award = loads_rubric(_item(AWARDS[4][1], "7"))
    deduction = loads_rubric(
        _deduct(
            '{ kind = "bands", input = "ratio", bands = [{ le = 1, points = 0 }, { gt = 1, points = 3 }] }'
        )
    )
    half = {"value": Decimal("0.5")}
    assert compiled(award).evaluate({"1.1": half}).total == 0
    assert compiled(deduction).evaluate({"1.1.a": half}).total == 0
    assert compiled(deduction).evaluate({"1.1.a": {**half, "ref": Decimal(1)}}).total == 8


# --- a zeroed item or part: its other leaves are not missing ----------------------------------

ZEROED = """\
title = "t"
total = 10

[[units]]
title = "u"
points = 10

[[units.items]]
kind = "parts"
text = "设施齐全得2分，台账完整得2分；未开展的，本项不得分"
points = 4
zero_if = "未开展"
parts = [
  { kind = "flag", points = 2, text = "设施齐全" },
  { kind = "flag", points = 2, text = "台账完整" },
]

[[units.items]]
kind = "parts"
text = "方案得3分；培训得3分，未配备讲师的培训不得分"
points = 6
parts = [
  { kind = "flag", points = 3, text = "方案" },
  { kind = "each", per = 1, max = 3, zero_if = "未配备讲师", text = "培训" },
]
"""


def test_the_leaves_of_a_zeroed_item_or_part_are_not_unanswered() -> None:
    # 1.1 is zeroed whatever 1.1.a and 1.1.b say, and so is the part 1.2.b whatever its count:
    # only 1.2.a is left open, and it scores 0 for it.
    rubric = loads_rubric(ZEROED)
    card = score(rubric, {"1.1.zero": True, "1.2.b.zero": True})
    assert card.items["1.1"].unanswered == ()
    assert card.items["1.2"].unanswered == ("1.2.a",)
    assert card.unanswered == ("1.2.a",)
    assert card.to_dict()["unanswered"] == ["1.2.a"]
    lists = render_cards([card], "text").split("\n\n")[2]
    assert lists == "认定：通过（本标准未设等级）\n未填写（按0分计）：1.2.a"
    # Not zeroed, the same leaves are missing.
    open_card = score(rubric, {"1.1.zero": False})
    assert open_card.unanswered == ("1.1.a", "1.1.b", "1.2.a", "1.2.b")


def test_the_scorecard_page_lists_no_leaf_of_a_zeroed_item() -> None:
    card = score(loads_rubric(ZEROED), {"1.1.zero": True, "1.2.a": True, "1.2.b": 1})
    page = render_cards_html([card])
    assert "未填写" not in page


def test_the_kit_expects_no_leaf_of_a_zeroed_item() -> None:
    card = check_scoring(loads_rubric(ZEROED), {"1.1.zero": True, "1.2.b.zero": True})
    assert card.unanswered == ("1.2.a",)
