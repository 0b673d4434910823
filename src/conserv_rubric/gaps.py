"""Gap analysis (找差距补短板): the points still open and the fewest items that reach the next level."""

from __future__ import annotations

from decimal import Decimal

import attrs

from ._compiled import Compiled, GateKind, compiled
from ._exact import exactly
from ._kinds import ZERO, Num
from ._pricing import Candidates, Totals
from ._provenance import Provenance
from ._score import GateResult, ScoreCard

__all__ = ["Gap", "OpenItem", "Shortfall", "Step", "Target", "UnitGap", "gap"]


@attrs.frozen
class OpenItem:
    """An applicable item that has not earned its full points.

    Attributes:
        adds: what full points on this item alone would add to the total, after caps,
            weights and the aggregate formula.
    """

    address: str
    text: str
    points: Decimal
    max: Decimal
    adds: Decimal


@attrs.frozen
class UnitGap:
    """A unit with open items; *adds* is what full points on all of them would add to the total."""

    address: str
    title: str
    points: Decimal
    max: Decimal
    adds: Decimal
    items: tuple[OpenItem, ...]


@attrs.frozen
class Step:
    """One item of the plan: bring it to *max* (or, for a check, meet it).

    Attributes:
        adds: what it adds to the total on top of the steps before it.
        total: the total once this step and those before it are done.
        gate: the kind of the failed gate it fixes, if any.
    """

    address: str
    text: str
    points: Decimal
    max: Decimal
    adds: Decimal
    total: Decimal
    gate: GateKind | None = None


@attrs.frozen
class Shortfall:
    """A unit below the points a level asks of it (``unit_min`` or ``unit_share``)."""

    address: str
    title: str
    points: Decimal
    need: Decimal


@attrs.frozen
class Target:
    """The next level and how to get there.

    Attributes:
        missing: the points between the total and the level's ``min`` (0 if only gates or
            units hold it back).
        reachable: whether the level can be reached with every open item at full points.
        best: the total with every open item at full points.
        plan: the fewest items found (empty when unreachable).
        shortfalls: the units below what the level asks of them.
    """

    name: str
    min: Decimal
    missing: Decimal
    reachable: bool
    best: Decimal
    plan: tuple[Step, ...]
    shortfalls: tuple[Shortfall, ...]


@attrs.frozen
class Gap:
    """Where an agency stands and what it still can gain.

    Attributes:
        passed: whether the card passed (`ScoreCard.passed`).
        verdict: what the card reached, in the words of `ScoreCard.verdict`.
        adds: what full points on every open item would add to the total.
        units: the units with open items, in rubric order.
        target: the next level, or None when the rubric has no levels, the highest is reached,
            or the rubric is transcribed only in part (it awards no level).
        provenance: the rubric and library the card was scored with (DESIGN §14).
        partial: whether the rubric transcribes only part of the standard (`ScoreCard.partial`),
            so that no level is planned even where the rubric declares levels.
    """

    rubric: str
    agency: str | None
    total: Decimal
    max: Decimal
    level: str | None
    passed: bool
    verdict: str
    adds: Decimal
    units: tuple[UnitGap, ...]
    failed_gates: tuple[GateResult, ...]
    target: Target | None
    provenance: Provenance | None = None
    partial: bool = False


@exactly
def gap(card: ScoreCard) -> Gap:
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
    # The points `ScoreCard.items` shows, without the reasons this analysis does not read.
    pts: list[Num] = card._pts
    excluded = card.excluded
    items = c.items
    top = c.item_max
    open_k = [k for k in range(len(items)) if k not in excluded and pts[k] < top[k]]
    totals = Totals(c, pts, excluded)
    start = totals.total
    full = list(pts)
    by_unit: list[list[int]] = [[] for _ in c.unit_nodes]
    for k in open_k:
        full[k] = top[k]
        by_unit[items[k].unit].append(k)
    # What raising each open item alone adds, in rubric order (by unit, open_k's order).
    each = {k: totals.raised(k, top[k])[1] - start for k in open_k}
    units = []
    raised = list(totals.unit_pts)
    for u, group in enumerate(card.units):
        if by_unit[u]:
            opened = tuple(
                OpenItem(items[k].address, items[k].rule.text, Decimal(pts[k]), items[k].max, each[k])
                for k in by_unit[u]
            )
            raised[u] = totals.unit_from(u, full)
            adds = totals.total_with(u, raised[u]) - start
            units.append(UnitGap(group.address, group.title, group.points, group.max, adds, opened))
    adds = totals.total_of(raised) - start
    return Gap(
        card.rubric.title,
        card.sheet.info.agency if card.sheet is not None else None,
        card.total,
        card.max,
        card.level,
        card.passed,
        card.verdict,
        adds,
        tuple(units),
        card.failed_gates,
        _target(card, c, totals, open_k, [each[k] for k in open_k]),
        card.provenance,
        card.partial,
    )


