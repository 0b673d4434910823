"""Answers written as text: one grammar for CSV cells and TOML and JSON strings (#9).

Every case is written three ways (a TOML string, a JSON string, a CSV cell) and must score the
same, or be refused with the same message, located by the file (and, for CSV, the line).
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import tomli_w

from conserv_rubric import Rubric, SheetError, load_rubric, load_sheet, loads_rubric, score

# One leaf of each shape that text can answer:
#   1.1 flag (2)                          1.2 flag at_least 4 (2): a count
#   1.3 each, open, no options (per 2, max 4): "每次得2分，最高得4分", a count or names
#   1.4 each, closed (per 1): ＬＥＤ照明 (full-width, as a standard may print it), 节水, 垃圾分类
#   1.5 linear 60 → 0, +5 per 10, max 10  1.6 judged 0–5 step 0.5
#   1.7 bands on a ratio: ≤ 0.9 × 平均值 4分, above 0分
RUBRIC = """\
title = "t"
total = 30

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
max = 4
unit = "次"

[[units.items]]
kind = "each"
per = 1
options = ["ＬＥＤ照明", "节水", "垃圾分类"]

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

DISTRICT = Path(__file__).resolve().parent.parent / "rubrics" / "district.toml"


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return loads_rubric(RUBRIC)


FORMATS = ("toml", "json", "csv")


def _write(folder: Path, fmt: str, address: str, text: str) -> Path:
    """A sheet answering *address* with *text*, as a TOML string, a JSON string or a CSV cell."""
    path = folder / f"sheet.{fmt}"
    doc = {"sheet": {"agency": "XX区财政局"}, "answers": {address: text}}
    if fmt == "toml":
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    else:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([["agency", address], ["XX区财政局", text]])
        path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _where(path: Path) -> str:
    """How a problem of the one answer is located: the file, and for CSV the row's line."""
    return f"{path}:2" if path.suffix == ".csv" else str(path)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("address", "text", "points"),
    [
        # 5.2.2 of the district standard written "２" by a Chinese IME: 2 × 2 = 4, not one name (2).
        pytest.param("1.3", "２", Decimal(4), id="full-width digit is a count"),
        pytest.param("1.3", " 1 ", Decimal(2), id="trimmed"),
        pytest.param("1.3", "+1", Decimal(2), id="a plus sign"),
        pytest.param("1.3", "0", Decimal(0), id="zero"),
        pytest.param("1.3", "007", Decimal(4), id="leading zeros: 7 × 2, capped at 4"),
        # Names: one name is one entry, 2 points; two names 4.
        pytest.param("1.3", "节能宣传周", Decimal(2), id="one name"),
        pytest.param("1.3", "节能宣传周;世界水日", Decimal(4), id="names separated by ;"),
        pytest.param("1.3", "节能宣传周；世界水日", Decimal(4), id="full-width semicolon"),
        pytest.param("1.3", "节能宣传周、世界水日", Decimal(4), id="names separated by 、"),
        pytest.param("1.4", "LED照明", Decimal(1), id="an option, matched after NFKC"),
        pytest.param("1.4", "节水 ; 垃圾分类", Decimal(2), id="two options, trimmed"),
        pytest.param("1.4", "３", Decimal(3), id="a count of a closed list"),
        pytest.param("1.1", "true", Decimal(2), id="true"),
        pytest.param("1.1", "TRUE", Decimal(2), id="true in capitals"),
        pytest.param("1.1", "ｔｒｕｅ", Decimal(2), id="true in full-width letters"),
        pytest.param("1.1", "False", Decimal(0), id="false"),
        pytest.param("1.2", "４", Decimal(2), id="a count threshold met"),
        pytest.param("1.2", "3", Decimal(0), id="a count threshold missed"),
        # 85 %: 60 + 2 × 10 = 80 → 2 × 5 = 10; 75: one step, 5.
        pytest.param("1.5", "８５", Decimal(10), id="full-width number"),
        pytest.param("1.5", "75.0", Decimal(5), id="a decimal"),
        pytest.param("1.5", "-1", Decimal(0), id="a negative number"),
        pytest.param("1.5", "－１", Decimal(0), id="a full-width minus"),
        pytest.param("1.5", "\u22121", Decimal(0), id="a minus sign as reports print it"),
        pytest.param("1.6", "2.5", Decimal("2.5"), id="judged points"),
        pytest.param("1.6", "２．５", Decimal("2.5"), id="judged points with a full-width point"),
        # 15.8 / 18 = 0.877… ≤ 0.9: 4 points; 17 / 18 = 0.94…: 0.
        pytest.param("1.7", "15.8/18", Decimal(4), id="a ratio"),
        pytest.param("1.7", "１７／１８", Decimal(0), id="a full-width ratio"),
        pytest.param("1.7", "0.8", Decimal(4), id="a ratio given as one number"),
    ],
)
def test_text_answers_score_the_same_in_every_format(
    rubric: Rubric, tmp_path: Path, fmt: str, address: str, text: str, points: Decimal
) -> None:
    card = score(rubric, load_sheet(_write(tmp_path, fmt, address, text)))
    assert card.items[address].points == points
    assert card.total == points


