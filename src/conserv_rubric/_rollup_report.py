"""The roll-up as the 节能办 reads it: text or Markdown with Chinese labels, JSON, or CSV for Excel."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Final, Literal

from ._csv_report import rollup_csv
from ._headers import Headers
from ._labels import agency_label, stage_label
from ._provenance import provenance_line, provenance_of, rubric_hash
from ._rollup_model import CONTEXT, Rollup
from ._termfit import grid
from ._text import clip, dumps_json, fmt, markdown, markdown_table, visible
from ._whatif import Comparison

#: Items listed under 失分最多的条目.
MOST_MISSED: Final = 10
#: Display width of an item's text in the tables.
TEXT_WIDTH: Final = 40

Format = Literal["text", "markdown", "json", "csv"]


def day(d: datetime.date) -> str:
    """A date as offices write it: 2024年10月31日."""
    return f"{d.year}年{d.month}月{d.day}日"


def percent(share: Decimal | None) -> str:
    """A share as a percentage with two decimals (61.90%), or — without agencies."""
    if share is None:
        return "—"
    with localcontext(CONTEXT):
        return f"{(share * 100).quantize(Decimal('0.01'))}%"


def _mean(value: Decimal | None) -> str:
    # Averages keep their two places (13.70, 9.00) so that a column of them lines up.
    return "—" if value is None else str(value)


def _stage(stage: str | None) -> str:
    return "未申报" if stage is None else stage_label(stage)


class _Doc:
    """Lines of a report, with headings and tables in text or Markdown.

    Every text put in is escaped (`visible` in text, `markdown` in Markdown): names come from
    rosters and sheets, so none may move the terminal's cursor, forge a line or become markup.
    """

    def __init__(self, md: bool) -> None:
        self.md = md
        self.esc: Callable[[str], str] = markdown if md else visible
        self.lines: list[str] = []

    def title(self, text: str) -> None:
        self.lines.extend([f"## {self.esc(text)}" if self.md else self.esc(text), ""])

    def para(self, *texts: str) -> None:
        # Markdown joins adjacent lines into one paragraph: end each with a hard break.
        shown = [self.esc(t) for t in texts]
        self.lines.extend(
            [*(t + "  " if self.md and k < len(shown) - 1 else t for k, t in enumerate(shown)), ""]
        )

    def section(self, text: str) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.lines.extend([f"### {self.esc(text)}", ""] if self.md else [f"{self.esc(text)}："])

    def table(self, rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()) -> None:
        # markdown_table escapes every cell itself: escaping here too would show the backslashes.
        if self.md:
            self.lines.extend(markdown_table(rows, right))
        else:
            self.lines.extend(grid([[visible(c) for c in row] for row in rows], right))
        self.lines.append("")

    def bullets(self, texts: Sequence[str]) -> None:
        self.lines.extend(f"- {self.esc(t)}" if self.md else f"  {self.esc(t)}" for t in texts)
        self.lines.append("")

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        # Names come from rosters and sheets: no control character of theirs reaches a terminal
        # (an ESC sequence) or starts a line of its own (a newline), as in the other reports.
        return "\n".join(visible(line) for line in self.lines) + "\n"


def schedule_note(r: Rollup) -> str | None:
    """Whose year the deadlines are, when the roll-up's year is not the one the plan is written for."""
    if r.plan is None or not r.plan.schedule or r.year is None or r.year == r.plan.year:
        return None
    return f"日程：方案按{r.plan.year}年度写出，截止日期按{r.year}年度的同月同日计"


def _head(r: Rollup, doc: _Doc) -> None:
    rubric = r.rubric
    name = r.plan.title if r.plan is not None else rubric.title
    doc.title(f"{name} — {r.year}年度汇总" if r.year is not None else f"{name} — 汇总")
    lines = [provenance_line(provenance_of(rubric))]
    if r.level is not None:
        low = next(lv for lv in rubric.levels if lv.name == r.level)
        how = "" if r.plan is not None else "，本标准最低等级"
        lines.append(f"认定等级：{r.level}（≥ {fmt(low.min)}分{how}）")
    if r.plan is not None:
        together = r.plan.secondary.count == "with_parent"
        lines.append("二级单位：" + ("纳入上级单位整体创建，不单独计数" if together else "单独计数"))
        moved = schedule_note(r)
        if moved is not None:
            lines.append(moved)
    doc.para(*lines)
    s = r.summary
    if r.roster is not None:
        secondary = sum(1 for a in r.roster.agencies if a.parent is not None)
        scope = f"名录 {len(r.roster.agencies)} 家，其中二级单位 {secondary} 家"
    else:
        scope = "未提供名录，按收到的自评打分表计"
    built = f"“{r.level}”" if r.level is not None else "通过评价"
    doc.para(
        f"应创建单位 {s.agencies} 家（{scope}）；已申报 {s.sheets} 家，未申报 {s.agencies - s.sheets} 家",
        f"建成{built} {s.reached} 家，占 {percent(s.share)}（{s.reached}/{s.agencies}）",
    )
    if s.goals:
        doc.section("目标完成情况")
        rows = [["截止日期", "目标", "需建成", "已建成", "完成情况"]]
        for g in s.goals:
            state = "已完成" if g.met else f"还差{g.short_by}家"
            rows.append([day(g.by), f"{fmt(g.share * 100)}%", str(g.needed), str(s.reached), state])
        doc.table(rows, frozenset({1, 2, 3}))


