"""The Unicode tables the SQL cell grammar needs, stored for the Unicode version they were made
with: computing them walks every code point (about a second and a half), which every query and
every ``score --engine duckdb`` would otherwise pay.

``unicode.json`` holds them with the `unicodedata.unidata_version` they were computed under; a
Python with another version computes them afresh. Regenerate with
``python -c "from conserv_rubric._sql import _unicode, cells; _unicode.write(cells.MAPPED)"``; a
test checks the stored tables against the computed ones.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from pathlib import Path
from typing import Final, TypedDict

STORE: Final = Path(__file__).with_name("unicode.json")

#: Blocks of the characters Chinese answers are written in (ASCII, CJK ideographs and punctuation,
#: full-width forms): text of these alone is read without the slower test of `Tables.unmapped`.
COMMON_BLOCKS: Final = ((0x00, 0x7F), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF))


class Tables(TypedDict):
    """What the grammar reads from the Unicode database.

    Attributes:
        unidata_version: the Unicode version the tables were computed under.
        space: every character `str.isspace` takes, as `str.strip` does.
        unmapped: the ranges beyond ASCII the query does not read as NFKC reads them.
        common: the ranges of `COMMON_BLOCKS` outside `unmapped`.
    """

    unidata_version: str
    space: str
    unmapped: list[list[int]]
    common: list[list[int]]


def _spans(codes: list[int]) -> list[list[int]]:
    spans: list[list[int]] = []
    for c in codes:
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    return spans


def compute(mapped: str) -> Tables:
    """The tables under this Python's Unicode version; *mapped* holds the characters the query
    maps by ``translate`` (full-width forms, spaces, U+2212), which are read, not unmapped.

    Unmapped are the characters NFKC changes, combining marks and Hangul jamo (which NFKC
    composes with the character before) and those `str.isprintable` refuses."""
    skip = set(mapped)
    unread: list[int] = []
    for c in range(0x80, 0x110000):
        ch = chr(c)
        if ch in skip:
            continue
        cat = unicodedata.category(ch)
        if (
            cat[0] in "MC"
            or cat in ("Zs", "Zl", "Zp")
            or 0x1100 <= c <= 0x11FF
            or 0xA960 <= c <= 0xA97F
            or 0xD7B0 <= c <= 0xD7FF
            or unicodedata.normalize("NFKC", ch) != ch
            or not ch.isprintable()
        ):
            unread.append(c)
    refused = set(unread)
    common = [c for low, high in COMMON_BLOCKS for c in range(low, high + 1) if c not in refused]
    return {
        "unidata_version": unicodedata.unidata_version,
        "space": "".join(chr(c) for c in range(0x110000) if chr(c).isspace()),
        "unmapped": _spans(unread),
        "common": _spans(common),
    }


@functools.cache
def tables(mapped: str) -> Tables:
    """The stored tables when they were made under this Unicode version and for *mapped*, else
    (no store, another version, a store that is not whole) computed."""
    try:
        stored = json.loads(STORE.read_text(encoding="utf-8"))
        if stored["unidata_version"] == unicodedata.unidata_version and stored["mapped"] == mapped:
            found = Tables(
                unidata_version=stored["unidata_version"],
                space=stored["space"],
                unmapped=stored["unmapped"],
                common=stored["common"],
            )
            whole = isinstance(found["space"], str) and isinstance(found["unmapped"], list)
            if whole and isinstance(found["common"], list):
                return found
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return compute(mapped)


def write(mapped: str) -> None:
    """Store the tables of this Python's Unicode version."""
    doc = {**compute(mapped), "mapped": mapped}
    STORE.write_text(json.dumps(doc, ensure_ascii=True, separators=(",", ":")) + "\n", encoding="utf-8")
