"""Gap analysis (找差距补短板): the points still open and the fewest items that reach the next level."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from ._answers import check_answer
from ._compiled import Compiled, GateKind, compiled
from ._exact import exactly
from ._kinds import ZERO, Num
from ._pricing import Candidates, Totals, _capped, shape
from ._provenance import Provenance
from ._score import MAX_SHARED, GateResult, ScoreCard
from .model import Level

#: Open items a rubric's gaps share, at most (an item at given points, adding given points).
MAX_OPENED: Final = 4096
#: Item points remembered per item by its answers, at most.
MAX_POINTS: Final = 4096

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


#: What one group of items leaves open (`_entry`): the open items, what each adds, the items as
#: shown, what all of them add together, and the group's points as its unit counts them.
_Open = tuple[tuple[int, ...], tuple[Num, ...], tuple[OpenItem, ...], Num, Num]


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
    """
    c = compiled(card.rubric)
    memo = _memo(c)
    if memo.free:
        return _free_gap(card, c, memo)
    pts = _points(card, c, memo)
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


def _free_gap(card: ScoreCard, c: Compiled, memo: _Memo) -> Gap:
    """`gap` for a rubric of whole points summed plainly whose units are not capped: assembled
    from what each group leaves open (`_entry`), shared by the group's points; the totals that
    follow an item up are kept only when there is a level to plan for or an item withheld."""
    held = card.held
    entries = memo.entries[1 if held else 0]
    n_units = len(c.unit_nodes)
    open_k: list[int] = []
    each: list[Num] = []
    shown: list[list[OpenItem]] = [[] for _ in range(n_units)]
    together: list[Num] = [0] * n_units
    unit_pts: list[Num] = [0] * n_units
    group_unit = memo.group_unit
    parts = _grouped(card, c, memo)
    for g, got in enumerate(parts):
        found = entries[g].get(got)
        if found is None:
            found = _entry(c, memo, g, got, held)
            if len(entries[g]) < MAX_POINTS:
                entries[g][got] = found
        u = group_unit[g]
        unit_pts[u] += found[4]
        if found[0]:
            open_k.extend(found[0])
            each.extend(found[1])
            shown[u].extend(found[2])
            together[u] += found[3]
    total_of = c.aggregator.total
    start = total_of(unit_pts)
    # The unit's points as `ScoreCard.units` gives them: the same sums, made a Decimal.
    named = memo.units
    units = [
        UnitGap(
            named[u][0], named[u][1], Decimal(unit_pts[u]), named[u][2], Decimal(together[u]), tuple(shown[u])
        )
        for u in range(n_units)
        if shown[u]
    ]
    raised = [p + x for p, x in zip(unit_pts, together, strict=True)]
    best = total_of(raised)
    target = None
    withheld: tuple[OpenItem, ...] = ()
    level = memo.next_level(card)
    # No pick changes another's addition: the plan is a sort, in ints (`_fixed_plan`).
    fixed = level is not None and level.name in memo.fixed_levels and not card.failed_gates_raw
    totals = None
    if held or (level is not None and not fixed):
        pts = [x for got in parts for x in got]
        totals = Totals(c, pts, card.excluded, memo.project_of, memo.sums)
        withheld = _withheld(c, totals, held, pts) if held else ()
    if fixed and level is not None:
        flat = [i for group in shown for i in group]
        target = _fixed_plan(card, level, flat, open_k, each, sum(unit_pts), best)
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
        best - start,
        tuple(units),
        card.failed_gates,
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
    memo: _Memo,
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

    # A failed gate that no open item can fix (a ★ project whose open items are all the
    # verifier's, say) holds the level back however the rest is raised.
    stuck = False
    for g in c.gates:
        if (g.kind, g.address) not in failed:
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


def _fixed_plan(
    card: ScoreCard,
    level: Level,
    shown: list[OpenItem],
    open_k: list[int],
    adds: Sequence[Num],
    start: Num,
    best: Decimal,
) -> Target:
    """`_target` where no pick changes what another adds (whole points summed plainly, no cap on
    any unit or project), no gate failed and the level asks nothing of units: the plan takes the
    open items (*shown*, adding *adds*) by what each adds, ties to the earliest, until the total,
    *start* before the first, reaches the level."""
    plan: list[Step] = []
    reachable = best >= level.min
    if reachable:
        total = card.total
        running = start
        for n in sorted(range(len(open_k)), key=lambda n: (-adds[n], open_k[n])):
            if running >= level.min:
                break
            running += adds[n]
            now = Decimal(running)
            item = shown[n]
            plan.append(Step(item.address, item.text, item.points, max(item.max, ZERO), now - total, now))
            total = now
    return Target(level.name, level.min, max(level.min - card.total, ZERO), reachable, best, tuple(plan), ())


