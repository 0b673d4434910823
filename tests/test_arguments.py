"""The public entry points given an argument of the wrong type: each raises the library's error,
naming the function and what it takes, at the call (never an AttributeError from inside)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conserv_rubric import (
    Rubric,
    RubricError,
    SheetError,
    dumps_rubric,
    load_rubric,
    load_sheet,
    load_sheets,
    loads_rubric,
    loads_sheet,
    score,
    validate,
)
from conserv_rubric.batch import score_many
from conserv_rubric.diffs import diff
from conserv_rubric.gaps import gap
from conserv_rubric.pages import render_cards_html
from conserv_rubric.reports import render_cards

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def district() -> Rubric:
    return load_rubric(ROOT / "rubrics" / "district.toml")


def _refused(error: type[RubricError], call: Callable[[], object]) -> str:
    with pytest.raises(error) as excinfo:
        call()
    assert type(excinfo.value) is error
    return str(excinfo.value)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (3, "load_rubric() takes the path of a rubric file (a str or a Path), not a number (3)"),
        (None, "load_rubric() takes the path of a rubric file (a str or a Path), not null"),
        (
            b"rubric.toml",
            "load_rubric() takes the path of a rubric file (a str or a Path), not an object of type bytes",
        ),
    ],
)
def test_load_rubric_takes_a_path(path: object, message: str) -> None:
    # 3 was read as file descriptor 3.
    assert _refused(RubricError, lambda: load_rubric(path)) == message  # type: ignore[arg-type]  # the mistake tested


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "loads_rubric() takes the TOML text as a string, not null"),
        (
            b'title = "t"',
            "loads_rubric() takes the TOML text as a string, not an object of type bytes;"
            ' decode it first: loads_rubric(data.decode("utf-8"))',
        ),
        (
            Path("rubric.toml"),
            "loads_rubric() takes the TOML text as a string, not a path (rubric.toml);"
            " read a file with load_rubric(path)",
        ),
    ],
)
def test_loads_rubric_takes_text(text: object, message: str) -> None:
    assert _refused(RubricError, lambda: loads_rubric(text)) == message  # type: ignore[arg-type]  # the mistake tested


@pytest.mark.parametrize(
    ("rubric", "message"),
    [
        (None, "validate() takes a Rubric, not null"),
        (
            "rubric.toml",
            'validate() takes a Rubric, not a string ("rubric.toml"); load it first: load_rubric(path)',
        ),
    ],
)
def test_validate_takes_a_rubric(rubric: object, message: str) -> None:
    assert _refused(RubricError, lambda: validate(rubric)) == message  # type: ignore[arg-type]  # the mistake tested


def test_gap_takes_a_score_card(district: Rubric) -> None:
    assert _refused(RubricError, lambda: gap(None)) == (  # type: ignore[arg-type]  # the mistake tested
        "gap() takes a ScoreCard (from score()), not null"
    )
    sheet = loads_sheet('[sheet]\nagency = "a"\n')
    assert _refused(RubricError, lambda: gap(sheet)) == (  # type: ignore[arg-type]  # the mistake tested
        "gap() takes a ScoreCard (from score()), not an object of type Sheet;"
        " score it first: gap(score(rubric, sheet))"
    )


def test_render_cards_takes_a_list_of_cards(district: Rubric) -> None:
    card = score(district, {})
    takes = "render_cards() takes a list of ScoreCards (and the errors of a batch)"
    assert _refused(RubricError, lambda: render_cards(None, "text")) == f"{takes}, not null"  # type: ignore[arg-type]  # the mistake tested
    assert _refused(RubricError, lambda: render_cards(card, "json")) == (  # type: ignore[arg-type]  # the mistake tested
        f"{takes}, not an object of type ScoreCard; put it in a list: render_cards([card], format)"
    )
    assert _refused(RubricError, lambda: render_cards("card", "text")) == f'{takes}, not a string ("card")'  # type: ignore[arg-type]  # the mistake tested
    # An entry that is neither is named, not dropped from the text nor failing the JSON.
    for format_ in ("text", "json"):
        with pytest.raises(RubricError) as excinfo:
            render_cards([card, None], format_)  # type: ignore[list-item]  # the mistake tested
        assert str(excinfo.value) == f"{takes}; cards[1] is null"


def test_render_cards_still_takes_any_iterable_of_cards(district: Rubric) -> None:
    card = score(district, {})
    assert render_cards(iter([card]), "json") == render_cards([card], "json")  # type: ignore[arg-type]  # a generator was always read


@pytest.mark.parametrize(
    ("sheets", "message"),
    [
        (None, "score_many() takes an iterable of sheets or the path of a sheet file, not null"),
        (3, "score_many() takes an iterable of sheets or the path of a sheet file, not a number (3)"),
        (
            {"2.1.1": True},
            "score_many() takes an iterable of sheets or the path of a sheet file, not a table;"
            " for one sheet: score_many(rubric, [sheet])",
        ),
    ],
)
def test_score_many_refuses_what_is_no_batch_at_the_call(
    district: Rubric, sheets: object, message: str
) -> None:
    # Refused when called, not when the first result is asked for.
    assert _refused(SheetError, lambda: score_many(district, sheets)) == message  # type: ignore[arg-type]  # the mistake tested


def test_score_many_refuses_a_sheet_at_the_call(district: Rubric) -> None:
    sheet = loads_sheet('[sheet]\nagency = "a"\n')
    assert _refused(SheetError, lambda: score_many(district, sheet)) == (  # type: ignore[arg-type]  # the mistake tested
        "score_many() takes an iterable of sheets or the path of a sheet file, not an object of type Sheet;"
        " for one sheet: score_many(rubric, [sheet])"
    )


@pytest.mark.parametrize("call", [load_sheet, load_sheets], ids=["load_sheet", "load_sheets"])
@pytest.mark.parametrize(
    ("path", "said"),
    [(3, "a number (3)"), (None, "null"), (b"sheet.toml", "an object of type bytes")],
)
def test_load_sheet_and_load_sheets_take_a_path(
    call: Callable[[object], object], path: object, said: str
) -> None:
    # 3 was read as file descriptor 3; None raised a bare TypeError.
    message = f"{call.__name__}() takes the path of a sheet file (a str or a Path), not {said}"
    assert _refused(SheetError, lambda: call(path)) == message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (None, "null"),
        (b"[sheet]", 'an object of type bytes; decode it first: loads_sheet(data.decode("utf-8"))'),
        (Path("sheet.toml"), "a path (sheet.toml); read a file with load_sheet(path)"),
    ],
)
def test_loads_sheet_takes_text(text: object, said: str) -> None:
    message = f"loads_sheet() takes the sheet's text as a string, not {said}"
    assert _refused(SheetError, lambda: loads_sheet(text)) == message  # type: ignore[arg-type]  # the mistake tested


def test_diff_takes_two_cards(district: Rubric) -> None:
    card = score(district, {"2.1.1": True})
    assert (
        _refused(RubricError, lambda: diff(None, card))  # type: ignore[arg-type]  # the mistake tested
        == "diff() takes two ScoreCards (from score()); self_card is null"
    )
    assert (
        _refused(RubricError, lambda: diff(card, {"2.1.1": True}))  # type: ignore[arg-type]  # the mistake tested
        == "diff() takes two ScoreCards (from score()); verified_card is a table"
    )


def test_render_cards_html_takes_a_list_of_cards(district: Rubric) -> None:
    card = score(district, {"2.1.1": True})
    takes = "render_cards_html() takes a list of ScoreCards"
    assert _refused(RubricError, lambda: render_cards_html(None)) == f"{takes}, not null"  # type: ignore[arg-type]  # the mistake tested
    assert (
        _refused(RubricError, lambda: render_cards_html(card))  # type: ignore[arg-type]  # the mistake tested
        == f"{takes}, not an object of type ScoreCard; put it in a list: render_cards_html([card])"
    )
    assert _refused(RubricError, lambda: render_cards_html([card, 3])) == f"{takes}; cards[1] is a number (3)"  # type: ignore[list-item]  # the mistake tested
    assert render_cards_html(iter([card])).startswith("<!DOCTYPE html>")


def test_dumps_rubric_takes_a_rubric(district: Rubric) -> None:
    assert (
        _refused(RubricError, lambda: dumps_rubric(None))  # type: ignore[arg-type]  # the mistake tested
        == "dumps_rubric() takes a Rubric (from load_rubric()), not null"
    )
    assert loads_rubric(dumps_rubric(district)) == district
