"""What the answer checker says of answers a program passes: objects of any type, objects whose
own ``__str__`` or ``__repr__`` raises, and whole numbers given as a Decimal or a float."""

from __future__ import annotations

import pytest

from conserv_rubric import Rubric, SheetError, check_sheet, loads_rubric, score

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
