"""Energy indicators (说明五): hand-computed figures, targets, every bad input, the flat CSV form, the CLI."""

from __future__ import annotations

import doctest
import json
import re
import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import conserv_rubric._energy_coefficients
import conserv_rubric._energy_compute
import conserv_rubric.energy
from conserv_rubric import RubricError, SheetError, cli
from conserv_rubric.energy import (
    DEFAULT_COEFFICIENTS,
    Indicators,
    indicators,
    judge,
    load_coefficients,
    load_energy,
    parse_energy,
    render_energy,
    round_half_up,
    shipped_coefficients,
)

ROOT = Path(__file__).resolve().parent.parent
FILE = "sheet.toml"
KNOWN = "electricity, natural_gas, lpg, gasoline, diesel, kerosene, fuel_oil, coal, coke, heat, steam, other"
SHAPES = (
    '{ decline = … }, quota tiers { constraint = …, benchmark = …, guide = …, met_at = "…" } '
    'or { peer_average = …, met_at = "…" }'
)

# The worked example of docs/energy.md: an office of 8000 m² and 120 people in 2023.
EXAMPLE = """\
[sheet]
agency = "XX区发展和改革局"
year = 2024

[energy]
year = 2023
area = 8000
energy_users = 120
water = 3000

[energy.use]
electricity = { kwh = 240000 }
natural_gas = { m3 = 6000 }
gasoline = { litres = 5000 }
heat = { gj = 300 }

[energy.vehicles]
gasoline = { litres = 4000 }

[energy.targets]
area_energy = { decline = 0.0102 }
per_capita_energy = 450
per_capita_water = 25

[energy.last_year]
area_energy = 6.20
"""

# By hand, at 当量值:
#   电力   240000 kWh × 0.1229            = 29496 kgce
#   天然气 6000 m³ × 1.33                  = 7980 kgce
#   汽油   5000 L × 0.73 kg/L = 3650 kg × 1.4714 = 5370.61 kgce
#   热力   300 GJ = 300000 MJ × 0.03412    = 10236 kgce
#   total 29496 + 7980 + 5370.61 + 10236  = 53082.61 kgce
#   vehicles 4000 L × 0.73 = 2920 kg × 1.4714 = 4296.488 kgce
TOTAL = Decimal("53082.61")
VEHICLES = Decimal("4296.488")
AREA_ENERGY = Fraction("48786.122") / 8000  # (53082.61 − 4296.488) / 8000 = 6.09826525
PER_CAPITA_ENERGY = Fraction("53082.61") / 120  # 442.3550833…
PER_CAPITA_WATER = Fraction(3000, 120)  # 25


def doc(text: str = EXAMPLE) -> dict[str, Any]:
    return tomllib.loads(text, parse_float=Decimal)


def energy(text: str = EXAMPLE) -> dict[str, Any]:
    section: dict[str, Any] = doc(text)["energy"]
    return section


def compute(section: dict[str, Any], table: str | None = None) -> Indicators:
    return indicators(parse_energy(section, file=FILE, sheet_year=2024), load_coefficients(table))


def sheet_error(section: dict[str, Any], table: str | None = None) -> str:
    with pytest.raises(SheetError) as exc:
        compute(section, table)
    return str(exc.value)


def example_without(*keys: str) -> dict[str, Any]:
    section = energy()
    for key in keys:
        del section[key]
    return section


# --- figures ---------------------------------------------------------------------------------


def test_mixed_fuels_with_vehicles_and_water_match_the_hand_computation() -> None:
    result = compute(energy())
    assert [(line.carrier, line.kgce) for line in result.use] == [
        ("electricity", Decimal("29496")),
        ("natural_gas", Decimal("7980")),
        ("gasoline", Decimal("5370.61")),
        ("heat", Decimal("10236")),
    ]
    assert result.total_kgce == TOTAL
    assert result.vehicles_kgce == VEHICLES
    assert result.area_energy.exact == AREA_ENERGY == Fraction("6.09826525")
    assert result.per_capita_energy.exact == PER_CAPITA_ENERGY
    assert result.per_capita_water.exact == PER_CAPITA_WATER
    assert result.area_energy.shown() == Decimal("6.10")
    assert result.per_capita_energy.shown() == Decimal("442.36")
    assert result.per_capita_water.shown() == Decimal("25.00")
    assert result.area_energy_non_heating is None


def test_gasoline_in_litres_goes_through_the_density_kept_apart() -> None:
    result = compute(energy())
    gasoline = result.use[2]
    assert (gasoline.amount, gasoline.unit, gasoline.kg_per_litre) == (
        Decimal(5000),
        "litres",
        Decimal("0.73"),
    )
    assert (gasoline.base_amount, gasoline.base_unit, gasoline.factor) == (
        Decimal(3650),
        "kg",
        Decimal("1.4714"),
    )
    heat = result.use[3]
    assert (heat.amount, heat.unit, heat.base_amount, heat.base_unit) == (
        Decimal(300),
        "gj",
        Decimal(300000),
        "mj",
    )


def test_water_users_default_to_energy_users_and_the_derivation_says_so() -> None:
    result = compute(energy())
    assert result.data.water_users == 120
    assert result.data.water_users_given is False
    assert "人均水耗 = 3000 t ÷ 120 人 = 25.00 t/人（用水人数未填报，按用能人数计）" in result.lines()
    assert result.to_dict()["water_users_from"] == "energy_users"


def test_water_users_given_apart_are_used() -> None:
    section = energy()
    section["water_users"] = 150
    result = compute(section)
    assert result.per_capita_water.exact == Fraction(3000, 150) == 20
    assert "人均水耗 = 3000 t ÷ 150 人 = 20.00 t/人" in result.lines()
    assert result.to_dict()["water_users_from"] == "water_users"


def test_vehicle_energy_is_subtracted_for_the_area_indicator_only() -> None:
    section = energy()
    section["vehicles"] = {"gasoline": {"litres": 0}}
    result = compute(section)
    # 0 is an answer: the area indicator is then the whole total over the area.
    assert result.vehicles_kgce == 0
    assert result.area_energy.exact == Fraction("53082.61") / 8000
    assert result.per_capita_energy.exact == PER_CAPITA_ENERGY


