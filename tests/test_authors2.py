"""Standards worded as other provinces word them (tests/data/authors2/), and what writing them found.

Each rubric there transcribes no published standard: it is written from how 节约型机关, 绿色学校 and
节水型单位 standards are worded, mixing capped counters, rates, deductions floored at 0, vetoes,
bonus pools, not-applicable items, several levels, ★ items and projects and verifier-only items.
Every sheet's ``[expect]`` was worked out by hand in its header comment.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import (
    Rubric,
    RubricError,
    Sheet,
    SheetError,
    SheetInfo,
    cli,
    loads_rubric,
    score,
    validate,
)
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric.gaps import gap

ROOT = Path(__file__).resolve().parent.parent
AUTHORS = ROOT / "tests" / "data" / "authors2"
WRITTEN = [
    # 节约型机关: rescaled N/A items, a veto, a ★ item, a ★ project, a capped bonus unit, three levels.
    ("jia-jieyue.toml", ["foujue", "kouwan", "lianghao", "youxiu", "zhesuan"]),
    # 绿色学校: ★ project, best, cases, zero_if, zero_at, a figure gate, a zero gate, unit_min.
    ("yi-lvse-xuexiao.toml", ["danyuan", "shigu", "xingxiang", "youxiu", "zisping"]),
    # 节水型单位 with 垃圾分类: N/A items at full marks, a project cap, a figure gate with gate_min,
    # exclusive and conditional deductions, a count threshold as a deduction, 79.5 against 80.
    ("bing-jieshui.toml", ["bucheng", "jiliang", "kouwan", "mingming", "zipingna"]),
]


def test_every_rubric_written_is_listed() -> None:
    assert sorted(p.name for p in AUTHORS.glob("*.toml")) == sorted(n for n, _ in WRITTEN)


@pytest.mark.parametrize(("name", "sheets"), WRITTEN, ids=[n for n, _ in WRITTEN])
def test_a_standard_worded_elsewhere_scores_its_sheets_as_worked_by_hand(
    name: str, sheets: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    rubric = AUTHORS / name
    found = sorted(p.stem for p in (AUTHORS / rubric.stem).glob("*.toml"))
    assert found == sheets
    items = read_rubric(rubric)[0]
    assert validate(items) == []
    assert cli.main(["check", "--strict", str(rubric)]) == 0
    capsys.readouterr()
    paths = [str(AUTHORS / rubric.stem / f"{s}.toml") for s in sheets]
    code = cli.main(["test", "--no-properties", str(rubric), *paths])
    out = capsys.readouterr().out
    assert (code, out.splitlines()[-1]) == (0, f"{len(sheets)} of {len(sheets)} example sheets as expected")


# --- a ★ project that only the verifier scores -----------------------------------------------

STAR_VERIFIER = """title = "示例：★项目由核查方评分"
total = 10

[[levels]]
name = "合格"
min = 3

[[units]]
title = "创建成效"
points = 10

[[units.projects]]
title = "★现场考察"
points = 5
nonzero = true

[[units.projects.items]]
kind = "judged"
text = "由评估组现场考察评分（0~4分）"
range = [0, 4]
verifier_only = true

[[units.projects.items]]
kind = "flag"
text = "由评估组核验创建档案，得1分"
points = 1
verifier_only = true

[[units.projects.items]]
kind = "check"
text = "接受现场考察"

[[units.projects]]
title = "宣传"
points = 5

