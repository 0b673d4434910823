"""From consumption to kgce to the three indicators, and each indicator against its target."""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal

import attrs

from ._energy_model import (
    CARRIERS,
    INDICATORS,
    KGCE,
    LITRES,
    UNIT_LABELS,
    UNITS,
    Coefficients,
    EnergyData,
    Quantity,
)
from ._text import fmt
from .errors import Problem, SheetError

#: Figures are shown rounded half up to this many decimal places; comparisons use the exact figure.
SHOWN_PLACES: Final = 2

# Every input has at most 22 significant digits (see out_of_range); a product of four such
# numbers and a sum of them fit in 200 digits, and the Inexact trap proves it on every run.
EXACT: Final = decimal.Context(
    prec=200,
    traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation, decimal.DivisionByZero],
)


def round_half_up(value: Fraction | Decimal, places: int = SHOWN_PLACES) -> Decimal:
    """*value* rounded half away from zero to *places* decimal places, computed exactly.

    Args:
        value: an exact figure.
        places: decimal places to keep.

    Returns:
        The rounded figure, with exactly *places* decimal places.

    >>> round_half_up(Fraction(53082610, 120000))
    Decimal('442.36')
    >>> round_half_up(Decimal("6.145"))
    Decimal('6.15')
    """
    exact = Fraction(value)
    whole = int(abs(exact) * 10**places + Fraction(1, 2))  # floor, for a non-negative number
    with decimal.localcontext(EXACT):
        digits = Decimal(-whole if exact < 0 else whole).scaleb(-places)
        return digits.quantize(Decimal(1).scaleb(-places))


@attrs.frozen(kw_only=True)
class CarrierLine:
    """One carrier's conversion to standard coal, as the derivation shows it.

    Attributes:
        carrier: the carrier's key.
        label: its Chinese name (``天然气``).
        part: ``use``, ``vehicles`` or ``heating``.
        path: where the sheet gave it.
        amount: the quantity as given.
        unit: the unit as given.
        base_amount: the quantity in the factor's unit (``gj`` → ``mj``, ``litres`` → ``kg``), if converted.
        base_unit: the factor's unit, if any.
        kg_per_litre: the density used, for litres.
        factor: kgce per base unit, unless given in kgce.
        kgce: the standard-coal equivalent, exact.
    """

    carrier: str
    label: str
    part: Literal["use", "vehicles", "heating"]
    path: str
    amount: Decimal
    unit: str
    base_amount: Decimal | None
    base_unit: str | None
    kg_per_litre: Decimal | None
    factor: Decimal | None
    kgce: Decimal


@attrs.frozen(kw_only=True)
class Indicator:
    """One indicator: an exact quotient, and how it is shown.

    Attributes:
        name: its key (``area_energy``).
        label: its short Chinese name (``单位建筑面积能耗``).
        title: its name in the standard (``单位建筑面积能源消耗``).
        unit: ``kgce/m²``, ``kgce/人`` or ``t/人``.
        numerator: what is divided, exact.
        denominator: what it is divided by, exact.
        exact: the quotient, as an exact fraction.
    """

    name: str
    label: str
    title: str
    unit: str
    numerator: Decimal
    denominator: Decimal
    exact: Fraction

    def shown(self, places: int = SHOWN_PLACES) -> Decimal:
        """The figure rounded half up to *places* decimal places, as reports show it.

        Args:
            places: decimal places to keep.

        Returns:
            The rounded figure.
        """
        return round_half_up(self.exact, places)


