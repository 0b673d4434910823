"""Silent meaning errors: rubrics that load and score, but not as the standard says (issue #12).

Each is a warning (`Problem.severity == "warning"`): `validate` lists it, `load_rubric` still
loads the rubric, ``conserv-rubric check`` prints it and ``check --strict`` exits 1. Messages are
checked whole, and where the mistake changes a score the test shows how.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import Rubric, loads_rubric, score, validate
from conserv_rubric.cli import main

LABEL = "item 1.1 in unit 1 u (units[0].items[0])"


def one_item(item: str, total: str, head: str = "") -> Rubric:
    return loads_rubric(
        f'title = "t"\ntotal = {total}\n{head}\n[[units]]\ntitle = "u"\npoints = {total}\n\n'
        f"[[units.items]]\n{item}"
    )


def warnings(rubric: Rubric) -> list[str]:
    found = validate(rubric)
    assert all(p.severity == "warning" for p in found)
    return [str(p) for p in found]


SHORTFALL_UP = """kind = "deduct"
points = 30

[[units.items.deductions]]
kind = "linear"
start = 90
step = 1
per = 2
unit = "%"
text = "投放准确率每低1个百分点扣2分"
"""


def test_a_shortfall_deduction_counted_upwards() -> None:
    rubric = one_item(SHORTFALL_UP, "30")
    assert warnings(rubric) == [
        "part 1.1.a in unit 1 u (units[0].items[0].deductions[0]): warning: "
        '"投放准确率每低1个百分点扣2分" deducts for a figure below 90, but direction is "up", which '
        'deducts for one above it (91 loses 2 points, 89 none); write direction = "down"'
    ]
    # what it does: 95 % loses 5 × 2 = 10 points, 85 % loses none
    assert score(rubric, {"1.1.a": 95}).total == Decimal("20")
    assert score(rubric, {"1.1.a": 85}).total == Decimal("30")


def test_a_shortfall_said_by_the_item_and_counted_upwards() -> None:
    # The item says "每低1个百分点扣2分"; its one deduction is labelled only "准确率".
    rubric = one_item(
        'kind = "deduct"\ntext = "投放准确率不低于90%，每低1个百分点扣2分"\npoints = 10\n'
        'deductions = [{ kind = "linear", text = "准确率", start = 90, step = 1, per = 2, max = 10 }]\n',
        "10",
    )
    assert warnings(rubric) == [
        "part 1.1.a in unit 1 u (units[0].items[0].deductions[0]): warning: "
        '"投放准确率不低于90%，每低1个百分点扣2分" deducts for a figure below 90, but direction is "up", '
        'which deducts for one above it (91 loses 2 points, 89 none); write direction = "down"'
    ]
    assert score(rubric, {"1.1.a": 85}).total == Decimal("10")  # 5 points short, nothing taken


def test_an_excess_deduction_counted_downwards() -> None:
    rubric = one_item(
        'kind = "deduct"\npoints = 10\ndeductions = [{ kind = "linear", direction = "down", start = 5, '
        'step = 1, per = 1, unit = "%", text = "漏失率每高1%扣1分" }]\n',
        "10",
    )
    assert warnings(rubric) == [
        "part 1.1.a in unit 1 u (units[0].items[0].deductions[0]): warning: "
        '"漏失率每高1%扣1分" deducts for a figure above 5, but direction is "down", which deducts for '
        'one below it (4 loses 1 point, 6 none); leave direction out, or write "up"'
    ]


def test_a_shortfall_answered_as_the_shortfall_itself_is_fine() -> None:
    """四川 水重复利用率 "每低1%扣1分" answered with the points below the industry level: counting
    up from 0 is right (rubrics/sichuan-jieshui-qiye.toml 1.2)."""
    rubric = one_item(
        'kind = "deduct"\npoints = 15\ndeductions = [{ kind = "linear", start = 0, step = 1, per = 1, '
        'max = 15, unit = "%", text = "每低1%扣1分，扣完为止" }]\n',
        "15",
    )
    assert warnings(rubric) == []


def test_a_deduction_larger_than_its_item() -> None:
    """扣15分 typed for 扣5分 on a 10-point item: one finding takes the whole item."""
    rubric = one_item(
        'kind = "deduct"\npoints = 10\n'
        'deductions = [{ kind = "flag", points = 15, text = "未建立台账扣5分" }]\n',
        "10",
    )
    assert warnings(rubric) == [
        f"{LABEL[:-1]}.deductions[0]): warning: deduction 1.1.a takes 15 points at once, more than the 10 "
        "points the item has",
        "part 1.1.a in unit 1 u (units[0].items[0].deductions[0]): warning: "
        "the text says 5分, but points = 15",
    ]
    assert score(rubric, {"1.1.a": True}).total == 0


def test_a_per_count_deduction_larger_than_its_item() -> None:
    rubric = one_item('kind = "deduct"\npoints = 2\ndeductions = [{ kind = "each", per = 3 }]\n', "2")
    assert warnings(rubric) == [
        f"{LABEL[:-1]}.deductions[0]): warning: deduction 1.1.a takes 3 points at once, more than the 2 "
        "points the item has"
    ]


@pytest.mark.parametrize(
    ("item", "shown", "rate"),
    [
        (
            'kind = "bands"\nunit = "%"\nbands = [{ lt = 0.6, points = 0 }, '
            "{ ge = 0.6, le = 0.85, points = 4 }, { gt = 0.85, points = 8 }]\n",
            "0.6, 0.85",
            ("85", "0.85"),
        ),
        (
            'kind = "linear"\nunit = "%"\nstart = 0.9\nstep = 0.01\nper = 1\nmax = 5\n',
            "0.9, 0.95",
            ("95", "0.95"),
        ),
    ],
)
def test_a_percentage_typed_as_a_fraction(item: str, shown: str, rate: tuple[str, str]) -> None:
    total = "8" if "bands" in item else "5"
    rubric = one_item(item, total)
    assert warnings(rubric) == [
        f'{LABEL}: warning: the unit is "%" but every figure the rule compares with ({shown}) lies '
        f"between 0 and 1: a rate of {rate[0]}% is written {rate[0]}, not {rate[1]}; if answers are "
        "fractions, declare range = [0, 1] and drop the unit"
    ]


def test_a_rate_without_a_unit_typed_as_a_fraction() -> None:
    rubric = one_item(
        'kind = "bands"\ntext = "满意率"\nbands = [{ lt = 0.85, points = 0 }, { ge = 0.85, points = 5 }]\n',
        "5",
    )
    assert warnings(rubric) == [
        f'{LABEL}: warning: "满意率" reads as a rate but every figure the rule compares with (0.85) lies '
        "between 0 and 1: a rate of 85% is written 85, not 0.85; write the figures as percentages with "
        'unit = "%", or declare range = [0, 1] if answers are fractions'
    ]
    declared = one_item(
        'kind = "bands"\ntext = "满意率"\nrange = [0, 1]\n'
        "bands = [{ lt = 0.85, points = 0 }, { ge = 0.85, points = 5 }]\n",
        "5",
    )
    assert warnings(declared) == []
    # The rate may be named by the figure's `measure` alone; the warning names what says so.
    measured = one_item(
        'kind = "bands"\ntext = "群众评价"\nmeasure = "满意率"\n'
        "bands = [{ lt = 0.85, points = 0 }, { ge = 0.85, points = 5 }]\n",
        "5",
    )
    assert [w.split(" but ")[0] for w in warnings(measured)] == [
        f'{LABEL}: warning: "满意率" reads as a rate'
    ]


def test_a_percentage_band_rubric_in_percent_is_fine() -> None:
    rubric = one_item(
        'kind = "bands"\nunit = "%"\nbands = [{ lt = 60, points = 0 }, { ge = 60, points = 8 }]\n', "8"
    )
    assert warnings(rubric) == []


@pytest.mark.parametrize(
    ("item", "total", "message"),
    [
        (
            'kind = "bands"\nrange = [0, 100]\nbands = [{ lt = 60, points = 0 }, { ge = 60, le = 850, '
            "points = 4 }, { gt = 850, points = 8 }]\n",
            "8",
            "edge 850 lies outside range [0, 100]: no answer reaches it",
        ),
        (
            'kind = "linear"\nrange = [0, 100]\nstart = 96\nstep = 10\nper = 2\nmax = 8\n',
            "8",
            "the figure of the cap 136 lies outside range [0, 100]: no answer reaches it",
        ),
        (
            'kind = "linear"\nrange = [0, 1]\nstart = 90\nstep = 1\nper = 2\nmax = 8\n',
            "8",
            "start 90, the figure of the cap 94 lie outside range [0, 1]: no answer reaches them",
        ),
    ],
)
def test_edges_outside_the_declared_range(item: str, total: str, message: str) -> None:
    assert warnings(one_item(item, total)) == [f"{LABEL}: warning: {message}"]


def test_a_dotted_condition_id() -> None:
    rubric = one_item(
        'kind = "cases"\nconditions = [{ id = "a.b" }, { id = "c" }]\n'
        'rows = [{ when = { "a.b" = true }, points = 3 }, { points = 0 }]\n',
        "3",
    )
    assert warnings(rubric) == [
        f"{LABEL[:-1]}.conditions[0].id): warning: condition id 'a.b' holds a dot: its answer address "
        "1.1.a.b reads as a part of a part; use letters, digits, '-' or '_'"
    ]


@pytest.mark.parametrize(
    ("item", "head", "message"),
    [
        (
            'kind = "flag"\npoints = 3\ngate = "required"\ngate_min = 0\n',
            "",
            f"{LABEL}: warning: gate_min 0 never fails: every score reaches it",
        ),
        (
            'kind = "bands"\nrange = [0, 100]\ngate = "required"\ngate_figure = { ge = 600 }\n'
            "bands = [{ lt = 60, points = 0 }, { ge = 60, points = 3 }]\n",
            "",
            f"{LABEL[:-1]}.gate_figure): warning: gate_figure bound 600 lies outside range [0, 100]",
        ),
        (
            'kind = "each"\nper = 2\nmax = 4\ntext = "每项得1分，最高得4分"\n',
            "",
            f"{LABEL}: warning: the text says 每项得1分, but per = 2",
        ),
        (
            'kind = "flag"\npoints = 3\n',
            "published = 3",
            "published: warning: published 3 equals the points transcribed: nothing is missing, "
            "leave published out",
        ),
    ],
)
def test_kin_of_the_silent_errors(item: str, head: str, message: str) -> None:
    total = "4" if "per = 2" in item else "3"
    assert warnings(one_item(item, total, head)) == [message]


def test_check_prints_warnings_and_strict_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(
        f'title = "t"\ntotal = 30\n[[units]]\ntitle = "u"\npoints = 30\n[[units.items]]\n{SHORTFALL_UP}'
    )
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "警告（1）：\n" in out
    assert out.endswith("⚠ 1 个警告（check --strict 时视为不通过）\n")
    assert main(["check", "--strict", str(path)]) == 1


def test_a_gate_figure_typed_as_a_fraction() -> None:
    # "未达到标准60%不能被表彰" with the 60 written 0.6: 55 % would pass the gate.
    rubric = one_item(
        'kind = "bands"\ntext = "满意率"\nunit = "%"\nrange = [0, 100]\ngate = "required"\n'
        "gate_figure = { ge = 0.6 }\nbands = [{ le = 85, points = 0 }, { gt = 85, points = 8 }]\n",
        "8",
    )
    assert warnings(rubric) == [
        f"{LABEL}: warning: gate_figure ge = 0.6 reads as a fraction, but the rule's figures are "
        "percentages: a rate of 60% is written 60"
    ]
    assert score(rubric, {"1.1": Decimal(55)}).failed_gates == ()


@pytest.mark.parametrize("said", ["每减少1个百分点扣2分", "每降1%扣2分", "按差距扣分"])
def test_other_shortfall_wordings_counted_upwards(said: str) -> None:
    rubric = one_item(
        f'kind = "deduct"\npoints = 30\ndeductions = [{{ kind = "linear", start = 90, step = 1, per = 2, '
        f'unit = "%", text = "投放准确率{said}" }}]\n',
        "30",
    )
    assert warnings(rubric) == [
        "part 1.1.a in unit 1 u (units[0].items[0].deductions[0]): warning: "
        f'"投放准确率{said}" deducts for a figure below 90, but direction is "up", which deducts for '
        'one above it (91 loses 2 points, 89 none); write direction = "down"'
    ]


def test_a_level_typed_as_a_share() -> None:
    rubric = one_item(
        'kind = "judged"\nrange = [0, 100]\n', "100", head='[[levels]]\nname = "节约型机关"\nmin = 0.8\n'
    )
    assert warnings(rubric) == [
        "levels[0].min: warning: level '节约型机关' needs 0.8 of 100 points, which reads as a share: 80% "
        "of the total is min = 80"
    ]
    assert score(rubric, {"1.1": Decimal(1)}).level == "节约型机关"  # 1 point of 100 reaches it
