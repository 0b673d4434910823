"""The report of a gap analysis (找差距补短板): the standing, the shortest plan to the next
level, failed gates and every item short of its points, as text, Markdown or JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final, Literal

from ._exact import exactly
from ._report_lines import footer, join_lines, report_table, result_title, versioned_json
from ._text import GATE_NAMES, check_format, clip, fmt, markdown, visible

if TYPE_CHECKING:
    from .gaps import Gap, OpenItem

#: Display width an item's text is clipped to in a gap report (JSON keeps it whole).
GAP_TEXT_WIDTH: Final = 60


def gap_headline(g: Gap, esc: Callable[[str], str]) -> list[str]:
    """What stands between the sheet and the next level, in a line or a few (the gap page's too)."""
    t = g.target
    if t is None:
        if g.partial:  # levels declared, but a partial transcription awards none
            return [f"{esc(g.verdict)}，故不计算达到等级的差距"]
        return [f"已达到最高等级“{esc(g.level)}”" if g.level is not None else "本标准未设认定等级"]
    lines = [
        f"评价单元 {u.address} {esc(u.title)}：现{fmt(u.points)}分，需 ≥ {fmt(u.need)}分"
        for u in t.shortfalls
    ]
    name = esc(t.name)
    if not t.reachable:
        return [
            f"即使所有未得分项都得满分，最多得{fmt(t.best)}分，仍达不到“{name}”（{fmt(t.min)}分）",
            *lines,
        ]
    ask = f"最少完成以下 {len(t.plan)} 项："
    if t.missing:
        return [f"距“{name}”（{fmt(t.min)}分）还差 {fmt(t.missing)} 分；{ask}", *lines]
    # The plan fixes the failed gates that withhold the target first (not those only above it).
    why = "有门槛项未通过" if any(s.gate for s in t.plan) else "有评价单元得分不足"
    return [f"总分已够“{name}”（{fmt(t.min)}分），但{why}；{ask}", *lines]


def _plan_rows(g: Gap) -> list[list[str]]:
    rows = [["", "序号", "得分/分值", "可增加", "完成后总分", "内容"]]
    for n, s in enumerate(g.target.plan if g.target else (), start=1):
        note = f"（{GATE_NAMES[s.gate]}）" if s.gate else ""
        rows.append(
            [
                f"{n}.",
                s.address,
                f"{fmt(s.points)}/{fmt(s.max)}",
                f"+{fmt(s.adds)}",
                fmt(s.total),
                clip(visible(note + s.text), GAP_TEXT_WIDTH),
            ]
        )
    return rows


def _item_row(i: OpenItem) -> list[str]:
    return [
        i.address,
        f"{fmt(i.points)}/{fmt(i.max)}",
        f"+{fmt(i.adds)}",
        clip(visible(i.text), GAP_TEXT_WIDTH),
    ]


def _open_rows(g: Gap) -> list[list[str]]:
    rows = [["序号", "得分/分值", "可增加", "内容"]]
    for u in g.units:
        rows.append([u.address, f"{fmt(u.points)}/{fmt(u.max)}", f"+{fmt(u.adds)}", visible(u.title)])
        rows.extend(_item_row(i) for i in u.items)
    return rows


@exactly
def render_gap(g: Gap, format: Literal["text", "markdown", "json"]) -> str:  # noqa: A002 - the CLI's word
    """A gap analysis as text, Markdown or JSON (`attrs.asdict` of *g*, points as exact numbers,
    with ``schema_version`` and ``provenance`` first); text and Markdown end with the provenance line.

    Args:
        g: the result of `gap`.
        format: ``"text"``, ``"markdown"`` or ``"json"``.

    Returns:
        The report, ending in a newline.

    Raises:
        RubricError: *format* is unknown.
    """
    check_format(format, ("text", "markdown", "json"))
    if format == "json":
        return versioned_json(g)
    md = format == "markdown"
    esc = markdown if md else visible
    title = result_title(g, esc)
    standing = f"当前得分 {fmt(g.total)} 分（满分 {fmt(g.max)} 分），{esc(g.verdict)}"
    lines = [f"## {title} 差距分析" if md else f"{title} 差距分析", "", standing, ""]
    lines.extend(gap_headline(g, esc))
    if g.target is not None and g.target.plan:
        lines.extend(["", *report_table(_plan_rows(g), frozenset({2, 3, 4}), md)])
    if g.failed_gates:
        lines.extend(["", "未通过的门槛项："])
        lines.extend(f"{'- ' if md else '  '}{x.address}：{esc(x.reason)}" for x in g.failed_gates)
    if g.units:
        lines.extend(["", f"未得满分的条目（全部得满分可增加 {fmt(g.adds)} 分）：", ""])
        lines.extend(report_table(_open_rows(g), frozenset({1, 2}), md))
    else:
        lines.extend(["", "自评可得分的条目均已得满分" if g.withheld else "所有适用条目均已得满分"])
    if g.withheld:
        # Each one's addition alone: caps can make their sum more than all of them add.
        lines.extend(["", "仅由核查方评分的条目（自评不计分，不计入以上可增加的分数和计划）：", ""])
        rows = [["序号", "得分/分值", "可增加", "内容"], *(_item_row(i) for i in g.withheld)]
        lines.extend(report_table(rows, frozenset({1, 2}), md))
    lines.extend(footer(g.provenance, esc))
    return join_lines(lines)
