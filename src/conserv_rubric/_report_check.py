"""The report of ``check``: the totals tree (unit → project → item, declared beside computed),
the levels, the author's notes, and the problems and warnings, as text or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final, Literal

import attrs

from ._compiled import partial_parts
from ._exact import exactly
from ._kinds import ZERO
from ._report_lines import join_lines
from ._termfit import grid
from ._text import check_format, clip, dumps_json, fmt, show, visible, width
from ._totals import declared_max, group_max, transform, unit_weight
from ._tree import walk
from .errors import Problem, _total
from .model import Project, Rubric, Unit

#: Display width of an item's text in the totals tree (about 24 Chinese characters).
TITLE_WIDTH: Final = 48


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
        summed = f"{'' if bonus or not agg.base else fmt(agg.base) + ' + '}{summed}"
        # Dividing by 1 divides nothing: the formula says so only for a divisor the rubric sets.
        if agg.divisor != 1:
            summed = f"({summed}) / {fmt(agg.divisor)}"
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
            item = _node(node.address, obj.text, getattr(obj, "points", None), declared_max(obj), bad, obj)
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
    return join_lines(lines)


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


def _tree_row(node: dict[str, Any], label: str) -> list[str]:
    return [label.rstrip(), show(node["declared"]), show(node["computed"]), "✓" if node["ok"] else "✗"]
