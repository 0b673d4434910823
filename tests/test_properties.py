"""The checking API (`conserv_rubric.testing`) on the shipped rubrics, on broken rubrics, and the
scoring properties over generated rubrics of every rule kind."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs
import pytest
from budgets import scaled
from hypothesis import given, settings
from hypothesis import strategies as st

from conserv_rubric import Rubric, ScoreCard, load_rubric, load_sheet, loads_rubric, score, validate
from conserv_rubric._reference import rule_max
from conserv_rubric._tree import children
from conserv_rubric.model import (
    Aggregate,
    Best,
    Cases,
    Condition,
    Each,
    Flag,
    Judged,
    Level,
    Linear,
    Parts,
    Project,
    Row,
    Rule,
    Unit,
)
from conserv_rubric.strategies import rubrics, sheets
from conserv_rubric.testing import (
    PROPERTIES,
    CheckReport,
    PropertyFailure,
    check_rubric,
    check_scoring,
    check_structure,
)

ROOT: Final = Path(__file__).resolve().parent.parent
SHIPPED: Final = sorted((ROOT / "rubrics").rglob("*.toml"))
#: A shipped rubric kept invalid on purpose says so in its header comment.
INVALID_BY_DESIGN: Final = "Expected validator report"
D = Decimal


def test_the_glob_found_rubrics() -> None:
    assert len(SHIPPED) >= 2
    assert ROOT / "rubrics" / "district.toml" in SHIPPED


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=[p.relative_to(ROOT / "rubrics").as_posix() for p in SHIPPED])
def test_shipped_rubric_has_every_property(path: Path) -> None:
    if INVALID_BY_DESIGN in path.read_text(encoding="utf-8"):
        with pytest.raises(PropertyFailure) as excinfo:
            check_rubric(path)
        assert excinfo.value.property == "valid"
        pytest.skip(f"invalid by design (see its header): {str(excinfo.value).splitlines()[1].strip()}")
    report = check_rubric(path, max_examples=scaled(20))
    assert report.properties == PROPERTIES
    assert report.examples >= 1
    assert report.leaves >= 1


# --- broken rubrics are caught -------------------------------------------------------------

COUNTER_OVER_PROJECT = """\
title = "broken"
total = 5

[[units]]
title = "完善制度体系"
points = 5

[[units.projects]]
title = "管理制度"
points = 5

[[units.projects.items]]
kind = "flag"
points = 2

[[units.projects.items]]
kind = "each"
text = "每项得1分，最高得4分"
per = 1
max = 4
"""

LEVEL_ABOVE_TOTAL = """\
title = "broken"
total = 10

[[levels]]
name = "节约型机关"
min = 12

[[units]]
title = "u"
points = 10

[[units.items]]
kind = "flag"
points = 10
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            COUNTER_OVER_PROJECT,
            "project 1.1 管理制度 in unit 1 完善制度体系 (units[0].projects[0]): "
            "declares 5 points, its items add up to 6",
            id="counter cap over its project",
        ),
        pytest.param(
            LEVEL_ABOVE_TOTAL,
            "levels[0].min: level '节约型机关' needs 12 points, above the most a sheet can score (10)",
            id="level above the total",
        ),
    ],
)
def test_broken_rubric_file_is_caught(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PropertyFailure) as excinfo:
        check_rubric(path)
    assert excinfo.value.property == "valid"
    assert (
        str(excinfo.value) == f"property 'valid' failed: the rubric does not validate:\n  {path}: {message}"
    )


def _unit(*items: Rule, points: str | None = None, **kw: Any) -> Unit:
    return Unit(title="u", points=D(points) if points else None, items=items, **kw)


def test_broken_rubric_object_is_caught() -> None:
    rubric = Rubric(
        title="t",
        total=D(5),
        levels=(Level(name="L", min=D(6)),),
        units=(_unit(Flag(points=D(2)), Each(per=D(1), max=D(4)), points="5"),),
    )
    with pytest.raises(PropertyFailure) as excinfo:
        check_rubric(rubric)
    assert str(excinfo.value) == (
        "property 'valid' failed: the rubric does not validate:\n"
        "  unit 1 u (units[0]): declares 5 points, its items add up to 6\n"
        "  levels[0].min: level 'L' needs 6 points, above the most a sheet can score (5)"
    )


