"""Items that do not apply: a unit of which nothing applies, and the maxima that reflect N/A.

Issue #9: under ``na = "rescale"`` a unit whose every item was not applicable scored 0, so an
agency meeting everything that applied got 50/100. Now that unit drops out of both the total and
the maximum, and the units that apply are scaled to the rubric's total (docs/rules/na_if.md).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from conserv_rubric import loads_rubric, score
from conserv_rubric.gaps import gap


def _rubric(na: str, *, extra: str = "", units: tuple[tuple[str, ...], ...] | None = None) -> str:
    """Units of flags, (points, na_if) each; the default: 50 = 30 + 20, and 50 = 50 (N/A-able)."""
    units = units or (("30", "20"), ("50!",))
    total = sum(Decimal(p.rstrip("!")) for unit in units for p in unit)
    out = [f'title = "t"\ntotal = {total}\nna = "{na}"\ndigits = 1\n{extra}']
    for u, unit in enumerate(units):
        points = sum(Decimal(p.rstrip("!")) for p in unit)
        out.append(f'[[units]]\ntitle = "单元{u + 1}"\npoints = {points}\n')
        for p in unit:
            na_if = '\nna_if = "无食堂"' if p.endswith("!") else ""
            out.append(f'[[units.items]]\nkind = "flag"\npoints = {p.rstrip("!")}{na_if}\n')
    return "\n".join(out)


LEVEL = '[[levels]]\nname = "节约型机关"\nmin = 80\n'


def test_a_unit_of_which_nothing_applies_drops_out_under_rescale() -> None:
    card = score(loads_rubric(_rubric("rescale", extra=LEVEL)), {"1.1": True, "1.2": True, "2.1.na": True})
    # Everything that applies is met: 50 of the 50 that apply, scaled to the rubric's 100.
    assert [u.points for u in card.units] == [Decimal(50), Decimal(0)]
    assert card.total == 100
    assert card.level == "节约型机关"
    assert [u.applicable_max for u in card.units] == [Decimal(50), Decimal(0)]
    assert card.applicable_max == 100
    assert card.items["2.1"].applicable_max == 0
    assert card.items["2.1"].max == 50


def test_what_remains_is_scaled_and_rounded_once() -> None:
    rubric = loads_rubric(_rubric("rescale", units=(("20", "10"), ("40",), ("30!",))))
    card = score(rubric, {"1.1": True, "2.1": True, "3.1.na": True})
    # 20 + 40 = 60 of the 70 that apply, scaled to 100: 85.714… → 85.7, rounded once.
    assert card.total == Decimal("85.7")
    card = score(rubric, {"1.2": True, "3.1.na": True})
    assert card.total == Decimal("14.3")  # 10 × 100 / 70 = 14.2857…


def test_a_partly_applicable_unit_is_scaled_as_before() -> None:
    rubric = loads_rubric(_rubric("rescale", units=(("30", "20!"), ("50",))))
    card = score(rubric, {"1.1": True, "1.2.na": True, "2.1": True})
    assert [u.points for u in card.units] == [Decimal(50), Decimal(50)]
    assert [u.applicable_max for u in card.units] == [Decimal(50), Decimal(50)]
    assert card.total == 100


def test_the_aggregate_base_is_not_scaled() -> None:
    rubric = loads_rubric(
        _rubric(
            "rescale",
            units=(("100",), ("100!",)),
            extra="[aggregate]\nbase = 400\ndivisor = 10\n",
        ).replace("total = 200", "total = 60")
    )
    card = score(rubric, {"1.1": True, "2.1.na": True})
    # (400 + 100 × 200/100) / 10 = 60: the one category that applies counts for both.
    assert card.total == 60
    assert card.applicable_max == 60


def test_exclude_keeps_the_declared_total_and_exposes_what_applies() -> None:
    card = score(loads_rubric(_rubric("exclude", extra=LEVEL)), {"1.1": True, "1.2": True, "2.1.na": True})
    assert card.total == 50
    assert card.max == 100
    assert card.applicable_max == 50
    assert [(u.max, u.applicable_max) for u in card.units] == [(Decimal(50), Decimal(50)), (Decimal(50), 0)]
    assert card.level is None  # the levels keep the declared scale under exclude
    data = card.to_dict()
    assert data["applicable_max"] == 50
    assert [i["applicable_max"] for i in data["items"]] == [30, 20, 0]


def test_full_awards_the_maximum_and_everything_applies() -> None:
    card = score(loads_rubric(_rubric("full", extra=LEVEL)), {"1.1": True, "1.2": True, "2.1.na": True})
    assert card.total == 100
    assert card.applicable_max == 100
    assert [u.applicable_max for u in card.units] == [50, 50]


@pytest.mark.parametrize("na", ["exclude", "rescale"])
def test_a_star_project_of_which_nothing_applies_is_not_a_failed_gate(na: str) -> None:
    rubric = loads_rubric(
        f'title = "t"\ntotal = 10\nna = "{na}"\ndigits = 0\n\n[[units]]\ntitle = "u"\npoints = 10\n\n'
        '[[units.projects]]\ntitle = "食堂"\npoints = 4\nnonzero = true\n\n'
        '[[units.projects.items]]\nkind = "flag"\npoints = 4\nna_if = "无食堂"\n\n'
        '[[units.projects]]\ntitle = "办公"\npoints = 6\n\n'
        '[[units.projects.items]]\nkind = "flag"\npoints = 6\n'
    )
    assert score(rubric, {"1.1.1.na": True, "1.2.1": True}).failed_gates == ()
    # while it applies, a ★ project at 0 still fails
    assert [g.address for g in score(rubric, {"1.2.1": True}).failed_gates] == ["1.1"]


def test_unit_share_is_a_share_of_what_applies_and_a_dropped_unit_asks_nothing() -> None:
    level = '[[levels]]\nname = "合格"\nmin = 20\nunit_share = 0.6\nunit_min = { "2" = 10 }\n'
    rubric = loads_rubric(_rubric("exclude", extra=level, units=(("30", "20!"), ("50!",))))
    card = score(rubric, {"1.1": True, "1.2.na": True, "2.1.na": True})
    # Unit 1: 30 of the 30 that apply ≥ 0.6 × 30; unit 2 applies not at all, so neither its
    # unit_min of 10 nor its share is asked. Under the declared maxima it would fail both.
    assert card.total == 30
    assert card.level == "合格"
    card = score(rubric, {"1.2.na": True, "2.1.na": True})
    assert card.level is None  # 0 < 20


def test_gap_plans_against_the_rescaled_total() -> None:
    rubric = loads_rubric(_rubric("rescale", extra=LEVEL))
    found = gap(score(rubric, {"1.1": True, "2.1.na": True}))
    # 30 of 50 → 60 of 100; meeting 1.2 (20 of the 50 that apply) adds 40.
    assert found.total == 60
    assert [(i.address, i.adds) for u in found.units for i in u.items] == [("1.2", Decimal(40))]
    assert found.target is not None
    assert [s.address for s in found.target.plan] == ["1.2"]