class _Memo:
    """What the gaps of one rubric's cards share, since it depends on the rubric alone or on a
    few figures of a card: the structure `Totals` reads, the next level after each, verdicts by
    what they say, the rubric's provenance, each item's points by its answers and the open items
    already shown."""

    def __init__(self, c: Compiled) -> None:
        self.project_of: list[int | None] = [None] * len(c.items)
        for p, (start, end, _) in enumerate(c.project_plan):
            self.project_of[start:end] = [p] * (end - start)
        self.unit_of = [i.unit for i in c.items]
        self.sums = shape(c)
        self.unit_of_project = [u for _, _, u in c.project_nodes]
        #: Whole points, a plain sum and nothing not applicable: what an item adds is an int.
        self.linear = bool(c.integral)
        self.capped = frozenset(
            u
            for u, (_, unit) in enumerate(c.unit_nodes)
            if unit.max is not None or any(p.max is not None for p in unit.projects)
        )
        ladder = sorted(c.rubric.levels, key=lambda lv: lv.min)
        self.following: dict[str | None, Level | None] = {
            None: ladder[0] if ladder else None,
            **{lv.name: ladder[n + 1] if n + 1 < len(ladder) else None for n, lv in enumerate(ladder)},
        }
        self.partial = bool(c.partial)
        self.title = c.rubric.title
        self.max = c.rubric.total
        #: Each unit's address, title and maximum, as `ScoreCard.units` has them.
        self.units = [(a, unit.title, m) for (a, unit), m in zip(c.unit_nodes, c.unit_max, strict=True)]
        self.verdicts: dict[tuple[str | None, bool, Decimal], str] = {}
        self.shown: Provenance | None = None
        self.opened: dict[tuple[int, Num, Num], OpenItem] = {}
        #: Each item's points by its checked answers (`_points`), for a rubric of whole points.
        self.points: list[dict[object, Num]] = [{} for _ in c.items]
        #: The items of each project (or item-holding unit), as a range (first, past the last),
        #: and their leaves' addresses; their points by the answers given to those leaves. Also
        #: and whether any of them may be answered with a list of names.
        self.groups: list[tuple[int, int, tuple[str, ...], bool]] = []
        owners: list[tuple[int, int | None]] = []
        for k, item in enumerate(c.items):
            owner = (item.unit, item.project)
            names = any(c.leaves[a].shape == "count_or_names" for a in item.leaves)
            if owners and owners[-1] == owner:
                first, _, leaves, listed = self.groups[-1]
                self.groups[-1] = (first, k + 1, leaves + item.leaves, listed or names)
            else:
                self.groups.append((k, k + 1, item.leaves, names))
                owners.append(owner)
        self.group_points: list[dict[tuple[Any, ...], tuple[Num, ...]]] = [{} for _ in self.groups]
        #: The groups holding items only a verifier scores, and each group's unit.
        self.held_groups = [
            g for g, (a, b, _, _) in enumerate(self.groups) if c.verifier_items & set(range(a, b))
        ]
        self.group_unit = [self.unit_of[a] for a, _, _, _ in self.groups]
        #: No unit is capped: what an item adds depends on its own group's points alone, so
        #: what a group leaves open is shared by its points (`_entry`), with and without the
        #: verifier's items withheld.
        self.free = self.linear and all(cap is None for _, _, cap in c.unit_plan)
        #: Nor any project: no pick changes what another item adds, and a level that asks
        #: nothing of units is planned by a sort (`_fixed_plan`).
        fixed = self.free and all(cap is None for _, _, cap in c.project_plan)
        self.fixed_levels = frozenset(lv.name for lv in c.rubric.levels if fixed and not c.unit_needs(lv))
        self.entries: tuple[list[dict[tuple[Num, ...], _Open]], ...] = (
            [{} for _ in self.groups],
            [{} for _ in self.groups],
        )

    def next_level(self, card: ScoreCard) -> Level | None:
        """The level above the one *card* reached (None: the highest, no levels, or partial)."""
        return None if self.partial else self.following[card.level]

    def verdict(self, card: ScoreCard) -> str:
        """`ScoreCard.verdict`, worded once per level, total and whether a gate failed."""
        key = (card.level, bool(card.failed_gates_raw), card.total)
        found = self.verdicts.get(key)
        if found is None:
            found = card.verdict
            if len(self.verdicts) < MAX_SHARED:
                self.verdicts[key] = found
        return found

    def provenance(self, card: ScoreCard) -> Provenance:
        """`ScoreCard.provenance`: the rubric's, the same for every card."""
        if self.shown is None:
            self.shown = card.provenance
        return self.shown


