"""What `score` and `check_sheet` take: the arguments checked, a sheet's ``[energy]`` read, and
problems located in a workbook's cells; and `check_sheet` itself, which stops there."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._answers import check_answers
from ._compiled import Compiled, compiled
from ._sheet import Sheet, SheetInfo
from ._text import argument
from .errors import Problem, RubricError, SheetError
from .model import Rubric

if TYPE_CHECKING:
    from ._energy_model import Coefficients
    from ._energy_score import Derived


def _as_sheet(sheet: object, call: str) -> Sheet:
    """*sheet* as a `Sheet`: a mapping of answers is wrapped; anything else is refused."""
    if isinstance(sheet, Sheet):
        return sheet
    if isinstance(sheet, Mapping):
        return Sheet(info=SheetInfo(agency=""), answers=dict(sheet))
    message = f"{call}() takes a Sheet or a mapping from address to answer, not {argument(sheet)}"
    if isinstance(sheet, str | os.PathLike):
        message += f"; read the file first: {call}(rubric, load_sheet(path))"
    raise SheetError([Problem(message=message)])


def _as_rubric(rubric: object, call: str) -> Rubric:
    if isinstance(rubric, Rubric):
        return rubric
    got = argument(rubric)
    hint = ""
    if isinstance(rubric, str | os.PathLike):
        hint = f"; load it first: {call}(load_rubric(path), sheet)"
    raise RubricError([Problem(message=f"{call}() takes a Rubric as its first argument, not {got}{hint}")])


def _as_coefficients(table: object) -> None:
    """Refuse anything but a coefficient table (a name is loaded with `load_coefficients` first)."""
    from ._energy_model import Coefficients  # noqa: PLC0415 - kept off start-up: only a table needs it

    if not isinstance(table, Coefficients):
        hint = "; load it first: load_coefficients(name)" if isinstance(table, str | os.PathLike) else ""
        message = f"coefficients= takes a table from load_coefficients(), not {argument(table)}{hint}"
        raise RubricError([Problem(message=message)])


def _from_energy(
    c: Compiled, sheet: Sheet, coefficients: Coefficients | None
) -> tuple[Derived | None, Sheet, list[Problem]]:
    """*sheet* with its bound flags answered from its ``[energy]``; a sheet without one as it is."""
    if sheet.energy is None:
        return None, sheet, []
    from ._energy_score import derive  # noqa: PLC0415 - kept off start-up: only [energy] needs it

    derived, problems = derive(c.leaves, sheet, coefficients, c.rubric.title)
    if derived is None:
        return None, sheet, problems
    return derived, attrs.evolve(sheet, answers={**sheet.answers, **derived.answers}), problems


def _located(sheet: Sheet, problems: list[Problem]) -> list[Problem]:
    """*problems*, each with the workbook cell its path was read from (a workbook's sheet only)."""
    cells = sheet.cells
    return [attrs.evolve(p, cell=cells[p.path]) if p.path in cells else p for p in problems]


def check_sheet(rubric: Rubric, sheet: Sheet | Mapping[str, Any]) -> list[Problem]:
    """Every problem with *sheet*'s answers for *rubric* (unknown addresses, wrong shapes …).

    Args:
        rubric: a validated rubric.
        sheet: a `Sheet`, or a mapping from leaf address to answer.

    Returns:
        The problems `score` would raise, in order; empty when the sheet can be scored.

    Raises:
        RubricError: *rubric* is not a `Rubric` (a `SheetError`: *sheet* is neither a `Sheet`
            nor a mapping, e.g. a path not yet read with `load_sheet`).
    """
    c = compiled(_as_rubric(rubric, "check_sheet"))
    given = _as_sheet(sheet, "check_sheet")
    _, given, energy_problems = _from_energy(c, given, None)
    return _located(given, energy_problems + check_answers(c.leaves, c.item_addresses, given)[1])
