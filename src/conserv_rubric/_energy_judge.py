"""An indicator against its target: absolute, decline rate, quota tiers or peer-average bands."""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from ._energy_compute import EXACT, SHOWN_PLACES, Indicators, round_half_up
from ._energy_model import BANDS, INDICATORS, TIERS, Target
from ._text import fmt, suggest
from .errors import Problem, RubricError, SheetError


@attrs.frozen(kw_only=True)
class Judgement:
    """An indicator against its target.

    Attributes:
        indicator: the indicator's key.
        kind: the target's kind: ``absolute``, ``decline``, ``quota`` or ``peer``.
        met: whether the exact figure is at or below the figure that counts as met.
        reason: one line with the figures, e.g. ``单位建筑面积能耗 5.19 kgce/m²（目标 6.00）→ 达标``.
        figure: the exact figure.
        threshold: the figure that counts as met (the target, the declared tier, or the declared
            multiple of the peer average), exact.
        tier: for a quota, the best tier reached (``constraint``, ``benchmark``, ``guide``), or None
            above the 约束值.
        band: for a peer average, the band reached: 1 (≤ 0.9A), 2 (≤ A), 3 (≤ 1.1A), 4 (≤ 1.2A), 5 (above).
    """

    indicator: str
    kind: str
    met: bool
    reason: str
    figure: Fraction
    threshold: Decimal
    tier: str | None = None
    band: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The judgement as JSON-ready data (figures as exact decimal strings, the figure rounded)."""
        return {
            "indicator": self.indicator,
            "kind": self.kind,
            "met": self.met,
            "figure": str(round_half_up(self.figure)),
            "threshold": fmt(self.threshold),
            "tier": self.tier,
            "band": self.band,
            "reason": self.reason,
        }


def _places(figure: Fraction, *others: Decimal) -> int:
    """Decimal places that show *figure* apart from each of *others* it differs from (2 at least)."""
    places = SHOWN_PLACES
    while places < 10 and any(
        figure != Fraction(other) and round_half_up(figure, places) == round_half_up(other, places)
        for other in others
    ):
        places += 1
    return places


def _percent(rate: Decimal) -> str:
    with decimal.localcontext(EXACT):
        return f"{fmt(rate * 100)}%"


def judge(
    indicator_name: str, indicators: Indicators, targets: Mapping[str, Target] | None = None
) -> Judgement:
    """Compare one indicator's exact figure with its target and explain it in one line.

    A figure exactly at its target is met. A decline-rate target is last year's figure × (1 −
    rate). A quota (约束值/基准值/引导值) and a peer average count as met at the tier or band the
    target declares (``met_at``); the line also names the best tier or band reached. Figures are
    shown rounded half up to two places, with more where two figures would otherwise look equal.

    Args:
        indicator_name: ``area_energy``, ``per_capita_energy``, ``per_capita_water`` or
            ``area_energy_non_heating``.
        indicators: the computed indicators (`indicators`).
        targets: indicator key → target; default: the sheet's own ``[energy.targets]``.

    Returns:
        Whether the target is met, and why.

    Raises:
        RubricError: *indicator_name* is no indicator.
        SheetError: there is no target for it, or it was not computed (no ``energy.heating``).
    """
    if indicator_name not in INDICATORS:
        names = tuple(INDICATORS)
        hint = suggest(indicator_name, names)
        message = f"unknown indicator '{indicator_name}'{hint}; expected one of {', '.join(names)}"
        raise RubricError([Problem(message=message)])
    data = indicators.data
    targets = data.targets if targets is None else targets
    indicator = indicators.get(indicator_name)
    label = INDICATORS[indicator_name].label
    if indicator is None:
        message = f"{label} needs energy.heating, the heating part of energy.use"
        raise SheetError([Problem(file=data.file, line=data.line, path="energy.heating", message=message)])
    target = targets.get(indicator_name)
    if target is None:
        message = f"missing; {label} needs a target: a figure, a decline rate, quota tiers or a peer average"
        path = f"energy.targets.{indicator_name}"
        raise SheetError([Problem(file=data.file, line=data.line, path=path, message=message)])
    figure = indicator.exact
    head = f"{indicator.label} {{figure}} {indicator.unit}"
    tier: str | None = None
    band: int | None = None
    with decimal.localcontext(EXACT):
        if target.kind == "absolute":
            assert target.value is not None
            threshold = target.value
            places = _places(figure, threshold)
            detail = f"目标 {round_half_up(threshold, places)}"
        elif target.kind == "decline":
            assert target.decline is not None
            assert target.last_year is not None
            threshold = target.last_year * (1 - target.decline)
            places = _places(figure, threshold)
            detail = (
                f"目标 {round_half_up(threshold, places)} = 上年 {round_half_up(target.last_year, places)}"
                f" × (1 − {_percent(target.decline)})"
            )
        elif target.kind == "quota":
            assert target.met_at is not None
            tiers = target.tiers()
            threshold = tiers[target.met_at]
            places = _places(figure, *tiers.values())
            tier = next((t for t in reversed(tiers) if figure <= Fraction(tiers[t])), None)
            shown = "、".join(f"{TIERS[t]} {round_half_up(v, places)}" for t, v in tiers.items())
            reached = f"达到{TIERS[tier]}" if tier is not None else f"超过{TIERS[next(iter(tiers))]}"
            detail = f"{shown}；{reached}；以{TIERS[target.met_at]}为达标"
        else:
            assert target.peer_average is not None
            assert target.met_at is not None
            average = target.peer_average
            bounds = [(name, None if m is None else m * average) for name, m in BANDS]
            threshold = next(b for name, b in bounds if name == target.met_at and b is not None)
            places = _places(figure, *(b for _, b in bounds if b is not None))
            band = next(i for i, (_, b) in enumerate(bounds, 1) if b is None or figure <= Fraction(b))
            reached = f"≤ {BANDS[band - 1][0]}" if band < len(BANDS) else "> 1.2A"
            detail = (
                f"同类单位平均值 A = {round_half_up(average, places)}，{reached}；以 ≤ {target.met_at} 为达标"
            )
    met = figure <= Fraction(threshold)
    reason = f"{head.format(figure=round_half_up(figure, places))}（{detail}）→ {'达标' if met else '未达标'}"
    return Judgement(
        indicator=indicator_name,
        kind=target.kind,
        met=met,
        reason=reason,
        figure=figure,
        threshold=threshold,
        tier=tier,
        band=band,
    )


def judgements(result: Indicators) -> dict[str, Judgement]:
    """Every indicator of *result* that has a target in its sheet, judged.

    Args:
        result: computed indicators.

    Returns:
        indicator key → judgement, in the standard's order.
    """
    return {i.name: judge(i.name, result) for i in result if i.name in result.data.targets}