@attrs.frozen(kw_only=True)
class Indicators:
    """The indicators of one agency's year, with everything they were computed from.

    Attributes:
        data: the sheet's energy data.
        coefficients: the table the energy was converted with.
        use: each carrier of ``energy.use``, converted.
        vehicles: each carrier of ``energy.vehicles``, converted.
        heating: each carrier of ``energy.heating``, converted, if given.
        total_kgce: 年度能源消耗总量.
        vehicles_kgce: 公务用车能源消耗量.
        heating_kgce: 供暖能源消耗量, if given.
        area_energy: 单位建筑面积能源消耗 = (total − vehicles) / area.
        per_capita_energy: 人均能源消耗 = total / energy_users.
        per_capita_water: 人均水资源消耗 = water / water_users.
        area_energy_non_heating: (total − vehicles − heating) / area, when heating is given.
    """

    data: EnergyData
    coefficients: Coefficients
    use: tuple[CarrierLine, ...]
    vehicles: tuple[CarrierLine, ...]
    heating: tuple[CarrierLine, ...] | None
    total_kgce: Decimal
    vehicles_kgce: Decimal
    heating_kgce: Decimal | None
    area_energy: Indicator
    per_capita_energy: Indicator
    per_capita_water: Indicator
    area_energy_non_heating: Indicator | None

    def __iter__(self) -> Iterator[Indicator]:
        """The indicators computed, in the standard's order."""
        yield self.area_energy
        yield self.per_capita_energy
        yield self.per_capita_water
        if self.area_energy_non_heating is not None:
            yield self.area_energy_non_heating

    def lines(self) -> list[str]:
        """The whole derivation in Chinese, one line per step: each carrier, the sums, the divisions.

        Returns:
            Lines such as ``电力 240000 kWh × 0.1229 kgce/kWh = 29496 kgce``.
        """
        return _derivation(self)

    def to_dict(self) -> dict[str, Any]:
        """The whole derivation as JSON-ready data; exact figures are decimal strings.

        Returns:
            ``year``, ``coefficients``, the inputs, ``use``/``vehicles``/``heating`` lines with
            their factors, the sums, and ``indicators`` by key with ``numerator``,
            ``denominator`` and ``value`` (rounded half up to `SHOWN_PLACES`).
        """
        return _as_dict(self)

    def get(self, name: str) -> Indicator | None:
        """The indicator called *name* (``area_energy`` …), or None if it was not computed.

        Args:
            name: an indicator key.

        Returns:
            The indicator, or None.
        """
        return next((i for i in self if i.name == name), None)


def _convert(
    quantity: Quantity, part: Literal["use", "vehicles", "heating"], table: Coefficients
) -> CarrierLine | Problem:
    carrier = CARRIERS[quantity.carrier]
    if quantity.unit == KGCE:
        return CarrierLine(
            carrier=carrier.name,
            label=carrier.label,
            part=part,
            path=quantity.path,
            amount=quantity.amount,
            unit=KGCE,
            base_amount=None,
            base_unit=None,
            kg_per_litre=None,
            factor=None,
            kgce=quantity.amount,
        )
    factor = table.factors.get(carrier.name)
    if factor is None:
        message = (
            f"the coefficient table {table.name} has no factor for {carrier.name} ({carrier.label}); "
            "give it as { kgce = … }"
        )
        return Problem(path=quantity.path, message=message)
    density = None
    with decimal.localcontext(EXACT):
        if quantity.unit == LITRES:
            found = table.densities.get(carrier.name)
            if found is None:
                message = (
                    f"no density for {carrier.name} ({carrier.label}) to turn litres into kg; "
                    "give kg, or a local coefficient table with [densities." + carrier.name + "]"
                )
                return Problem(path=quantity.path, message=message)
            density = found.kg_per_litre
            base = quantity.amount * density
        else:
            base = quantity.amount * UNITS[quantity.unit][1]
        kgce = base * factor.value
    return CarrierLine(
        carrier=carrier.name,
        label=carrier.label,
        part=part,
        path=quantity.path,
        amount=quantity.amount,
        unit=quantity.unit,
        base_amount=base,
        base_unit=factor.unit,
        kg_per_litre=density,
        factor=factor.value,
        kgce=kgce,
    )


