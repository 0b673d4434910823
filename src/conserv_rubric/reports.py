"""Reports: the totals tree of ``check``, score cards, gap analyses and self/verified comparisons,
as text, Markdown, JSON or CSV.

Every report of a result names what produced it (DESIGN §14): the JSON of a card, a gap and a
diff carries ``schema_version`` (`SCHEMA_VERSION`) and ``provenance`` (`Provenance`); a text or
Markdown report ends with the line 评价标准：title（version），sha256:…，conserv_rubric version; a CSV
row ends with the ``rubric_hash`` and ``library`` columns.

Text output aligns Chinese text by display width (wide and full-width characters take two
columns). JSON output writes every `Decimal` as an exact JSON number (``2.5``, never ``2.5000001``
or ``"2.5"``).

Every report is safe to show whatever the rubric and the sheets hold: text and Markdown show
control characters as escapes (``\\x1b``, ``\\n``), so no ESC sequence reaches a terminal and
no newline starts a line of its own; Markdown escapes its own special characters and HTML (no
``<script>``, no ``javascript:`` link); a CSV text cell that a spreadsheet would run as a
formula starts with ``'``; JSON escapes every control character.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from ._compiled import partial_parts
from ._exact import exactly
from ._headers import Headers
from ._kinds import ZERO, maximum
from ._labels import agency_label, stage_label
from ._provenance import SCHEMA_VERSION, Provenance, provenance_line
from ._score import ScoreCard
from ._termfit import grid
from ._text import (
    GATE_NAMES,
    Markup,
    check_format,
    clip,
    dumps_json,
    fmt,
    markdown,
    markdown_table,
    show,
    visible,
    width,
)
from ._totals import group_max, transform, unit_weight
from ._tree import walk
from .errors import Problem, RubricError, _total
from .model import Project, Rubric, Unit

if TYPE_CHECKING:
    from .diffs import SheetDiff
    from .gaps import Gap, OpenItem

__all__ = [
    "SCHEMA_VERSION",
    "error_entry",
    "level_line",
    "render_cards",
    "render_check",
    "render_diff",
    "render_gap",
]

#: Display width of an item's text in the totals tree (about 24 Chinese characters).
TITLE_WIDTH: Final = 48
#: Display width an item's text is clipped to in a gap report (JSON keeps it whole).
GAP_TEXT_WIDTH: Final = 60
#: Display width an item's text is clipped to in a comparison table.
DIFF_TEXT_WIDTH: Final = 30


# --- check: the totals tree ------------------------------------------------------------------


def _node(
    address: str, title: str, declared: Decimal | None, computed: Decimal | None, bad: bool, obj: Any
) -> dict[str, Any]:
    ok = not bad and (declared is None or declared == computed)
    out = {"address": address, "title": title, "declared": declared, "computed": computed, "ok": ok}
    return {**out, "published": getattr(obj, "published", None), "note": obj.note}


def _total_line(rubric: Rubric, units: list[tuple[str, Unit]], *, bonus: bool) -> tuple[str, Decimal | None]:
    terms, values = [], []
    for address, unit in units:
        value = unit.points if unit.points is not None else group_max(unit)
        weight = unit_weight(rubric, address)
        terms.append(show(value) if weight == 1 else f"{fmt(weight)}×{show(value)}")
        values.append(None if value is None else value * weight)
    computed = (
        None
        if None in values
        else transform(rubric, sum((v or ZERO for v in values), ZERO), with_base=not bonus)
    )
    summed = " + ".join(terms) or "0"
    agg = rubric.aggregate
    if agg is not None:
        summed = f"({'' if bonus or not agg.base else fmt(agg.base) + ' + '}{summed}) / {fmt(agg.divisor)}"
    return summed, computed


def _check_dict(rubric: Rubric, found: Sequence[Problem], file: str | None) -> dict[str, Any]:
    problems = [p for p in found if p.severity == "error"]
    warnings = [p for p in found if p.severity == "warning"]
    flagged = {p.address for p in problems if p.address is not None}
    units: list[dict[str, Any]] = []
    unit_nodes: list[tuple[str, Unit]] = []
    for node in walk(rubric):
        obj = node.obj
        if isinstance(obj, Unit):
            unit_nodes.append((node.address, obj))
            unit = _node(node.address, obj.title, obj.points, group_max(obj), node.address in flagged, obj)
            units.append({**unit, "bonus": obj.bonus, "projects": [], "items": []})
        elif isinstance(obj, Project):
            project = _node(node.address, obj.title, obj.points, group_max(obj), node.address in flagged, obj)
            project["items"] = []
            units[-1]["projects"].append(project)
        elif node.kind == "item":
            bad = any(a == node.address or a.startswith(node.address + ".") for a in flagged)
            item = _node(node.address, obj.text, getattr(obj, "points", None), maximum(obj), bad, obj)
            item["kind"] = obj.kind
            (units[-1]["projects"][-1] if node.project is not None else units[-1])["items"].append(item)
    out: dict[str, Any] = {
        "rubric": rubric.title,
        "file": file if file is not None else next((p.file for p in found if p.file), None),
        "valid": not problems,
    }
    for key, declared, bonus in (("total", rubric.total, False), ("bonus", rubric.bonus, True)):
        members = [(a, u) for a, u in unit_nodes if u.bonus == bonus]
        if bonus and not members and declared is None:
            continue
        formula, computed = _total_line(rubric, members, bonus=bonus)
        ok = declared == computed or (bonus and declared is None)
        out[key] = {"declared": declared, "computed": computed, "formula": formula, "ok": ok}
        if not bonus:
            out[key]["published"] = rubric.published
    out["units"] = units
    out["note"] = rubric.note
    out["partial"] = [attrs.asdict(p) for p in partial_parts(rubric)]
    out["levels"] = [
        {"name": lv.name, "min": lv.min, "unit_min": dict(lv.unit_min), "unit_share": lv.unit_share}
        for lv in rubric.levels
    ]
    keys = ("message", "path", "address", "line", "column", "expected", "actual")
    out["problems"] = [{k: getattr(p, k) for k in keys} for p in problems]
    out["warnings"] = [{k: getattr(p, k) for k in keys} for p in warnings]
    return out


@exactly
def render_check(
    rubric: Rubric,
    problems: Sequence[Problem],
    format: Literal["text", "json"],  # noqa: A002 - the CLI's word
    *,
    file: str | None = None,
) -> str:
    """The totals tree of *rubric* (unit → project → item), its levels and *problems*.

    Every node shows its declared points beside the maximum computed from beneath it, marked ✗
    when they differ or when a problem names the node (an item is also marked for its parts).

    Args:
        rubric: the rubric, valid or not (see `read_rubric`).
        problems: what validation found.
        format: ``"text"``, or ``"json"`` for a dict with the keys rubric, file, valid, total
            (and bonus) {declared, computed, formula, ok}, units [{address, title, declared,
            computed, ok, bonus, projects [… items], items [{…, kind}]}], levels, problems
            (the errors) and warnings, each [{message, path, address, line, column, expected,
            actual}]. ``valid`` is true when there is no error.
        file: the rubric's file name; by default the file the problems name.

    Returns:
        The report, ending in a newline.

    Raises:
        RubricError: *format* is unknown.
    """
    check_format(format, ("text", "json"))
    data = _check_dict(rubric, problems, file)
    data_warnings = [p for p in problems if p.severity == "warning"]
    if format == "json":
        return dumps_json(data) + "\n"
    rows = [["评价单元 / 项目 / 条目", "分值", "计算", ""]]
    for unit in data["units"]:
        tag = "（加分）" if unit["bonus"] else ""
        tag += _published(unit["published"])
        rows.append(_tree_row(unit, f"{unit['address']} {visible(unit['title'])}{tag}"))
        for project in unit["projects"]:
            label = f"  {project['address']} {visible(project['title'])}{_published(project['published'])}"
            rows.append(_tree_row(project, label))
            rows.extend(
                _tree_row(i, f"    {i['address']} {clip(visible(i['title']), TITLE_WIDTH)}")
                for i in project["items"]
            )
        rows.extend(
            _tree_row(i, f"  {i['address']} {clip(visible(i['title']), TITLE_WIDTH)}") for i in unit["items"]
        )
    lines = [rubric.title, "", *grid(rows, right=frozenset({1, 2})), ""]
    for key, label in (("total", "总分"), ("bonus", "附加分")):
        if key in data:
            t = data[key]
            same = t["declared"] == t["computed"]
            tail = "" if same or t["computed"] is None else f" = {fmt(t['computed'])}"
            formula = f"{show(t['declared'])} {'=' if same else '≠'} {t['formula']}{tail}"
            lines.append(f"{label} {formula} {'✓' if t['ok'] else '✗'}{_published(t.get('published'))}")
    if data["partial"]:
        shown = "；".join(
            f"{p['label']}录入{fmt(p['transcribed'])}分（原标准{fmt(p['published'])}分）"
            for p in data["partial"]
        )
        lines.append(f"部分转录：{shown}；按本表评分不作认定")
    if rubric.levels:
        lines.append("认定等级：")
        for lv in rubric.levels:
            extra = [f"单元{a} ≥ {fmt(m)}分" for a, m in lv.unit_min.items()]
            if lv.unit_share is not None:
                extra.append(f"各单元 ≥ 满分的{fmt(lv.unit_share * 100)}%")
            lines.append(
                f"  {visible(lv.name)} ≥ {fmt(lv.min)}分" + (f"（{'，'.join(extra)}）" if extra else "")
            )
    notes = _notes(data)
    if notes:
        lines.extend(["", "说明：", *notes])
    problems = [p for p in problems if p.severity == "error"]
    warnings = [str(p) for p in data_warnings]
    if warnings:
        lines.extend(["", f"警告（{_total(data_warnings)}）：", *warnings])
    if problems:
        # A capped list ends with "… and N more": count those too.
        lines.extend(["", f"问题（{_total(problems)}）："])
        lines.extend(str(p) for p in problems)
        lines.extend(["", f"✗ 无效：{_total(problems)} 个问题"])
    else:
        n = {
            kind: sum(1 for node in walk(rubric) if node.kind == kind) for kind in ("unit", "project", "item")
        }
        lines.extend(
            ["", f"✓ 有效：{n['unit']} 个评价单元，{n['project']} 个评价项目，{n['item']} 个条目，分值相符"]
        )
        if warnings:
            lines.append(f"⚠ {len(warnings)} 个警告（check --strict 时视为不通过）")
    return _join(lines)


def _published(published: Decimal | None) -> str:
    return f"（原标准{fmt(published)}分）" if published is not None else ""


def _notes(data: dict[str, Any]) -> list[str]:
    """The author's notes of the totals tree: the rubric's, then each unit's, project's and
    item's by address."""
    out = _note_lines("", data["note"]) if data["note"] else []
    for unit in data["units"]:
        nodes = [unit]
        for project in unit["projects"]:
            nodes += [project, *project["items"]]
        nodes += unit["items"]
        for n in nodes:
            if n["note"]:
                out.extend(_note_lines(f"{n['address']}：", n["note"]))
    return out


