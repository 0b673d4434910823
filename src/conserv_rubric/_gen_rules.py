"""The rule, project and unit generators behind `conserv_rubric.strategies.rubrics`.

Every generated rubric declares totals computed with `conserv_rubric._reference.rule_max`, an
independent reading of the format, so that ``validate(generated) == []`` checks two
computations against each other.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn

from ._reference import contribution, deduction_step, group_sum, rule_max, rule_reach
from ._tree import letter, number
from .model import (
    RULE_KINDS,
    Band,
    Bands,
    Best,
    Cases,
    Check,
    Condition,
    Deduct,
    Each,
    Figure,
    Flag,
    Judged,
    Linear,
    Parts,
    Project,
    Row,
    Rule,
    Tier,
    Tiers,
    Unit,
)

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
#: Tier names of generated ``tiers`` rules, as the standards name them.
TIER_NAMES: Final = ("符合", "基本符合", "不符合", "较好")
#: Leaf kinds (no nested rules) and the composite kinds.
SIMPLE_KINDS: Final[tuple[str, ...]] = ("flag", "each", "bands", "linear", "judged", "cases", "tiers")
COMPOSITE_KINDS: Final[tuple[str, ...]] = ("parts", "best", "deduct")
DEDUCTION_KINDS: Final[tuple[str, ...]] = ("flag", "each", "linear", "judged", "tiers")
#: Nested rules go at most this deep below an item (item → part → part of a part).
MAX_DEPTH: Final = 2
#: A small step for "just either side" of an edge.
TINY: Final = Decimal("0.001")


# --- exact arithmetic the generator relies on -------------------------------------------------
# Declared totals are computed here rather than with the library's own `maximum`, so that
# `validate(generated) == []` checks two independent computations against each other.


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


def _said(text: str, points: Decimal, said: str, figure: str) -> str:
    """*text* with the *figure* of the phrase *said* ("得2分") made *points*, so that no
    generated text contradicts its rule (the validator warns about that)."""
    return text.replace(said, said.replace(figure, _plain(points)), 1)


def _capped(text: str, top: Decimal | None) -> str:
    """*text* with its cap ("最高得5分") made *top*, or dropped when the rule has no cap."""
    if top is None:
        return text.replace("，最高得5分", "", 1)
    return _said(text, top, "最高得5分", "5")


def _plain(value: Decimal) -> str:
    """A figure as a standard prints it (2, 2.5, 0.2), without the library's formatting."""
    return format(value.normalize(), "f")


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
    points = _points(draw)
    return Flag(points=points, at_least=at_least, text=_said(_text(draw), points, "得2分", "2"))


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
    # "每有一项不知晓的扣1分，都不知晓的不得分": a count at which the item scores 0.
    zero_at = draw(_ints(1, n_options if closed else 4)) if in_deduction and _sometimes(draw, 4) else None
    top = cap if cap is not None else per * n_options if closed else None
    text = _capped(_said(_text(draw), per, "每项得1分", "1"), top)
    rule = Each(
        per=per, max=cap, options=options, open=is_open, at_least=at_least, zero_at=zero_at, text=text
    )
    top = rule_max(rule)
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
    if not ratio and _sometimes(draw, 4):
        # the numbers an answer may take, holding every edge ("range = [0, 100]" for a rate)
        rule = _with(rule, range=(min([ZERO, *values]), max([Decimal(100), *values])))
    if _sometimes(draw, 6):
        rule = _with(rule, measure="满意率")
    if draw(_BOOL):
        rule = _with(rule, points=rule_max(rule))
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
        text=_capped(_text(draw), cap),
    )
    if _sometimes(draw, 6):
        rule = _with(rule, measure="投放准确率")
    if _sometimes(draw, 4):
        # wide enough for the threshold and the figure where the cap is reached, both ways
        steps = math.ceil(abs(Fraction((cap or per) - base) / Fraction(per))) + 2
        reach = rule.step * steps
        rule = _with(rule, range=(min(ZERO, rule.start - reach), max(Decimal(100), rule.start + reach)))
    if cap is not None and not in_deduction and draw(_BOOL):
        rule = _with(rule, points=cap)
    return rule


def _tiers(draw: DrawFn, *, in_deduction: bool = False) -> Tiers:
    """Named tiers ("符合…4分 基本符合…3—1分 不符合:0分"), now and then one with a range."""
    n = draw(_ints(1, len(TIER_NAMES)))
    tiers = []
    for name in TIER_NAMES[:n]:
        if _sometimes(draw, 3):
            step = draw(_pick((None, Decimal(1), Decimal("0.5"))))
            unit = step or Decimal(1)
            low = unit * draw(_ints(0, 2))
            tiers.append(Tier(name=name, range=(low, low + unit * draw(_ints(1, 4))), step=step))
        else:
            tiers.append(Tier(name=name, points=draw(_pick((ZERO, *POINTS)))))
    if not any(t.range is not None or t.points for t in tiers):
        tiers[0] = Tier(name=tiers[0].name, points=POINTS[0])
    rule = Tiers(tiers=tuple(tiers), text=_text(draw))
    if not in_deduction and draw(_BOOL):
        rule = _with(rule, points=rule_max(rule))
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
        rule = _with(rule, points=rule_max(rule))
    return rule


def _matches(row: Row, combo: Mapping[str, bool]) -> bool:
    return all(combo.get(k) == v for k, v in row.when.items())


def _covers(rows: Sequence[Row], combo: Mapping[str, bool]) -> bool:
    return any(_matches(r, combo) for r in rows)


