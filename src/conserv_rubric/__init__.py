"""conserv_rubric: public-sector evaluation standards as declarative, validated rubrics.

Load a rubric, check that its declared totals add up, and score agencies against it with every
point explained::

    import conserv_rubric as cr

    rubric = cr.load_rubric("rubrics/district.toml")
    card = cr.score(rubric, cr.load_sheet("examples/district/pass.toml"))
    print(card.total, card.level)

The root holds the core: loading and writing rubrics, validation, sheets, scoring and the
errors. The rest lives in public modules of its own: `conserv_rubric.model` (the rubric's
classes and rule kinds), `conserv_rubric.gaps` (找差距补短板), `conserv_rubric.diffs` (self
against verified), `conserv_rubric.reports`, `conserv_rubric.templates`, and, with the
``hypothesis`` extra, `conserv_rubric.strategies` and `conserv_rubric.testing`.
"""

__version__ = "0.2.0"

from ._provenance import Provenance
from ._rubric_io import dumps_rubric, load_rubric, loads_rubric
from ._score import GateResult, GroupResult, ItemResult, ScoreCard, score
from ._score_args import check_sheet
from ._sheet import Sheet, SheetInfo, load_sheet, load_sheets, loads_sheet
from ._validate import validate
from .errors import Problem, RubricError, SheetError
from .model import Rubric

__all__ = [
    "GateResult",
    "GroupResult",
    "ItemResult",
    "Problem",
    "Provenance",
    "Rubric",
    "RubricError",
    "ScoreCard",
    "Sheet",
    "SheetError",
    "SheetInfo",
    "__version__",
    "check_sheet",
    "dumps_rubric",
    "load_rubric",
    "load_sheet",
    "load_sheets",
    "loads_rubric",
    "loads_sheet",
    "score",
    "validate",
]


def __dir__() -> list[str]:
    return list(__all__)