def _target(
    card: ScoreCard, c: Compiled, totals: Totals, open_k: list[int], adds: list[Decimal]
) -> Target | None:
    """The next level and the plan to reach it (*adds*: what each open item adds alone);
    raises *totals* along the plan."""
    ladder = sorted(card.rubric.levels, key=lambda lv: lv.min)
    names = [lv.name for lv in ladder]
    following = ladder[names.index(card.level) + 1 :] if card.level is not None else ladder
    if not following or card.partial:
        return None
    level = following[0]
    excluded = card.excluded
    items = c.items
    was = list(totals.pts)
    plan: list[Step] = []
    chosen: set[int] = set()
    failed = {(g.kind, g.address) for g in card.failed_gates_raw}
    zero_pending = sum(1 for g in card.failed_gates_raw if g.kind == "zero")
    total = card.total
    # Raising one item changes no other unit's points (caps act within a unit and the aggregate
    # is linear), so a pick only changes the gains of items in its own unit, and only where
    # caps (or rescaling) make its items' additions depend on each other.
    capped = {
        u
        for u, (_, unit) in enumerate(c.unit_nodes)
        if unit.max is not None or any(p.max is not None for p in unit.projects) or excluded
    }
    candidates = Candidates(totals, open_k, capped, adds)

    def take(k: int, gate: GateKind | None, need: Decimal = ZERO) -> None:
        nonlocal total, zero_pending
        item = items[k]
        totals.set(k, max(totals.pts[k], item.max, need))
        chosen.add(k)
        candidates.picked(k)
        if gate == "zero":
            zero_pending -= 1
        now = ZERO if zero_pending else totals.total
        plan.append(
            Step(item.address, item.rule.text, Decimal(was[k]), max(item.max, need), now - total, now, gate)
        )
        total = now

    for g in c.gates:
        if (g.kind, g.address) not in failed:
            continue
        if g.test == "project":
            start, end = c.project_slices[g.index]
            pool = [k for k in range(start, end) if candidates.left(k)]
            if pool:
                take(candidates.best_of(pool), "nonzero")
        elif g.index not in chosen:
            take(g.index, g.kind, g.need)
    raised = list(totals.pts)
    for k in open_k:
        raised[k] = max(raised[k], items[k].max)
    _, best_units, best = c.totals(raised, excluded)
    shortfalls = tuple(
        Shortfall(card.units[u].address, card.units[u].title, card.units[u].points, need)
        for u, need in sorted(c.shortfalls(level, [u.points for u in card.units], excluded).items())
    )
    reachable = best >= level.min and not c.shortfalls(level, best_units, excluded)
    if reachable:
        needs: dict[int, list[Decimal]] = {}
        for u, need in c.unit_needs(level, excluded):
            needs.setdefault(u, []).append(need)
        short = {u for u, asked in needs.items() if any(totals.unit_pts[u] < need for need in asked)}
        while totals.total < level.min or short:
            candidates.short_of(short)
            k = candidates.best()
            take(k, None)
            u = items[k].unit
            if u in short and not any(totals.unit_pts[u] < need for need in needs[u]):
                short.discard(u)
    return Target(
        level.name,
        level.min,
        max(level.min - card.total, ZERO),
        reachable,
        best,
        tuple(plan) if reachable else (),
        shortfalls,
    )
