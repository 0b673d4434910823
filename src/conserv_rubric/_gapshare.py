"""What the gap analyses of one rubric's cards share (`gaps.gap`): the rubric's structure as the
analysis reads it, verdicts and provenance, and each project's item points by the answers given.
"""

from __future__ import annotations

import operator
import weakref
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from ._answers import check_answer
from ._compiled import Compiled
from ._gates import barred_note
from ._kinds import Num
from ._pricing import shape
from ._provenance import Provenance
from ._score import MAX_SHARED, ScoreCard
from .model import Level

if TYPE_CHECKING:
    from .gaps import OpenItem, UnitGap

#: Item points remembered per item, and per project, by the answers given, at most.
MAX_POINTS: Final = 4096
#: Items a unit's shared entries (`Shared.unit_entries`) hold together, at most: a unit of many
#: items keeps fewer of them.
MAX_UNIT_ITEMS: Final = 65536

#: What one group of items leaves open (`gaps._entry`): the open items, what each adds, the items
#: as shown, what all of them add together, and the group's points as its unit counts them.
Open = tuple[tuple[int, ...], tuple[Num, ...], "tuple[OpenItem, ...]", Num, Num]
#: An open item as `gaps._fixed_plan` ranks it: minus what it adds, its index, what it adds, and
#: the item shown (the first two order the plan; no two items share an index).
Ranked = tuple[Num, int, Num, "OpenItem"]
#: A group as `grouped` reads it (`Shared.readers`).
Reader = tuple[
    int,
    int,
    tuple[str, ...],
    bool,
    dict[Any, tuple[Num, ...]],
    str | None,
    Callable[[dict[str, Any]], tuple[Any, ...]],
]
#: What one unit leaves open (`gaps._unit_entry`): its open items, what each adds, those items
#: ranked, what all of them add together, the unit's points, and the unit shown (None: nothing
#: open).
Unit = tuple[tuple[int, ...], tuple[Num, ...], tuple[Ranked, ...], Num, Num, "UnitGap | None"]


