"""The incremental `gap` against the oracle that recomputes every total per candidate (`gap_oracle`)."""

from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

from budgets import scaled
from gap_oracle import full_gap
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conserv_rubric import ScoreCard, load_rubric, load_sheet, load_sheets, loads_rubric, score
from conserv_rubric.gaps import Gap, gap
from conserv_rubric.reports import render_gap
from conserv_rubric.strategies import rubrics, sheets

D = Decimal
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import district, gap_scaling  # noqa: E402 - the benchmark's generators, from the repository root


def _agree(card: ScoreCard) -> Gap:
    got, want = gap(card), full_gap(card)
    assert got == want
    for form in ("text", "json"):
        assert render_gap(got, form) == render_gap(want, form)
    return got


@settings(max_examples=scaled(150))
@given(st.data())
def test_incremental_gap_is_the_full_recomputation(data: st.DataObject) -> None:
    rubric = data.draw(rubrics(), label="rubric")
    _agree(score(rubric, data.draw(sheets(rubric), label="sheet")))
    # Nothing answered: the longest plans, through every cap on the way up.
    _agree(score(rubric, {}))


@settings(max_examples=scaled(100))
@given(st.data())
def test_incremental_gap_agrees_on_wide_units(data: st.DataObject) -> None:
    # Many flags and counters per group, and levels to plan for: picks in capped groups.
    kinds = ("flag", "each")
    rubric = data.draw(
        rubrics(max_units=2, max_projects=3, max_items=6, kinds=kinds, gates=False), label="rubric"
    )
    assume(rubric.levels)
    _agree(score(rubric, {}))
    _agree(score(rubric, data.draw(sheets(rubric), label="sheet")))


def test_incremental_gap_on_the_district_sheets() -> None:
    rubric = load_rubric(ROOT / "rubrics" / "district.toml")
    found = sorted((ROOT / "examples" / "district").glob("*.toml"))
    assert found
    for path in found:
        _agree(score(rubric, load_sheet(path)))
    plans = 0
    for answers in district.sheets(200):
        target = _agree(score(rubric, answers)).target
        plans += target is not None and bool(target.plan)
    assert plans > 50


@settings(max_examples=scaled(100))
@given(st.data())
def test_gap_of_a_card_from_the_plan_is_the_full_recomputation(data: st.DataObject) -> None:
    # From the second sheet on, the generated plan scores and the card holds only its sums:
    # gap() reads the items' points from the answers as given, through memos the repeated
    # sheets answer (and, for a verifier's sheet, the items a self-assessment withholds).
    rubric = data.draw(rubrics(max_units=3, max_items=4), label="rubric")
    drawn = data.draw(st.lists(sheets(rubric), min_size=1, max_size=3), label="sheets")
    for sheet in [*drawn, *drawn]:
        _agree(score(rubric, sheet))
        _agree(score(rubric, dict(sheet.answers)))  # a self-assessment, read from a dict
    _agree(score(rubric, {}))


def test_gap_of_district_sheets_read_from_csv(tmp_path: Path) -> None:
    # Text answers, as a CSV row gives them: the memos are keyed by the text.
    path = tmp_path / "district.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        district.write_csv(f, 150)
    rubric = load_rubric(ROOT / "rubrics" / "district.toml")
    loaded = load_sheets(path)
    assert len(loaded) == 150
    for sheet in [*loaded, *loaded]:
        _agree(score(rubric, sheet))


def test_incremental_gap_plans_the_generated_rubric() -> None:
    generated = gap_scaling.generate(400)
    rubric = loads_rubric(generated.text)
    rnd = random.Random(gap_scaling.SEED)
    got = _agree(score(rubric, gap_scaling.answers(generated, rnd)))
    assert got.target is not None
    assert got.target.reachable
    assert len(got.target.plan) > 10


ROUNDED = """\
title = "thirds"
total = 20
digits = 2

[aggregate]
base = 0
divisor = 3

[[levels]]
name = "good"
min = 15
unit_min = {"1" = 30}

[[units]]
title = "A"
points = 36
max = 36

[[units.projects]]
title = "A1"
points = 20
max = 20

[[units.projects.items]]
kind = "flag"
text = "a"
points = 7

[[units.projects.items]]
kind = "flag"
text = "b"
points = 7

[[units.projects.items]]
kind = "flag"
text = "c"
points = 7

[[units.projects]]
title = "A2"
points = 16

[[units.projects.items]]
kind = "flag"
text = "d"
points = 8

[[units.projects.items]]
kind = "flag"
text = "e"
points = 8

[[units]]
title = "B"
points = 24

[[units.items]]
kind = "flag"
text = "f"
points = 13

[[units.items]]
kind = "flag"
text = "g"
points = 11
"""


