"""A score card pickles (a platform's process pool returns cards): it unpickles to the card that
scoring its sheet again gives, whichever path scored it."""

from __future__ import annotations

import concurrent.futures
import pickle
from pathlib import Path

import pytest
from test_energy_score import ENERGY_TOML, HEAD

from conserv_rubric import (
    RubricError,
    ScoreCard,
    SheetError,
    load_rubric,
    load_sheet,
    load_sheets,
    loads_rubric,
    loads_sheet,
    score,
)
from conserv_rubric.energy import load_coefficients

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = load_rubric(ROOT / "rubrics" / "district.toml")


def _same(card: ScoreCard) -> ScoreCard:
    again = pickle.loads(pickle.dumps(card))
    assert isinstance(again, ScoreCard)
    assert again.to_dict() == card.to_dict()
    assert [i.reason for i in again.items.values()] == [i.reason for i in card.items.values()]
    assert again.sheet == card.sheet
    return again


@pytest.mark.parametrize("name", ["pass.toml", "fail.toml", "at-80.toml"])
def test_cards_of_sheets_and_of_dicts_pickle_on_every_path(name: str) -> None:
    sheet = load_sheet(ROOT / "examples" / "district" / name)
    # The first card of a rubric comes from the interpreter, later ones from its generated plan.
    for _ in range(3):
        _same(score(DISTRICT, sheet))
        answers = dict(sheet.answers)
        again = _same(score(DISTRICT, answers))
        assert again.answers == score(DISTRICT, answers).answers


def test_a_card_of_a_csv_row_keeps_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    path.write_text("agency,2.1.1,2.2.2\nXX区财政局,true,3\nXX区教育局,false,0\n", encoding="utf-8")
    for sheet in load_sheets(path):
        again = _same(score(DISTRICT, sheet))
        assert again.sheet is not None
        assert (again.sheet.file, again.sheet.row) == (sheet.file, sheet.row)


def test_a_card_scored_from_energy_figures_keeps_its_coefficients() -> None:
    sheet = loads_sheet(HEAD + ENERGY_TOML)
    table = load_coefficients("gbt2589-2020-dengjia")
    card = score(DISTRICT, sheet, coefficients=table)
    again = _same(card)
    assert again.coefficients == table
    assert again.items["1.1.1"].reason == card.items["1.1.1"].reason


def test_errors_pickle_with_every_problem() -> None:
    # A worker of a process pool hands its exception back pickled: a sheet that cannot be
    # scored must arrive as its SheetError, not break the pool.
    many = {f"9.{n}": True for n in range(1, 106)}
    with pytest.raises(SheetError) as sheet_error:
        score(DISTRICT, {"2.1.1": 1, **many})
    with pytest.raises(RubricError) as rubric_error:
        loads_rubric("title = ")
    for error in (sheet_error.value, rubric_error.value):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert str(again) == str(error)
        assert again.problems == error.problems
    assert str(sheet_error.value).splitlines()[-1] == "… and 6 more problems"


def test_a_process_pool_hands_back_the_error_of_a_sheet() -> None:
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        future = pool.submit(score, DISTRICT, {"2.1.1": 1})
        with pytest.raises(SheetError) as excinfo:
            future.result(timeout=60)
    assert str(excinfo.value) == 'answers."2.1.1": expected true or false, got a number (1)'
    assert excinfo.value.problems[0].path == 'answers."2.1.1"'