def _note_lines(lead: str, note: str) -> list[str]:
    """A note as indented lines, each of its own lines on one (a note may span several)."""
    lines = [visible(line) for line in note.strip("\n").split("\n")]
    return [f"  {lead}{lines[0]}", *(f"  {' ' * width(lead)}{line}" for line in lines[1:])]


def _join(lines: Sequence[str]) -> str:
    """The lines of a text or Markdown report as one text; a control character that some field
    still held is escaped here, so that none reaches the reader."""
    return "".join(visible(line) + "\n" for line in lines)


def _tree_row(node: dict[str, Any], label: str) -> list[str]:
    return [label.rstrip(), show(node["declared"]), show(node["computed"]), "✓" if node["ok"] else "✗"]


# --- score: the score tables ----------------------------------------------------------------


def level_line(card: ScoreCard) -> str:
    """What *card* reached, in the standard's words: 达到“…”, or 未达到 … and why.

    The level's name is as the rubric writes it, unescaped: a report escapes the whole line.
    It is `ScoreCard.verdict`, which `gap` and `diff` carry too.
    """
    return card.verdict


def _heading(card: ScoreCard, esc: Callable[[str], str]) -> str:
    info = card.sheet.info if card.sheet is not None else None
    if info is None:
        return ""
    parts = [f"单位：{esc(agency_label(info.agency))}"]
    if info.year is not None:
        parts.append(f"年度：{info.year}")
    parts.append(f"阶段：{esc(stage_label(info.stage))}")
    if info.assessor:
        parts.append(f"评估人：{esc(info.assessor)}")
    return "　".join(parts)


