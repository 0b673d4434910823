"""Errors raised by conserv_rubric, all under `RubricError`.

Every error carries the problems found, each of which names the file, the location (a TOML
key path such as ``units[1].projects[0].items[2]``, a line and column, a sheet address, or a
workbook cell such as ``自评打分表!G14``) and what was expected, so that the file can be fixed
from the message alone.

A hostile file cannot make the report itself the attack (DESIGN §4): an error keeps at most
`MAX_PROBLEMS` problems of each severity and ends with one that counts the rest ("… and 40 more
problems"), and every text of a problem is clipped to `MAX_MESSAGE` characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import attrs

from ._frozen import Frozen
from ._limits import MAX_MESSAGE, MAX_PROBLEMS

__all__ = ["Problem", "RubricError", "SheetError"]

_Severity = Literal["error", "warning"]
#: How much of a clipped text is kept before the ellipsis; the rest of the room is its end.
_HEAD = MAX_MESSAGE * 4 // 5


def _clip(text: str) -> str:
    """*text* cut in the middle to `MAX_MESSAGE` characters: the start and the end say most."""
    if len(text) <= MAX_MESSAGE:
        return text
    return f"{text[:_HEAD]}…{text[len(text) - (MAX_MESSAGE - _HEAD - 1) :]}"


def _clip_or_none(text: str | None) -> str | None:
    return None if text is None else _clip(text)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Problem(Frozen):
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

    message: str = attrs.field(converter=_clip)
    file: str | None = None
    path: str | None = attrs.field(default=None, converter=_clip_or_none)
    address: str | None = attrs.field(default=None, converter=_clip_or_none)
    label: str | None = attrs.field(default=None, converter=_clip_or_none)
    line: int | None = None
    column: int | None = None
    cell: str | None = None
    expected: str | None = attrs.field(default=None, converter=_clip_or_none)
    actual: str | None = attrs.field(default=None, converter=_clip_or_none)
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


@attrs.frozen(kw_only=True, repr=False, eq=False)
class _Omitted(Problem):
    """The last problem of a capped list: how many more of its severity were found."""

    count: int


def _omitted(count: int, severity: _Severity, file: str | None) -> _Omitted:
    what = "warnings" if severity == "warning" else "problems"
    return _Omitted(message=f"… and {count} more {what}", count=count, severity=severity, file=file)


def _total(problems: Iterable[Problem]) -> int:
    """How many problems *problems* stand for, those a capped list only counted included."""
    return sum(p.count if isinstance(p, _Omitted) else 1 for p in problems)


class _Problems:
    """A list of problems that keeps at most *cap* of each severity and counts the rest.

    Problems past the cap are counted, not kept, and code that builds a costly message (a
    suggestion search) can ask `full` first and only `count` the problem. A capped list added
    again (a `RubricError`'s problems re-raised with their file) keeps its count, so the total
    stays right however often problems are passed on.
    """

    def __init__(self, problems: Iterable[Problem] = (), *, cap: int = MAX_PROBLEMS) -> None:
        self._cap = cap
        self._kept: list[Problem] = []
        self._count: dict[_Severity, int] = {"error": 0, "warning": 0}
        self._more: dict[_Severity, int] = {"error": 0, "warning": 0}
        self._file: dict[_Severity, str | None] = {"error": None, "warning": None}
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        """Keep *problem*, or count it if its severity has reached the cap."""
        severity = problem.severity
        if isinstance(problem, _Omitted):
            self.count(problem.count, severity, problem.file)
        elif self._count[severity] < self._cap:
            self._count[severity] += 1
            self._kept.append(problem)
        else:
            self.count(1, severity, problem.file)

    def extend(self, problems: Iterable[Problem]) -> None:
        """`append` each of *problems*."""
        for problem in problems:
            self.append(problem)

    def full(self, severity: _Severity = "error") -> bool:
        """Whether a problem of *severity* would only be counted."""
        return self._count[severity] >= self._cap

    def count(self, n: int = 1, severity: _Severity = "error", file: str | None = None) -> None:
        """Count *n* problems of *severity* that are not kept (in *file*, if known)."""
        self._more[severity] += n
        if file is not None:
            self._file[severity] = file

    @property
    def total(self) -> int:
        """How many problems were added, kept or counted."""
        return len(self._kept) + sum(self._more.values())

    def __bool__(self) -> bool:
        return self.total > 0

    def list(self) -> list[Problem]:
        """The problems kept, in order, then one per severity saying how many more there were."""
        tail = [_omitted(n, s, self._file[s]) for s, n in self._more.items() if n]
        return [*self._kept, *tail]


class RubricError(ValueError):
    """A rubric (or anything else given to conserv_rubric) is not usable.

    Attributes:
        problems: every problem found, not only the first, up to `MAX_PROBLEMS` (100) of each
            severity; when there were more, the last problem says how many (``… and 40 more
            problems``).
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(_Problems(problems).list())
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str | None:
        """The file of the first problem, if any."""
        return self.problems[0].file if self.problems else None

    def __reduce__(self) -> tuple[type[RubricError], tuple[tuple[Problem, ...]]]:
        # The default would call __init__ with the message: a process pool's worker could not
        # hand back the error of a sheet (the pool broke instead).
        return (type(self), (self.problems,))


class SheetError(RubricError):
    """An answer sheet does not fit its rubric: unknown address, wrong shape, bad value."""