def test_names_are_shown_as_the_rubric_spells_its_options(rubric: Rubric, tmp_path: Path) -> None:
    card = score(rubric, load_sheet(_write(tmp_path, "csv", "1.4", " LED照明 ;节水")))
    assert card.items["1.4"].reason == "2项（ＬＥＤ照明、节水） × 1分 = 2分（最高3分）"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("address", "text", "message"),
    [
        *(
            pytest.param(
                "1.3",
                text,
                "expected a count in digits (such as 3) or names separated by ';', "
                f'got a string ("{text}")',
                id=f"count {text}",
            )
            for text in ("3次", "1e3", "0x2", "1_000", "2.", ".5", "1,000", "１２件")
        ),
        pytest.param(
            "1.3",
            "1234567890123456789",
            "expected a count below 1,000,000,000,000, got a number (1234567890123456789)",
            id="19 digits",
        ),
        pytest.param(
            "1.3",
            "1000000000000",
            "expected a count below 1,000,000,000,000, got a number (1000000000000)",
            id="10 to the 12",
        ),
        pytest.param(
            "1.3",
            "9" * 5000,
            "expected a count below 1,000,000,000,000, got a number (1.000E+5000)",
            id="5000 digits",
        ),
        pytest.param("1.3", "-1", "expected a count ≥ 0, got -1", id="negative count"),
        pytest.param(
            "1.3",
            "2.5",
            "expected a count (a whole number ≥ 0) or a list of names, got a number (2.5)",
            id="fractional count",
        ),
        pytest.param("1.3", "节能;;节水", "lists a blank name (entry 2)", id="a blank between names"),
        pytest.param(
            "1.3",
            "节能 ;节能",
            "lists '节能' twice (as '节能 ' and '节能')",
            id="a name twice, once with a space",
        ),
        pytest.param(
            "1.3",
            "节能;2",
            "lists '2', a number, not a name: answer with the count alone (2), or names",
            id="a number among names",
        ),
        pytest.param(
            "1.3",
            "2024年节能宣传周",
            "expected a count in digits (such as 3) or names separated by ';', "
            'got a string ("2024年节能宣传周")',
            id="a lone name that starts with a digit reads as a count",
        ),
        pytest.param(
            "1.4",
            "节电",
            "'节电' is not one of the options: ＬＥＤ照明、节水、垃圾分类",
            id="a name outside a closed list",
        ),
        pytest.param(
            "1.2",
            "3次",
            'expected a count (a whole number ≥ 0), got a string ("3次")',
            id="a count with its measure word",
        ),
        pytest.param(
            "1.2",
            "1e3",
            'expected a count (a whole number ≥ 0), got a string ("1e3")',
            id="an exponent is no count",
        ),
        pytest.param("1.1", "是", 'expected true or false, got a string ("是")', id="a word is not true"),
        pytest.param("1.1", "1", 'expected true or false, got a string ("1")', id="1 is not true"),
        pytest.param("1.5", "85%", 'expected a number, got a string ("85%")', id="a percent sign"),
        pytest.param("1.5", "1e3", 'expected a number, got a string ("1e3")', id="an exponent"),
        pytest.param("1.5", "0x10", 'expected a number, got a string ("0x10")', id="hexadecimal"),
        pytest.param("1.5", "NaN", 'expected a number, got a string ("NaN")', id="nan"),
        pytest.param("1.5", "inf", 'expected a number, got a string ("inf")', id="inf"),
        pytest.param(
            "1.5",
            "1.00000000001",
            "expected a number below 1,000,000,000,000 with at most 10 decimal places, "
            "got a number (1.00000000001)",
            id="too precise",
        ),
        pytest.param("1.6", "3分", 'expected a number, got a string ("3分")', id="judged with its unit"),
        pytest.param(
            "1.7",
            "15.8/",
            'expected a number or VALUE/REF (such as 15.8/18), got a string ("15.8/")',
            id="a ratio without its reference",
        ),
        pytest.param("1.7", "15.8/0", "ref must be more than 0, got 0", id="a ratio of 0"),
    ],
)
def test_text_answers_are_refused_alike_in_every_format(
    rubric: Rubric, tmp_path: Path, fmt: str, address: str, text: str, message: str
) -> None:
    path = _write(tmp_path, fmt, address, text)
    with pytest.raises(SheetError) as excinfo:
        score(rubric, load_sheet(path))
    assert str(excinfo.value) == f'{_where(path)}: answers."{address}": {message}'


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('"1.3" = " "', id="TOML"),
        pytest.param('"1.3" = "\u3000"', id="an ideographic space"),
    ],
)
def test_a_blank_string_is_no_answer(rubric: Rubric, tmp_path: Path, text: str) -> None:
    path = tmp_path / "sheet.toml"
    path.write_text(f'[sheet]\nagency = "a"\n[answers]\n{text}\n', encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        score(rubric, load_sheet(path))
    assert str(excinfo.value) == (
        f'{path}: answers."1.3": a blank answer; leave the address out to leave it unanswered'
    )


@pytest.mark.parametrize("cell", ["", " ", "\u3000"])
def test_a_blank_csv_cell_is_unanswered(rubric: Rubric, tmp_path: Path, cell: str) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(f"agency,1.1,1.3\na,true,{cell}\n", encoding="utf-8")
    card = score(rubric, load_sheet(path))
    assert card.items["1.3"].unanswered == ("1.3",)
    assert card.total == Decimal(2)


# --- open lists of names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "message"),
    [
        # The example scored 4 (four "names"), where two are the same and two are blank.
        pytest.param(["节能", "节能 ", " ", ""], "lists '节能' twice (as '节能' and '节能 ')", id="issue 9"),
        pytest.param(["节能", " ", ""], "lists a blank name (entry 2)", id="a blank"),
        pytest.param(["节能", ""], "lists a blank name (entry 2)", id="an empty string"),
        pytest.param(["ＬＥＤ", "LED"], "lists 'LED' twice (as 'ＬＥＤ' and 'LED')", id="full-width letters"),
        pytest.param(["节能", "节能"], "lists '节能' twice", id="the same spelling"),
        pytest.param(["节能", "\t节能"], "lists '节能' twice (as '节能' and '\\t节能')", id="a leading tab"),
        pytest.param(
            ["节能\n宣传"],
            "lists a name with a control character (entry 1: '节能\\n宣传')",
            id="a line break inside",
        ),
        pytest.param(
            ["节\u200b能"],
            "lists a name with a control character (entry 1: '节\\u200b能')",
            id="a zero-width space",
        ),
        pytest.param(
            ["２"],
            "lists '２', a number, not a name: answer with the count alone (2), or names",
            id="a number",
        ),
    ],
)
@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_open_lists_refuse_blank_and_look_alike_names(
    rubric: Rubric, tmp_path: Path, fmt: str, names: list[str], message: str
) -> None:
    path = tmp_path / f"sheet.{fmt}"
    doc = {"sheet": {"agency": "a"}, "answers": {"1.3": names}}
    text = tomli_w.dumps(doc) if fmt == "toml" else json.dumps(doc, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        score(rubric, load_sheet(path))
    assert str(excinfo.value) == f'{path}: answers."1.3": {message}'


def test_closed_lists_compare_names_after_normalising(rubric: Rubric) -> None:
    with pytest.raises(SheetError) as excinfo:
        score(rubric, {"1.4": ["LED照明", "ＬＥＤ照明"]})
    assert str(excinfo.value) == "answers.\"1.4\": lists 'ＬＥＤ照明' twice (as 'LED照明' and 'ＬＥＤ照明')"
    card = score(rubric, {"1.4": [" 节水", "LED照明"]})
    assert card.items["1.4"].reason == "2项（节水、ＬＥＤ照明） × 1分 = 2分（最高3分）"


def test_a_name_starting_with_a_digit_is_a_name_in_a_list(rubric: Rubric) -> None:
    # In a list nothing is a count: "2024年节能宣传周" is a name (2 points), only a bare number is refused.
    card = score(rubric, {"1.3": ["2024年节能宣传周"]})
    assert card.items["1.3"].points == Decimal(2)


# --- counts and huge numbers from programs -----------------------------------------------------


@pytest.mark.parametrize(
    ("address", "value", "message"),
    [
        pytest.param(
            "1.3",
            10**12,
            "expected a count below 1,000,000,000,000, got a number (1000000000000)",
            id="open list",
        ),
        pytest.param(
            "1.2",
            10**12,
            "expected a count below 1,000,000,000,000, got a number (1000000000000)",
            id="count threshold",
        ),
        pytest.param(
            "1.3", 10**5000, "expected a count below 1,000,000,000,000, got a number (1.000E+5000)", id="huge"
        ),
        pytest.param("1.3", -(10**5000), "expected a count ≥ 0, got -1.000E+5000", id="huge and negative"),
        pytest.param(
            "1.2",
            -(10**5000),
            "expected a count (a whole number ≥ 0), got a number (-1.000E+5000)",
            id="huge and negative threshold",
        ),
        pytest.param("1.1", 10**5000, "expected true or false, got a number (1.000E+5000)", id="huge flag"),
    ],
)
def test_counts_of_a_trillion_or_more_are_refused(
    rubric: Rubric, address: str, value: int, message: str
) -> None:
    with pytest.raises(SheetError) as excinfo:
        score(rubric, {address: value})
    assert str(excinfo.value) == f'answers."{address}": {message}'


def test_a_count_just_below_the_limit_is_read(rubric: Rubric) -> None:
    assert score(rubric, {"1.3": 10**12 - 1}).items["1.3"].points == Decimal(4)
    assert score(rubric, {"1.3": "999999999999"}).items["1.3"].points == Decimal(4)


def test_a_count_in_chinese_numerals_is_refused_not_counted_as_a_name() -> None:
    rubric = load_rubric(DISTRICT)
    with pytest.raises(SheetError) as excinfo:
        score(rubric, {"5.2.2": "三次"})
    assert (
        str(excinfo.value) == 'answers."5.2.2": expected a count in digits (such as 3), got a string ("三次")'
    )


def test_a_full_width_comma_separates_names_as_a_chinese_input_method_types_it() -> None:
    rubric = load_rubric(DISTRICT)
    card = score(rubric, {"2.2.2": "节能，节水"})
    assert card.items["2.2.2"].points == 2
