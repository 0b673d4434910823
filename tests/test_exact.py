"""Exact arithmetic whatever the caller's decimal context: divisions done exactly, rounding once.

Issue #9: ``linear`` with ``steps = "exact"`` divided before it multiplied, and scores depended
on the caller's `decimal` context (``getcontext().prec = 3`` changed a total; a trapped
``Inexact`` made scoring raise).
"""

from __future__ import annotations

import decimal
import doctest
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest

from conserv_rubric import RubricError, Sheet, SheetInfo, _exact, loads_rubric, score, validate
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric.diffs import diff
from conserv_rubric.gaps import gap
from conserv_rubric.reports import render_cards, render_check, render_diff, render_gap
from conserv_rubric.templates import template

# Sums of five and six significant digits, a judged step, a per-step linear rule, a ratio band
# whose edge times its reference has seven digits, and a unit share of a fractional maximum.
FRACTIONAL = """\
title = "精确"
total = 1008.75

[[levels]]
name = "合格"
min = 1000.25
unit_share = 0.3

[[units]]
title = "甲"
points = 1000.25

[[units.items]]
kind = "flag"
text = "符合，得999.75分"
points = 999.75

[[units.items]]
kind = "each"
text = "每项0.25分，最高0.5分"
per = 0.25
max = 0.5

[[units]]
title = "乙"
points = 8.5

[[units.items]]
kind = "judged"
text = "酌情评分"
range = [0.5, 2.25]
step = 0.25

[[units.items]]
kind = "linear"
text = "每1.5%得3分，最高3分"
start = 0
step = 1.5
per = 3
max = 3
steps = "exact"
digits = 0

[[units.items]]
kind = "bands"
text = "不高于参考值的0.9倍得3.25分"
input = "ratio"
bands = [{ le = 0.9, points = 3.25 }, { gt = 0.9, points = 0 }]
"""

ANSWERS = {
    "1.1": True,
    "1.2": 1,
    "2.1": Decimal("2.25"),
    "2.2": Decimal("1.25"),
    "2.3": {"value": Decimal("16.31"), "ref": Decimal("18.123456")},
}

HOSTILE = [
    pytest.param(decimal.Context(prec=3), id="prec=3"),
    pytest.param(decimal.Context(prec=1, rounding=decimal.ROUND_FLOOR), id="prec=1-floor"),
    pytest.param(
        decimal.Context(traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation]), id="traps"
    ),
    pytest.param(decimal.Context(prec=4, rounding=decimal.ROUND_UP, traps=[decimal.Inexact]), id="prec=4-up"),
]


@pytest.fixture
def default_context() -> Iterator[None]:
    with decimal.localcontext(decimal.Context()):
        yield


def _sheet(answers: dict[str, object], stage: Literal["self", "verified"] = "self") -> Sheet:
    return Sheet(info=SheetInfo(agency="甲局", year=2024, stage=stage), answers=answers)


def test_fractional_rubric_scores_by_hand(default_context: None) -> None:
    card = score(loads_rubric(FRACTIONAL), ANSWERS)
    # 999.75 + 1 × 0.25 = 1000; 2.25 judged; 1.25 × 3 / 1.5 = 2.5 → 3 (half up);
    # 16.31 ≤ 0.9 × 18.123456 = 16.3111104 → 3.25. Unit 乙 2.25 + 3 + 3.25 = 8.5.
    assert [u.points for u in card.units] == [Decimal("1000"), Decimal("8.5")]
    assert card.total == Decimal("1008.5")
    assert card.level == "合格"
    assert card.items["2.2"].reason == "1.25：1.25/1.5 × 3分 = 2.5分，保留0位小数为3分（最高3分）"
    assert card.items["2.3"].reason == "16.31，参考值18.123456：x/参考值 ≤ 0.9 → 3.25分"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_scoring_ignores_the_callers_context(hostile: decimal.Context) -> None:
    with decimal.localcontext(decimal.Context()):
        rubric = loads_rubric(FRACTIONAL)
        card = score(rubric, ANSWERS)
        want = (
            card.total,
            card.level,
            [u.points for u in card.units],
            {a: (r.points, r.reason) for a, r in card.items.items()},
            card.to_dict(),
            render_cards([card], "text"),
        )
        problems = validate(rubric)
        blank = template(rubric, year=2024)
        open_points = gap(score(rubric, {"1.1": True}))
        verified = score(rubric, _sheet({**ANSWERS, "2.1": Decimal("1.75")}, "verified"))
        compared = diff(score(rubric, _sheet(ANSWERS)), verified)
        check_text = render_check(rubric, problems, "text")
    with decimal.localcontext(hostile):
        again = loads_rubric(FRACTIONAL)
        assert again == rubric
        card = score(again, ANSWERS)
        got = (
            card.total,
            card.level,
            [u.points for u in card.units],
            {a: (r.points, r.reason) for a, r in card.items.items()},
            card.to_dict(),
            render_cards([card], "text"),
        )
        assert got == want
        assert validate(again) == problems
        assert template(again, year=2024) == blank
        assert gap(score(again, {"1.1": True})) == open_points
        assert render_gap(gap(score(again, {"1.1": True})), "text") == render_gap(open_points, "text")
        verified = score(again, _sheet({**ANSWERS, "2.1": Decimal("1.75")}, "verified"))
        assert diff(score(again, _sheet(ANSWERS)), verified) == compared
        assert render_diff(compared, "text") == render_diff(
            diff(score(again, _sheet(ANSWERS)), verified), "text"
        )
        assert render_check(again, validate(again), "text") == check_text


