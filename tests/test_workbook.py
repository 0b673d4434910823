"""The 自评打分表 workbook: the template as the standard's table, read back by 地址, every trap located."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Literal

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from conserv_rubric import (
    Problem,
    Rubric,
    RubricError,
    Sheet,
    SheetError,
    load_rubric,
    load_sheet,
    load_sheets,
    loads_rubric,
    score,
)
from conserv_rubric._compiled import compiled
from conserv_rubric._provenance import rubric_hash
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric._shipped import names
from conserv_rubric._shipped import path as shipped
from conserv_rubric._whatif import for_edition
from conserv_rubric._xlsx_layout import reference
from conserv_rubric._xlsx_read import excel_number
from conserv_rubric._xlsx_write import ENERGY_ROWS
from conserv_rubric.cli import main
from conserv_rubric.energy import load_energy
from conserv_rubric.rollup import rollup
from conserv_rubric.workbook import read_energy, read_workbook, write_template

ROOT = Path(__file__).resolve().parent.parent
#: The signature of an OLE compound file (Excel 97–2003, and every encrypted Office file).
OLE = bytes.fromhex("D0CF11E0A1B11AE1")
NOT_XLSX = "not an .xlsx workbook (Excel 2007 or later); open it in Excel or WPS and save it as .xlsx"
EXAMPLES = sorted((ROOT / "examples" / "district").glob("*.toml"))

# Every shape a workbook cell answers, and an item text that Excel would run as a formula.
TRAINING = """\
title = "XX区教育培训考核"
version = "2024"
total = 16

[[units]]
title = "教育培训"
points = 16

[[units.items]]
kind = "each"
text = "开展节能、节水、垃圾分类专题培训，每项得1分，最高得3分。"
per = 1
max = 3
options = ["节能", "节水", "垃圾分类"]

[[units.items]]
kind = "flag"
text = "全年开展节能宣传不少于4次，得2分。"
points = 2
at_least = 4

[[units.items]]
kind = "linear"
text = "干部职工节能知识测试合格率达到60%得0分，每提高10%得5分，最高得10分。"
start = 60
step = 10
per = 5
max = 10
unit = "%"

[[units.items]]
kind = "flag"
text = "=HYPERLINK(\\"http://example.com\\")：张贴节能标识，得1分。"
points = 1
"""


@pytest.fixture(scope="module")
def district() -> Rubric:
    return load_rubric(ROOT / "rubrics" / "district.toml")


@pytest.fixture(scope="module")
def training() -> Rubric:
    return loads_rubric(TRAINING)


# --- filling a template in, as a script would, by the 地址 column ----------------------------


def _header(ws: Worksheet) -> tuple[int, dict[str, int]]:
    for row in ws.iter_rows():
        names = {c.value: c.column for c in row if isinstance(c.value, str)}
        if "地址" in names and "答案" in names:
            return int(row[0].row or 0), names
    raise AssertionError("no header row")


def _detail(ws: Worksheet, label: str) -> str:
    """The coordinate of the cell right of *label* (or of its merged range)."""
    for row in ws.iter_rows(max_row=_header(ws)[0] - 1):
        for cell in row:
            if cell.value == label:
                end = next((r.max_col for r in ws.merged_cells.ranges if cell.coordinate in r), cell.column)
                return ws.cell(row=cell.row, column=end + 1).coordinate
    raise AssertionError(f"no label {label}")


def _cell_value(value: object) -> object:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value)
    return value


def fill(
    path: Path,
    answers: Mapping[str, object],
    *,
    details: Mapping[str, object] | None = None,
    evidence: Mapping[str, tuple[str, ...]] | None = None,
    notes: Mapping[str, str] | None = None,
    out: Path | None = None,
    raw: bool = False,
) -> Path:
    """Fill the workbook at *path* in, finding each row by its 地址; save it to *out* (or over it)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for label, value in (details or {}).items():
        ws[_detail(ws, label)] = value  # type: ignore[assignment]  # any cell value
    header, columns = _header(ws)
    rows = {
        ws.cell(row=r, column=columns["地址"]).value: r
        for r in range(header + 1, ws.max_row + 1)
        if ws.cell(row=r, column=columns["地址"]).value
    }
    for column, values in (("答案", answers), ("佐证材料", evidence or {}), ("备注", notes or {})):
        for address, value in values.items():
            shown = "\n".join(value) if isinstance(value, tuple) else value if raw else _cell_value(value)
            ws.cell(row=rows[address], column=columns[column]).value = shown  # type: ignore[assignment]  # any cell value
    target = out or path
    wb.save(target)
    return target