def test_switching_to_dengjia_changes_only_electricity_as_computed_by_hand() -> None:
    result = compute(energy(), "gbt2589-2020-dengjia")
    # 电力 240000 kWh × 0.31 = 74400 kgce instead of 29496: total 53082.61 − 29496 + 74400 = 97986.61
    assert result.coefficients.basis == "等价值"
    assert result.use[0].kgce == Decimal(74400)
    assert result.total_kgce == Decimal("97986.61")
    # (97986.61 − 4296.488) / 8000 = 93690.122 / 8000 = 11.71126525
    assert result.area_energy.exact == Fraction("11.71126525")
    assert result.per_capita_energy.exact == Fraction("97986.61") / 120
    assert result.per_capita_energy.shown() == Decimal("816.56")
    # The difference is all electricity: 240000 × (0.31 − 0.1229) / 8000 = 5.613.
    assert result.area_energy.exact - AREA_ENERGY == Fraction("5.613")


def test_the_derivation_shows_every_step() -> None:
    assert compute(energy()).lines() == [
        "2023年能源资源消耗指标",
        "折标准煤系数：gbt2589-2020-dangliang 第1版（当量值）",
        "年度能源消耗总量：",
        "  电力 240000 kWh × 0.1229 kgce/kWh = 29496 kgce",
        "  天然气 6000 m³ × 1.33 kgce/m³ = 7980 kgce",
        "  汽油 5000 L × 0.73 kg/L = 3650 kg × 1.4714 kgce/kg = 5370.61 kgce",
        "  热力 300 GJ = 300000 MJ × 0.03412 kgce/MJ = 10236 kgce",
        "  合计 53082.61 kgce",
        "公务用车能源消耗量：",
        "  汽油 4000 L × 0.73 kg/L = 2920 kg × 1.4714 kgce/kg = 4296.488 kgce",
        "  合计 4296.488 kgce",
        "单位建筑面积能耗 = (53082.61 − 4296.488) kgce ÷ 8000 m² = 6.09826525 ≈ 6.10 kgce/m²",
        "人均能耗 = 53082.61 kgce ÷ 120 人 ≈ 442.36 kgce/人",
        "人均水耗 = 3000 t ÷ 120 人 = 25.00 t/人（用水人数未填报，按用能人数计）",
    ]


def test_the_derivation_as_data() -> None:
    data = compute(energy()).to_dict()
    assert data["coefficients"] == {
        "name": "gbt2589-2020-dangliang",
        "version": "1",
        "basis": "当量值",
        "file": None,
    }
    assert data["use"][2] == {
        "carrier": "gasoline",
        "label": "汽油",
        "path": "energy.use.gasoline.litres",
        "amount": "5000",
        "unit": "litres",
        "base_amount": "3650",
        "base_unit": "kg",
        "kg_per_litre": "0.73",
        "factor": "1.4714",
        "kgce": "5370.61",
    }
    assert (data["total_kgce"], data["vehicles_kgce"]) == ("53082.61", "4296.488")
    assert data["indicators"]["area_energy"] == {
        "label": "单位建筑面积能耗",
        "unit": "kgce/m²",
        "numerator": "48786.122",
        "denominator": "8000",
        "value": "6.10",
        "places": 2,
        "rounding": "half up",
    }
    assert json.loads(json.dumps(data)) == data


def test_coal_in_tonnes_steam_and_kgce_given_directly() -> None:
    section = energy()
    section["use"] = {
        "coal": {"t": 2},
        "steam": {"t": Decimal("1.5")},
        "lpg": {"kgce": Decimal("12.5")},
        "other": {"kgce": 100},
    }
    section["vehicles"] = {"other": {"kgce": 0}}
    result = compute(section)
    # 煤炭 2 t = 2000 kg × 0.7143 = 1428.6; 蒸汽 1500 kg × 0.1286 = 192.9; 12.5 + 100 given in kgce.
    assert [line.kgce for line in result.use] == [
        Decimal("1428.6"),
        Decimal("192.9"),
        Decimal("12.5"),
        Decimal(100),
    ]
    assert result.total_kgce == Decimal("1734")
    assert result.lines()[3:7] == [
        "  煤炭 2 t = 2000 kg × 0.7143 kgce/kg = 1428.6 kgce",
        "  蒸汽 1.5 t = 1500 kg × 0.1286 kgce/kg = 192.9 kgce",
        "  液化石油气 12.5 kgce",
        "  其他能源 100 kgce",
    ]


def test_heating_part_gives_the_non_heating_area_indicator() -> None:
    section = energy()
    section["heating"] = {"heat": {"gj": 300}}
    result = compute(section)
    # (53082.61 − 4296.488 − 10236) / 8000 = 38550.122 / 8000
    assert result.heating_kgce == Decimal(10236)
    assert result.area_energy_non_heating is not None
    assert result.area_energy_non_heating.exact == Fraction("4.81876525")
    assert result.area_energy.exact == AREA_ENERGY  # the 说明五 indicator does not subtract heating
    assert result.lines()[-1] == (
        "单位建筑面积非供暖能耗 = (53082.61 − 4296.488 − 10236) kgce ÷ 8000 m² = 4.81876525 ≈ 4.82 kgce/m²"
    )


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction("6.145"), 2, "6.15"),
        (Fraction("6.144999"), 2, "6.14"),
        (Fraction(1, 3), 4, "0.3333"),
        (Fraction(2, 3), 2, "0.67"),
        (Fraction(-5, 2), 0, "-3"),
        (Fraction(0), 2, "0.00"),
    ],
)
def test_rounding_is_half_up_and_exact(value: Fraction, places: int, expected: str) -> None:
    assert str(round_half_up(value, places)) == expected


# --- targets ---------------------------------------------------------------------------------


def at_target(kwh: int, target: Decimal | dict[str, Any]) -> dict[str, Any]:
    """1000 m², electricity only: the area figure is kWh × 0.1229 / 1000."""
    return {
        "year": 2023,
        "area": 1000,
        "energy_users": 50,
        "water": 1000,
        "use": {"electricity": {"kwh": kwh}},
        "vehicles": {"gasoline": {"litres": 0}},
        "targets": {"area_energy": target},
    }


def test_a_figure_exactly_at_its_target_is_met() -> None:
    # 50000 kWh × 0.1229 = 6145 kgce over 1000 m² = 6.145 exactly.
    result = compute(at_target(50000, Decimal("6.145")))
    judgement = judge("area_energy", result)
    assert judgement.met is True
    assert judgement.figure == Fraction("6.145")
    assert judgement.reason == "单位建筑面积能耗 6.15 kgce/m²（目标 6.15）→ 达标"


