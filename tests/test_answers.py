"""What the answer checker says of answers a program passes: objects of any type, objects whose
own ``__str__`` or ``__repr__`` raises, and whole numbers given as a Decimal or a float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conserv_rubric import Rubric, SheetError, check_sheet, loads_rubric, loads_sheet, score
from conserv_rubric.reports import render_cards

# 1.1 is a count (a flag done at least twice), 1.2 a count or names, 1.3 a number, 1.4 a flag.
RUBRIC = """\
title = "t"
total = 4
[[units]]
title = "u"
[[units.items]]
kind = "flag"
points = 1
at_least = 2
[[units.items]]
kind = "each"
per = 1
max = 1
[[units.items]]
kind = "bands"
points = 1
bands = [{ lt = 60, points = 0 }, { ge = 60, points = 1 }]
[[units.items]]
kind = "flag"
points = 1
"""


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return loads_rubric(RUBRIC)


def _messages(rubric: Rubric, answers: dict[str, object]) -> list[str]:
    """What `check_sheet` says, checked to be what `score` raises."""
    said = [str(p) for p in check_sheet(rubric, answers)]
    with pytest.raises(SheetError) as excinfo:
        score(rubric, answers)
    assert str(excinfo.value) == "\n".join(said)
    return said


class Opaque:
    """A user's object, its repr holding its memory address."""


def _boom(self: object, *args: object) -> str:
    raise ValueError("boom")


class Hostile:
    """A user's object whose __str__, __repr__ and __format__ raise."""

    __str__ = __repr__ = _boom
    __format__ = _boom


class HostileInt(int):
    __str__ = __repr__ = _boom
    __format__ = _boom


class HostileFloat(float):
    __str__ = __repr__ = _boom
    __format__ = _boom


class HostileDecimal(Decimal):
    __str__ = __repr__ = _boom
    __format__ = _boom


class HostileStr(str):
    __str__ = __repr__ = _boom
    __format__ = _boom


@pytest.mark.parametrize(
    ("value", "got"),
    [
        (object(), "an object of type object"),
        (Opaque(), "an object of type Opaque"),
        ((1, 2), "an object of type tuple"),
        ({"a"}, "an object of type set"),
        (b"2", "an object of type bytes"),
    ],
)
def test_an_object_is_named_by_its_type_without_an_address(rubric: Rubric, value: object, got: str) -> None:
    assert _messages(rubric, {"1.1": value, "1.3": value, "1.4": value}) == [
        f'answers."1.1": expected a count (a whole number ≥ 0), got {got}',
        f'answers."1.3": expected a number, got {got}',
        f'answers."1.4": expected true or false, got {got}',
    ]


def test_an_answer_whose_str_raises_is_refused_where_it_is(rubric: Rubric) -> None:
    answers: dict[str, object] = {
        "1.1": Hostile(),
        "1.2": Hostile(),
        "1.3": Hostile(),
        "1.4": HostileInt(2),
    }
    assert _messages(rubric, answers) == [
        'answers."1.1": expected a count (a whole number ≥ 0), got an object of type Hostile',
        'answers."1.2": expected a count (a whole number ≥ 0) or a list of names,'
        " got an object of type Hostile",
        'answers."1.3": expected a number, got an object of type Hostile',
        'answers."1.4": expected true or false, got a number (2)',
    ]


def test_an_address_whose_str_raises_is_named_by_its_text(rubric: Rubric) -> None:
    answers: dict[str, object] = {HostileStr("1.5"): True, HostileStr("1.3"): "many"}
    assert _messages(rubric, answers) == [
        """answers."1.5": unknown address '1.5' (did you mean '1.4'?)""",
        'answers."1.3": expected a number, got a string ("many")',
    ]


def test_numbers_and_text_whose_str_raises_are_shown_by_their_value(rubric: Rubric) -> None:
    answers: dict[str, object] = {
        "1.1": HostileDecimal("2.5"),
        "1.2": [HostileStr("甲"), HostileStr(" 甲")],
        "1.3": HostileFloat("inf"),
        "1.4": HostileStr("yes"),
    }
    assert _messages(rubric, answers) == [
        'answers."1.1": expected a count (a whole number ≥ 0), got a number (2.5)',
        """answers."1.2": lists '甲' twice (as '甲' and ' 甲')""",
        'answers."1.3": expected a finite number, got a number (inf)',
        'answers."1.4": expected true or false, got a string ("yes")',
    ]


def test_answers_of_subclasses_are_read_by_their_value(rubric: Rubric) -> None:
    # An answer that fits is kept as the built-in value it stands for, so the card and its
    # reports never call the user's methods.
    answers: dict[str, object] = {
        "1.1": HostileInt(2),
        "1.2": [HostileStr("甲")],
        "1.3": HostileDecimal("60"),
        "1.4": HostileStr("true"),
    }
    card = score(rubric, answers)
    plain = score(rubric, {"1.1": 2, "1.2": ["甲"], "1.3": Decimal(60), "1.4": True})
    assert card.total == plain.total == Decimal(4)
    assert render_cards([card], "text") == render_cards([plain], "text")
    assert render_cards([card], "json") == render_cards([plain], "json")


@pytest.mark.parametrize(
    ("value", "got"),
    [
        (Decimal("2"), "a Decimal (2)"),
        (2.0, "a float (2.0)"),
        (0.0, "a float (0.0)"),
    ],
)
def test_a_whole_number_of_another_type_as_a_count_says_how_to_write_it(
    rubric: Rubric, value: object, got: str
) -> None:
    shown = int(value)  # type: ignore[call-overload]  # a whole Decimal or float
    want = f'as an int ({shown}) or text of digits ("{shown}")'
    assert _messages(rubric, {"1.1": value, "1.2": value}) == [
        f'answers."1.1": expected a count (a whole number ≥ 0) {want}, got {got}',
        f'answers."1.2": expected a count (a whole number ≥ 0) {want}, or a list of names, got {got}',
    ]


def test_a_count_written_with_a_decimal_point_says_to_leave_it_out(rubric: Rubric) -> None:
    sheet = loads_sheet('[sheet]\nagency = "a"\n[answers]\n"1.1" = 2.0\n"1.2" = "3.00"\n', file="s.toml")
    with pytest.raises(SheetError) as excinfo:
        score(rubric, sheet)
    assert str(excinfo.value) == (
        's.toml: answers."1.1": expected a count (a whole number ≥ 0) written without a decimal point'
        " (2), got a number (2.0)\n"
        's.toml: answers."1.2": expected a count (a whole number ≥ 0) written without a decimal point'
        " (3), or a list of names, got a number (3.00)"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("2.5"), "expected a count (a whole number ≥ 0), got a number (2.5)"),
        (Decimal("-2"), "expected a count (a whole number ≥ 0), got a number (-2)"),
        (-2.0, "expected a count (a whole number ≥ 0), got a number (-2.0)"),
    ],
)
def test_a_number_that_is_no_count_is_refused_as_before(rubric: Rubric, value: object, message: str) -> None:
    assert _messages(rubric, {"1.1": value}) == [f'answers."1.1": {message}']