def test_the_fractional_gap_is_worked_out_exactly(default_context: None) -> None:
    found = gap(score(loads_rubric(FRACTIONAL), {"1.1": True}))
    # 999.75 of 1008.75: 0.5 + 2.25 + 3 + 3.25 = 9 open.
    assert found.total == Decimal("999.75")
    assert [(i.address, i.adds) for u in found.units for i in u.items] == [
        ("1.2", Decimal("0.5")),
        ("2.1", Decimal("2.25")),
        ("2.2", Decimal("3")),
        ("2.3", Decimal("3.25")),
    ]


def test_a_trapped_inexact_in_the_caller_does_not_raise() -> None:
    with decimal.localcontext(decimal.Context(prec=3, traps=[decimal.Inexact])):
        card = score(loads_rubric(FRACTIONAL), ANSWERS)
        assert card.total == Decimal("1008.5")


# --- linear with fractional steps -------------------------------------------------------------

LINEAR = """\
title = "t"
total = 10

[[units]]
title = "u"
points = 10

[[units.items]]
kind = "linear"
text = "按比例得分"
start = 0
step = {step}
per = 3
max = 10
steps = "exact"
gate = "required"
gate_min = 1
{digits}
"""


def test_exact_steps_multiply_before_they_divide() -> None:
    # 2.75 × 3 / 1.5 = 5.5, half up → 6 (dividing first gave 1.8333… × 3 = 5.4999… → 5).
    card = score(loads_rubric(LINEAR.format(step="1.5", digits="digits = 0")), {"1.1": Decimal("2.75")})
    assert card.items["1.1"].points == Decimal("6")
    assert card.items["1.1"].reason == "2.75：2.75/1.5 × 3分 = 5.5分，保留0位小数为6分（最高10分）"


def test_a_third_of_nine_is_one_and_meets_its_gate() -> None:
    rubric = loads_rubric(LINEAR.format(step="9", digits="digits = 2"))
    card = score(rubric, {"1.1": 3})
    # 3 × 3 / 9 = 1 exactly, not 0.9999…, so gate_min = 1 holds.
    assert card.items["1.1"].points == 1
    assert card.failed_gates == ()
    assert card.passed
    assert score(rubric, {"1.1": 4}).items["1.1"].points == Decimal("1.33")  # 4/3, rounded once


def test_exact_steps_that_give_thirds_need_digits() -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(LINEAR.format(step="9", digits=""))
    assert str(excinfo.value) == (
        'item 1.1 in unit 1 u (units[0].items[0]): steps = "exact" awards 3 points per 9, so an award '
        "can be a fraction such as 1/3 point that no decimal writes exactly; declare digits, the "
        "decimal places to round it to"
    )


def test_exact_steps_that_divide_evenly_need_no_digits() -> None:
    # 3 points per 1.5 is 2 per unit: every award is a finite decimal.
    card = score(loads_rubric(LINEAR.format(step="1.5", digits="")), {"1.1": Decimal("2.75")})
    assert card.items["1.1"].points == Decimal("5.5")


# --- the aggregate divisor --------------------------------------------------------------------

AGGREGATE = """\
title = "t"
total = {total}
{digits}

[aggregate]
divisor = 3

[[units]]
title = "u"
points = 10

[[units.items]]
kind = "judged"
range = [0, 10]
"""


def test_a_divisor_that_does_not_divide_exactly_needs_digits() -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(AGGREGATE.format(total="3.3", digits=""))
    assert str(excinfo.value) == (
        "aggregate.divisor: dividing by 3 can give a total that no decimal writes exactly; "
        "declare digits, the decimal places the total is rounded to"
    )


def test_an_inexact_divisor_rounds_the_total_once() -> None:
    rubric = loads_rubric(AGGREGATE.format(total="3.3", digits="digits = 1"))  # 10 / 3 → 3.3
    assert score(rubric, {"1.1": 10}).total == Decimal("3.3")
    assert score(rubric, {"1.1": Decimal("0.25")}).total == Decimal("0.1")  # 0.0833… → 0.1
    assert score(rubric, {"1.1": 5}).total == Decimal("1.7")  # 1.666… → 1.7


def test_check_shows_a_zero_divisor_instead_of_crashing(tmp_path: Path) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(AGGREGATE.format(total="3", digits="").replace("divisor = 3", "divisor = 0"), "utf-8")
    rubric, problems = read_rubric(path)
    assert render_check(rubric, problems, "text") == (
        "t\n\n"
        "评价单元 / 项目 / 条目  分值  计算\n"
        "1 u                       10    10  ✓\n"
        "  1.1                      —    10  ✓\n\n"
        "总分 3 ≠ (10) / 0 ✗\n\n"
        "问题（1）：\n"
        f"{path}: aggregate.divisor: divisor must be more than 0\n\n"
        "✗ 无效：1 个问题\n"
    )


def test_the_exact_helpers_examples() -> None:
    assert doctest.testmod(_exact).failed == 0
