"""The rubric model: attrs classes for a standard, its units, projects and rules.

Every class is frozen. Points are `Decimal`. Field names are the TOML keys. What each rule
kind means — its leaves, maximum, award and reason — is documented per kind in
``docs/rules/`` and implemented in one module per kind.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal, TypeAlias

import attrs

from ._frozen import Frozen

__all__ = [
    "RULE_KINDS",
    "Aggregate",
    "Band",
    "Bands",
    "Best",
    "Cases",
    "Check",
    "Condition",
    "Deduct",
    "Each",
    "Figure",
    "Flag",
    "GateKind",
    "Judged",
    "Level",
    "Linear",
    "NaPolicy",
    "Parts",
    "Project",
    "Row",
    "Rubric",
    "Rule",
    "Tier",
    "Tiers",
    "Unit",
]

#: How an item gates the levels: a 必须完成项, a 否决性指标, or a zero for the whole evaluation.
GateKind: TypeAlias = Literal["required", "veto", "zero"]
#: What a not-applicable item counts for: left out of the maximum, full points, or rescaled units.
NaPolicy: TypeAlias = Literal["exclude", "full", "rescale"]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Figure(Frozen):
    """What a measured figure must be for a `gate_figure` gate to pass: above *gt* (or from
    *ge*) and below *lt* (or up to *le*); a bound left out is open ("未达到标准60%": ``ge = 60``)."""

    #: The figure must be above this.
    gt: Decimal | None = None
    #: The figure must be at least this.
    ge: Decimal | None = None
    #: The figure must be below this.
    lt: Decimal | None = None
    #: The figure must be at most this.
    le: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class _RuleBase(Frozen):
    """Keys every rule accepts."""

    #: An explicit address segment (by default its position: 1, 2, 3 … for items, a, b, c … for
    #: nested rules).
    id: str | None = None
    #: The standard's text for this item or clause.
    text: str = ""
    #: Free text: the answer's unit, how an ambiguous line is read.
    note: str | None = None
    #: The condition that zeroes the rule first ("未配备人员的"), answered at ``ADDRESS.zero``.
    zero_if: str | None = None
    #: On an item: when it is not evaluated ("无中央空调系统的"), answered at ``ADDRESS.na``; needs the
    #: rubric's ``na``. On a deduction of a ``deduct``: when that deduction does not apply
    #: ("有食堂的…").
    na_if: str | None = None
    #: On an item: ``"required"`` (必须完成项), ``"veto"`` (否决性指标) or ``"zero"`` (the whole evaluation
    #: scores 0 if it fails).
    gate: GateKind | None = None
    #: The points the item must reach for its gate to pass (default: its maximum).
    gate_min: Decimal | None = None
    #: On a gated item scored from one number: what the number itself must be for the gate to
    #: pass, apart from the points ("未达到标准60%不能被表彰").
    gate_figure: Figure | None = None
    #: On a gated or ★ item: the standard's own words for what failing it means, instead of the
    #: fixed phrase of its gate kind.
    consequence: str | None = None
    #: On a gated or ★ item: the lowest level its failure withholds ("不得评为优秀"); that level
    #: and every higher one are not reached, the lower ones still are (default: every level).
    withholds: str | None = None
    #: On an item: a ★ item; the agency reaches no level if it scores 0 here.
    nonzero: bool = False
    #: On an item: scored only by a verifier ("由省教育厅依据参加情况评分"); a sheet at the
    #: rubric's first stage (the self-assessment) is not awarded it.
    verifier_only: bool = False
    #: On a part: over-achievement points beyond the item's declared 分值.
    bonus: bool = False


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Flag(_RuleBase):
    """ "…，得2分": *points* when the condition is met (or the count reaches *at_least*)."""

    kind: Literal["flag"] = "flag"
    #: Awarded when the condition is met.
    points: Decimal
    #: A count threshold ("全年不少于4次"): the answer is a count, and the points need at least this many.
    at_least: int | None = None
    #: An energy indicator of 说明五 (``area_energy``, ``per_capita_energy``, ``per_capita_water``,
    #: ``area_energy_non_heating``): a sheet with ``[energy]`` meets the flag when that indicator meets
    #: its target (`conserv_rubric.energy.judge`); a sheet without it answers yes or no as usual.
    indicator: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Check(_RuleBase):
    """A pass/fail item worth no points (控制项, prerequisite); always a gate."""

    kind: Literal["check"] = "check"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Each(_RuleBase):
    """ "每项得1分，最高得5分": *per* points for each counted thing, capped at *max*."""

    kind: Literal["each"] = "each"
    #: Points for each counted thing.
    per: Decimal
    #: The cap; may be left out for a closed list of options, or in a deduction.
    max: Decimal | None = None
    #: The things the standard names; an answer may list them by name.
    options: tuple[str, ...] = ()
    #: True when the standard's list ends with 等: names outside *options* count too.
    open: bool = False
    #: The count must reach this before anything is awarded.
    at_least: int | None = None
    #: On a deduction of a ``deduct``: the count at which the whole item scores 0
    #: ("每有一项不知晓的扣1分，都不知晓的不得分").
    zero_at: int | None = None
    #: The word the reason counts in: 项 (the default), 次, 类 …
    unit: str | None = None
    #: The declared 分值, checked against the computed maximum.
    points: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Parts(_RuleBase):
    """Independently scored clauses, summed and optionally capped."""

    kind: Literal["parts"] = "parts"
    #: The clauses, each a rule, addressed a, b, c …
    parts: tuple[Rule, ...]
    #: A cap shared by the parts.
    max: Decimal | None = None
    #: The declared 分值, checked against the computed maximum.
    points: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Best(_RuleBase):
    """The best of several alternatives ("…得7分；否则…")."""

    kind: Literal["best"] = "best"
    #: The alternatives, each a rule, addressed a, b, c …; the best one counts.
    alternatives: tuple[Rule, ...]
    #: The declared 分值, checked against the computed maximum.
    points: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Band(Frozen):
    """One band of a `Bands` rule: the numbers between its bounds score *points*."""

    #: The band holds the numbers above this.
    gt: Decimal | None = None
    #: The band holds the numbers from this on.
    ge: Decimal | None = None
    #: The band holds the numbers below this.
    lt: Decimal | None = None
    #: The band holds the numbers up to this.
    le: Decimal | None = None
    #: Awarded for a number in this band.
    points: Decimal


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Bands(_RuleBase):
    """Points by the band a number (or its ratio to a reference) falls in."""

    kind: Literal["bands"] = "bands"
    #: The bands; together they cover every number, without overlapping.
    bands: tuple[Band, ...]
    #: ``"number"``: the answer is the number; ``"ratio"``: the answer is ``{ value, ref }`` and the
    #: band edges are multiples of ``ref``.
    input: Literal["number", "ratio"] = "number"
    #: How the number is shown, such as ``"%"``.
    unit: str | None = None
    #: What the number is, as reasons name it: ``"投放准确率"``.
    measure: str | None = None
    #: The numbers a (plain number) answer may take, ends included: ``[0, 100]`` for a rate.
    range: tuple[Decimal, Decimal] | None = None
    #: The declared 分值, checked against the computed maximum.
    points: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Linear(_RuleBase):
    """A threshold, then *per* points for each *step*, capped at *max*."""

    kind: Literal["linear"] = "linear"
    #: The threshold: below it (above it with ``direction = "down"``) the rule gives 0.
    start: Decimal
    #: The size of one step of the number.
    step: Decimal
    #: Points for each step.
    per: Decimal
    #: Points at the threshold.
    base: Decimal = Decimal(0)
    #: The cap; required unless the rule is a deduction.
    max: Decimal | None = None
    #: ``"up"``: steps count upward from *start*; ``"down"``: downward.
    direction: Literal["up", "down"] = "up"
    #: ``"whole"``: only complete steps count; ``"started"``: a started step counts; ``"exact"``:
    #: fractions of a step count.
    steps: Literal["whole", "started", "exact"] = "whole"
    #: The result is rounded half up to this many decimal places.
    digits: int | None = None
    #: How the number is shown, such as ``"%"``.
    unit: str | None = None
    #: What the number is, as reasons name it: ``"投放准确率"``.
    measure: str | None = None
    #: The numbers an answer may take, ends included: ``[0, 100]`` for a rate.
    range: tuple[Decimal, Decimal] | None = None
    #: The declared 分值, checked against the computed maximum.
    points: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Judged(_RuleBase):
    """Points the assessor chooses within *range* ("酌情扣1~5分")."""

    kind: Literal["judged"] = "judged"
    #: ``[low, high]``: the answer lies within it, or is 0.
    range: tuple[Decimal, Decimal]
    #: The granularity of the answer, such as 0.5.
    step: Decimal | None = None
    #: The declared 分值, checked against the computed maximum.
    points: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Deduct(_RuleBase):
    """Start from *points* and take the deductions away, never below 0."""

    kind: Literal["deduct"] = "deduct"
    #: The item's points, where the deductions start.
    points: Decimal
    #: The deductions, each a rule whose award is the amount deducted, addressed a, b, c …
    deductions: tuple[Rule, ...]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Condition(Frozen):
    """A named true/false condition of a `Cases` table."""

    #: An explicit id (by default a, b, c …), as the rows' *when* names it.
    id: str | None = None
    #: The condition in the standard's words.
    text: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Row(Frozen):
    """One row of a `Cases` table; an empty *when* matches anything."""

    #: Condition id → the value it must have.
    when: dict[str, bool] = attrs.field(factory=dict, hash=False)
    #: Awarded when the row matches.
    points: Decimal


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Cases(_RuleBase):
    """A decision table: the first row whose conditions match gives the points."""

    kind: Literal["cases"] = "cases"
    #: The named conditions, each answered true or false at ``ADDRESS.ID``.
    conditions: tuple[Condition, ...]
    #: The rows, in order; every combination of the conditions must match one.
    rows: tuple[Row, ...]
    #: The declared 分值, checked against the computed maximum.
    points: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Tier(Frozen):
    """One named tier of a `Tiers` rule: fixed *points*, or a *range* the assessor chooses in."""

    #: The tier's name, as a sheet names it: ``"基本符合"``.
    name: str
    #: The fixed points of the tier.
    points: Decimal | None = None
    #: The points the assessor chooses in, ends included: ``[1, 3]`` for "3—1分".
    range: tuple[Decimal, Decimal] | None = None
    #: The grain of a chosen score inside *range*.
    step: Decimal | None = None
    #: The standard's text for the tier.
    text: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Tiers(_RuleBase):
    """Named tiers, one of which a sheet names ("符合…4分 基本符合…3—1分 不符合:0分")."""

    kind: Literal["tiers"] = "tiers"
    #: The tiers, in the standard's order.
    tiers: tuple[Tier, ...]
    #: The declared 分值, checked against the computed maximum.
    points: Decimal | None = None


#: Any rule; which class a TOML table becomes is chosen by its ``kind``.
Rule: TypeAlias = Flag | Check | Each | Parts | Best | Bands | Linear | Judged | Deduct | Cases | Tiers

#: The class of each ``kind`` a rule table may name.
RULE_KINDS: Final[dict[str, type[Rule]]] = {
    "flag": Flag,
    "check": Check,
    "each": Each,
    "parts": Parts,
    "best": Best,
    "bands": Bands,
    "linear": Linear,
    "judged": Judged,
    "deduct": Deduct,
    "cases": Cases,
    "tiers": Tiers,
}


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Project(Frozen):
    """A 评价项目 inside a unit; *nonzero* marks a ★ project."""

    #: An explicit address segment (by default its position: 1, 2, 3 …).
    id: str | None = None
    #: The standard's name for it.
    title: str
    #: The declared subtotal (分值), checked against the computed maximum of its items.
    points: Decimal | None = None
    #: The subtotal the standard publishes, where only part of the project was recovered.
    published: Decimal | None = None
    #: A cap on its score; its maximum is then the smaller of the cap and its items' sum.
    max: Decimal | None = None
    #: A ★ project: an agency that scores 0 here reaches no level.
    nonzero: bool = False
    #: The standard's own words for what a ★ project at 0 means.
    consequence: str | None = None
    #: The lowest level a ★ project at 0 withholds (default: every level).
    withholds: str | None = None
    #: Free text.
    note: str | None = None
    #: The scored items, each a rule.
    items: tuple[Rule, ...]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Unit(Frozen):
    """A 评价单元; it holds either projects or items directly."""

    #: An explicit address segment (by default its position: 1, 2, 3 …).
    id: str | None = None
    #: The standard's name for it.
    title: str
    #: The declared subtotal (分值), checked against the computed maximum beneath it.
    points: Decimal | None = None
    #: The subtotal the standard publishes, where only part of the unit was recovered.
    published: Decimal | None = None
    #: A cap on its score; its maximum is then the smaller of the cap and its children's sum.
    max: Decimal | None = None
    #: A bonus unit (附加评价单元): counted above the base total, against the rubric's *bonus*.
    bonus: bool = False
    #: Free text.
    note: str | None = None
    #: The unit's projects (评价项目).
    projects: tuple[Project, ...] = ()
    #: The scored items of a unit without projects.
    items: tuple[Rule, ...] = ()


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Level(Frozen):
    """A certification level reached at *min* points (and the per-unit minimums)."""

    #: The level's name, such as 节约型机关 or 二星级.
    name: str
    #: The total needed.
    min: Decimal
    #: Unit address → the points that unit needs.
    unit_min: dict[str, Decimal] = attrs.field(factory=dict, hash=False)
    #: The share of its maximum every base unit needs (0.3 for 30%).
    unit_share: Decimal | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Aggregate(Frozen):
    """A transformed total: (base + Σ weight × unit score) / divisor."""

    #: A constant added before dividing (GB/T 50378: 400).
    base: Decimal = Decimal(0)
    #: The sum is divided by it (GB/T 50378: 10).
    divisor: Decimal = Decimal(1)
    #: Unit address → its weight (by default 1).
    weights: dict[str, Decimal] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Rubric(Frozen):
    """A whole evaluation standard (评价标准)."""

    #: The standard's title.
    title: str
    #: The declared total of the base units (总分), checked against the units.
    total: Decimal
    #: The total the standard publishes, where only part of it was recovered (``total`` is
    #: then what the recovered units add up to).
    published: Decimal | None = None
    #: Who publishes the standard.
    issuer: str | None = None
    #: Its edition or year.
    version: str | None = None
    #: The documents the standard cites as its basis.
    basis: tuple[str, ...] = ()
    #: Free text: what was not recovered, how an item is read.
    note: str | None = None
    #: The declared total of the bonus units (附加评价单元, 加分项).
    bonus: Decimal | None = None
    #: What a not-applicable item does to the totals (needed when an item has *na_if*).
    na: NaPolicy | None = None
    #: The decimal places a rescaled unit score is rounded to (half up), with ``na = "rescale"``.
    digits: int | None = None
    #: A weighted or transformed total.
    aggregate: Aggregate | None = None
    #: The certification levels, lowest first.
    levels: tuple[Level, ...] = ()
    #: The assessment stages in order (自评, 核查 …); every stage after the first is a verifier's.
    stages: tuple[str, ...] = ("self", "verified")
    #: The 评价单元.
    units: tuple[Unit, ...]
