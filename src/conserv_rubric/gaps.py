"""Gap analysis (找差距补短板): the points still open and the fewest items that reach the next level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

import attrs

from ._compiled import Compiled, compiled
from ._exact import exactly
from ._gapshare import MAX_POINTS, Open, Ranked, Shared, Unit, grouped, shared
from ._gapshare import points as card_points
from ._gates import GateKind
from ._kinds import ZERO, Num
from ._pricing import Candidates, Totals, _capped
from ._provenance import Provenance
from ._score import GateResult, ScoreCard
from ._sheet import Sheet
from ._text import describe
from .errors import Problem, RubricError
from .model import Level

#: Open items a rubric's gaps share, at most (an item at given points, adding given points).
MAX_OPENED: Final = 4096

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
        withheld: on a self-assessment, the items only a verifier scores (``verifier_only``,
            `ScoreCard.withheld`) that are not at full points, each with what full points on it
            alone would add. They are not open items: no answer of the agency's raises them, so
            they count neither in *adds* nor in the plan, its ``best`` or whether it is reachable.
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
    withheld: tuple[OpenItem, ...] = ()


def _check_card(card: object) -> None:
    if not isinstance(card, ScoreCard):
        hint = "; score it first: gap(score(rubric, sheet))" if isinstance(card, Sheet | Mapping) else ""
        message = f"gap() takes a ScoreCard (from score()), not {describe(card)}{hint}"
        raise RubricError([Problem(message=message)])


@exactly
def gap(card: ScoreCard) -> Gap:
    """The points *card* still leaves open and the fewest items that reach the next level.

    The plan is greedy: first the items of every failed gate (a required, veto or zero item
    is brought to the points it needs; a ★ project gets its most valuable open item), since
    these must be fixed anyway; then, while a unit is below the level's ``unit_min`` or
    ``unit_share``, the open item of such a unit that adds most to those units; then the open
    item that adds most to the total. The total is recomputed after every pick, because caps
    make additions non-additive. Ties go to the item that comes first in the rubric (address
    order). Only applicable items are considered, and only those the agency scores: on a
    self-assessment the items only a verifier scores (`ScoreCard.withheld`) are listed apart
    (`Gap.withheld`), since no answer of the agency's raises them.

    Args:
        card: a score card.

    Returns:
        The gap: open items by unit and the next level with the plan to reach it.

    Raises:
        RubricError: *card* is not a `ScoreCard` (a sheet is scored with `score` first).
    """
    _check_card(card)
    c = compiled(card.rubric)
    memo = shared(c)
    if memo.free:
        return _free_gap(card, c, memo)
    pts = card_points(card, c, memo)
    excluded = card.excluded
    held = card.held
    items = c.items
    top = c.item_max
    skip = excluded | held if held else excluded
    open_k = [k for k in range(len(items)) if pts[k] < top[k] and k not in skip]
    totals = Totals(c, pts, excluded, memo.project_of, memo.sums)
    start = totals.total
    units = []
    if memo.linear:
        # Whole points summed plainly: what an item adds is its unit's gain, an int.
        unit_of = memo.unit_of
        each, raised = totals.gains(open_k, unit_of, memo.unit_of_project)
        opened = memo.opened
        shown: list[OpenItem] = []
        before = totals.unit_pts
        groups = card.units
        last = len(open_k) - 1
        for n, k in enumerate(open_k):
            key = (k, pts[k], each[n])
            found = opened.get(key)
            if found is None:
                item = items[k]
                found = OpenItem(item.address, item.rule.text, Decimal(pts[k]), item.max, Decimal(each[n]))
                if len(opened) < MAX_OPENED:
                    opened[key] = found
            shown.append(found)
            u = unit_of[k]
            if n == last or unit_of[open_k[n + 1]] != u:
                group = groups[u]
                adds = Decimal(raised[u] - before[u])
                units.append(UnitGap(group.address, group.title, group.points, group.max, adds, tuple(shown)))
                shown = []
    else:
        by_unit: list[list[int]] = [[] for _ in c.unit_nodes]
        for k in open_k:
            by_unit[items[k].unit].append(k)
        # What raising each open item alone adds, in rubric order (by unit, open_k's order).
        priced = [totals.raised(k, top[k])[1] - start for k in open_k]
        added = dict(zip(open_k, priced, strict=True))
        each = list(priced)
        raised = list(totals.unit_pts)
        full = list(pts)
        for k in open_k:
            full[k] = top[k]
        for u, group in enumerate(card.units):
            if by_unit[u]:
                opened_here = tuple(
                    OpenItem(items[k].address, items[k].rule.text, Decimal(pts[k]), items[k].max, added[k])
                    for k in by_unit[u]
                )
                raised[u] = totals.unit_from(u, full)
                adds = totals.total_with(u, raised[u]) - start
                units.append(UnitGap(group.address, group.title, group.points, group.max, adds, opened_here))
    best = totals.total_of(raised)
    # Priced before the plan raises the totals.
    withheld = _withheld(c, totals, held, pts) if held else ()
    return Gap(
        card.rubric.title,
        card.sheet.info.agency if card.sheet is not None else None,
        card.total,
        card.max,
        card.level,
        card.passed,
        memo.verdict(card),
        best - start,
        tuple(units),
        card.failed_gates,
        _target(card, c, memo, totals, open_k, each, (raised, best)),
        memo.provenance(card),
        card.partial,
        withheld,
    )


def _free_gap(card: ScoreCard, c: Compiled, memo: Shared) -> Gap:
    """`gap` for a rubric of whole points summed plainly whose units are not capped: assembled
    from what each unit leaves open (`_unit_entry`), shared by the points of the unit's groups;
    the totals that follow an item up are kept only when there is a level to plan for or an item
    withheld."""
    held = card.held
    entries = memo.unit_entries[1 if held else 0]
    open_k: list[int] = []
    each: list[Num] = []
    order: list[Ranked] = []
    unit_pts: list[Num] = []
    raised: list[Num] = []
    units: list[UnitGap] = []
    parts = grouped(card, c, memo)
    for u, (first, last) in enumerate(memo.unit_groups):
        key = tuple(parts[first:last])
        found = entries[u].get(key)
        if found is None:
            found = _unit_entry(c, memo, u, key, held)
            if len(entries[u]) < memo.unit_room[u]:
                entries[u][key] = found
        ks, adds, ranked, together, counted, shown = found
        unit_pts.append(counted)
        raised.append(counted + together)
        if shown is not None:
            units.append(shown)
            open_k.extend(ks)
            each.extend(adds)
            order.extend(ranked)
    # Whole points summed plainly (`Compiled.integral`): the totals are the sums, made Decimals.
    start = sum(unit_pts)
    gained = sum(raised) - start
    best = Decimal(start + gained)
    target = None
    withheld: tuple[OpenItem, ...] = ()
    level = memo.next_level(card)
    failed = card.failed_gates_raw
    # No pick changes another's addition: the plan is a sort, in ints (`_fixed_plan`).
    fixed = level is not None and level.name in memo.fixed_levels and not failed
    totals = None
    if held or (level is not None and not fixed):
        pts = [x for got in parts for x in got]
        totals = Totals(c, pts, card.excluded, memo.project_of, memo.sums)
        withheld = _withheld(c, totals, held, pts) if held else ()
    if fixed and level is not None:
        target = _fixed_plan(card, level, order, start, best)
    elif totals is not None:
        target = _target(card, c, memo, totals, open_k, each, (raised, best))
    return Gap(
        memo.title,
        card.sheet.info.agency if card.sheet is not None else None,
        card.total,
        memo.max,
        card.level,
        card.passed,
        memo.verdict(card),
        Decimal(gained),
        tuple(units),
        card.failed_gates if failed else (),
        target,
        memo.provenance(card),
        memo.partial,
        withheld,
    )


def _withheld(c: Compiled, totals: Totals, held: frozenset[int], pts: list[Num]) -> tuple[OpenItem, ...]:
    """The items only a verifier scores, with what full points on each alone would add."""
    out = []
    for k in sorted(held):
        item = c.items[k]
        if pts[k] < c.item_max[k] and k not in totals.excluded:
            adds = totals.raised(k, c.item_max[k])[1] - totals.total
            out.append(OpenItem(item.address, item.rule.text, Decimal(pts[k]), item.max, adds))
    return tuple(out)


def _target(
    card: ScoreCard,
    c: Compiled,
    memo: Shared,
    totals: Totals,
    open_k: list[int],
    adds: Sequence[Num],
    raised_all: tuple[list[Num], Decimal],
) -> Target | None:
    """The next level and the plan to reach it (*adds*: what each open item adds alone;
    *raised_all*: every unit's points and the total with every open item at full points);
    raises *totals* along the plan."""
    level = memo.next_level(card)
    if level is None:
        return None
    excluded = card.excluded
    items = c.items
    plan: list[Step] = []
    chosen: set[int] = set()
    failed = {(g.kind, g.address) for g in card.failed_gates_raw}
    zero_pending = sum(1 for g in card.failed_gates_raw if g.kind == "zero")
    total = card.total
    # Raising one item changes no other unit's points (caps act within a unit and the aggregate
    # is linear), so a pick only changes the gains of items in its own unit, and only where
    # caps (or rescaling) make its items' additions depend on each other.
    capped = memo.capped if not excluded else range(len(c.unit_nodes))
    candidates = Candidates(totals, open_k, capped, adds, memo.unit_of)

    beyond = False

    def take(k: int, gate: GateKind | None, need: Decimal = ZERO) -> None:
        nonlocal total, zero_pending, beyond
        item = items[k]
        # Each item is taken once, so its points are still the card's.
        was = totals.pts[k]
        if need > was and need > item.max:
            beyond = True
        totals.set(k, max(was, item.max, need))
        chosen.add(k)
        candidates.picked(k)
        if gate == "zero":
            zero_pending -= 1
        now = ZERO if zero_pending else totals.total
        plan.append(
            Step(item.address, item.rule.text, Decimal(was), max(item.max, need), now - total, now, gate)
        )
        total = now

    # A failed gate that no open item can fix holds the level back however the rest is raised (a
    # ★ project whose points are all the verifier's is not evaluated on a self-assessment at all).
    stuck = False
    # A gate that withholds only levels above the target (``withholds``) need not be fixed for it.
    bars = {lv.name: lv.min for lv in c.levels}
    for g in c.gates:
        if (g.kind, g.address) not in failed or (g.withholds is not None and level.min < bars[g.withholds]):
            continue
        if g.test == "project":
            start, end = c.project_slices[g.index]
            pool = [k for k in range(start, end) if candidates.left(k)]
            if pool:
                take(candidates.best_of(pool), "nonzero")
            elif totals.project_pts[g.index] <= 0:
                stuck = True
        elif g.index not in chosen:
            take(g.index, g.kind, g.need)
    best_units, best = raised_all
    # An item a gate picked is now at its maximum (an open one) or as it was (one at full
    # points, or a check), unless the gate asked more of it than its maximum.
    if beyond:
        raised = list(totals.pts)
        for k in open_k:
            raised[k] = max(raised[k], items[k].max)
        best_units = [totals.unit_from(u, raised) for u in range(len(c.unit_nodes))]
        best = totals.total_of(best_units)
    # What the level asks of units (``unit_min``, ``unit_share``): often nothing.
    asked = c.unit_needs(level, excluded)
    shortfalls: tuple[Shortfall, ...] = ()
    if asked:
        groups = card.units
        shortfalls = tuple(
            Shortfall(groups[u].address, groups[u].title, groups[u].points, need)
            for u, need in sorted(c.shortfalls(level, [u.points for u in groups], excluded).items())
        )
    reachable = (
        not stuck
        and best >= level.min
        and not (asked and c.shortfalls(level, [Decimal(x) for x in best_units], excluded))
    )
    if reachable:
        needs: dict[int, list[Decimal]] = {}
        for u, need in asked:
            needs.setdefault(u, []).append(need)
        short = {u for u, wanted in needs.items() if any(totals.unit_pts[u] < need for need in wanted)}
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


def _fixed_plan(card: ScoreCard, level: Level, order: list[Ranked], start: Num, best: Decimal) -> Target:
    """`_target` where no pick changes what another adds (whole points summed plainly, no cap on
    any unit or project), no gate failed and the level asks nothing of units: the plan takes the
    open items (*order*: each ranked by what it adds, then its place in the rubric, with what it
    adds and the item shown) by what each adds, ties to the earliest, until the total, *start*
    before the first, reaches the level."""
    plan: list[Step] = []
    reachable = best >= level.min
    if reachable:
        total = card.total
        running = start
        for _, _, add, item in sorted(order):
            if running >= level.min:
                break
            running += add
            now = Decimal(running)
            plan.append(Step(item.address, item.text, item.points, max(item.max, ZERO), now - total, now))
            total = now
    return Target(level.name, level.min, max(level.min - card.total, ZERO), reachable, best, tuple(plan), ())


def _entry(c: Compiled, memo: Shared, g: int, got: tuple[Num, ...], held: frozenset[int]) -> Open:
    """What group *g* leaves open at points *got* in a rubric of whole points summed plainly
    whose units are not capped: its open items, what each adds to the total (its project's gain,
    after the project's cap), those items shown, what all of them add together, and the group's
    points (after the project's cap)."""
    first, last, _, _ = memo.groups[g]
    top = c.item_max
    ks = tuple(k for k in range(first, last) if got[k - first] < top[k] and k not in held)
    p = memo.project_of[first]
    gain = [top[k] - got[k - first] for k in ks]
    if p is None:
        adds = gain
        together = sum(gain)
    else:
        cap = c.project_plan[p][2]
        raw = sum(got)
        now = _capped(raw, cap)
        adds = [_capped(raw + x, cap) - now for x in gain]
        together = _capped(raw + sum(gain), cap) - now
    counted = sum(got) if p is None else _capped(sum(got), c.project_plan[p][2])
    items = c.items
    shown = tuple(
        OpenItem(items[k].address, items[k].rule.text, Decimal(got[k - first]), items[k].max, Decimal(add))
        for k, add in zip(ks, adds, strict=True)
    )
    return ks, tuple(adds), shown, together, counted


def _unit_entry(
    c: Compiled, memo: Shared, u: int, got: tuple[tuple[Num, ...], ...], held: frozenset[int]
) -> Unit:
    """What unit *u* leaves open with its groups at points *got* (`_entry` for each), in a
    rubric of whole points summed plainly whose units are not capped: its open items, what each
    adds to the total, those items ranked for `_fixed_plan`, what all of them add together, the
    unit's points, and the unit as `Gap.units` shows it (None when nothing is open)."""
    first = memo.unit_groups[u][0]
    group_entries = memo.entries[1 if held else 0]
    ks: list[int] = []
    adds: list[Num] = []
    shown: list[OpenItem] = []
    together: Num = 0
    counted: Num = 0
    for g, points in enumerate(got, start=first):
        found = group_entries[g].get(points)
        if found is None:
            found = _entry(c, memo, g, points, held)
            if len(group_entries[g]) < MAX_POINTS:
                group_entries[g][points] = found
        counted += found[4]
        if found[0]:
            ks.extend(found[0])
            adds.extend(found[1])
            shown.extend(found[2])
            together += found[3]
    ranked = tuple((-add, k, add, item) for k, add, item in zip(ks, adds, shown, strict=True))
    unit = None
    if shown:
        address, title, top = memo.units[u]
        unit = UnitGap(address, title, Decimal(counted), top, Decimal(together), tuple(shown))
    return tuple(ks), tuple(adds), ranked, together, counted, unit