def answer_cell(path: Path, address: str) -> str:
    """Where the answer to *address* is, as messages name it."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    header, columns = _header(ws)
    for r in range(header + 1, ws.max_row + 1):
        if ws.cell(row=r, column=columns["地址"]).value == address:
            return f"自评打分表!{ws.cell(row=r, column=columns['答案']).coordinate}"
    raise AssertionError(address)


def made(rubric: Rubric, tmp_path: Path, name: str = "sheet.xlsx", **kw: bool) -> Path:
    path = tmp_path / name
    write_template(rubric, path, year=2024, **kw)
    return path


# --- the round trip ----------------------------------------------------------------------------


def test_the_examples_are_there() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_filled_workbook_scores_as_the_toml_sheet(district: Rubric, tmp_path: Path, example: Path) -> None:
    toml = load_sheet(example)
    info = toml.info
    details = {"单位名称": info.agency, "年度": info.year, "阶段": "自评", "填表人": info.assessor}
    path = fill(
        made(district, tmp_path), toml.answers, details=details, evidence=toml.evidence, notes=toml.notes
    )
    [sheet] = load_sheets(path)
    assert (sheet.answers.keys(), sheet.evidence, sheet.notes) == (
        toml.answers.keys(),
        toml.evidence,
        toml.notes,
    )
    where = ("file", "line")  # the workbook and the TOML sheet are different files
    assert {k: v for k, v in score(district, sheet).to_dict().items() if k not in where} == {
        k: v for k, v in score(district, toml).to_dict().items() if k not in where
    }


def test_the_pass_example_totals_92_from_its_workbook(district: Rubric, tmp_path: Path) -> None:
    # By hand, as the example's header works it out: 6 + 25 + 22 + 22 + 17.
    toml = load_sheet(ROOT / "examples" / "district" / "pass.toml")
    card = score(district, read_workbook(fill(made(district, tmp_path), toml.answers))[0])
    assert (card.total, card.level) == (Decimal(92), "节约型机关")


def test_a_blank_template_reads_as_an_unanswered_sheet(district: Rubric, tmp_path: Path) -> None:
    [sheet] = read_workbook(made(district, tmp_path))
    assert (sheet.answers, sheet.evidence, sheet.notes) == ({}, {}, {})
    assert (sheet.info.agency, sheet.info.year, sheet.info.stage) == ("", 2024, "self")
    assert (sheet.info.rubric, sheet.info.rubric_hash) == (district.title, rubric_hash(district))
    assert score(district, sheet).total == 0


def test_every_worksheet_is_an_agency(training: Rubric, tmp_path: Path) -> None:
    path = fill(made(training, tmp_path), {"1.1": 2, "1.2": 4}, details={"单位名称": "甲局"})
    wb = openpyxl.load_workbook(path)
    second = wb.copy_worksheet(wb["自评打分表"])
    second.title = "乙局"
    second["C2"] = "乙局"
    second[answer_cell(path, "1.1").split("!")[1]] = "节能、节水、垃圾分类"
    notes = wb.create_sheet("说明")
    notes["A1"] = "本工作簿每个工作表一个单位"
    wb.save(path)
    sheets = load_sheets(path)
    # 甲局: 2项 × 1 = 2, and 4次 ≥ 4 → 2 = 4; 乙局: 3项 × 1 = 3, and 2 = 5.
    assert [(s.agency, score(training, s).total) for s in sheets] == [
        ("甲局", Decimal(4)),
        ("乙局", Decimal(5)),
    ]
    assert sheets[1].cells['answers."1.1"'] == "乙局!" + answer_cell(path, "1.1").split("!")[1]


@pytest.mark.parametrize(
    ("state", "remedy"),
    [
        ("hidden", "unhide it (right-click a worksheet tab → 取消隐藏) to have it scored, or delete it"),
        (
            "veryHidden",
            "Excel's menus cannot unhide it (it is very hidden, set by a macro or another program): "
            "copy the agency's answers into a visible worksheet, or save the visible ones as a new workbook",
        ),
    ],
)
def test_a_hidden_worksheet_with_a_table_is_refused_not_scored_unseen(
    training: Rubric, tmp_path: Path, state: Literal["hidden", "veryHidden"], remedy: str
) -> None:
    # The office sees one agency in Excel; a hidden copy would be scored as a second, unseen.
    path = fill(made(training, tmp_path), {"1.1": 2, "1.2": 4}, details={"单位名称": "甲局"})
    wb = openpyxl.load_workbook(path)
    copy = wb.copy_worksheet(wb["自评打分表"])
    copy.title = "旧表"
    copy["C2"] = "乙局"
    copy.sheet_state = state
    wb.save(path)
    header = answer_cell(path, "1.1").split("!")[1]
    address = f"F{int(header[1:]) - 1}"  # the 地址 heading, above the first row
    with pytest.raises(SheetError) as exc:
        load_sheets(path)
    assert str(exc.value) == (
        f"{path}: 旧表!{address}: the worksheet 旧表 holds a 自评打分表 but is hidden, so the workbook "
        f"is not scored; {remedy}"
    )


@pytest.mark.parametrize("name", names())
def test_every_shipped_rubric_has_a_template_that_reads_back_unanswered(tmp_path: Path, name: str) -> None:
    # Two shipped rubrics keep their standard's own inconsistencies (test_shipped.py): they still
    # have a model, and a template.
    rubric, _ = read_rubric(shipped(name))
    assert rubric is not None
    path = made(rubric, tmp_path, energy=True)
    [sheet] = read_workbook(path)
    assert (sheet.answers, sheet.info.rubric_hash) == ({}, rubric_hash(rubric))
    assert score(rubric, sheet).total == score(rubric, {}).total
    # Every leaf has its row, and only the leaves have an answer cell to fill in.
    ws = openpyxl.load_workbook(path)["自评打分表"]
    header, columns = _header(ws)
    open_cells = {
        ws.cell(row=r, column=columns["地址"]).value
        for r in range(header + 1, ws.max_row + 1)
        if not ws.cell(row=r, column=columns["答案"]).protection.locked
    }
    assert open_cells - {None} == set(compiled(rubric).leaves) | {r.address for r in ENERGY_ROWS}


def test_the_shipped_rubrics_are_there() -> None:
    assert len(names()) >= 8


@pytest.mark.parametrize(
    ("title", "named"),
    [("自评打分表", "自评打分表!G6"), ("教育局 2024", "'教育局 2024'!G6"), ("O'Brien", "'O''Brien'!G6")],
)
def test_cells_are_named_as_excel_names_them(title: str, named: str) -> None:
    assert reference(title, "G6") == named


# --- the template as the standard's table ----------------------------------------------------


def test_the_docs_name_the_stages_the_template_offers(district: Rubric, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(made(district, tmp_path))["自评打分表"]
    [choices] = [dv.formula1 for dv in ws.data_validations.dataValidation if str(dv.sqref) == "G3"]
    assert choices == '"自评,核查"'
    # Each page that lists the stage's choices lists these (核定 was the label of older templates).
    for page, listed in [
        ("district-year.md", "阶段（下拉选择“自评”或“核查”）"),
        ("district-year.en.md", "阶段 as a\nlist of 自评 and 核查,"),
        ("sheet-format.md", "shown as 自评 and 核查 for the default ones"),
    ]:
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        assert listed in text, page


def test_the_template_lays_out_the_standard(district: Rubric, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(made(district, tmp_path))
    assert wb.sheetnames == ["自评打分表", "标准信息"]
    ws = wb["自评打分表"]
    header, _ = _header(ws)
    assert [ws.cell(row=header, column=c).value for c in range(1, 10)] == [
        "序号", "评价单元", "评价项目", "评价标准", "分值", "地址", "答案", "佐证材料", "备注",
    ]  # fmt: skip
    rows = {
        ws.cell(row=r, column=6).value: r
        for r in range(header + 1, ws.max_row + 1)
        if ws.cell(row=r, column=6).value is not None
    }
    first = rows["2.1.1"]
    assert [ws.cell(row=first, column=c).value for c in range(1, 8)] == [
        "2", "完善制度体系（27分）", "管理机构（5分）", "1.明确负责推进节约型机关建设的组织机构，得1分。",
        1, "2.1.1", None,
    ]  # fmt: skip
    # An item of parts is a row without an answer cell, then a row per part.
    assert ws.cell(row=rows["2.2.1"], column=7).protection.locked
    assert ws.cell(row=rows["2.2.1.a"], column=4).value == "a. 制定节约型机关创建实施方案，得2分"
    assert not ws.cell(row=rows["2.2.1.a"], column=7).protection.locked
    # Every leaf of the rubric has its row.
    assert set(compiled(district).leaves) <= set(rows)
    # The address column is locked, the sheet protected; the cells to fill in are not locked.
    assert ws.protection.sheet
    assert all(ws.cell(row=r, column=6).protection.locked for r in rows.values())
    assert not any(ws.cell(row=r, column=c).protection.locked for r in rows.values() for c in (8, 9))
    # Printing: A4 landscape, one page wide, the header row on every page, frozen under it.
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "landscape")  # 9: A4
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr is not None
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.column_dimensions["D"].width == 56
    assert ws.cell(row=first, column=4).alignment.wrap_text


def test_the_answer_cells_are_validated(district: Rubric, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(made(district, tmp_path))["自评打分表"]
    rows = {ws.cell(row=r, column=6).value: r for r in range(6, ws.max_row + 1)}
    found = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            found[cell_range.coord] = dv
    flag = found[f"G{rows['2.1.1']}"]
    assert (flag.type, flag.formula1, flag.prompt) == ("list", '"是,否"', "符合填“是”，不符合填“否”。")
    names = found[f"G{rows['5.1.1']}"]
    assert names.type is None
    assert names.prompt == (
        "填写数量（整数），如“2”；或所列名称，用“、”分隔（也可填写其他名称）。可选：全国节能宣传周、全国低碳日、世界水日、中国水周"
    )
    year = found[_detail(ws, "年度")]
    assert (year.type, year.formula1, year.formula2) == ("whole", "1900", "2999")
    assert found[_detail(ws, "阶段")].formula1 == '"自评,核查"'


def test_the_hidden_worksheet_names_the_rubric(district: Rubric, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(made(district, tmp_path))["标准信息"]
    assert ws.sheet_state == "hidden"
    rows = {row[0]: row[1] for row in ws.iter_rows(values_only=True)}
    assert (rows["rubric"], rows["version"], rows["hash"]) == (district.title, "2024", rubric_hash(district))


def test_text_starting_with_an_equals_sign_is_written_as_text(training: Rubric, tmp_path: Path) -> None:
    path = made(training, tmp_path)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml
    assert "=HYPERLINK" in xml
    ws = openpyxl.load_workbook(path)["自评打分表"]
    [cell] = [c for row in ws.iter_rows() for c in row if str(c.value).startswith("4.=HYPERLINK")]
    assert (cell.data_type, cell.value) == ("s", '4.=HYPERLINK("http://example.com")：张贴节能标识，得1分。')
    assert score(training, read_workbook(path)[0]).total == 0


def test_the_energy_rows_are_read_by_the_energy_command(district: Rubric, tmp_path: Path) -> None:
    figures = {
        "energy.year": 2023,
        "energy.area": 1000,
        "energy.energy_users": 50,
        "energy.water": 1000,
        "energy.use.electricity.kwh": 50000,
        "energy.vehicles.gasoline.litres": 0,
        "energy.targets.area_energy": 6.145,
    }
    path = fill(made(district, tmp_path, energy=True), figures, details={"单位名称": "XX区财政局"}, raw=True)
    [data] = load_energy(path)
    # 50000 kWh × 0.1229 kgce/kWh (当量值) = 6145 kgce over 1000 m²; the target reads as typed.
    assert (data.agency, data.year, data.area, data.targets["area_energy"].value) == (
        "XX区财政局",
        2023,
        Decimal(1000),
        Decimal("6.145"),
    )
    assert main(["energy", str(path)]) == 0
    # The answers are unaffected by the energy rows.
    assert read_workbook(path)[0].answers == {}


def test_energy_problems_are_located(district: Rubric, tmp_path: Path) -> None:
    path = fill(made(district, tmp_path, energy=True), {"energy.year": 2023, "energy.area": "一千"}, raw=True)
    with pytest.raises(SheetError) as exc:
        read_energy(path)
    lines = str(exc.value).split("\n")
    assert lines[0] == (
        f"{path}: {answer_cell(path, 'energy.area')} (energy.area): "
        'expected a number more than 0 in digits (1234.5), got a string ("一千")'
    )
    # A table left out is located at its first row.
    [use] = [line for line in lines if "(energy.use)" in line]
    assert use == (
        f"{path}: {answer_cell(path, 'energy.use.electricity.kwh')} (energy.use): "
        "missing: the year's energy by carrier (electricity = { kwh = … } …)"
    )


def test_a_workbook_without_energy_rows(district: Rubric, tmp_path: Path) -> None:
    path = made(district, tmp_path)
    with pytest.raises(SheetError) as exc:
        read_energy(path)
    assert str(exc.value) == (
        f"{path}: no energy rows (地址 energy.area, energy.use.electricity.kwh …); make a template with "
        "them: conserv-rubric template RUBRIC --format xlsx --energy -o FILE"
    )


# --- the traps -----------------------------------------------------------------------------------


def _read_and_score(path: Path, rubric: Rubric | None) -> None:
    for sheet in load_sheets(path):
        assert rubric is not None, "the sheet read; a rubric is needed to score it"
        score(rubric, sheet)


def _error(path: Path, rubric: Rubric | None = None) -> str:
    """The whole message of reading the workbook at *path* and scoring it against *rubric*."""
    with pytest.raises(SheetError) as exc:
        _read_and_score(path, rubric)
    return str(exc.value)


def test_a_bad_answer_is_located_by_its_cell(district: Rubric, tmp_path: Path) -> None:
    path = fill(made(district, tmp_path), {"2.1.1": "也许", "5.1.3": -1})
    assert _error(path, district) == (
        f'{path}: {answer_cell(path, "2.1.1")} (answers."2.1.1"): '
        'expected true or false, got a string ("也许")\n'
        f'{path}: {answer_cell(path, "5.1.3")} (answers."5.1.3"): expected a count ≥ 0, got -1'
    )


def test_the_cell_is_kept_on_the_problem(district: Rubric, tmp_path: Path) -> None:
    path = fill(made(district, tmp_path), {"2.1.1": "也许"})
    with pytest.raises(SheetError) as exc:
        score(district, load_sheet(path))
    [problem] = exc.value.problems
    assert (problem.file, problem.cell, problem.path) == (
        str(path),
        answer_cell(path, "2.1.1"),
        'answers."2.1.1"',
    )
    assert str(Problem(message="m", file="f.xlsx", cell="表!G7")) == "f.xlsx: 表!G7: m"


def test_a_formula_answer_is_refused_by_its_cell(training: Rubric, tmp_path: Path) -> None:
    path = fill(made(training, tmp_path), {"1.2": "=2+2", "1.3": "=SUM(E1:E3)"}, raw=True)
    assert _error(path) == (
        f'{path}: {answer_cell(path, "1.2")} (answers."1.2"): holds a formula (=2+2); '
        "type the value itself (formulas are not recalculated)\n"
        f'{path}: {answer_cell(path, "1.3")} (answers."1.3"): holds a formula (=SUM(E1:E3)); '
        "type the value itself (formulas are not recalculated)"
    )


def test_a_percentage_cell_reads_as_the_percentage_shown(training: Rubric, tmp_path: Path) -> None:
    path = fill(made(training, tmp_path), {"1.3": 0.75}, raw=True)
    wb = openpyxl.load_workbook(path)
    wb["自评打分表"][answer_cell(path, "1.3").split("!")[1]].number_format = "0%"
    wb.save(path)
    [sheet] = read_workbook(path)
    # 0.75 shown as 75%: (75 − 60) / 10 = 1 whole step × 5分 = 5; read as 0.75 it would be below 60.
    assert sheet.answers["1.3"] == 75
    assert score(training, sheet).items["1.3"].points == 5


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        (0.1 + 0.2, Decimal("0.3")),
        (85.00000000000001, 85),
        (4.000000000000001, 4),
        (0.85, Decimal("0.85")),
        (1234.5678, Decimal("1234.5678")),
        (1e-7, Decimal("1E-7")),
        (3, 3),
        (2.0, 2),
    ],
)
def test_a_double_reads_as_excel_shows_it(stored: float, read: int | Decimal) -> None:
    got = excel_number(stored)
    assert (got, type(got)) == (read, type(read))


def test_float_noise_never_reaches_a_score(training: Rubric, tmp_path: Path) -> None:
    # 4.000000000000001 (a pasted formula result) is 4 as Excel shows it: 不少于4次 → 2分.
    # 75.00000000000001 is 75: one step → 5分, not a count or a band edge nudged by noise.
    path = fill(made(training, tmp_path), {"1.2": 4.000000000000001, "1.3": 75.00000000000001}, raw=True)
    [sheet] = read_workbook(path)
    assert (sheet.answers["1.2"], sheet.answers["1.3"]) == (4, 75)
    assert score(training, sheet).total == 2 + 5


@pytest.mark.parametrize("yes", ["是", True, "TRUE", "true", " 是 "])
def test_yes_is_written_many_ways(training: Rubric, tmp_path: Path, yes: object) -> None:
    path = fill(made(training, tmp_path), {"1.4": yes}, raw=True)
    assert read_workbook(path)[0].answers["1.4"] is True


@pytest.mark.parametrize("no", ["否", False, "FALSE"])
def test_no_is_written_many_ways(training: Rubric, tmp_path: Path, no: object) -> None:
    path = fill(made(training, tmp_path), {"1.4": no}, raw=True)
    assert read_workbook(path)[0].answers["1.4"] is False


def test_names_are_separated_by_the_enumeration_comma(training: Rubric, tmp_path: Path) -> None:
    path = fill(made(training, tmp_path), {"1.1": ["节能", "节水"]})
    assert score(training, read_workbook(path)[0]).items["1.1"].points == 2
    path = fill(path, {"1.1": "节能、节电"}, raw=True)
    assert _error(path, training) == (
        f'{path}: {answer_cell(path, "1.1")} (answers."1.1"): '
        "'节电' is not one of the options: 节能、节水、垃圾分类"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sheet.xls", "an old .xls workbook cannot be read; save it as .xlsx"),
        ("sheet.et", "a WPS .et workbook cannot be read; save it as .xlsx"),
        ("SHEET.XLS", "an old .xls workbook cannot be read; save it as .xlsx"),
    ],
)
def test_old_workbooks_are_refused(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SheetError) as exc:
        load_sheets(path)
    assert str(exc.value) == f"{path}: {message}"


def test_a_workbook_for_another_rubric_is_refused(district: Rubric, tmp_path: Path) -> None:
    text = (ROOT / "rubrics" / "district.toml").read_text(encoding="utf-8")
    revised = loads_rubric(text.replace('version = "2024"', 'version = "2024修订"'))
    path = fill(made(revised, tmp_path), {"2.1.1": True})
    theirs, ours = rubric_hash(revised), rubric_hash(district)
    assert theirs != ours
    assert _error(path, district) == (
        f"{path}: 标准信息!B3 (sheet.rubric_hash): the sheet was made from another edition of "
        f"'XX区节约型机关评价标准' ({theirs[:19]}…, this rubric is {ours[:19]}…); "
        "fill in a template made from this rubric"
    )
    # It scores under its own edition, and a what-if under another edition scores it on purpose.
    [sheet] = load_sheets(path)
    assert score(revised, sheet).total == 1
    assert score(district, for_edition(sheet, district)).total == 1


def test_a_workbook_for_a_rubric_of_another_title_is_refused(
    district: Rubric, training: Rubric, tmp_path: Path
) -> None:
    path = made(training, tmp_path)
    assert _error(path, district) == (
        f"{path}: 标准信息!B1 (sheet.rubric): "
        "the sheet is for 'XX区教育培训考核', not for 'XX区节约型机关评价标准'"
    )


def test_an_unknown_address_is_located(training: Rubric, tmp_path: Path) -> None:
    path = fill(made(training, tmp_path), {"1.2": 5})
    wb = openpyxl.load_workbook(path)
    ws = wb["自评打分表"]
    coordinate = answer_cell(path, "1.2").split("!")[1].replace("G", "F")
    ws[coordinate] = "1.9"
    wb.save(path)
    assert _error(path, training) == (
        f'{path}: 自评打分表!{coordinate.replace("F", "G")} (answers."1.9"): '
        "unknown address '1.9' (did you mean '1.4'?)"
    )


def test_rows_are_found_by_address_not_by_position(training: Rubric, tmp_path: Path) -> None:
    path = fill(made(training, tmp_path), {"1.1": 3, "1.2": 4})
    wb = openpyxl.load_workbook(path)
    ws = wb["自评打分表"]
    ws.protection.sheet = False
    ws.insert_rows(6, amount=3)  # rows added above the table's first row
    ws.move_range("F9:G10", rows=30)  # and the first two moved far below
    wb.save(path)
    [sheet] = read_workbook(path)
    assert sheet.answers == {"1.1": 3, "1.2": 4}


def test_a_year_in_a_date_formatted_cell_says_so(training: Rubric, tmp_path: Path) -> None:
    # 2024 typed into a cell formatted as a date shows as 1905/7/16, and is stored as that date.
    path = fill(made(training, tmp_path), {"1.1": 3}, details={"年度": 2024})
    wb = openpyxl.load_workbook(path)
    ws = wb["自评打分表"]
    where = _detail(ws, "年度")
    ws[where].number_format = "yyyy/m/d"
    wb.save(path)
    assert _error(path) == (
        f"{path}: 自评打分表!{where} (sheet.year): holds a date (1905-07-16), not a year; "
        "set the cell's format to 常规 (General) and type the year again"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            datetime.datetime(2024, 3, 1),
            "holds a date (2024-03-01), not an answer; "
            "set the cell's format to 常规 (General) and type it again",
        ),
        ("#DIV/0!", "holds an error value (#DIV/0!); type the value itself"),
    ],
)  # fmt: skip
def test_a_date_or_an_error_value_is_no_answer(
    training: Rubric, tmp_path: Path, value: object, message: str
) -> None:
    path = fill(made(training, tmp_path), {"1.2": value}, raw=True)
    if value == "#DIV/0!":
        wb = openpyxl.load_workbook(path)
        wb["自评打分表"][answer_cell(path, "1.2").split("!")[1]].data_type = "e"
        wb.save(path)
    assert _error(path) == f'{path}: {answer_cell(path, "1.2")} (answers."1.2"): {message}'


def test_a_numeric_address_and_a_repeated_one(training: Rubric, tmp_path: Path) -> None:
    path = fill(made(training, tmp_path), {"1.1": 1, "1.2": 4})
    wb = openpyxl.load_workbook(path)
    ws = wb["自评打分表"]
    one, two, three = (answer_cell(path, a).split("!")[1].replace("G", "F") for a in ("1.1", "1.2", "1.3"))
    ws[one] = 1.1
    ws[two] = "1.3"
    wb.save(path)
    assert _error(path) == (
        f"{path}: 自评打分表!{one}: the address is a number (1.1); an address is text such as 2.2.1 "
        "(as a number, 2.10 would be 2.1): set the column's format to 文本 (Text) and type it again\n"
        f"{path}: 自评打分表!{three}: the address 1.3 appears twice (自评打分表!{two} and 自评打分表!{three})"
    )


def test_an_answer_without_an_address(training: Rubric, tmp_path: Path) -> None:
    path = fill(made(training, tmp_path), {"1.2": 4})
    wb = openpyxl.load_workbook(path)
    ws = wb["自评打分表"]
    address = answer_cell(path, "1.2").split("!")[1].replace("G", "F")
    ws[address] = None
    wb.save(path)
    assert _error(path) == (
        f"{path}: 自评打分表!{address.replace('F', 'G')}: "
        f"the 答案 cell has no address in the 地址 column ({address})"
    )


def test_a_code_typed_as_a_number_is_refused(training: Rubric, tmp_path: Path) -> None:
    path = made(training, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评打分表"]
    # Typed into a cell of the General format, Excel keeps 15 digits, as openpyxl does here.
    ws[_detail(ws, "统一社会信用代码")] = 111100001234567890
    ws[_detail(ws, "日期")] = datetime.datetime(2024, 10, 28)
    wb.save(path)
    assert _error(path) == (
        f"{path}: 自评打分表!G2 (sheet.code): the code is a number (111100001234568000), "
        "and Excel keeps only "
        "15 digits of a number; set the cell's format to 文本 (Text) and type the code again"
    )
    ws[_detail(ws, "统一社会信用代码")] = "11110000123456789X"
    ws[_detail(ws, "阶段")] = "核定"
    wb.save(path)
    [sheet] = read_workbook(path)
    assert (sheet.info.code, sheet.info.date, sheet.info.stage) == (
        "11110000123456789X",
        datetime.date(2024, 10, 28),
        "verified",
    )


def test_a_bad_detail_is_located(training: Rubric, tmp_path: Path) -> None:
    path = made(training, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评打分表"]
    ws[_detail(ws, "阶段")] = "复核"
    ws[_detail(ws, "年度")] = "二〇二四"
    wb.save(path)
    with pytest.raises(SheetError) as exc:
        score(training, load_sheet(path))
    assert str(exc.value) == (
        f'{path}: 自评打分表!C3 (sheet.year): expected a whole number, got a string ("二〇二四")'
    )
    ws[_detail(ws, "年度")] = 2024
    wb.save(path)
    with pytest.raises(SheetError) as exc:
        score(training, load_sheet(path))
    assert str(exc.value) == (
        f'{path}: 自评打分表!G3 (sheet.stage): expected one of "self", "verified", got a string ("复核")'
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip", NOT_XLSX),
        (b"", "the file is empty (0 bytes); expected an .xlsx workbook: ask for the file again"),
        # A password-protected workbook is an OLE compound file holding the stream EncryptedPackage
        # (its directory names streams in UTF-16): the password has to come off, not the format.
        (
            OLE + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(200),
            "the workbook is protected by a password (encrypted), so it cannot be read; open it in "
            "Excel or WPS, remove the password (文件 → 信息 → 保护工作簿 → 用密码进行加密, clear it) "
            "and save it as .xlsx",
        ),
        # Without that stream, an OLE file is an Excel 97–2003 workbook (or a Word 97 file) renamed.
        (
            OLE + bytes(504) + "Workbook".encode("utf-16-le") + bytes(200),
            "an Excel 97–2003 (.xls) workbook or another old Office file, named .xlsx; open it in "
            "Excel or WPS and save it as .xlsx",
        ),
    ],
)  # fmt: skip
def test_a_file_that_is_no_workbook(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(content)
    assert _error(path) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("parts", "what"),
    [
        ({"hello.txt": "你好"}, "no workbook in it"),
        ({"word/document.xml": "<w:document/>", "[Content_Types].xml": "<Types/>"}, "no workbook in it"),
        ({"xl/workbook.xml": "<workbook", "[Content_Types].xml": "<Types/>"}, "damaged"),
    ],
)
def test_a_zip_that_is_no_workbook(tmp_path: Path, parts: dict[str, str], what: str) -> None:
    path = tmp_path / "sheet.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    assert _error(path) == f"{path}: {NOT_XLSX} (a zip archive, {what})"


def test_a_workbook_without_a_table(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "单位名称"  # type: ignore[index]
    wb.save(path)
    assert _error(path) == (
        f"{path}: no worksheet holds a 自评打分表: expected a header row with 地址 and 答案 "
        "(conserv-rubric template RUBRIC --format xlsx -o FILE makes one)"
    )


def test_a_workbook_made_by_hand_is_read_without_a_rubric_check(training: Rubric, tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["单位名称", "XX区档案馆"])
    ws.append(["地址", "答案", "佐证材料"])
    ws.append(["1.2", 5, "《宣传活动记录》\n《简报》"])
    ws.append(["1.4", "是"])
    wb.save(path)
    [sheet] = read_workbook(path)
    assert (sheet.agency, sheet.info.rubric_hash, sheet.answers) == (
        "XX区档案馆",
        None,
        {"1.2": 5, "1.4": True},
    )
    assert sheet.evidence == {"1.2": ("《宣传活动记录》", "《简报》")}
    assert score(training, sheet).total == 3


def test_a_stale_declared_size_is_not_trusted(training: Rubric, tmp_path: Path) -> None:
    made_by_hand = tmp_path / "hand.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in (["地址", "答案"], ["1.2", 5], ["1.4", "是"]):
        ws.append(row)
    wb.save(made_by_hand)
    # Another tool's file declares a smaller sheet than it holds: A1:B2, where B3 is answered too.
    path = tmp_path / "sheet.xlsx"
    with zipfile.ZipFile(made_by_hand) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:B3" />', b'<dimension ref="A1:B2" />')
                assert b'ref="A1:B2"' in data
            target.writestr(item, data)
    assert read_workbook(path)[0].answers == {"1.2": 5, "1.4": True}


def test_evidence_and_notes_are_read_and_checked(training: Rubric, tmp_path: Path) -> None:
    path = fill(made(training, tmp_path), {"1.4": True}, evidence={"1.4": ("《标识照片》", "《巡查记录》")})
    path = fill(path, {}, notes={"1.4": " 每层均已张贴 "})
    [sheet] = read_workbook(path)
    assert (sheet.evidence, sheet.notes) == (
        {"1.4": ("《标识照片》", "《巡查记录》")},
        {"1.4": "每层均已张贴"},
    )
    assert score(training, sheet).without_evidence == ()
    wb = openpyxl.load_workbook(path)
    ws = wb["自评打分表"]
    evidence = answer_cell(path, "1.4").split("!")[1].replace("G", "H")
    ws[evidence] = 3
    ws[_detail(ws, "日期")] = "=TODAY()"
    wb.save(path)
    assert _error(path) == (
        f"{path}: 自评打分表!G4 (sheet.date): holds a formula (=TODAY()); "
        "type the value itself (formulas are not recalculated)\n"
        f'{path}: 自评打分表!{evidence} (evidence."1.4"): expected text, got a number (3)'
    )


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_a_workbook_that_cannot_be_read(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "sheet.xlsx"
    if kind == "folder":
        path.mkdir()
    message = {
        "missing": "cannot read file: No such file or directory",
        "folder": "not a regular file; expected an .xlsx workbook",
    }[kind]
    assert _error(path) == f"{path}: {message}"


def test_a_tampered_hash_is_refused(training: Rubric, tmp_path: Path) -> None:
    path = made(training, tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["标准信息"]["B3"] = "abc"
    wb.save(path)
    assert _error(path) == (
        f"{path}: 标准信息!B3 (sheet.rubric_hash): "
        'expected the rubric\'s hash (sha256: and 64 hex digits), got a string ("abc"); '
        "the hidden worksheet 标准信息 names the rubric the workbook was made from"
    )


# --- the command line and the roll-up ------------------------------------------------------------


def test_the_template_command_writes_a_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "打分表.xlsx"
    assert main(["template", "district", "--format", "xlsx", "-o", str(path)]) == 0
    assert read_workbook(path)[0].info.rubric == "XX区节约型机关评价标准"
    assert main(["template", "district", "--format", "xlsx"]) == 2
    assert main(["template", "district", "--energy"]) == 2
    assert capsys.readouterr().err == (
        "template: a workbook is written to a file: --format xlsx -o FILE\n"
        "template: a workbook is written to a file: --format xlsx -o FILE\n"
    )


def test_score_gap_and_diff_read_workbooks(
    district: Rubric, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = load_sheet(ROOT / "examples" / "district" / "pass.toml")
    mine = fill(made(district, tmp_path, "self.xlsx"), toml.answers, details={"单位名称": toml.agency})
    theirs = fill(
        mine, {**toml.answers, "2.1.1": False}, details={"阶段": "核定"}, out=tmp_path / "verified.xlsx"
    )
    assert main(["score", "district", str(mine), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 92
    assert main(["gap", "district", str(mine)]) == 0
    capsys.readouterr()
    # The verifier found 2.1.1 not met: 92 − 1 = 91, and the sheets differ (exit 1).
    assert main(["diff", "district", str(mine), str(theirs), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["verified_total"] == 91


def test_the_roll_up_reads_a_folder_of_workbooks(district: Rubric, tmp_path: Path) -> None:
    folder = tmp_path / "收件"
    folder.mkdir()
    blank = made(district, tmp_path)
    toml = load_sheet(ROOT / "examples" / "district" / "pass.toml")
    fill(blank, toml.answers, details={"单位名称": "XX区财政局"}, out=folder / "财政局.xlsx")
    broken = fill(blank, {"2.1.1": "也许"}, details={"单位名称": "XX区审计局"}, out=folder / "审计局.xlsx")
    (folder / "~$财政局.xlsx").write_bytes(b"\x00")
    r = rollup(district, [folder], year=2024)
    assert [(a.agency, a.total) for a in r.agencies] == [("XX区财政局", Decimal(92))]
    [error] = r.to_dict()["errors"]
    assert error == {
        "file": str(broken),
        "line": None,
        "column": None,
        "cell": answer_cell(broken, "2.1.1"),
        "message": 'answers."2.1.1": expected true or false, got a string ("也许")',
    }


def test_two_worksheets_of_one_agency_are_named_by_worksheet(district: Rubric, tmp_path: Path) -> None:
    # A worksheet copied for the next agency and not renamed inside: one file, two sheets of 财政局.
    path = fill(made(district, tmp_path), {"2.1.1": True}, details={"单位名称": "XX区财政局"})
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb["自评打分表"]).title = "审计局"
    wb.save(path)
    r = rollup(district, [path], year=2024)
    assert [(e.file, e.line, e.cell, e.message) for e in r.errors] == [
        (
            str(path),
            None,
            "审计局!C2",
            f'"XX区财政局" has two sheets at stage "self": {path} (自评打分表!C2) and {path} (审计局!C2);'
            " none of them is counted",
        )
    ]


# --- without openpyxl ------------------------------------------------------------------------------


def test_the_core_imports_without_openpyxl() -> None:
    code = (
        "import sys; sys.modules['openpyxl'] = None\n"
        "import conserv_rubric, conserv_rubric.workbook, conserv_rubric.cli\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout, run.stderr) == (0, "ok\n", "")


def test_without_openpyxl_a_workbook_names_the_extra(
    district: Rubric, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    extra = ".xlsx workbooks need the xlsx extra (openpyxl): pip install 'conserv-rubric[xlsx]'"
    path = tmp_path / "sheet.xlsx"
    with pytest.raises(RubricError) as exc:
        write_template(district, path)
    assert str(exc.value) == f"{path}: {extra}"
    path.write_bytes(b"PK")
    with pytest.raises(SheetError) as exc:
        load_sheets(path)
    assert str(exc.value) == f"{path}: {extra}"


# --- the authoring mechanisms (#12) ------------------------------------------------------------

AUTHORED = (Path(__file__).parent / "data" / "authored-mechanisms.toml").read_text(encoding="utf-8")


def _validations(path: Path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)["自评打分表"]
    rows = {ws.cell(row=r, column=6).value: r for r in range(6, ws.max_row + 1)}
    found: dict[str, object] = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            found[cell_range.coord] = dv
    return {a: found.get(f"G{r}") for a, r in rows.items() if isinstance(a, str)}


def test_tiers_ranges_and_verifier_items_reach_the_workbook(tmp_path: Path) -> None:
    rubric = loads_rubric(AUTHORED)
    path = made(rubric, tmp_path)
    dv = _validations(path)
    tier, ranged = dv["1.1"], dv["1.3"]
    assert (tier.type, tier.prompt) == (  # type: ignore[attr-defined]
        None,
        "填写一个等级：符合（4分）、基本符合（1~3分，如“基本符合 3”）、不符合（0分）。",
    )
    assert (ranged.type, ranged.formula1, ranged.formula2, ranged.prompt) == (  # type: ignore[attr-defined]
        "decimal",
        "0",
        "100",
        "填写 0~100 之间的数值（单位：%），如“85”或“85%”。",
    )
    ws = openpyxl.load_workbook(path)["自评打分表"]
    texts = [ws.cell(row=r, column=4).value for r in range(6, ws.max_row + 1)]
    assert "2.由省教育厅依据参加情况评分（由核查方评分，自评不计分）" in texts
    lines = [ws.cell(row=r, column=1).value for r in range(6, ws.max_row + 1)]
    assert "条目说明：1.1：按核查意见评定" in lines
    # Filled in as a Chinese input method types it, the workbook scores as the answers do.
    fill(path, {"1.1": "基本符合　２", "1.2": True, "1.3": 50}, details={"单位名称": "甲局"}, raw=True)
    (sheet,) = read_workbook(path)
    card = score(rubric, sheet)
    direct = score(rubric, Sheet(info=sheet.info, answers={"1.1": "基本符合 2", "1.2": True, "1.3": 50}))
    assert card.to_dict()["items"] == direct.to_dict()["items"]
    assert (card.total, card.items["1.1"].reason) == (Decimal("2"), "基本符合（1~3分）：评定2分")
    assert card.items["1.2"].reason == "仅由核查方评分，自评不计分；所填答案不计"


def test_fixed_tiers_are_a_list_to_pick_from(tmp_path: Path) -> None:
    rubric = loads_rubric(
        'title = "T"\ntotal = 4\n[[units]]\ntitle = "单元"\npoints = 4\n[[units.items]]\nkind = "tiers"\n'
        'text = "符合程度"\ntiers = [{ name = "符合", points = 4 }, { name = "基本符合", points = 2 },'
        ' { name = "不符合", points = 0 }]\n'
    )
    tier = _validations(made(rubric, tmp_path))["1.1"]
    assert (tier.type, tier.formula1) == ("list", '"符合,基本符合,不符合"')  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("clause", "label", "answers", "points"),
    [
        (
            'na_if = "无中央空调系统的"',
            "无中央空调系统的（不适用则填“是”，本项不评分）",
            {"1.1.na": True},
            "10",
        ),
        (
            'zero_if = "发生浪费事件"',
            "发生浪费事件（符合则本项不得分，填“是”）",
            {"1.1": True, "1.1.zero": True},
            "0",
        ),
    ],
)
def test_an_item_with_a_clause_keeps_its_answer_on_its_own_row(
    tmp_path: Path, clause: str, label: str, answers: dict[str, object], points: str
) -> None:
    # The item is answered at its own address; its clause follows on a row of its own, and the
    # workbook reads back (it once wrote the item's address twice).
    rubric = loads_rubric(
        'title = "T"\ntotal = 10\nna = "full"\n[[units]]\ntitle = "单元"\npoints = 10\n'
        f'[[units.items]]\nkind = "flag"\ntext = "中央空调冷却水循环利用"\npoints = 10\n{clause}\n'
    )
    path = made(rubric, tmp_path)
    ws = openpyxl.load_workbook(path)["自评打分表"]
    table = [(ws.cell(row=r, column=4).value, ws.cell(row=r, column=6).value) for r in range(6, 8)]
    suffix = ".na" if "na_if" in clause else ".zero"
    assert table == [("1.中央空调冷却水循环利用", "1.1"), (label, "1.1" + suffix)]
    assert set(_validations(path)) >= {"1.1", "1.1" + suffix}
    (blank,) = read_workbook(path)
    assert blank.answers == {}
    fill(path, answers, details={"单位名称": "甲局"})
    (sheet,) = read_workbook(path)
    assert sheet.answers == answers
    assert score(rubric, sheet).total == Decimal(points)
