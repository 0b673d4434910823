"""A sheet's ``[expect]`` table: the result its author expects it to score (scenario tests).

The sheet loader reads the table into an `Expectation`, with the strict converter's checks and
messages; scoring ignores it. ``conserv-rubric test`` compares it with the score card
(`conserv_rubric._scenarios`), where the addresses and the level are checked against the rubric.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ._convert import structure
from ._frozen import Frozen
from ._text import describe
from .errors import Problem, RubricError


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Expectation(Frozen):
    """The ``[expect]`` table of a sheet: what it should score. A key left out is not checked."""

    #: The total the sheet should score.
    total: Decimal | None = None
    #: The level it should reach (a level's ``name``); ``passed = false`` says it reaches none.
    level: str | None = None
    #: Whether it should pass: reach a level (for a rubric without levels: fail no gate).
    passed: bool | None = None
    #: Unit address → the points the unit should score.
    units: dict[str, Decimal] = attrs.field(factory=dict, hash=False)
    #: Project address → the points the project should score.
    projects: dict[str, Decimal] = attrs.field(factory=dict, hash=False)
    #: Item address → the points the item should score.
    items: dict[str, Decimal] = attrs.field(factory=dict, hash=False)

    def is_empty(self) -> bool:
        """Whether the table checks nothing."""
        return (
            self.total is None
            and self.level is None
            and self.passed is None
            and not (self.units or self.projects or self.items)
        )


def read_expect(value: object, file: str | None, path: str) -> tuple[Expectation | None, list[Problem]]:
    """The `Expectation` of an ``[expect]`` table (None when absent), or the problems with it.

    Args:
        value: the table as parsed, or None when the sheet has none.
        file: the sheet's file, for the problems.
        path: the table's key path (``expect``).
    """
    if value is None:
        return None, []
    if not isinstance(value, dict):
        return None, [Problem(file=file, path=path, message=f"expected a table, got {describe(value)}")]
    table: dict[str, Any] = value
    try:
        expectation: Expectation = structure(table, Expectation, path)
    except RubricError as exc:
        return None, [p.with_file(file) for p in exc.problems]
    return expectation, []