def _rows(card: ScoreCard) -> list[list[str]]:
    """The table of *card*, its cells as the rubric and sheet write them (escaped by the caller)."""
    units = {u.address: u for u in card.units}
    projects = {p.address: p for p in card.projects}
    rows = [["序号", "评价单元", "评价项目", "得分/分值", "说明"]]
    items = list(card.items.values())
    last_unit: str | None = None
    last_project: str | None = None
    for k, item in enumerate(items):
        unit = units[item.unit]
        new_unit = item.unit != last_unit
        same = item.project == last_project and not new_unit
        project = "" if item.project is None or same else projects[item.project].title
        # An item that does not apply and counts for nothing is no 0 of its points.
        dropped = not item.applicable and item.applicable_max == 0
        score = f"—/{fmt(item.max)}" if dropped else f"{fmt(item.points)}/{fmt(item.max)}"
        rows.append([item.address, unit.title if new_unit else "", project, score, item.reason])
        last_unit, last_project = item.unit, item.project
        if k + 1 == len(items) or items[k + 1].unit != item.unit:
            rows.append(
                [unit.address, unit.title, "小计", _of(unit.points, unit.applicable_max, unit.max), ""]
            )
    rows.append(["", "总分", "", _of(card.total, card.applicable_max, card.max), ""])
    return rows


