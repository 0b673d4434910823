"""Energy indicators from the meters (说明五 of the district standard).

A sheet's ``[energy]`` section gives the previous calendar year's consumption by carrier, the
official vehicles' part of it, the floor area, the headcounts and the water. This module turns
it into the three indicators of 强化目标管理, exactly, with every step shown:

- 单位建筑面积能源消耗 = (年度能源消耗总量 − 公务用车能源消耗量) / 建筑面积 (kgce/m²);
- 人均能源消耗 = 年度能源消耗总量 / 用能人数 (kgce/人);
- 人均水资源消耗 = 用水总量 / 用水人数 (t/人).

Energy is converted to standard coal with a shipped, versioned coefficient table (当量值 by
default, as 说明五 says), a 等价值 table, or a local table file. Each indicator can then be judged
against the target the sheet gives: an absolute figure, a decline rate on last year's figure,
quota tiers (约束值/基准值/引导值) or a peer average.

>>> from decimal import Decimal
>>> data = parse_energy({
...     "year": 2023, "area": 1000, "energy_users": 50, "water": 1000,
...     "use": {"electricity": {"kwh": 50000}},
...     "vehicles": {"gasoline": {"litres": 0}},
...     "targets": {"area_energy": Decimal("6.145")},
... }, sheet_year=2024)
>>> result = indicators(data, load_coefficients())
>>> result.area_energy.exact == Decimal("6.145")
True
>>> judge("area_energy", result).reason
'单位建筑面积能耗 6.15 kgce/m²（目标 6.15）→ 达标'
"""

from __future__ import annotations

from ._energy_coefficients import DEFAULT_COEFFICIENTS, load_coefficients, shipped_coefficients
from ._energy_compute import SHOWN_PLACES, CarrierLine, Indicator, Indicators, indicators, round_half_up
from ._energy_judge import Judgement, judge, judgements
from ._energy_model import Coefficients, Density, EnergyData, Factor, Quantity, Target
from ._energy_parse import load_energy, parse_energy
from ._energy_render import render_energy

__all__ = [
    "DEFAULT_COEFFICIENTS",
    "SHOWN_PLACES",
    "CarrierLine",
    "Coefficients",
    "Density",
    "EnergyData",
    "Factor",
    "Indicator",
    "Indicators",
    "Judgement",
    "Quantity",
    "Target",
    "indicators",
    "judge",
    "judgements",
    "load_coefficients",
    "load_energy",
    "parse_energy",
    "render_energy",
    "round_half_up",
    "shipped_coefficients",
]


def __dir__() -> list[str]:
    return list(__all__)