def _groups(r: Rollup, doc: _Doc) -> None:
    s = r.summary
    if any(s.by_type):
        doc.section("按单位类型")
        rows = [["类型", "应创建", "已申报", "已建成"]]
        rows.extend(
            [t or "（未填类型）", str(g.agencies), str(g.sheets), str(g.reached)]
            for t, g in s.by_type.items()
        )
        doc.table(rows, frozenset({1, 2, 3}))
    if s.by_parent:
        doc.section("按上级单位（含二级单位）")
        rows = [["上级单位", "二级单位", "应创建", "已申报", "已建成"]]
        rows.extend(
            [p, str(g.secondary), str(g.agencies), str(g.sheets), str(g.reached)]
            for p, g in s.by_parent.items()
        )
        doc.table(rows, frozenset({1, 2, 3, 4}))


def _agencies(r: Rollup, doc: _Doc) -> None:
    doc.section("各单位得分（按名录顺序，以最后阶段计）")
    rows = [["序号", "单位", "上级单位", "阶段", "总分", "认定", "文件"]]
    for n, a in enumerate(r.agencies, 1):
        stage = "随上级单位" if a.stage is None and not a.counted else _stage(a.stage)
        total = "—" if a.total is None else fmt(a.total)
        level = "" if a.total is None else a.level or "未达到"
        if not a.counted and a.total is not None:
            level += "（不单独计数）"
        where = "" if a.file is None else _where(_name(a.file), a.line)
        rows.append([str(n), agency_label(a.agency), a.parent or "", stage, total, level, where])
    doc.table(rows, frozenset({0, 4}))


def _averages(r: Rollup, doc: _Doc) -> None:
    n = r.summary.sheets
    if not n:
        return
    doc.section(f"评价单元平均分（{n}家）")
    rows = [["序号", "评价单元", "平均分/分值", "未得满分"]]
    rows.extend([u.address, u.title, f"{_mean(u.average)}/{fmt(u.max)}", f"{u.missed}家"] for u in r.units)
    doc.table(rows, frozenset({2, 3}))
    missed = sorted((i for i in r.items if i.missed), key=lambda i: -i.missed)[:MOST_MISSED]
    if missed:
        doc.section(f"失分最多的条目（前{len(missed)}项）")
        rows = [["序号", "内容", "平均分/分值", "未得满分"]]
        rows.extend(
            [i.address, clip(i.title, TEXT_WIDTH), f"{_mean(i.average)}/{fmt(i.max)}", f"{i.missed}家"]
            for i in missed
        )
        doc.table(rows, frozenset({2, 3}))


def _below(r: Rollup, doc: _Doc) -> None:
    if not r.below:
        return
    doc.section(f"未达到“{r.level}”的单位（{len(r.below)}家）及差距" if r.level else "未通过的单位及差距")
    rows = [["单位", "总分", "还差", "最少完成"]]
    for b in r.below:
        if b.target is None:
            need, steps = "—", "已达到最高等级"
        elif not b.reachable:
            need, steps = f"{fmt(b.missing or 0)}分", f"即使全部得满分也只有{fmt(b.best or 0)}分"
        else:
            need = f"{fmt(b.missing or 0)}分" if b.missing else "门槛项"
            steps = "、".join(s.address for s in b.plan) + f"（{len(b.plan)}项）"
        rows.append([agency_label(b.agency), fmt(b.total), need, steps])
    doc.table(rows, frozenset({1, 2}))


