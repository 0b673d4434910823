"""Errors raised by conserv_rubric, all under `RubricError`.

Every error carries the problems found, each of which names the file, the location (a TOML
key path such as ``units[1].projects[0].items[2]``, a line and column, a sheet address, or a
workbook cell such as ``自评打分表!G14``) and what was expected, so that the file can be fixed
from the message alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import attrs

__all__ = ["Problem", "RubricError", "SheetError"]


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with a rubric or a sheet.

    Attributes:
        message: what is wrong, in one line.
        file: the file it was found in, if any.
        path: the TOML key path (``units[1].items[0]``), if known.
        address: the dotted rubric address (``2.2.1``), if the problem belongs to a node.
        label: how the node is named in the message (``unit 2 完善制度体系``).
        line: 1-based line of a syntax error.
        column: 1-based column of a syntax error.
        cell: the workbook cell the problem was found in (``自评打分表!G14``), for a workbook.
        expected: what was expected, if the problem is a mismatch.
        actual: what was found.
        severity: ``"error"`` (the input cannot be used) or ``"warning"`` (it can, but is
            likely a mistake; ``check --strict`` fails on it).
    """

    message: str
    file: str | None = None
    path: str | None = None
    address: str | None = None
    label: str | None = None
    line: int | None = None
    column: int | None = None
    cell: str | None = None
    expected: str | None = None
    actual: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        head: list[str] = []
        if self.file is not None:
            head.append(self.file)
        if self.line is not None:
            head.append(str(self.line))
            if self.column is not None:
                head.append(str(self.column))
        where = self.path
        name = self.cell or self.label or self.address
        if name is not None:
            where = f"{name} ({self.path})" if self.path else name
        if where:
            head.append(f" {where}" if head else where)
        prefix = ":".join(head)
        message = f"warning: {self.message}" if self.severity == "warning" else self.message
        return f"{prefix}: {message}" if prefix else message

    def with_file(self, file: str | None) -> Problem:
        """This problem, located in *file*."""
        return attrs.evolve(self, file=file)


class RubricError(ValueError):
    """A rubric (or anything else given to conserv_rubric) is not usable.

    Attributes:
        problems: every problem found, not only the first.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str | None:
        """The file of the first problem, if any."""
        return self.problems[0].file if self.problems else None


class SheetError(RubricError):
    """An answer sheet does not fit its rubric: unknown address, wrong shape, bad value."""
