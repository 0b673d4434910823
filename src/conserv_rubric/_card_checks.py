"""The properties of one score card that `conserv_rubric.testing.check_scoring` checks: each item's
award against the independent reading (`_reference`), subtotals, bounds, gates and level, the
unanswered leaves, the order of the answers, and monotonicity."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from ._compiled import compiled
from ._kinds import compile_rule, leaves, maximum, reachable
from ._reference import (
    ZERO,
    Group,
    PropertyFailure,
    UnitRow,
    all_items,
    award,
    count_of,
    groups,
    half_up,
    in_band,
    is_partial,
    item_nodes,
    judged_values,
    number_of,
    show,
    total_of,
)
from ._score import ScoreCard, reachable_total, score
from ._sheet import Sheet, SheetInfo
from ._text import fmt
from ._totals import group_max
from .errors import SheetError
from .model import Check, Each, Flag, Judged, Level, Linear, Rubric, Rule


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


def _again(rubric: Rubric, answers: Mapping[str, Any], info: SheetInfo | None) -> ScoreCard:
    """*answers* scored at the stage of the sheet checked (bare answers: the first stage)."""
    return _score(rubric, answers if info is None else Sheet(info=info, answers=dict(answers)))


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
        # A self-assessment (the first stage; bare answers are one) is not awarded the items
        # only a verifier scores (docs/rules/verifier_only.md).
        stage = card.sheet.info.stage if card.sheet is not None else rubric.stages[0]
        self.held = {
            a for a, rule in all_items(self.tree) if rule.verifier_only and stage == rubric.stages[0]
        } - self.na
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
            elif address in self.held:
                expected = ZERO
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
            if address in self.na or address in self.held:
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
                if leaf.address not in self.answers
                and leaf.address not in modifiers
                and not _marked_not_applicable(self.answers, leaf.address)
                and not _marked_not_applicable(self.answers, leaf.address, "zero")
            ]
        if list(self.card.unanswered) != expected:
            raise self.fail(
                "unanswered", f"lists {list(self.card.unanswered)} as unanswered, expected {expected}"
            )

    def _item_gate_fails(self, address: str, rule: Rule) -> str | None:
        """The kind of *rule*'s gate if it fails on this card (docs/rules/gates.md), else None."""
        if rule.nonzero:  # a ★ item must score more than 0
            return "nonzero" if self.item_points[address] <= 0 else None
        kind = rule.gate or ("required" if isinstance(rule, Check) else None)
        if kind is None:
            return None
        if isinstance(rule, Check):
            met = self.answers.get(address) is True
        elif rule.gate_figure is not None:  # the measured figure, not the points
            value = self.card.answers.get(address)
            met = value is not None and in_band(rule.gate_figure, number_of(value), Decimal(1))
        else:
            need = rule.gate_min if rule.gate_min is not None else maximum(rule) or ZERO
            met = self.item_points[address] >= need
        return None if met else kind

    def _bar(self, address: str, ladder: list[Level]) -> Decimal:
        """The ``min`` of the lowest level the failed gate at *address* withholds: its item's or
        ★ project's ``withholds``, else the lowest level (every level)."""
        rule = next((r for a, r in all_items(self.tree) if a == address), None)
        if rule is not None:
            named = rule.withholds
        else:
            node = next(p.node for u in self.tree for p in u.projects if p.address == address)
            named = node.withholds  # type: ignore[union-attr]  # a ★ project
        return next((lv.min for lv in ladder if lv.name == named), ladder[0].min)

    def gates_and_level(self) -> None:
        card = self.card
        expected: set[tuple[str, str]] = set()
        for address, rule in all_items(self.tree):
            if address in self.na or address in self.held:
                continue
            kind = self._item_gate_fails(address, rule)
            if kind is not None:
                expected.add((kind, address))
        for group in card.projects:
            ref = next(p for u in self.tree for p in u.projects if p.address == group.address)
            node = ref.node
            # a ★ project none of whose points apply is not evaluated, nor on a self-assessment one
            # whose points are all the verifier's (docs/rules/verifier_only.md)
            dropped = self.project_applicable[group.address] == 0 and group.max > 0
            scored = [a for a, rule in ref.items if (maximum(rule) or ZERO) > 0]
            withheld = (
                bool(self.held) and bool(scored) and all(a in self.held or a in self.na for a in scored)
            )
            if node.nonzero and group.points <= 0 and not dropped and not withheld:  # type: ignore[union-attr]  # a project
                expected.add(("nonzero", group.address))
        failed = {(g.kind, g.address) for g in card.failed_gates}
        if failed != expected:
            raise self.fail(
                "gates",
                f"failed gates {sorted(failed)}, expected {sorted(expected)}",
                next(iter(sorted(failed ^ expected)))[1],
            )
        level = None
        # A failed gate withholds every level, or with ``withholds`` that level and those above
        # it (docs/rules/withholds.md); a part of a standard awards none (docs/rules/published.md).
        ladder = sorted(self.rubric.levels, key=lambda lv: lv.min)
        bar = min((self._bar(address, ladder) for _, address in failed), default=None) if ladder else None
        if ladder and (bar is None or bar > ladder[0].min) and not is_partial(self.rubric):
            units = {g.address: g for g in card.units}
            bonus = {u.address for u in self.tree if u.node.bonus}  # type: ignore[union-attr]  # units
            # a unit none of whose points apply is held to nothing; a share is of what applies
            left = {a for a, top in self.unit_applicable.items() if top == 0 and units[a].max > 0}
            for lv in ladder:
                if card.total < lv.min or (bar is not None and lv.min >= bar):
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
        if is_partial(self.rubric) and card.passed:
            raise self.fail("level", "a card of a partial transcription passed")


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


