"""Text and numbers as the reports write them: display widths of Chinese text, tables, exact JSON.

Every module that shows a number or lays out a table uses these, so a figure reads the same in
every report (``2``, ``2.5``, ``0.2``; never ``2.0`` or ``2E+1``).
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import os
import re
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from decimal import Decimal
from typing import Final

from ._limits import MAX_DECIMALS, MAX_DIGITS, MAX_NUMBER
from .errors import Problem, RubricError

CLOSING: Final = frozenset("，。、；：！？）》」』”’")

#: Characters a report never writes raw: the C0 and C1 controls and DEL (an ESC sequence clears a
#: terminal, a newline forges a line), the line and paragraph separators, and the bidirectional
#: controls that make text display in another order than it reads (U+061C, U+200E/F,
#: U+202A–U+202E, U+2066–U+2069).
_HIDDEN: Final = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
#: What `_HIDDEN` holds beyond the C0 controls, which json escapes itself.
_HIDDEN_IN_JSON: Final = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_SHORT: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _SHORT:
        return _SHORT[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def hidden_character(text: str) -> str | None:
    """The first control, separator or bidirectional character of *text*, shown as an escape;
    None when *text* has none (what a single-line field such as an agency's name may not hold)."""
    found = _HIDDEN.search(text)
    return None if found is None else _escape(found)


def visible(text: str) -> str:
    r"""*text* with every control character shown as an escape: ``\x1b``, ``\n``, ``\u202e``.

    What a report shows of a sheet or rubric can then neither move the cursor, clear the
    terminal, start a new line of its own, nor reorder the text around it.
    """
    return _HIDDEN.sub(_escape, text)


#: A CSV cell starting with one of these runs as a formula in Excel, WPS or LibreOffice
#: (OWASP, "CSV Injection").
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER: Final = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def csv_cell(text: str) -> str:
    """*text* safe as a CSV cell: control characters escaped, a formula turned into text.

    A cell that would start a formula (``=``, ``+``, ``-``, ``@``, even after spaces) is
    prefixed with ``'``, which spreadsheets read as "this is text" (OWASP's advice); a plain
    number such as ``-1.5`` is left a number.
    """
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    if text.lstrip(" ").startswith(_FORMULA_START):
        text = "'" + text
    return visible(text)


_MARKDOWN_SPECIAL: Final = re.compile(r"[\\`*_{}\[\]<>&|~#!$]")
_ENTITIES: Final = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def markdown(text: str) -> str:
    """*text* as literal Markdown inline text: nothing in it becomes markup, a link or HTML.

    Control characters are escaped as in `visible`; ``<``, ``>`` and ``&`` become HTML
    entities (so no tag such as ``<script>`` and no ``<javascript:…>`` autolink survives), and
    the other characters Markdown gives a meaning (``\\ ` * _ { } [ ] | ~ # ! $``) are
    backslash-escaped, so ``[x](javascript:…)`` is no link.
    """

    def escape(match: re.Match[str]) -> str:
        ch = match.group()
        return _ENTITIES.get(ch, "\\" + ch)

    return _MARKDOWN_SPECIAL.sub(escape, visible(text))


class Markup(str):
    """Markdown written by a report itself (``**总分**``): `markdown_table` leaves it as it is."""

    __slots__ = ()


def check_format(format: str, allowed: Collection[str]) -> None:  # noqa: A002 - the CLI's word
    """Refuse a *format* that is not one of *allowed*, rather than fall back to another.

    Raises:
        RubricError: *format* is unknown; the message lists the formats there are.
    """
    if format not in allowed:
        choices = ", ".join(f"'{f}'" for f in allowed)
        message = f"unknown format {visible(repr(format))}; expected one of {choices}"
        raise RubricError([Problem(message=message)])


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
    # Formatting without a precision is exact whatever the caller's decimal context is.
    return format(value, "f").rstrip("0")


def width(text: str) -> int:
    """The display width of *text*: wide and full-width characters count 2, combining marks 0."""
    if text.isascii():  # no ASCII character is wide or combining
        return len(text)
    return sum(map(_char_width, text))


@functools.cache
def _char_width(ch: str) -> int:
    return 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1


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
    """Rows as a Markdown table; the first row is the header.

    Every cell is escaped with `markdown` (``|`` too, so no cell splits the row) unless it is
    `Markup`.
    """

    def cell(text: str) -> str:
        return text if isinstance(text, Markup) else " ".join(markdown(text).split())

    head, *body = rows
    rule = ["---:" if i in right else "---" for i in range(len(head))]
    return ["| " + " | ".join(cell(c) for c in row) + " |" for row in (head, rule, *body)]


def dumps_json(obj: object, *, indent: int | None = 2) -> str:
    """*obj* as indented JSON (*indent* None: on one line), every `Decimal` an exact JSON number.

    No control character is written raw: each is a ``\\uXXXX`` escape inside its string.
    """
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

    if indent is None:
        text = json.dumps(convert(obj), ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(convert(obj), ensure_ascii=False, indent=indent)
    # json escapes the C0 controls inside strings itself (the newlines left are the layout's);
    # the rest of what `visible` escapes (DEL, the C1 controls such as U+009B, which some
    # terminals read as ESC [, bidirectional controls) can only occur inside strings, and is
    # written as \uXXXX there too, which leaves the JSON's meaning unchanged.
    text = _HIDDEN_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    # The random nonce cannot occur in a user's string, so only placeholders are replaced.
    return re.sub(f'"{nonce}:([0-9]+)"', lambda m: numbers[int(m.group(1))], text)


def show(value: Decimal | None) -> str:
    """A number as the standard writes it, or — when there is none."""
    return "—" if value is None else fmt(value)


def builtin(value: object) -> object:
    """*value* as the built-in str, int, float or Decimal it is an instance of, or as it is.

    An instance of a subclass (an enum member, a program's own class) is read by its value
    alone, by the built-in type's methods: its own ``__str__``, ``__repr__`` or ``__format__``,
    which may raise, never runs, neither in a message nor in a card made of it.
    """
    cls = type(value)
    if cls is str or cls is int or cls is bool or cls is float or cls is Decimal:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):  # not a bool: bool has no subclasses
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, Decimal):
        return Decimal(value)  # the constructor copies the digits, calling nothing of the subclass
    return value


