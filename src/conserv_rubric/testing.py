"""Property checks for rubric authors: is my rubric sound, and does it score as the standard says?

Two lines in a rubric project's test suite check a rubric file::

    from conserv_rubric.testing import check_rubric

    def test_my_rubric() -> None:
        check_rubric("rubrics/my-province.toml")

`check_rubric` first checks the rubric itself, once:

- ``valid``: `conserv_rubric.validate` finds nothing wrong;
- ``totals``: every declared total equals the maximum beneath it, recomputed independently;
- ``round-trip``: ``loads_rubric(dumps_rubric(r)) == r``;
- ``structure``: nothing validates yet cannot work as written (`check_structure`);

then scores many generated answer sheets (`conserv_rubric.strategies.sheets`) and checks every
score card (`check_scoring`):

- ``capped-counter``: a counter awards min(n × per, max), nothing below its ``at_least``;
- ``award``: every item scores what its rule says (an independent reading of the format), as a
  `Decimal`, with a reason;
- ``bounds``: 0 ≤ every item, project and unit ≤ its reachable maximum; total ≤ the reachable total;
- ``subtotals``: items add up to projects, projects to units, units to the total, honouring caps,
  rescaling (a unit of which nothing applies drops out), weights and the aggregate formula, and
  every ``applicable_max`` is what the applicable items give;
- ``gates`` and ``level``: the gates that fail are exactly those whose item falls short (of its
  ``gate_min``, of its ``gate_figure``, of more than 0 for a ★), none on an item the sheet's stage
  does not score, and the level is the highest one whose thresholds are met and that no failed
  gate withholds (every level, or with ``withholds`` the one it names and those above), none if
  the rubric is a partial transcription;
- ``unanswered``: the card lists exactly the leaves left unanswered (of the items the sheet's
  stage scores);
- ``order``: the result does not depend on the order of the answers;
- ``monotone``: meeting more (a flag true, a count or a number one step further, more judged
  points) never lowers a score, and under a ``deduct`` more deficiencies never raise it.

A failure raises `PropertyFailure`, an `AssertionError` naming the property, the address and the
answers that show it. This module needs the ``hypothesis`` extra, like
`conserv_rubric.strategies`. Do not call `check_rubric` from inside a hypothesis test; call
`check_scoring` there instead.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any, Final

import attrs

try:
    import hypothesis
    from hypothesis import HealthCheck
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "conserv_rubric.testing needs hypothesis; install the extra: pip install 'conserv-rubric[hypothesis]'"
    ) from exc

from . import strategies
from ._card_checks import _CardChecker, _check_monotone, _check_order, _score
from ._compiled import compiled
from ._reference import (
    PropertyFailure,
    check_totals,
    groups,
)
from ._rubric_io import dumps_rubric, loads_rubric, read_rubric
from ._score import ScoreCard
from ._sheet import Sheet
from ._shipped import is_name, rubric_argument
from ._validate import errors, validate
from .errors import RubricError
from .model import Rubric

__all__ = [
    "PROPERTIES",
    "CheckReport",
    "PropertyFailure",
    "check_rubric",
    "check_scoring",
    "check_structure",
]

#: Properties of the rubric itself, checked once.
STATIC_PROPERTIES: Final = ("valid", "totals", "round-trip", "structure")
#: Properties of every score card.
SHEET_PROPERTIES: Final = (
    "capped-counter",
    "award",
    "bounds",
    "subtotals",
    "gates",
    "level",
    "unanswered",
    "order",
    "monotone",
)
#: Every property `check_rubric` checks, in the order it checks them.
PROPERTIES: Final = STATIC_PROPERTIES + SHEET_PROPERTIES


@attrs.frozen
class CheckReport:
    """What `check_rubric` did.

    Attributes:
        title: the rubric's title.
        leaves: how many answerable addresses the rubric has.
        examples: how many generated sheets were scored and checked (hypothesis may run a
            few more than ``max_examples``).
        properties: the properties checked, from `PROPERTIES`.
    """

    title: str
    leaves: int
    examples: int
    properties: tuple[str, ...]


# --- static checks -------------------------------------------------------------------------


def _resolve(rubric: Rubric | str | PathLike[str]) -> Rubric:
    if isinstance(rubric, Rubric):
        problems = [str(p) for p in errors(validate(rubric))]
    else:
        try:
            path = rubric_argument(rubric) if isinstance(rubric, str) and is_name(rubric) else Path(rubric)
            loaded, found = read_rubric(path)
        except RubricError as exc:
            raise PropertyFailure("valid", f"{rubric} cannot be read:\n  {exc}") from None
        rubric, problems = loaded, [str(p) for p in errors(found)]
    if problems:
        raise PropertyFailure("valid", "the rubric does not validate:\n  " + "\n  ".join(problems))
    return rubric


def check_structure(rubric: Rubric) -> list[str]:
    """Everything `conserv_rubric.validate` reports about *rubric*, warnings included.

    A rubric that loads may still hold what cannot work as written: a decision-table row that
    the rows before it always shadow, a ``linear`` cap with more decimals than its ``digits``.
    These are the validator's warnings; the property kit adds no checks of its own here.

    Args:
        rubric: a rubric.

    Returns:
        One message per problem, each starting with the address (or TOML path); empty when all
        is well.
    """
    return [f"{p.address or p.path or 'rubric'}: {p.message}" for p in validate(rubric)]


def _static(rubric: Rubric) -> None:
    check_totals(rubric, groups(rubric))
    try:
        again = loads_rubric(dumps_rubric(rubric))
    except (RubricError, TypeError, ValueError) as exc:
        raise PropertyFailure("round-trip", f"dumps_rubric output does not load back: {exc}") from None
    if again != rubric:
        raise PropertyFailure("round-trip", "loads_rubric(dumps_rubric(rubric)) differs from the rubric")
    problems = check_structure(rubric)
    if problems:
        address = problems[0].split(":", 1)[0]
        raise PropertyFailure("structure", "\n  ".join(problems), address=address)


# --- properties of one score card ----------------------------------------------------------


def check_scoring(
    rubric: Rubric, sheet: Sheet | Mapping[str, Any], *, rng: random.Random | None = None
) -> ScoreCard:
    """Score one valid *sheet* and check every scoring property of `PROPERTIES` on the card.

    Use this inside your own hypothesis tests (``@given(sheets(rubric))``); `check_rubric`
    calls it for every sheet it generates.

    Args:
        rubric: a valid rubric.
        sheet: a valid sheet, or a mapping from leaf address to answer.
        rng: if given, the answers are also scored in an order shuffled with it (they are
            always scored reversed and sorted too).

    Returns:
        The score card.

    Raises:
        PropertyFailure: a property does not hold; the message names it, the address and the
            answers.
    """
    answers = dict(sheet.answers if isinstance(sheet, Sheet) else sheet)
    card = _score(rubric, sheet)
    # Answers scored again (reordered, one changed) keep the sheet's stage.
    info = sheet.info if isinstance(sheet, Sheet) else None
    checker = _CardChecker(rubric, answers, card)
    checker.items()
    checker.groups()
    checker.gates_and_level()
    checker.unanswered()
    _check_order(rubric, answers, card, rng, info)
    _check_monotone(rubric, answers, card, checker, info)
    return card


# --- the entry point -----------------------------------------------------------------------


def check_rubric(
    rubric: Rubric | str | PathLike[str],
    *,
    max_examples: int | None = None,
    settings: hypothesis.settings | None = None,
) -> CheckReport:
    """Check *rubric* and its scoring against every property of `PROPERTIES`.

    Args:
        rubric: a `Rubric`, the path of a rubric file, or a shipped rubric's name
            (``"district"``, as `conserv_rubric.load_rubric` reads it).
        max_examples: how many generated sheets to score (default: the current hypothesis
            profile's ``max_examples``).
        settings: hypothesis settings to start from (default: the current profile); the
            deadline is always lifted, since a big rubric takes a while to check.

    Returns:
        What was checked: the rubric's title, its leaves, the examples run and the properties.

    Raises:
        PropertyFailure: a property does not hold (after hypothesis has shrunk the example).
    """
    resolved = _resolve(rubric)
    _static(resolved)
    parent = settings if settings is not None else hypothesis.settings()
    changes: dict[str, Any] = {
        "deadline": None,
        "suppress_health_check": [
            *parent.suppress_health_check,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        # one failure, shrunk, rather than a group of them
        "report_multiple_bugs": False,
    }
    if max_examples is not None:
        changes["max_examples"] = max_examples
    examples = 0

    @hypothesis.settings(parent, **changes)
    @hypothesis.given(strategies.sheets(resolved), st.randoms(use_true_random=False))
    def run(sheet: Sheet, rng: random.Random) -> None:
        nonlocal examples
        examples += 1
        check_scoring(resolved, sheet, rng=rng)

    run()
    return CheckReport(
        title=resolved.title,
        leaves=len(compiled(resolved).leaves),
        examples=examples,
        properties=PROPERTIES,
    )
