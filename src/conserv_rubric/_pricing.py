"""What raising one item adds: a sheet's totals kept up to date item by item, for `gaps.gap`.

`Totals` holds every item's, project's and unit's points and the total. Pricing a raise of one
item recomputes only its project and its unit (caps, and under ``na = "rescale"`` the unit's
rescaling) and the total by difference, through the one aggregate formula
(`conserv_rubric._totals.Aggregator`): a price costs the same in a rubric of 40 items as in
one of 4,000, and its figures are those `Compiled.totals` gives for the raised points.

`Candidates` orders the items a plan may still pick by what each adds. A gain, once priced, is
kept until a pick can change it, and the best is found in a heap rather than by a scan.
Everything here runs inside the library's decimal context (`gaps.gap` enters it).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from ._compiled import Compiled
from ._kinds import ZERO, Num


def _capped(value: Num, cap: Num | None) -> Num:
    return cap if cap is not None and value > cap else value


#: The most terms `shape` writes as a chain of additions.
MAX_CHAIN: Final = 64
#: What `shape` writes: from every item's points, every project's sum and its points (capped),
#: every unit's sum and its points (capped, not rescaled).
Shape = Callable[[Sequence[Num]], tuple[list[Num], list[Num], list[Num], list[Num]]]


def shape(c: Compiled) -> Shape:
    """The sums of `Totals` for *c* as one function written out (as the generated plan is,
    `conserv_rubric._codegen`): the same additions in the same order as ``sum`` makes them,
    without a slice or a loop per project."""
    names: dict[str, object] = {}

    def capped(target: str, raw: str, cap: Num | None) -> list[str]:
        if cap is None:
            return [f"    {target} = {raw}"]
        name = f"K{len(names)}"
        names[name] = cap
        return [f"    {target} = {name} if {raw} > {name} else {raw}"]

    def added(terms: list[str]) -> str:
        # A long sum as a call: a chain of thousands of + nests too deep to compile.
        return " + ".join(["0", *terms]) if len(terms) <= MAX_CHAIN else f"sum([{', '.join(terms)}])"

    lines = ["def shape(p):"]
    for n, (start, end, cap) in enumerate(c.project_plan):
        lines.append(f"    r{n} = {added([f'p[{k}]' for k in range(start, end)])}")
        lines += capped(f"c{n}", f"r{n}", cap)
    for u, (projects, span, cap) in enumerate(c.unit_plan):
        terms = [f"c{n}" for n in projects] if span is None else [f"p[{k}]" for k in range(*span)]
        lines.append(f"    s{u} = {added(terms)}")
        lines += capped(f"u{u}", f"s{u}", cap)
    listed = [
        "[" + ", ".join(f"{x}{n}" for n in range(count)) + "]"
        for x, count in (("r", len(c.project_plan)), ("c", len(c.project_plan)))
    ] + ["[" + ", ".join(f"{x}{u}" for u in range(len(c.unit_plan))) + "]" for x in ("s", "u")]
    lines.append(f"    return {', '.join(listed)}")
    namespace: dict[str, Any] = dict(names)
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<conserv_rubric sums of {c.rubric.title!r}>", "exec"), namespace)  # our own source
    found: Shape = namespace["shape"]
    return found


class Totals:
    """A sheet's points at every level, changed one item at a time.

    Attributes:
        pts: every item's points, in rubric order.
        unit_pts: every unit's points as the total counts them (capped, rescaled).
        total: the total (`Compiled.totals` of *pts*; not 0 for a failed ``zero`` gate).
    """

    def __init__(
        self,
        c: Compiled,
        pts: Sequence[Num],
        excluded: frozenset[int],
        project_of: Sequence[int | None] | None = None,
        sums: Shape | None = None,
    ) -> None:
        self.c = c
        self.pts = list(pts)
        self.excluded = excluded
        if project_of is None:
            project_of = [None] * len(pts)
            for p, (start, end, _) in enumerate(c.project_plan):
                project_of[start:end] = [p] * (end - start)
        #: Each item's project (None: its unit holds items directly), as `c.project_plan` has it.
        self.project_of = project_of
        pts = self.pts
        capped: list[Num]
        if sums is not None:
            self.project_raw, self.project_pts, self.unit_raw, capped = sums(pts)
        else:
            plan = c.project_plan
            self.project_raw = [sum(pts[start:end]) for start, end, _ in plan]
            self.project_pts = [
                cap if cap is not None and s > cap else s
                for s, (_, _, cap) in zip(self.project_raw, plan, strict=True)
            ]
            project_pts = self.project_pts
            self.unit_raw = [
                sum([project_pts[p] for p in projects]) if span is None else sum(pts[span[0] : span[1]])
                for projects, span, _ in c.unit_plan
            ]
            capped = [
                cap if cap is not None and s > cap else s
                for s, (_, _, cap) in zip(self.unit_raw, c.unit_plan, strict=True)
            ]
        self.rescale = bool(excluded) and c.rubric.na == "rescale"
        self.unit_top: list[Num] = []
        self.dropped: frozenset[int] = frozenset()
        if self.rescale:
            self.unit_top, self.dropped = c.rescaling(excluded)
            capped = [
                c.rescaled(u, p, top) if top else p
                for u, (p, top) in enumerate(zip(capped, self.unit_top, strict=True))
            ]
        self.unit_pts: list[Num] = capped
        agg = c.aggregator
        self.weights: list[Num] = [1] * len(capped) if agg.plain else list(agg.weights)
        self.sums: tuple[Fraction, Fraction, Fraction, Fraction] | None = None
        self.weighted: Num = ZERO
        if self.dropped:
            self.sums = agg.rescaled_sums(capped, self.dropped)
        elif agg.plain:
            self.weighted = sum(capped)
        else:
            self.weighted = sum([p * w for p, w in zip(capped, self.weights, strict=True)])
        self.total = agg.of_weighted(self.weighted) if self.sums is None else agg.of_rescaled(*self.sums)

    def _unit(self, k: int, x: Num) -> tuple[int, int | None, Num, Num, Num, Num]:
        """Item *k*'s unit and project with *k* at *x* points: (unit, project, the project's
        sum and capped points, the unit's sum and its points as the total counts them)."""
        c = self.c
        u = c.items[k].unit
        p = self.project_of[k]
        old = self.pts[k]
        project_raw: Num = 0
        project_pts: Num = 0
        if p is None:
            unit_raw = self.unit_raw[u] - old + x
        else:
            project_raw = self.project_raw[p] - old + x
            project_pts = _capped(project_raw, c.project_plan[p][2])
            unit_raw = self.unit_raw[u] - self.project_pts[p] + project_pts
        unit_pts = _capped(unit_raw, c.unit_plan[u][2])
        if self.rescale and self.unit_top[u]:
            unit_pts = c.rescaled(u, unit_pts, self.unit_top[u])
        return u, p, project_raw, project_pts, unit_raw, unit_pts

    def _total(self, u: int, points: Num) -> tuple[Decimal, Num, tuple[Fraction, ...] | None]:
        """The total were unit *u* to count *points*, with the sum it is made of."""
        agg = self.c.aggregator
        change = points - self.unit_pts[u]
        if self.sums is not None:
            got, full, kept, extra = self.sums
            delta = Fraction(change) * Fraction(self.weights[u])
            if agg.bonus[u]:
                extra += delta
            elif u not in self.dropped:
                got += delta
            return agg.of_rescaled(got, full, kept, extra), ZERO, (got, full, kept, extra)
        weighted = self.weighted + change * self.weights[u] if change else self.weighted
        return agg.of_weighted(weighted), weighted, None

    def gains(
        self, ks: Sequence[int], unit_of: Sequence[int], unit_of_project: Sequence[int]
    ) -> tuple[list[Num], list[Num]]:
        """For a rubric of whole points summed plainly (`Compiled.integral`), what raising each
        of *ks* alone to its maximum adds to the total (its unit's gain), and every unit's points
        with all of *ks* raised (nothing changes); *unit_of* and *unit_of_project* give each
        item's and each project's unit."""
        c = self.c
        pts, top = self.pts, c.item_max
        project_plan, unit_plan, project_of = c.project_plan, c.unit_plan, self.project_of
        project_raw, project_pts = self.project_raw, self.project_pts
        unit_raw, unit_pts = self.unit_raw, self.unit_pts
        raw_all = list(unit_raw)
        projects: dict[int, Num] = {}
        out: list[Num] = []
        for k in ks:
            u = unit_of[k]
            p = project_of[k]
            gain = top[k] - pts[k]
            if p is None:
                raw = unit_raw[u] + gain
                raw_all[u] += gain
            else:
                got = project_raw[p] + gain
                cap = project_plan[p][2]
                raw = unit_raw[u] - project_pts[p] + (cap if cap is not None and got > cap else got)
                projects[p] = projects.get(p, project_raw[p]) + gain
            cap = unit_plan[u][2]
            out.append((cap if cap is not None and raw > cap else raw) - unit_pts[u])
        for p, got in projects.items():
            cap = project_plan[p][2]
            raw_all[unit_of_project[p]] += (cap if cap is not None and got > cap else got) - project_pts[p]
        raised = [
            cap if cap is not None and raw > cap else raw
            for raw, (_, _, cap) in zip(raw_all, unit_plan, strict=True)
        ]
        return out, raised

    def raised(self, k: int, x: Num) -> tuple[Num, Decimal]:
        """Item *k*'s unit's points and the total, were *k* to score *x* (nothing changes)."""
        u, _, _, _, _, unit_pts = self._unit(k, x)
        return unit_pts, self._total(u, unit_pts)[0]

    def unit_from(self, u: int, pts: Sequence[Num]) -> Num:
        """Unit *u*'s points as the total counts them, from *pts* (every item's points)."""
        c = self.c
        projects, span, cap = c.unit_plan[u]
        if span is None:
            plan = c.project_plan
            raw = sum([_capped(sum(pts[plan[p][0] : plan[p][1]]), plan[p][2]) for p in projects])
        else:
            raw = sum(pts[span[0] : span[1]])
        points = _capped(raw, cap)
        if self.rescale and self.unit_top[u]:
            points = c.rescaled(u, points, self.unit_top[u])
        return points

    def total_with(self, u: int, points: Num) -> Decimal:
        """The total were unit *u* to count *points* (nothing changes)."""
        return self._total(u, points)[0]

    def total_of(self, unit_pts: Sequence[Num]) -> Decimal:
        """The total of *unit_pts*, every unit's points as the total counts them."""
        return self.c.aggregator.total(unit_pts, self.dropped)

    def set(self, k: int, x: Num) -> None:
        """Let item *k* score *x*."""
        u, p, project_raw, project_pts, unit_raw, unit_pts = self._unit(k, x)
        total, weighted, sums = self._total(u, unit_pts)
        self.pts[k] = x
        if p is not None:
            self.project_raw[p] = project_raw
            self.project_pts[p] = project_pts
        self.unit_raw[u] = unit_raw
        self.unit_pts[u] = unit_pts
        self.total = total
        if sums is None:
            self.weighted = weighted
        else:
            got, full, kept, extra = sums
            self.sums = (got, full, kept, extra)