def test_a_figure_one_unit_above_its_target_is_not_met() -> None:
    # 6.145 against a target of 6.1449: 0.0001 above; rounded half up, 6.15 against 6.14.
    judgement = judge("area_energy", compute(at_target(50000, Decimal("6.1449"))))
    assert judgement.met is False
    assert judgement.reason == "单位建筑面积能耗 6.15 kgce/m²（目标 6.14）→ 未达标"
    # One kWh more: 50001 × 0.1229 / 1000 = 6.1451229 against 6.145. Both round to 6.15 and to
    # 6.145, so the reason shows four places rather than two equal-looking figures.
    judgement = judge("area_energy", compute(at_target(50001, Decimal("6.145"))))
    assert judgement.met is False
    assert judgement.figure == Fraction("6.1451229")
    assert judgement.reason == "单位建筑面积能耗 6.1451 kgce/m²（目标 6.1450）→ 未达标"


def test_absolute_targets_of_the_example() -> None:
    result = compute(energy())
    assert judge("per_capita_energy", result).reason == "人均能耗 442.36 kgce/人（目标 450.00）→ 达标"
    water = judge("per_capita_water", result)
    assert (water.met, water.reason) == (True, "人均水耗 25.00 t/人（目标 25.00）→ 达标")


def test_decline_rate_target_is_last_year_times_one_minus_the_rate() -> None:
    result = compute(energy())
    judgement = judge("area_energy", result)
    # 6.20 × (1 − 0.0102) = 6.20 × 0.9898 = 6.13676; 6.09826525 ≤ 6.13676.
    assert judgement.kind == "decline"
    assert judgement.threshold == Decimal("6.13676")
    assert judgement.met is True
    assert judgement.reason == "单位建筑面积能耗 6.10 kgce/m²（目标 6.14 = 上年 6.20 × (1 − 1.02%)）→ 达标"


def test_decline_rate_target_not_met() -> None:
    section = energy()
    section["targets"]["per_capita_energy"] = {"decline": Decimal("0.01")}
    section["last_year"]["per_capita_energy"] = 445
    judgement = judge("per_capita_energy", compute(section))
    # 445 × 0.99 = 440.55 < 442.355…
    assert judgement.threshold == Decimal("440.55")
    assert judgement.met is False
    assert judgement.reason == "人均能耗 442.36 kgce/人（目标 440.55 = 上年 445.00 × (1 − 1%)）→ 未达标"


QUOTA = {"constraint": 20, "benchmark": Decimal("11.9"), "guide": Decimal("6.5")}


def test_quota_tiers_count_as_met_at_the_declared_tier() -> None:
    section = energy()
    section["targets"]["area_energy"] = {**QUOTA, "met_at": "benchmark"}
    dangliang = judge("area_energy", compute(section))
    assert (dangliang.met, dangliang.tier) == (True, "guide")  # 6.098 ≤ 6.5
    assert dangliang.reason == (
        "单位建筑面积能耗 6.10 kgce/m²（约束值 20.00、基准值 11.90、引导值 6.50；"
        "达到引导值；以基准值为达标）→ 达标"
    )
    dengjia = judge("area_energy", compute(section, "gbt2589-2020-dengjia"))
    assert (dengjia.met, dengjia.tier) == (True, "benchmark")  # 11.711 ≤ 11.9
    section["targets"]["area_energy"]["met_at"] = "guide"
    stricter = judge("area_energy", compute(section, "gbt2589-2020-dengjia"))
    assert (stricter.met, stricter.tier, stricter.threshold) == (False, "benchmark", Decimal("6.5"))
    assert stricter.reason == (
        "单位建筑面积能耗 11.71 kgce/m²（约束值 20.00、基准值 11.90、引导值 6.50；"
        "达到基准值；以引导值为达标）→ 未达标"
    )


def test_quota_above_the_constraint() -> None:
    section = at_target(200000, {"constraint": 20, "met_at": "constraint"})
    judgement = judge("area_energy", compute(section))
    # 200000 × 0.1229 / 1000 = 24.58 > 20
    assert (judgement.met, judgement.tier) == (False, None)
    assert (
        judgement.reason
        == "单位建筑面积能耗 24.58 kgce/m²（约束值 20.00；超过约束值；以约束值为达标）→ 未达标"
    )


@pytest.mark.parametrize(
    ("kgce", "band"),
    [
        ("9", 1),  # = 0.9A
        ("9.0001", 2),
        ("10", 2),  # = A
        ("10.0001", 3),
        ("11", 3),  # = 1.1A
        ("12", 4),  # = 1.2A
        ("12.0001", 5),
    ],
)
def test_peer_average_bands_close_on_their_upper_bound(kgce: str, band: int) -> None:
    section = at_target(0, {"peer_average": 10, "met_at": "A"})
    section["use"] = {"other": {"kgce": Decimal(kgce)}}
    section["area"] = 1
    judgement = judge("area_energy", compute(section))
    assert judgement.band == band
    assert judgement.met is (band <= 2)


def test_peer_average_reason() -> None:
    section = energy()
    section["targets"]["area_energy"] = {"peer_average": Decimal("11.02"), "met_at": "A"}
    judgement = judge("area_energy", compute(section, "gbt2589-2020-dengjia"))
    # 11.02 < 11.711 ≤ 1.1 × 11.02 = 12.122
    assert (judgement.band, judgement.met, judgement.threshold) == (3, False, Decimal("11.02"))
    assert judgement.reason == (
        "单位建筑面积能耗 11.71 kgce/m²（同类单位平均值 A = 11.02，≤ 1.1A；以 ≤ A 为达标）→ 未达标"
    )


def test_targets_given_apart_from_the_sheet() -> None:
    result = compute(energy())
    other = parse_energy(at_target(1, Decimal(6)), sheet_year=2024).targets
    judgement = judge("area_energy", result, other)
    assert judgement.reason == "单位建筑面积能耗 6.10 kgce/m²（目标 6.00）→ 未达标"


