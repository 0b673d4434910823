"""Self-assessment against verification: the items whose points the verifier changed."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import attrs

from ._exact import exactly
from ._provenance import Provenance
from ._score import ScoreCard
from ._sheet import Sheet
from ._text import argument
from .errors import Problem, RubricError

__all__ = ["ItemDiff", "SheetDiff", "diff"]


@attrs.frozen
class ItemDiff:
    """One item scored differently; *difference* is verified minus self-assessed points."""

    address: str
    text: str
    max: Decimal
    self_points: Decimal
    verified_points: Decimal
    difference: Decimal
    self_reason: str
    verified_reason: str


@attrs.frozen
class SheetDiff:
    """A self-assessed and a verified score card of one rubric, compared.

    Attributes:
        items: exactly the items whose points differ, in rubric order.
        difference: verified total minus self-assessed total.
        self_level: the level the self-assessment reached (None: none).
        verified_level: the level the verification reached.
        self_verdict: what the self-assessment reached, in the words of `ScoreCard.verdict`.
        verified_verdict: what the verification reached, likewise.
        self_stage, verified_stage: the two sheets' stages, in the rubric's order (``"self"``
            and ``"verified"`` by default); None for a card scored without a sheet.
        provenance: the rubric and library both cards were scored with (DESIGN §14).
    """

    rubric: str
    agency: str | None
    max: Decimal
    self_total: Decimal
    verified_total: Decimal
    difference: Decimal
    self_level: str | None
    verified_level: str | None
    self_passed: bool
    verified_passed: bool
    self_verdict: str
    verified_verdict: str
    items: tuple[ItemDiff, ...]
    self_stage: str | None = None
    verified_stage: str | None = None
    provenance: Provenance | None = None


def _agency(name: str) -> str:
    """An agency's name as two sheets of it are matched (DESIGN §9): NFKC, trimmed."""
    return unicodedata.normalize("NFKC", name).strip()


def _where(sheet: Sheet) -> str:
    if sheet.file is None:
        return "not from a file"
    return f"{sheet.file}:{sheet.row}" if sheet.row is not None else sheet.file


def _mismatches(mine: Sheet, theirs: Sheet, order: tuple[str, ...]) -> list[Problem]:
    """What makes two sheets no pair of stages of one agency's assessment, each problem
    located in the second sheet (a stage order in the first, which is out of place)."""
    problems = []
    first = _where(mine)
    if _agency(mine.info.agency) != _agency(theirs.info.agency):
        message = (
            f"the agency is '{theirs.info.agency}', the first sheet's ({first}) is '{mine.info.agency}'; "
            "diff compares two stages of one agency"
        )
        problems.append(Problem(path="sheet.agency", message=message, file=theirs.file, line=theirs.row))
    if mine.info.year != theirs.info.year:
        years = ["not given" if y is None else str(y) for y in (theirs.info.year, mine.info.year)]
        message = (
            f"the year is {years[0]}, the first sheet's ({first}) is {years[1]}; "
            "diff compares two stages of one year"
        )
        problems.append(Problem(path="sheet.year", message=message, file=theirs.file, line=theirs.row))
    stages = [s for s in (mine.info.stage, theirs.info.stage) if s not in order]
    if stages:
        known = ", ".join(repr(s) for s in order)
        message = f"stage '{stages[0]}' is none of {known}; diff cannot tell which sheet is the later"
        problems.append(Problem(path="sheet.stage", message=message, file=theirs.file, line=theirs.row))
        return problems
    earlier, later = order.index(mine.info.stage), order.index(theirs.info.stage)
    if earlier == later:
        message = (
            f"both sheets are at stage '{theirs.info.stage}' (the first: {first}); diff takes an "
            f"earlier stage, then a later one: {', then '.join(repr(s) for s in order)}"
        )
        problems.append(Problem(path="sheet.stage", message=message, file=theirs.file, line=theirs.row))
    elif earlier > later:
        message = (
            f"stage '{mine.info.stage}' comes after the second sheet's '{theirs.info.stage}' "
            f"({_where(theirs)}); give the '{theirs.info.stage}' sheet first"
        )
        problems.append(Problem(file=mine.file, line=mine.row, path="sheet.stage", message=message))
    return problems


def _card_argument(card: object, name: str) -> None:
    if not isinstance(card, ScoreCard):
        message = f"diff() takes two ScoreCards (from score()); {name} is {argument(card)}"
        raise RubricError([Problem(message=message)])


@exactly
def diff(self_card: ScoreCard, verified_card: ScoreCard) -> SheetDiff:
    """Compare a self-assessed card with the verified card of the same agency and rubric.

    The two cards must be of one agency (names compared after NFKC normalisation and
    trimming), one year and one rubric, and their stages in the order the rubric declares (by
    default self, then verified). A
    card scored from bare answers, without a `Sheet`, has no agency, year or stage to compare
    and is not checked for them.

    Args:
        self_card: the agency's own scoring (自评).
        verified_card: the verifier's scoring (核查) against the same rubric.

    Returns:
        The items whose points differ, with both reasons, and both totals and levels.

    Raises:
        RubricError: the cards were scored against different rubrics, or their sheets are of
            different agencies or years, or their stages are not in order; every such problem
            is listed.
    """
    _card_argument(self_card, "self_card")
    _card_argument(verified_card, "verified_card")
    mine, theirs = self_card.items, verified_card.items
    same = self_card.rubric is verified_card.rubric or self_card.rubric == verified_card.rubric
    if not same:
        message = "the two score cards were scored against different rubrics; compare cards of one rubric"
        raise RubricError([Problem(message=message)])
    if self_card.sheet is not None and verified_card.sheet is not None:
        problems = _mismatches(self_card.sheet, verified_card.sheet, self_card.rubric.stages)
        if problems:
            raise RubricError(problems)
    items = tuple(
        ItemDiff(a, r.text, r.max, r.points, v.points, v.points - r.points, r.reason, v.reason)
        for a, r in mine.items()
        if (v := theirs[a]).points != r.points
    )
    sheet = self_card.sheet or verified_card.sheet
    return SheetDiff(
        self_card.rubric.title,
        sheet.info.agency if sheet is not None else None,
        self_card.max,
        self_card.total,
        verified_card.total,
        verified_card.total - self_card.total,
        self_card.level,
        verified_card.level,
        self_card.passed,
        verified_card.passed,
        self_card.verdict,
        verified_card.verdict,
        items,
        self_card.sheet.info.stage if self_card.sheet is not None else None,
        verified_card.sheet.info.stage if verified_card.sheet is not None else None,
        self_card.provenance,
    )
