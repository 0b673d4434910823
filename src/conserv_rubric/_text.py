"""Text and numbers as the reports write them: display widths of Chinese text, tables, exact JSON.

Every module that shows a number or lays out a table uses these, so a figure reads the same in
every report (``2``, ``2.5``, ``0.2``; never ``2.0`` or ``2E+1``).
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Final

CLOSING: Final = frozenset("，。、；：！？）》」』”’")


def _scientific(value: int) -> str:
    """A huge integer as ``1.000E+5000``, like a Decimal's ``:.3E``, without str() (which refuses
    more than 4300 digits) or Decimal() (which takes seconds over a million)."""
    size = abs(value)
    digits = math.log10(size)  # exact enough: only four digits are shown
    exponent = math.floor(digits)
    lead = round(size / 10 ** (exponent - 3) if exponent < 300 else 10 ** (digits - exponent + 3))
    if lead >= 10_000:  # the logarithm of a power of ten may fall just short of it
        lead, exponent = round(lead / 10), exponent + 1
    sign = "-" if value < 0 else ""
    return f"{sign}{lead // 1000}.{lead % 1000:03d}E+{exponent}"


def fmt(value: Decimal | int) -> str:
    """A number as the standard writes it: 2, 2.5, 0.2 (never 2.0 or 2E+1)."""
    if isinstance(value, int):
        return _scientific(value) if value.bit_length() > 100 else str(value)
    if not value.is_finite() or abs(value.adjusted()) > 30:
        return str(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def width(text: str) -> int:
    """The display width of *text*: wide and full-width characters count 2, combining marks 0."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def clip(text: str, limit: int) -> str:
    """*text* cut to at most *limit* display columns, ending in … when cut."""
    if width(text) <= limit:
        return text
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > limit - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def wrap(text: str, limit: int) -> list[str]:
    """*text* broken into lines of at most *limit* display columns, keeping ASCII words whole."""
    lines: list[str] = []
    line = ""
    for token in re.findall(r"[!-~]+|\s+|.", " ".join(text.split())):
        # Closing punctuation never starts a line (禁则): it may overhang by one character.
        if line and width(line) + width(token) > limit and token not in CLOSING:
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def grid(rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """Rows aligned in columns by display width; the last column is not padded."""
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            fill = " " * (widths[i] - width(cell))
            if i == len(row) - 1 and i not in right:
                cells.append(cell)
            else:
                cells.append(fill + cell if i in right else cell + fill)
        lines.append("  ".join(cells).rstrip())
    return lines


def markdown_table(rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """Rows as a Markdown table; the first row is the header."""

    def cell(text: str) -> str:
        return " ".join(text.replace("|", "\\|").split())

    head, *body = rows
    rule = ["---:" if i in right else "---" for i in range(len(head))]
    return ["| " + " | ".join(cell(c) for c in row) + " |" for row in (head, rule, *body)]


def dumps_json(obj: object) -> str:
    """*obj* as indented JSON, with every `Decimal` written as an exact JSON number."""
    nonce = os.urandom(16).hex()
    numbers: list[str] = []

    def convert(value: object) -> object:
        if isinstance(value, Decimal):
            numbers.append(fmt(value))
            return f"{nonce}:{len(numbers) - 1}"
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value

    text = json.dumps(convert(obj), ensure_ascii=False, indent=2)
    # The random nonce cannot occur in a user's string, so only placeholders are replaced.
    return re.sub(f'"{nonce}:([0-9]+)"', lambda m: numbers[int(m.group(1))], text)


def show(value: Decimal | None) -> str:
    """A number as the standard writes it, or — when there is none."""
    return "—" if value is None else fmt(value)


def describe(value: object) -> str:
    """How a TOML value is named in messages: 'a string ("9")', 'a number (3)' …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, Decimal) and not value.is_finite():
        return str(value).lower().replace("infinity", "inf")
    if isinstance(value, Decimal) and abs(value.adjusted()) > 30:
        return f"a number ({value:.3E})"
    if isinstance(value, int) and value.bit_length() > 100:
        return f"a number ({_scientific(value)})"
    if isinstance(value, int | Decimal | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'a string ("{shown}")'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"a {type(value).__name__} ({value})"


def suggest(word: str, choices: Iterator[str] | list[str] | tuple[str, ...]) -> str:
    """' (did you mean 'x'?)' for the nearest choice, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


#: How each kind of gate is named in a template, a plan or a report.
GATE_NAMES: Final[dict[str, str]] = {
    "required": "必须完成项",
    "veto": "否决性指标",
    "zero": "不达标则总分为0",
    "nonzero": "★项目不得为0分",
}
#: What failing each kind of gate means, as a failed gate's reason says it.
GATE_WORDS: Final[dict[str, str]] = {
    "required": "必须完成项，未完成不予认定",
    "veto": "否决性指标，未达到即为最低等级",
    "zero": "未达到则评价总分为0分",
    "nonzero": "★项目得分不得为0分",
}