def test_judging_without_a_target_or_an_indicator() -> None:
    section = energy()
    del section["targets"]["per_capita_water"]
    result = compute(section)
    with pytest.raises(SheetError) as exc:
        judge("per_capita_water", result)
    assert str(exc.value) == (
        "sheet.toml: energy.targets.per_capita_water: missing; 人均水耗 needs a target: "
        "a figure, a decline rate, quota tiers or a peer average"
    )
    with pytest.raises(SheetError) as exc:
        judge("area_energy_non_heating", result)
    assert str(exc.value) == (
        "sheet.toml: energy.heating: 单位建筑面积非供暖能耗 needs energy.heating, "
        "the heating part of energy.use"
    )
    with pytest.raises(RubricError) as rubric_exc:
        judge("area_energi", result)
    assert str(rubric_exc.value) == (
        "unknown indicator 'area_energi' (did you mean 'area_energy'?); expected one of area_energy, "
        "per_capita_energy, per_capita_water, area_energy_non_heating"
    )


# --- bad input -------------------------------------------------------------------------------


def test_data_year_must_be_the_year_before_the_sheets() -> None:
    section = energy()
    section["year"] = 2022
    assert sheet_error(section) == (
        "sheet.toml: energy.year: expected 2023, the calendar year before the sheet's year 2024 (说明五), "
        "got 2022"
    )
    with pytest.raises(SheetError) as exc:
        parse_energy(example_without("year"), file=FILE, sheet_year=2024)
    assert str(exc.value) == (
        "sheet.toml: energy.year: missing; expected 2023, "
        "the calendar year before the sheet's year 2024 (说明五)"
    )


def test_missing_area_and_users() -> None:
    assert sheet_error(example_without("area")) == (
        "sheet.toml: energy.area: missing 建筑面积: the office floor area in m² (area = …)"
    )
    assert sheet_error(example_without("energy_users")) == (
        "sheet.toml: energy.energy_users: missing 用能人数: the people working in the offices, "
        "编外人员 included (energy_users = …)"
    )
    assert sheet_error(example_without("water")) == (
        "sheet.toml: energy.water: missing 用水总量: the year's water in t (water = …)"
    )
    assert sheet_error(example_without("use")) == (
        "sheet.toml: energy.use: missing: the year's energy by carrier (electricity = { kwh = … } …)"
    )


def test_every_problem_is_reported_at_once() -> None:
    assert sheet_error(example_without("area", "energy_users")) == (
        "sheet.toml: energy.area: missing 建筑面积: the office floor area in m² (area = …)\n"
        "sheet.toml: energy.energy_users: missing 用能人数: the people working in the offices, "
        "编外人员 included (energy_users = …)"
    )


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("area", 0, "energy.area: expected a number more than 0, got a number (0)"),
        ("area", -8000, "energy.area: expected a number more than 0, got a number (-8000)"),
        ("energy_users", 0, "energy.energy_users: expected a number more than 0, got a number (0)"),
        (
            "water_users",
            Decimal("-1.5"),
            "energy.water_users: expected a number more than 0, got a number (-1.5)",
        ),
        ("water", 0, "energy.water: expected a number more than 0, got a number (0)"),
        ("area", True, "energy.area: expected a number more than 0, got a boolean (true)"),
        (
            "area",
            8000.5,
            "energy.area: expected a number more than 0, got a float (8000.5); "
            "give it exactly (an int or a Decimal)",
        ),
        (
            "area",
            "8000",
            'energy.area: expected a number more than 0, got a string ("8000"); '
            "write the number without quotes",
        ),
        ("area", "八千", 'energy.area: expected a number more than 0, got a string ("八千")'),
        ("area", [8000], "energy.area: expected a number more than 0, got an array"),
        (
            "area",
            Decimal("1E+12"),
            "energy.area: expected a number below 1,000,000,000,000 with at most 10 decimal places",
        ),
        ("year", "2023", 'energy.year: expected a year such as 2023, got a string ("2023")'),
        ("year", True, "energy.year: expected a year such as 2023, got a boolean (true)"),
        ("aera", 8000, "energy.aera: unknown key 'aera' (did you mean 'area'?)"),
    ],
)
def test_bad_figures(key: str, value: object, message: str) -> None:
    section = energy()
    section[key] = value
    assert sheet_error(section) == f"sheet.toml: {message}"


@pytest.mark.parametrize(
    ("use", "message"),
    [
        (
            {"natrual_gas": {"m3": 6000}},
            "energy.use.natrual_gas: unknown carrier 'natrual_gas' (did you mean 'natural_gas'?); "
            f"known carriers: {KNOWN}",
        ),
        (
            {"天然气": {"m3": 6000}},
            "energy.use.天然气: unknown carrier '天然气' (did you mean 'natural_gas'?); "
            f"known carriers: {KNOWN}",
        ),
        (
            {"natural_gas": {"kwh": 6000}},
            "energy.use.natural_gas.kwh: natural_gas (天然气) is given in m3 or kgce, not kwh",
        ),
        (
            {"electricity": {"litres": 6000}},
            "energy.use.electricity.litres: electricity (电力) is given in kwh or kgce, not litres",
        ),
        (
            {"heat": {"kwh": 6000}},
            "energy.use.heat.kwh: heat (热力) is given in mj, gj or kgce, not kwh",
        ),
        (
            {"gasoline": {"liters": 5000}},
            "energy.use.gasoline.liters: unknown unit 'liters' (did you mean 'litres'?); gasoline (汽油) is "
            "given in kg, t, litres or kgce",
        ),
        (
            {"gasoline": {"litres": 5000, "kg": 100}},
            "energy.use.gasoline: expected one quantity in one unit, got litres and kg",
        ),
        (
            {"gasoline": {}},
            "energy.use.gasoline: expected one quantity such as { kg = 1000 }, got an empty table",
        ),
        (
            {"electricity": 240000},
            "energy.use.electricity: expected a table such as { kwh = 1000 }, got a number (240000)",
        ),
        (
            {"diesel": {"litres": -1}},
            "energy.use.diesel.litres: expected a number of 0 or more, got a number (-1)",
        ),
        ({}, "energy.use: lists no carrier; expected the year's energy by carrier"),
        (
            240000,
            "energy.use: expected a table such as { electricity = { kwh = 1000 } }, got a number (240000)",
        ),
    ],
)
def test_bad_carriers_and_units(use: object, message: str) -> None:
    section = energy()
    section["use"] = use
    section["vehicles"] = {"gasoline": {"kgce": 0}}
    assert sheet_error(section) == f"sheet.toml: {message}"


