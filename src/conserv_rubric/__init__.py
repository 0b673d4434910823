"""conserv_rubric: public-sector evaluation standards as declarative, validated rubrics.

Load a rubric, check that its declared totals add up, and score agencies against it with every
point explained::

    import conserv_rubric as cr

    rubric = cr.load_rubric("rubrics/district.toml")
    card = cr.score(rubric, cr.load_sheet("examples/district/pass.toml"))
    print(card.total, card.level)
"""

__version__ = "0.1.0"

from ._diff import ItemDiff, SheetDiff, diff, render_diff
from ._gap import Gap, OpenItem, Shortfall, Step, Target, UnitGap, gap, render_gap
from ._model import (
    Aggregate,
    Band,
    Bands,
    Best,
    Cases,
    Check,
    Condition,
    Deduct,
    Each,
    Flag,
    Judged,
    Level,
    Linear,
    Parts,
    Project,
    Row,
    Rubric,
    Rule,
    Unit,
)
from ._report import render_cards, render_check
from ._score import GateResult, GroupResult, ItemResult, ScoreCard, check_sheet, score
from ._sheet import Sheet, SheetInfo, load_sheet, load_sheets, loads_sheet
from ._template import template
from ._toml import dumps_rubric, load_rubric, loads_rubric
from ._validate import validate
from .errors import Problem, RubricError, SheetError

__all__ = [
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
    "Gap",
    "GateResult",
    "GroupResult",
    "ItemDiff",
    "ItemResult",
    "Judged",
    "Level",
    "Linear",
    "OpenItem",
    "Parts",
    "Problem",
    "Project",
    "Row",
    "Rubric",
    "RubricError",
    "Rule",
    "ScoreCard",
    "Sheet",
    "SheetDiff",
    "SheetError",
    "SheetInfo",
    "Shortfall",
    "Step",
    "Target",
    "Unit",
    "UnitGap",
    "check_sheet",
    "diff",
    "dumps_rubric",
    "gap",
    "load_rubric",
    "load_sheet",
    "load_sheets",
    "loads_rubric",
    "loads_sheet",
    "render_cards",
    "render_check",
    "render_diff",
    "render_gap",
    "score",
    "template",
    "validate",
]
