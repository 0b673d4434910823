"""Property checks for rubric authors: is my rubric sound, and does it score as the standard says?

Two lines in a rubric project's test suite check a rubric file::

    from conserv_rubric.testing import check_rubric

    def test_my_rubric() -> None:
        check_rubric("rubrics/my-province.toml")

`check_rubric` first checks the rubric itself, once:

- ``valid``: `conserv_rubric.validate` finds nothing wrong;
- ``totals``: every declared total equals the maximum beneath it, recomputed independently;
- ``round-trip``: ``loads_rubric(dumps_rubric(r)) == r``;
- ``structure``: nothing validates yet cannot work as written (`check_structure`);

then scores many generated answer sheets (`conserv_rubric.strategies.sheets`) and checks every
score card (`check_scoring`):

- ``capped-counter``: a counter awards min(n × per, max), nothing below its ``at_least``;
- ``award``: every item scores what its rule says (an independent reading of the format), as a
  `Decimal`, with a reason;
- ``bounds``: 0 ≤ every item, project and unit ≤ its reachable maximum; total ≤ the reachable total;
- ``subtotals``: items add up to projects, projects to units, units to the total, honouring caps,
  rescaling (a unit of which nothing applies drops out), weights and the aggregate formula, and
  every ``applicable_max`` is what the applicable items give;
- ``gates`` and ``level``: the gates that fail are exactly those whose item falls short, and the
  level is the highest one whose thresholds are met, none if a gate failed;
- ``unanswered``: the card lists exactly the leaves left unanswered;
- ``order``: the result does not depend on the order of the answers;
- ``monotone``: meeting more (a flag true, a count or a number one step further, more judged
  points) never lowers a score, and under a ``deduct`` more deficiencies never raise it.

A failure raises `PropertyFailure`, an `AssertionError` naming the property, the address and the
answers that show it. This module needs the ``hypothesis`` extra, like
`conserv_rubric.strategies`. Do not call `check_rubric` from inside a hypothesis test; call
`check_scoring` there instead.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import Any, Final

import attrs

try:
    import hypothesis
    from hypothesis import HealthCheck
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "conserv_rubric.testing needs hypothesis; install the extra: pip install 'conserv-rubric[hypothesis]'"
    ) from exc

from . import strategies
from ._compiled import compiled
from ._kinds import compile_rule, leaves, maximum, reachable
from ._reference import (
    ZERO,
    Group,
    PropertyFailure,
    UnitRow,
    all_items,
    award,
    check_totals,
    count_of,
    groups,
    half_up,
    item_nodes,
    judged_values,
    number_of,
    show,
    total_of,
)
from ._rubric_io import dumps_rubric, loads_rubric, read_rubric
from ._score import ScoreCard, reachable_total, score
from ._sheet import Sheet
from ._text import fmt
from ._totals import group_max
from ._validate import errors, validate
from .errors import RubricError, SheetError
from .model import Check, Each, Flag, Judged, Linear, Rubric, Rule

__all__ = [
    "PROPERTIES",
    "CheckReport",
    "PropertyFailure",
    "check_rubric",
    "check_scoring",
    "check_structure",
]

#: Properties of the rubric itself, checked once.
STATIC_PROPERTIES: Final = ("valid", "totals", "round-trip", "structure")
#: Properties of every score card.
SHEET_PROPERTIES: Final = (
    "capped-counter",
    "award",
    "bounds",
    "subtotals",
    "gates",
    "level",
    "unanswered",
    "order",
    "monotone",
)
#: Every property `check_rubric` checks, in the order it checks them.
PROPERTIES: Final = STATIC_PROPERTIES + SHEET_PROPERTIES


@attrs.frozen
class CheckReport:
    """What `check_rubric` did.

    Attributes:
        title: the rubric's title.
        leaves: how many answerable addresses the rubric has.
        examples: how many generated sheets were scored and checked (hypothesis may run a
            few more than ``max_examples``).
        properties: the properties checked, from `PROPERTIES`.
    """

    title: str
    leaves: int
    examples: int
    properties: tuple[str, ...]


# --- static checks -------------------------------------------------------------------------


def _resolve(rubric: Rubric | str | PathLike[str]) -> Rubric:
    if isinstance(rubric, Rubric):
        problems = [str(p) for p in errors(validate(rubric))]
    else:
        try:
            loaded, found = read_rubric(Path(rubric))
        except RubricError as exc:
            raise PropertyFailure("valid", f"{rubric} cannot be read:\n  {exc}") from None
        rubric, problems = loaded, [str(p) for p in errors(found)]
    if problems:
        raise PropertyFailure("valid", "the rubric does not validate:\n  " + "\n  ".join(problems))
    return rubric


def check_structure(rubric: Rubric) -> list[str]:
    """Everything `conserv_rubric.validate` reports about *rubric*, warnings included.

    A rubric that loads may still hold what cannot work as written: a decision-table row that
    the rows before it always shadow, a ``linear`` cap with more decimals than its ``digits``.
    These are the validator's warnings; the property kit adds no checks of its own here.

    Args:
        rubric: a rubric.

    Returns:
        One message per problem, each starting with the address (or TOML path); empty when all
        is well.
    """
    return [f"{p.address or p.path or 'rubric'}: {p.message}" for p in validate(rubric)]


def _static(rubric: Rubric) -> None:
    check_totals(rubric, groups(rubric))
    try:
        again = loads_rubric(dumps_rubric(rubric))
    except (RubricError, TypeError, ValueError) as exc:
        raise PropertyFailure("round-trip", f"dumps_rubric output does not load back: {exc}") from None
    if again != rubric:
        raise PropertyFailure("round-trip", "loads_rubric(dumps_rubric(rubric)) differs from the rubric")
    problems = check_structure(rubric)
    if problems:
        address = problems[0].split(":", 1)[0]
        raise PropertyFailure("structure", "\n  ".join(problems), address=address)


# --- properties of one score card ----------------------------------------------------------


def _score(rubric: Rubric, sheet: Sheet | Mapping[str, Any]) -> ScoreCard:
    answers = sheet.answers if isinstance(sheet, Sheet) else sheet
    try:
        return score(rubric, sheet)
    except SheetError as exc:
        raise PropertyFailure("award", f"a valid sheet was refused: {exc}", answers=answers) from None
    except Exception as exc:
        raise PropertyFailure(
            "award", f"scoring raised {type(exc).__name__}: {exc}", answers=answers
        ) from exc


def check_scoring(
    rubric: Rubric, sheet: Sheet | Mapping[str, Any], *, rng: random.Random | None = None
) -> ScoreCard:
    """Score one valid *sheet* and check every scoring property of `PROPERTIES` on the card.

    Use this inside your own hypothesis tests (``@given(sheets(rubric))``); `check_rubric`
    calls it for every sheet it generates.

    Args:
        rubric: a valid rubric.
        sheet: a valid sheet, or a mapping from leaf address to answer.
        rng: if given, the answers are also scored in an order shuffled with it (they are
            always scored reversed and sorted too).

    Returns:
        The score card.

    Raises:
        PropertyFailure: a property does not hold; the message names it, the address and the
            answers.
    """
    answers = dict(sheet.answers if isinstance(sheet, Sheet) else sheet)
    card = _score(rubric, sheet)
    checker = _CardChecker(rubric, answers, card)
    checker.items()
    checker.groups()
    checker.gates_and_level()
    checker.unanswered()
    _check_order(rubric, answers, card, rng)
    _check_monotone(rubric, answers, card, checker)
    return card


class _CardChecker:
    def __init__(self, rubric: Rubric, answers: dict[str, Any], card: ScoreCard) -> None:
        self.rubric = rubric
        self.answers = answers
        self.card = card
        self.tree = groups(rubric)
        self.nodes = item_nodes(rubric)
        self.na = {
            a for a, rule in all_items(self.tree) if rule.na_if is not None and answers.get(f"{a}.na") is True
        }
        self.item_points: dict[str, Decimal] = {}
        self.unit_applicable: dict[str, Decimal] = {}
        self.project_applicable: dict[str, Decimal] = {}

    def fail(self, prop: str, detail: str, address: str | None = None) -> PropertyFailure:
        return PropertyFailure(prop, detail, address=address, answers=self.answers)

    def items(self) -> None:
        results = self.card.items
        for address, rule in all_items(self.tree):
            got = results[address].points
            if not isinstance(got, Decimal):
                raise self.fail("award", f"item points {got!r} are not a Decimal", address)
            if not results[address].reason:
                raise self.fail("award", "the item's award comes without a reason", address)
            if address in self.na:
                expected = (maximum(rule) or ZERO) if self.rubric.na == "full" else ZERO
            else:
                self._counters(rule, address)
                try:
                    expected = award(rule, address, self.answers, False)
                except PropertyFailure as exc:  # a number in no band, or in two
                    raise self.fail(exc.property, exc.detail, exc.address) from None
            if got != expected:
                raise self.fail("award", f"item scores {fmt(got)}, its rule gives {fmt(expected)}", address)
            top = reachable(rule)
            if got < 0 or (top is not None and got > top):
                raise self.fail("bounds", f"item scores {fmt(got)}, outside 0 … {fmt(top or ZERO)}", address)
            self.item_points[address] = got

    def _counters(self, item: Rule, address: str) -> None:
        for node in self.nodes[address]:
            rule = node.rule
            if not isinstance(rule, Each) or self.answers.get(f"{node.address}.zero") is True:
                continue
            n = count_of(self.card.answers.get(node.address))
            cap = maximum(rule)
            expected = (
                ZERO
                if n == 0 or n < (rule.at_least or 0)
                else rule.per * n
                if cap is None
                else min(rule.per * n, cap)
            )
            got = compile_rule(rule, node.address, penalty=node.penalty)(self.card.answers) or ZERO
            if got != expected:
                raise self.fail(
                    "capped-counter",
                    f"{n} × {fmt(rule.per)} (max {fmt(cap) if cap is not None else '—'}) awards {fmt(got)}, "
                    f"expected {fmt(expected)}",
                    node.address,
                )

    def groups(self) -> None:
        card = self.card
        projects = {g.address: g for g in card.projects}
        units = {g.address: g for g in card.units}
        weights = self.rubric.aggregate.weights if self.rubric.aggregate else {}
        rows: list[UnitRow] = []
        for unit in self.tree:
            if unit.projects:
                parts = [self._project(p, projects) for p in unit.projects]
                summed = sum((pts for pts, _, _ in parts), ZERO)
                reach = sum((r for _, r, _ in parts), ZERO)
                applicable = sum((a for _, _, a in parts), ZERO)
            else:
                summed, reach, applicable = self._sum_items(unit.items)
            cap = unit.node.max
            if cap is not None:
                summed, reach, applicable = min(summed, cap), min(reach, cap), min(applicable, cap)
            declared = group_max(unit.node) or ZERO
            rescale = self.rubric.na == "rescale" and applicable != declared and applicable > 0
            if rescale:
                places = self.rubric.digits or 0
                summed = half_up(Fraction(summed) * Fraction(declared) / Fraction(applicable), places)
                reach = half_up(Fraction(reach) * Fraction(declared) / Fraction(applicable), places)
            if self.rubric.na == "rescale" and applicable > 0:
                applicable = declared  # a rescaled unit is worth its full points
            got = units[unit.address].points
            if got != summed:
                how = f" (rescaled by {fmt(declared)}/{fmt(applicable)})" if rescale else ""
                raise self.fail(
                    "subtotals", f"unit scores {fmt(got)}, its children give {fmt(summed)}{how}", unit.address
                )
            if got < 0 or got > reach:
                raise self.fail(
                    "bounds", f"unit scores {fmt(got)}, above the {fmt(reach)} it can reach", unit.address
                )
            if units[unit.address].applicable_max != applicable:
                raise self.fail(
                    "subtotals",
                    f"unit can score {fmt(units[unit.address].applicable_max)} on this sheet, "
                    f"its applicable items {fmt(applicable)}",
                    unit.address,
                )
            bonus = bool(unit.node.bonus)  # type: ignore[union-attr]  # a unit
            rows.append(UnitRow(got, declared, applicable, bonus, weights.get(unit.address, Decimal(1))))
            self.unit_applicable[unit.address] = applicable
        total = total_of(self.rubric, rows)
        if any(g.kind == "zero" for g in card.failed_gates):
            total = ZERO
        if not all(isinstance(g.points, Decimal) for g in (*card.units, *card.projects)):
            raise self.fail("subtotals", "a unit's or project's points are not a Decimal")
        if not isinstance(card.total, Decimal) or card.total != total:
            raise self.fail("subtotals", f"total is {fmt(card.total)}, its units give {fmt(total)}")
        top = total_of(self.rubric, [attrs.evolve(r, points=ZERO if r.bonus else r.applicable) for r in rows])
        if self.na and card.applicable_max != top:
            raise self.fail(
                "subtotals", f"applicable_max is {fmt(card.applicable_max)}, its units give {fmt(top)}"
            )
        if not self.na and card.total > reachable_total(self.rubric):
            raise self.fail("bounds", f"total {fmt(card.total)} is above the reachable total")

    def _sum_items(self, items: Sequence[tuple[str, Rule]]) -> tuple[Decimal, Decimal, Decimal]:
        summed = sum((self.item_points[a] for a, _ in items), ZERO)
        reach = sum(
            (ZERO if a in self.na and self.rubric.na != "full" else reachable(r) or ZERO for a, r in items),
            ZERO,
        )
        applicable = sum(
            (_declared(r) for a, r in items if not (a in self.na and self.rubric.na != "full")), ZERO
        )
        for a, r in items:
            expected = ZERO if a in self.na and self.rubric.na != "full" else maximum(r) or ZERO
            if self.card.items[a].applicable_max != expected:
                raise self.fail(
                    "subtotals",
                    f"item can score {fmt(self.card.items[a].applicable_max)} on this sheet, expected "
                    f"{fmt(expected)}",
                    a,
                )
        return summed, reach, applicable

    def _project(self, group: Group, results: Mapping[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
        summed, reach, applicable = self._sum_items(group.items)
        cap = group.node.max
        if cap is not None:
            summed, reach, applicable = min(summed, cap), min(reach, cap), min(applicable, cap)
        got = results[group.address].points
        if got != summed:
            raise self.fail(
                "subtotals", f"project scores {fmt(got)}, its items give {fmt(summed)}", group.address
            )
        if got < 0 or got > reach:
            raise self.fail(
                "bounds", f"project scores {fmt(got)}, above the {fmt(reach)} it can reach", group.address
            )
        if results[group.address].applicable_max != applicable:
            raise self.fail(
                "subtotals",
                f"project can score {fmt(results[group.address].applicable_max)} on this sheet, "
                f"its applicable items {fmt(applicable)}",
                group.address,
            )
        self.project_applicable[group.address] = applicable
        return got, reach, applicable

    def unanswered(self) -> None:
        expected = []
        for address, rule in all_items(self.tree):
            if address in self.na:
                continue
            modifiers = {
                f"{node.address}.{suffix}"
                for node in self.nodes[address]
                for suffix, condition in (("zero", node.rule.zero_if), ("na", node.rule.na_if))
                if condition is not None
            }
            expected += [
                leaf.address
                for leaf in leaves(rule, address, address)
                if leaf.address not in self.answers and leaf.address not in modifiers
            ]
        if list(self.card.unanswered) != expected:
            raise self.fail(
                "unanswered", f"lists {list(self.card.unanswered)} as unanswered, expected {expected}"
            )

    def gates_and_level(self) -> None:
        card = self.card
        expected: set[tuple[str, str]] = set()
        for address, rule in all_items(self.tree):
            kind = rule.gate or ("required" if isinstance(rule, Check) else None)
            if kind is None or address in self.na:
                continue
            if isinstance(rule, Check):
                if self.answers.get(address) is not True:
                    expected.add((kind, address))
            else:
                need = rule.gate_min if rule.gate_min is not None else maximum(rule) or ZERO
                if self.item_points[address] < need:
                    expected.add((kind, address))
        for group in card.projects:
            node = next(p.node for u in self.tree for p in u.projects if p.address == group.address)
            # a ★ project none of whose points apply is not evaluated
            dropped = self.project_applicable[group.address] == 0 and group.max > 0
            if node.nonzero and group.points <= 0 and not dropped:  # type: ignore[union-attr]  # a project
                expected.add(("nonzero", group.address))
        failed = {(g.kind, g.address) for g in card.failed_gates}
        if failed != expected:
            raise self.fail(
                "gates",
                f"failed gates {sorted(failed)}, expected {sorted(expected)}",
                next(iter(sorted(failed ^ expected)))[1],
            )
        level = None
        if not failed:
            units = {g.address: g for g in card.units}
            bonus = {u.address for u in self.tree if u.node.bonus}  # type: ignore[union-attr]  # units
            # a unit none of whose points apply is held to nothing; a share is of what applies
            left = {a for a, top in self.unit_applicable.items() if top == 0 and units[a].max > 0}
            for lv in sorted(self.rubric.levels, key=lambda lv: lv.min):
                if card.total < lv.min:
                    continue
                if any(units[a].points < need for a, need in lv.unit_min.items() if a not in left):
                    continue
                if lv.unit_share is not None and any(
                    g.points < lv.unit_share * self.unit_applicable[g.address]
                    for g in card.units
                    if g.address not in bonus and g.address not in left
                ):
                    continue
                level = lv.name
        if card.level != level:
            raise self.fail(
                "level", f"level is {card.level!r} at {fmt(card.total)} points, expected {level!r}"
            )
        if self.rubric.levels and card.passed != (level is not None):
            raise self.fail("level", f"passed is {card.passed} with level {card.level!r}")


def _declared(rule: Rule) -> Decimal:
    if rule.bonus:
        return ZERO
    declared = getattr(rule, "points", None)
    return Decimal(declared) if declared is not None else maximum(rule) or ZERO


def _summary(card: ScoreCard) -> tuple[object, ...]:
    return (
        card.total,
        card.level,
        tuple(g.points for g in card.units),
        tuple(g.points for g in card.projects),
        tuple(sorted((g.kind, g.address) for g in card.failed_gates)),
    )


def _check_order(rubric: Rubric, answers: dict[str, Any], card: ScoreCard, rng: random.Random | None) -> None:
    want = (*_summary(card), {a: r.points for a, r in card.items.items()})
    orders = [("reversed", list(reversed(answers))), ("sorted", sorted(answers))]
    if rng is not None:
        shuffled = list(answers)
        rng.shuffle(shuffled)
        orders.append(("shuffled", shuffled))
    for label, order in orders:
        again = _score(rubric, {a: answers[a] for a in order})
        got = (*_summary(again), {a: r.points for a, r in again.items.items()})
        if got != want:
            raise PropertyFailure(
                "order",
                f"the answers in {label} order give another result",
                answers={a: answers[a] for a in order},
            )


def _rank(rubric: Rubric, level: str | None) -> int:
    names = [lv.name for lv in sorted(rubric.levels, key=lambda lv: lv.min)]
    return -1 if level is None else names.index(level)


def _more(rule: Rule, leaf: Any, value: object, penalty: bool) -> tuple[object, object, int] | None:
    """(less, more, sign) for a leaf: *more* meets more than *less*; sign −1 if that lowers the rule."""
    if (isinstance(rule, Flag) and not rule.at_least) or isinstance(rule, Check):
        return False, True, 1
    if isinstance(rule, Flag):
        n = value if isinstance(value, int) else 0
        return n, n + 1, -1 if penalty else 1
    if isinstance(rule, Each):
        n = count_of(value)
        if leaf.closed and n + 1 > len(leaf.options):
            return None
        return n, n + 1, 1
    if isinstance(rule, Linear):
        x = number_of(value) if value is not None else rule.start
        return x, x + rule.step if rule.direction == "up" else x - rule.step, 1
    if isinstance(rule, Judged):
        x = number_of(value) if value is not None else ZERO
        higher = [v for v in judged_values(leaf) if v > x]
        return (x, higher[0], 1) if higher else None
    return None


def _check_monotone(rubric: Rubric, answers: dict[str, Any], card: ScoreCard, checker: _CardChecker) -> None:
    leaf_map = compiled(rubric).leaves
    for item_address, _ in all_items(checker.tree):
        if answers.get(f"{item_address}.na") is True:
            continue  # not applicable: score() refuses any other answer for the item
        for node in checker.nodes[item_address]:
            leaf = leaf_map.get(node.address)
            if leaf is None or leaf.rule is not node.rule:
                continue
            move = _more(node.rule, leaf, answers.get(node.address), node.penalty)
            if move is None:
                continue
            less, more, sign = move
            sign *= -1 if node.deducts % 2 else 1
            given = answers.get(node.address)
            unchanged = node.address in answers and type(given) is type(less) and given == less
            lo = card if unchanged else _score(rubric, {**answers, node.address: less})
            hi = _score(rubric, {**answers, node.address: more})
            worse, better = (lo, hi) if sign > 0 else (hi, lo)
            problems = []
            if better.total < worse.total:
                problems.append(f"total {fmt(worse.total)} → {fmt(better.total)}")
            for a, b in zip(worse.units, better.units, strict=True):
                if b.points < a.points:
                    problems.append(f"unit {a.address} {fmt(a.points)} → {fmt(b.points)}")
            if _rank(rubric, better.level) < _rank(rubric, worse.level):
                problems.append(f"level {worse.level!r} → {better.level!r}")
            if not {(g.kind, g.address) for g in better.failed_gates} <= {
                (g.kind, g.address) for g in worse.failed_gates
            }:
                problems.append("a gate fails only with the better answer")
            if problems:
                direction = "more deficiency" if sign < 0 else "more met"
                raise PropertyFailure(
                    "monotone",
                    f"{show(less)} → {show(more)} ({direction}) made the result worse: "
                    + "; ".join(problems),
                    address=node.address,
                    answers=answers,
                )


# --- the entry point -----------------------------------------------------------------------


def check_rubric(
    rubric: Rubric | str | PathLike[str],
    *,
    max_examples: int | None = None,
    settings: hypothesis.settings | None = None,
) -> CheckReport:
    """Check *rubric* and its scoring against every property of `PROPERTIES`.

    Args:
        rubric: a `Rubric`, or the path of a rubric file.
        max_examples: how many generated sheets to score (default: the current hypothesis
            profile's ``max_examples``).
        settings: hypothesis settings to start from (default: the current profile); the
            deadline is always lifted, since a big rubric takes a while to check.

    Returns:
        What was checked: the rubric's title, its leaves, the examples run and the properties.

    Raises:
        PropertyFailure: a property does not hold (after hypothesis has shrunk the example).
    """
    resolved = _resolve(rubric)
    _static(resolved)
    parent = settings if settings is not None else hypothesis.settings()
    changes: dict[str, Any] = {
        "deadline": None,
        "suppress_health_check": [
            *parent.suppress_health_check,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        # one failure, shrunk, rather than a group of them
        "report_multiple_bugs": False,
    }
    if max_examples is not None:
        changes["max_examples"] = max_examples
    examples = 0

    @hypothesis.settings(parent, **changes)
    @hypothesis.given(strategies.sheets(resolved), st.randoms(use_true_random=False))
    def run(sheet: Sheet, rng: random.Random) -> None:
        nonlocal examples
        examples += 1
        check_scoring(resolved, sheet, rng=rng)

    run()
    return CheckReport(
        title=resolved.title,
        leaves=len(compiled(resolved).leaves),
        examples=examples,
        properties=PROPERTIES,
    )
