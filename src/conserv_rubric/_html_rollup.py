"""The district's dashboard: the roll-up (`Rollup`) as one page for the district government.

The figures are those of the text report (`render_rollup`), worded the same way; the charts
show them, and a table beside each chart gives every figure in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal, localcontext
from typing import Final

from . import __version__
from ._html_doc import Html, data, el, figure, row, table
from ._html_svg import WIDTH, Bar, Column, Mark, Segment, bars, histogram, stacked
from ._html_whatif import comparison_section
from ._provenance import rubric_hash
from ._rollup import _share
from ._rollup_model import CONTEXT, Rollup
from ._rollup_report import (
    MOST_MISSED,
    _name,
    _signed,
    _stage,
    _where,
    day,
    error_line,
    percent,
    schedule_note,
)
from ._text import clip, fmt
from ._whatif import Comparison

#: Display columns of an item's text on a chart's label.
_LABEL: Final = 36
#: The columns into which the distribution of totals is split.
BINS: Final = 10


def _title(r: Rollup) -> str:
    name = r.plan.title if r.plan is not None else r.rubric.title
    return f"{name} — {r.year}年度汇总" if r.year is not None else f"{name} — 汇总"


def _head(r: Rollup) -> Html:
    rubric = r.rubric
    edition = f"（{rubric.version}）" if rubric.version else ""
    parts = [el("span", f"评价标准：{rubric.title}{edition}")]
    if r.level is not None:
        low = next(lv for lv in rubric.levels if lv.name == r.level)
        how = "" if r.plan is not None else "，本标准最低等级"
        parts.append(el("span", f"认定等级：{r.level}（≥ {fmt(low.min)}分{how}）"))
    if r.plan is not None:
        together = r.plan.secondary.count == "with_parent"
        parts.append(
            el("span", "二级单位：" + ("纳入上级单位整体创建，不单独计数" if together else "单独计数"))
        )
        moved = schedule_note(r)
        if moved is not None:
            parts.append(el("span", moved))
    if r.roster is not None:
        secondary = sum(1 for a in r.roster.agencies if a.parent is not None)
        parts.append(el("span", f"名录 {len(r.roster.agencies)} 家，其中二级单位 {secondary} 家"))
    else:
        parts.append(el("span", "未提供名录，按收到的自评打分表计"))
    return el("header", el("h1", _title(r)), el("p", parts, class_="meta"))


def _figures(r: Rollup) -> Html:
    s = r.summary
    built = f"建成“{r.level}”" if r.level is not None else "通过评价"
    share = "—" if s.share is None else fmt(s.share)
    return el(
        "ul",
        figure(
            "应创建单位",
            el("span", data(str(s.agencies), class_="agencies"), el("small", "家")),
            key="agencies",
        ),
        figure("已申报", el("span", data(str(s.sheets), class_="sheets"), el("small", "家")), key="sheets"),
        figure(
            "未申报",
            el("span", data(str(s.agencies - s.sheets), class_="missing"), el("small", "家")),
            key="missing",
        ),
        figure(built, el("span", data(str(s.reached), class_="reached"), el("small", "家")), key="reached"),
        figure("占比", data(share, percent(s.share), class_="share"), key="share"),
        class_="figures",
    )


def _levels(r: Rollup) -> tuple[list[tuple[str, int, str]], int, int]:
    """(label, count, css class) from the highest level down; then the agencies below and without sheets."""
    s = r.summary
    ladder = sorted(r.rubric.levels, key=lambda lv: lv.min, reverse=True)
    parts = [(lv.name, s.by_level.get(lv.name, 0), f"seg{min(k, 2) + 1}") for k, lv in enumerate(ladder)]
    below = s.sheets - sum(s.by_level.values())
    return parts, below, s.agencies - s.sheets


def _goals(r: Rollup) -> list[Html]:
    s = r.summary
    levels, below, none = _levels(r)
    segments = [
        Segment(name, n, kind, f"{name}：{n}家（{percent(_share(n, s.agencies))}）")
        for name, n, kind in levels
    ]
    no_level = "未达到任何等级" if r.rubric.levels else "未通过"
    segments.append(
        Segment(
            no_level, below, "seg-below", f"{no_level}：{below}家（{percent(_share(below, s.agencies))}）"
        )
    )
    segments.append(
        Segment("未申报", none, "seg-none", f"未申报：{none}家（{percent(_share(none, s.agencies))}）")
    )
    by_share: dict[Decimal, list[str]] = {}
    for g in s.goals:
        state = "已完成" if g.met else f"还差{g.short_by}家"
        by_share.setdefault(g.share, []).append(
            f"{day(g.by)}前{fmt(g.share * 100)}%（需建成{g.needed}家，{state}）"
        )
    marks = [
        Mark(share, f"{fmt(share * 100)}%", "目标：" + "；".join(texts)) for share, texts in by_share.items()
    ]
    built = f"“{r.level}”" if r.level is not None else "通过评价"
    chart = stacked(
        f"各认定结果的单位占比与目标（建成{built} {s.reached}/{s.agencies}家）", s.agencies, segments, marks
    )
    legend = el(
        "ul",
        [el("li", el("span", class_=f"key {seg.kind}"), seg.tip) for seg in segments],
        class_="legend",
    )
    out = [el("div", chart, legend, class_="goal-chart")]
    rows = []
    cumulative = 0
    for name, n, _ in levels:
        cumulative += n
        rows.append(
            row(
                [
                    name,
                    str(n),
                    percent(_share(n, s.agencies)),
                    f"{cumulative}家（{percent(_share(cumulative, s.agencies))}）",
                ],
                numeric=frozenset({1, 2, 3}),
                class_="level",
                data_level=name,
            )
        )
    rows.append(
        row([no_level, str(below), percent(_share(below, s.agencies)), ""], numeric=frozenset({1, 2}))
    )
    rows.append(row(["未申报", str(none), percent(_share(none, s.agencies)), ""], numeric=frozenset({1, 2})))
    out.append(
        table(
            ["认定结果", "家数", "占应创建单位", "该等级及以上"],
            rows,
            numeric=frozenset({1, 2, 3}),
            class_="levels",
        )
    )
    if s.goals:
        goal_rows = []
        for k, g in enumerate(s.goals):
            state = "已完成" if g.met else f"还差{g.short_by}家"
            goal_rows.append(
                el(
                    "tr",
                    el("td", day(g.by)),
                    el("td", data(fmt(g.share), f"{fmt(g.share * 100)}%", class_="goal"), class_="num"),
                    el("td", data(str(g.needed), class_="needed"), class_="num"),
                    el("td", data(str(s.reached), class_="reached"), class_="num"),
                    el(
                        "td",
                        data("—" if s.share is None else fmt(s.share), percent(s.share), class_="share"),
                        class_="num",
                    ),
                    el(
                        "td",
                        data(str(g.short_by), state, class_="short-by"),
                        class_="good" if g.met else "bad",
                    ),
                    el("td", g.text or ""),
                    class_="goal met" if g.met else "goal",
                    data_goal=str(k),
                )
            )
        out.append(
            table(
                ["截止日期", "目标", "需建成", "已建成", "当前占比", "完成情况", "方案原文"],
                goal_rows,
                numeric=frozenset({1, 2, 3, 4}),
                class_="goals",
            )
        )
    return out


def _distribution(r: Rollup) -> list[Html]:
    totals = [a.total for a in r.agencies if a.counted and a.total is not None]
    top = r.rubric.total
    if not totals or top <= 0:
        return []
    counts = [0] * BINS
    with localcontext(CONTEXT):
        for t in totals:
            k = int((t * BINS / top).to_integral_value(ROUND_FLOOR))
            counts[min(max(k, 0), BINS - 1)] += 1
        edges = [top * k / BINS for k in range(BINS + 1)]
        marker = None
        if r.level is not None:
            low = next(lv for lv in r.rubric.levels if lv.name == r.level)
            marker = (low.min / top, f"{r.level} {fmt(low.min)}分")
    over = any(t > top for t in totals)
    labels = []
    for k in range(BINS):
        if k == BINS - 1:
            labels.append(
                f"总分 ≥ {fmt(edges[k])}" if over else f"{fmt(edges[k])} ≤ 总分 ≤ {fmt(edges[k + 1])}"
            )
        else:
            labels.append(f"{fmt(edges[k])} ≤ 总分 < {fmt(edges[k + 1])}")
    columns = [Column(c, f"{label}：{c}家") for label, c in zip(labels, counts, strict=True)]
    chart = histogram(f"总分分布（{len(totals)}家）", columns, [fmt(e) for e in edges], marker)
    rows = [
        row([label, str(c)], numeric=frozenset({1}), class_="bin")
        for label, c in zip(labels, counts, strict=True)
    ]
    return [
        el(
            "div",
            chart,
            table(["分数段", "家数"], rows, numeric=frozenset({1}), class_="distribution"),
            class_="chart",
        )
    ]


def _mean(value: Decimal | None) -> str:
    return "—" if value is None else str(value)


def _units(r: Rollup) -> list[Html]:
    n = r.summary.sheets
    chart = [
        Bar(
            f"{u.address} {u.title}",
            u.average if u.average is not None else Decimal(0),
            u.max,
            f"{_mean(u.average)}/{fmt(u.max)}",
            f"{u.address} {u.title}：平均{_mean(u.average)}分（分值{fmt(u.max)}分），{u.missed}家未得满分",
        )
        for u in r.units
    ]
    rows = [
        el(
            "tr",
            el("td", u.address, class_="addr"),
            el("td", u.title),
            el("td", data(_mean(u.average), class_="average"), class_="num"),
            el("td", data(fmt(u.max), class_="max"), class_="num"),
            el("td", f"{u.missed}家", class_="num"),
            data_address=u.address,
        )
        for u in r.units
    ]
    return [
        el(
            "div",
            bars(f"评价单元平均分（{n}家）", chart),
            table(
                ["序号", "评价单元", "平均分", "分值", "未得满分"],
                rows,
                numeric=frozenset({2, 3, 4}),
                class_="units",
            ),
            class_="chart",
        )
    ]


def _missed(r: Rollup) -> list[Html]:
    missed = sorted((i for i in r.items if i.missed), key=lambda i: -i.missed)[:MOST_MISSED]
    if not missed:
        return [el("p", "各条目均已得满分")]
    chart = [
        Bar(
            f"{i.address} {clip(i.title, _LABEL)}",
            Decimal(i.missed),
            Decimal(i.count),
            f"{i.missed}/{i.count}家",
            f"{i.address} {i.title}：{i.missed}家未得满分（共{i.count}家），"
            f"平均{_mean(i.average)}分（分值{fmt(i.max)}分）",
            low=True,
        )
        for i in missed
    ]
    rows = [
        row(
            [i.address, i.title, f"{_mean(i.average)}/{fmt(i.max)}", f"{i.missed}家"],
            numeric=frozenset({2, 3}),
            class_="missed",
            data_address=i.address,
        )
        for i in missed
    ]
    return [
        bars(
            f"失分最多的条目（前{len(missed)}项）：未得满分的单位数",
            chart,
            width=WIDTH + 240,
            label_columns=44,
        ),
        table(
            ["序号", "内容", "平均分/分值", "未得满分"], rows, numeric=frozenset({2, 3}), class_="most-missed"
        ),
    ]


def _items(r: Rollup) -> Html:
    rows = [
        row(
            [i.address, i.title, _mean(i.average), fmt(i.max), f"{i.missed}家", f"{i.count}家"],
            numeric=frozenset({2, 3, 4, 5}),
            class_="item",
            data_address=i.address,
        )
        for i in r.items
    ]
    return table(
        ["序号", "内容", "平均分", "分值", "未得满分", "参评"],
        rows,
        numeric=frozenset({2, 3, 4, 5}),
        class_="items",
    )


def _below(r: Rollup) -> list[Html]:
    if not r.below:
        return []
    rows = []
    for b in r.below:
        if b.target is None:
            need, steps = "—", "已达到最高等级"
        elif not b.reachable:
            need, steps = f"{fmt(b.missing or 0)}分", f"即使全部得满分也只有{fmt(b.best or 0)}分"
        else:
            need = f"{fmt(b.missing or 0)}分" if b.missing else "门槛项"
            steps = "、".join(s.address for s in b.plan) + f"（{len(b.plan)}项）"
        rows.append(
            row(
                [b.agency, fmt(b.total), b.level or "未达到", need, steps, "；".join(b.failed_gates)],
                numeric=frozenset({1, 3}),
                class_="below",
            )
        )
    title = (
        f"未达到“{r.level}”的单位（{len(r.below)}家）及差距"
        if r.level
        else f"未通过的单位（{len(r.below)}家）及差距"
    )
    return [
        el("h2", title),
        table(
            ["单位", "总分", "认定", "还差", "最少完成", "未通过的门槛项"],
            rows,
            numeric=frozenset({1, 3}),
            class_="below",
        ),
    ]


def _missing_and_late(r: Rollup) -> list[Html]:
    out = []
    if r.missing:
        out.append(el("h2", f"未申报（{len(r.missing)}家）"))
        out.append(
            table(
                ["单位", "代码", "上级单位", "类型"],
                [
                    row([m.agency, m.code or "", m.parent or "", m.type or ""], class_="missing")
                    for m in r.missing
                ],
                class_="missing",
            )
        )
    if r.late:
        out.append(el("h2", f"逾期报送（{len(r.late)}份，仍计入）"))
        rows = [
            row(
                [
                    x.agency,
                    _stage(x.stage),
                    day(x.date),
                    day(x.deadline),
                    f"{x.days}天",
                    _where(_name(x.file), x.line),
                ],
                numeric=frozenset({4}),
                class_="late",
            )
            for x in r.late
        ]
        out.append(
            table(
                ["单位", "阶段", "日期", "截止日期", "逾期", "文件"],
                rows,
                numeric=frozenset({4}),
                class_="late",
            )
        )
    return out


def _agencies(r: Rollup) -> Html:
    rows = []
    for k, a in enumerate(r.agencies, 1):
        stage = "随上级单位" if a.stage is None and not a.counted else _stage(a.stage)
        total = "—" if a.total is None else fmt(a.total)
        level = "" if a.total is None else a.level or "未达到"
        if not a.counted and a.total is not None:
            level += "（不单独计数）"
        where = "" if a.file is None else _where(_name(a.file), a.line)
        rows.append(
            row(
                [str(k), a.agency, a.parent or "", stage, total, level, where],
                numeric=frozenset({0, 4}),
                class_="agency reached" if a.reached else "agency",
            )
        )
    return table(
        ["序号", "单位", "上级单位", "阶段", "总分", "认定", "文件"],
        rows,
        numeric=frozenset({0, 4}),
        class_="agencies",
    )


def _groups(r: Rollup) -> list[Html]:
    s = r.summary
    out = []
    if any(s.by_type):
        rows = [
            row(
                [t or "（未填类型）", str(g.agencies), str(g.sheets), str(g.reached)],
                numeric=frozenset({1, 2, 3}),
            )
            for t, g in s.by_type.items()
        ]
        out.append(
            table(
                ["类型", "应创建", "已申报", "已建成"],
                rows,
                caption="按单位类型",
                numeric=frozenset({1, 2, 3}),
            )
        )
    if s.by_parent:
        rows = [
            row(
                [p, str(g.secondary), str(g.agencies), str(g.sheets), str(g.reached)],
                numeric=frozenset({1, 2, 3, 4}),
            )
            for p, g in s.by_parent.items()
        ]
        out.append(
            table(
                ["上级单位", "二级单位", "应创建", "已申报", "已建成"],
                rows,
                caption="按上级单位（含二级单位）",
                numeric=frozenset({1, 2, 3, 4}),
            )
        )
    return out


def _problems(r: Rollup) -> list[Html]:
    out = []
    if r.differences:
        rows = []
        for d in r.differences:
            changed = "、".join(f"{i.address}（{_signed(i.difference)}）" for i in d.items) or "—"
            rows.append(
                row(
                    [
                        d.agency,
                        f"{_stage(d.from_stage)}{fmt(d.from_total)}分",
                        f"{_stage(d.to_stage)}{fmt(d.to_total)}分",
                        _signed(d.difference),
                        changed,
                    ],
                    numeric=frozenset({3}),
                )
            )
        out.append(el("h2", f"自评与核查差异（{len(r.differences)}家）"))
        out.append(
            table(
                ["单位", "前", "后", "差值", "得分变化的条目"],
                rows,
                numeric=frozenset({3}),
                class_="differences",
            )
        )
    if r.unmatched:
        out.append(el("h2", f"未匹配名录的自评打分表（{len(r.unmatched)}份，未计入）"))
        out.append(
            table(
                ["文件", "单位", "总分", "原因"],
                [
                    row([_where(u.file, u.line), u.agency, fmt(u.total), u.reason], numeric=frozenset({2}))
                    for u in r.unmatched
                ],
                numeric=frozenset({2}),
                class_="unmatched",
            )
        )
    if r.errors:
        out.append(el("h2", f"无法计入的输入（{len(r.errors)}处）"))
        out.append(
            el(
                "ul",
                [el("li", error_line(e.file, e.line, e.column, e.cell, e.message)) for e in r.errors],
                class_="plain errors",
            )
        )
    if r.skipped:
        out.append(el("h2", f"跳过的文件（{len(r.skipped)}个）"))
        out.append(el("ul", [el("li", f"{s.file}：{s.reason}") for s in r.skipped], class_="plain skipped"))
    return out


def _footer(r: Rollup) -> Html:
    parts = [el("span", f"评价标准：{r.rubric.title}，{rubric_hash(r.rubric)[:19]}…")]
    if r.plan is not None and r.plan.file is not None:
        parts.append(el("span", f"方案：{r.plan.file}"))
    if r.roster is not None and r.roster.file is not None:
        parts.append(el("span", f"名录：{r.roster.file}"))
    parts.append(el("span", f"已读取打分表 {r.summary.read} 份"))
    parts.append(el("span", f"conserv_rubric {__version__}"))
    return el("footer", el("p", parts, class_="meta"))


def dashboard(r: Rollup, comparison: Comparison | None) -> Html:
    """The roll-up as one ``.page`` section."""
    sections: list[Html | Sequence[Html]] = [
        _head(r),
        _figures(r),
        el("h2", "目标完成情况"),
        _goals(r),
    ]
    if r.summary.sheets:
        sections += [
            el("h2", "总分分布"),
            _distribution(r),
            el("h2", "评价单元平均分"),
            _units(r),
            el("h2", "失分最多的条目"),
            _missed(r),
        ]
    sections += [
        _below(r),
        _missing_and_late(r),
        el("h2", "各单位得分（按名录顺序，以最后阶段计）"),
        _agencies(r),
    ]
    sections += [_groups(r)]
    if r.summary.sheets:
        sections += [el("h2", f"各条目平均分（{r.summary.sheets}家）"), _items(r)]
    sections += [_problems(r)]
    if comparison is not None:
        sections += [comparison_section(comparison)]
    sections.append(_footer(r))
    return el("section", sections, class_="page dashboard")


def title(r: Rollup) -> str:
    """The dashboard's document title."""
    return _title(r)
