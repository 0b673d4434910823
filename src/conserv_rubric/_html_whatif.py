"""The dashboard's what-if section: the same sheets rolled up under another edition."""

from __future__ import annotations

from ._html_doc import Html, el, row, table
from ._provenance import rubric_hash
from ._rollup_report import _signed, percent
from ._text import fmt
from ._whatif import Comparison


def comparison_section(c: Comparison) -> list[Html]:
    """The what-if section: the same sheets under another edition, and whose level moves."""
    base, other = c.base, c.other
    ours, theirs = base.rubric, other.rubric
    out = [
        el("h2", "另一版本对比（what-if）"),
        el(
            "p",
            f"本版：{ours.title}（{ours.version or '—'}），{rubric_hash(ours)[:19]}…；"
            f"对比：{theirs.title}（{theirs.version or '—'}），{rubric_hash(theirs)[:19]}…",
            class_="meta",
        ),
        el(
            "p",
            f"建成 {base.summary.reached} 家 → {other.summary.reached} 家；"
            f"占 {percent(base.summary.share)} → {percent(other.summary.share)}",
        ),
    ]
    if not c.changes:
        out.append(el("p", "两个版本下各单位认定结果相同"))
        return out
    rows = []
    for x in c.changes:
        items = "、".join(f"{i.address}（{_signed(i.difference)}）" for i in x.items) or "—"
        rows.append(
            row(
                [
                    x.agency,
                    f"{fmt(x.base_total)}分 {x.base_level or '未达到'}",
                    f"{fmt(x.other_total)}分 {x.other_level or '未达到'}",
                    items,
                ]
            )
        )
    out.append(table(["单位", "本版", "对比版", "得分变化的条目"], rows, class_="changes"))
    return out