def _by_carrier(lines: tuple[CarrierLine, ...]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    with decimal.localcontext(EXACT):
        for line in lines:
            out[line.carrier] = out.get(line.carrier, Decimal(0)) + line.kgce
    return out


def _parts_within_use(
    use: tuple[CarrierLine, ...],
    vehicles: tuple[CarrierLine, ...],
    heating: tuple[CarrierLine, ...] | None,
) -> list[Problem]:
    """Each carrier's vehicle and heating parts must fit in its use."""
    whole = _by_carrier(use)
    problems = []
    parts = [("公务用车", vehicles)] + ([("供暖", heating)] if heating is not None else [])
    taken: dict[str, Decimal] = {}
    for label, lines in parts:
        for line in lines:
            available = whole.get(line.carrier, Decimal(0))
            with decimal.localcontext(EXACT):
                before = taken.get(line.carrier, Decimal(0))
                taken[line.carrier] = before + line.kgce
            have = (
                f"all {line.carrier} in energy.use ({fmt(available)} kgce)"
                if line.carrier in whole
                else f"all {line.carrier} in energy.use (0 kgce: energy.use lists none)"
            )
            if line.kgce > available:
                message = (
                    f"{label} {line.carrier} ({line.label}) comes to {fmt(line.kgce)} kgce, more than {have}"
                )
                problems.append(Problem(path=line.path, message=message))
            elif taken[line.carrier] > available:
                both = fmt(taken[line.carrier])
                message = (
                    f"公务用车 and 供暖 {line.carrier} ({line.label}) come to {both} kgce, more than {have}"
                )
                problems.append(Problem(path=line.path, message=message))
    return problems


def _indicator(name: str, numerator: Decimal, denominator: Decimal) -> Indicator:
    kind = INDICATORS[name]
    return Indicator(
        name=name,
        label=kind.label,
        title=kind.title,
        unit=kind.unit,
        numerator=numerator,
        denominator=denominator,
        exact=Fraction(numerator) / Fraction(denominator),
    )


def _sum(lines: tuple[CarrierLine, ...]) -> Decimal:
    with decimal.localcontext(EXACT):
        return sum((line.kgce for line in lines), Decimal(0))


def indicators(data: EnergyData, coefficients: Coefficients) -> Indicators:
    """Convert *data*'s energy to kgce with *coefficients* and compute the indicators.

    单位建筑面积能源消耗 = (年度能源消耗总量 − 公务用车能源消耗量) / 建筑面积; 人均能源消耗 =
    年度能源消耗总量 / 用能人数; 人均水资源消耗 = 用水总量 / 用水人数 (说明五). Every product
    and sum is exact and each quotient is kept as a `Fraction`.

    Args:
        data: a sheet's energy data (`parse_energy`).
        coefficients: the table to convert with (`load_coefficients`).

    Returns:
        The indicators with their whole derivation.

    Raises:
        SheetError: the vehicle or heating part of a carrier exceeds its use, the table lacks a
            carrier's factor or a fuel's density, or the energy adds up to 0.
    """
    problems: list[Problem] = []

    def convert(
        quantities: tuple[Quantity, ...], part: Literal["use", "vehicles", "heating"]
    ) -> tuple[CarrierLine, ...]:
        out = []
        for quantity in quantities:
            line = _convert(quantity, part, coefficients)
            if isinstance(line, Problem):
                problems.append(line)
            else:
                out.append(line)
        return tuple(out)

    use = convert(data.use, "use")
    vehicles = convert(data.vehicles, "vehicles")
    heating = None if data.heating is None else convert(data.heating, "heating")
    if not problems:
        problems.extend(_parts_within_use(use, vehicles, heating))
    total = _sum(use)
    if not problems and total == 0:
        problems.append(
            Problem(path="energy.use", message="adds up to 0 kgce; expected the year's energy use")
        )
    if problems:
        raise SheetError(attrs.evolve(p, file=data.file, line=data.line) for p in problems)
    vehicles_kgce = _sum(vehicles)
    heating_kgce = None if heating is None else _sum(heating)
    with decimal.localcontext(EXACT):
        non_vehicle = total - vehicles_kgce
        non_heating = None if heating_kgce is None else non_vehicle - heating_kgce
    return Indicators(
        data=data,
        coefficients=coefficients,
        use=use,
        vehicles=vehicles,
        heating=heating,
        total_kgce=total,
        vehicles_kgce=vehicles_kgce,
        heating_kgce=heating_kgce,
        area_energy=_indicator("area_energy", non_vehicle, data.area),
        per_capita_energy=_indicator("per_capita_energy", total, data.energy_users),
        per_capita_water=_indicator("per_capita_water", data.water, data.water_users),
        area_energy_non_heating=(
            None if non_heating is None else _indicator("area_energy_non_heating", non_heating, data.area)
        ),
    )


# --- the derivation as text and data --------------------------------------------------------


def _exact_text(value: Fraction) -> str | None:
    """*value* as an exact decimal of at most 10 places, or None if it has no such form."""
    for places in range(11):
        scaled = value * 10**places
        if scaled.denominator == 1:
            with decimal.localcontext(EXACT):
                return fmt(Decimal(scaled.numerator).scaleb(-places))
    return None


def _carrier_text(line: CarrierLine) -> str:
    given = f"{line.label} {fmt(line.amount)} {UNIT_LABELS[line.unit]}"
    if line.factor is None:
        return given
    assert line.base_amount is not None
    assert line.base_unit is not None
    base = UNIT_LABELS[line.base_unit]
    steps = [given]
    if line.kg_per_litre is not None:
        steps.append(f" × {fmt(line.kg_per_litre)} kg/L = {fmt(line.base_amount)} {base}")
    elif line.unit != line.base_unit:
        steps.append(f" = {fmt(line.base_amount)} {base}")
    steps.append(f" × {fmt(line.factor)} kgce/{base} = {fmt(line.kgce)} kgce")
    return "".join(steps)


def _quotient_text(indicator: Indicator, numerator: str, denominator: str, note: str = "") -> str:
    shown = indicator.shown()
    exact = _exact_text(indicator.exact)
    if exact is None:
        result = f"≈ {shown}"
    elif Fraction(shown) == indicator.exact:
        result = f"= {shown}"
    else:
        result = f"= {exact} ≈ {shown}"
    return f"{indicator.label} = {numerator} ÷ {denominator} {result} {indicator.unit}{note}"


def _derivation(result: Indicators) -> list[str]:
    data, table = result.data, result.coefficients
    who = f"{data.agency} " if data.agency else ""
    where = f"，{table.file}" if table.file else ""
    out = [
        f"{who}{data.year}年能源资源消耗指标",
        f"折标准煤系数：{table.name} 第{table.version}版（{table.basis}{where}）",
    ]
    parts: list[tuple[str, tuple[CarrierLine, ...], Decimal]] = [
        ("年度能源消耗总量", result.use, result.total_kgce),
        ("公务用车能源消耗量", result.vehicles, result.vehicles_kgce),
    ]
    if result.heating is not None and result.heating_kgce is not None:
        parts.append(("供暖能源消耗量", result.heating, result.heating_kgce))
    for title, lines, total in parts:
        out.append(f"{title}：")
        out.extend(f"  {_carrier_text(line)}" for line in lines)
        out.append(f"  合计 {fmt(total)} kgce")
    whole, vehicles = fmt(result.total_kgce), fmt(result.vehicles_kgce)
    area = f"{fmt(data.area)} m²"
    out.append(_quotient_text(result.area_energy, f"({whole} − {vehicles}) kgce", area))
    out.append(_quotient_text(result.per_capita_energy, f"{whole} kgce", f"{fmt(data.energy_users)} 人"))
    note = "" if data.water_users_given else "（用水人数未填报，按用能人数计）"
    water = _quotient_text(
        result.per_capita_water, f"{fmt(data.water)} t", f"{fmt(data.water_users)} 人", note
    )
    out.append(water)
    if result.area_energy_non_heating is not None and result.heating_kgce is not None:
        numerator = f"({whole} − {vehicles} − {fmt(result.heating_kgce)}) kgce"
        out.append(_quotient_text(result.area_energy_non_heating, numerator, area))
    return out


def _line_dict(line: CarrierLine) -> dict[str, Any]:
    return {
        "carrier": line.carrier,
        "label": line.label,
        "path": line.path,
        "amount": fmt(line.amount),
        "unit": line.unit,
        "base_amount": None if line.base_amount is None else fmt(line.base_amount),
        "base_unit": line.base_unit,
        "kg_per_litre": None if line.kg_per_litre is None else fmt(line.kg_per_litre),
        "factor": None if line.factor is None else fmt(line.factor),
        "kgce": fmt(line.kgce),
    }


def _as_dict(result: Indicators) -> dict[str, Any]:
    data, table = result.data, result.coefficients
    return {
        "agency": data.agency,
        "file": data.file,
        "year": data.year,
        "coefficients": {
            "name": table.name,
            "version": table.version,
            "basis": table.basis,
            "file": table.file,
        },
        "area": fmt(data.area),
        "energy_users": fmt(data.energy_users),
        "water_users": fmt(data.water_users),
        "water_users_from": "water_users" if data.water_users_given else "energy_users",
        "water": fmt(data.water),
        "use": [_line_dict(line) for line in result.use],
        "total_kgce": fmt(result.total_kgce),
        "vehicles": [_line_dict(line) for line in result.vehicles],
        "vehicles_kgce": fmt(result.vehicles_kgce),
        "heating": None if result.heating is None else [_line_dict(line) for line in result.heating],
        "heating_kgce": None if result.heating_kgce is None else fmt(result.heating_kgce),
        "indicators": {
            i.name: {
                "label": i.label,
                "unit": i.unit,
                "numerator": fmt(i.numerator),
                "denominator": fmt(i.denominator),
                "value": str(i.shown()),
                "places": SHOWN_PLACES,
                "rounding": "half up",
            }
            for i in result
        },
    }