class Shared:
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
        self.verdicts: dict[tuple[str | None, bool, str, Decimal], str] = {}
        self.shown: Provenance | None = None
        self.opened: dict[tuple[int, Num, Num], OpenItem] = {}
        #: Each item's points by the answers given to its leaves (`item_points`).
        self.points: list[dict[object, Num]] = [{} for _ in c.items]
        #: The items of each project (or item-holding unit), as a range (first, past the last),
        #: their leaves' addresses, and whether any of these may be answered with a list of
        #: names; their points by the answers given to those leaves (`grouped`).
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
        self.group_points: list[dict[Any, tuple[Num, ...]]] = [{} for _ in self.groups]
        #: How `grouped` reads each group's answers: its range, its leaves, whether any may be
        #: answered with a list of names, its points by those answers, and its one leaf (the
        #: answer alone is the key) or a reader of all its leaves at once (their tuple is).
        self.readers: list[Reader] = [
            (first, last, leaves, names, found, leaves[0] if len(leaves) == 1 else None, reader(leaves))
            for (first, last, leaves, names), found in zip(self.groups, self.group_points, strict=True)
        ]
        #: The groups holding items only a verifier scores, and each group's unit.
        self.held_groups = [
            g for g, (a, b, _, _) in enumerate(self.groups) if c.verifier_items & set(range(a, b))
        ]
        self.group_unit = [self.unit_of[a] for a, _, _, _ in self.groups]
        #: No unit is capped: what an item adds depends on its own group's points alone, so
        #: what a group leaves open is shared by its points (`gaps._entry`), with and without the
        #: verifier's items withheld.
        self.free = self.linear and all(cap is None for _, _, cap in c.unit_plan)
        #: Nor any project: no pick changes what another item adds, and a level that asks
        #: nothing of units is planned by a sort (`gaps._fixed_plan`).
        fixed = self.free and all(cap is None for _, _, cap in c.project_plan)
        self.fixed_levels = frozenset(lv.name for lv in c.rubric.levels if fixed and not c.unit_needs(lv))
        self.entries: tuple[list[dict[tuple[Num, ...], Open]], ...] = (
            [{} for _ in self.groups],
            [{} for _ in self.groups],
        )
        #: Each unit's groups, as a range (first, past the last): groups follow rubric order.
        self.unit_groups: list[tuple[int, int]] = [(0, 0)] * len(c.unit_nodes)
        for g, u in enumerate(self.group_unit):
            self.unit_groups[u] = (self.unit_groups[u][0] if self.unit_groups[u][1] else g, g + 1)
        #: How many entries each unit keeps, at most (`MAX_UNIT_ITEMS`).
        size = Counter(self.unit_of)
        self.unit_room = [
            min(MAX_POINTS, MAX_UNIT_ITEMS // max(1, size[u])) for u in range(len(c.unit_nodes))
        ]
        #: What each unit leaves open by its groups' points (`gaps._unit_entry`), with and
        #: without the verifier's items withheld.
        self.unit_entries: tuple[list[dict[tuple[tuple[Num, ...], ...], Unit]], ...] = (
            [{} for _ in c.unit_nodes],
            [{} for _ in c.unit_nodes],
        )

    def next_level(self, card: ScoreCard) -> Level | None:
        """The level above the one *card* reached (None: the highest, no levels, or partial)."""
        return None if self.partial else self.following[card.level]

    def verdict(self, card: ScoreCard) -> str:
        """`ScoreCard.verdict`, worded once per level, total, whether a gate failed and which level
        the failed gates withhold while lower ones are open (``withholds``)."""
        failed = card.failed_gates_raw
        key = (card.level, bool(failed), barred_note(card.rubric.levels, failed), card.total)
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


_SHARED: Final[weakref.WeakKeyDictionary[Compiled, Shared]] = weakref.WeakKeyDictionary()


def shared(c: Compiled) -> Shared:
    """What the gaps of *c*'s cards share, made at the first."""
    found = _SHARED.get(c)
    if found is None:
        found = _SHARED[c] = Shared(c)
    return found


def points(card: ScoreCard, c: Compiled, memo: Shared) -> list[Num]:
    """Every item's points on *card*, as `ScoreCard.items` shows them."""
    if not memo.linear:
        return card._pts
    pts: list[Num] = []
    for got in grouped(card, c, memo):
        pts.extend(got)
    return pts


def grouped(card: ScoreCard, c: Compiled, memo: Shared) -> list[tuple[Num, ...]]:
    """The points of each group's items (`Shared.groups`) on *card*, for a rubric of whole points.

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
    key: Any
    for first, last, leaves, names, found, one, read in memo.readers:
        if one is not None:
            key = get(one)
            if names and key.__class__ is list:  # a list of names, as a tuple
                key = tuple(key)
        else:
            try:
                key = read(written)
            except KeyError:  # a leaf not answered: None
                key = tuple(map(get, leaves))
            if names:  # a list of names, as a tuple
                key = tuple([tuple(v) if v.__class__ is list else v for v in key])
        try:
            got = found.get(key)
        except TypeError:  # a ratio: each item looks its own up
            got = tuple([item_points(c, memo, k, get) for k in range(first, last)])
        else:
            if got is None:
                got = tuple([item_points(c, memo, k, get) for k in range(first, last)])
                if len(found) < MAX_POINTS:
                    found[key] = got
        out.append(got)
    held = card.held
    if held:
        for g in memo.held_groups:
            first = memo.groups[g][0]
            out[g] = tuple([0 if k in held else x for k, x in enumerate(out[g], start=first)])
    return out


def reader(leaves: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """What reads the answers to *leaves* from a card's written answers, as a tuple (a
    `KeyError` when one is not answered)."""
    if len(leaves) < 2:
        return lambda written: tuple([written[a] for a in leaves])
    return operator.itemgetter(*leaves)


def item_points(c: Compiled, memo: Shared, k: int, get: Callable[[str], Any]) -> Num:
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
        own = {}
        for a, v in zip(leaves, raw, strict=True):
            if v is not None:
                checked, error = check_answer(c.leaves[a], v)
                assert error is None  # the same answer passed the same check when the card was scored
                own[a] = checked
        found = c.fns[k](own)
        if kept and len(shared) < MAX_POINTS:
            shared[key] = found
    return found