[[units.projects.items]]
kind = "flag"
text = "开展主题宣传，得5分"
points = 5
"""


def _sheet(stage: str, answers: dict[str, object]) -> Sheet:
    return Sheet(info=SheetInfo(agency="乙校", stage=stage), answers=answers)


def _scored_three_times(rubric: Rubric, sheet: Sheet) -> list[tuple[Decimal, str | None, list[str]]]:
    """The card of *sheet* scored three times: by the interpreter, then by the generated plan."""
    cards = [score(rubric, sheet) for _ in range(3)]
    return [(c.total, c.level, [g.address for g in c.failed_gates]) for c in cards]


def test_a_star_project_the_verifier_alone_scores_is_not_failed_by_a_self_assessment() -> None:
    """The school cannot score 1.1 itself (both its pointed items are the verifier's), so its
    self-assessment does not fail the ★ rule there, as a ★ item only a verifier scores is not."""
    rubric = loads_rubric(STAR_VERIFIER)
    mine = _sheet("self", {"1.1.3": True, "1.2.1": True})
    # 1.1 withheld: 0; 1.2: 5; total 5 ≥ 3 → 合格
    assert _scored_three_times(rubric, mine) == [(Decimal(5), "合格", [])] * 3
    # the verifier scores it: 0 on the ★ project fails it
    theirs = _sheet("verified", {"1.1.1": 0, "1.1.2": False, "1.1.3": True, "1.2.1": True})
    assert _scored_three_times(rubric, theirs) == [(Decimal(5), None, ["1.1"])] * 3
    # and 3 + 1 there passes it: 4 + 5 = 9
    theirs = _sheet("verified", {"1.1.1": 3, "1.1.2": True, "1.1.3": True, "1.2.1": True})
    assert _scored_three_times(rubric, theirs) == [(Decimal(9), "合格", [])] * 3


def test_a_star_project_the_agency_scores_in_part_is_still_evaluated() -> None:
    """With an item of its own in the ★ project, a self-assessment that scores 0 there fails."""
    text = STAR_VERIFIER.replace(
        'text = "由评估组核验创建档案，得1分"\npoints = 1\nverifier_only = true',
        'text = "建立创建档案，得1分"\npoints = 1',
    )
    rubric = loads_rubric(text)
    mine = _sheet("self", {"1.1.2": False, "1.1.3": True, "1.2.1": True})
    assert _scored_three_times(rubric, mine) == [(Decimal(5), None, ["1.1"])] * 3


def test_the_gap_of_such_a_self_assessment_is_held_back_by_no_gate() -> None:
    rubric = loads_rubric(STAR_VERIFIER.replace("min = 3", "min = 8"))
    found = gap(score(rubric, _sheet("self", {"1.1.3": True, "1.2.1": True})))
    # 5 of 8, and nothing the agency answers raises it: its 1.1 is the verifier's, listed apart
    assert found.failed_gates == ()
    assert found.target is not None
    assert (found.target.missing, found.target.reachable, found.target.plan) == (Decimal(3), False, ())
    assert [w.address for w in found.withheld] == ["1.1.1", "1.1.2"]


# --- naming a unit by its title, or typing an address full-width ---------------------------------

NAMED = """title = "示例"
total = 10

[[levels]]
name = "合格"
min = 6
unit_min = {{ {unit_min} }}
{aggregate}
[[units]]
title = "组织管理"
points = 10

[[units.items]]
kind = "flag"
text = "得10分"
points = 10
"""


@pytest.mark.parametrize(
    ("unit_min", "aggregate", "messages"),
    [
        (
            '"组织管理" = 6',
            "",
            [
                "levels[0].unit_min: no unit at address '组织管理' ('组织管理' is the title of unit 1: "
                'a unit is named by its address, write "1")'
            ],
        ),
        (
            '"１" = 6',
            "",
            ["levels[0].unit_min: no unit at address '１' (did you mean '1'? '１' is typed full-width)"],
        ),
        (
            '"1" = 6',
            '[aggregate]\nweights = { "组织管理" = 0.5 }\n',
            [
                "aggregate.weights: no unit at address '组织管理' ('组织管理' is the title of unit 1: "
                'a unit is named by its address, write "1")'
            ],
        ),
        # an address that is neither keeps the plain message (tests/data/errors/09-levels)
        ('"9" = 6', "", ["levels[0].unit_min: no unit at address '9'"]),
    ],
)
def test_a_unit_named_by_its_title_or_typed_full_width(
    unit_min: str, aggregate: str, messages: list[str]
) -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(NAMED.format(unit_min=unit_min, aggregate=aggregate))
    assert str(excinfo.value) == "\n".join(messages)


def test_an_expectation_naming_a_unit_by_its_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(NAMED.format(unit_min='"1" = 6', aggregate=""), encoding="utf-8")
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(
        '[sheet]\nagency = "甲"\n[answers]\n"1.1" = true\n'
        '[expect]\ntotal = 10\nunits = { "组织管理" = 10 }\nitems = { "１.１" = 10 }\n',
        encoding="utf-8",
    )
    assert cli.main(["test", "--no-properties", str(rubric), str(sheet)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{sheet}: expect.units.\"组织管理\": the rubric has no unit '组织管理' ('组织管理' is the title of "
        'unit 1: a unit is named by its address, write "1")',
        f"{sheet}: expect.items.\"１.１\": the rubric has no item '１.１' (did you mean '1.1'? '１.１' is "
        "typed full-width)",
    ]


def test_an_answer_at_an_address_typed_full_width() -> None:
    rubric = loads_rubric(NAMED.format(unit_min='"1" = 6', aggregate=""))
    with pytest.raises(SheetError) as excinfo:
        score(rubric, {"１.１": True})
    assert (
        str(excinfo.value)
        == "answers.\"１.１\": unknown address '１.１' (did you mean '1.1'? '１.１' is typed full-width)"
    )


def test_a_key_typed_full_width() -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(
            'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\npoints = 1\n"ｍａｘ" = 1\n'
            '[[units.items]]\nkind = "flag"\npoints = 1\n'
        )
    assert (
        str(excinfo.value)
        == "units[0]: unknown key 'ｍａｘ' (did you mean 'max'? 'ｍａｘ' is typed full-width)"
    )


# --- a rounded rate: the reason shows the product before the rounding ----------------------------

RATE = """title = "示例"
total = 2

[[units]]
title = "分类成效"
points = 2

[[units.items]]
kind = "linear"
text = "员工分类知晓率按比例计分：得分 = 2分 × 知晓率，结果保留一位小数"
measure = "知晓率"
unit = "%"
range = [0, 100]
start = 0
step = {step}
per = {per}
steps = "exact"
digits = 1
max = 2
"""


@pytest.mark.parametrize(
    ("step", "per", "rate", "points", "why"),
    [
        # 2 × 33.3% = 0.666 → 0.7: the card said "33.3 × 0.02分 = 0.7分"
        ("1", "0.02", "33.3", "0.7", "知晓率33.3%：33.3 × 0.02分 = 0.666分，保留1位小数为0.7分（最高2分）"),
        # 2 × 74.5% = 1.49 → 1.5
        ("1", "0.02", "74.5", "1.5", "知晓率74.5%：74.5 × 0.02分 = 1.49分，保留1位小数为1.5分（最高2分）"),
        # exact already: nothing to say about rounding
        ("1", "0.02", "75", "1.5", "知晓率75%：75 × 0.02分 = 1.5分（最高2分）"),
        # 2 points per 300%: 50% gives 1/3 point, which no decimal writes; 0.3 once rounded
        ("300", "2", "50", "0.3", "知晓率50%：50/300 × 2分 ≈ 0.3分（保留1位小数）（最高2分）"),
    ],
)
def test_a_rounded_rate_shows_the_exact_product(
    step: str, per: str, rate: str, points: str, why: str
) -> None:
    card = score(loads_rubric(RATE.format(step=step, per=per)), {"1.1": Decimal(rate)})
    assert (card.items["1.1"].points, card.items["1.1"].reason) == (Decimal(points), why)
