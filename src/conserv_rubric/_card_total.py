"""How a card's total comes from its units where it is not the plain sum of the rows a report
shows: the weights, base and divisor of ``[aggregate]``; under ``na = "rescale"`` a unit scaled
from the points that applied, and a unit of which nothing applied, left out with the others
scaled to the total (docs/rules/na_if.md). The reports and the JSON card write these."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ._exact import exactly
from ._text import GATE_WORDS, fmt

if TYPE_CHECKING:
    from ._score import ScoreCard


def _dropped(card: ScoreCard) -> frozenset[int]:
    """The base units of which nothing applies, which drop out of *card*'s total."""
    c = card._c
    if c.rubric.na != "rescale" or not card.excluded:
        return frozenset()
    return c.rescaling(card.excluded)[1]


def _decimal(value: Fraction) -> Decimal:
    """*value*, a sum of weights times maxima (finite decimals), as the decimal it is."""
    return Decimal(value.numerator) / value.denominator


@exactly
def total_formula(card: ScoreCard) -> dict[str, Any] | None:
    """How *card*'s total is made from its units, or None for a plain sum of them.

    Returns:
        ``base`` and ``divisor`` of the aggregate (0 and 1 without one); ``units``, each unit's
        ``address``, ``points`` (as its row shows them), ``weight``, ``weighted`` (points ×
        weight) and whether it is ``counted`` (a unit of which nothing applies is not);
        ``scale``, when such a unit drops out, the weighted maxima of all base units (``full``)
        and of those counted (``applicable``) that the counted base units are scaled by; and
        ``formula``, the text the reports write after 总分 = (``4 + 3×0.5 + 2 = 7.5``).
    """
    c = card._c
    agg = c.aggregator
    dropped = _dropped(card)
    if agg.plain and not dropped:
        return None
    base = agg.base
    divisor = agg.divisor if agg.divisor is not None else Decimal(1)
    units = []
    kept: list[str] = []
    extra: list[str] = []
    exact = Fraction(0)
    added = Fraction(0)
    for u, (unit, weight, bonus) in enumerate(zip(card.units, agg.weights, agg.bonus, strict=True)):
        counted = u not in dropped
        units.append(
            {
                "address": unit.address,
                "points": unit.points,
                "weight": weight,
                "weighted": unit.points * weight,
                "counted": counted,
            }
        )
        if not counted:
            continue
        term = fmt(unit.points) if weight == 1 else f"{fmt(unit.points)}×{fmt(weight)}"
        (extra if bonus else kept).append(term)
        if bonus:
            added += Fraction(unit.points) * Fraction(weight)
        else:
            exact += Fraction(unit.points) * Fraction(weight)
    scale = None
    summed = " + ".join(kept)
    if dropped:
        got, full, applicable, _ = agg.rescaled_sums([u.points for u in card.units], dropped)
        scale = {"full": _decimal(full), "applicable": _decimal(applicable)}
        shown = f"({summed})" if len(kept) > 1 else summed or "0"
        summed = f"{shown} × {fmt(scale['full'])} / {fmt(scale['applicable'])}"
        exact = got * full / applicable if applicable else Fraction(0)
    # Without base units (GB/T 50378's frame ships only its 加分项) nothing stands for them.
    terms = [t for t in (fmt(base) if base else "", summed, *extra) if t] or ["0"]
    formula = " + ".join(terms)
    value = Fraction(base) + exact + added
    if divisor != 1:
        formula = f"({formula}) / {fmt(divisor)}" if len(terms) > 1 else f"{formula} / {fmt(divisor)}"
        value /= Fraction(divisor)
    if any(g.kind == "zero" for g in card.failed_gates_raw):
        # The formula's figure is not the total: a failed gate set it to 0 (docs/scoring.md).
        formula += f"；门槛项未通过，{GATE_WORDS['zero']}"
    else:
        formula += f" {'=' if value == Fraction(card.total) else '≈'} {fmt(card.total)}"
    return {
        "base": base,
        "divisor": divisor,
        "units": units,
        "scale": scale,
        "formula": formula,
    }


@exactly
def rescaled_units(card: ScoreCard) -> list[dict[str, Any]]:
    """The units of *card* scaled under ``na = "rescale"`` from the points that applied: each
    one's ``address``, ``points`` before scaling, what its ``applicable`` items could score, its
    ``max`` and the ``scaled`` points its row shows."""
    c = card._c
    if c.rubric.na != "rescale" or not card.excluded:
        return []
    unit_top = c.rescaling(card.excluded)[0]
    raw = c._groups(card._pts)[1]
    return [
        {
            "address": unit.address,
            "points": Decimal(raw[u]),
            "applicable": Decimal(top),
            "max": unit.max,
            "scaled": unit.points,
        }
        for u, (unit, top) in enumerate(zip(card.units, unit_top, strict=True))
        if top and top < c.unit_max[u]
    ]


def rescaled_note(entry: dict[str, Any]) -> str:
    """What a rescaled unit's row says of its points: 适用条目34分中得20分，按比例折算：
    20 × 40 / 34 ≈ 23.5分."""
    points, applicable, top, scaled = (entry[k] for k in ("points", "applicable", "max", "scaled"))
    sign = "=" if Fraction(points) * Fraction(top) / Fraction(applicable) == Fraction(scaled) else "≈"
    return (
        f"适用条目{fmt(applicable)}分中得{fmt(points)}分，"
        f"按比例折算：{fmt(points)} × {fmt(top)} / {fmt(applicable)} {sign} {fmt(scaled)}分"
    )
