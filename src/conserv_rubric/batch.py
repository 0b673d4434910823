"""Batches that stream: score a province's sheets, or the nation's, one at a time.

::

    from conserv_rubric import load_rubric
    from conserv_rubric.batch import score_many

    rubric = load_rubric("rubrics/district.toml")
    for result in score_many(rubric, "sheets.csv"):  # a CSV file of any size
        ...  # a ScoreCard, or the SheetError of a row that cannot be scored

Nothing is collected: each sheet is read, scored and handed on before the next one is read,
so memory stays flat however many sheets there are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._batch import iter_sheets
from ._score import ScoreCard, score
from ._score_args import _as_rubric
from ._sheet import Sheet
from ._text import describe
from .errors import Problem, SheetError
from .model import Rubric

if TYPE_CHECKING:
    from ._energy_model import Coefficients

__all__ = ["iter_sheets", "score_many"]


def score_many(
    rubric: Rubric, sheets: Iterable[Sheet | Mapping[str, Any] | SheetError] | str | os.PathLike[str]
) -> Iterator[ScoreCard | SheetError]:
    """Score every sheet of *sheets* against *rubric*, lazily and in order.

    Each sheet is scored when the next result is asked for, so an iterable that reads its
    sheets one at a time (or a CSV file of any size) is scored in flat memory. A sheet that
    cannot be read or scored costs itself: its `SheetError` takes its place, and the sheets
    after it are still scored.

    Args:
        rubric: a validated rubric (from `conserv_rubric.load_rubric`).
        sheets: `Sheet`\\ s or mappings from leaf address to answer (a `SheetError` in it is
            handed on as it is), or the path of a sheet file: ``.toml`` or ``.json`` (one
            sheet), or ``.csv`` (a sheet per row, read a row at a time; see `iter_sheets`).

    Returns:
        An iterator of a `ScoreCard` for each sheet scored and a `SheetError` for each sheet,
        row or file that could not be, in input order.

    Raises:
        RubricError: *rubric* is not a `Rubric` (raised at once, not at the first sheet; a
            `SheetError`: *sheets* is neither an iterable of sheets nor a path, e.g. one sheet).
    """
    checked = _as_rubric(rubric, "score_many")
    if isinstance(sheets, str | os.PathLike):
        return _scored(checked, iter_sheets(os.fspath(sheets)))
    if isinstance(sheets, Sheet | Mapping) or not isinstance(sheets, Iterable):
        hint = "; for one sheet: score_many(rubric, [sheet])" if isinstance(sheets, Sheet | Mapping) else ""
        takes = "score_many() takes an iterable of sheets or the path of a sheet file"
        raise SheetError([Problem(message=f"{takes}, not {describe(sheets)}{hint}")])
    return _scored(checked, sheets)


def _scored(
    rubric: Rubric,
    sheets: Iterable[Sheet | Mapping[str, Any] | SheetError],
    coefficients: Coefficients | None = None,
) -> Iterator[ScoreCard | SheetError]:
    """Each of *sheets* scored, or its error (a `SheetError` in *sheets* handed on), in order:
    the one loop behind `score_many`, the command line's batches and the DuckDB engine's
    fall-back to Python."""
    for sheet in sheets:
        if isinstance(sheet, SheetError):
            yield sheet
            continue
        try:
            yield score(rubric, sheet, coefficients=coefficients)
        except SheetError as exc:
            yield exc
