"""Files that are plainly another of the year's documents, not a sheet: a roster, a plan, a rubric.

An office keeps its 名录, its 创建行动方案 and its 评价标准 near the sheets, and copies of them end up
among the sheets (last year's roster, the plan sent round with the template). Read as sheets, a
roster is one broken sheet per agency and a plan a list of unknown tables; recognised by their
shape, each is refused once, with what it is, and a roll-up lists it as skipped.

The shapes are ones no sheet has: a CSV header of roster columns only, with 上级单位 or 类型 (a
sheet has neither column); a document without ``[sheet]`` or ``[answers]`` holding ``agencies``,
a plan's ``goals`` or ``schedule`` with its ``[rubric]``, or a rubric's ``units``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Final

from .errors import Problem, SheetError

ROSTER: Final = "a roster (名录), not a sheet: give it to rollup --roster, or move it out of the sheets"
PLAN: Final = "a plan (创建行动方案), not a sheet: give it with --plan, or move it out of the sheets"
RUBRIC: Final = "a rubric (评价标准), not a sheet: move it out of the sheets"
#: A roster's CSV columns (as read from English or Chinese headers), and those no sheet has.
_ROSTER_COLUMNS: Final = frozenset({"agency", "parent", "type", "code"})
_ROSTER_ONLY: Final = frozenset({"parent", "type"})


def skip_reason(exc: SheetError) -> str | None:
    """What the file is, when *exc* refused it as another document of the year; else None.

    The refusal is a plain `SheetError` (what `load_sheet` raises for every file it cannot read);
    its one problem's message says what the file is.
    """
    if len(exc.problems) == 1 and exc.problems[0].message in (ROSTER, PLAN, RUBRIC):
        return exc.problems[0].message
    return None


def check_csv_header(columns: Collection[str], file: str | None) -> None:
    """Refuse a CSV header of roster columns (already read as ``agency``, ``parent`` …).

    Raises:
        SheetError: the header is a roster's.
    """
    names = set(columns) - {""}
    if "agency" in names and names & _ROSTER_ONLY and names <= _ROSTER_COLUMNS:
        raise SheetError([Problem(file=file, line=1, message=ROSTER)])


def check_document(doc: Mapping[str, Any], file: str | None) -> None:
    """Refuse a TOML or JSON document that is a roster, a plan or a rubric.

    Raises:
        SheetError: the document has no ``sheet`` or ``answers`` and is shaped as one of them.
    """
    if "sheet" in doc or "answers" in doc:
        return
    if "agencies" in doc:
        message = ROSTER
    elif "rubric" in doc and ("goals" in doc or "schedule" in doc):
        message = PLAN
    elif "units" in doc:
        message = RUBRIC
    else:
        return
    raise SheetError([Problem(file=file, message=message)])
