"""Gap analysis (找差距补短板): the points still open and the fewest items that reach the next level."""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal

import attrs

from ._model import Level
from ._report import clip, dumps_json, grid, markdown_table
from ._rules import ZERO, fmt
from ._score import Compiled, GateKind, GateResult, ScoreCard, compiled

#: Display width an item's text is clipped to in the reports (JSON keeps it whole).
TEXT_WIDTH: Final = 60


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
        adds: what full points on every open item would add to the total.
        units: the units with open items, in rubric order.
        target: the next level, or None when the rubric has no levels or the highest is reached.
    """

    rubric: str
    agency: str | None
    total: Decimal
    max: Decimal
    level: str | None
    adds: Decimal
    units: tuple[UnitGap, ...]
    failed_gates: tuple[GateResult, ...]
    target: Target | None


def _short(c: Compiled, level: Level, unit_pts: list[Decimal]) -> dict[int, Decimal]:
    """The units below what *level* asks, with what it asks."""
    out = {}
    for address, need in level.unit_min.items():
        u = c.unit_index[address]
        if unit_pts[u] < need:
            out[u] = need
    if level.unit_share is not None:
        for u, points in enumerate(unit_pts):
            need = level.unit_share * c.unit_max[u]
            if not c.bonus_units[u] and points < need:
                out[u] = max(need, out.get(u, ZERO))
    return out


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
    results = list(card.items.values())
    excluded = set(card.excluded)
    pts = [r.points for r in results]
    start = c.totals(pts, excluded)[2]
    open_k = [k for k, r in enumerate(results) if r.applicable and r.max - r.points > 0]
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
        c.totals(_raised_all(pts, {k: results[k].max for k in open_k}), excluded)[2] - start,
        tuple(units),
        card.failed_gates,
        _target(card, c, pts, excluded, open_k),
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
    if not following:
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

    for g in c.gates:
        if (g.kind, g.address) not in failed:
            continue
        if g.kind == "nonzero":
            start, end = c.project_slices[g.index]
            pool = [k for k in open_k if start <= k < end and k not in chosen]
            if pool:
                take(best_of(pool, {}), "nonzero")
        elif g.index not in chosen:
            take(g.index, g.kind, g.need)
    _, best_units, best = c.totals(_raised_all(pts, {k: results[k].max for k in open_k}), excluded)
    shortfalls = tuple(
        Shortfall(card.units[u].address, card.units[u].title, card.units[u].points, need)
        for u, need in sorted(_short(c, level, [u.points for u in card.units]).items())
    )
    reachable = best >= level.min and not _short(c, level, best_units)
    if reachable:
        while True:
            _, unit_pts, now = c.totals(pts, excluded)
            short = _short(c, level, unit_pts)
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


# --- rendering -------------------------------------------------------------------------------


def _headline(g: Gap) -> list[str]:
    t = g.target
    if t is None:
        return [f"已达到最高等级“{g.level}”" if g.level is not None else "本标准未设认定等级"]
    lines = [
        f"评价单元 {u.address} {u.title}：现{fmt(u.points)}分，需 ≥ {fmt(u.need)}分" for u in t.shortfalls
    ]
    if not t.reachable:
        return [
            f"即使所有未得分项都得满分，最多得{fmt(t.best)}分，仍达不到“{t.name}”（{fmt(t.min)}分）",
            *lines,
        ]
    ask = f"最少完成以下 {len(t.plan)} 项："
    if t.missing:
        return [f"距“{t.name}”（{fmt(t.min)}分）还差 {fmt(t.missing)} 分；{ask}", *lines]
    why = "有门槛项未通过" if g.failed_gates else "有评价单元得分不足"
    return [f"总分已够“{t.name}”（{fmt(t.min)}分），但{why}；{ask}", *lines]


_GATES: Final = {
    "required": "必须完成项",
    "veto": "否决性指标",
    "zero": "不达标则总分为0",
    "nonzero": "★项目不得为0分",
}


def _plan_rows(g: Gap) -> list[list[str]]:
    rows = [["", "序号", "得分/分值", "可增加", "完成后总分", "内容"]]
    for n, s in enumerate(g.target.plan if g.target else (), start=1):
        note = f"（{_GATES[s.gate]}）" if s.gate else ""
        rows.append(
            [
                f"{n}.",
                s.address,
                f"{fmt(s.points)}/{fmt(s.max)}",
                f"+{fmt(s.adds)}",
                fmt(s.total),
                clip(note + s.text, TEXT_WIDTH),
            ]
        )
    return rows


def _open_rows(g: Gap) -> list[list[str]]:
    rows = [["序号", "得分/分值", "可增加", "内容"]]
    for u in g.units:
        rows.append([u.address, f"{fmt(u.points)}/{fmt(u.max)}", f"+{fmt(u.adds)}", u.title])
        rows.extend(
            [i.address, f"{fmt(i.points)}/{fmt(i.max)}", f"+{fmt(i.adds)}", clip(i.text, TEXT_WIDTH)]
            for i in u.items
        )
    return rows


def render_gap(g: Gap, format: Literal["text", "markdown", "json"]) -> str:  # noqa: A002 - the CLI's word
    """A gap analysis as text, Markdown or JSON (`attrs.asdict` of *g*, points as exact numbers).

    Args:
        g: the result of `gap`.
        format: ``"text"``, ``"markdown"`` or ``"json"``.

    Returns:
        The report, ending in a newline.
    """
    if format == "json":
        return dumps_json(attrs.asdict(g)) + "\n"
    md = format == "markdown"
    title = f"{g.rubric} — {g.agency}" if g.agency else g.rubric
    standing = f"当前得分 {fmt(g.total)} 分（满分 {fmt(g.max)} 分），" + (
        f"已达到“{g.level}”" if g.level is not None else "未获认定"
    )
    lines = [f"## {title} 差距分析" if md else f"{title} 差距分析", "", standing, ""]
    lines.extend(_headline(g))
    table = markdown_table if md else grid
    if g.target is not None and g.target.plan:
        lines.extend(["", *table(_plan_rows(g), frozenset({2, 3, 4}))])
    if g.failed_gates:
        lines.extend(["", "未通过的门槛项："])
        lines.extend(f"{'- ' if md else '  '}{x.address}：{x.reason}" for x in g.failed_gates)
    if g.units:
        lines.extend(["", f"未得满分的条目（全部得满分可增加 {fmt(g.adds)} 分）：", ""])
        lines.extend(table(_open_rows(g), frozenset({1, 2})))
    else:
        lines.extend(["", "所有适用条目均已得满分"])
    return "\n".join(lines) + "\n"
