"""The district's year (DESIGN §9): a roster, a plan, and the roll-up of every agency's sheet.

Roll up a folder of self-assessment sheets against the roster (名录) and the plan (创建行动方案)::

    from conserv_rubric import load_rubric
    from conserv_rubric.rollup import rollup

    r = rollup(load_rubric("rubrics/district.toml"), ["sheets/"],
               plan="plans/district.toml", roster="roster.csv")
    print(r.summary.reached, r.summary.share, [g.short_by for g in r.summary.goals])

`Rollup.to_dict` is the JSON contract (``schema_version`` `SCHEMA_VERSION`), documented in
docs/rollup.md; `compare` lists the agencies whose level changes under another edition.
"""

from __future__ import annotations

from ._inputs import Skipped
from ._plan import Goal, Milestone, Plan, PlanRubric, Secondary, load_plan, loads_plan
from ._provenance import HASH_VERSION, rubric_hash
from ._rollup import rollup
from ._rollup_model import (
    SCHEMA_VERSION,
    AgencyResult,
    Average,
    Below,
    GoalResult,
    GroupCount,
    InputError,
    ItemChange,
    Late,
    Missing,
    Rollup,
    StageDifference,
    Summary,
    Unmatched,
)
from ._rollup_report import render_rollup
from ._roster import Roster, RosterEntry, load_roster, loads_roster, normalise
from ._whatif import Comparison, LevelChange, compare
from .gaps import Step

__all__ = [
    "HASH_VERSION",
    "SCHEMA_VERSION",
    "AgencyResult",
    "Average",
    "Below",
    "Comparison",
    "Goal",
    "GoalResult",
    "GroupCount",
    "InputError",
    "ItemChange",
    "Late",
    "LevelChange",
    "Milestone",
    "Missing",
    "Plan",
    "PlanRubric",
    "Rollup",
    "Roster",
    "RosterEntry",
    "Secondary",
    "Skipped",
    "StageDifference",
    "Step",
    "Summary",
    "Unmatched",
    "compare",
    "load_plan",
    "load_roster",
    "loads_plan",
    "loads_roster",
    "normalise",
    "render_rollup",
    "rollup",
    "rubric_hash",
]


def __dir__() -> list[str]:
    return list(__all__)
