"""Text read as an answer: one grammar for a sheet's text, whatever the file's format.

A CSV cell is text, and so is a string in a TOML or JSON sheet (or a text cell of a workbook).
Whether a text is a flag, a number or a list of names depends on the leaf it answers, so the
checker (`conserv_rubric._answers`) reads it against the leaf's shape with the functions here,
and the same text scores the same in every format. docs/sheet-format.md ("Answers written as
text") is the reference for users:

- NFKC first, so that what a Chinese input method types reads as it looks: full-width digits,
  signs, point and semicolon (``２``, ``－１``, ``１．５``, ``；``) become their ASCII forms;
  then the space around the text is trimmed;
- ``true`` and ``false``, in any case;
- a number is ASCII digits with an optional sign and an optional fraction (``3``, ``-1.5``,
  ``+2``) and nothing else: not ``1e3``, ``0x2``, ``1_000``, ``2.``, ``.5``, ``1,000`` or ``3次``;
- ``VALUE/REF`` for a ratio (``15.8/18``);
- names separated by ``;`` or ``、``, each trimmed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal
from typing import Final

from ._limits import MAX_DIGITS

_NUMBER: Final = re.compile(r"[+-]?([0-9]+)(?:\.([0-9]+))?")
#: Text that starts like a number: read as one where a count is one of the answers allowed.
_NUMERIC_START: Final = re.compile(r"[+-]?\.?[0-9]")
#: How names are separated in one text: ';' (CSV) and '、' (as Chinese lists are written).
_SEPARATORS: Final = re.compile(r"[;、,]")  # after NFKC, ； and ， are ; and ,
#: U+2212 MINUS SIGN, which the reports print and NFKC leaves alone.
_MINUS: Final = "\u2212"


def normal(text: str) -> str:
    """*text* NFKC-normalised and trimmed: how every answer and name is compared."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace(_MINUS, "-")
    return text.strip()


def boolean(text: str) -> bool | None:
    """``true`` or ``false`` (any case) in normalised *text*, or None."""
    lower = text.lower()
    if lower == "true":
        return True
    if lower == "false":
        return False
    return None


def number(text: str) -> int | Decimal | None:
    """The number normalised *text* holds (an int without a fraction), or None.

    A number too large or too precise is still returned (as a `Decimal` where an int could not
    be made of it), so that the caller refuses it with the limit, as it does typed numbers.
    """
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    if match[2] is not None or len(match[1].lstrip("0")) > MAX_DIGITS + 1:
        # Decimal reads any length; int() refuses more than 4300 digits.
        return Decimal(text)
    return int(text)


def starts_like_a_number(text: str) -> bool:
    """Whether normalised *text* begins as a number does: a digit, after a sign or point."""
    return _NUMERIC_START.match(text) is not None


def ratio(text: str) -> tuple[int | Decimal, int | Decimal] | None:
    """``VALUE/REF`` in normalised *text* as two numbers, or None."""
    value, slash, ref = text.partition("/")
    if not slash:
        return None
    v, r = number(value.strip()), number(ref.strip())
    return None if v is None or r is None else (v, r)


def name_count(text: str) -> int:
    """How many names `split_names` finds in *text* (counted before anything is split)."""
    return text.count(";") + text.count("、") + text.count(",") + 1


def split_names(text: str) -> list[str]:
    """The names in normalised *text*, separated by ``;``, ``、`` or ``,`` (the full-width ``；``
    and ``，`` a Chinese input method types read as these); blanks are kept, to be refused."""
    return _SEPARATORS.split(text)


@functools.lru_cache(maxsize=1024)
def options_by_name(options: tuple[str, ...]) -> dict[str, str]:
    """Each option, as the rubric writes it and normalised, → the option as the rubric writes it."""
    out: dict[str, str] = {}
    for option in options:
        out.setdefault(normal(option), option)
    for option in options:
        out.setdefault(option, option)
    return out


def escaped(text: str) -> str:
    """*text* with control and other unprintable characters shown as escapes (``\\n``)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def clipped(text: str, limit: int = 40) -> str:
    """*text* escaped and cut to *limit* characters, ending in ... when cut."""
    text = escaped(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: A count written in Chinese numerals, with or without the word it counts in (三次, 两项, 十二): a
#: count the sheet must give in digits, never a name that counts as one.
_CHINESE_COUNT: Final = re.compile(r"[〇零一二两三四五六七八九十百千万]+[次项个家条份人处类种篇期场回件]?")


def chinese_count(text: str) -> bool:
    """Whether normalised *text* is a count written in Chinese numerals (三次, 两项)."""
    return _CHINESE_COUNT.fullmatch(text) is not None