class Candidates:
    """The open items a plan has not picked, each with its gain: what raising it to its
    maximum adds to the points of the units short of a level, then to the total.

    A gain is priced when a choice first needs it and kept, as the plan always did, until a pick
    in a capped unit (or when the units short of the level change): such a pick invalidates the
    gains it can change — of its unit's items when the unit is capped, when rescaling or a
    rounded aggregate makes additions to the unit interact, else of its project's items when the
    project is capped — and those only, since the gains it leaves are the ones pricing them
    again would give. The best is the greatest gain, ties to the earliest item.

    Args:
        totals: the sheet's totals, which the caller raises along the plan.
        open_k: the open items, in rubric order.
        capped: the units where a pick may change the gains of the unit's other items.
        adds: what raising each open item alone adds to the total of *totals* as they are now.
        unit_of: each item's unit (worked out from *totals* when not given).
    """

    def __init__(
        self,
        totals: Totals,
        open_k: Sequence[int],
        capped: Collection[int],
        adds: Sequence[Num],
        unit_of: Sequence[int] | None = None,
    ) -> None:
        self.totals = totals
        c = totals.c
        self.units = len(c.unit_nodes)
        self.unit_of = [i.unit for i in c.items] if unit_of is None else unit_of
        self.max = c.item_max
        self.capped = capped
        # Without rescaling and with an exact aggregate, an item's gain depends on its own
        # project, and through a unit cap on its unit, and on nothing else.
        self.linear = c.aggregator.exact_divisor and not totals.rescale
        self.remaining: list[set[int]] = [set() for _ in range(self.units)]
        for k in open_k:
            self.remaining[self.unit_of[k]].add(k)
        self.gains: dict[int, tuple[int, tuple[Num, Num]]] = {}
        self.stamp = 0
        self.heaps: list[list[tuple[Num, Num, int, int]]] = [[] for _ in range(self.units)]
        self.heap: list[tuple[Num, Num, int, int]] = []
        self.short: frozenset[int] = frozenset()
        if self.linear:
            # A gain then stays what it is now until a pick in its own group changes it, so the
            # additions already priced are the gains a first choice would price. The units'
            # own heaps serve only units short of a level, and are filled once some are.
            self.pending: list[set[int]] = [set() for _ in range(self.units)]
            for k, add in zip(open_k, adds, strict=True):
                self.stamp += 1
                self.gains[k] = (self.stamp, (ZERO, add))
                self.heap.append((ZERO, -add, k, self.stamp))
            heapq.heapify(self.heap)
        else:
            self.pending = [set(r) for r in self.remaining]

    def left(self, k: int) -> bool:
        """Whether *k* is open and not yet picked."""
        return k in self.remaining[self.unit_of[k]]

    def _price(self, k: int) -> None:
        t = self.totals
        u = self.unit_of[k]
        unit_pts, total = t.raised(k, max(t.pts[k], self.max[k]))
        gain = (unit_pts - t.unit_pts[u] if u in self.short else ZERO, total - t.total)
        self.stamp += 1
        self.gains[k] = (self.stamp, gain)
        self.pending[u].discard(k)
        entry = (-gain[0], -gain[1], k, self.stamp)
        heapq.heappush(self.heaps[u], entry)
        heapq.heappush(self.heap, entry)

    def _key(self, k: int) -> tuple[Num, Num, int]:
        if k not in self.gains:
            self._price(k)
        gain = self.gains[k][1]
        return (gain[0], gain[1], -k)

    def _top(self, heap: list[tuple[Num, Num, int, int]]) -> tuple[Num, Num, int, int]:
        """The best entry of *heap* still priced (the stale ones before it dropped); *heap*
        holds one, since every open item of the units asked for is priced."""
        while True:
            entry = heap[0]
            found = self.gains.get(entry[2])
            if found is not None and found[0] == entry[3]:
                return entry
            heapq.heappop(heap)

    def short_of(self, short: Collection[int]) -> None:
        """Rank by gains to the units *short* of the level from now on (all priced anew if
        they differ from before)."""
        key = frozenset(short)
        if key != self.short:
            self.short = key
            self.gains.clear()
            self.pending = [set(r) for r in self.remaining]
            self.heaps = [[] for _ in range(self.units)]
            self.heap = []

    def best_of(self, pool: Sequence[int]) -> int:
        """The best of *pool*, a few open items."""
        return max(pool, key=self._key)

    def best(self) -> int:
        """The best open item of the units short of the level, or of all if they have none."""
        units = [u for u in sorted(self.short) if self.remaining[u]] or range(self.units)
        for u in units:
            for k in list(self.pending[u]):
                self._price(k)
        if len(units) < self.units:
            return min(self._top(self.heaps[u]) for u in units)[2]
        return self._top(self.heap)[2]

    def picked(self, k: int) -> None:
        """Take *k* out, after the totals have it at its new points."""
        c = self.totals.c
        u = self.unit_of[k]
        self.remaining[u].discard(k)
        self.pending[u].discard(k)
        self.gains.pop(k, None)
        if u not in self.capped:
            return
        p = self.totals.project_of[k]
        if not self.linear or c.unit_plan[u][2] is not None:
            stale: Collection[int] = self.remaining[u]
        elif p is not None and c.project_plan[p][2] is not None:
            start, end, _ = c.project_plan[p]
            stale = [j for j in range(start, end) if j in self.remaining[u]]
        else:
            return
        for j in stale:
            if self.gains.pop(j, None) is not None:
                self.pending[u].add(j)
