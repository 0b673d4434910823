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
    "Unit",
]

#: How an item gates the levels: a 必须完成项, a 否决性指标, or a zero for the whole evaluation.
GateKind: TypeAlias = Literal["required", "veto", "zero"]
#: What a not-applicable item counts for: left out of the maximum, full points, or rescaled units.
NaPolicy: TypeAlias = Literal["exclude", "full", "rescale"]


@attrs.frozen(kw_only=True)
class _RuleBase:
    """Keys every rule accepts."""

    id: str | None = None
    text: str = ""
    note: str | None = None
    zero_if: str | None = None
    na_if: str | None = None
    gate: GateKind | None = None
    gate_min: Decimal | None = None
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


#: Any rule; which class a TOML table becomes is chosen by its ``kind``.
Rule: TypeAlias = Flag | Check | Each | Parts | Best | Bands | Linear | Judged | Deduct | Cases

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
}


@attrs.frozen(kw_only=True)
class Project:
    """A 评价项目 inside a unit; *nonzero* marks a ★ project."""

    id: str | None = None
    title: str
    points: Decimal | None = None
    max: Decimal | None = None
    nonzero: bool = False
    note: str | None = None
    items: tuple[Rule, ...]


@attrs.frozen(kw_only=True)
class Unit:
    """A 评价单元; it holds either projects or items directly."""

    id: str | None = None
    title: str
    points: Decimal | None = None
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