def _of(points: Decimal, applicable: Decimal, full: Decimal) -> str:
    """Points of what could be scored: ``15/19（满分27）`` where items do not apply."""
    if applicable == full:
        return f"{fmt(points)}/{fmt(full)}"
    return f"{fmt(points)}/{fmt(applicable)}（满分{fmt(full)}）"


def _lists(card: ScoreCard, esc: Callable[[str], str]) -> list[tuple[str, list[str]]]:
    out = [("认定", [esc(level_line(card))])]
    if card.failed_gates:
        out.append(("未通过的门槛项", [esc(f"{g.address}：{g.reason}") for g in card.failed_gates]))
    none = set(card.none_found)
    zero = [a for a in card.unanswered if a not in none]
    if zero:
        out.append(("未填写（按0分计）", [esc("、".join(zero))]))
    if none:
        out.append(("未填写（按无扣分计）", [esc("、".join(card.none_found))]))
    if card.without_evidence:
        out.append(("得分但缺少佐证材料", [esc("、".join(card.without_evidence))]))
    notes = [esc(f"{r.address}：{r.note}") for r in card.items.values() if r.note]
    if notes:
        out.append(("条目说明", notes))
    return out


def _table(rows: list[list[str]], right: frozenset[int], md: bool) -> list[str]:
    """*rows* as a Markdown table (which escapes its cells) or aligned text of visible cells."""
    if md:
        return markdown_table(rows, right)
    return grid([[visible(cell) for cell in row] for row in rows], right)


def _card(card: ScoreCard, md: bool) -> list[str]:
    esc = markdown if md else visible
    rows = _rows(card)
    if md:
        rows[-1] = ["", Markup("**总分**"), "", Markup(f"**{rows[-1][3]}**"), ""]
    table = _table(rows, frozenset({3}), md)
    heading = _heading(card, esc)
    lines = [f"## {esc(card.rubric.title)}" if md else esc(card.rubric.title)]
    if heading:
        lines += ["", heading] if md else [heading]
    lines += ["", *table, ""]
    for name, entries in _lists(card, esc):
        label = f"**{name}**" if md else name
        if len(entries) == 1:
            lines.append(f"{label}：{entries[0]}")
        else:
            lines.append(f"{label}：")
            lines.extend(f"{'-' if md else ' '} {e}" for e in entries)
        if md:
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    lines.extend(["", esc(provenance_line(card.provenance))])
    return lines


def _footer(p: Provenance | None, esc: Callable[[str], str]) -> list[str]:
    """The provenance line that ends a gap or diff report, after a blank line."""
    return [] if p is None else ["", esc(provenance_line(p))]


