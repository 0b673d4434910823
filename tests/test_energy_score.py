"""Items bound to an energy indicator, scored from a sheet's [energy] (#11, DESIGN §11).

The worked figures, by hand (当量值 unless said otherwise):

- electricity 40000 kWh × 0.1229 = 4916 kgce; natural gas 1000 m³ × 1.33 = 1330 kgce;
  gasoline 1000 L × 0.73 kg/L = 730 kg × 1.4714 = 1074.122 kgce; in all 7320.122 kgce.
- the vehicles' gasoline 500 L × 0.73 = 365 kg × 1.4714 = 537.061 kgce.
- 单位建筑面积能耗 (7320.122 − 537.061) ÷ 1000 m² = 6.783061 kgce/m²: exactly its target, met (a).
- 人均能耗 7320.122 ÷ 50 = 146.40244 kgce/人 against 146.40: above it, not met (b); shown to
  three places, where the two would look equal at two.
- 人均水耗 1000 t ÷ 50 = 20 t/人 against 20: met (c).

So 1.1.1 scores 3 + 0 + 3 = 6, as the yes/no answers a = true, b = false, c = true do.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conserv_rubric import (
    Rubric,
    RubricError,
    SheetError,
    load_rubric,
    load_sheet,
    loads_rubric,
    loads_sheet,
    score,
)
from conserv_rubric.cli import main
from conserv_rubric.energy import load_coefficients
from conserv_rubric.templates import template
from conserv_rubric.workbook import write_template

ROOT = Path(__file__).parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"

FIGURES = {
    "energy.year": "2023",
    "energy.area": "1000",
    "energy.energy_users": "50",
    "energy.water": "1000",
    "energy.use.electricity.kwh": "40000",
    "energy.use.natural_gas.m3": "1000",
    "energy.use.gasoline.litres": "1000",
    "energy.vehicles.gasoline.litres": "500",
    "energy.targets.area_energy": "6.783061",
    "energy.targets.per_capita_energy": "146.40",
    "energy.targets.per_capita_water": "20",
}

ENERGY_TOML = """
[energy]
year = 2023
area = 1000
energy_users = 50
water = 1000

[energy.use]
electricity = { kwh = 40000 }
natural_gas = { m3 = 1000 }
gasoline = { litres = 1000 }

[energy.vehicles]
gasoline = { litres = 500 }

