"""A rule's text and its keys saying different figures: the warnings of `conserv_rubric.validate`.

A transcription copies the standard's wording into ``text`` and its figures into keys; these
tests cover the figures a standard words beyond "得N分" and "每项得N分": the cap ("最高得3分",
"最多扣2分", "满分8分"), a linear rule's step and its points ("每降低1%得0.5分"), and digits
typed full-width ("得２分"), as text pasted from a web page or a Word file has them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from conserv_rubric import Rubric, RubricError, loads_rubric, score, validate

LABEL = "item 1.1 in unit 1 u (units[0].items[0])"


def one_item(item: str, total: str) -> Rubric:
    return loads_rubric(
        f'title = "t"\ntotal = {total}\n[[units]]\ntitle = "u"\npoints = {total}\n\n[[units.items]]\n{item}'
    )


def warnings(rubric: Rubric) -> list[str]:
    found = validate(rubric)
    assert all(p.severity == "warning" for p in found)
    return [str(p) for p in found]


def test_full_width_digits_in_the_text_are_read_as_the_figure_they_show() -> None:
    rubric = one_item('kind = "flag"\npoints = 3\ntext = "建立节能管理制度，得２分"\n', "3")
    assert warnings(rubric) == [f"{LABEL}: warning: the text says 2分, but points = 3"]


def test_full_width_digits_in_a_counter_text() -> None:
    rubric = one_item('kind = "each"\nper = 1\nmax = 2\ntext = "每项得０.５分，最高得２分"\n', "2")
    assert warnings(rubric) == [f"{LABEL}: warning: the text says 每项得0.5分, but per = 1"]
    # what it does: 2 measures would be 1 point by the text, 2 by the keys
    assert score(rubric, {"1.1": 2}).total == 2


@pytest.mark.parametrize(
    ("item", "total", "message"),
    [
        (
            'kind = "each"\nper = 0.5\nmax = 1.5\ntext = "每项得0.5分，最高得2分"\n',
            "1.5",
            f"{LABEL}: warning: the text says 最高得2分, but max = 1.5",
        ),
        (
            'kind = "each"\nper = 1\noptions = ["节能", "节水"]\ntext = "每项得1分，最多得3分"\n',
            "2",
            f"{LABEL}: warning: the text says 最多得3分, but the rule gives at most 2",
        ),
        (
            'kind = "linear"\nstart = 96\nbase = 2\nstep = 1\nper = 2\nmax = 6\nunit = "%"\n'
            'text = "低于96%不得分，每高1个百分点得2分，满分8分"\n',
            "6",
            f"{LABEL}: warning: the text says 满分8分, but max = 6",
        ),
        (
            'kind = "linear"\nstart = 0\nstep = 1\nper = 0.5\nmax = 5\nunit = "%"\n'
            'text = "单位建筑面积能耗每降低1%得0.5分，最高得５分"\n',
            "5",
            None,
        ),
    ],
)
def test_the_cap_the_text_states(item: str, total: str, message: str | None) -> None:
    assert warnings(one_item(item, total)) == ([] if message is None else [message])


def test_the_cap_of_a_counter_the_text_states_changes_the_score() -> None:
    rubric = one_item('kind = "each"\nper = 0.5\nmax = 1.5\ntext = "每项得0.5分，最高得2分"\n', "1.5")
    # 4 measures: the text gives min(4 × 0.5, 2) = 2, the keys min(2, 1.5) = 1.5
    assert score(rubric, {"1.1": 4}).total == Decimal("1.5")


DEDUCTIONS = """kind = "deduct"
points = 5
text = "台账（5分）"
deductions = [
  { kind = "each", per = 0.5, unit = "个月", text = "台账每缺1个月扣0.5分，最多扣2分" },
  { kind = "each", per = 1, unit = "处", text = "每发现一处扣1分，最多扣5分" },
  { kind = "each", per = 1, max = 3, unit = "次", text = "每少一次扣1分，最多扣2分" },
]
"""


def test_the_cap_of_a_deduction_the_text_states() -> None:
    """最多扣2分 with no max takes 0.5 per month beyond 2; 最多扣5分 on a 5-point item is moot."""
    assert warnings(one_item(DEDUCTIONS, "5")) == [
        "part 1.1.a in unit 1 u (units[0].items[0].deductions[0]): warning: the text says 最多扣2分, "
        "but max is not set: the deduction is not capped",
        "part 1.1.c in unit 1 u (units[0].items[0].deductions[2]): warning: the text says 最多扣2分, "
        "but max = 3",
    ]
    # what it does: 8 months missing take 8 × 0.5 = 4 points, not the 2 the text allows
    assert score(one_item(DEDUCTIONS, "5"), {"1.1.a": 8}).total == 1


@pytest.mark.parametrize(
    ("item", "messages"),
    [
        (
            'kind = "linear"\nstart = 0\nstep = 1\nper = 5\nmax = 5\nunit = "%"\n'
            'text = "人均综合能耗每降低1%得0.5分，最高得5分"\n',
            [f"{LABEL}: warning: the text says 每降低1%得0.5分, but per = 5"],
        ),
        (
            'kind = "linear"\nstart = 40\nbase = 10\nstep = 5\nper = 5\nmax = 30\nunit = "%"\n'
            'text = "降低40%得10分，每再降低10%再得5分，最高得30分"\n',
            [f"{LABEL}: warning: the text says 每再降低10%再得5分, but step = 5"],
        ),
        (
            'kind = "linear"\nstart = 0\nstep = 0.01\nper = 0.5\nmax = 5\nrange = [-1, 1]\n'
            'text = "每降低1%得0.5分，最高得5分"\n',
            [],
        ),
        (
            'kind = "linear"\nstart = 0\nstep = 10\nper = 3\nmax = 9\nunit = "%"\n'
            'text = "每超额完成１０％加３分，最多加９分"\n',
            [],
        ),
    ],
)
def test_the_step_and_its_points_the_text_states(item: str, messages: list[str]) -> None:
    total = "30" if "start = 40" in item else "9" if "max = 9" in item else "5"
    assert warnings(one_item(item, total)) == messages


def test_a_deduction_step_the_text_states() -> None:
    rubric = one_item(
        'kind = "deduct"\npoints = 10\n'
        'deductions = [{ kind = "linear", direction = "down", start = 90, step = 2, per = 1, unit = "%", '
        'text = "准确率每低1个百分点扣1分" }]\n',
        "10",
    )
    assert warnings(rubric) == [
        "part 1.1.a in unit 1 u (units[0].items[0].deductions[0]): warning: "
        "the text says 每低1个百分点扣1分, but step = 2"
    ]
    # what it does: 85% is 5 points below 90; the text takes 5, the keys 2 (two whole steps of 2)
    assert score(rubric, {"1.1.a": 85}).total == 8


@pytest.mark.parametrize(
    "text",
    [
        "每项得1分，最高得3分；每次会议得1分，最高得2分",  # two caps: which is which is not said
        "每降低1%得0.5分，每降低2%得1分",  # two different rates
        "按完成率计分",  # nothing said
    ],
)
def test_a_text_that_says_no_one_figure_is_not_read(text: str) -> None:
    item = f'kind = "linear"\nstart = 0\nstep = 1\nper = 7\nmax = 4\nunit = "%"\ntext = "{text}"\n'
    assert warnings(one_item(item, "4")) == []


@pytest.mark.parametrize(
    ("item", "total", "messages"),
    [
        (
            'kind = "flag"\npoints = 3\nat_least = 3\ntext = "每学年开展主题班会不少于4次，得3分"\n',
            "3",
            [f"{LABEL}: warning: the text says 不少于4次, but at_least = 3"],
        ),
        (
            'kind = "each"\nper = 1\nmax = 3\nat_least = 1\nunit = "次"\n'
            'text = "开展主题宣传活动，全年不少于２次，每次得1分，最高得3分"\n',
            "3",
            [f"{LABEL}: warning: the text says 不少于2次, but at_least = 1"],
        ),
        # without at_least the flag is answered true or false: the assessor judges the count
        ('kind = "flag"\npoints = 3\ntext = "每学年开展主题班会不少于4次，得3分"\n', "3", []),
        (
            'kind = "judged"\nrange = [0, 5]\ntext = "由评估组现场考察，酌情给0~3分"\n',
            "5",
            [f"{LABEL}: warning: the text says 0~3分, but range = [0, 5]"],
        ),
        ('kind = "judged"\nrange = [0.5, 3]\ntext = "酌情给０.５～３分"\n', "3", []),
        (
            'kind = "deduct"\npoints = 5\ntext = "用水台账（4分）：未建立台账扣4分"\n'
            'deductions = [{ kind = "flag", points = 4, text = "未建立台账扣4分" }]\n',
            "5",
            [f"{LABEL}: warning: the text says （4分）, but points = 5"],
        ),
        # several bracketed figures: the clauses' own, not the item's
        (
            'kind = "parts"\npoints = 3\ntext = "制度（1分）；台账（2分）"\n'
            'parts = [{ kind = "flag", points = 1 }, { kind = "flag", points = 2 }]\n',
            "3",
            [],
        ),
    ],
)
def test_the_count_range_and_subtotal_the_text_states(item: str, total: str, messages: list[str]) -> None:
    assert warnings(one_item(item, total)) == messages


def test_a_deduction_counted_against_another_threshold() -> None:
    rubric = one_item(
        'kind = "deduct"\npoints = 4\n'
        'deductions = [{ kind = "flag", points = 2, at_least = 2, text = "全年开展节水宣传少于3次扣2分" }]\n',
        "4",
    )
    assert warnings(rubric) == [
        "part 1.1.a in unit 1 u (units[0].items[0].deductions[0]): warning: "
        "the text says 少于3次, but at_least = 2"
    ]
    # what it does: 2 campaigns deduct nothing by the keys, 2 points by the text
    assert score(rubric, {"1.1.a": 2}).total == 4


def test_an_award_without_a_cap_is_one_error_not_also_a_deduction_warning() -> None:
    # The text's 最高得3分 is what the missing max should say; the error says so, and no warning
    # calls the award a deduction.
    with pytest.raises(RubricError) as excinfo:
        one_item('kind = "each"\npoints = 3\nper = 1\ntext = "每项得1分，最高得3分"\n', "3")
    assert str(excinfo.value) == (
        f"{LABEL}: a counter that awards points needs a cap (max) or a closed list of options"
    )


@pytest.mark.parametrize(
    "text",
    [
        "不少于" + "9" * 5000 + "次",  # more digits than int() reads
        "不少于" + "９" * 5000 + "次",
        "1" * 20000 + "分~",  # a range's figure searched from every digit
        "每" * 20000 + "分",  # a counter's 每… clause without an end
        "最高得" + "9" * 5000 + "分",
    ],
)
def test_a_run_of_digits_longer_than_a_figure_is_no_figure(text: str) -> None:
    # Read as no figure (no warning), at once; such text used to raise ValueError or take seconds.
    rubric = one_item(f'kind = "judged"\npoints = 3\nrange = [0, 3]\ntext = "{text}"\n', "3")
    assert warnings(rubric) == []