def _declare(draw: DrawFn, rule: Rule) -> Decimal | None:
    """The declared points of a composite rule: its maximum, or left out."""
    top = rule_max(rule)
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
        top = rule_reach(rule)
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
        "tiers": lambda d: _tiers(d, in_deduction=True),
    }
    kids = []
    for i in range(n):
        kid = makers[draw(_pick(kinds.deductions))](draw)
        if _sometimes(draw, 8):
            kid = _with(kid, zero_if="情节轻微的不扣分")
        if _sometimes(draw, 8):
            # "有食堂的…扣4分": a deduction that applies only to some agencies
            kid = _with(kid, na_if="单位未设食堂")
        kids.append(_with(kid, id=ids[i]))
    # No single finding takes more than the item has (the validator warns about that).
    steps = [deduction_step(k) or ZERO for k in kids]
    points = max([_points(draw), *steps])
    return Deduct(points=points, deductions=tuple(kids), text=_text(draw))


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
    elif kind == "tiers":
        rule = _tiers(draw)
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
    """An item: a rule with the item-only modifiers (na_if, gate, gate_min, gate_figure,
    consequence, nonzero, verifier_only)."""
    rule = _rule(draw, 0, kinds, bonus=bonus, positive=positive)
    if _sometimes(draw, 6):
        rule = _with(rule, na_if="无此设施的，此项不评分")
    if _sometimes(draw, 8) and not isinstance(rule, Check):
        # "由省教育厅依据参加情况评分": a self-assessment is not awarded it
        rule = _with(rule, verifier_only=True)
    if isinstance(rule, Check):
        if draw(_BOOL):
            rule = _with(rule, gate=draw(_pick(("required", "veto", "zero"))))
    elif gates and _sometimes(draw, 8):
        rule = _with(rule, nonzero=True)  # a ★ item
    elif gates and _sometimes(draw, 6):
        rule = _with(rule, gate=draw(_pick(("required", "veto", "zero"))))
        figure = _figure(draw, rule)
        top = rule_reach(rule)
        if figure is not None:
            rule = _with(rule, gate_figure=figure)
        elif top is not None and top > 0 and draw(_BOOL):
            rule = _with(rule, gate_min=_fraction(top, draw(_ints(1, 4))))
    if (rule.gate is not None or rule.nonzero) and _sometimes(draw, 3):
        rule = _with(rule, consequence="不能被表彰")
    return rule


def withholding(draw: DrawFn, units: tuple[Unit, ...], names: Sequence[str]) -> tuple[Unit, ...]:
    """*units* with, now and then, a gated or ★ item or a ★ project that withholds only the levels
    from one of *names* (ascending) up ("不得评为优秀"); with fewer than two levels, as they are."""
    if len(names) < 2:
        return units
    upper = _pick(names[1:])

    def item(rule: Rule) -> Rule:
        gated = rule.nonzero or (rule.gate != "zero" and (rule.gate is not None or isinstance(rule, Check)))
        return _with(rule, withholds=draw(upper)) if gated and _sometimes(draw, 3) else rule

    def project(p: Project) -> Project:
        p = _with(p, items=tuple(item(r) for r in p.items))
        return _with(p, withholds=draw(upper)) if p.nonzero and _sometimes(draw, 3) else p

    return tuple(
        _with(u, projects=tuple(project(p) for p in u.projects), items=tuple(item(r) for r in u.items))
        for u in units
    )


def _figure(draw: DrawFn, rule: Rule) -> Figure | None:
    """Now and then, what the measured figure of a bands or linear item must be for its gate
    ("未达到标准60%不能被表彰"): a bound met by going the way the rule awards more."""
    if not _sometimes(draw, 2):
        return None
    if isinstance(rule, Linear):
        at = rule.start + rule.step * draw(_ints(-1, 2)) * (1 if rule.direction == "up" else -1)
        return Figure(ge=at) if rule.direction == "up" else Figure(le=at)
    if isinstance(rule, Bands) and rule.input == "number":
        edges = sorted({e for b in rule.bands for e in (b.gt, b.ge, b.lt, b.le) if e is not None})
        return Figure(ge=draw(_pick(edges))) if edges else Figure(ge=ZERO)
    return None


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
    declared, cap = _group(draw, sum((contribution(i) for i in items), ZERO))
    nonzero = gates and _sometimes(draw, 6)
    consequence = "不能被表彰" if nonzero and _sometimes(draw, 3) else None
    title = draw(_pick(("管理机构", "管理制度", "行为节约", "p")))
    project = Project(
        title=title, points=declared, max=cap, nonzero=nonzero, consequence=consequence, items=items
    )
    return _with(project, published=_published(draw, _project_value(project)))


def _published(draw: DrawFn, transcribed: Decimal) -> Decimal | None:
    """Rarely, the figure the standard publishes for a group transcribed only in part."""
    return transcribed + draw(_pick(POINTS)) if _sometimes(draw, 12) else None


def _project_value(project: Project) -> Decimal:
    if project.points is not None:
        return project.points
    return group_sum((contribution(i) for i in project.items), project.max)


def _unit_value(unit: Unit) -> Decimal:
    """The declared points of *unit*, or the most its children allow."""
    if unit.points is not None:
        return unit.points
    if unit.projects:
        return group_sum((_project_value(p) for p in unit.projects), unit.max)
    return group_sum((contribution(i) for i in unit.items), unit.max)


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
        unit = Unit(title=title, points=declared, max=cap, bonus=is_bonus, projects=projects)
    else:
        items = _items(draw, max_items, kinds, gates=gates, bonus=bonus)
        declared, cap = _group(draw, sum((contribution(i) for i in items), ZERO))
        unit = Unit(title=title, points=declared, max=cap, bonus=is_bonus, items=items)
    return _with(unit, published=_published(draw, _unit_value(unit)))
