"""The rubric model: attrs classes for a standard, its units, projects and rules.

Every class is frozen. Points are `Decimal`. Field names are the TOML keys. What each rule
kind means — its leaves, maximum, award and reason — is documented per kind in
``docs/rules/`` and implemented in one module per kind.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal, TypeAlias

import attrs

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


@attrs.frozen(kw_only=True)
class Figure:
    """What a measured figure must be for a `gate_figure` gate to pass: above *gt* (or from
    *ge*) and below *lt* (or up to *le*); a bound left out is open ("未达到标准60%": ``ge = 60``)."""

    gt: Decimal | None = None
    ge: Decimal | None = None
    lt: Decimal | None = None
    le: Decimal | None = None


@attrs.frozen(kw_only=True)
class _RuleBase:
    """Keys every rule accepts.

    Attributes:
        na_if: on an item, the condition under which it is not evaluated; on a deduction of a
            ``deduct``, the condition under which that deduction does not apply ("有食堂的…").
        gate_figure: on a gated item scored from one number, what the number itself must be
            for the gate to pass, apart from the points ("未达到标准60%不能被表彰").
        consequence: on a gated or ★ item, the standard's own words for what failing it means,
            instead of the fixed phrase of its gate kind.
        nonzero: on an item, a ★ item: the agency reaches no level if it scores 0 here.
        verifier_only: on an item, scored only by a verifier ("由省教育厅依据参加情况评分"): a
            sheet at the rubric's first stage (the self-assessment) is not awarded it.
    """

    id: str | None = None
    text: str = ""
    note: str | None = None
    zero_if: str | None = None
    na_if: str | None = None
    gate: GateKind | None = None
    gate_min: Decimal | None = None
    gate_figure: Figure | None = None
    consequence: str | None = None
    nonzero: bool = False
    verifier_only: bool = False
    bonus: bool = False


@attrs.frozen(kw_only=True)
class Flag(_RuleBase):
    """ "…，得2分": *points* when the condition is met (or the count reaches *at_least*)."""

    kind: Literal["flag"] = "flag"
    points: Decimal
    at_least: int | None = None


@attrs.frozen(kw_only=True)
class Check(_RuleBase):
    """A pass/fail item worth no points (控制项, prerequisite); always a gate."""

    kind: Literal["check"] = "check"


@attrs.frozen(kw_only=True)
class Each(_RuleBase):
    """ "每项得1分，最高得5分": *per* points for each counted thing, capped at *max*."""

    kind: Literal["each"] = "each"
    per: Decimal
    max: Decimal | None = None
    options: tuple[str, ...] = ()
    open: bool = False
    at_least: int | None = None
    #: On a deduction of a ``deduct``: the count at which the whole item scores 0
    #: ("每有一项不知晓的扣1分，都不知晓的不得分").
    zero_at: int | None = None
    unit: str | None = None
    points: Decimal | None = None


@attrs.frozen(kw_only=True)
class Parts(_RuleBase):
    """Independently scored clauses, summed and optionally capped."""

    kind: Literal["parts"] = "parts"
    parts: tuple[Rule, ...]
    max: Decimal | None = None
    points: Decimal | None = None


@attrs.frozen(kw_only=True)
class Best(_RuleBase):
    """The best of several alternatives ("…得7分；否则…")."""

    kind: Literal["best"] = "best"
    alternatives: tuple[Rule, ...]
    points: Decimal | None = None


@attrs.frozen(kw_only=True)
class Band:
    """One band of a `Bands` rule: the numbers between its bounds score *points*."""

    gt: Decimal | None = None
    ge: Decimal | None = None
    lt: Decimal | None = None
    le: Decimal | None = None
    points: Decimal


@attrs.frozen(kw_only=True)
class Bands(_RuleBase):
    """Points by the band a number (or its ratio to a reference) falls in."""

    kind: Literal["bands"] = "bands"
    bands: tuple[Band, ...]
    input: Literal["number", "ratio"] = "number"
    unit: str | None = None
    #: What the number is, as reasons name it: ``"投放准确率"``.
    measure: str | None = None
    #: The numbers a (plain number) answer may take, ends included: ``[0, 100]`` for a rate.
    range: tuple[Decimal, Decimal] | None = None
    points: Decimal | None = None


@attrs.frozen(kw_only=True)
class Linear(_RuleBase):
    """A threshold, then *per* points for each *step*, capped at *max*."""

    kind: Literal["linear"] = "linear"
    start: Decimal
    step: Decimal
    per: Decimal
    base: Decimal = Decimal(0)
    max: Decimal | None = None
    direction: Literal["up", "down"] = "up"
    steps: Literal["whole", "started", "exact"] = "whole"
    digits: int | None = None
    unit: str | None = None
    #: What the number is, as reasons name it: ``"投放准确率"``.
    measure: str | None = None
    #: The numbers an answer may take, ends included: ``[0, 100]`` for a rate.
    range: tuple[Decimal, Decimal] | None = None
    points: Decimal | None = None


@attrs.frozen(kw_only=True)
class Judged(_RuleBase):
    """Points the assessor chooses within *range* ("酌情扣1~5分")."""

    kind: Literal["judged"] = "judged"
    range: tuple[Decimal, Decimal]
    step: Decimal | None = None
    points: Decimal | None = None


@attrs.frozen(kw_only=True)
class Deduct(_RuleBase):
    """Start from *points* and take the deductions away, never below 0."""

    kind: Literal["deduct"] = "deduct"
    points: Decimal
    deductions: tuple[Rule, ...]


@attrs.frozen(kw_only=True)
class Condition:
    """A named true/false condition of a `Cases` table."""

    id: str | None = None
    text: str = ""


@attrs.frozen(kw_only=True)
class Row:
    """One row of a `Cases` table; an empty *when* matches anything."""

    when: dict[str, bool] = attrs.field(factory=dict, hash=False)
    points: Decimal


@attrs.frozen(kw_only=True)
class Cases(_RuleBase):
    """A decision table: the first row whose conditions match gives the points."""

    kind: Literal["cases"] = "cases"
    conditions: tuple[Condition, ...]
    rows: tuple[Row, ...]
    points: Decimal | None = None


@attrs.frozen(kw_only=True)
class Tier:
    """One named tier of a `Tiers` rule: fixed *points*, or a *range* the assessor chooses in."""

    name: str
    points: Decimal | None = None
    range: tuple[Decimal, Decimal] | None = None
    step: Decimal | None = None
    text: str = ""


@attrs.frozen(kw_only=True)
class Tiers(_RuleBase):
    """Named tiers, one of which a sheet names ("符合…4分 基本符合…3—1分 不符合:0分")."""

    kind: Literal["tiers"] = "tiers"
    tiers: tuple[Tier, ...]
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


@attrs.frozen(kw_only=True)
class Project:
    """A 评价项目 inside a unit; *nonzero* marks a ★ project."""

    id: str | None = None
    title: str
    points: Decimal | None = None
    #: The subtotal the standard publishes, where only part of the project was recovered.
    published: Decimal | None = None
    max: Decimal | None = None
    nonzero: bool = False
    #: The standard's own words for what a ★ project at 0 means.
    consequence: str | None = None
    note: str | None = None
    items: tuple[Rule, ...]


@attrs.frozen(kw_only=True)
class Unit:
    """A 评价单元; it holds either projects or items directly."""

    id: str | None = None
    title: str
    points: Decimal | None = None
    #: The subtotal the standard publishes, where only part of the unit was recovered.
    published: Decimal | None = None
    max: Decimal | None = None
    bonus: bool = False
    note: str | None = None
    projects: tuple[Project, ...] = ()
    items: tuple[Rule, ...] = ()


@attrs.frozen(kw_only=True)
class Level:
    """A certification level reached at *min* points (and the per-unit minimums)."""

    name: str
    min: Decimal
    unit_min: dict[str, Decimal] = attrs.field(factory=dict, hash=False)
    unit_share: Decimal | None = None


@attrs.frozen(kw_only=True)
class Aggregate:
    """A transformed total: (base + Σ weight × unit score) / divisor."""

    base: Decimal = Decimal(0)
    divisor: Decimal = Decimal(1)
    weights: dict[str, Decimal] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class Rubric:
    """A whole evaluation standard (评价标准)."""

    title: str
    total: Decimal
    #: The total the standard publishes, where only part of it was recovered (``total`` is
    #: then what the recovered units add up to).
    published: Decimal | None = None
    issuer: str | None = None
    version: str | None = None
    basis: tuple[str, ...] = ()
    note: str | None = None
    bonus: Decimal | None = None
    na: NaPolicy | None = None
    digits: int | None = None
    aggregate: Aggregate | None = None
    levels: tuple[Level, ...] = ()
    #: The assessment stages in order (自评, 核查 …); every stage after the first is a verifier's.
    stages: tuple[str, ...] = ("self", "verified")
    units: tuple[Unit, ...]