def test_incremental_gap_with_a_rounded_aggregate() -> None:
    # (A + B) / 3 rounded to 2 places: a gain depends on the other units, so every pick in a
    # capped unit prices its items again, as the full recomputation does.
    rubric = loads_rubric(ROUNDED)
    got = _agree(score(rubric, {"1.1.1": True, "2.1": True}))
    assert got.target is not None
    steps = [(s.address, str(s.total)) for s in got.target.plan]
    # Unit A short of 30: its largest items first (d, then e, 8 each; then b, 7), then the item
    # that adds most to the total (g: 18.00 against c's 16.33, which A1's cap of 20 holds back).
    assert steps == [("1.2.1", "9.33"), ("1.2.2", "12.00"), ("1.1.2", "14.33"), ("2.2", "18.00")]


CAPPED = """\
title = "caps"
total = 23

[[levels]]
name = "good"
min = 22
unit_min = {"1" = 16}

[[units]]
title = "A"
points = 16

[[units.projects]]
title = "A1"
points = 10
max = 10

[[units.projects.items]]
kind = "flag"
text = "a1"
points = 8

[[units.projects.items]]
kind = "flag"
text = "a2"
points = 8

[[units.projects]]
title = "A2"
points = 6

[[units.projects.items]]
kind = "flag"
text = "a3"
points = 6

[[units]]
title = "B"
points = 5
max = 5

[[units.items]]
kind = "flag"
text = "b1"
points = 4

[[units.items]]
kind = "flag"
text = "b2"
points = 4

[[units]]
title = "C"
points = 2

[[units.items]]
kind = "flag"
text = "c1"
points = 2
"""


def test_a_pick_in_a_capped_group_prices_its_items_again() -> None:
    # After a1, A1's cap of 10 leaves a2 only 2 more, so a3 (6) comes first; after b1, B's cap
    # of 5 leaves b2 only 1, so c1 (2) comes before it.
    got = _agree(score(loads_rubric(CAPPED), {}))
    assert got.target is not None
    steps = [(s.address, s.adds, s.total) for s in got.target.plan]
    assert steps == [
        ("1.1.1", D(8), D(8)),
        ("1.2.1", D(6), D(14)),
        ("1.1.2", D(2), D(16)),
        ("2.1", D(4), D(20)),
        ("3.1", D(2), D(22)),
    ]


THIRDS = """\
title = "thirds, whole"
total = 2
digits = 0

[aggregate]
base = 0
divisor = 3

[[levels]]
name = "good"
min = 2

[[units]]
title = "B"
points = 1

[[units.items]]
kind = "flag"
text = "z"
points = 1

[[units]]
title = "A"
points = 5

[[units.projects]]
title = "A1"
points = 4
max = 4

[[units.projects.items]]
kind = "flag"
text = "a1"
points = 4

[[units.projects]]
title = "A2"
points = 1

[[units.projects.items]]
kind = "flag"
text = "x"
points = 1
"""


def test_a_rounded_total_prices_the_rest_of_a_capped_unit_again() -> None:
    # The total is (B + A) / 3 rounded: after a1 (4 of 6, total 1), x would make it 5/3, so 2,
    # while z was priced at 1/3, so 0, before a1 and is not priced again (its unit is not capped).
    got = _agree(score(loads_rubric(THIRDS), {}))
    assert got.target is not None
    assert [(s.address, s.total) for s in got.target.plan] == [("2.1.1", D(1)), ("2.2.1", D(2))]


STAR = """\
title = "thirds, starred"
total = 2
digits = 0

[aggregate]
base = 0
divisor = 3

[[levels]]
name = "good"
min = 1

[[units]]
title = "A"
points = 3

[[units.projects]]
title = "A1"
points = 3
nonzero = true

[[units.projects.items]]
kind = "flag"
text = "a1"
points = 1

[[units.projects.items]]
kind = "flag"
text = "a2"
points = 2

[[units]]
title = "B"
points = 3

[[units.items]]
kind = "flag"
text = "b"
points = 3
"""


def test_a_starred_project_under_a_rounded_total() -> None:
    # The ★ project's best item is priced when the gate asks for it: a2 makes the total 2/3, so 1.
    got = _agree(score(loads_rubric(STAR), {}))
    assert got.target is not None
    assert [(s.address, s.gate, s.total) for s in got.target.plan] == [("1.1.2", "nonzero", D(1))]


RESCALED = """\
title = "rescaled, with a bonus unit"
total = 4
bonus = 1
na = "rescale"
digits = 0

[[levels]]
name = "good"
min = 4

[[units]]
title = "A"
points = 2

[[units.items]]
kind = "flag"
text = "a"
points = 2
na_if = "no canteen"

[[units]]
title = "B"
points = 2

[[units.items]]
kind = "flag"
text = "b"
points = 2

[[units]]
title = "C"
points = 1
bonus = true

[[units.items]]
kind = "flag"
text = "c"
points = 1
"""


def test_a_rescaled_total_with_a_dropped_unit_and_a_bonus_unit() -> None:
    # A does not apply, so B counts for the base units' 4 points; the bonus unit's c adds 1.
    got = _agree(score(loads_rubric(RESCALED), {"1.1.na": True}))
    assert [(i.address, i.adds) for u in got.units for i in u.items] == [("2.1", D(4)), ("3.1", D(1))]
    assert got.target is not None
    assert [(s.address, s.total) for s in got.target.plan] == [("2.1", D(4))]
