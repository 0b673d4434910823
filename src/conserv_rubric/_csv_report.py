"""CSV reports for Excel and WPS (DESIGN §10): score cards and roll-ups, one row per agency.

Every text cell goes through `csv_cell`, so nothing a sheet or rubric holds is run as a formula;
numbers stay numbers. The header is English (what programs read) or Chinese (``headers="zh"``,
`_headers.ZH`); the columns are the same. Each row ends with where it came from (``file``,
``line``) and what produced it (``rubric_hash``, ``library``), so a table passed on by e-mail
still says which edition of the rubric scored it. The byte order mark Excel needs is added
where the file is written (`_output.emit`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from ._compiled import compiled
from ._headers import Headers, header_row
from ._provenance import provenance_of
from ._rollup_model import Rollup
from ._score import GateResult, ScoreCard
from ._text import csv_cell, fmt
from .errors import Problem, RubricError
from .model import Rubric

#: The columns of a score table before the units, as in a CSV sheet.
CARD_HEAD = ("agency", "code", "year", "stage", "assessor", "date")
#: The columns after the units.
CARD_TAIL = ("total", "max", "level", "passed", "failed_gates", "file", "line", "rubric_hash", "library")
#: The columns of a roll-up table before the units.
ROLLUP_HEAD = ("agency", "code", "parent", "type", "counted", "stage", "file", "line", "date")
#: The columns after the units.
ROLLUP_TAIL = ("total", "level", "passed", "reached", "failed_gates", "rubric_hash", "library")
#: Between the failed gates of one row: each gate's reason starts with its address.
GATE_SEPARATOR = "；"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(cell) for cell in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def _gates(gates: Sequence[GateResult]) -> str:
    return GATE_SEPARATOR.join(g.reason for g in gates)


def _flag(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


def _card_header(units: Sequence[tuple[str, str]], headers: Headers) -> list[str]:
    return header_row([*CARD_HEAD, *(f"{a} {t}" for a, t in units), *CARD_TAIL], headers)


def cards_csv_header(rubric: Rubric, headers: Headers = "en") -> str:
    """The header line `cards_csv` writes above cards scored against *rubric*, its unit columns
    included: what a streamed report writes first, whether any card follows or none does."""
    units = [(a, u.title) for a, u in compiled(rubric).unit_nodes]
    return _table(_card_header(units, headers), [])


def cards_csv(cards: Sequence[ScoreCard], headers: Headers = "en") -> str:
    """Score cards as one CSV table: the sheet's columns, one per unit, the results, the source.

    Raises:
        RubricError: the cards were scored against different rubrics (their units differ).
    """
    units = [(u.address, u.title) for u in cards[0].units] if cards else []
    rows = []
    stamps: dict[int, tuple[str, str]] = {}  # by rubric object: a batch has one
    for card in cards:
        if [(u.address, u.title) for u in card.units] != units:
            message = "cards scored against different rubrics cannot share one CSV table"
            raise RubricError([Problem(message=message)])
        sheet = card.sheet
        info = sheet.info if sheet is not None else None
        meta = [""] * len(CARD_HEAD)
        if info is not None:
            year = "" if info.year is None else str(info.year)
            day = info.date.isoformat() if info.date is not None else ""
            meta = [info.agency, info.code or "", year, info.stage, info.assessor or "", day]
        source = ["", ""]
        if sheet is not None:
            source = [sheet.file or "", "" if sheet.row is None else str(sheet.row)]
        stamp = stamps.get(id(card.rubric))
        if stamp is None:
            p = provenance_of(card.rubric)
            stamp = stamps[id(card.rubric)] = (p.hash, p.library)
        rows.append(
            [
                *meta,
                *(fmt(u.points) for u in card.units),
                fmt(card.total),
                fmt(card.max),
                card.level or "",
                _flag(card.passed),
                _gates(card.failed_gates),
                *source,
                *stamp,
            ]
        )
    return _table(_card_header(units, headers), rows)


def rollup_csv(r: Rollup, headers: Headers = "en") -> str:
    """A roll-up as one CSV table: one row per roster agency, with its counting sheet's results."""
    unit_columns = [f"{u.address} {u.title}" for u in r.units]
    p = provenance_of(r.rubric)
    rows = []
    for a in r.agencies:
        card = a.card
        points = [fmt(u.points) for u in card.units] if card is not None else [""] * len(unit_columns)
        rows.append(
            [
                a.agency,
                a.code or "",
                a.parent or "",
                a.type or "",
                _flag(a.counted),
                a.stage or "",
                a.file or "",
                "" if a.line is None else str(a.line),
                a.date.isoformat() if a.date else "",
                *points,
                "" if a.total is None else fmt(a.total),
                a.level or "",
                _flag(a.passed),
                _flag(a.reached),
                _gates(card.failed_gates) if card is not None else "",
                p.hash,
                p.library,
            ]
        )
    return _table(header_row([*ROLLUP_HEAD, *unit_columns, *ROLLUP_TAIL], headers), rows)
