"""``conserv-rubric rubrics``: what is shipped, one rubric per line."""

from __future__ import annotations

from typing import Any, Literal

from ._rubric_io import read_rubric
from ._shipped import index
from ._termfit import grid
from ._text import check_format, dumps_json, fmt, visible


def catalogue() -> list[dict[str, Any]]:
    """Every shipped rubric, in name order, as a JSON-ready dict.

    Keys: name, title, issuer, version, total, bonus, levels [{name, min}], valid, problems (how
    many validation found: a few standards are shipped as published although their own numbers do
    not add up) and file.
    """
    out = []
    for name, file in index("rubrics").items():
        rubric, found = read_rubric(file)
        problems = [p for p in found if p.severity == "error"]
        out.append(
            {
                "name": name,
                "title": rubric.title,
                "issuer": rubric.issuer,
                "version": rubric.version,
                "total": rubric.total,
                "bonus": rubric.bonus,
                "levels": [{"name": lv.name, "min": lv.min} for lv in rubric.levels],
                "valid": not problems,
                "problems": len(problems),
                "file": str(file),
            }
        )
    return out


def render_catalogue(format: Literal["text", "json"]) -> str:  # noqa: A002 - the CLI's word
    """The shipped rubrics: a table of name, title, total (+ bonus), ✓ or ✗ and levels, or JSON.

    Returns:
        The listing, ending in a newline.

    Raises:
        RubricError: *format* is unknown.
    """
    check_format(format, ("text", "json"))
    entries = catalogue()
    if format == "json":
        return dumps_json(entries) + "\n"
    rows = [["名称", "评价标准", "总分", "", "认定等级"]]
    for e in entries:
        total = fmt(e["total"]) + ("" if e["bonus"] is None else f" + {fmt(e['bonus'])}")
        state = "✓" if e["valid"] else f"✗{e['problems']}"
        levels = "，".join(f"{lv['name']} ≥ {fmt(lv['min'])}" for lv in e["levels"]) or "—"
        rows.append([visible(e["name"]), visible(e["title"]), total, state, visible(levels)])
    lines = grid(rows, right=frozenset({2}))
    if not all(e["valid"] for e in entries):
        # A few standards are shipped as published although their own numbers do not add up.
        note = "✗N：按原文收录，有 N 个问题（分值不相符等）；conserv-rubric check 名称 列出问题。"
        lines.extend(["", note])
    return "\n".join(lines) + "\n"