def test_vehicle_energy_missing_is_never_assumed_zero() -> None:
    assert sheet_error(example_without("vehicles")) == (
        "sheet.toml: energy.vehicles: missing 公务用车能源消耗量: the official vehicles' part of energy.use "
        "by carrier (gasoline = { litres = … }); it is never assumed to be 0, so give 0 if they used none"
    )
    section = energy()
    section["vehicles"] = {}
    assert sheet_error(section) == (
        "sheet.toml: energy.vehicles: lists no carrier; give the official vehicles' energy by carrier, "
        "e.g. gasoline = { litres = 0 } if they used none"
    )


def test_vehicle_energy_larger_than_the_carriers_use() -> None:
    section = energy()
    section["vehicles"] = {"gasoline": {"litres": 6000}}
    # 6000 L × 0.73 = 4380 kg × 1.4714 = 6444.732 kgce > 5370.61
    assert sheet_error(section) == (
        "sheet.toml: energy.vehicles.gasoline.litres: 公务用车 gasoline (汽油) comes to 6444.732 kgce, "
        "more than all gasoline in energy.use (5370.61 kgce)"
    )
    section["vehicles"] = {"diesel": {"litres": 10}}
    # 10 L × 0.85 = 8.5 kg × 1.4571 = 12.38535 kgce, and no diesel was used at all
    assert sheet_error(section) == (
        "sheet.toml: energy.vehicles.diesel.litres: 公务用车 diesel (柴油) comes to 12.38535 kgce, "
        "more than all diesel in energy.use (0 kgce: energy.use lists none)"
    )


def test_vehicles_and_heating_together_larger_than_the_use() -> None:
    section = energy()
    section["use"]["natural_gas"] = {"m3": 100}
    section["vehicles"]["natural_gas"] = {"m3": 60}
    section["heating"] = {"natural_gas": {"m3": 50}}
    # 60 + 50 = 110 m³ × 1.33 = 146.3 kgce > 100 × 1.33 = 133 kgce
    assert sheet_error(section) == (
        "sheet.toml: energy.heating.natural_gas.m3: 公务用车 and 供暖 natural_gas (天然气) "
        "come to 146.3 kgce, more than all natural_gas in energy.use (133 kgce)"
    )


def test_energy_adding_up_to_zero() -> None:
    section = energy()
    section["use"] = {"electricity": {"kwh": 0}}
    section["vehicles"] = {"electricity": {"kwh": 0}}
    assert sheet_error(section) == "sheet.toml: energy.use: adds up to 0 kgce; expected the year's energy use"


def test_litres_without_a_density() -> None:
    section = energy()
    section["use"]["kerosene"] = {"litres": 10}
    assert sheet_error(section) == (
        "sheet.toml: energy.use.kerosene.litres: no density for kerosene (煤油) to turn litres into kg; "
        "give kg, or a local coefficient table with [densities.kerosene]"
    )


def test_an_empty_target_table() -> None:
    section = energy()
    section["targets"] = {"area_energy": {}}
    assert (
        sheet_error(section)
        == f"sheet.toml: energy.targets.area_energy: expected {SHAPES}, got an empty table"
    )


@pytest.mark.parametrize(
    ("targets", "last_year", "message"),
    [
        (
            {"area_energy": {"decline": 5}},
            {"area_energy": Decimal("6.2")},
            "energy.targets.area_energy.decline: expected the decline as a fraction below 1 "
            "(1.23% is 0.0123), got a number (5)",
        ),
        (
            {"per_capita_energy": {"decline": Decimal("0.01")}},
            {},
            "energy.targets.per_capita_energy.decline: a decline rate needs last year's figure: "
            "energy.last_year.per_capita_energy",
        ),
        (
            {"area_energy": {"decline": Decimal("0.01"), "constraint": 20}},
            {"area_energy": 6},
            "energy.targets.area_energy: mixes a decline rate with constraint",
        ),
        (
            {"area_energy": {"constraint": 20, "benchmark": Decimal("11.9")}},
            {},
            "energy.targets.area_energy.met_at: missing; say which tier counts as met: "
            '"constraint" (约束值), "benchmark" (基准值) or "guide" (引导值)',
        ),
        (
            {"area_energy": {"constraint": Decimal("11.9"), "benchmark": 20, "met_at": "benchmark"}},
            {},
            "energy.targets.area_energy: expected 约束值 > 基准值 > 引导值 (lower is better), "
            "got constraint (11.9), benchmark (20)",
        ),
        (
            {"area_energy": {"constraint": 20, "met_at": "guide"}},
            {},
            'energy.targets.area_energy.met_at: "guide" (引导值) is not given; met_at names one of the tiers '
            "given: constraint",
        ),
        (
            {"area_energy": {"constraint": 20, "met_at": "基准值"}},
            {},
            'energy.targets.area_energy.met_at: expected "constraint", "benchmark" or "guide", '
            'got a string ("基准值")',
        ),
        (
            {"area_energy": {"peer_average": Decimal("11.02")}},
            {},
            "energy.targets.area_energy.met_at: missing; say which band counts as met: "
            '"0.9A", "A", "1.1A" or "1.2A" (a figure at or below that multiple of peer_average)',
        ),
        (
            {"area_energy": {"peer_average": Decimal("11.02"), "met_at": "1.3A"}},
            {},
            'energy.targets.area_energy.met_at: expected "0.9A", "A", "1.1A" or "1.2A", '
            """got a string ("1.3A") (did you mean '1.2A'?)""",
        ),
        (
            {"area_energy": {"peer_average": 11, "guide": 6, "met_at": "A"}},
            {},
            "energy.targets.area_energy: mixes a peer average with quota tiers (guide)",
        ),
        (
            {"area_energy": {"target": 6}},
            {},
            "energy.targets.area_energy.target: unknown key 'target'",
        ),
        (
            {"area_energy": "六"},
            {},
            f"energy.targets.area_energy: expected a target figure or a table ({SHAPES}), "
            'got a string ("六")',
        ),
        (
            {"area_energy": 0},
            {},
            "energy.targets.area_energy: expected a number more than 0, got a number (0)",
        ),
        (
            {"area_enegry": 6},
            {},
            "energy.targets.area_enegry: unknown indicator 'area_enegry' (did you mean 'area_energy'?)",
        ),
        (
            {"area_energy_non_heating": 6},
            {},
            "energy.targets.area_energy_non_heating: needs energy.heating, the heating part of energy.use",
        ),
    ],
)
def test_bad_targets(targets: dict[str, Any], last_year: dict[str, Any], message: str) -> None:
    section = energy()
    section["targets"] = targets
    section["last_year"] = last_year
    assert sheet_error(section) == f"sheet.toml: {message}"


