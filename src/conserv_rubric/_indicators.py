"""The names of the energy indicators of 说明五, which a rubric's flag may be bound to (``indicator``).

A module of its own, so that checking a rubric's bound flags costs no import of the energy
model; `conserv_rubric._energy_model` gives each name its label, title and unit.
"""

from __future__ import annotations

from typing import Final

#: Every indicator, in the order the standard lists them.
INDICATOR_NAMES: Final = ("area_energy", "per_capita_energy", "per_capita_water", "area_energy_non_heating")
