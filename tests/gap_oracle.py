"""The gap analysis as it was first written, kept as the oracle of the incremental `gap`.

`conserv_rubric.gaps.gap` keeps the totals up to date item by item (`conserv_rubric._pricing`);
this one recomputes every total from all item points for each candidate it prices, which is
quadratic in the rubric's size but plainly right. `tests/test_gap_incremental.py` compares the two.
"""

from __future__ import annotations

from decimal import Decimal

from conserv_rubric._compiled import Compiled, compiled
from conserv_rubric._exact import exactly
from conserv_rubric._gates import GateKind
from conserv_rubric._kinds import ZERO
from conserv_rubric._score import ScoreCard
from conserv_rubric.gaps import Gap, OpenItem, Shortfall, Step, Target, UnitGap

__all__ = ["full_gap"]


@exactly
def full_gap(card: ScoreCard) -> Gap:
    """The points *card* still leaves open and the fewest items that reach the next level.

    The plan is greedy: first the items of every failed gate (a required, veto or zero item
    is brought to the points it needs; a ★ project gets its most valuable open item), since
    these must be fixed anyway; then, while a unit is below the level's ``unit_min`` or
    ``unit_share``, the open item of such a unit that adds most to those units; then the open
    item that adds most to the total. The total is recomputed after every pick, because caps
    make additions non-additive. Ties go to the item that comes first in the rubric (address
    order). Only applicable items are considered.

    Args:
        card: a score card.

    Returns:
        The gap: open items by unit and the next level with the plan to reach it.
    """
    c = compiled(card.rubric)
    results = list(card.items.values())
    excluded = set(card.excluded)
    pts = [r.points for r in results]
    start = c.totals(pts, excluded)[2]
    # The items only a verifier scores are not the agency's to raise: listed apart.
    open_k = [
        k for k, r in enumerate(results) if r.applicable and r.max - r.points > 0 and k not in card.held
    ]
    withheld = tuple(
        OpenItem(r.address, r.text, r.points, r.max, c.totals(_raised(pts, k, r.max), excluded)[2] - start)
        for k, r in enumerate(results)
        if k in card.held and r.applicable and r.max - r.points > 0
    )
    units = []
    for u, group in enumerate(card.units):
        items = tuple(
            OpenItem(
                r.address, r.text, r.points, r.max, c.totals(_raised(pts, k, r.max), excluded)[2] - start
            )
            for k, r in ((k, results[k]) for k in open_k)
            if c.items[k].unit == u
        )
        if items:
            full = _raised_all(pts, {k: results[k].max for k in open_k if c.items[k].unit == u})
            adds = c.totals(full, excluded)[2] - start
            units.append(UnitGap(group.address, group.title, group.points, group.max, adds, items))
    return Gap(
        card.rubric.title,
        card.sheet.info.agency if card.sheet is not None else None,
        card.total,
        card.max,
        card.level,
        card.passed,
        card.verdict,
        c.totals(_raised_all(pts, {k: results[k].max for k in open_k}), excluded)[2] - start,
        tuple(units),
        card.failed_gates,
        _target(card, c, pts, excluded, open_k),
        card.provenance,
        card.partial,
        withheld,
    )


def _raised(pts: list[Decimal], k: int, to: Decimal) -> list[Decimal]:
    return _raised_all(pts, {k: to})


def _raised_all(pts: list[Decimal], targets: dict[int, Decimal]) -> list[Decimal]:
    out = list(pts)
    for k, to in targets.items():
        out[k] = max(out[k], to)
    return out


def _target(
    card: ScoreCard, c: Compiled, pts: list[Decimal], excluded: set[int], open_k: list[int]
) -> Target | None:
    ladder = sorted(card.rubric.levels, key=lambda lv: lv.min)
    names = [lv.name for lv in ladder]
    following = ladder[names.index(card.level) + 1 :] if card.level is not None else ladder
    if not following or card.partial:
        return None
    level = following[0]
    results = list(card.items.values())
    pts = list(pts)
    plan: list[Step] = []
    chosen: set[int] = set()
    failed = {(g.kind, g.address) for g in card.failed_gates}
    zero_pending = sum(1 for g in card.failed_gates if g.kind == "zero")
    total = card.total

    # What raising each item would add, relative to the current points. Raising one item changes
    # no other unit's points (caps act within a unit and the aggregate is linear), so a pick only
    # invalidates the gains of items in its own unit; this keeps the plan near O(n²), not O(n³).
    gains: dict[int, tuple[Decimal, Decimal]] = {}
    # Without caps (or rescaling) in a unit, its items' gains do not depend on each other either.
    capped = {
        u
        for u, (_, unit) in enumerate(c.unit_nodes)
        if unit.max is not None or any(p.max is not None for p in unit.projects) or excluded
    }
    gains_for: list[frozenset[int]] = [frozenset()]

    def take(k: int, gate: GateKind | None, need: Decimal = ZERO) -> None:
        nonlocal total, zero_pending
        r = results[k]
        pts[k] = max(pts[k], r.max, need)
        chosen.add(k)
        unit = c.items[k].unit
        if unit in capped:
            for other in [o for o in gains if c.items[o].unit == unit]:
                del gains[other]
        if gate == "zero":
            zero_pending -= 1
        now = ZERO if zero_pending else c.totals(pts, excluded)[2]
        plan.append(Step(r.address, r.text, r.points, max(r.max, need), now - total, now, gate))
        total = now

    def best_of(pool: list[int], short: dict[int, Decimal]) -> int:
        if frozenset(short) != gains_for[0]:
            gains.clear()
            gains_for[0] = frozenset(short)
        _, base_units, base = c.totals(pts, excluded)

        def key(k: int) -> tuple[Decimal, Decimal, int]:
            if k not in gains:
                _, unit_pts, after = c.totals(_raised(pts, k, results[k].max), excluded)
                units_gain = sum((unit_pts[u] - base_units[u] for u in short), ZERO)
                gains[k] = (units_gain, after - base)
            return (*gains[k], -k)

        return max(pool, key=key)

    stuck = False
    for g in c.gates:
        if (g.kind, g.address) not in failed:
            continue
        if g.withholds is not None and level.min < ladder[names.index(g.withholds)].min:
            continue  # it withholds only levels above the target (docs/rules/withholds.md)
        if g.test == "project":
            start, end = c.project_slices[g.index]
            pool = [k for k in open_k if start <= k < end and k not in chosen]
            if pool:
                take(best_of(pool, {}), "nonzero")
            elif c.totals(pts, excluded)[0][g.index] <= 0:
                stuck = True  # no open item can fix it: the level stays out of reach
        elif g.index not in chosen:
            take(g.index, g.kind, g.need)
    _, best_units, best = c.totals(_raised_all(pts, {k: results[k].max for k in open_k}), excluded)
    shortfalls = tuple(
        Shortfall(card.units[u].address, card.units[u].title, card.units[u].points, need)
        for u, need in sorted(c.shortfalls(level, [u.points for u in card.units], excluded).items())
    )
    reachable = not stuck and best >= level.min and not c.shortfalls(level, best_units, excluded)
    if reachable:
        while True:
            _, unit_pts, now = c.totals(pts, excluded)
            short = c.shortfalls(level, unit_pts, excluded)
            if now >= level.min and not short:
                break
            rest = [k for k in open_k if k not in chosen]
            lacking = [k for k in rest if c.items[k].unit in short]
            take(best_of(lacking or rest, short), None)
    return Target(
        level.name,
        level.min,
        max(level.min - card.total, ZERO),
        reachable,
        best,
        tuple(plan) if reachable else (),
        shortfalls,
    )
