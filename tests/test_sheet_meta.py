"""A sheet's code and typed date, in TOML, JSON and CSV, and its stage checked against the rubric."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from conserv_rubric import SheetError, load_rubric, load_sheets, loads_rubric, loads_sheet, score

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"


def test_a_toml_date_and_a_code() -> None:
    sheet = loads_sheet('[sheet]\nagency = "XX区财政局"\ncode = "XQ019"\ndate = 2024-10-28\n')
    assert (sheet.info.code, sheet.info.date) == ("XQ019", datetime.date(2024, 10, 28))


def test_json_and_csv_carry_the_date_as_iso_text(tmp_path: Path) -> None:
    sheet = loads_sheet('{"sheet": {"agency": "XX区财政局", "date": "2024-10-28"}}', format="json")
    assert sheet.info.date == datetime.date(2024, 10, 28)
    path = tmp_path / "batch.csv"
    path.write_text(
        "agency,code,year,stage,date,2.1.1\nXX区财政局,XQ019,2024,self,2024-10-28,true\n", encoding="utf-8"
    )
    (row,) = load_sheets(path)
    assert (row.info.code, row.info.date, row.answers) == (
        "XQ019",
        datetime.date(2024, 10, 28),
        {"2.1.1": "true"},  # CSV cells stay text until the rubric reads them
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"10月28日"', 'sheet.date: expected a date such as 2024-10-28, got a string ("10月28日")'),
        ('"2024-02-30"', 'sheet.date: "2024-02-30" is not a calendar date'),
        (
            "2024-10-28T09:00:00",
            "sheet.date: expected a date such as 2024-10-28, got a date and time (2024-10-28T09:00:00)",
        ),
        ("20241028", "sheet.date: expected a date such as 2024-10-28, got a number (20241028)"),
    ],
)
def test_a_date_that_is_no_date(value: str, message: str) -> None:
    with pytest.raises(SheetError) as excinfo:
        loads_sheet(f'[sheet]\nagency = "XX区财政局"\ndate = {value}\n', file="s.toml")
    assert str(excinfo.value) == f"s.toml: {message}"


def test_a_null_date_in_json_is_refused() -> None:
    with pytest.raises(SheetError) as excinfo:
        loads_sheet('{"sheet": {"agency": "XX区财政局", "date": null}}', format="json", file="s.json")
    assert str(excinfo.value) == "s.json: sheet.date: expected a date such as 2024-10-28, got null"


def test_a_bad_date_in_a_csv_row_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    path.write_text("agency,date\nXX区财政局,2024-10-28\nXX区审计局,2024/10/28\n", encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == (
        f'{path}:3: sheet.date: expected a date such as 2024-10-28, got a string ("2024/10/28")'
    )


def test_a_bad_date_is_reported_with_the_other_problems() -> None:
    with pytest.raises(SheetError) as excinfo:
        loads_sheet('[sheet]\nagency = 1\ndate = "x"\n', file="s.toml")
    assert str(excinfo.value) == (
        "s.toml: sheet.agency: expected a string, got a number (1)\n"
        's.toml: sheet.date: expected a date such as 2024-10-28, got a string ("x")'
    )


def test_the_stage_must_be_one_the_rubric_declares() -> None:
    district = load_rubric(DISTRICT)
    staged = loads_rubric(
        DISTRICT.read_text(encoding="utf-8").replace(
            "total = 100\n", 'total = 100\nstages = ["self", "initial", "final"]\n'
        )
    )
    sheet = loads_sheet('[sheet]\nagency = "XX区财政局"\nstage = "initial"\n', file="s.toml")
    assert score(staged, sheet).total == 0
    with pytest.raises(SheetError) as excinfo:
        score(district, sheet)
    assert (
        str(excinfo.value)
        == 's.toml: sheet.stage: expected one of "self", "verified", got a string ("initial")'
    )


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("agency", "甲局\x1b[2J", "\\x1b"),
        ("assessor", "张三\n认定：达到", "\\n"),
        ("code", "9111\u202e0000", "\\u202e"),
    ],
)
def test_single_line_fields_refuse_control_characters(field: str, value: str, shown: str) -> None:
    doc = json.dumps({"sheet": {"agency": "甲局", field: value}}, ensure_ascii=True)
    with pytest.raises(SheetError) as excinfo:
        loads_sheet(doc, format="json", file="s.json")
    assert str(excinfo.value) == (
        f"s.json: sheet.{field}: holds the control character {shown}; write it on one line, as plain text"
    )
