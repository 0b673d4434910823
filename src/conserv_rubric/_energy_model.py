"""The records of conserv_rubric.energy: carriers and units, a sheet's [energy] data, coefficient tables."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final, Literal

import attrs

from ._indicators import INDICATOR_NAMES

# --- vocabulary ----------------------------------------------------------------------------


@attrs.frozen
class Carrier:
    """One energy carrier a sheet may list, with the unit its standard-coal factor is per."""

    name: str
    label: str
    #: The unit the coefficient table's factor is per; None for a carrier given only in kgce.
    base: str | None
    #: Whether the fuel may be given in litres (converted to kg with a density).
    liquid: bool = False


CARRIERS: Final[Mapping[str, Carrier]] = {
    c.name: c
    for c in (
        Carrier("electricity", "电力", "kwh"),
        Carrier("natural_gas", "天然气", "m3"),
        Carrier("lpg", "液化石油气", "kg"),
        Carrier("gasoline", "汽油", "kg", liquid=True),
        Carrier("diesel", "柴油", "kg", liquid=True),
        Carrier("kerosene", "煤油", "kg", liquid=True),
        Carrier("fuel_oil", "燃料油", "kg", liquid=True),
        Carrier("coal", "煤炭", "kg"),
        Carrier("coke", "焦炭", "kg"),
        Carrier("heat", "热力", "mj"),
        Carrier("steam", "蒸汽", "kg"),
        Carrier("other", "其他能源", None),
    )
}

#: Given unit → (base unit, multiplier); litres convert through a density instead.
UNITS: Final[Mapping[str, tuple[str, Decimal]]] = {
    "kwh": ("kwh", Decimal(1)),
    "m3": ("m3", Decimal(1)),
    "kg": ("kg", Decimal(1)),
    "t": ("kg", Decimal(1000)),
    "mj": ("mj", Decimal(1)),
    "gj": ("mj", Decimal(1000)),
}
LITRES: Final = "litres"
KGCE: Final = "kgce"
ALL_UNITS: Final = (*UNITS, LITRES, KGCE)

#: How units are written in derivations.
UNIT_LABELS: Final[Mapping[str, str]] = {
    "kwh": "kWh",
    "m3": "m³",
    "kg": "kg",
    "t": "t",
    "mj": "MJ",
    "gj": "GJ",
    LITRES: "L",
    KGCE: "kgce",
}


def units_of(carrier: Carrier) -> tuple[str, ...]:
    """The units *carrier* may be given in, kgce always last."""
    physical = [u for u, (base, _) in UNITS.items() if base == carrier.base]
    if carrier.liquid:
        physical.append(LITRES)
    return (*physical, KGCE)


IndicatorName = Literal["area_energy", "per_capita_energy", "per_capita_water", "area_energy_non_heating"]


@attrs.frozen
class IndicatorKind:
    """How an indicator is named and measured."""

    label: str
    title: str
    unit: str


INDICATORS: Final[Mapping[str, IndicatorKind]] = dict(
    zip(
        INDICATOR_NAMES,
        (
            IndicatorKind("单位建筑面积能耗", "单位建筑面积能源消耗", "kgce/m²"),
            IndicatorKind("人均能耗", "人均能源消耗", "kgce/人"),
            IndicatorKind("人均水耗", "人均水资源消耗", "t/人"),
            IndicatorKind("单位建筑面积非供暖能耗", "单位建筑面积非供暖能耗", "kgce/m²"),
        ),
        strict=True,
    )
)

TIERS: Final[Mapping[str, str]] = {"constraint": "约束值", "benchmark": "基准值", "guide": "引导值"}
#: Peer-average bands (节约型公共机构示范单位评价标准 评分表): upper bound as a multiple of A.
BANDS: Final[tuple[tuple[str, Decimal | None], ...]] = (
    ("0.9A", Decimal("0.9")),
    ("A", Decimal(1)),
    ("1.1A", Decimal("1.1")),
    ("1.2A", Decimal("1.2")),
    ("above 1.2A", None),
)


# --- a sheet's data ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Quantity:
    """One carrier's consumption as the sheet gives it.

    Attributes:
        carrier: the carrier's key (``natural_gas``).
        unit: the unit it is given in (``m3``, ``litres``, ``kgce`` …).
        amount: the quantity, exact.
        path: where it was given (``energy.use.natural_gas.m3``).
    """

    carrier: str
    unit: str
    amount: Decimal
    path: str


@attrs.frozen(kw_only=True)
class Target:
    """The target for one indicator, as ``[energy.targets]`` gives it.

    ``kind`` says which of the other fields are set: ``absolute`` (``value``), ``decline``
    (``decline`` and ``last_year``: the target is ``last_year × (1 − decline)``), ``quota``
    (``constraint``, ``benchmark``, ``guide``, at least the one ``met_at`` names) or ``peer``
    (``peer_average`` and ``met_at``, one of ``0.9A``, ``A``, ``1.1A``, ``1.2A``).

    Attributes:
        indicator: the indicator's key (``area_energy``).
        kind: ``absolute``, ``decline``, ``quota`` or ``peer``.
        path: where it was given (``energy.targets.area_energy``).
    """

    indicator: str
    kind: Literal["absolute", "decline", "quota", "peer"]
    path: str
    value: Decimal | None = None
    decline: Decimal | None = None
    last_year: Decimal | None = None
    constraint: Decimal | None = None
    benchmark: Decimal | None = None
    guide: Decimal | None = None
    peer_average: Decimal | None = None
    met_at: str | None = None

    def tiers(self) -> dict[str, Decimal]:
        """The quota tiers given, highest first (``{"constraint": 20, "guide": 6.5}``)."""
        given = {"constraint": self.constraint, "benchmark": self.benchmark, "guide": self.guide}
        return {k: v for k, v in given.items() if v is not None}


@attrs.frozen(kw_only=True)
class EnergyData:
    """A sheet's ``[energy]`` section: the previous calendar year's energy and water use.

    Attributes:
        year: the calendar year the data covers (the sheet's year − 1).
        area: 建筑面积, m².
        energy_users: 用能人数.
        water_users: 用水人数 (``energy_users`` when the sheet gives none).
        water_users_given: whether the sheet gave ``water_users`` itself.
        water: 用水总量, t.
        use: the year's energy by carrier.
        vehicles: the 公务用车 part of ``use`` (possibly zero, never assumed).
        heating: the heating (供暖) part of ``use``, if given.
        targets: indicator key → its target.
        last_year: indicator key → last year's actual figure.
        file: the file the data came from, if any.
        line: the CSV line it came from, if any.
        agency: the agency, where the reader knows it.
    """

    year: int
    area: Decimal
    energy_users: Decimal
    water_users: Decimal
    water_users_given: bool
    water: Decimal
    use: tuple[Quantity, ...]
    vehicles: tuple[Quantity, ...]
    heating: tuple[Quantity, ...] | None = None
    targets: Mapping[str, Target] = attrs.field(factory=dict, hash=False)
    last_year: Mapping[str, Decimal] = attrs.field(factory=dict, hash=False)
    file: str | None = None
    line: int | None = None
    agency: str | None = None


# --- coefficient tables --------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Factor:
    """A standard-coal factor: kgce per one *unit* of *carrier*.

    Attributes:
        carrier: the carrier's key.
        unit: the unit the factor is per (the carrier's base unit).
        value: kgce per unit, exact.
        confidence: ``H``, ``M`` or ``L`` (see the table's source).
        source: where the value comes from.
        note: anything a reader should know about it.
    """

    carrier: str
    unit: str
    value: Decimal
    confidence: str
    source: str
    note: str | None = None


@attrs.frozen(kw_only=True)
class Density:
    """A fuel's density, converting litres to kg.

    Attributes:
        carrier: the carrier's key.
        kg_per_litre: kg per litre, exact.
        confidence: ``H``, ``M`` or ``L``.
        source: where the value comes from.
    """

    carrier: str
    kg_per_litre: Decimal
    confidence: str
    source: str


@attrs.frozen(kw_only=True)
class Coefficients:
    """A versioned table of standard-coal factors, with the densities it uses for litres.

    Attributes:
        name: the table's name (``gbt2589-2020-dangliang``).
        title: what the table is, in the standard's words.
        version: the table's version.
        basis: ``当量值`` or ``等价值`` (how electricity is counted).
        confidence: the table's overall confidence (``H``, ``M``, ``L``).
        source: where its values come from.
        factors: carrier key → factor.
        densities: carrier key → density.
        file: the file it was read from, for a local table (None for a shipped one).
        note: anything a reader should know about it.
    """

    name: str
    title: str
    version: str
    basis: str
    confidence: str
    source: str
    factors: Mapping[str, Factor] = attrs.field(hash=False)
    densities: Mapping[str, Density] = attrs.field(hash=False)
    file: str | None = None
    note: str | None = None
