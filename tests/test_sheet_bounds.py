"""Work on a sheet grows linearly with its size (#9): counted, never timed.

bench/bench_sheets.py prints the times for growing sizes; these tests count the operations that
made the old code quadratic: string comparisons when evidence is gathered, and the candidates
compared when an unknown address gets a suggestion.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import conserv_rubric._answers as answers_module
from conserv_rubric import Rubric, Sheet, SheetError, SheetInfo, score
from conserv_rubric._answers import MAX_CANDIDATES, MAX_SUGGESTIONS
from conserv_rubric._limits import MAX_PROBLEMS
from conserv_rubric._text import suggest
from conserv_rubric.model import Flag, Parts, Project, Unit


def _big_rubric(units: int, projects: int, items: int) -> Rubric:
    """units × projects × items flags of 1 point each."""
    return Rubric(
        title="t",
        total=Decimal(units * projects * items),
        units=tuple(
            Unit(
                title=f"u{u}",
                projects=tuple(
                    Project(title=f"p{p}", items=tuple(Flag(points=Decimal(1)) for _ in range(items)))
                    for p in range(projects)
                ),
            )
            for u in range(units)
        ),
    )


class Counted(str):
    """A document name that counts how often it is compared for equality."""

    calls = 0

    def __eq__(self, other: object) -> bool:
        Counted.calls += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


@pytest.mark.parametrize("n", [1_000, 10_000])
def test_gathering_evidence_is_linear(n: int) -> None:
    rubric = _big_rubric(1, 1, 2)
    docs = tuple(Counted(f"《文件{i}》") for i in range(n))
    sheet = Sheet(
        info=SheetInfo(agency="a"),
        answers={"1.1.1": True},
        evidence={"1.1.1": docs + docs[: n // 2], "1.1.2": docs[: n // 2]},
    )
    Counted.calls = 0
    card = score(rubric, sheet)
    assert card.items["1.1.1"].evidence == ("《文件0》", *docs[1:])
    # A list kept in order and searched for each document made n²/2 comparisons (5·10⁷ for
    # 10 000); a dict compares a document only on a hash collision.
    assert Counted.calls <= n


def test_suggestions_for_many_unknown_addresses_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    rubric = _big_rubric(30, 10, 30)  # 9000 leaves, 1.1.1 … 30.10.30
    compared: list[int] = []
    real = suggest

    def counting(word: str, choices: Any) -> str:
        compared.append(len(choices))
        return real(word, choices)

    monkeypatch.setattr(answers_module, "suggest", counting)
    unknown = {f"{u}.{p}.{i}x": True for u in range(1, 11) for p in range(1, 11) for i in range(1, 11)}
    with pytest.raises(SheetError) as excinfo:
        score(rubric, unknown)
    problems = excinfo.value.problems
    # The first MAX_PROBLEMS unknown addresses are reported, then how many more there are; the
    # first ones with a suggestion from their own project.
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0].message == "unknown address '1.1.1x' (did you mean '1.1.1'?)"
    assert problems[-2].message == "unknown address '1.10.10x'"
    assert problems[-1].message == f"… and {1000 - MAX_PROBLEMS} more problems"
    assert sum(1 for p in problems if "did you mean" in p.message) == MAX_SUGGESTIONS
    # Before: 1000 searches among 30 leaves each, then among all 9000 where nothing matched;
    # now at most MAX_SUGGESTIONS searches, each among at most MAX_CANDIDATES per branch tried.
    assert len(compared) <= MAX_SUGGESTIONS * 3
    assert max(compared) <= MAX_CANDIDATES


def test_a_suggestion_prefers_the_nearest_branch() -> None:
    rubric = _big_rubric(2, 2, 3)
    cases = {
        "1.2.4": "unknown address '1.2.4' (did you mean '1.2.3'?)",
        "1.3.1": "unknown address '1.3.1' (did you mean '1.2.1'?)",
        "2.2.2.a": "unknown address '2.2.2.a' (did you mean '2.2.2'?)",
        "9.9.9": "unknown address '9.9.9'",
        "1.2.1." + "9" * 80: f"unknown address '1.2.1.{'9' * 80}'",
    }
    for address, message in cases.items():
        with pytest.raises(SheetError) as excinfo:
            score(rubric, {address: True})
        assert str(excinfo.value) == f'answers."{address}": {message}'


def test_an_item_answered_as_a_whole_lists_its_parts_from_the_index() -> None:
    flag = Flag(points=Decimal(1))
    rubric = Rubric(
        title="t",
        total=Decimal(3),
        units=(Unit(title="u", items=(Parts(parts=(flag, flag), zero_if="未配备人员"), flag)),),
    )
    with pytest.raises(SheetError) as excinfo:
        score(rubric, {"1.1": True, "1": True})
    assert str(excinfo.value) == "\n".join(
        [
            "answers.\"1.1\": '1.1' is an item made of parts; answer its parts (1.1.zero, 1.1.a, 1.1.b)",
            # A unit means its first item's answer, not the item's zero override.
            "answers.\"1\": unknown address '1' (did you mean '1.1.a'?)",
        ]
    )
