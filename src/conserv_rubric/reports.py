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

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from ._card_total import rescaled_note, rescaled_units, total_formula
from ._exact import exactly
from ._headers import Headers
from ._labels import agency_label, stage_label
from ._provenance import SCHEMA_VERSION, provenance_line
from ._report_lines import join_lines, report_table
from ._score import ScoreCard
from ._text import Markup, argument, check_format, dumps_json, fmt, markdown, visible
from .errors import Problem, RubricError

if TYPE_CHECKING:
    from ._report_check import render_check
    from ._report_diff import render_diff
    from ._report_gap import render_gap

__all__ = [
    "SCHEMA_VERSION",
    "error_entry",
    "level_line",
    "render_cards",
    "render_check",
    "render_diff",
    "render_gap",
]

#: The report renderers of the other commands, imported when first asked for: a score needs none.
_LAZY = {"render_check": "_report_check", "render_diff": "_report_diff", "render_gap": "_report_gap"}


if not TYPE_CHECKING:
    # Hidden from type checkers, which see the imports above: a module-level __getattr__
    # would make every name, a misspelt one too, an Any to them.

    def __getattr__(name: str) -> Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module  # noqa: PLC0415 - only the commands that render these

        value = getattr(import_module(f"{__package__}.{module}"), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
    rescaled = {r["address"]: rescaled_note(r) for r in rescaled_units(card)}
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
            subtotal = _of(unit.points, unit.applicable_max, unit.max)
            rows.append([unit.address, unit.title, "小计", subtotal, rescaled.get(unit.address, "")])
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


def _card(card: ScoreCard, md: bool) -> list[str]:
    esc = markdown if md else visible
    rows = _rows(card)
    if md:
        rows[-1] = ["", Markup("**总分**"), "", Markup(f"**{rows[-1][3]}**"), ""]
    table = report_table(rows, frozenset({3}), md)
    heading = _heading(card, esc)
    lines = [f"## {esc(card.rubric.title)}" if md else esc(card.rubric.title)]
    if heading:
        lines += ["", heading] if md else [heading]
    lines += ["", *table, ""]
    formula = total_formula(card)
    if formula is not None:
        # Not the sum of the 小计 rows above: how the total comes from them.
        lines += [f"总分 = {esc(formula['formula'])}", *([""] if md else [])]
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


def _cards(cards: object) -> list[ScoreCard | RubricError]:
    """*cards* as a list, each a card or an error; anything else refused, not skipped."""
    takes = "render_cards() takes a list of ScoreCards (and the errors of a batch)"
    return _listed(cards, takes, (ScoreCard, RubricError), "render_cards([card], format)")


def _listed(cards: object, takes: str, kinds: tuple[type, ...], usage: str) -> list[Any]:
    """*cards* as a list whose entries are each of *kinds*; anything else refused with *takes*
    (a lone card with *usage*, how to put it in a list), not skipped."""
    if isinstance(cards, str) or not isinstance(cards, Iterable):
        hint = f"; put it in a list: {usage}" if isinstance(cards, ScoreCard) else ""
        raise RubricError([Problem(message=f"{takes}, not {argument(cards)}{hint}")])
    entries = list(cards)
    for i, entry in enumerate(entries):
        if not isinstance(entry, kinds):
            raise RubricError([Problem(message=f"{takes}; cards[{i}] is {argument(entry)}")])
    return entries


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
        RubricError: *format* is unknown, or ``"csv"`` of cards scored against different rubrics;
            *cards* is not a list of cards and errors (one card is put in a list).
    """
    check_format(format, ("text", "markdown", "json", "csv"))
    cards = _cards(cards)
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
    return join_lines(lines)
