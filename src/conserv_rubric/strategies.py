"""Hypothesis strategies for rubrics and answer sheets.

This module needs the ``hypothesis`` extra (``pip install conserv-rubric[hypothesis]``); the rest
of conserv_rubric does not. It offers:

- `rubrics`: valid rubrics built from every rule kind and modifier, whose declared totals add up;
- `answers` and `sheets`: valid answers for a rubric, biased towards the values where scoring
  changes (band edges, thresholds and step boundaries, caps, range ends) and leaving some leaves
  unanswered;
- `invalid_sheets`: sheets with exactly one labelled mistake, which `conserv_rubric.score` must
  refuse with a `SheetError` naming the address.

Every strategy builds from small integers and ``sampled_from`` lists, so failing examples shrink
to small rubrics with round numbers. Points are exact `Decimal`, never floats.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Final, Literal, TypeVar, get_args

import attrs

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.strategies import DrawFn
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "conserv_rubric.strategies needs hypothesis; "
        "install the extra: pip install 'conserv-rubric[hypothesis]'"
    ) from exc

from ._model import (
    RULE_KINDS,
    Aggregate,
    Band,
    Bands,
    Best,
    Cases,
    Check,
    Condition,
    Deduct,
    Each,
    Flag,
    Judged,
    Level,
    Linear,
    NaPolicy,
    Parts,
    Project,
    Row,
    Rubric,
    Rule,
    Unit,
    children,
)
from ._paths import letter, number
from ._rules import Leaf
from ._score import compiled
from ._sheet import MAX_LIST, Sheet, SheetInfo

__all__ = ["MISTAKES", "Mistake", "answers", "invalid_sheets", "rubrics", "sheets"]

T = TypeVar("T")
Answer = Any

ZERO: Final = Decimal(0)
#: The points a generated rubric uses: whole numbers and the fractions standards print.
POINTS: Final = tuple(Decimal(p) for p in ("1", "2", "0.5", "3", "2.5", "0.2", "5", "1.5", "4", "10"))
#: Option names of generated counters, Chinese as in the standards, plus one plain word.
OPTION_NAMES: Final = ("节能", "节水", "节材", "垃圾分类", "绿色出行", "other")
#: Texts of generated rules: mostly empty, sometimes characters TOML must escape.
TEXTS: Final = (
    "",
    "得2分",
    "每项得1分，最高得5分",
    'a "quoted" text',
    "back\\slash",
    "two\nlines",
    "tab\there",
)
#: Leaf kinds (no nested rules) and the composite kinds.
SIMPLE_KINDS: Final[tuple[str, ...]] = ("flag", "each", "bands", "linear", "judged", "cases")
COMPOSITE_KINDS: Final[tuple[str, ...]] = ("parts", "best", "deduct")
DEDUCTION_KINDS: Final[tuple[str, ...]] = ("flag", "each", "linear", "judged")
#: Nested rules go at most this deep below an item (item → part → part of a part).
MAX_DEPTH: Final = 2
#: A small step for "just either side" of an edge.
TINY: Final = Decimal("0.001")


# --- exact arithmetic the generator relies on -------------------------------------------------
# Declared totals are computed here rather than with the library's own `maximum`, so that
# `validate(generated) == []` checks two independent computations against each other.


def _max(rule: Rule) -> Decimal | None:
    """The most *rule* awards without over-achievement bonuses (None: unbounded)."""
    if isinstance(rule, Flag):
        return rule.points
    if isinstance(rule, Check):
        return ZERO
    if isinstance(rule, Each):
        if rule.max is not None:
            return rule.max
        return rule.per * len(rule.options) if rule.options and not rule.open else None
    if isinstance(rule, Parts):
        values = [_max(p) for p in rule.parts if not p.bonus]
        total = None if None in values else sum((v for v in values if v is not None), ZERO)
        if rule.max is None:
            return total
        return rule.max if total is None else min(total, rule.max)
    if isinstance(rule, Best):
        values = [_max(a) for a in rule.alternatives]
        return None if None in values else max((v for v in values if v is not None), default=ZERO)
    if isinstance(rule, Bands):
        return max((b.points for b in rule.bands), default=ZERO)
    if isinstance(rule, Linear):
        return rule.max
    if isinstance(rule, Judged):
        return rule.range[1]
    if isinstance(rule, Deduct):
        return rule.points
    return max((r.points for r in rule.rows), default=ZERO)


def _reach(rule: Rule) -> Decimal | None:
    """The most *rule* awards, over-achievement bonuses included."""
    if isinstance(rule, Parts):
        values = [_reach(p) for p in rule.parts]
        total = None if None in values else sum((v for v in values if v is not None), ZERO)
        if rule.max is None:
            return total
        return rule.max if total is None else min(total, rule.max)
    if isinstance(rule, Best):
        values = [_reach(a) for a in rule.alternatives]
        return None if None in values else max((v for v in values if v is not None), default=ZERO)
    return _max(rule)


def _contribution(rule: Rule) -> Decimal:
    """What an item adds to its project's or unit's declared points."""
    top = _max(rule)
    assert top is not None, "a generated item is always bounded"
    return top


def _group_sum(values: Iterable[Decimal], cap: Decimal | None) -> Decimal:
    total = sum(values, ZERO)
    return total if cap is None else min(total, cap)


def _fraction(value: Decimal, quarters: int) -> Decimal:
    """*quarters*/4 of *value*, exact (a Decimal quarter of a finite decimal is finite)."""
    return value * quarters / 4


# --- small helpers -------------------------------------------------------------------------
# Strategies are built once and reused: building and validating one per draw costs more than
# the draw itself.

_BOOL: Final = st.booleans()


@functools.cache
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.lru_cache(maxsize=4096)
def _pick_cached(values: tuple[T, ...], types: tuple[type, ...]) -> st.SearchStrategy[T]:
    del types  # only part of the key: 0 == Decimal(0) == False, yet they are different answers
    return st.sampled_from(values)


def _pick(values: Iterable[T]) -> st.SearchStrategy[T]:
    """``sampled_from(values)``, built once per tuple of hashable values."""
    values = tuple(values)
    try:
        return _pick_cached(values, tuple(type(v) for v in values))
    except TypeError:  # unhashable values (answers that are lists or tables)
        return st.sampled_from(values)


def _sometimes(draw: DrawFn, one_in: int) -> bool:
    """True about once in *one_in* draws; shrinks to False."""
    return bool(draw(_ints(0, one_in - 1)) == one_in - 1)


def _segments(draw: DrawFn, count: int, first: Callable[[int], str]) -> list[str | None]:
    """Explicit ids for *count* siblings, or None (positional), unique among the siblings."""
    if not _sometimes(draw, 6):
        return [None] * count
    offset = draw(_pick((0, 3)))
    return [first(i + offset) for i in range(count)]


def _text(draw: DrawFn) -> str:
    return draw(_pick(TEXTS))


def _points(draw: DrawFn) -> Decimal:
    return draw(_pick(POINTS))


def _positive_fraction(draw: DrawFn, value: Decimal) -> Decimal:
    """A share (1/4 … 4/4) of a positive *value*."""
    return _fraction(value, draw(_ints(1, 4)))


# --- rules ---------------------------------------------------------------------------------


class _Kinds:
    """Which rule kinds the generator may use, at the top and nested."""

    def __init__(self, kinds: Collection[str] | None, *, gates: bool) -> None:
        chosen = list(RULE_KINDS) if kinds is None else list(kinds)
        unknown = sorted(set(chosen) - set(RULE_KINDS))
        if unknown:
            raise InvalidArgument(f"unknown rule kinds {unknown}; expected some of {sorted(RULE_KINDS)}")
        if not gates and "check" in chosen:
            chosen.remove("check")
        self.items = tuple(k for k in RULE_KINDS if k in chosen)
        self.positive = tuple(k for k in self.items if k != "check")
        if not self.positive:
            raise InvalidArgument("kinds needs at least one kind that awards points (not only 'check')")
        self.nested = self.positive
        self.simple = tuple(k for k in SIMPLE_KINDS if k in chosen) or ("flag",)
        self.deductions = tuple(k for k in DEDUCTION_KINDS if k in chosen) or ("flag",)


def _flag(draw: DrawFn) -> Flag:
    at_least = draw(_pick((1, 2, 4))) if _sometimes(draw, 4) else None
    return Flag(points=_points(draw), at_least=at_least, text=_text(draw))


def _each(draw: DrawFn, *, in_deduction: bool = False) -> Each:
    per = _points(draw)
    n_options = draw(_ints(0, 4))
    options = tuple(OPTION_NAMES[:n_options])
    is_open = bool(options) and draw(_BOOL)
    closed = bool(options) and not is_open
    cap: Decimal | None
    if closed:
        cap = per * draw(_ints(1, n_options)) if draw(_BOOL) else None
    elif in_deduction and draw(_BOOL):
        cap = None
    elif draw(_BOOL):
        cap = per * draw(_ints(1, 5))
    else:
        cap = _points(draw)
    at_least = draw(_ints(1, n_options if closed else 3)) if _sometimes(draw, 4) else None
    rule = Each(per=per, max=cap, options=options, open=is_open, at_least=at_least, text=_text(draw))
    top = _max(rule)
    if top is not None and not in_deduction and draw(_BOOL):
        rule = _with(rule, points=top)
    return rule


def _bands(draw: DrawFn) -> Bands:
    ratio = draw(_BOOL)
    if ratio:
        edges = sorted(draw(st.lists(_ints(5, 15), unique=True, max_size=4)))
        values = [Decimal(e) / 10 for e in edges]
    else:
        scale = draw(_pick((Decimal(1), Decimal(5), Decimal("0.1"))))
        edges = sorted(draw(st.lists(_ints(0, 20), unique=True, max_size=4)))
        values = [Decimal(e) * scale for e in edges]
    # upper[i]: edge i belongs to the band above it (lower band ends with lt, upper starts with ge)
    upper = [draw(_BOOL) for _ in values]
    points = [draw(_pick((ZERO, *POINTS))) for _ in range(len(values) + 1)]
    if not any(points):
        points[-1] = POINTS[0]
    bands = []
    for i, p in enumerate(points):
        low = values[i - 1] if i > 0 else None
        high = values[i] if i < len(values) else None
        band = Band(
            ge=low if low is not None and upper[i - 1] else None,
            gt=low if low is not None and not upper[i - 1] else None,
            lt=high if high is not None and upper[i] else None,
            le=high if high is not None and not upper[i] else None,
            points=p,
        )
        bands.append(band)
    if _sometimes(draw, 4):
        bands.reverse()
    rule = Bands(bands=tuple(bands), input="ratio" if ratio else "number", text=_text(draw))
    if draw(_BOOL):
        rule = _with(rule, points=_max(rule))
    return rule


def _linear(draw: DrawFn, *, in_deduction: bool = False) -> Linear:
    step = draw(_pick((Decimal(1), Decimal(5), Decimal(10), Decimal("0.5"), Decimal(2))))
    start = Decimal(draw(_ints(0, 10))) * draw(_pick((Decimal(1), Decimal(10))))
    per = _points(draw)
    base = _points(draw) if _sometimes(draw, 3) else ZERO
    cap: Decimal | None
    if in_deduction and draw(_BOOL):
        cap = None
    elif draw(_BOOL):
        cap = base + per * draw(_ints(1, 4))
    else:
        cap = _points(draw)
    # Rounding to fewer decimals than the cap has could award more than the cap.
    digits = [d for d in (0, 1, 2) if cap is None or cap.quantize(Decimal(1).scaleb(-d)) == cap]
    rule = Linear(
        start=start,
        step=step,
        per=per,
        base=base,
        max=cap,
        direction=draw(_pick(("up", "down"))),
        steps=draw(_pick(("whole", "started", "exact"))),
        digits=draw(_pick(digits)) if _sometimes(draw, 3) else None,
        text=_text(draw),
    )
    if cap is not None and not in_deduction and draw(_BOOL):
        rule = _with(rule, points=cap)
    return rule


def _judged(draw: DrawFn, *, in_deduction: bool = False) -> Judged:
    step = draw(_pick((None, Decimal("0.5"), Decimal(1), Decimal("0.2"))))
    unit = step or draw(_pick((Decimal(1), Decimal("0.5"))))
    low = unit * draw(_ints(0, 3))
    high = low + unit * draw(_ints(1, 6))
    declared = high if not in_deduction and draw(_BOOL) else None
    return Judged(range=(low, high), step=step, text=_text(draw), points=declared)


def _cases(draw: DrawFn) -> Cases:
    n = draw(_ints(1, 3))
    ids = _segments(draw, n, letter)
    keys = [ids[i] or letter(i) for i in range(n)]
    conditions = tuple(Condition(id=ids[i], text=_text(draw)) for i in range(n))
    combos = [dict(zip(keys, c, strict=True)) for c in itertools.product((True, False), repeat=n)]
    rows: list[Row] = []
    if _sometimes(draw, 4):
        # the full truth table, one row per combination
        rows = [Row(when=combo, points=draw(_pick((ZERO, *POINTS)))) for combo in combos]
    else:
        for _ in range(draw(_ints(1, 3))):
            chosen = draw(st.lists(_pick(keys), unique=True, min_size=1, max_size=n))
            when = {k: draw(_BOOL) for k in chosen}
            rows.append(Row(when=when, points=draw(_pick((ZERO, *POINTS)))))
    # Drop rows that no combination reaches first: their points could never be awarded.
    reached = {next(i for i, r in enumerate(rows) if _matches(r, c)) for c in combos if _covers(rows, c)}
    rows = [r for i, r in enumerate(rows) if i in reached]
    if not all(_covers(rows, c) for c in combos):
        rows.append(Row(points=draw(_pick((ZERO, *POINTS)))))
    if not any(r.points for r in rows):
        rows[-1] = Row(when=rows[-1].when, points=POINTS[0])
    rule = Cases(conditions=conditions, rows=tuple(rows), text=_text(draw))
    if draw(_BOOL):
        rule = _with(rule, points=_max(rule))
    return rule


def _matches(row: Row, combo: Mapping[str, bool]) -> bool:
    return all(combo.get(k) == v for k, v in row.when.items())


def _covers(rows: Sequence[Row], combo: Mapping[str, bool]) -> bool:
    return any(_matches(r, combo) for r in rows)


def _declare(draw: DrawFn, rule: Rule) -> Decimal | None:
    """The declared points of a composite rule: its maximum, or left out."""
    top = _max(rule)
    return top if top is not None and top > 0 and draw(_BOOL) else None


def _parts(draw: DrawFn, depth: int, kinds: _Kinds, bonus: bool) -> Parts:
    n = draw(_ints(1, 3))
    ids = _segments(draw, n + 1, letter)
    kids: list[Rule] = [_rule(draw, depth + 1, kinds, bonus=bonus) for _ in range(n)]
    if bonus and _sometimes(draw, 4):
        # over-achievement beyond the item's 分值 ("每超额完成10%加3分，最多加9分")
        makers: tuple[Callable[[DrawFn], Rule], ...] = (_flag, _linear, _each)
        extra = makers[draw(_ints(0, len(makers) - 1))](draw)
        kids.append(_with(extra, bonus=True))
    kids = [_with(k, id=ids[i]) for i, k in enumerate(kids)]
    rule = Parts(parts=tuple(kids), text=_text(draw))
    if _sometimes(draw, 4):
        top = _reach(rule)
        assert top is not None
        rule = _with(rule, max=_positive_fraction(draw, top))
    return _with(rule, points=_declare(draw, rule))


def _best(draw: DrawFn, depth: int, kinds: _Kinds, bonus: bool) -> Best:
    n = draw(_ints(2, 3))
    ids = _segments(draw, n, letter)
    kids = [_with(_rule(draw, depth + 1, kinds, bonus=bonus), id=ids[i]) for i in range(n)]
    rule = Best(alternatives=tuple(kids), text=_text(draw))
    return _with(rule, points=_declare(draw, rule))


def _deduct(draw: DrawFn, kinds: _Kinds) -> Deduct:
    n = draw(_ints(1, 3))
    ids = _segments(draw, n, letter)
    makers: dict[str, Callable[[DrawFn], Rule]] = {
        "flag": _flag,
        "each": lambda d: _each(d, in_deduction=True),
        "linear": lambda d: _linear(d, in_deduction=True),
        "judged": lambda d: _judged(d, in_deduction=True),
    }
    kids = []
    for i in range(n):
        kid = makers[draw(_pick(kinds.deductions))](draw)
        if _sometimes(draw, 8):
            kid = _with(kid, zero_if="情节轻微的不扣分")
        kids.append(_with(kid, id=ids[i]))
    return Deduct(points=_points(draw), deductions=tuple(kids), text=_text(draw))


def _with(rule: T, **changes: Any) -> T:
    """*rule* (an attrs model object) with some fields replaced."""
    return attrs.evolve(rule, **changes)  # type: ignore[misc]  # T is always an attrs class here


def _rule(draw: DrawFn, depth: int, kinds: _Kinds, *, bonus: bool, positive: bool = True) -> Rule:
    """One rule at nesting *depth* (0 for an item)."""
    if depth >= MAX_DEPTH:
        choices = kinds.simple
    elif depth == 0:
        choices = kinds.positive if positive else kinds.items
    else:
        choices = kinds.nested
    kind = draw(_pick(choices))
    rule: Rule
    if kind == "flag":
        rule = _flag(draw)
    elif kind == "check":
        rule = Check(text=_text(draw))
    elif kind == "each":
        rule = _each(draw)
    elif kind == "bands":
        rule = _bands(draw)
    elif kind == "linear":
        rule = _linear(draw)
    elif kind == "judged":
        rule = _judged(draw)
    elif kind == "cases":
        rule = _cases(draw)
    elif kind == "parts":
        rule = _parts(draw, depth, kinds, bonus)
    elif kind == "best":
        rule = _best(draw, depth, kinds, bonus)
    else:
        rule = _deduct(draw, kinds)
    if _sometimes(draw, 8) and not isinstance(rule, Check):
        rule = _with(rule, zero_if="未配备人员的，本项不得分")
    return rule


def _item(draw: DrawFn, kinds: _Kinds, *, gates: bool, bonus: bool, positive: bool) -> Rule:
    """An item: a rule with the item-only modifiers (na_if, gate, gate_min)."""
    rule = _rule(draw, 0, kinds, bonus=bonus, positive=positive)
    if _sometimes(draw, 6):
        rule = _with(rule, na_if="无此设施的，此项不评分")
    if isinstance(rule, Check):
        if draw(_BOOL):
            rule = _with(rule, gate=draw(_pick(("required", "veto", "zero"))))
    elif gates and _sometimes(draw, 6):
        rule = _with(rule, gate=draw(_pick(("required", "veto", "zero"))))
        top = _reach(rule)
        if top is not None and draw(_BOOL):
            rule = _with(rule, gate_min=_fraction(top, draw(_ints(0, 4))))
    return rule


def _items(draw: DrawFn, max_items: int, kinds: _Kinds, *, gates: bool, bonus: bool) -> tuple[Rule, ...]:
    n = draw(_ints(1, max_items))
    ids = _segments(draw, n, number)
    out = []
    for i in range(n):
        item = _item(draw, kinds, gates=gates, bonus=bonus, positive=i == 0)
        out.append(_with(item, id=ids[i]))
    return tuple(out)


def _group(draw: DrawFn, summed: Decimal) -> tuple[Decimal | None, Decimal | None]:
    """(points, max) for a unit or project whose children add up to *summed*."""
    cap = _positive_fraction(draw, summed) if summed > 0 and _sometimes(draw, 6) else None
    top = summed if cap is None else min(summed, cap)
    declared = top if top > 0 and not _sometimes(draw, 5) else None
    return declared, cap


def _project(draw: DrawFn, max_items: int, kinds: _Kinds, *, gates: bool, bonus: bool) -> Project:
    items = _items(draw, max_items, kinds, gates=gates, bonus=bonus)
    declared, cap = _group(draw, sum((_contribution(i) for i in items), ZERO))
    nonzero = gates and _sometimes(draw, 6)
    title = draw(_pick(("管理机构", "管理制度", "行为节约", "p")))
    return Project(title=title, points=declared, max=cap, nonzero=nonzero, items=items)


def _project_value(project: Project) -> Decimal:
    if project.points is not None:
        return project.points
    return _group_sum((_contribution(i) for i in project.items), project.max)


def _unit_value(unit: Unit) -> Decimal:
    """The declared points of *unit*, or the most its children allow."""
    if unit.points is not None:
        return unit.points
    if unit.projects:
        return _group_sum((_project_value(p) for p in unit.projects), unit.max)
    return _group_sum((_contribution(i) for i in unit.items), unit.max)


def _unit(
    draw: DrawFn, index: int, max_projects: int, max_items: int, kinds: _Kinds, *, gates: bool, bonus: bool
) -> Unit:
    is_bonus = bonus and index > 0 and _sometimes(draw, 4)
    title = draw(_pick(("强化目标管理", "完善制度体系", "u")))
    if max_projects > 0 and draw(_BOOL):
        n = draw(_ints(1, max_projects))
        ids = _segments(draw, n, number)
        projects = tuple(
            _with(_project(draw, max_items, kinds, gates=gates, bonus=bonus), id=ids[i]) for i in range(n)
        )
        summed = sum((_project_value(p) for p in projects), ZERO)
        declared, cap = _group(draw, summed)
        return Unit(title=title, points=declared, max=cap, bonus=is_bonus, projects=projects)
    items = _items(draw, max_items, kinds, gates=gates, bonus=bonus)
    declared, cap = _group(draw, sum((_contribution(i) for i in items), ZERO))
    return Unit(title=title, points=declared, max=cap, bonus=is_bonus, items=items)


def _walk_items(rubric: Rubric) -> Iterable[Rule]:
    for unit in rubric.units:
        for project in unit.projects:
            yield from project.items
        yield from unit.items


def _nested(rule: Rule) -> Iterable[Rule]:
    yield rule
    for child in children(rule):
        yield from _nested(child)


def rubrics(
    *,
    max_units: int = 3,
    max_projects: int = 3,
    max_items: int = 4,
    kinds: Collection[str] | None = None,
    gates: bool = True,
    levels: bool = True,
    bonus: bool = True,
) -> st.SearchStrategy[Rubric]:
    """Valid rubrics that use every rule kind and modifier, with declared totals that add up.

    The generated rubrics hold units with projects or with items directly; items of every
    kind (``flag``, ``check``, ``each``, ``parts``, ``best``, ``bands``, ``linear``,
    ``judged``, ``deduct``, ``cases``), nested at most two levels below the item; the modifiers
    ``zero_if`` and ``na_if`` (with the rubric's ``na`` policy), gates with ``gate_min``, ★
    projects, caps on units and projects, bonus parts and bonus units, now and then an
    ``aggregate`` with weights, and ascending levels with ``unit_min`` and ``unit_share``.
    Every declared figure is computed from the children with exact decimals, so that
    ``conserv_rubric.validate(rubric) == []``.

    Args:
        max_units: the most units.
        max_projects: the most projects in a unit (0: units hold items directly).
        max_items: the most items in a project or unit.
        kinds: the rule kinds to use (default: all); nested parts and deductions use the
            allowed kinds that fit there, falling back to ``flag``.
        gates: whether to use gates, ``check`` items and ★ projects.
        levels: whether to declare levels.
        bonus: whether to use bonus units and bonus parts.

    Returns:
        A strategy for `Rubric`.

    Raises:
        InvalidArgument: a limit is below 1 (``max_projects`` below 0), or *kinds* names an
            unknown kind or none that awards points.
    """
    if max_units < 1 or max_items < 1 or max_projects < 0:
        raise InvalidArgument("max_units and max_items must be at least 1, max_projects at least 0")
    allowed = _Kinds(kinds, gates=gates)
    return _rubrics(max_units, max_projects, max_items, allowed, gates=gates, levels=levels, bonus=bonus)


@st.composite
def _rubrics(
    draw: DrawFn,
    max_units: int,
    max_projects: int,
    max_items: int,
    allowed: _Kinds,
    *,
    gates: bool,
    levels: bool,
    bonus: bool,
) -> Rubric:
    n_units = draw(_ints(1, max_units))
    ids = _segments(draw, n_units, number)
    units = tuple(
        _with(_unit(draw, u, max_projects, max_items, allowed, gates=gates, bonus=bonus), id=ids[u])
        for u in range(n_units)
    )
    addresses = [ids[u] or number(u) for u in range(n_units)]
    aggregate = None
    if _sometimes(draw, 5):
        weights = {
            a: draw(_pick((Decimal(2), Decimal("0.5"), Decimal(3))))
            for a in draw(st.lists(_pick(addresses), unique=True, max_size=len(addresses)))
        }
        aggregate = Aggregate(
            base=draw(_pick((ZERO, Decimal(10), Decimal(400)))),
            divisor=draw(_pick((Decimal(1), Decimal(2), Decimal(10)))),
            weights=weights,
        )

    def weighted(pick_bonus: bool) -> Decimal:
        total = ZERO
        for address, unit in zip(addresses, units, strict=True):
            if unit.bonus == pick_bonus:
                weight = aggregate.weights.get(address, Decimal(1)) if aggregate else Decimal(1)
                total += _unit_value(unit) * weight
        return total

    total = weighted(False)
    bonus_total = weighted(True)
    if aggregate is not None:
        total = (aggregate.base + total) / aggregate.divisor
        bonus_total = bonus_total / aggregate.divisor
    has_bonus_units = any(u.bonus for u in units)
    declared_bonus = bonus_total if has_bonus_units and draw(_BOOL) else None

    made_levels: list[Level] = []
    if levels and draw(_BOOL):
        tenths = sorted(draw(st.lists(_ints(1, 10), unique=True, min_size=1, max_size=3)))
        for i, k in enumerate(tenths):
            unit_min: dict[str, Decimal] = {}
            if _sometimes(draw, 4):
                u = draw(_ints(0, n_units - 1))
                unit_min[addresses[u]] = _fraction(_unit_value(units[u]), draw(_ints(0, 4)))
            share = draw(_pick((Decimal("0.3"), Decimal("0.6"), Decimal(1)))) if _sometimes(draw, 5) else None
            name = draw(_pick(("节约型机关", "一星级", "Certified"))) + str(i + 1)
            made_levels.append(Level(name=name, min=total * k / 10, unit_min=unit_min, unit_share=share))

    draft = Rubric(title="t", total=total, units=units)
    needs_na = any(r.na_if is not None for item in _walk_items(draft) for r in _nested(item))
    na: NaPolicy | None = draw(_pick(("exclude", "full", "rescale"))) if needs_na else None
    digits = draw(_ints(0, 2)) if na == "rescale" or _sometimes(draw, 8) else None
    return Rubric(
        title=draw(_pick(("XX区节约型机关评价标准", "rubric", 'a "title"'))),
        total=total,
        issuer="XX区人民政府办公室" if _sometimes(draw, 4) else None,
        version="2024" if _sometimes(draw, 4) else None,
        basis=("国管节能〔2024〕39号",) if _sometimes(draw, 6) else (),
        bonus=declared_bonus,
        na=na,
        digits=digits,
        aggregate=aggregate,
        levels=tuple(made_levels),
        units=units,
    )


# --- answers -------------------------------------------------------------------------------


def _decimals_around(values: Iterable[Decimal], delta: Decimal = TINY) -> list[Decimal]:
    """Each value and the numbers just either side of it, sorted."""
    out: set[Decimal] = set()
    for v in values:
        out.update((v, v - delta, v + delta))
    return sorted(out)


def _band_values(rule: Bands) -> list[Decimal]:
    edges = {e for b in rule.bands for e in (b.gt, b.ge, b.lt, b.le) if e is not None}
    spread = {Decimal(0), Decimal(1), Decimal(100)}
    return _decimals_around(edges | spread)


def _linear_values(rule: Linear) -> list[Decimal]:
    sign = 1 if rule.direction == "up" else -1
    steps_to_cap = 4
    if rule.max is not None and rule.per > 0:
        steps_to_cap = int(((rule.max - rule.base) / rule.per).to_integral_value(ROUND_CEILING)) + 1
    steps_to_cap = max(0, min(steps_to_cap, 12))
    marks = [rule.start + sign * rule.step * k for k in range(-1, steps_to_cap + 1)]
    marks += [rule.start + sign * rule.step * (Decimal(k) + Decimal("0.5")) for k in range(0, 3)]
    return _decimals_around(marks)


def _judged_values(leaf: Leaf) -> list[Decimal]:
    assert leaf.low is not None
    assert leaf.high is not None
    low, high, step = leaf.low, leaf.high, leaf.step
    if step is not None:
        first = (low / step).to_integral_value(ROUND_CEILING)
        last = (high / step).to_integral_value(ROUND_FLOOR)
        ks = range(int(first), int(last) + 1)
        values = [step * k for k in (*ks[:20], *ks[-20:])]  # both ends of a long range
    else:
        values = [low + (high - low) * k / 8 for k in range(9)]
    return sorted({ZERO, *values})


def _count_cap(rule: Rule | None) -> int:
    """A count just past where a counter stops earning points."""
    if isinstance(rule, Flag) and rule.at_least:
        return rule.at_least + 1
    if isinstance(rule, Each):
        top = _max(rule)
        if top is not None and rule.per > 0:
            need = int((top / rule.per).to_integral_value(ROUND_CEILING))
            return max(need, rule.at_least or 0) + 1
        return max(4, (rule.at_least or 0) + 1)
    return 4


def _answer(leaf: Leaf) -> st.SearchStrategy[Answer]:
    """Valid answers for *leaf*, biased towards the values where its award changes."""
    rule = leaf.rule
    if leaf.shape == "bool":
        if leaf.address.endswith((".zero", ".na")) and rule is None:
            # mostly false: a true zero or N/A leaf hides the rest of the item
            return _ints(0, 3).map(lambda i: i == 3)
        return _BOOL
    if leaf.shape == "count":
        top = _count_cap(rule)
        return _pick(range(top + 1))
    if leaf.shape == "count_or_names":
        top = _count_cap(rule)
        if leaf.closed:
            top = min(top, len(leaf.options))
        counts = _pick(range(top + 1))
        pool = list(leaf.options)
        if not leaf.closed:
            pool += [f"其他{i}" for i in range(1, top + 1)]
        if not pool:
            return counts
        return st.one_of(counts, st.lists(_pick(pool), unique=True, max_size=len(pool)))
    if leaf.shape == "judged":
        return _pick(_judged_values(leaf))
    if isinstance(rule, Bands):
        values = _pick(_band_values(rule))
        if leaf.shape == "ratio":
            refs = _pick((Decimal(1), Decimal(2), Decimal("0.5"), Decimal(100)))
            ratio = st.tuples(values, refs).map(lambda vr: {"value": vr[0] * vr[1], "ref": vr[1]})
            return st.one_of(ratio, values)
        return values
    if isinstance(rule, Linear):
        return st.one_of(
            _pick(_linear_values(rule)),
            _ints(-50, 200).map(Decimal),
        )
    return _ints(-5, 120).map(Decimal)


def answers(rubric: Rubric) -> st.SearchStrategy[dict[str, Answer]]:
    """Valid answers for *rubric*: leaf address → answer, some leaves left unanswered.

    Answers have the shapes `conserv_rubric.score` accepts (see docs/sheet-format.md): booleans,
    counts (``int``), lists of distinct names, numbers as `Decimal`, ``{value, ref}`` tables.
    Numbers sit on and just either side of band edges, linear thresholds and step boundaries;
    counts reach exactly the cap; judged points take the range ends and 0.

    Args:
        rubric: a valid rubric.

    Returns:
        A strategy for dicts from leaf address to answer, in rubric order.
    """
    choices = tuple((address, _answer(leaf)) for address, leaf in compiled(rubric).leaves.items())
    return _answers(choices)


@st.composite
def _answers(draw: DrawFn, choices: tuple[tuple[str, st.SearchStrategy[Answer]], ...]) -> dict[str, Answer]:
    out = {}
    for address, strategy in choices:
        # about four in five leaves are answered; shrinking leaves them unanswered
        if draw(_ints(0, 4)):
            out[address] = draw(strategy)
    return out


@st.composite
def sheets(draw: DrawFn, rubric: Rubric) -> Sheet:
    """Valid answer sheets for *rubric*, with evidence and notes on some items.

    Args:
        rubric: a valid rubric.

    Returns:
        A strategy for `Sheet`; see `answers` for the answers.
    """
    given = draw(answers(rubric))
    items = sorted(compiled(rubric).item_addresses)
    cited = draw(st.lists(_pick(items), unique=True, max_size=3)) if items else []
    return Sheet(
        info=SheetInfo(
            agency=draw(_pick(("XX区发展和改革局", "agency"))),
            year=draw(_pick((None, 2024))),
            stage=draw(_pick(("self", "verified"))),
        ),
        answers=given,
        evidence={a: ("《节约能源资源管理制度》",) for a in cited},
        notes={a: "正在整改" for a in cited[:1]},
    )


# --- invalid sheets ------------------------------------------------------------------------


class Mistake(str):
    """The label of the one mistake in an invalid sheet, e.g. ``"wrong-type"``.

    A `Mistake` compares equal to its label; ``address`` is the address the mistake is at,
    which the `SheetError` message must name.
    """

    address: str

    def __new__(cls, label: str, address: str) -> Mistake:
        made = super().__new__(cls, label)
        made.address = address
        return made


MistakeLabel = Literal[
    "unknown-address",
    "item-address",
    "unknown-evidence",
    "wrong-type",
    "negative-count",
    "fractional-count",
    "duplicate-name",
    "name-not-in-options",
    "out-of-range",
    "off-step",
    "too-many-entries",
]
#: Every label `invalid_sheets` uses.
MISTAKES: Final[tuple[str, ...]] = get_args(MistakeLabel)

_WRONG_TYPE: Final[dict[str, tuple[Answer, ...]]] = {
    "bool": (1, "true", Decimal(1)),
    "count": (True, "3", [1]),
    "count_or_names": (True, "节能", {"value": 1}),
    "number": ("12", True, [Decimal(1)]),
    "ratio": ("0.9", True, {"value": Decimal(1)}),
    "judged": ("3", True),
}


def _bad_values(leaf: Leaf) -> list[tuple[str, Answer]]:
    """Every (label, value) mistake that fits *leaf*."""
    out: list[tuple[str, Answer]] = [("wrong-type", v) for v in _WRONG_TYPE[leaf.shape]]
    if leaf.shape in ("count", "count_or_names"):
        out += [("negative-count", -1), ("negative-count", -3)]
        out += [("fractional-count", Decimal("1.5")), ("fractional-count", Decimal("0.5"))]
    if leaf.shape == "count_or_names":
        name = leaf.options[0] if leaf.options else "节能"
        out.append(("duplicate-name", [name, name]))
        if leaf.closed:
            stranger = next(n for n in ("不在清单内", "not-an-option") if n not in leaf.options)
            out.append(("name-not-in-options", [stranger]))
            out.append(("too-many-entries", len(leaf.options) + 1))
        else:
            out.append(("too-many-entries", [f"n{i}" for i in range(MAX_LIST + 1)]))
    if leaf.shape == "judged":
        assert leaf.low is not None
        assert leaf.high is not None
        out += [("out-of-range", leaf.high + 1), ("out-of-range", -leaf.high)]
        if leaf.low > 0:
            out.append(("out-of-range", leaf.low / 2))
        if leaf.step is not None:
            off = leaf.low + leaf.step / 2
            if off != 0 and leaf.low <= off <= leaf.high and off % leaf.step != 0:
                out.append(("off-step", off))
    if leaf.shape == "ratio":
        out += [
            ("out-of-range", {"value": Decimal(1), "ref": ZERO}),
            ("out-of-range", {"value": Decimal(1), "ref": Decimal(-2)}),
        ]
    return out


def invalid_sheets(
    rubric: Rubric, *, labels: Collection[str] | None = None
) -> st.SearchStrategy[tuple[Sheet, Mistake]]:
    """Sheets for *rubric* with exactly one labelled mistake.

    The labels are those of `MISTAKES`: ``unknown-address``, ``item-address`` (an item made of
    parts answered as a whole), ``unknown-evidence``, ``wrong-type``, ``negative-count``,
    ``fractional-count``, ``duplicate-name``, ``name-not-in-options``, ``out-of-range``,
    ``off-step`` and ``too-many-entries``. `conserv_rubric.score` must raise a `SheetError`
    with one problem, naming ``mistake.address``. Each label the rubric allows is about
    equally likely.

    Args:
        rubric: a valid rubric.
        labels: the kinds of mistake to make (default: every one the rubric's leaves allow).

    Returns:
        A strategy for ``(sheet, mistake)``; the mistake is a `Mistake`, a `str` label that
        also carries the ``address``.

    Raises:
        InvalidArgument: *labels* names an unknown label, or none that *rubric* allows.
    """
    unknown = sorted(set(labels or ()) - set(MISTAKES))
    if unknown:
        raise InvalidArgument(f"unknown mistake labels {unknown}; expected some of {list(MISTAKES)}")
    by_label: dict[str, list[tuple[str, Answer]]] = {}
    for label, address, value in _mistakes(rubric):
        if labels is None or label in labels:
            by_label.setdefault(label, []).append((address, value))
    if not by_label:
        raise InvalidArgument(f"the rubric allows none of the mistakes {sorted(labels or ())}")
    return _invalid_sheets(rubric, by_label)


def _mistakes(rubric: Rubric) -> Iterator[tuple[str, str, Answer]]:
    """Every (label, address, answer) mistake that fits *rubric*."""
    c = compiled(rubric)
    for leaf in c.leaves.values():
        for label, value in _bad_values(leaf):
            yield label, leaf.address, value
    known = set(c.leaves) | set(c.item_addresses)
    first_item = min(c.item_addresses, key=lambda a: [int(p) if p.isdigit() else p for p in a.split(".")])
    for address in (f"{next(iter(c.leaves))}.x", "99.9.9", f"{first_item}.zero"):
        if address not in known:
            yield "unknown-address", address, True
    for address in sorted(c.item_addresses - set(c.leaves)):
        yield "item-address", address, True
    if "99.9.9" not in known:
        yield "unknown-evidence", "99.9.9", None


@st.composite
def _invalid_sheets(
    draw: DrawFn, rubric: Rubric, by_label: dict[str, list[tuple[str, Answer]]]
) -> tuple[Sheet, Mistake]:
    sheet = draw(sheets(rubric))
    label = draw(_pick(sorted(by_label)))
    address, value = draw(_pick(by_label[label]))
    given = dict(sheet.answers)
    evidence = dict(sheet.evidence)
    if label == "unknown-evidence":
        evidence[address] = ("《不存在的条目》",)
    else:
        given[address] = value
    bad = Sheet(info=sheet.info, answers=given, evidence=evidence, notes=dict(sheet.notes))
    return bad, Mistake(label, address)