def _check_order(
    rubric: Rubric,
    answers: dict[str, Any],
    card: ScoreCard,
    rng: random.Random | None,
    info: SheetInfo | None,
) -> None:
    want = (*_summary(card), {a: r.points for a, r in card.items.items()})
    orders = [("reversed", list(reversed(answers))), ("sorted", sorted(answers))]
    if rng is not None:
        shuffled = list(answers)
        rng.shuffle(shuffled)
        orders.append(("shuffled", shuffled))
    for label, order in orders:
        again = _again(rubric, {a: answers[a] for a in order}, info)
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
        step = rule.step if rule.direction == "up" else -rule.step
        pair = (x, x + step)
        if leaf.low is not None and leaf.high is not None:
            # A declared answer range: move within it (one step back from an end), or not at all.
            if not leaf.low <= pair[1] <= leaf.high:
                pair = (x - step, x)
            if not all(leaf.low <= v <= leaf.high for v in pair):
                return None
        return pair[0], pair[1], 1
    if isinstance(rule, Judged):
        x = number_of(value) if value is not None else ZERO
        higher = [v for v in judged_values(leaf) if v > x]
        return (x, higher[0], 1) if higher else None
    return None


def _marked_not_applicable(answers: Mapping[str, Any], address: str, clause: str = "na") -> bool:
    """Whether *address* or a rule above it (a deduction with ``na_if``) is marked not applicable;
    with *clause* ``"zero"``, zeroed (本项不得分)."""
    parts = address.split(".")
    return any(answers.get(".".join(parts[:k]) + "." + clause) is True for k in range(1, len(parts) + 1))


def _check_monotone(
    rubric: Rubric, answers: dict[str, Any], card: ScoreCard, checker: _CardChecker, info: SheetInfo | None
) -> None:
    leaf_map = compiled(rubric).leaves
    for item_address, _ in all_items(checker.tree):
        if answers.get(f"{item_address}.na") is True:
            continue  # not applicable: score() refuses any other answer for the item
        for node in checker.nodes[item_address]:
            leaf = leaf_map.get(node.address)
            if leaf is None or leaf.rule is not node.rule or _marked_not_applicable(answers, node.address):
                continue
            move = _more(node.rule, leaf, answers.get(node.address), node.penalty)
            if move is None:
                continue
            less, more, sign = move
            sign *= -1 if node.deducts % 2 else 1
            given = answers.get(node.address)
            unchanged = node.address in answers and type(given) is type(less) and given == less
            lo = card if unchanged else _again(rubric, {**answers, node.address: less}, info)
            hi = _again(rubric, {**answers, node.address: more}, info)
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