_MEMOS: Final[weakref.WeakKeyDictionary[Compiled, _Memo]] = weakref.WeakKeyDictionary()


def _memo(c: Compiled) -> _Memo:
    found = _MEMOS.get(c)
    if found is None:
        found = _MEMOS[c] = _Memo(c)
    return found


def _points(card: ScoreCard, c: Compiled, memo: _Memo) -> list[Num]:
    """Every item's points on *card*, as `ScoreCard.items` shows them."""
    if not memo.linear:
        return card._pts
    pts: list[Num] = []
    for got in _grouped(card, c, memo):
        pts.extend(got)
    return pts


def _grouped(card: ScoreCard, c: Compiled, memo: _Memo) -> list[tuple[Num, ...]]:
    """The points of each group's items (`_Memo.groups`) on *card*, for a rubric of whole points.

    A card from the generated plan has only its sums and the answers as they were given, all of
    which passed the plan's checks. In a rubric of whole points an item's points depend only on
    the checked answers to its own leaves, and each checked answer only on the answer given (the
    same checks read it; answers that compare equal, as 1 and 1.0, check alike or, for a leaf
    of the other shape, not at all). So a project's (or an item-holding unit's) points are
    looked up by the answers given to its leaves, then an item's by its own (names as a tuple),
    and only answers not seen before are checked again and scored by the item's closure."""
    written = card._written()
    if written is None or card.derived is not None or "_pts" in card.__dict__:
        pts = card._pts
        return [tuple(pts[first:last]) for first, last, _, _ in memo.groups]
    get = written.get
    out: list[tuple[Num, ...]] = []
    for (first, last, leaves, names), found in zip(memo.groups, memo.group_points, strict=True):
        key = tuple(map(get, leaves))
        if names:  # a list of names, as a tuple
            key = tuple([tuple(v) if v.__class__ is list else v for v in key])
        try:
            got = found.get(key)
        except TypeError:  # a ratio: each item looks its own up
            got = tuple([_item_points(c, memo, k, get) for k in range(first, last)])
        else:
            if got is None:
                got = tuple([_item_points(c, memo, k, get) for k in range(first, last)])
                if len(found) < MAX_POINTS:
                    found[key] = got
        out.append(got)
    held = card.held
    if held:
        for g in memo.held_groups:
            first = memo.groups[g][0]
            out[g] = tuple([0 if k in held else x for k, x in enumerate(out[g], start=first)])
    return out


def _entry(c: Compiled, memo: _Memo, g: int, got: tuple[Num, ...], held: frozenset[int]) -> _Open:
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


def _item_points(c: Compiled, memo: _Memo, k: int, get: Callable[[str], Any]) -> Num:
    """Item *k*'s points from *get*, the answers of a card from the plan as given."""
    leaves = c.items[k].leaves
    raw = [get(a) for a in leaves]
    key = tuple([tuple(v) if v.__class__ is list else v for v in raw])
    shared = memo.points[k]
    kept = True
    try:
        found = shared.get(key)
    except TypeError:  # a ratio: not shared
        found = None
        kept = False
    if found is None:
        # Checked as the plan checked them, then scored by the item's closure, which reads
        # its own leaves only.
        own = {a: check_answer(c.leaves[a], v)[0] for a, v in zip(leaves, raw, strict=True) if v is not None}
        found = c.fns[k](own)
        if kept and len(shared) < MAX_POINTS:
            shared[key] = found
    return found