# --- the flat form of a wide CSV row ---------------------------------------------------------

FLAT = {
    "energy.year": "2023",
    "energy.area": "８０００",  # full-width digits, as typed with a Chinese input method
    "energy.energy_users": " 120 ",
    "energy.water_users": "",  # an empty cell is a key not given
    "energy.water": "3000",
    "energy.use.electricity.kwh": "240000",
    "energy.use.natural_gas.m3": "6000",
    "energy.use.gasoline.litres": "5000",
    "energy.use.heat.gj": "300",
    "energy.use.diesel.litres": "",
    "energy.vehicles.gasoline.litres": "4000",
    "energy.targets.area_energy.decline": "0.0102",
    "energy.targets.per_capita_energy": "450",
    "energy.targets.per_capita_water": "25",
    "energy.last_year.area_energy": "6.20",
}


def test_dotted_columns_give_the_same_figures_as_the_toml_form() -> None:
    flat = indicators(parse_energy(FLAT, file="sheets.csv", sheet_year=2024), load_coefficients())
    nested = compute(energy())
    assert (
        [i.exact for i in flat]
        == [i.exact for i in nested]
        == [
            AREA_ENERGY,
            PER_CAPITA_ENERGY,
            PER_CAPITA_WATER,
        ]
    )
    assert flat.lines() == nested.lines()
    assert [judge(i.name, flat).reason for i in flat] == [judge(i.name, nested).reason for i in nested]


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        (
            "energy.area",
            "8,000",
            'energy.area: expected a number more than 0 in digits (1234.5), got a string ("8,000")',
        ),
        ("energy.area", "0", "energy.area: expected a number more than 0, got a number (0)"),
        (
            "energy.use.gasoline.litres",
            "五千",
            "energy.use.gasoline.litres: expected a number of 0 or more in digits (1234.5), "
            'got a string ("五千")',
        ),
        ("energy.year", "23", 'energy.year: expected a year such as 2023, got a string ("23")'),
        (
            "energy.use.natural_gas.kwh",
            "6000",
            "energy.use.natural_gas.kwh: natural_gas (天然气) is given in m3 or kgce, not kwh",
        ),
        (
            "energy.use.electricity",
            "1",
            "energy.use.electricity: holds a value, but column energy.use.electricity.kwh needs it to be a "
            "table of values",
        ),
        ("area", "8000", "area: not an energy column; expected a name such as energy.area, not 'area'"),
    ],
)
def test_dotted_columns_refuse_bad_cells_naming_the_column(column: str, cell: str, message: str) -> None:
    flat = {**FLAT, "energy.use.natural_gas.m3": "", column: cell}
    with pytest.raises(SheetError) as exc:
        parse_energy(flat, file="sheets.csv", sheet_year=2024, line=3)
    assert str(exc.value) == f"sheets.csv:3: {message}"


def test_dotted_targets_with_quota_tiers() -> None:
    flat = {
        **FLAT,
        "energy.targets.area_energy.decline": "",
        "energy.targets.area_energy.constraint": "20",
        "energy.targets.area_energy.benchmark": "11.9",
        "energy.targets.area_energy.met_at": " benchmark ",
    }
    judgement = judge("area_energy", indicators(parse_energy(flat, sheet_year=2024), load_coefficients()))
    assert (judgement.met, judgement.tier) == (True, "benchmark")  # 6.098 ≤ 11.9, no 引导值 given


# --- coefficient tables ----------------------------------------------------------------------


def test_shipped_tables_name_their_source_and_confidence() -> None:
    assert shipped_coefficients() == ("gbt2589-2020-dangliang", "gbt2589-2020-dengjia")
    assert DEFAULT_COEFFICIENTS == "gbt2589-2020-dangliang"
    default = load_coefficients()
    assert (default.basis, default.version, default.file) == ("当量值", "1", None)
    assert {c: f.value for c, f in default.factors.items()} == {
        "electricity": Decimal("0.1229"),
        "natural_gas": Decimal("1.33"),
        "lpg": Decimal("1.7143"),
        "gasoline": Decimal("1.4714"),
        "kerosene": Decimal("1.4714"),
        "diesel": Decimal("1.4571"),
        "fuel_oil": Decimal("1.4286"),
        "coal": Decimal("0.7143"),
        "coke": Decimal("0.9714"),
        "heat": Decimal("0.03412"),
        "steam": Decimal("0.1286"),
    }
    assert {c: d.kg_per_litre for c, d in default.densities.items()} == {
        "gasoline": Decimal("0.73"),
        "diesel": Decimal("0.85"),
    }
    for name in shipped_coefficients():
        table = load_coefficients(name)
        assert table.source
        for factor in table.factors.values():
            assert factor.confidence in ("H", "M", "L")
            assert factor.source
    dengjia = load_coefficients("gbt2589-2020-dengjia")
    assert dengjia.basis == "等价值"
    assert {c: f.value for c, f in dengjia.factors.items() if f.value != default.factors[c].value} == {
        "electricity": Decimal("0.31")
    }


def test_unknown_table_name_suggests_the_nearest() -> None:
    with pytest.raises(RubricError) as exc:
        load_coefficients("gbt2589-2020-dangliag")
    assert str(exc.value) == (
        "unknown coefficient table 'gbt2589-2020-dangliag' (did you mean 'gbt2589-2020-dangliang'?); "
        "shipped tables: gbt2589-2020-dangliang, gbt2589-2020-dengjia (or give a file path)"
    )


LOCAL = """\
name = "xx-2023"
title = "XX省2023年折标系数（电力按当年供电煤耗）"
version = "2023.1"
basis = "等价值"
base = "gbt2589-2020-dangliang"
confidence = "M"
source = "XX省统计局 2023"

[factors.electricity]
unit = "kwh"
factor = 0.3
confidence = "H"
source = "XX省统计局 2023 供电标准煤耗 300 gce/kWh"

[densities.kerosene]
kg_per_litre = 0.8
confidence = "L"
source = "local"
"""


