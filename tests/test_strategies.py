"""The public hypothesis strategies: generated rubrics validate and round-trip, sheets score,
and sheets with one mistake are refused with a message naming the address."""

from __future__ import annotations

import contextlib
import csv
import json
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import tomli_w
from budgets import scaled
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

from conserv_rubric import (
    Rubric,
    ScoreCard,
    Sheet,
    SheetError,
    SheetInfo,
    dumps_rubric,
    load_sheets,
    loads_rubric,
    loads_sheet,
    score,
    validate,
)
from conserv_rubric._tree import children
from conserv_rubric.model import RULE_KINDS, Bands, Each, Flag, Linear, Parts, Rule, Tiers
from conserv_rubric.strategies import MISTAKES, Mistake, answers, invalid_sheets, rubrics, sheets
from conserv_rubric.testing import check_structure

#: Settings for `find`: search long, and stop at the first example (no shrinking).
FIND = settings(max_examples=3000, database=None, phases=[Phase.generate])


def _rules(rubric: Rubric) -> Iterator[tuple[Rule, bool]]:
    """Every rule of *rubric*, with whether it is an item (not nested)."""

    def nested(rule: Rule, top: bool) -> Iterator[tuple[Rule, bool]]:
        yield rule, top
        for child in children(rule):
            yield from nested(child, False)

    for unit in rubric.units:
        for project in unit.projects:
            for item in project.items:
                yield from nested(item, True)
        for item in unit.items:
            yield from nested(item, True)


def _depth(rule: Rule) -> int:
    return 1 + max((_depth(c) for c in children(rule)), default=-1)


# --- rubrics -------------------------------------------------------------------------------


@given(rubrics())
def test_generated_rubrics_validate(rubric: Rubric) -> None:
    assert validate(rubric) == []
    assert check_structure(rubric) == []
    assert all(_depth(rule) <= 2 for rule, top in _rules(rubric) if top)


@given(rubrics())
def test_generated_rubrics_round_trip(rubric: Rubric) -> None:
    assert loads_rubric(dumps_rubric(rubric)) == rubric


@given(rubrics(max_units=1, max_projects=0, max_items=2))
def test_size_limits_hold(rubric: Rubric) -> None:
    assert len(rubric.units) == 1
    assert not rubric.units[0].projects
    assert 1 <= len(rubric.units[0].items) <= 2


@given(rubrics(kinds=["flag", "bands", "deduct"], gates=False, levels=False, bonus=False))
def test_options_restrict_what_is_generated(rubric: Rubric) -> None:
    rules = list(_rules(rubric))
    assert {rule.kind for rule, top in rules if top} <= {"flag", "bands", "deduct"}
    assert all(rule.gate is None and not rule.bonus and not rule.nonzero for rule, _ in rules)
    assert not rubric.levels
    assert rubric.bonus is None
    assert not any(u.bonus for u in rubric.units)
    assert not any(p.nonzero for u in rubric.units for p in u.projects)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kinds": ["flag", "nope"]}, "unknown rule kinds ['nope']"),
        ({"kinds": ["check"]}, "kinds needs at least one kind that awards points"),
        ({"max_units": 0}, "max_units and max_items must be at least 1"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message.replace("[", r"\[").replace("]", r"\]")):
        rubrics(**kwargs)  # type: ignore[arg-type]  # the values are deliberately wrong