def describe(value: object) -> str:
    """How a TOML value is named in messages: 'a string ("9")', 'a number (3)' …

    Any other object is named by its type alone ('an object of type bytes'): its repr may hold
    a memory address, which would make the message differ from run to run.
    """
    if value is None:
        return "null"
    value = builtin(value)
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
    # TOML's dates and times, shown as TOML writes them.
    if isinstance(value, datetime.datetime):
        return f"a datetime ({datetime.datetime.isoformat(value, ' ')})"
    if isinstance(value, datetime.date):
        return f"a date ({datetime.date.isoformat(value)})"
    if isinstance(value, datetime.time):
        return f"a time ({datetime.time.isoformat(value)})"
    return f"an object of type {visible(type(value).__name__)}"


def argument(value: object) -> str:
    """How a wrong argument of a public function is named: a path by its text ('a path
    (rubric.toml)'), anything else as `describe` names it."""
    if isinstance(value, os.PathLike):
        return f"a path ({os.fspath(value)})"
    return describe(value)


def not_a_path(path: object, call: str, what: str) -> str | None:
    """Why *path* is refused as the path of a *what* file (``open(3)`` would read file
    descriptor 3), or None when it is a str or a path."""
    if isinstance(path, str | os.PathLike):
        return None
    return f"{call}() takes the path of a {what} file (a str or a Path), not {argument(path)}"


def not_text(text: object, call: str, what: str, reader: str) -> str | None:
    """Why *text* is refused as *what* (a string), with how to make one of bytes or of a path
    (*reader* reads a file), or None when it is a str."""
    if isinstance(text, str):
        return None
    hint = ""
    if isinstance(text, bytes):
        hint = f'; decode it first: {call}(data.decode("utf-8"))'
    elif isinstance(text, os.PathLike):
        hint = f"; read a file with {reader}(path)"
    return f"{call}() takes {what} as a string, not {argument(text)}{hint}"


def suggest(word: str, choices: Iterator[str] | list[str] | tuple[str, ...]) -> str:
    """' (did you mean 'x'?)' for the nearest choice, or ''. A word typed full-width (``ｍａｘ``,
    ``１.１``, as a Chinese input method types it) is pointed to the choice it shows."""
    import difflib  # noqa: PLC0415 - kept off start-up: only a misspelt key or name needs it

    listed = list(choices)
    plain = unicodedata.normalize("NFKC", word)
    if plain != word and plain in listed:
        return f" (did you mean '{plain}'? '{word}' is typed full-width)"
    close = difflib.get_close_matches(word, listed, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def suggest_address(
    word: str, named: Iterator[tuple[str, str]] | list[tuple[str, str]], what: str = "unit"
) -> str:
    """`suggest` for the address of a unit or project, from the (address, title) of each: one
    named by its title ("组织管理" for "1") is pointed to its address."""
    titled = [address for address, title in named if title.strip() and title.strip() == word.strip()]
    if len(titled) == 1:
        return (
            f" ('{word}' is the title of {what} {titled[0]}: a {what} is named by its address, "
            f'write "{titled[0]}")'
        )
    return suggest(word, [address for address, _ in named])


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


def out_of_range(value: Decimal) -> str | None:
    """Why *value* is no number a standard uses (infinite, huge or over-precise), or None."""
    if not value.is_finite():
        return f"expected a finite number, got {describe(value)}"
    # adjusted() is the exponent of the leading digit; it never overflows, unlike abs().
    if value.adjusted() >= MAX_DIGITS or value.as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]  # finite: an int exponent
        return f"expected a number below {MAX_NUMBER:,} with at most {MAX_DECIMALS} decimal places"
    return None