def test_a_local_table_by_file_path(tmp_path: Path) -> None:
    path = tmp_path / "xx-2023.toml"
    path.write_text(LOCAL, encoding="utf-8")
    table = load_coefficients(str(path))
    assert (table.name, table.version, table.file) == ("xx-2023", "2023.1", str(path))
    assert table.factors["electricity"].value == Decimal("0.3")
    assert table.factors["natural_gas"].value == Decimal("1.33")  # from its base
    assert table.densities["kerosene"].kg_per_litre == Decimal("0.8")
    assert table.densities["gasoline"].kg_per_litre == Decimal("0.73")
    result = compute(energy(), str(path))
    # 电力 240000 × 0.3 = 72000: (53082.61 − 29496 + 72000 − 4296.488) / 8000 = 91290.122 / 8000
    assert result.area_energy.exact == Fraction("91290.122") / 8000
    assert result.lines()[1] == f"折标准煤系数：xx-2023 第2023.1版（等价值，{path}）"


def test_a_bad_local_table_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    text = (
        LOCAL.replace('unit = "kwh"', 'unit = "mwh"')
        .replace("factor = 0.3", "factor = -0.3")
        .replace('basis = "等价值"', 'basis = "等价"')
        .replace('confidence = "L"', 'confidence = "low"')
        .replace("[densities.kerosene]", "[densities.coal]")
    ) + '\n[factors.biogas]\nunit = "m3"\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as exc:
        load_coefficients(path)
    assert str(exc.value) == "\n".join(
        f"{path}: {m}"
        for m in (
            'basis: expected one of 当量值, 等价值, got a string ("等价")',
            'factors.electricity.unit: electricity\'s factor is kgce per kwh, got a string ("mwh")',
            "factors.electricity.factor: expected a number more than 0, got a number (-0.3)",
            "factors.biogas: unknown carrier 'biogas'",
            "densities.coal: coal (煤炭) is not given in litres",
        )
    )


def test_a_local_table_of_the_wrong_shapes(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        """\
titel = "x"
title = 7
version = true
basis = "当量值"
confidence = "M"
source = ""
base = "gbt2589"
densities = 3

[factors.electricity]
unit = "kwh"
factor = "0.1229"
confidence = "M"
source = "x"
sorce = "x"

[factors.heat]
unit = "mj"
factor = 1e20
confidence = "M"
source = "x"

[factors.coal]
unit = "kg"
confidence = "M"
source = "x"

[factors]
coke = 0.9714
""",
        encoding="utf-8",
    )
    with pytest.raises(RubricError) as exc:
        load_coefficients(path)
    assert str(exc.value) == "\n".join(
        f"{path}: {m}"
        for m in (
            "titel: unknown key 'titel' (did you mean 'title'?)",
            "name: missing; expected a string",
            "title: expected a non-empty string, got a number (7)",
            'version: expected a version such as "1", got a boolean (true)',
            'source: expected a non-empty string, got a string ("")',
            "base: unknown table 'gbt2589'; expected a shipped table: "
            "gbt2589-2020-dangliang, gbt2589-2020-dengjia",
            "factors.electricity.sorce: unknown key 'sorce' (did you mean 'source'?)",
            'factors.electricity.factor: expected a number more than 0, got a string ("0.1229")',
            "factors.heat.factor: expected a number below 1,000,000,000,000 with at most 10 decimal places",
            "factors.coal.factor: missing; expected a number more than 0",
            "factors.coke: expected a table, got a number (0.9714)",
            "densities: expected a table, got a number (3)",
        )
    )


def test_a_missing_table_file() -> None:
    with pytest.raises(RubricError) as exc:
        load_coefficients("no/such.toml")
    assert str(exc.value) == "no/such.toml: cannot read file: No such file or directory"


# --- reading files and the command line ------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_load_energy_reads_the_sheet_year_and_agency(tmp_path: Path) -> None:
    path = tmp_path / "sheet.toml"
    path.write_text(EXAMPLE.replace("year = 2024", "year = 2025"), encoding="utf-8")
    with pytest.raises(SheetError) as exc:
        load_energy(path)
    assert str(exc.value) == (
        f"{path}: energy.year: expected 2024, the calendar year before the sheet's year 2025 (说明五), "
        "got 2023"
    )
    path.write_text(EXAMPLE, encoding="utf-8")
    (data,) = load_energy(path)
    assert (data.agency, data.year, data.file) == ("XX区发展和改革局", 2023, str(path))


def test_load_energy_without_an_energy_table(tmp_path: Path) -> None:
    path = tmp_path / "sheet.toml"
    path.write_text('[sheet]\nagency = "X"\n', encoding="utf-8")
    with pytest.raises(SheetError) as exc:
        load_energy(path)
    assert str(exc.value) == f"{path}: energy: missing [energy] table"


def test_load_energy_from_json(tmp_path: Path) -> None:
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps(doc(), default=str).replace('"6.20"', "6.20").replace('"0.0102"', "0.0102"))
    (data,) = load_energy(path)
    assert indicators(data, load_coefficients()).area_energy.exact == AREA_ENERGY


def csv_text() -> str:
    header = ["agency", "year", *FLAT]
    first = ["XX区发展和改革局", "2024", *FLAT.values()]
    second = ["XX区财政局", "2024", *{**FLAT, "energy.vehicles.gasoline.litres": "0"}.values()]
    return "\n".join(",".join(row) for row in (header, first, second)) + "\n"