def _lists(r: Rollup, doc: _Doc) -> None:
    if r.missing:
        doc.section(f"未申报（{len(r.missing)}家）")
        doc.bullets([m.agency for m in r.missing])
    if r.late:
        doc.section(f"逾期报送（{len(r.late)}份，仍计入）")
        rows = [["单位", "阶段", "日期", "截止日期", "逾期", "文件"]]
        rows.extend(
            [
                x.agency,
                _stage(x.stage),
                day(x.date),
                day(x.deadline),
                f"{x.days}天",
                _where(_name(x.file), x.line),
            ]
            for x in r.late
        )
        doc.table(rows, frozenset({4}))
    if r.differences:
        doc.section(f"自评与核查差异（{len(r.differences)}家）")
        rows = [["单位", "前", "后", "差值", "得分变化的条目"]]
        for d in r.differences:
            before = f"{_stage(d.from_stage)}{fmt(d.from_total)}分"
            after = f"{_stage(d.to_stage)}{fmt(d.to_total)}分"
            changed = "、".join(f"{i.address}（{_signed(i.difference)}）" for i in d.items) or "—"
            rows.append([agency_label(d.agency), before, after, _signed(d.difference), changed])
        doc.table(rows, frozenset({3}))
    if r.unmatched:
        doc.section(f"未匹配名录的自评打分表（{len(r.unmatched)}份，未计入）")
        doc.bullets([f"{_where(u.file, u.line)}：{u.reason}" for u in r.unmatched])
    if r.skipped:
        doc.section(f"跳过的文件（{len(r.skipped)}个）")
        doc.bullets([f"{s.file}：{s.reason}" for s in r.skipped])
    if r.errors:
        doc.section(f"无法计入的输入（{len(r.errors)}处）")
        doc.bullets([error_line(e.file, e.line, e.column, e.cell, e.message) for e in r.errors])


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"+{fmt(value)}" if value > 0 else fmt(value)


def _name(file: str | None) -> str | None:
    # Tables show the file's name; the folder is the one given on the command line.
    return None if file is None else Path(file).name


def _where(file: str | None, line: int | None) -> str:
    name = file or "—"
    return f"{name}:{line}" if line is not None else name


def error_line(file: str | None, line: int | None, column: int | None, cell: str | None, message: str) -> str:
    """An input error as one line: ``file:line:column: message`` or ``file: 自评打分表!G14: message``."""
    head = file or ""
    if cell is not None:
        head += f": {cell}" if head else cell
    elif line is not None:
        head += f":{line}" + (f":{column}" if column is not None else "")
    return f"{head}: {message}" if head else message


def _comparison(c: Comparison, doc: _Doc) -> None:
    base, other = c.base, c.other
    doc.section("另一版本对比（what-if）")
    ours, theirs = base.rubric, other.rubric
    doc.para(
        f"本版：{ours.title}（{ours.version or '—'}），{rubric_hash(ours)[:19]}…",
        f"对比：{theirs.title}（{theirs.version or '—'}），{rubric_hash(theirs)[:19]}…",
        f"建成 {base.summary.reached} 家 → {other.summary.reached} 家；"
        f"占 {percent(base.summary.share)} → {percent(other.summary.share)}",
    )
    if not c.changes:
        doc.para("两个版本下各单位认定结果相同")
        return
    rows = [["单位", "本版", "对比版", "得分变化的条目"]]
    for x in c.changes:
        mine = f"{fmt(x.base_total)}分 {x.base_level or '未达到'}"
        yours = f"{fmt(x.other_total)}分 {x.other_level or '未达到'}"
        items = "、".join(f"{i.address}（{_signed(i.difference)}）" for i in x.items) or "—"
        rows.append([agency_label(x.agency), mine, yours, items])
    doc.table(rows)


def render_rollup(
    r: Rollup,
    format: Format,  # noqa: A002 - the CLI's word
    comparison: Comparison | None = None,
    *,
    headers: Headers = "en",
) -> str:
    """A roll-up as text or Markdown (Chinese labels, for the 节能办), JSON, or CSV.

    Args:
        r: the roll-up.
        format: ``"text"``, ``"markdown"``, ``"json"`` (`Rollup.to_dict`, with the what-if under
            ``"compare"`` when given) or ``"csv"`` (one row per roster agency: agency, code,
            parent, type, counted, stage, file, line, date, one column per unit, total, level,
            passed, reached, failed_gates, rubric_hash, library).
        comparison: the what-if under another edition, if any (not in CSV).
        headers: the CSV header's language: ``"en"``, the column names above, or ``"zh"``
            (单位, 统一社会信用代码, 上级单位 …); other formats ignore it.

    Returns:
        The report, ending in a newline.
    """
    if format == "json":
        data = r.to_dict()
        if comparison is not None:
            data["compare"] = comparison.to_dict()
        return dumps_json(data) + "\n"
    if format == "csv":
        return rollup_csv(r, headers)
    doc = _Doc(format == "markdown")
    _head(r, doc)
    _groups(r, doc)
    _agencies(r, doc)
    _averages(r, doc)
    _below(r, doc)
    _lists(r, doc)
    if comparison is not None:
        _comparison(comparison, doc)
    return doc.text()
