"""Reading and writing rubrics: dumps_rubric/loads_rubric round trips and exact decimals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import RubricError, dumps_rubric, load_rubric, loads_rubric, score
from conserv_rubric.model import Each, Flag

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
# Shipped rubrics that are invalid on purpose (see test_validate.py) cannot be loaded.
KEPT_INVALID = {"sichuan-jieshui-qiye.toml", "jieneng-mubiao-zeren-county.toml"}
# Rubric files relative to rubrics/, variants in subfolders (written with extends) included.
SHIPPED = sorted(
    p.relative_to(ROOT / "rubrics").as_posix()
    for p in (ROOT / "rubrics").rglob("*.toml")
    if p.name not in KEPT_INVALID
)

DECIMALS = """\
title = "小数分值"
total = 3.0

[[units]]
title = "行为节约"
points = 2.80

[[units.items]]
kind = "flag"
text = "推行无纸化办公，得0.1分。"
points = 0.1

[[units.items]]
kind = "flag"
text = "充分利用自然采光，得0.2分。"
points = 0.2

[[units.items]]
kind = "flag"
text = "使用节水型器具，得2.5分。"
points = 2.5

[[units]]
title = "宣传教育"
points = 0.2

[[units.items]]
kind = "each"
text = "每次得0.1分，最高得0.2分。"
per = 0.1
max = 0.2
"""


def test_shipped_rubrics_found() -> None:
    assert "district.toml" in SHIPPED
    assert "variants/yy-district.toml" in SHIPPED


def test_district_survives_a_round_trip() -> None:
    rubric = load_rubric(DISTRICT)
    assert loads_rubric(dumps_rubric(rubric)) == rubric


@pytest.mark.parametrize("name", SHIPPED)
def test_round_trip_and_fmt_is_idempotent(name: str) -> None:
    path = ROOT / "rubrics" / name
    rubric = load_rubric(path)
    once = dumps_rubric(rubric)
    again = loads_rubric(once, base_dir=path.parent)
    assert again == rubric
    assert dumps_rubric(again) == once


def test_a_changed_rubric_does_not_round_trip_equal() -> None:
    rubric = load_rubric(DISTRICT)
    text = dumps_rubric(rubric).replace(
        'title = "XX区节约型机关评价标准"', 'title = "YY区节约型机关评价标准"'
    )
    assert loads_rubric(text) != rubric


def test_the_canonical_text_starts_with_the_rubric_keys() -> None:
    text = dumps_rubric(load_rubric(DISTRICT))
    assert text.splitlines()[:4] == [
        'title = "XX区节约型机关评价标准"',
        "total = 100",
        'issuer = "XX区人民政府办公室（节能办）"',
        'version = "2024"',
    ]


def test_decimals_are_read_exactly() -> None:
    rubric = loads_rubric(DECIMALS)
    flags = rubric.units[0].items
    assert all(isinstance(f, Flag) for f in flags)
    assert [str(f.points) for f in flags if isinstance(f, Flag)] == ["0.1", "0.2", "2.5"]
    assert rubric.total == Decimal("3")
    # 0.1 + 0.2 + 2.5 == 2.8 only in decimal arithmetic; with binary floats the unit total
    # would not match and the rubric would be rejected.
    assert rubric.units[0].points == Decimal("2.8")


def test_decimals_are_written_exactly_and_integers_without_point_zero() -> None:
    text = dumps_rubric(loads_rubric(DECIMALS))
    lines = text.splitlines()
    assert "total = 3" in lines
    assert "points = 2.8" in lines
    assert '    { kind = "flag", text = "推行无纸化办公，得0.1分。", points = 0.1 },' in lines
    assert '    { kind = "flag", text = "使用节水型器具，得2.5分。", points = 2.5 },' in lines
    assert '    { kind = "each", text = "每次得0.1分，最高得0.2分。", per = 0.1, max = 0.2 },' in lines
    assert ".0 " not in text
    assert ".0\n" not in text


def test_district_integers_are_written_without_point_zero() -> None:
    lines = dumps_rubric(load_rubric(DISTRICT)).splitlines()
    assert "total = 100" in lines
    assert "points = 27" in lines
    assert not [line for line in lines if line.endswith(".0") or ".0 " in line or ".0," in line]


def test_decimal_round_trip_keeps_the_values() -> None:
    rubric = loads_rubric(DECIMALS)
    again = loads_rubric(dumps_rubric(rubric))
    assert again == rubric
    counter = again.units[1].items[0]
    assert isinstance(counter, Each)
    assert (str(counter.per), str(counter.max)) == ("0.1", "0.2")


def test_scores_add_decimals_exactly() -> None:
    card = score(loads_rubric(DECIMALS), {"1.1": True, "1.2": True, "1.3": False, "2.1": 1})
    assert card.total == Decimal("0.4")
    assert str(card.total) == "0.4"
    assert card.items["2.1"].reason == "1项 × 0.1分 = 0.1分（最高0.2分）"
    assert [(u.address, str(u.points)) for u in card.units] == [("1", "0.3"), ("2", "0.1")]


# What a Chinese input method types into a number or between values: the syntax error says which
# character it is and what to type instead (line:column is the first character tomllib refused).
TYPED_BY_AN_IME = [
    ("total = ７５", "2:9: invalid TOML: Invalid value ('７５' is full-width: type '75')"),
    ("total = -５", "2:9: invalid TOML: Invalid value ('５' is full-width: type '5')"),
    (
        "total = 5０",
        "2:10: invalid TOML: Expected newline or end of document after a statement "
        "('０' is full-width: type '0')",
    ),
    (
        "total ＝ 75",
        "2:7: invalid TOML: Expected '=' after a key in a key/value pair ('＝' is full-width: type '=')",
    ),
    (
        "total = 75　",
        "2:11: invalid TOML: Expected newline or end of document after a statement "
        "('\u3000' is a full-width space: type an ASCII space)",
    ),
    (
        "note = “说明”",
        "2:8: invalid TOML: Invalid value ('“' is a Chinese quotation mark: type '\"')",
    ),
    ("levels = [1，2]", "2:12: invalid TOML: Unclosed array ('，' is full-width: type ',')"),
    (
        "total = 1,000",
        "2:10: invalid TOML: Expected newline or end of document after a statement "
        "(a number takes no thousands separator: type 1000, or 1_000)",
    ),
    (
        "total = 1,000,000.5",
        "2:10: invalid TOML: Expected newline or end of document after a statement "
        "(a number takes no thousands separator: type 1000000.5, or 1_000_000.5)",
    ),
    ("total = 1;", "2:10: invalid TOML: Expected newline or end of document after a statement"),
]


@pytest.mark.parametrize(("line", "message"), TYPED_BY_AN_IME)
def test_a_character_typed_by_an_ime_is_named(line: str, message: str) -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(f'title = "t"\n{line}\n')
    assert str(excinfo.value) == message


def test_an_ascii_syntax_error_gets_no_hint() -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric('title = "t"\ntotal = tru\n')
    assert str(excinfo.value) == "2:9: invalid TOML: Invalid value"


BAND = (
    'title = "t"\ntotal = 2\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "bands"\n'
    "bands = [{{ {first}, points = 0 }}, {{ gt = 5, points = 2 }}]\n"
)


@pytest.mark.parametrize(
    ("bound", "meant"),
    [("lte = 5", "le"), ("gte = 0, le = 5", "ge"), ("leq = 5", "le"), ("geq = 0, le = 5", "ge")],
)
def test_an_inclusive_bound_spelt_otherwise_is_read_as_inclusive(bound: str, meant: str) -> None:
    """lte/gte (as in query languages) are "up to"/"from": the nearest spelling, lt/gt, would
    move the band's edge."""
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(BAND.format(first=bound))
    key = bound.split(" ", maxsplit=1)[0]
    assert str(excinfo.value) == f"units[0].items[0].bands[0]: unknown key '{key}' (did you mean '{meant}'?)"
