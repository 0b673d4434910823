"""A template loads back as a sheet and scores, whatever its rubric's texts hold: control
characters, newlines, TOML's own quotes and comment signs."""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from conserv_rubric import Rubric, loads_rubric, loads_sheet, score
from conserv_rubric.strategies import rubrics
from conserv_rubric.templates import template

#: The fields whose text a template writes into its comments.
TEXTS = frozenset({"title", "text", "note", "issuer", "version", "zero_if", "na_if"})

HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from("\x00\x07\x1b\x7f\x85\x9b\u2028\u202e\n\r\t\"'#\\[]=节能"),
        st.characters(codec="utf-8"),  # no lone surrogates: a file holds none
    ),
    max_size=12,
)


def _retext(obj: Any, draw: st.DrawFn) -> Any:
    """*obj* (a model object) with every text field replaced by a drawn hostile text."""
    if isinstance(obj, tuple):
        return tuple(_retext(x, draw) for x in obj)
    if not attrs.has(type(obj)):
        return obj
    changes = {}
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if field.name in TEXTS and isinstance(value, str):
            changes[field.name] = draw(HOSTILE)
        elif isinstance(value, tuple) or attrs.has(type(value)):
            changes[field.name] = _retext(value, draw)
    return attrs.evolve(obj, **changes)


@st.composite
def hostile_rubrics(draw: st.DrawFn) -> Rubric:
    rubric: Rubric = _retext(draw(rubrics()), draw)
    return rubric


@given(hostile_rubrics())
def test_the_template_of_any_rubric_loads_and_scores(rubric: Rubric) -> None:
    text = template(rubric, year=2024)
    comment_lines = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert not any((ch < " " and ch != "\t") or ch == "\x7f" for line in comment_lines for ch in line)
    sheet = loads_sheet(text)
    card = score(rubric, sheet)
    assert card.total >= 0


def test_a_control_character_in_an_item_text_is_shown_escaped() -> None:
    rubric = loads_rubric(
        'title = "t\\u001b[2J"\ntotal = 2\n[[units]]\ntitle = "u\\nv"\n'
        '[[units.items]]\nkind = "flag"\ntext = "方案\\u0000\\u001b]0;x\\u0007"\npoints = 2\n'
    )
    text = template(rubric, year=2024)
    assert text.splitlines()[0] == "# t\\x1b[2J — 自评打分表"
    assert "# ═══ 1 u\\nv（2分）" in text.splitlines()
    assert "# 1.1 方案\\x00\\x1b]0;x\\x07（2分）" in text.splitlines()
    assert score(rubric, loads_sheet(text)).total == 0