FEATURES: dict[str, Callable[[Rubric], bool]] = {
    "zero_if": lambda r: any(rule.zero_if for rule, _ in _rules(r)),
    "na exclude": lambda r: r.na == "exclude",
    "na full": lambda r: r.na == "full",
    "na rescale": lambda r: r.na == "rescale" and r.digits is not None,
    "gate required": lambda r: any(rule.gate == "required" for rule, _ in _rules(r)),
    "gate veto": lambda r: any(rule.gate == "veto" for rule, _ in _rules(r)),
    "gate zero": lambda r: any(rule.gate == "zero" for rule, _ in _rules(r)),
    "gate_min": lambda r: any(rule.gate_min is not None for rule, _ in _rules(r)),
    "bonus part": lambda r: any(rule.bonus for rule, _ in _rules(r)),
    "bonus unit": lambda r: r.bonus is not None and any(u.bonus for u in r.units),
    "nonzero": lambda r: any(p.nonzero for u in r.units for p in u.projects),
    "aggregate": lambda r: r.aggregate is not None and bool(r.aggregate.weights),
    "levels": lambda r: len(r.levels) >= 2,
    "unit_min": lambda r: any(lv.unit_min for lv in r.levels),
    "unit_share": lambda r: any(lv.unit_share for lv in r.levels),
    "unit cap": lambda r: any(u.max is not None for u in r.units),
    "project cap": lambda r: any(p.max is not None for u in r.units for p in u.projects),
    "parts cap": lambda r: any(isinstance(rule, Parts) and rule.max for rule, _ in _rules(r)),
    "closed options": lambda r: any(
        isinstance(rule, Each) and rule.options and not rule.open for rule, _ in _rules(r)
    ),
    "open options": lambda r: any(isinstance(rule, Each) and rule.open for rule, _ in _rules(r)),
    "ratio bands": lambda r: any(isinstance(rule, Bands) and rule.input == "ratio" for rule, _ in _rules(r)),
    "number bands": lambda r: any(
        isinstance(rule, Bands) and rule.input == "number" for rule, _ in _rules(r)
    ),
    "linear down": lambda r: any(
        isinstance(rule, Linear) and rule.direction == "down" for rule, _ in _rules(r)
    ),
    "linear digits": lambda r: any(
        isinstance(rule, Linear) and rule.digits is not None for rule, _ in _rules(r)
    ),
    "at_least": lambda r: any(isinstance(rule, Flag) and rule.at_least for rule, _ in _rules(r)),
    "fractions": lambda r: any(isinstance(rule, Flag) and rule.points % 1 for rule, _ in _rules(r)),
    "explicit ids": lambda r: any(rule.id is not None for rule, _ in _rules(r)),
    "units with items": lambda r: any(u.items for u in r.units),
    "units with projects": lambda r: any(u.projects for u in r.units),
    "nonzero item": lambda r: any(rule.nonzero for rule, top in _rules(r) if top),
    "verifier_only": lambda r: any(rule.verifier_only for rule, top in _rules(r) if top),
    "gate_figure": lambda r: any(rule.gate_figure is not None for rule, _ in _rules(r)),
    "consequence": lambda r: any(rule.consequence for rule, _ in _rules(r)),
    "project consequence": lambda r: any(p.consequence for u in r.units for p in u.projects),
    "zero_at": lambda r: any(isinstance(rule, Each) and rule.zero_at for rule, _ in _rules(r)),
    "na_if on a deduction": lambda r: any(rule.na_if for rule, top in _rules(r) if not top),
    "answer range": lambda r: any(isinstance(rule, Bands | Linear) and rule.range for rule, _ in _rules(r)),
    "ranged tier": lambda r: any(
        isinstance(rule, Tiers) and any(t.range for t in rule.tiers) for rule, _ in _rules(r)
    ),
    "published unit": lambda r: any(u.published is not None for u in r.units),
    "published project": lambda r: any(p.published is not None for u in r.units for p in u.projects),
    "published total": lambda r: r.published is not None,
}


def _has_kind(kind: str, *, item: bool) -> Callable[[Rubric], bool]:
    return lambda r: any(rule.kind == kind and is_item == item for rule, is_item in _rules(r))


FEATURES |= {
    f"{kind} {where}": _has_kind(kind, item=where == "item")
    for kind in RULE_KINDS
    for where in ("item", "nested")
    if (kind, where) != ("check", "nested")  # a check is an item of its own, never a part
}


