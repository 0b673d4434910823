"""Fuzzing text answers (#9): any text means the same in TOML, JSON and CSV, and names count once.

The text is drawn from what offices type and what breaks parsers: full-width digits and
letters, separators (``;``, ``；``, ``、``, ``/``), signs, spaces of every kind, control and
zero-width characters. Written as a TOML string, a JSON string and a CSV cell, it must give the
same score, or the same message at the same address. Open lists of names are checked against a
count made here, by hand: distinct names after NFKC and trimming, each worth its points.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from decimal import Decimal

import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from conserv_rubric import Rubric, Sheet, SheetError, loads_rubric, loads_sheet, score

# One leaf of each shape that text can answer (as in tests/test_sheet_text.py):
# 1.1 flag, 1.2 flag with at_least 4, 1.3 an open counter (2 per entry, at most 6),
# 1.4 a closed list (节能, ＬＥＤ照明, 节水), 1.5 linear, 1.6 judged, 1.7 bands on a ratio.
RUBRIC = loads_rubric(
    """\
title = "t"
total = 32
[[units]]
title = "u"
[[units.items]]
kind = "flag"
points = 2
[[units.items]]
kind = "flag"
points = 2
at_least = 4
[[units.items]]
kind = "each"
per = 2
max = 6
[[units.items]]
kind = "each"
per = 1
options = ["节能", "ＬＥＤ照明", "节水"]
[[units.items]]
kind = "linear"
start = 60
step = 10
per = 5
max = 10
[[units.items]]
kind = "judged"
range = [0, 5]
step = 0.5
[[units.items]]
kind = "bands"
input = "ratio"
bands = [{ le = 0.9, points = 4 }, { gt = 0.9, points = 0 }]
"""
)
ADDRESSES = ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7")

#: Characters that matter to the grammar, and some that a parser might trip on.
ALPHABET = st.sampled_from(
    [
        *"0123456789０１２３４５６７８９",
        *"+-.−－．/／;；、, ",
        *"eExX_%次项",
        "\u3000",
        "\u00a0",
        "\t",
        "\u200b",
        "\ufeff",
        "true",
        "FALSE",
        "ｔｒｕｅ",
        "节能",
        "节水",
        "LED照明",
        "ＬＥＤ照明",
        "其他",
    ]
)
TEXTS = st.lists(ALPHABET, max_size=8).map("".join)


def _outcome(rubric: Rubric, sheet: Sheet) -> tuple[str, object]:
    try:
        card = score(rubric, sheet)
    except SheetError as exc:
        (problem,) = exc.problems
        return "refused", (problem.path, problem.message)
    return "scored", tuple((a, r.points, r.reason) for a, r in card.items.items())


def _csv(address: str, text: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["agency", address], ["a", text]])
    return out.getvalue()


@given(st.sampled_from(ADDRESSES), TEXTS)
def test_any_text_means_the_same_in_every_format(address: str, text: str) -> None:
    doc = {"sheet": {"agency": "a"}, "answers": {address: text}}
    toml = _outcome(RUBRIC, loads_sheet(tomli_w.dumps(doc)))
    assert _outcome(RUBRIC, loads_sheet(json.dumps(doc, ensure_ascii=False), format="json")) == toml
    cell = _outcome(RUBRIC, loads_sheet(_csv(address, text), format="csv"))
    if unicodedata.normalize("NFKC", text).strip() == "":
        # A blank cell is an unanswered leaf; a blank string in TOML or JSON is refused.
        assert toml == (
            "refused",
            (f'answers."{address}"', "a blank answer; leave the address out to leave it unanswered"),
        )
        assert cell == _outcome(RUBRIC, loads_sheet('[sheet]\nagency = "a"\n'))
    else:
        assert cell == toml


#: A bare number, as the grammar reads one (after NFKC and trimming).
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def _expected_points(names: list[str]) -> Decimal | None:
    """Points of an open list of *names* at 2 each, at most 6, or None where it is refused."""
    seen: set[str] = set()
    for name in names:
        normal = unicodedata.normalize("NFKC", name).replace("−", "-").strip()
        if not normal or not normal.isprintable() or NUMBER.fullmatch(normal) or normal in seen:
            return None
        seen.add(normal)
    return min(Decimal(2 * len(seen)), Decimal(6))


@given(st.lists(TEXTS, max_size=5))
def test_open_lists_count_each_normalised_name_once(names: list[str]) -> None:
    want = _expected_points(names)
    if want is None:
        with pytest.raises(SheetError):
            score(RUBRIC, {"1.3": names})
    else:
        assert score(RUBRIC, {"1.3": names}).items["1.3"].points == want
