"""Fuzzing exact scoring: linear awards against `fractions.Fraction`, generated rubrics under
hostile decimal contexts, and sheets where whole units do not apply (issue #9)."""

from __future__ import annotations

import decimal
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from conserv_rubric import Rubric, loads_rubric, score, validate
from conserv_rubric.model import NaPolicy, Rule, Unit
from conserv_rubric.strategies import answers, rubrics, sheets
from conserv_rubric.testing import check_scoring

STEPS = tuple(Decimal(s) for s in ("1", "1.5", "9", "3", "0.3", "7", "2.5", "0.25"))
PERS = tuple(Decimal(p) for p in ("1", "3", "2.5", "0.2", "7"))
CAPS = tuple(Decimal(m) for m in ("5", "10", "20", "7.5", "2.25"))


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _finite(q: Fraction) -> bool:
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


@st.composite
def linear_cases(draw: st.DrawFn) -> dict[str, Any]:
    step, per = draw(st.sampled_from(STEPS)), draw(st.sampled_from(PERS))
    steps = draw(st.sampled_from(("whole", "started", "exact")))
    needs_digits = steps == "exact" and not _finite(Fraction(per) / Fraction(step))
    digits = draw(st.integers(0, 3)) if needs_digits or draw(st.booleans()) else None
    caps = [m for m in CAPS if digits is None or _places(m) <= digits]
    start = Decimal(draw(st.integers(0, 40))) / draw(st.sampled_from((1, 2, 4)))
    k = draw(st.integers(-2, 12))
    nudge = draw(st.sampled_from((Decimal(0), Decimal("0.01"), Decimal("-0.01"), Decimal("0.5"))))
    direction = draw(st.sampled_from(("up", "down")))
    sign = 1 if direction == "up" else -1
    x = start + sign * (step * k + nudge)
    return {
        "start": start,
        "step": step,
        "per": per,
        "base": draw(st.sampled_from((Decimal(0), Decimal(1), Decimal("2.5")))),
        "max": draw(st.sampled_from(caps)),
        "direction": direction,
        "steps": steps,
        "digits": digits,
        "x": x,
    }


def _expected(case: dict[str, Any]) -> Fraction:
    """The award read from docs/rules/linear.md, in fractions: round once, then cap."""
    over = Fraction(case["x"]) - Fraction(case["start"])
    if case["direction"] == "down":
        over = -over
    if over < 0:
        return Fraction(0)
    n = over / Fraction(case["step"])
    n = {"whole": Fraction(math.floor(n)), "started": Fraction(math.ceil(n)), "exact": n}[case["steps"]]
    raw = Fraction(case["base"]) + Fraction(case["per"]) * n
    if case["digits"] is not None:
        scale = 10 ** case["digits"]
        raw = Fraction(math.floor(raw * scale + Fraction(1, 2)), scale)
    return min(raw, Fraction(case["max"]))


def _linear_rubric(case: dict[str, Any], gate_min: Fraction) -> str:
    digits = "" if case["digits"] is None else f"digits = {case['digits']}\n"
    gate = f'gate = "required"\ngate_min = {Decimal(gate_min.numerator) / gate_min.denominator}\n'
    return (
        f'title = "t"\ntotal = {case["max"]}\n\n[[units]]\ntitle = "u"\npoints = {case["max"]}\n\n'
        f'[[units.items]]\nkind = "linear"\nstart = {case["start"]}\nstep = {case["step"]}\n'
        f"per = {case['per']}\nbase = {case['base']}\nmax = {case['max']}\n"
        f'direction = "{case["direction"]}"\nsteps = "{case["steps"]}"\n{digits}{gate}'
    )


@given(linear_cases())
def test_linear_awards_equal_the_exact_fraction(case: dict[str, Any]) -> None:
    expected = _expected(case)
    assert _finite(expected)
    rubric = loads_rubric(_linear_rubric(case, expected))
    card = score(rubric, {"1.1": case["x"]})
    got = card.items["1.1"].points
    assert isinstance(got, Decimal)
    assert Fraction(got) == expected
    # the award meets a gate set at exactly itself: no 0.9999… for 1
    assert card.failed_gates == ()


HOSTILE = (
    decimal.Context(prec=2, traps=[decimal.Inexact]),
    decimal.Context(prec=3, rounding=decimal.ROUND_FLOOR),
    decimal.Context(prec=1, rounding=decimal.ROUND_UP, traps=[decimal.Rounded]),
)


def _summary(rubric: Rubric, sheet: Any) -> tuple[object, ...]:
    card = score(rubric, sheet)
    return (
        card.total,
        card.level,
        card.applicable_max,
        [(u.points, u.applicable_max) for u in card.units],
        [(r.points, r.reason) for r in card.items.values()],
        [g.reason for g in card.failed_gates],
    )


@given(st.data())
def test_generated_rubrics_score_the_same_in_any_context(data: st.DataObject) -> None:
    with decimal.localcontext(decimal.Context()):
        rubric = data.draw(rubrics())
        sheet = data.draw(sheets(rubric))
        hostile = data.draw(st.sampled_from(HOSTILE))
        want = _summary(rubric, sheet)
    with decimal.localcontext(hostile):
        assert validate(rubric) == []
        assert _summary(rubric, sheet) == want


def _not_applicable(rule: Rule) -> Rule:
    return attrs.evolve(rule, na_if="本单位不适用")


def _unit_without_items(unit: Unit) -> Unit:
    if unit.projects:
        projects = tuple(
            attrs.evolve(p, items=tuple(_not_applicable(i) for i in p.items)) for p in unit.projects
        )
        return attrs.evolve(unit, projects=projects)
    return attrs.evolve(unit, items=tuple(_not_applicable(i) for i in unit.items))


def _addresses(rubric: Rubric, u: int) -> list[str]:
    unit = rubric.units[u]
    head = unit.id or str(u + 1)
    if unit.projects:
        return [
            f"{head}.{p.id or j + 1}.{i.id or k + 1}"
            for j, p in enumerate(unit.projects)
            for k, i in enumerate(p.items)
        ]
    return [f"{head}.{i.id or k + 1}" for k, i in enumerate(unit.items)]


@given(st.data())
def test_sheets_where_a_whole_unit_does_not_apply_keep_every_property(data: st.DataObject) -> None:
    base = data.draw(rubrics(levels=True))
    u = data.draw(st.integers(0, len(base.units) - 1))
    na: NaPolicy = data.draw(st.sampled_from(("exclude", "full", "rescale")))
    units = tuple(_unit_without_items(unit) if k == u else unit for k, unit in enumerate(base.units))
    rubric = attrs.evolve(base, units=units, na=na, digits=base.digits if base.digits is not None else 1)
    assert [p for p in validate(rubric) if p.severity == "error"] == []
    given_answers = data.draw(answers(rubric))
    for address in _addresses(rubric, u):
        # An item marked not applicable takes no other answer (a sheet answering both is refused).
        given_answers = {
            a: v for a, v in given_answers.items() if a != address and not a.startswith(address + ".")
        }
        given_answers[f"{address}.na"] = True
    check_scoring(rubric, given_answers)