[energy.targets]
area_energy = 6.783061
per_capita_energy = 146.40
per_capita_water = 20
"""

HEAD = '[sheet]\nagency = "XX区财政局"\nyear = 2024\n'
REASON = (
    "a 3分 + b 0分 + c 3分 = 6分（a 单位建筑面积能耗 6.78 kgce/m²（目标 6.78）→ 3分；"
    "b 人均能耗 146.402 kgce/人（目标 146.400）→ 未达标，0分；c 人均水耗 20.00 t/人（目标 20.00）→ 3分）"
)


@pytest.fixture(scope="module")
def district() -> Rubric:
    return load_rubric(DISTRICT)


def test_energy_scores_as_the_equivalent_yes_no_answers(district: Rubric) -> None:
    from_energy = score(district, loads_sheet(HEAD + ENERGY_TOML))
    ticked = score(
        district,
        loads_sheet(HEAD + '[answers]\n"1.1.1.a" = true\n"1.1.1.b" = false\n"1.1.1.c" = true\n'),
    )
    assert from_energy.items["1.1.1"].points == ticked.items["1.1.1"].points == 6
    assert from_energy.total == ticked.total == 6
    assert ticked.items["1.1.1"].reason == "a 3分 + b 0分 + c 3分 = 6分"
    assert from_energy.items["1.1.1"].reason == REASON


def test_the_same_figures_from_toml_json_csv_and_a_workbook(district: Rubric, tmp_path: Path) -> None:
    toml_sheet = loads_sheet(HEAD + ENERGY_TOML)
    doc = {
        "sheet": {"agency": "XX区财政局", "year": 2024},
        "energy": {
            "year": 2023,
            "area": 1000,
            "energy_users": 50,
            "water": 1000,
            "use": {"electricity": {"kwh": 40000}, "natural_gas": {"m3": 1000}, "gasoline": {"litres": 1000}},
            "vehicles": {"gasoline": {"litres": 500}},
            "targets": {"area_energy": 6.783061, "per_capita_energy": 146.40, "per_capita_water": 20},
        },
    }
    json_sheet = loads_sheet(json.dumps(doc), format="json")
    header = ["agency", "year", *FIGURES]
    csv_sheet = loads_sheet(
        ",".join(header) + "\n" + ",".join(["XX区财政局", "2024", *FIGURES.values()]) + "\n", format="csv"
    )
    path = tmp_path / "sheet.xlsx"
    write_template(district, path, year=2024, energy=True)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = {ws.cell(row=r, column=c).value: (r, c) for r in range(1, ws.max_row + 1) for c in range(1, 12)}
    _, answer = rows["答案"]
    for address, value in FIGURES.items():
        row, _ = rows[address]
        ws.cell(row=row, column=answer).value = int(value) if value.isdigit() else Decimal(value)
    wb.save(path)
    workbook_sheet = load_sheet(path)
    for sheet in (toml_sheet, json_sheet, csv_sheet, workbook_sheet):
        assert sheet.energy is not None
        assert sheet.energy.area == 1000
        card = score(district, sheet)
        assert (card.items["1.1.1"].points, card.items["1.1.1"].reason) == (Decimal(6), REASON)


def test_a_sheet_without_energy_is_read_as_before() -> None:
    assert loads_sheet(HEAD).energy is None
    csv_text = "agency,year,1.1.1.a,energy.area\nXX区财政局,2024,true,\n"
    sheet = loads_sheet(csv_text, format="csv")
    assert (sheet.energy, sheet.answers) == (None, {"1.1.1.a": "true"})


def test_the_coefficient_table_reaches_the_score(district: Rubric) -> None:
    # 等价值: electricity 40000 × 0.31 = 12400 kgce; (12400 + 1330 + 1074.122 − 537.061) ÷ 1000
    # = 14.267061 kgce/m², above 6.783061; 14804.122 ÷ 50 = 296.08244 kgce/人, above 146.40.
    card = score(
        district, loads_sheet(HEAD + ENERGY_TOML), coefficients=load_coefficients("gbt2589-2020-dengjia")
    )
    assert card.items["1.1.1"].reason == (
        "a 0分 + b 0分 + c 3分 = 3分（a 单位建筑面积能耗 14.27 kgce/m²（目标 6.78）→ 未达标，0分；"
        "b 人均能耗 296.08 kgce/人（目标 146.40）→ 未达标，0分；c 人均水耗 20.00 t/人（目标 20.00）→ 3分）"
    )
    assert card.to_dict()["coefficients"] == {
        "name": "gbt2589-2020-dengjia",
        "version": "1",
        "basis": "等价值",
        "file": None,
    }
    assert "coefficients" not in score(district, loads_sheet(HEAD + ENERGY_TOML)).to_dict()


def test_coefficients_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(HEAD + ENERGY_TOML, encoding="utf-8")
    assert main(["score", str(DISTRICT), str(sheet), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["total"] == 6
    args = [str(DISTRICT), str(sheet), "--coefficients", "gbt2589-2020-dengjia"]
    assert main(["score", *args, "--format", "json"]) == 1
    card = json.loads(capsys.readouterr().out)
    assert (card["total"], card["coefficients"]["name"]) == (3, "gbt2589-2020-dengjia")
    assert main(["gap", *args, "--format", "json"]) == 1
    capsys.readouterr()
    assert main(["score", str(DISTRICT), str(sheet), "--coefficients", "dengjia"]) == 2
    assert capsys.readouterr().err == (
        "unknown coefficient table 'dengjia'; shipped tables: gbt2589-2020-dangliang, "
        "gbt2589-2020-dengjia (or give a file path)\n"
    )


def test_yes_no_and_energy_for_the_same_part(district: Rubric) -> None:
    sheet = loads_sheet(HEAD + '[answers]\n"1.1.1.b" = true\n' + ENERGY_TOML, file="sheet.toml")
    with pytest.raises(SheetError) as exc:
        score(district, sheet)
    assert str(exc.value) == (
        'sheet.toml: answers."1.1.1.b": answered yes or no, and also from [energy] '
        "(indicator per_capita_energy, energy.targets.per_capita_energy); give one of them"
    )


def test_a_bound_indicator_without_a_target(district: Rubric) -> None:
    text = HEAD + ENERGY_TOML.replace("per_capita_water = 20\n", "")
    with pytest.raises(SheetError) as exc:
        score(district, loads_sheet(text, file="sheet.toml"))
    assert str(exc.value) == (
        "sheet.toml: energy.targets.per_capita_water: missing; 人均水耗 needs a target: "
        "a figure, a decline rate, quota tiers or a peer average"
    )


def test_energy_for_a_rubric_that_binds_nothing() -> None:
    rubric = loads_rubric(
        'title = "T"\ntotal = 2\n[[units]]\ntitle = "U"\npoints = 2\n'
        '[[units.items]]\nkind = "flag"\ntext = "x"\npoints = 2\n'
    )
    with pytest.raises(SheetError) as exc:
        score(rubric, loads_sheet(HEAD + ENERGY_TOML, file="sheet.toml"))
    assert str(exc.value) == (
        "sheet.toml: energy: the rubric 'T' binds no item to an energy indicator, so [energy] would go "
        "unused; answer its items yes or no instead"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + ENERGY_TOML.replace("year = 2023", "year = 2022"),
            "sheet.toml: energy.year: expected 2023, the calendar year before the sheet's year 2024 "
            "(说明五), got 2022",
        ),
        (
            HEAD.replace("year = 2024\n", "") + ENERGY_TOML,
            "sheet.toml: sheet.year: missing; a sheet with [energy] needs its year: the data cover the "
            "calendar year before it",
        ),
        (
            HEAD + ENERGY_TOML.replace("area = 1000\n", ""),
            "sheet.toml: energy.area: missing 建筑面积: the office floor area in m² (area = …)",
        ),
        (
            HEAD.replace("[sheet]", "energy = 3\n[sheet]"),
            "sheet.toml: energy: expected a table, got a number (3)",
        ),
        (
            HEAD + ENERGY_TOML.replace("natural_gas = { m3 = 1000 }", "natural_gas = { kwh = 1000 }"),
            "sheet.toml: energy.use.natural_gas.kwh: natural_gas (天然气) is given in m3 or kgce, not kwh",
        ),
    ],
)
def test_bad_energy_in_a_sheet(text: str, message: str) -> None:
    with pytest.raises(SheetError) as exc:
        loads_sheet(text, file="sheet.toml")
    assert str(exc.value) == message


def test_bad_energy_in_a_csv_row_names_its_line() -> None:
    figures = {**FIGURES, "energy.area": "0"}
    text = ",".join(["agency", "year", *figures]) + "\n" + ",".join(["XX区财政局", "2024", *figures.values()])
    with pytest.raises(SheetError) as exc:
        loads_sheet(text + "\n", format="csv", file="sheets.csv")
    assert str(exc.value) == "sheets.csv:2: energy.area: expected a number more than 0, got a number (0)"


BOUND = (
    'title = "T"\ntotal = 3\n[[units]]\ntitle = "U"\npoints = 3\n'
    '[[units.items]]\nkind = "flag"\ntext = "x"\npoints = 3\n'
)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'indicator = "area_enrgy"\n',
            "item 1.1 in unit 1 U (units[0].items[0]): unknown indicator 'area_enrgy' "
            "(did you mean 'area_energy'?); expected one of area_energy, per_capita_energy, "
            "per_capita_water, area_energy_non_heating",
        ),
        (
            'indicator = "area_energy"\nat_least = 2\n',
            "item 1.1 in unit 1 U (units[0].items[0]): a flag bound to an energy indicator takes no "
            "at_least: the indicator is met or not",
        ),
    ],
)
def test_a_bad_binding_is_refused(extra: str, message: str) -> None:
    with pytest.raises(RubricError) as exc:
        loads_rubric(BOUND + extra)
    assert str(exc.value) == message


def test_the_blank_template_scores_and_its_energy_section_fills_in(district: Rubric) -> None:
    text = template(district, year=2024)
    assert score(district, loads_sheet(text)).items["1.1.1"].points == 0
    assert "# [energy]\n# year = 2023 " in text
    # Filled in: the section uncommented with the figures, the bound answers removed.
    answers = "\n".join(
        line for line in text.split("\n") if not line.startswith(('"1.1.1.a"', '"1.1.1.b"', '"1.1.1.c"'))
    )
    card = score(district, loads_sheet(answers + ENERGY_TOML))
    assert card.items["1.1.1"].reason == REASON


def test_the_worked_example_of_the_energy_page_scores_9(district: Rubric) -> None:
    # docs/energy.md: (53082.61 − 4296.488) ÷ 8000 = 6.09826525 against 6.20 × (1 − 0.0102) = 6.13676;
    # 53082.61 ÷ 120 = 442.36… against 450; 3000 ÷ 120 = 25 against 25: all three met.
    page = (ROOT / "docs" / "energy.md").read_text(encoding="utf-8")
    sheet_text = page.split("```toml\n", 1)[1].split("```", 1)[0]
    card = score(district, loads_sheet(sheet_text))
    assert card.items["1.1.1"].reason == (
        "a 3分 + b 3分 + c 3分 = 9分（a 单位建筑面积能耗 6.10 kgce/m²"
        "（目标 6.14 = 上年 6.20 × (1 − 1.02%)）→ 3分；"
        "b 人均能耗 442.36 kgce/人（目标 450.00）→ 3分；c 人均水耗 25.00 t/人（目标 25.00）→ 3分）"
    )
    assert card.items["1.1.1"].reason in page


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("gbt2589-2020-dengjia", 'a string ("gbt2589-2020-dengjia"); load it first: load_coefficients(name)'),
        (3, "a number (3)"),
        (Path("当量值.toml"), "a path (当量值.toml); load it first: load_coefficients(name)"),
    ],
)
def test_coefficients_that_are_not_a_table_are_refused_on_every_path(
    district: Rubric, given: object, said: str
) -> None:
    # Refused even when the sheet has no [energy] to read them, and on the plan's path too.
    for _ in range(3):
        with pytest.raises(RubricError) as exc:
            score(district, {"2.1.1": True}, coefficients=given)  # type: ignore[arg-type]
        assert str(exc.value) == f"coefficients= takes a table from load_coefficients(), not {said}"
    table = load_coefficients("gbt2589-2020-dengjia")
    assert score(district, loads_sheet(HEAD + ENERGY_TOML), coefficients=table).coefficients == table
