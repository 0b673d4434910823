"""The report of a self-assessment against its verification: both totals and verdicts, and
every item whose points differ with both reasons, as text, Markdown or JSON."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal

from ._exact import exactly
from ._labels import stage_label
from ._report_lines import footer, join_lines, report_table, result_title, versioned_json
from ._text import check_format, clip, fmt, markdown, visible

if TYPE_CHECKING:
    from .diffs import SheetDiff

#: Display width an item's text is clipped to in a comparison table.
DIFF_TEXT_WIDTH: Final = 30


def signed(value: Decimal) -> str:
    """A difference with its sign: +2, -1.5, 0."""
    return f"+{fmt(value)}" if value > 0 else fmt(value)


def _standing(total: Decimal, verdict: str, esc: Callable[[str], str]) -> str:
    return f"{fmt(total)}分：{esc(verdict)}"


@exactly
def render_diff(d: SheetDiff, format: Literal["text", "markdown", "json"]) -> str:  # noqa: A002 - the CLI's word
    """A comparison as text, Markdown or JSON (`attrs.asdict` of *d*, points as exact numbers,
    with ``schema_version`` and ``provenance`` first).

    Text and Markdown name the two stages by their labels (自评, 核查, or a stage's own name)
    and end with the provenance line.

    Args:
        d: the result of `diff`.
        format: ``"text"``, ``"markdown"`` or ``"json"``.

    Returns:
        The report, ending in a newline.

    Raises:
        RubricError: *format* is unknown.
    """
    check_format(format, ("text", "markdown", "json"))
    if format == "json":
        return versioned_json(d)
    md = format == "markdown"
    esc = markdown if md else visible
    title = result_title(d, esc)
    # The labels as they are for the table (which escapes its cells), escaped for the lines.
    earlier = stage_label(d.self_stage or "self")
    later = stage_label(d.verified_stage or "verified")
    first, then = esc(earlier), esc(later)
    heading = f"{title} {first}与{then}对比"
    lines = [f"## {heading}" if md else heading, ""]
    mine = _standing(d.self_total, d.self_verdict, esc)
    theirs = _standing(d.verified_total, d.verified_verdict, esc)
    lines.append(f"{first} {mine}；{then} {theirs}；相差 {signed(d.difference)} 分")
    if not d.items:
        lines.extend(["", f"{first}与{then}各条目得分一致", *footer(d.provenance, esc)])
        return join_lines(lines)
    rows = [["序号", "内容", "分值", earlier, later, "差值", "说明"]]
    rows.extend(
        [
            i.address,
            clip(visible(i.text), DIFF_TEXT_WIDTH),
            fmt(i.max),
            fmt(i.self_points),
            fmt(i.verified_points),
            signed(i.difference),
            f"{earlier}：{i.self_reason}；{later}：{i.verified_reason}",
        ]
        for i in d.items
    )
    lines.extend(["", *report_table(rows, frozenset({2, 3, 4, 5}), md), "", f"共 {len(d.items)} 项得分不同"])
    lines.extend(footer(d.provenance, esc))
    return join_lines(lines)
