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

from collections.abc import Collection, Iterable, Iterator
from decimal import ROUND_CEILING, Decimal
from typing import Final, Literal, get_args

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.strategies import DrawFn
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "conserv_rubric.strategies needs hypothesis; "
        "install the extra: pip install 'conserv-rubric[hypothesis]'"
    ) from exc

from ._compiled import compiled
from ._gen_rules import (
    _BOOL,
    POINTS,
    TINY,
    ZERO,
    Answer,
    _fraction,
    _ints,
    _Kinds,
    _pick,
    _segments,
    _sometimes,
    _unit,
    _unit_value,
    _with,
    withholding,
)
from ._kinds import Leaf
from ._limits import MAX_LIST
from ._reference import judged_values, rule_max
from ._sheet import Sheet, SheetInfo
from ._tree import number, walk
from .model import (
    Aggregate,
    Bands,
    Each,
    Flag,
    Level,
    Linear,
    NaPolicy,
    Rubric,
    Rule,
    Tier,
    Tiers,
)

__all__ = ["MISTAKES", "Mistake", "answers", "invalid_sheets", "rubrics", "sheets"]


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
    ``judged``, ``deduct``, ``cases``, ``tiers``), nested at most two levels below the item;
    the modifiers ``zero_if`` and ``na_if`` (with the rubric's ``na`` policy, and on
    deductions), ``zero_at`` on counted deductions, declared answer ranges, gates with
    ``gate_min`` or ``gate_figure`` and the standard's ``consequence``, ★ projects and ★ items,
    items only a verifier scores, caps on units and projects, bonus parts and bonus units,
    rarely a ``published`` figure above what a group or the rubric holds (a partial
    transcription), now and then an ``aggregate`` with weights, and ascending levels with
    ``unit_min`` and ``unit_share``, which gates and ★ projects may name in ``withholds``.
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

    units = withholding(draw, units, [lv.name for lv in made_levels])
    # Rarely, a transcription of part of a standard: its published total above what is here.
    published = total + draw(_pick(POINTS)) if _sometimes(draw, 12) else None
    draft = Rubric(title="t", total=total, units=units)
    needs_na = any(n.rule.na_if is not None for n in walk(draft) if n.kind in ("item", "rule"))
    na: NaPolicy | None = draw(_pick(("exclude", "full", "rescale"))) if needs_na else None
    digits = draw(_ints(0, 2)) if na == "rescale" or _sometimes(draw, 8) else None
    return Rubric(
        title=draw(_pick(("XX区节约型机关评价标准", "rubric", 'a "title"'))),
        total=total,
        published=published,
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


def _count_cap(rule: Rule | None) -> int:
    """A count just past where a counter stops earning points."""
    if isinstance(rule, Flag) and rule.at_least:
        return rule.at_least + 1
    if isinstance(rule, Each):
        top = rule_max(rule)
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
        return _pick(judged_values(leaf))
    if leaf.shape == "tier":
        assert isinstance(rule, Tiers)
        return _pick([a for t in rule.tiers for a in _tier_answers(t)])
    if isinstance(rule, Bands):
        values = _pick(_within(leaf, _band_values(rule)))
        if leaf.shape == "ratio":
            refs = _pick((Decimal(1), Decimal(2), Decimal("0.5"), Decimal(100)))
            ratio = st.tuples(values, refs).map(lambda vr: {"value": vr[0] * vr[1], "ref": vr[1]})
            return st.one_of(ratio, values)
        return values
    if isinstance(rule, Linear):
        return st.one_of(
            _pick(_within(leaf, _linear_values(rule))),
            _pick(_within(leaf, [Decimal(n) for n in range(-50, 201, 5)])),
        )
    return _ints(-5, 120).map(Decimal)


def _within(leaf: Leaf, values: list[Decimal]) -> list[Decimal]:
    """The *values* a number leaf with a declared range takes (its ends if none is inside)."""
    if leaf.low is None or leaf.high is None:
        return values
    return [v for v in values if leaf.low <= v <= leaf.high] or [leaf.low, leaf.high]


def _tier_answers(tier: Tier) -> list[Answer]:
    """The answers naming *tier*: its name, or for a ranged tier its name with points at the
    range's ends and between, as a table and as text ("基本符合 2")."""
    if tier.range is None:
        return [tier.name]
    low, high = tier.range
    points = {low, high}
    if tier.step is not None:
        points.add(low + tier.step if low + tier.step <= high else high)
    else:
        points.add((low + high) / 2)
    out: list[Answer] = [{"tier": tier.name, "points": p} for p in sorted(points)]
    return [*out, f"{tier.name} {high}"]


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
    # An item marked not applicable takes no other answer (score() refuses the sheet).
    marked = tuple(a.removesuffix("na") for a, v in out.items() if a.endswith(".na") and v is True)
    if marked:
        out = {a: v for a, v in out.items() if a.endswith(".na") or not (a + ".").startswith(marked)}
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

# Text is read by the grammar of docs/sheet-format.md ("3" is a count, "true" a flag), so the
# wrong texts here are ones it refuses: a word, a unit after the figure, a number it does not read.
_WRONG_TYPE: Final[dict[str, tuple[Answer, ...]]] = {
    "bool": (1, "是的", Decimal(1)),
    "count": (True, "3次", [1]),
    "count_or_names": (True, "1e3", {"value": 1}),
    "number": ("12元", True, [Decimal(1)]),
    "ratio": ("90%", True, {"value": Decimal(1)}),
    "judged": ("3分", True),
    "tier": (1, True, ["符合"]),
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
    if leaf.shape == "number" and leaf.low is not None and leaf.high is not None:
        out += [("out-of-range", leaf.high + 1), ("out-of-range", leaf.low - 1)]
    if leaf.shape == "tier":
        stranger = next(n for n in ("不在清单内", "not-a-tier") if n not in leaf.options)
        out.append(("name-not-in-options", stranger))
        rule = leaf.rule
        assert isinstance(rule, Tiers)
        for tier in rule.tiers:
            if tier.range is not None:
                out.append(("out-of-range", {"tier": tier.name, "points": tier.range[1] + 1}))
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