def test_unreadable_rubric_is_a_property_failure(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    path.write_text("title = ", encoding="utf-8")
    with pytest.raises(PropertyFailure) as excinfo:
        check_rubric(path)
    assert excinfo.value.property == "valid"
    assert "invalid TOML" in str(excinfo.value)


ALL_KINDS = """\
title = "every kind"
total = 45
na = "exclude"

[[levels]]
name = "合格"
min = 20

[[levels]]
name = "优秀"
min = 35
unit_min = { 1 = 10 }

[[units]]
title = "one"
points = 25

[[units.projects]]
title = "p"
points = 15
nonzero = true

[[units.projects.items]]
kind = "check"
text = "控制项"

[[units.projects.items]]
kind = "flag"
points = 2
zero_if = "未配备人员"

[[units.projects.items]]
kind = "each"
per = 1
max = 3
options = ["节能", "节水", "节材", "垃圾分类"]
at_least = 2

[[units.projects.items]]
kind = "parts"
max = 4
parts = [
  { kind = "flag", points = 2 },
  { kind = "judged", range = [1, 3], step = 0.5 },
  { kind = "flag", points = 1, bonus = true },
]

[[units.projects.items]]
kind = "best"
alternatives = [
  { kind = "flag", points = 6 },
  { kind = "linear", start = 40, step = 10, per = 2, max = 6, steps = "started" },
]

[[units.projects]]
title = "q"
points = 10

[[units.projects.items]]
kind = "bands"
input = "ratio"
bands = [
  { le = 0.9, points = 5 },
  { gt = 0.9, lt = 1.1, points = 3 },
  { ge = 1.1, points = 0 },
]
gate = "veto"
gate_min = 3

[[units.projects.items]]
kind = "deduct"
points = 5
na_if = "无食堂"
deductions = [
  { kind = "flag", points = 2 },
  { kind = "each", per = 1 },
  { kind = "flag", points = 3, at_least = 3 },
  { kind = "linear", start = 100, step = 5, per = 2, direction = "down" },
  { kind = "judged", range = [1, 5] },
]

[[units]]
title = "two"
points = 20

[[units.items]]
kind = "cases"
conditions = [{ text = "完成年度目标" }, { text = "完成累计目标" }]
rows = [
  { when = { a = true, b = true }, points = 15 },
  { when = { b = true }, points = 10 },
  { points = 0 },
]

[[units.items]]
kind = "linear"
start = 0
step = 0.5
per = 0.5
max = 5
digits = 1
steps = "exact"
"""


def test_check_rubric_runs_every_property_on_all_kinds(tmp_path: Path) -> None:
    path = tmp_path / "all.toml"
    path.write_text(ALL_KINDS, encoding="utf-8")
    examples = scaled(30)
    report = check_rubric(path, max_examples=examples)
    assert report == CheckReport(
        title="every kind", leaves=19, examples=report.examples, properties=PROPERTIES
    )
    assert report.examples >= examples


def test_check_rubric_takes_hypothesis_settings(tmp_path: Path) -> None:
    path = tmp_path / "all.toml"
    path.write_text(ALL_KINDS, encoding="utf-8")
    report = check_rubric(path, settings=settings(max_examples=5, database=None))
    assert report.examples == 5


# --- the checks are not vacuous: a wrong score card is caught --------------------------------

DISTRICT: Final = ROOT / "rubrics" / "district.toml"
PASS_SHEET: Final = ROOT / "examples" / "district" / "pass.toml"


class _Lying:
    """A score card that reports some results wrongly and the rest as they are."""

    def __init__(self, card: ScoreCard, **lies: Any) -> None:
        self._card = card
        self._lies = lies

    def __getattr__(self, name: str) -> Any:
        return self._lies[name] if name in self._lies else getattr(self._card, name)


def test_a_wrong_level_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    rubric = load_rubric(DISTRICT)
    sheet = load_sheet(PASS_SHEET)
    assert check_scoring(rubric, sheet).level == "节约型机关"
    monkeypatch.setattr("conserv_rubric._card_checks.score", lambda r, s: _Lying(score(r, s), level=None))
    with pytest.raises(PropertyFailure) as excinfo:
        check_scoring(rubric, sheet)
    assert excinfo.value.property == "level"
    assert str(excinfo.value).startswith(
        "property 'level' failed: level is None at 92 points, expected '节约型机关'\n  answers: {"
    )


def test_a_subtotal_that_ignores_a_cap_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    rubric = Rubric(
        title="t",
        total=D(3),
        units=(
            Unit(
                title="u",
                points=D(3),
                projects=(Project(title="p", max=D(3), items=(Flag(points=D(2)),) * 2),),
            ),
        ),
    )

    def uncapped(r: Rubric, s: Any) -> Any:
        card = score(r, s)
        return _Lying(card, projects=tuple(attrs.evolve(g, points=D(4)) for g in card.projects))

    monkeypatch.setattr("conserv_rubric._card_checks.score", uncapped)
    with pytest.raises(PropertyFailure) as excinfo:
        check_scoring(rubric, {"1.1.1": True, "1.1.2": True})
    assert str(excinfo.value) == (
        "property 'subtotals' failed at 1.1: project scores 4, its items give 3\n"
        '  answers: {"1.1.1": true, "1.1.2": true}'
    )


def test_a_counter_over_its_cap_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # a counter compiled without its cap
    monkeypatch.setattr(
        "conserv_rubric._card_checks.compile_rule", lambda rule, address, penalty: lambda a: D(5)
    )
    rubric = Rubric(title="t", total=D(3), units=(_unit(Each(per=D(1), max=D(3)), points="3"),))
    with pytest.raises(PropertyFailure) as excinfo:
        check_scoring(rubric, {"1.1": 5})
    assert str(excinfo.value) == (
        "property 'capped-counter' failed at 1.1: 5 × 1 (max 3) awards 5, expected 3\n  answers: {\"1.1\": 5}"
    )


def test_a_score_that_falls_when_more_is_met_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    rubric = Rubric(title="t", total=D(3), units=(_unit(Flag(points=D(1)), Flag(points=D(2)), points="3"),))

    def perverse(r: Rubric, answers: Any) -> Any:
        # meeting 1.1 loses everything else: a non-monotone scorer
        return score(r, {} if answers.get("1.1") is True else answers)

    monkeypatch.setattr("conserv_rubric._card_checks.score", perverse)
    with pytest.raises(PropertyFailure) as excinfo:
        check_scoring(rubric, {"1.2": True})
    assert str(excinfo.value) == (
        "property 'monotone' failed at 1.1: False → True (more met) made the result worse: "
        "total 2 → 0; unit 1 2 → 0\n"
        '  answers: {"1.2": true}'
    )


def test_check_rubric_reports_one_shrunk_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "all.toml"
    path.write_text(ALL_KINDS, encoding="utf-8")
    monkeypatch.setattr(
        "conserv_rubric._card_checks.score", lambda r, s: _Lying(score(r, s), total=score(r, s).total + 1)
    )
    with pytest.raises(PropertyFailure) as excinfo:
        check_rubric(path, settings=settings(max_examples=20, database=None))
    assert excinfo.value.property == "subtotals"
    # shrunk to the empty sheet: the deduct item scores 0, since its measured (linear) and
    # at_least deductions are unanswered and so cannot be computed
    assert str(excinfo.value) == "property 'subtotals' failed: total is 1, its units give 0\n  answers: {}"


def test_a_property_failure_survives_pickling() -> None:
    failure = PropertyFailure("bounds", "item scores 6, outside 0 … 5", address="2.2.2", answers={"2.2.2": 6})
    again = pickle.loads(pickle.dumps(failure))
    assert (again.property, again.address, again.detail, again.answers) == (
        "bounds",
        "2.2.2",
        failure.detail,
        {"2.2.2": 6},
    )
    assert (
        str(again)
        == str(failure)
        == "property 'bounds' failed at 2.2.2: item scores 6, outside 0 … 5\n  answers: {\"2.2.2\": 6}"
    )


# --- structure: what validates but cannot work ----------------------------------------------


def _one(rule: Rule, **rubric: Any) -> Rubric:
    """A one-item rubric around *rule* whose totals add up (for rules the validator accepts)."""
    top = rule_max(rule) or D(1)
    return Rubric(title="t", total=top, units=(_unit(rule),), **rubric)


STRUCTURE = [
    pytest.param(
        Rubric(title="t", total=D(2), units=(_unit(Flag(points=D(2)), Flag(points=D(3), bonus=True)),)),
        "1.2: bonus belongs on a part of a parts item (over-achievement beyond its points)",
        id="bonus on an item",
    ),
    pytest.param(
        Rubric(title="t", total=D(2), units=(_unit(Flag(points=D(2)), Best(alternatives=())),)),
        "1.2: alternatives is empty",
        id="empty best",
    ),
    pytest.param(
        _one(Each(per=D(1), options=("节能", "节水"), at_least=3)),
        "1.1: at_least 3 cannot be reached: the standard lists 2 options",
        id="at_least beyond the options",
    ),
    pytest.param(
        _one(Judged(range=(D(1), D(5)), step=D(2))),
        "1.1: range [1, 5] has an end that is not a multiple of step 2",
        id="judged range off its step",
    ),
    pytest.param(
        _one(Linear(start=D(0), step=D(1), per=D("0.85"), max=D("2.55"), digits=1)),
        "1.1: max 2.55 has more decimals than digits = 1: "
        "an award at the cap is not rounded to 1 decimal places",
        id="linear cap below its rounding",
    ),
    pytest.param(
        _one(
            Cases(
                conditions=(Condition(), Condition()),
                rows=(Row(points=D(1)), Row(when={"a": True}, points=D(5))),
            )
        ),
        "1.1: row 2 (5 points) is never used: the rows before it match every case it matches",
        id="cases row shadowed",
    ),
    pytest.param(
        _one(Parts(zero_if="未配备人员", parts=(Flag(id="zero", points=D(2)), Flag(points=D(2))))),
        "1.1: duplicate answer address 1.1.zero",
        id="two answers at one address",
    ),
    pytest.param(
        Rubric(
            title="t",
            total=D(2),
            aggregate=Aggregate(weights={"2": D(0)}),
            units=(_unit(Flag(points=D(2))), _unit(Flag(points=D(2)))),
        ),
        "aggregate.weights: the weight of unit 2 must be more than 0, got 0",
        id="zero weight",
    ),
]


@pytest.mark.parametrize(("rubric", "message"), STRUCTURE)
def test_structure_problems_are_reported(rubric: Rubric, message: str) -> None:
    assert "\n".join(check_structure(rubric)) == message


@pytest.mark.parametrize(("rubric", "message"), STRUCTURE)
def test_structure_problems_fail_the_check(rubric: Rubric, message: str) -> None:
    if any(p.severity == "error" for p in validate(rubric)):  # refused outright: the check says so first
        with pytest.raises(PropertyFailure) as refused:
            check_rubric(rubric, max_examples=1)
        assert refused.value.property == "valid"
        return
    with pytest.raises(PropertyFailure) as excinfo:
        check_rubric(rubric, max_examples=1)
    assert excinfo.value.property == "structure"
    assert excinfo.value.address == message.split(":", maxsplit=1)[0]
    assert str(excinfo.value) == "property 'structure' failed: " + message.replace("\n", "\n  ")


# --- bugs the property search found in the core, each with a minimal reproduction ----------


def test_rescale_honours_a_project_cap() -> None:
    rubric = Rubric(
        title="t",
        total=D(4),
        na="rescale",
        digits=2,
        units=(
            Unit(
                title="u",
                points=D(4),
                projects=(
                    Project(
                        title="p",
                        points=D(4),
                        max=D(4),
                        items=(Flag(points=D(3), na_if="x"), Flag(points=D(3), na_if="y")),
                    ),
                ),
            ),
        ),
    )
    assert validate(rubric) == []
    card = score(rubric, {"1.1.1": True, "1.1.2.na": True})
    assert card.units[0].points == 4  # 3 of the 3 that applied, scaled to 4


def test_empty_best_is_refused() -> None:
    rubric = Rubric(
        title="t", total=D(2), units=(_unit(Flag(points=D(2)), Best(alternatives=()), points="2"),)
    )
    assert validate(rubric) != []


def test_bonus_on_an_item_is_refused() -> None:
    rubric = Rubric(title="t", total=D(2), units=(_unit(Flag(points=D(2)), Flag(points=D(3), bonus=True)),))
    assert validate(rubric) != []


def test_linear_rounding_stays_within_max() -> None:
    rubric = _one(Linear(start=D(0), step=D(1), per=D("0.85"), max=D("2.55"), digits=1))
    assert validate(rubric) != [] or score(rubric, {"1.1": D(10)}).total <= D("2.55")


def test_two_answers_at_one_address_are_refused() -> None:
    rubric = _one(Parts(zero_if="未配备人员", parts=(Flag(id="zero", points=D(2)), Flag(points=D(2)))))
    assert validate(rubric) != []


def test_non_positive_weights_are_refused() -> None:
    rubric = Rubric(
        title="t",
        total=D(2),
        aggregate=Aggregate(weights={"2": D(0)}),
        units=(_unit(Flag(points=D(2))), _unit(Flag(points=D(4)))),
    )
    assert validate(rubric) != []


def test_unreachable_points_are_refused() -> None:
    shadowed = _one(
        Cases(conditions=(Condition(),), rows=(Row(points=D(1)), Row(when={"a": True}, points=D(5))))
    )
    assert validate(shadowed) != []


# --- scoring properties over generated rubrics ----------------------------------------------


def _nodes(rule: Rule) -> Iterator[Rule]:
    yield rule
    for child in children(rule):
        yield from _nodes(child)


@given(st.data())
def test_scoring_properties_hold(data: st.DataObject) -> None:
    rubric = data.draw(rubrics(), label="rubric")
    check_scoring(rubric, data.draw(sheets(rubric), label="sheet"))


@pytest.mark.slow
@pytest.mark.parametrize(
    "kinds",
    [("each", "flag"), ("deduct",), ("parts", "best", "linear", "judged"), ("bands", "cases", "check")],
    ids="+".join,
)
def test_monotone_and_capped_by_kind(kinds: tuple[str, ...]) -> None:
    @settings(max_examples=scaled(20))
    @given(st.data())
    def run(data: st.DataObject) -> None:
        rubric = data.draw(rubrics(kinds=kinds), label="rubric")
        check_scoring(rubric, data.draw(sheets(rubric), label="sheet"))

    run()


@pytest.mark.parametrize("direction", ["up", "down"])
def test_the_kit_steps_a_linear_figure_within_its_declared_range(direction: str) -> None:
    # "每低1个百分点扣…" with range = [0, 100]: a step from 95 must not try 105 (or −5), which
    # score() refuses; the kit once reported such a rubric's valid sheets as refused.
    rubric = loads_rubric(
        'title = "t"\ntotal = 10\n[[units]]\ntitle = "u"\npoints = 10\n[[units.items]]\n'
        f'kind = "linear"\ntext = "x"\nstart = {0 if direction == "up" else 100}\nstep = 10\nper = 1\n'
        f'max = 10\nunit = "%"\nrange = [0, 100]\ndirection = "{direction}"\n'
    )
    report = check_rubric(rubric, max_examples=scaled(60))
    assert report.examples >= scaled(60) // 2


def test_a_shipped_rubric_is_checked_by_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As `load_rubric` and ``conserv-rubric test`` read it: a bare word names a shipped rubric."""
    monkeypatch.chdir(tmp_path)
    report = check_rubric("district", max_examples=scaled(5))
    assert report.title == "XX区节约型机关评价标准"
    with pytest.raises(PropertyFailure) as excinfo:
        check_rubric("distrct")
    assert str(excinfo.value) == (
        "property 'valid' failed: distrct cannot be read:\n"
        "  distrct: no such file, nor a shipped rubric of that name"
        " (did you mean 'district' or 'yy-district'?)"
    )
