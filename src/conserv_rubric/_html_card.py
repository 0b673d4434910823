"""An agency's pages: the scorecard (the standard's table, every point explained) and the gap page."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from . import __version__
from ._card_total import rescaled_note, rescaled_units, total_formula
from ._html_doc import Html, data, el, figure, row, table
from ._html_svg import Bar, bars
from ._labels import agency_label, stage_label
from ._provenance import rubric_hash
from ._report_gap import gap_headline
from ._rollup_report import day
from ._score import ItemResult, ScoreCard
from ._text import GATE_NAMES, fmt
from .gaps import Gap, gap
from .reports import level_line

#: The numeric columns of a four-column points table.
_NUM2: Final = frozenset({2, 3})


def _heading(card: ScoreCard) -> Html:
    info = card.sheet.info if card.sheet is not None else None
    if info is None:
        return Html("")
    parts = [el("span", f"单位：{agency_label(info.agency)}", class_="agency")]
    if info.code:
        parts.append(el("span", f"代码：{info.code}"))
    if info.year is not None:
        parts.append(el("span", f"年度：{info.year}"))
    parts.append(el("span", f"阶段：{stage_label(info.stage)}"))
    if info.assessor:
        parts.append(el("span", f"评估人：{info.assessor}"))
    if info.date is not None:
        parts.append(el("span", f"日期：{day(info.date)}"))
    return el("p", parts, class_="meta")


def _title(card: ScoreCard) -> str:
    edition = f"（{card.rubric.version}）" if card.rubric.version else ""
    return card.rubric.title + edition


def _total(card: ScoreCard) -> Html:
    return el("span", data(fmt(card.total), class_="total"), el("small", f"/{fmt(card.max)}分"))


def _verdict(card: ScoreCard) -> Html:
    return el("span", level_line(card), class_="verdict " + ("good" if card.passed else "bad"))


def _unit_chart(card: ScoreCard, caption: str, g: Gap) -> Html:
    # A unit is marked when the next level asks more of it than it has (unit_min, unit_share).
    short = {s.address for s in g.target.shortfalls} if g.target is not None else set()
    rows = []
    chart = []
    for u in card.units:
        shown = f"{fmt(u.points)}/{fmt(u.max)}"
        chart.append(
            Bar(
                f"{u.address} {u.title}",
                u.points,
                u.max,
                shown,
                f"{u.address} {u.title}：{fmt(u.points)}分（分值{fmt(u.max)}分）"
                + ("，未达到下一等级对本单元的要求" if u.address in short else ""),
                u.address in short,
            )
        )
        rows.append(
            el(
                "tr",
                el("td", u.address, class_="addr"),
                el("td", u.title),
                el("td", data(fmt(u.points), class_="points"), class_="num"),
                el("td", data(fmt(u.max), class_="max"), class_="num"),
                class_="lost" if u.points < u.max else None,
                data_address=u.address,
            )
        )
    foot = el(
        "tr",
        el("th", "总分", colspan=2, scope="row"),
        el("td", data(fmt(card.total), class_="points"), class_="num"),
        el("td", data(fmt(card.max), class_="max"), class_="num"),
        class_="total",
    )
    formula = total_formula(card)
    return el(
        "div",
        bars(f"{caption}：各评价单元得分与分值", chart),
        table(["序号", "评价单元", "得分", "分值"], rows, numeric=_NUM2, class_="units", foot=[foot]),
        None if formula is None else el("p", f"总分 = {formula['formula']}", class_="formula"),
        class_="chart",
    )


def _gates(card: ScoreCard) -> Html | None:
    if not card.failed_gates:
        return None
    return el(
        "div",
        el("strong", "未通过的门槛项："),
        el("ul", [el("li", f"{g.address}：{g.reason}", data_address=g.address) for g in card.failed_gates]),
        class_="alert gates",
        role="alert",
    )


def _reason(item: ItemResult) -> list[Html]:
    out = [el("span", item.reason)]
    if item.unanswered:
        out.append(el("span", "未填写：" + "、".join(item.unanswered), class_="note"))
    if item.evidence:
        out.append(el("span", "佐证材料：" + "、".join(item.evidence), class_="note"))
    if item.note:
        out.append(el("span", "说明：" + item.note, class_="note"))
    return out


def _group_row(
    kind: str, address: str, title: str, points: Decimal, maximum: Decimal, note: str | None = None
) -> Html:
    return el(
        "tr",
        el("th", f"{address} {title}", colspan=2, scope="rowgroup"),
        el("td", data(fmt(maximum), class_="max"), class_="num"),
        el("td", data(fmt(points), class_="points"), class_="num"),
        el("td", "小计", None if note is None else el("span", note, class_="note")),
        class_=kind,
        data_address=address,
    )


def _items_table(card: ScoreCard) -> Html:
    units = {u.address: u for u in card.units}
    projects = {p.address: p for p in card.projects}
    rescaled = {r["address"]: rescaled_note(r) for r in rescaled_units(card)}
    rows = []
    unit: str | None = None
    project: str | None = None
    for item in card.items.values():
        if item.unit != unit:
            u = units[item.unit]
            rows.append(_group_row("unit", u.address, u.title, u.points, u.max, rescaled.get(u.address)))
            unit, project = item.unit, None
        if item.project is not None and item.project != project:
            p = projects[item.project]
            rows.append(_group_row("project", p.address, p.title, p.points, p.max))
            project = item.project
        lost = item.applicable and item.points < item.max
        rows.append(
            el(
                "tr",
                el("td", item.address, class_="addr"),
                el("td", item.text),
                el("td", data(fmt(item.max), class_="max"), class_="num"),
                el("td", data(fmt(item.points), class_="points"), class_="num points"),
                el("td", _reason(item)),
                class_="item lost" if lost else "item",
                data_address=item.address,
            )
        )
    foot = el(
        "tr",
        el("th", "总分", colspan=2, scope="row"),
        el("td", data(fmt(card.max), class_="max"), class_="num"),
        el("td", data(fmt(card.total), class_="points"), class_="num"),
        el("td", level_line(card)),
        class_="total",
    )
    return table(
        ["序号", "评价标准", "分值", "得分", "说明"], rows, numeric=_NUM2, class_="items", foot=[foot]
    )


def _plan(g: Gap) -> list[Html]:
    t = g.target
    lines = gap_headline(g, str)  # the page builder escapes every string itself
    out = [el("p", lines[0], class_="headline")]
    if len(lines) > 1:
        out.append(el("ul", [el("li", line) for line in lines[1:]], class_="plain shortfalls"))
    if t is None or not t.plan:
        return out
    rows = []
    for k, s in enumerate(t.plan, start=1):
        note = f"（{GATE_NAMES[s.gate]}）" if s.gate else ""
        rows.append(
            row(
                [
                    str(k),
                    s.address,
                    f"{fmt(s.points)}/{fmt(s.max)}",
                    f"+{fmt(s.adds)}",
                    fmt(s.total),
                    note + s.text,
                ],
                numeric=frozenset({0, 2, 3, 4}),
                class_="step",
                data_address=s.address,
            )
        )
    out.append(
        table(
            ["", "序号", "得分/分值", "可增加", "完成后总分", "内容"],
            rows,
            numeric=frozenset({0, 2, 3, 4}),
            class_="plan",
        )
    )
    return out


def _open_table(g: Gap) -> Html:
    rows = []
    for u in g.units:
        rows.append(
            el(
                "tr",
                el("th", f"{u.address} {u.title}", colspan=2, scope="rowgroup"),
                el("td", f"{fmt(u.points)}/{fmt(u.max)}", class_="num"),
                el("td", f"+{fmt(u.adds)}", class_="num"),
                class_="unit",
                data_address=u.address,
            )
        )
        rows.extend(
            row(
                [i.address, i.text, f"{fmt(i.points)}/{fmt(i.max)}", f"+{fmt(i.adds)}"],
                numeric=_NUM2,
                class_="item",
                data_address=i.address,
            )
            for i in u.items
        )
    return table(
        ["序号", "内容", "得分/分值", "可增加"],
        rows,
        caption=f"未得满分的条目（全部得满分可增加 {fmt(g.adds)} 分）",
        numeric=_NUM2,
        class_="open",
    )


def _notes(card: ScoreCard) -> list[Html]:
    out = []
    none = set(card.none_found)
    zero = [a for a in card.unanswered if a not in none]
    if zero:
        out.append(el("p", el("strong", "未填写（按0分计）："), "、".join(zero), class_="unanswered"))
    if none:
        # An unanswered deduction takes nothing away: listed apart, as the text report does.
        out.append(
            el("p", el("strong", "未填写（按无扣分计）："), "、".join(card.none_found), class_="unanswered")
        )
    if card.without_evidence:
        out.append(
            el(
                "p",
                el("strong", "得分但缺少佐证材料："),
                "、".join(card.without_evidence),
                class_="no-evidence",
            )
        )
    return out


def _footer(card: ScoreCard, hashes: dict[int, str]) -> Html:
    rubric = card.rubric
    digest = hashes.setdefault(id(rubric), rubric_hash(rubric))
    parts = [el("span", f"评价标准：{_title(card)}，{digest[:19]}…")]
    if card.sheet is not None and card.sheet.file is not None:
        where = card.sheet.file + (f":{card.sheet.row}" if card.sheet.row is not None else "")
        parts.append(el("span", f"打分表：{where}"))
    parts.append(el("span", f"conserv_rubric {__version__}"))
    return el("footer", el("p", parts, class_="meta"))


def _agency(card: ScoreCard) -> str:
    return agency_label(card.sheet.info.agency) if card.sheet is not None else "—"


def card_page(card: ScoreCard, hashes: dict[int, str]) -> Html:
    """One agency's scorecard as a ``.page`` section."""
    g = gap(card)
    return el(
        "section",
        el("header", el("h1", _title(card)), _heading(card)),
        el(
            "ul",
            figure("总分", _total(card), key="total"),
            figure("认定", _verdict(card), key="level"),
            class_="figures",
        ),
        _gates(card),
        el("h2", "评价单元得分"),
        _unit_chart(card, _agency(card), g),
        el("h2", "逐项得分"),
        _items_table(card),
        _notes(card),
        el("h2", "差距分析（找差距补短板）"),
        _plan(g),
        el(
            "p",
            f"未得满分的条目共 {sum(len(u.items) for u in g.units)} 项，全部得满分可增加 {fmt(g.adds)} 分",
        )
        if g.units
        else el("p", "所有适用条目均已得满分"),
        _footer(card, hashes),
        class_="page scorecard",
        data_agency=_agency(card),
    )


def gap_page(card: ScoreCard) -> Html:
    """One agency's gap analysis (找差距补短板) as a ``.page`` section."""
    g = gap(card)
    return el(
        "section",
        el("header", el("h1", f"{_title(card)} 差距分析"), _heading(card)),
        el(
            "ul",
            figure("当前得分", _total(card), key="total"),
            figure("认定", _verdict(card), key="level"),
            figure(
                "全部得满分可增加",
                el("span", data(fmt(g.adds), class_="adds"), el("small", "分")),
                key="adds",
            ),
            class_="figures",
        ),
        _gates(card),
        el("h2", "距下一等级"),
        _plan(g),
        el("h2", "评价单元得分"),
        _unit_chart(card, _agency(card), g),
        el("h2", "未得满分的条目"),
        _open_table(g) if g.units else el("p", "所有适用条目均已得满分"),
        _footer(card, {}),
        class_="page gap",
        data_agency=_agency(card),
    )


def agency_names(cards: Sequence[ScoreCard]) -> str:
    """The agencies of *cards*, for the document's title."""
    names = [_agency(c) for c in cards]
    return "、".join(names[:3]) + (f" 等{len(names)}家" if len(names) > 3 else "")