@pytest.mark.slow
def test_every_kind_and_feature_is_generated() -> None:
    """Within 400 generated rubrics every feature appears at least once.

    A search rather than a property, so derandomized under every profile (a random miss would
    make it flaky), and over as soon as the last feature has been seen.
    """
    seen: set[str] = set()

    def seen_all(rubric: Rubric) -> bool:
        seen.update(name for name, has in FEATURES.items() if has(rubric))
        return seen >= set(FEATURES)

    search = settings(max_examples=400, derandomize=True, phases=[Phase.generate])
    with contextlib.suppress(NoSuchExample):  # the assertion below names what is missing
        find(rubrics(), seen_all, settings=search)
    assert sorted(set(FEATURES) - seen) == []


# --- sheets --------------------------------------------------------------------------------


@given(st.data())
def test_generated_sheets_score(data: st.DataObject) -> None:
    rubric = data.draw(rubrics())
    sheet = data.draw(sheets(rubric))
    card = score(rubric, sheet)
    assert set(card.items) >= {a for a in sheet.evidence}
    assert card.to_dict()["total"] == card.total


@given(st.data())
def test_answers_are_a_sheets_answers(data: st.DataObject) -> None:
    rubric = data.draw(rubrics())
    given_answers = data.draw(answers(rubric))
    assert (
        score(rubric, given_answers).total
        == score(rubric, Sheet(info=SheetInfo(agency="x"), answers=given_answers)).total
    )


EDGES = loads_rubric("""\
title = "edges"
total = 20

[[units]]
title = "u"
points = 20

[[units.items]]
kind = "bands"
points = 5
bands = [{ lt = 60, points = 0 }, { ge = 60, le = 80, points = 3 }, { gt = 80, points = 5 }]

[[units.items]]
kind = "each"
per = 2
max = 5
options = ["节能", "节水", "节材", "绿色出行"]

[[units.items]]
kind = "linear"
start = 40
step = 10
per = 2
max = 5

[[units.items]]
kind = "judged"
range = [1, 5]
step = 0.5
""")


@pytest.mark.parametrize(
    ("address", "value"),
    [
        ("1.1", Decimal(60)),
        ("1.1", Decimal("59.999")),
        ("1.1", Decimal("60.001")),
        ("1.1", Decimal(80)),
        ("1.1", Decimal("80.001")),
        ("1.2", 3),  # ⌈5 / 2⌉: the first count at the cap
        ("1.3", Decimal(40)),
        ("1.3", Decimal("39.999")),
        ("1.3", Decimal(70)),  # the third step, where the cap is reached
        ("1.4", Decimal(1)),
        ("1.4", Decimal(5)),
        ("1.4", Decimal(0)),
    ],
)
def test_sheets_reach_boundary_answers(address: str, value: object) -> None:
    found = find(answers(EDGES), lambda a: a.get(address) == value, settings=FIND)
    assert found[address] == value


EDGES_WITHOUT_STEP = loads_rubric(dumps_rubric(EDGES).replace("step = 0.5\n", ""))


def test_sheets_leave_leaves_unanswered() -> None:
    found = find(sheets(EDGES), lambda s: not s.answers, settings=FIND)
    assert score(EDGES, found).unanswered == ("1.1", "1.2", "1.3", "1.4")


# --- invalid sheets ------------------------------------------------------------------------


@given(st.data())
def test_invalid_sheets_are_refused_naming_the_address(data: st.DataObject) -> None:
    rubric = data.draw(rubrics())
    sheet, mistake = data.draw(invalid_sheets(rubric))
    assert mistake in MISTAKES
    with pytest.raises(SheetError) as excinfo:
        score(rubric, sheet)
    problems = excinfo.value.problems
    assert len(problems) == 1, f"{mistake} at {mistake.address}: {excinfo.value}"
    assert f'"{mistake.address}"' in str(problems[0]), f"{mistake}: {problems[0]}"


