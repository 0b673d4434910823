"""Self-assessment against verification: the items whose points the verifier changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal

import attrs

from ._report import clip, dumps_json, grid, markdown_table
from ._rules import fmt
from ._score import ScoreCard
from .errors import Problem, RubricError

#: Display width an item's text is clipped to in the comparison table.
TEXT_WIDTH: Final = 30


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
    items: tuple[ItemDiff, ...]


def diff(self_card: ScoreCard, verified_card: ScoreCard) -> SheetDiff:
    """Compare a self-assessed card with the verified card of the same agency and rubric.

    Args:
        self_card: the agency's own scoring (自评).
        verified_card: the verifier's scoring (核定) against the same rubric.

    Returns:
        The items whose points differ, with both reasons, and both totals and levels.

    Raises:
        RubricError: the cards were scored against rubrics with different items.
    """
    mine, theirs = self_card.items, verified_card.items
    if list(mine) != list(theirs) or self_card.rubric.title != verified_card.rubric.title:
        message = "the two score cards were scored against different rubrics; compare cards of one rubric"
        raise RubricError([Problem(message=message)])
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
        items,
    )


def signed(value: Decimal) -> str:
    """A difference with its sign: +2, -1.5, 0."""
    return f"+{fmt(value)}" if value > 0 else fmt(value)


def _standing(total: Decimal, level: str | None) -> str:
    return f"{fmt(total)}分（{level if level is not None else '未获认定'}）"


def render_diff(d: SheetDiff, format: Literal["text", "markdown", "json"]) -> str:  # noqa: A002 - the CLI's word
    """A comparison as text, Markdown or JSON (`attrs.asdict` of *d*, points as exact numbers).

    Args:
        d: the result of `diff`.
        format: ``"text"``, ``"markdown"`` or ``"json"``.

    Returns:
        The report, ending in a newline.
    """
    if format == "json":
        return dumps_json(attrs.asdict(d)) + "\n"
    md = format == "markdown"
    title = f"{d.rubric} — {d.agency}" if d.agency else d.rubric
    heading = f"{title} 自评与核定对比"
    lines = [f"## {heading}" if md else heading, ""]
    mine, theirs = _standing(d.self_total, d.self_level), _standing(d.verified_total, d.verified_level)
    lines.append(f"自评 {mine}，核定 {theirs}，相差 {signed(d.difference)} 分")
    if not d.items:
        lines.extend(["", "自评与核定各条目得分一致"])
        return "\n".join(lines) + "\n"
    rows = [["序号", "内容", "分值", "自评", "核定", "差值", "说明"]]
    rows.extend(
        [
            i.address,
            clip(i.text, TEXT_WIDTH),
            fmt(i.max),
            fmt(i.self_points),
            fmt(i.verified_points),
            signed(i.difference),
            f"自评：{i.self_reason}；核定：{i.verified_reason}",
        ]
        for i in d.items
    )
    right = frozenset({2, 3, 4, 5})
    table = markdown_table(rows, right) if md else grid(rows, right)
    lines.extend(["", *table, "", f"共 {len(d.items)} 项得分不同"])
    return "\n".join(lines) + "\n"
