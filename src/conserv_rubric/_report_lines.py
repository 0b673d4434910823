"""What the text, Markdown and JSON reports of `conserv_rubric.reports` share: their lines
joined with every control character escaped, a table in either format, the provenance footer,
and the JSON head of a versioned result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._labels import agency_label
from ._provenance import SCHEMA_VERSION, Provenance, provenance_line
from ._termfit import grid
from ._text import dumps_json, markdown_table, visible

if TYPE_CHECKING:
    from .diffs import SheetDiff
    from .gaps import Gap


def join_lines(lines: Sequence[str]) -> str:
    """The lines of a text or Markdown report as one text; a control character that some field
    still held is escaped here, so that none reaches the reader."""
    return "".join(visible(line) + "\n" for line in lines)


def report_table(rows: list[list[str]], right: frozenset[int], md: bool) -> list[str]:
    """*rows* as a Markdown table (which escapes its cells) or aligned text of visible cells."""
    if md:
        return markdown_table(rows, right)
    return grid([[visible(cell) for cell in row] for row in rows], right)


def footer(p: Provenance | None, esc: Callable[[str], str]) -> list[str]:
    """The provenance line that ends a gap or diff report, after a blank line."""
    return [] if p is None else ["", esc(provenance_line(p))]


def versioned(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON of a gap or diff: ``schema_version`` and ``provenance`` first, then the rest."""
    return {"schema_version": SCHEMA_VERSION, "provenance": data.pop("provenance"), **data}


def versioned_json(result: Gap | SheetDiff) -> str:
    """A gap or diff as its JSON report: `attrs.asdict` of it, `versioned`, ending in a newline."""
    return dumps_json(versioned(attrs.asdict(result))) + "\n"


def result_title(result: Gap | SheetDiff, esc: Callable[[str], str]) -> str:
    """The title of a gap or diff report: the rubric, and the agency where the sheet names one."""
    return esc(result.rubric if result.agency is None else f"{result.rubric} — {agency_label(result.agency)}")
