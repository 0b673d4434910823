"""The energy indicators as text for a person or JSON for a program."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from ._energy_compute import Indicators
from ._energy_judge import judgements
from ._text import dumps_json, visible


def _doc(result: Indicators) -> dict[str, Any]:
    doc = result.to_dict()
    doc["judgements"] = {name: j.to_dict() for name, j in judgements(result).items()}
    return doc


def _text(result: Indicators) -> str:
    lines = result.lines()
    judged = judgements(result)
    if judged:
        lines.append("目标：")
        lines.extend(f"  {j.reason}" for j in judged.values())
    lines.append("（指标四舍五入保留两位小数，与目标比较用精确值。）")
    return "\n".join(lines) + "\n"


def render_energy(
    result: Indicators | Sequence[Indicators],
    format: Literal["text", "json"] = "text",  # noqa: A002 - the word users know
) -> str:
    """Render *result*: its whole derivation, and each indicator that has a target, judged.

    Args:
        result: computed indicators (`indicators`), or several (one per CSV row).
        format: ``text`` (Chinese lines; several results apart by a blank line) or ``json``
            (``Indicators.to_dict()`` with ``judgements`` by indicator; an array for several).

    Returns:
        The text, ending with a newline.

    Raises:
        ValueError: *format* is neither ``text`` nor ``json``.
    """
    if format not in ("text", "json"):
        raise ValueError(f"unknown format {format!r}; expected 'text' or 'json'")
    several = not isinstance(result, Indicators)
    results = list(result) if not isinstance(result, Indicators) else [result]
    if format == "json":
        docs = [_doc(r) for r in results]
        # As every JSON report: control and bidirectional characters escaped, numbers exact.
        return dumps_json(docs if several else docs[0]) + "\n"
    # A sheet's names reach the text: shown escaped, line by line, as the other reports show them.
    text = "\n".join(_text(r) for r in results)
    return "\n".join(visible(line) for line in text.split("\n"))
