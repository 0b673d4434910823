"""What the text, Markdown and JSON reports of `conserv_rubric.reports` share: their lines
joined with every control character escaped, a table in either format, the provenance footer,
and the JSON head of a versioned result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._provenance import SCHEMA_VERSION, Provenance, provenance_line
from ._termfit import grid
from ._text import markdown_table, visible


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