def test_a_wide_csv_gives_one_record_per_row(tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    path.write_text(csv_text(), encoding="utf-8")
    first, second = load_energy(path)
    assert (first.agency, first.line, second.agency, second.line) == ("XX区发展和改革局", 2, "XX区财政局", 3)
    assert indicators(first, load_coefficients()).area_energy.exact == AREA_ENERGY
    assert indicators(second, load_coefficients()).area_energy.exact == Fraction("53082.61") / 8000


def test_cli_energy_text_and_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "sheet.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    code, out, err = run(capsys, "energy", path)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "XX区发展和改革局 2023年能源资源消耗指标"
    assert "  单位建筑面积能耗 6.10 kgce/m²（目标 6.14 = 上年 6.20 × (1 − 1.02%)）→ 达标" in out
    code, out, err = run(capsys, "energy", path, "--coefficients", "gbt2589-2020-dengjia")
    assert (code, err) == (1, "")  # 11.71 misses its target
    assert "  单位建筑面积能耗 11.71 kgce/m²（目标 6.14 = 上年 6.20 × (1 − 1.02%)）→ 未达标" in out
    code, out, err = run(capsys, "energy", path, "--coefficients", "nosuch")
    assert (code, out) == (2, "")
    assert err == (
        "unknown coefficient table 'nosuch'; shipped tables: gbt2589-2020-dangliang, gbt2589-2020-dengjia "
        "(or give a file path)\n"
    )
    path.write_text(EXAMPLE.replace("area = 8000\n", ""), encoding="utf-8")
    code, out, err = run(capsys, "energy", path)
    assert (code, out) == (2, "")
    assert err == f"{path}: energy.area: missing 建筑面积: the office floor area in m² (area = …)\n"


def test_cli_energy_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "sheet.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    code, out, _ = run(capsys, "energy", path, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["indicators"]["per_capita_energy"]["value"] == "442.36"
    assert data["judgements"]["area_energy"] == {
        "indicator": "area_energy",
        "kind": "decline",
        "met": True,
        "figure": "6.10",
        "threshold": "6.13676",
        "tier": None,
        "band": None,
        "reason": "单位建筑面积能耗 6.10 kgce/m²（目标 6.14 = 上年 6.20 × (1 − 1.02%)）→ 达标",
    }
    csv_path = tmp_path / "sheets.csv"
    csv_path.write_text(csv_text(), encoding="utf-8")
    code, out, _ = run(capsys, "energy", csv_path, "--format", "json")
    assert [d["agency"] for d in json.loads(out)] == ["XX区发展和改革局", "XX区财政局"]


def test_render_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'html'; expected 'text' or 'json'"):
        render_energy(compute(energy()), "html")  # type: ignore[arg-type]  # the point of the test


def test_a_local_table_without_base_lacking_a_carrier(tmp_path: Path) -> None:
    path = tmp_path / "electricity-only.toml"
    text = LOCAL.replace('base = "gbt2589-2020-dangliang"\n', "").split("[densities")[0]
    path.write_text(text, encoding="utf-8")
    table = load_coefficients(path)
    assert set(table.factors) == {"electricity"}
    assert set(table.densities) == {"gasoline", "diesel"}  # the shipped densities
    assert sheet_error(energy(), str(path)).splitlines() == [
        f"sheet.toml: {where}: the coefficient table xx-2023 has no factor for {carrier} ({label}); "
        "give it as { kgce = … }"
        for where, carrier, label in (
            ("energy.use.natural_gas.m3", "natural_gas", "天然气"),
            ("energy.use.gasoline.litres", "gasoline", "汽油"),
            ("energy.use.heat.gj", "heat", "热力"),
            ("energy.vehicles.gasoline.litres", "gasoline", "汽油"),
        )
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("agency,year\nX,2024\n", "sheets.csv:1: no energy columns (energy.area, energy.use.…)"),
        ("agency,year,energy.area\nX,2024,\n", "sheets.csv:2: has no energy values"),
        ("agency,year,energy.area\nX,2024\n", "sheets.csv:2: has 2 cells, the header has 3"),
        (
            "agency,year,energy.area\nX,二〇二四,8000\n",
            'sheets.csv:2: year: expected a year such as 2024, got a string ("二〇二四")',
        ),
    ],
)
def test_bad_csv_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sheets.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SheetError) as exc:
        load_energy(path)
    assert str(exc.value) == message.replace("sheets.csv", str(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "1:2: invalid JSON: Expecting property name enclosed in double quotes"),
        ("[1]", "expected a JSON object, got an array"),
        ('{"energy": NaN}', "invalid JSON: NaN is not a number JSON allows"),
        ('{"energy": 5}', "energy: expected a table, got a number (5)"),
    ],
)
def test_bad_json_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sheet.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SheetError) as exc:
        load_energy(path)
    separator = "" if message[0].isdigit() else " "
    assert str(exc.value) == f"{path}:{separator}{message}"


def test_unreadable_and_malformed_toml_sheets(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(SheetError) as exc:
        load_energy(missing)
    assert str(exc.value) == f"{missing}: cannot read file: No such file or directory"
    broken = tmp_path / "broken.toml"
    broken.write_text("[energy\n", encoding="utf-8")
    with pytest.raises(SheetError) as exc:
        load_energy(broken)
    assert str(exc.value).startswith(f"{broken}:1:")


@pytest.mark.parametrize(
    "module",
    [conserv_rubric.energy, conserv_rubric._energy_compute, conserv_rubric._energy_coefficients],
)
def test_docstring_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


# --- the documentation's worked example ------------------------------------------------------


def blocks(page: str, lang: str) -> list[str]:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return re.findall(rf"^```{lang}\n(.*?)^```$", text, re.S | re.M)


@pytest.mark.parametrize("page", ["energy.md", "energy.en.md"])
def test_the_docs_worked_example_is_the_tested_one(page: str, tmp_path: Path) -> None:
    (sheet,) = [b for b in blocks(page, "toml") if "[energy]" in b]
    assert sheet == EXAMPLE
    path = tmp_path / "sheet.toml"
    path.write_text(sheet, encoding="utf-8")
    (data,) = load_energy(path)
    shown = render_energy(indicators(data, load_coefficients()))
    assert shown in blocks(page, "text")
    shown = render_energy(indicators(data, load_coefficients("gbt2589-2020-dengjia")))
    assert shown in blocks(page, "text")


def catalogue_messages() -> list[str]:
    """The messages docs/energy.md lists under 常见错误, produced afresh."""
    wrong_year, bad_unit, misspelt, too_much = energy(), energy(), energy(), energy()
    wrong_year["year"] = 2022
    bad_unit["use"]["natural_gas"] = {"kwh": 6000}
    misspelt["use"]["natrual_gas"] = misspelt["use"].pop("natural_gas")
    too_much["vehicles"] = {"gasoline": {"litres": 6000}}
    sections = [
        wrong_year,
        example_without("area"),
        bad_unit,
        misspelt,
        too_much,
        example_without("vehicles"),
    ]
    return [sheet_error(section) for section in sections]


@pytest.mark.parametrize("page", ["energy.md", "energy.en.md"])
def test_the_docs_error_catalogue_is_what_the_library_says(page: str) -> None:
    (catalogue,) = [b for b in blocks(page, "text") if b.startswith(f"{FILE}: ")]
    assert catalogue.splitlines() == catalogue_messages()


@pytest.mark.parametrize("page", ["energy.md", "energy.en.md"])
def test_the_docs_local_table_loads(page: str, tmp_path: Path) -> None:
    (table,) = [b for b in blocks(page, "toml") if b.startswith('name = "xx-2023"')]
    path = tmp_path / "xx-2023.toml"
    path.write_text(table, encoding="utf-8")
    assert load_coefficients(path).factors["electricity"].value == Decimal("0.3")