def _versioned(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON of a gap or diff: ``schema_version`` and ``provenance`` first, then the rest."""
    return {"schema_version": SCHEMA_VERSION, "provenance": data.pop("provenance"), **data}


def error_entry(error: RubricError) -> dict[str, Any]:
    """The JSON entry of an input that could not be scored: ``{"file": …, "error": {…}}``.

    ``error`` holds ``message`` (every problem, one per line, as the command line prints them)
    and ``problems``, each with ``message``, ``file``, ``path``, ``address``, ``line``,
    ``column``, ``expected`` and ``actual`` (null where unknown).

    Args:
        error: what reading or scoring the input raised.

    Returns:
        A JSON-ready dict; ``file`` is the file of the first problem.
    """
    keys = ("message", "file", "path", "address", "line", "column", "expected", "actual")
    problems = [{k: getattr(p, k) for k in keys} for p in error.problems]
    return {"file": error.file, "error": {"message": str(error), "problems": problems}}


@exactly
def render_cards(
    cards: Sequence[ScoreCard | RubricError],
    format: Literal["text", "markdown", "json", "csv"],  # noqa: A002 - the CLI's word
    *,
    headers: Headers = "en",
) -> str:
    """Score cards as the standard's own table, as JSON, or as one CSV row per card.

    Text and Markdown show 序号 | 评价单元 | 评价项目 | 得分/分值 | 说明, one row per item with
    unit subtotals and the total, then the level reached, failed gates, unanswered leaves and
    items that earned points without evidence (佐证材料), and end each card with its provenance
    line. A sheet that leaves its agency blank is headed 单位：未填写单位名称.

    A batch may hold the errors of inputs that could not be scored, in input order beside the
    cards: JSON lists each as its `error_entry`; text, Markdown and CSV show only the cards (the
    command line reports the errors on standard error).

    Args:
        cards: the cards, all scored against one rubric, and the errors of a batch.
        format: ``"text"``, ``"markdown"``, ``"json"`` (one entry: `ScoreCard.to_dict` or the
            `error_entry`; several: a list of them in order; points as exact numbers) or
            ``"csv"`` (agency, code, year, stage, assessor, date, one column per unit, total,
            max, level, passed, failed_gates, file, line, rubric_hash, library).
        headers: the CSV header's language: ``"en"``, the column names above, or ``"zh"``
            (单位, 统一社会信用代码, 年度 …; docs/cli.md lists them); other formats ignore it.

    Returns:
        The report, ending in a newline; without a card, text and Markdown are empty and CSV
        is its header row.

    Raises:
        RubricError: *format* is unknown, or ``"csv"`` of cards scored against different rubrics.
    """
    check_format(format, ("text", "markdown", "json", "csv"))
    if format == "json":
        entries = [c.to_dict() if isinstance(c, ScoreCard) else error_entry(c) for c in cards]
        return dumps_json(entries[0] if len(entries) == 1 else entries) + "\n"
    scored = [c for c in cards if isinstance(c, ScoreCard)]
    if format == "csv":
        from ._csv_report import cards_csv  # noqa: PLC0415 - off start-up: it holds the roll-up's CSV too

        return cards_csv(scored, headers)
    lines: list[str] = []
    for card in scored:
        lines.extend(["", *_card(card, format == "markdown")] if lines else _card(card, format == "markdown"))
    return _join(lines)


# --- gap: what is still open ------------------------------------------------------------


def _headline(g: Gap, esc: Callable[[str], str]) -> list[str]:
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
    why = "有门槛项未通过" if g.failed_gates else "有评价单元得分不足"
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
        return dumps_json(_versioned(attrs.asdict(g))) + "\n"
    md = format == "markdown"
    esc = markdown if md else visible
    title = esc(g.rubric if g.agency is None else f"{g.rubric} — {agency_label(g.agency)}")
    standing = f"当前得分 {fmt(g.total)} 分（满分 {fmt(g.max)} 分），{esc(g.verdict)}"
    lines = [f"## {title} 差距分析" if md else f"{title} 差距分析", "", standing, ""]
    lines.extend(_headline(g, esc))
    if g.target is not None and g.target.plan:
        lines.extend(["", *_table(_plan_rows(g), frozenset({2, 3, 4}), md)])
    if g.failed_gates:
        lines.extend(["", "未通过的门槛项："])
        lines.extend(f"{'- ' if md else '  '}{x.address}：{esc(x.reason)}" for x in g.failed_gates)
    if g.units:
        lines.extend(["", f"未得满分的条目（全部得满分可增加 {fmt(g.adds)} 分）：", ""])
        lines.extend(_table(_open_rows(g), frozenset({1, 2}), md))
    else:
        lines.extend(["", "自评可得分的条目均已得满分" if g.withheld else "所有适用条目均已得满分"])
    if g.withheld:
        # Each one's addition alone: caps can make their sum more than all of them add.
        lines.extend(["", "仅由核查方评分的条目（自评不计分，不计入以上可增加的分数和计划）：", ""])
        rows = [["序号", "得分/分值", "可增加", "内容"], *(_item_row(i) for i in g.withheld)]
        lines.extend(_table(rows, frozenset({1, 2}), md))
    lines.extend(_footer(g.provenance, esc))
    return _join(lines)


# --- diff: self against verified -------------------------------------------------------


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
        return dumps_json(_versioned(attrs.asdict(d))) + "\n"
    md = format == "markdown"
    esc = markdown if md else visible
    title = esc(d.rubric if d.agency is None else f"{d.rubric} — {agency_label(d.agency)}")
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
        lines.extend(["", f"{first}与{then}各条目得分一致", *_footer(d.provenance, esc)])
        return _join(lines)
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
    lines.extend(["", *_table(rows, frozenset({2, 3, 4, 5}), md), "", f"共 {len(d.items)} 项得分不同"])
    lines.extend(_footer(d.provenance, esc))
    return _join(lines)
