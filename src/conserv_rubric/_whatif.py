"""What-if under another edition: the same sheets rolled up under two rubrics, and who moves.

Comparing last year's edition with this year's, or the province's standard with the district's,
is on purpose (DESIGN §14), so the two roll-ups may name different rubric hashes; what they must
share is the rows: the same roster and sheets. Rolled up under another edition, each agency's
counting sheet drops the answers at addresses that edition lacks (an item it removed), so they
show as items present in one edition only, rather than failing the sheet.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ._compiled import compiled
from ._provenance import provenance
from ._rollup import rollup
from ._rollup_model import SCHEMA_VERSION, ItemChange, Rollup, Summary
from ._roster import Roster, RosterEntry
from ._score import ScoreCard
from ._sheet import Sheet
from .errors import Problem, RubricError
from .model import Rubric


@attrs.frozen
class LevelChange:
    """An agency whose level differs between the two editions, with the items that moved it.

    Attributes:
        counted: whether the agency is in the denominator.
        base_reached, other_reached: whether it reaches the level counted under each edition.
        items: the items scored differently (absent from one edition: None there), in the base
            edition's order, then the other's new items.
    """

    agency: str
    code: str | None
    counted: bool
    stage: str | None
    file: str | None
    base_total: Decimal
    other_total: Decimal
    base_level: str | None
    other_level: str | None
    base_reached: bool
    other_reached: bool
    items: tuple[ItemChange, ...]


@attrs.frozen
class Comparison:
    """Two roll-ups of the same sheets under two rubrics.

    Attributes:
        base: the roll-up under the rubric counted (RUBRIC).
        other: the roll-up under the other edition (``--compare``).
        changes: the agencies whose level differs, in roster order.
    """

    base: Rollup = attrs.field(repr=False)
    other: Rollup = attrs.field(repr=False)
    changes: tuple[LevelChange, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: schema_version, base and other (provenance, reached, share, goals), changes."""

        def side(r: Rollup) -> dict[str, Any]:
            s: Summary = r.summary
            goals = [attrs.asdict(g) for g in s.goals]
            for g in goals:
                g["by"] = g["by"].isoformat()
            return {
                "provenance": provenance(r.rubric),
                "level": r.level,
                "reached": s.reached,
                "share": s.share,
                "goals": goals,
            }

        return {
            "schema_version": SCHEMA_VERSION,
            "base": side(self.base),
            "other": side(self.other),
            "changes": [
                {**attrs.asdict(c, recurse=False), "items": [attrs.asdict(i) for i in c.items]}
                for c in self.changes
            ],
        }


def _items(base: ScoreCard, other: ScoreCard) -> tuple[ItemChange, ...]:
    out = []
    theirs = other.items
    for address, mine in base.items.items():
        found = theirs.get(address)
        if found is None:
            out.append(ItemChange(address, mine.text, mine.points, None, None))
        elif found.points != mine.points:
            out.append(ItemChange(address, mine.text, mine.points, found.points, found.points - mine.points))
    out.extend(
        ItemChange(address, r.text, None, r.points, None)
        for address, r in theirs.items()
        if address not in base.items
    )
    return tuple(out)


def for_edition(sheet: Sheet, rubric: Rubric) -> Sheet:
    """*sheet* for another edition: answers, evidence and notes at addresses *rubric* lacks left out."""
    c = compiled(rubric)
    known = c.item_addresses | set(c.leaves)
    return attrs.evolve(
        sheet,
        # The sheet names the edition it was filled in for; the what-if scores it under another on purpose.
        info=attrs.evolve(sheet.info, rubric=None, rubric_hash=None),
        answers={a: v for a, v in sheet.answers.items() if a in c.leaves},
        evidence={a: v for a, v in sheet.evidence.items() if a in known},
        notes={a: v for a, v in sheet.notes.items() if a in known},
    )


def compare(base: Rollup, other: Rollup | Rubric) -> Comparison:
    """The agencies whose level changes between two roll-ups of the same sheets, and why.

    Args:
        base: the roll-up under one rubric.
        other: the roll-up of the same roster and sheets under another rubric (another edition,
            or the province's standard against the district's); or that rubric itself, under
            which *base*'s counting sheets are rolled up with *base*'s plan, roster and year
            (answers, evidence and notes at addresses the other rubric lacks are left out, and
            the items they belong to show as present in one edition only).

    Returns:
        The comparison: per agency whose level differs, both totals, both levels and the items
        scored differently.

    Raises:
        RubricError: the two roll-ups have different rows (another roster or other sheets), or
            the plan cannot count the other rubric (it lacks the plan's level or a stage).
    """
    if isinstance(other, Rubric):
        cards = [a.card for a in base.agencies if a.card is not None]
        sheets = [for_edition(c.sheet, other) for c in cards if c.sheet is not None]
        plan = base.plan.for_rubric(other) if base.plan is not None else None
        # Without a roster, base's rows (one per agency by name) stand in for it, so the rows agree.
        roster = base.roster or Roster(agencies=tuple(RosterEntry(agency=a.agency) for a in base.agencies))
        other = rollup(other, sheets, plan=plan, roster=roster, year=base.year)
    if [a.agency for a in base.agencies] != [a.agency for a in other.agencies]:
        message = (
            "the two roll-ups count different agencies; roll up the same roster and sheets under both rubrics"
        )
        raise RubricError([Problem(message=message)])
    changes = []
    for a, b in zip(base.agencies, other.agencies, strict=True):
        if a.card is None or b.card is None or a.total is None or b.total is None:
            continue
        if a.level == b.level and a.reached == b.reached:
            continue
        changes.append(
            LevelChange(
                a.agency,
                a.code,
                a.counted,
                a.stage,
                a.file,
                a.total,
                b.total,
                a.level,
                b.level,
                a.reached,
                b.reached,
                _items(a.card, b.card),
            )
        )
    return Comparison(base, other, tuple(changes))