ALL_SHAPES = loads_rubric("""\
title = "shapes"
total = 22

[[units]]
title = "u"
points = 22

[[units.items]]
kind = "parts"
parts = [
  { kind = "flag", points = 1 },
  { kind = "flag", points = 1, at_least = 4 },
]

[[units.items]]
kind = "each"
per = 1
options = ["节能", "节水"]

[[units.items]]
kind = "each"
per = 1
max = 3
options = ["节能", "节水"]
open = true

[[units.items]]
kind = "bands"
input = "ratio"
bands = [{ le = 1, points = 5 }, { gt = 1, points = 0 }]

[[units.items]]
kind = "judged"
range = [1, 5]
step = 0.5

[[units.items]]
kind = "linear"
start = 0
step = 1
per = 1
max = 5
""")


@pytest.mark.parametrize("label", MISTAKES)
def test_every_mistake_is_made_and_refused(label: str) -> None:
    @settings(max_examples=scaled(5))
    @given(invalid_sheets(ALL_SHAPES, labels=[label]))
    def run(case: tuple[Sheet, Mistake]) -> None:
        sheet, mistake = case
        assert mistake == label
        with pytest.raises(SheetError) as excinfo:
            score(ALL_SHAPES, sheet)
        assert len(excinfo.value.problems) == 1
        assert f'"{mistake.address}"' in str(excinfo.value)

    run()


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["typo"], "unknown mistake labels ['typo']"),
        (["off-step"], "the rubric allows none of the mistakes ['off-step']"),
    ],
)
def test_mistakes_the_rubric_cannot_have_are_refused(labels: list[str], message: str) -> None:
    with pytest.raises(InvalidArgument) as excinfo:
        invalid_sheets(EDGES_WITHOUT_STEP, labels=labels)
    assert str(excinfo.value).startswith(message)


def test_a_mistake_is_its_label_with_an_address() -> None:
    mistake = Mistake("wrong-type", "1.2.a")
    assert mistake == "wrong-type"
    assert mistake.address == "1.2.a"
    assert isinstance(mistake, str)


# --- sheets written out and read back --------------------------------------------------------


def _plain_number(value: Decimal | int) -> str:
    return str(value) if isinstance(value, int) else format(value, "f")


def _json_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return _plain_number(value)
    if isinstance(value, str):  # a tier's name
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f'"{k}": {_json_value(v)}' for k, v in value.items()) + "}"


def _csv_cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return _plain_number(value)
    if isinstance(value, str):  # a tier's name
        return value
    if isinstance(value, list):
        return ";".join(value)
    assert isinstance(value, dict)
    if "tier" in value:  # a ranged tier and its points, as a cell writes them
        return f"{value['tier']} {_plain_number(value['points'])}"
    return f"{_plain_number(value['value'])}/{_plain_number(value['ref'])}"


def _result(card: ScoreCard) -> tuple[object, ...]:
    return card.total, card.level, tuple((a, r.points) for a, r in card.items.items())


@given(st.data())
def test_sheets_survive_toml_json_and_csv(data: st.DataObject) -> None:
    rubric = data.draw(rubrics(), label="rubric")
    given_answers = {a: v for a, v in data.draw(answers(rubric), label="answers").items() if v != []}
    want = _result(score(rubric, given_answers))
    toml_text = tomli_w.dumps({"sheet": {"agency": "XX局"}, "answers": given_answers})
    assert _result(score(rubric, loads_sheet(toml_text))) == want
    body = ", ".join(f'"{a}": {_json_value(v)}' for a, v in given_answers.items())
    json_text = f'{{"sheet": {{"agency": "XX局"}}, "answers": {{{body}}}}}'
    assert _result(score(rubric, loads_sheet(json_text, format="json"))) == want
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheets.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["agency", *given_answers])
            writer.writerow(["XX局", *(_csv_cell(v) for v in given_answers.values())])
        (sheet,) = load_sheets(path)
    assert _result(score(rubric, sheet)) == want
