"""Chinese punctuation and units typed into a rubric's TOML: the syntax error says what to type.

`tests/test_toml.py` covers the characters NFKC maps to the ASCII TOML needs (``７５``, ``＝``,
``，``); these are the ones it does not, or maps to a character TOML has no use for there.
"""

from __future__ import annotations

import pytest

from conserv_rubric import RubricError, SheetError, loads_rubric, loads_sheet

TYPED = [
    # 。 and 、 have no ASCII form to NFKC
    (
        "total = 1。5",
        "2:10: invalid TOML: Expected newline or end of document after a statement "
        "('。' is Chinese punctuation: type '.')",
    ),
    ('basis = ["甲"、"乙"]', "2:13: invalid TOML: Unclosed array ('、' is Chinese punctuation: type ',')"),
    ("【units】", "2:1: invalid TOML: Invalid statement ('【' is Chinese punctuation: type '[')"),
    # a colon, full-width or not, where a key takes "="; NFKC alone would say ":"
    (
        "total：100",
        "2:6: invalid TOML: Expected '=' after a key in a key/value pair "
        "('：': in TOML a key and its value are joined by '=')",
    ),
    (
        "total: 100",
        "2:6: invalid TOML: Expected '=' after a key in a key/value pair "
        "(':': in TOML a key and its value are joined by '=')",
    ),
    # a semicolon between values; NFKC alone would say ";"
    (
        "x = { le = 0.9；gt = 0 }",
        "2:15: invalid TOML: Unclosed inline table ('；': in TOML values are separated by ',')",
    ),
    ("x = [1; 2]", "2:7: invalid TOML: Unclosed array (';': in TOML values are separated by ',')"),
    # the unit the standard prints after a figure
    (
        "total = 1.5分",
        "2:12: invalid TOML: Expected newline or end of document after a statement "
        "('分' after 1.5: a number takes no unit, type 1.5)",
    ),
    (
        "total = 80%",
        "2:11: invalid TOML: Expected newline or end of document after a statement "
        "('%' after 80: a number takes no unit, type 80)",
    ),
    (
        "total = 80％",
        "2:11: invalid TOML: Expected newline or end of document after a statement "
        "('％' after 80: a number takes no unit, type 80)",
    ),
    ("x = [3项, 2]", "2:7: invalid TOML: Unclosed array ('项' after 3: a number takes no unit, type 3)"),
]


@pytest.mark.parametrize(("line", "message"), TYPED)
def test_chinese_punctuation_and_units_are_named(line: str, message: str) -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(f'title = "t"\n{line}\n')
    assert str(excinfo.value) == message


def test_a_sheet_answer_with_its_unit_is_named_too() -> None:
    with pytest.raises(SheetError) as excinfo:
        loads_sheet('[sheet]\nagency = "甲"\n[answers]\n"2.1" = 85%\n')
    assert str(excinfo.value) == (
        "4:11: invalid TOML: Expected newline or end of document after a statement "
        "('%' after 85: a number takes no unit, type 85)"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        # letters before the figure: not a number with a unit
        ("x = a3项", "2:5: invalid TOML: Invalid value"),
    ],
)
def test_no_hint_where_none_fits(line: str, message: str) -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(f'title = "t"\n{line}\n')
    assert str(excinfo.value) == message
