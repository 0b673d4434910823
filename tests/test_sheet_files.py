"""Reading sheet files as offices save them: encodings, workbooks, CSV and JSON pitfalls (#9).

Also the arguments of `score()`, and a sheet that marks an item not applicable and answers it.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import (
    Rubric,
    RubricError,
    Sheet,
    SheetError,
    check_sheet,
    cli,
    load_rubric,
    load_sheet,
    load_sheets,
    loads_rubric,
    loads_sheet,
    score,
)
from conserv_rubric.energy import load_energy
from conserv_rubric.reports import render_cards

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def district() -> Rubric:
    return load_rubric(ROOT / "rubrics" / "district.toml")


# 2.2.2 counts 节约能源资源管理制度 (1 each, at most 5); 5.2.2 counts trainings (2 each, at most 4).
CSV = "agency,year,2.2.2,5.2.2\nXX区发展和改革局,2024,能源资源消费统计;节能;节水,２\n"


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_csv_saved_as_gbk_is_read_as_gb18030_and_says_so(
    district: Rubric, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "sheets.csv"
    path.write_bytes(CSV.encode(encoding))
    (sheet,) = load_sheets(path)
    assert sheet.encoding == "gb18030"
    assert sheet.agency == "XX区发展和改革局"
    card = score(district, sheet)
    # 3 names × 1 = 3; "２" trainings × 2 = 4.
    assert card.items["2.2.2"].reason == "3项（能源资源消费统计、节能、节水） × 1分 = 3分（最高5分）"
    assert card.items["5.2.2"].points == Decimal(4)
    assert card.to_dict()["encoding"] == "gb18030"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_a_utf8_csv_says_utf8(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "sheets.csv"
    path.write_bytes(CSV.encode(encoding))
    (sheet,) = load_sheets(path)
    assert (sheet.encoding, sheet.agency) == ("utf-8", "XX区发展和改革局")


def test_the_encoding_reaches_the_json_report(district: Rubric, tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    path.write_bytes(CSV.encode("gbk"))
    data = json.loads(render_cards([score(district, load_sheet(path))], "json"))
    assert data["encoding"] == "gb18030"
    assert score(district, {}).to_dict()["encoding"] is None
    assert loads_sheet('[sheet]\nagency = "a"\n').encoding is None


def test_gbk_is_read_only_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "sheet.toml"
    path.write_bytes('[sheet]\nagency = "XX区发展和改革局"\n'.encode("gbk"))
    with pytest.raises(SheetError) as excinfo:
        load_sheet(path)
    assert str(excinfo.value) == (
        f"{path}:2: not UTF-8 text (byte 20; it reads as GBK/GB18030); save the file as UTF-8"
    )


def test_utf8_with_a_stray_byte_is_not_taken_for_gbk(tmp_path: Path) -> None:
    # Chinese UTF-8 with one bad byte also decodes as GB18030, as nonsense: refuse it.
    path = tmp_path / "sheets.csv"
    data = "agency,2.1.1\nXX区发展和改革局,true\n".encode()
    path.write_bytes(data[:15] + b"\xff" + data[15:])
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:2: not UTF-8 text (byte 15); save the file as UTF-8"


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32"), ("utf-32-be", "UTF-32")],
)
@pytest.mark.parametrize("suffix", [".csv", ".toml", ".json"])
def test_utf16_and_utf32_are_named(tmp_path: Path, encoding: str, name: str, suffix: str) -> None:
    path = tmp_path / f"sheet{suffix}"
    path.write_bytes("\ufeff".encode(encoding) + CSV.encode(encoding))
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == (
        f"{path}:1: not UTF-8 text but {name} (by its byte-order mark); save the file as UTF-8"
    )


def test_utf16_without_a_byte_order_mark_is_named_too(tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    path.write_bytes("agency,2.1.1\na,true\n".encode("utf-16-le"))
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == (
        f"{path}:1: holds a NUL character: not text, or UTF-16 without a byte-order mark;"
        " save the file as UTF-8"
    )


def test_rubrics_name_gbk_too(tmp_path: Path) -> None:
    path = tmp_path / "rubric.toml"
    path.write_bytes('title = "t"\nissuer = "节能办"\n'.encode("gbk"))
    with pytest.raises(RubricError) as excinfo:
        load_rubric(path)
    assert str(excinfo.value) == (
        f"{path}:2: not UTF-8 text (byte 22; it reads as GBK/GB18030); save the file as UTF-8"
    )


# --- workbooks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "sheet.xlsx",
            "not an .xlsx workbook (Excel 2007 or later); open it in Excel or WPS and save it as .xlsx",
        ),
        (
            "sheet.XLSX",
            "not an .xlsx workbook (Excel 2007 or later); open it in Excel or WPS and save it as .xlsx",
        ),
        ("sheet.xlsm", "macro-enabled workbooks (.xlsm) are not read; save the workbook as .xlsx"),
        ("sheet.xls", "an old .xls workbook cannot be read; save it as .xlsx"),
        ("sheet.et", "a WPS .et workbook cannot be read; save it as .xlsx"),
    ],
)
def test_workbooks_are_refused_with_what_to_do(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    for load in (load_sheet, load_sheets):
        with pytest.raises(SheetError) as excinfo:
            load(path)
        assert str(excinfo.value) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (
            b"PK\x03\x04",
            "is a ZIP archive (a workbook?), not a TOML, JSON or CSV sheet; "
            "a workbook is read when its name ends in .xlsx",
        ),
        (
            bytes.fromhex("d0cf11e0a1b11ae1"),
            "is an Excel 97-2003 or WPS workbook, not a sheet; save it as .xlsx",
        ),
    ],
)
@pytest.mark.parametrize("suffix", [".csv", ".toml", ".json"])
def test_a_workbook_under_a_sheets_name_is_named(
    tmp_path: Path, head: bytes, message: str, suffix: str
) -> None:
    path = tmp_path / f"sheet{suffix}"
    path.write_bytes(head + bytes(100))
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}: {message}"


# --- CSV structure -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("agency,2.1.1\n", id="header"),
        pytest.param("agency,2.1.1\n\n,\n", id="header and blank rows"),
        pytest.param("\ufeffagency,2.1.1\r\n", id="header with a BOM, CRLF"),
    ],
)
def test_a_header_without_rows_is_an_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sheets.csv"
    path.write_text(text, encoding="utf-8")
    for load in (load_sheet, load_sheets):
        with pytest.raises(SheetError) as excinfo:
            load(path)
        assert str(excinfo.value) == f"{path}:1: the header has no rows below it; add a row per agency"


def test_csv_problems_count_lines_not_records(district: Rubric, tmp_path: Path) -> None:
    # The quoted agency of the first row holds no line break; the second record starts on line 3
    # and its cell spans lines 3 and 4; the fourth record starts on line 6, after a blank line.
    path = tmp_path / "sheets.csv"
    path.write_text(
        'agency,2.1.1\n"XX区财政局",true\n"XX区\n教育局",true\n\nXX区卫健委,1\n', encoding="utf-8"
    )
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == (
        f"{path}:3: sheet.agency: the cell holds a line break (the row runs from line 3 to line 4):"
        " close the quote that opens it, or keep the cell on one line"
    )
    path.write_text('agency,2.1.1\n"XX区财政局",true\n\n\nXX区卫健委,1\n', encoding="utf-8")
    sheets = load_sheets(path)
    assert [s.row for s in sheets] == [2, 5]
    with pytest.raises(SheetError) as excinfo:
        score(district, sheets[1])
    assert str(excinfo.value) == f'{path}:5: answers."2.1.1": expected true or false, got a string ("1")'


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_kind_of_line_end_counts_as_a_line(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "sheets.csv"
    path.write_bytes(newline.join(["agency,2.1.1", "a,true", "", "b,false", ""]).encode())
    assert [(s.agency, s.row) for s in load_sheets(path)] == [("a", 2), ("b", 4)]


def test_an_unclosed_quote_that_swallows_rows_is_an_error(tmp_path: Path) -> None:
    # Before, rows 3 to 5 vanished into the cell of row 2, and two of four agencies were scored.
    path = tmp_path / "sheets.csv"
    path.write_text('agency,2.1.1\na,"true\nb,true\nc,true\nd,true"\ne,true\n', encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == (
        f'{path}:2: answers."2.1.1": the cell holds a line break (the row runs from line 2 to line 5):'
        " close the quote that opens it, or keep the cell on one line"
    )
    path.write_text('agency,2.1.1\na,true\nb,"true\nc,true\n', encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:3: invalid CSV: a quote opened in this row is never closed"


def test_text_after_a_closing_quote_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    path.write_text('agency,2.1.1\na,true\n"b"c,true\n', encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:3: invalid CSV: ',' expected after '\"'"


def test_csv_reads_every_sheet_column(tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    path.write_text(
        "agency,year,stage,assessor,rubric,date,2.1.1\n"
        "XX区财政局,２０２４,verified,张三,XX区节约型机关评价标准,2024-10-31,true\n",
        encoding="utf-8",
    )
    (sheet,) = load_sheets(path)
    assert (sheet.info.year, sheet.stage, sheet.info.assessor, sheet.info.rubric, sheet.info.date) == (
        2024,
        "verified",
        "张三",
        "XX区节约型机关评价标准",
        datetime.date(2024, 10, 31),
    )
    assert sheet.answers == {"2.1.1": "true"}


def test_a_duplicated_column_is_found_among_many(tmp_path: Path) -> None:
    columns = [f"9.{i}" for i in range(50_000)]
    path = tmp_path / "sheets.csv"
    path.write_text(",".join(["agency", *columns, "9.49999"]) + "\n", encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:1: column '9.49999' appears twice"


@pytest.mark.parametrize("blank", [",", ",,,", ", ,\t"])
def test_columns_left_without_a_name_are_read_when_empty(tmp_path: Path, blank: str) -> None:
    # Excel and WPS save the columns to the right of the table that were once touched, as empty
    # cells under an empty header: the sheets are those of the file without them.
    path = tmp_path / "sheets.csv"
    cells = "," * blank.count(",")
    path.write_text(f"agency,2.1.1{blank}\na,true{cells}\nb,false{cells}\n", encoding="utf-8")
    assert [(s.agency, s.answers) for s in load_sheets(path)] == [
        ("a", {"2.1.1": "true"}),
        ("b", {"2.1.1": "false"}),
    ]


def test_a_value_under_a_column_without_a_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    path.write_text("agency,2.1.1,,\na,true,,\nb,false,,已整改\nc,true,见附件,\n", encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == (
        f'{path}:3: column 4 has no name in the header (line 1) but holds a string ("已整改");'
        " name the column or empty the cell\n"
        f'{path}:4: column 3 has no name in the header (line 1) but holds a string ("见附件");'
        " name the column or empty the cell"
    )


@pytest.mark.parametrize("fmt", ["text", "csv"])
def test_the_command_reads_columns_without_a_name_as_the_library_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # `score --format csv` reads rows on a path of its own (conserv_rubric._fast_rows).
    district = ROOT / "rubrics" / "district.toml"
    path = tmp_path / "sheets.csv"
    path.write_text("agency,2.1.1,,\na,true,,\n", encoding="utf-8")
    assert cli.main(["score", "--format", fmt, str(district), str(path)]) == 1  # 1 point of 100
    assert capsys.readouterr().err == ""
    path.write_text("agency,2.1.1,,\na,true,,\nb,true,是,\n", encoding="utf-8")
    assert cli.main(["score", "--format", fmt, str(district), str(path)]) == 2
    assert capsys.readouterr().err == (
        f'{path}:3: column 3 has no name in the header (line 1) but holds a string ("是");'
        " name the column or empty the cell\n"
    )


# --- JSON --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        pytest.param(
            '{"sheet": {"agency": "a"}, "answers": {"2.1.1": true, "2.1.1": false}}',
            ['answers: key "2.1.1" appears more than once; keep one'],
            id="an answer",
        ),
        pytest.param(
            '{"sheet": {"agency": "a"}, "answers": {"2.1.1": true}, "answers": {}}',
            ['top level: key "answers" appears more than once; keep one'],
            id="a second answers object",
        ),
        pytest.param(
            '{"sheet": {"agency": "a", "agency": "b"}, "evidence": {"1.1": ["x"]},'
            ' "answers": {"1.1": {"value": 1, "value": 2}, "2": [{"a": 1, "a": 2}]}}',
            [
                'sheet: key "agency" appears more than once; keep one',
                'answers."1.1": key "value" appears more than once; keep one',
                'answers.2[0]: key "a" appears more than once; keep one',
            ],
            id="at every depth",
        ),
    ],
)
def test_json_keys_given_twice_are_refused(tmp_path: Path, text: str, messages: list[str]) -> None:
    path = tmp_path / "sheet.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheet(path)
    assert str(excinfo.value) == "\n".join(f"{path}: {m}" for m in messages)
    with pytest.raises(SheetError) as excinfo:
        loads_sheet(text, format="json")
    assert str(excinfo.value) == "\n".join(messages)


# --- loads_sheet formats -----------------------------------------------------------------------


def test_loads_sheet_reads_csv_text(district: Rubric) -> None:
    sheet = loads_sheet(CSV, format="csv")
    assert (sheet.agency, sheet.info.year, sheet.row, sheet.file) == ("XX区发展和改革局", 2024, 2, None)
    # 3 + 4
    assert score(district, sheet).total == Decimal(7)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "agency,2.1.1\na,true\nb,true\n",
            "holds 2 sheets; loads_sheet() reads one: give it a header and one row",
        ),
        ("agency,2.1.1\n", "1: the header has no rows below it; add a row per agency"),
        ('[sheet]\nagency = "a"\n', "1: the header needs an 'agency' (单位) column"),
    ],
)
def test_loads_sheet_csv_holds_one_row(text: str, message: str) -> None:
    with pytest.raises(SheetError) as excinfo:
        loads_sheet(text, format="csv")
    assert str(excinfo.value) == message


@pytest.mark.parametrize("fmt", ["yaml", "TOML", "xlsx", ""])
def test_loads_sheet_refuses_an_unknown_format(fmt: str) -> None:
    with pytest.raises(SheetError) as excinfo:
        loads_sheet('[sheet]\nagency = "a"\n', format=fmt, file="s.txt")  # type: ignore[arg-type]  # the mistake tested
    assert str(excinfo.value) == f"s.txt: unknown sheet format {fmt!r}; expected one of 'toml', 'json', 'csv'"


# --- score()'s arguments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "got"),
    [
        ("x.toml", 'a string ("x.toml")'),
        (Path("x.toml"), "a path (x.toml)"),
    ],
)
def test_score_given_a_path_says_to_load_it(district: Rubric, sheet: object, got: str) -> None:
    for call, name in ((score, "score"), (check_sheet, "check_sheet")):
        with pytest.raises(SheetError) as excinfo:
            call(district, sheet)  # type: ignore[arg-type]  # the mistake tested
        assert str(excinfo.value) == (
            f"{name}() takes a Sheet or a mapping from address to answer, not {got};"
            f" read the file first: {name}(rubric, load_sheet(path))"
        )


@pytest.mark.parametrize(
    ("sheet", "got"),
    [
        ([("2.1.1", True)], "an array"),
        (b"x", "an object of type bytes"),
        (None, "null"),
        (3, "a number (3)"),
    ],
)
def test_score_given_something_else_names_it(district: Rubric, sheet: object, got: str) -> None:
    # In the words the check of the rubric, beside it, uses (`score(None, {})`: "not null").
    for call, name in ((score, "score"), (check_sheet, "check_sheet")):
        with pytest.raises(SheetError) as excinfo:
            call(district, sheet)  # type: ignore[arg-type]  # the mistake tested
        assert str(excinfo.value) == f"{name}() takes a Sheet or a mapping from address to answer, not {got}"


def test_score_given_a_rubric_path_says_to_load_it() -> None:
    with pytest.raises(RubricError) as excinfo:
        score(ROOT / "rubrics" / "district.toml", {})  # type: ignore[arg-type]  # the mistake tested
    assert str(excinfo.value) == (
        f"score() takes a Rubric as its first argument, not a path ({ROOT / 'rubrics' / 'district.toml'});"
        " load it first: score(load_rubric(path), sheet)"
    )


def test_a_sheet_object_and_a_mapping_still_score(district: Rubric) -> None:
    sheet = loads_sheet('[sheet]\nagency = "a"\n[answers]\n"2.1.1" = true\n')
    assert isinstance(sheet, Sheet)
    assert score(district, sheet).total == score(district, {"2.1.1": True}).total == Decimal(1)


# --- not applicable, and answered --------------------------------------------------------------

NA_RUBRIC = """\
title = "t"
total = 5
na = "exclude"
[[units]]
title = "u"
[[units.items]]
kind = "flag"
points = 1
na_if = "无食堂"
[[units.items]]
kind = "parts"
na_if = "无公务用车"
zero_if = "发生安全事故"
parts = [{ kind = "flag", points = 1 }, { kind = "flag", points = 1 }]
[[units.items]]
kind = "each"
per = 1
max = 2
"""


@pytest.mark.parametrize("fmt", ["toml", "csv"])
def test_an_item_marked_not_applicable_and_answered_is_refused(tmp_path: Path, fmt: str) -> None:
    rubric = loads_rubric(NA_RUBRIC)
    answers = {
        "1.1.na": "true",
        "1.1": "false",
        "1.2.na": "true",
        "1.2.a": "true",
        "1.2.zero": "false",
        "1.3": "2",
    }
    if fmt == "toml":
        path = tmp_path / "sheet.toml"
        lines = "".join(f'"{a}" = {v}\n' for a, v in answers.items())
        path.write_text(f'[sheet]\nagency = "a"\n[answers]\n{lines}', encoding="utf-8")
        where = str(path)
    else:
        path = tmp_path / "sheet.csv"
        path.write_text(f"agency,{','.join(answers)}\na,{','.join(answers.values())}\n", encoding="utf-8")
        where = f"{path}:2"
    with pytest.raises(SheetError) as excinfo:
        score(rubric, load_sheet(path))
    assert str(excinfo.value) == "\n".join(
        [
            f"{where}: answers.\"1.1\": '1.1.na' = true marks 1.1 not applicable, and '1.1' answers it too;"
            " remove the answer or the mark",
            f"{where}: answers.\"1.2.a\": '1.2.na' = true marks 1.2 not applicable, and '1.2.a' answers it"
            " too; remove the answer or the mark",
            f"{where}: answers.\"1.2.zero\": '1.2.na' = true marks 1.2 not applicable, and '1.2.zero' answers"
            " it too; remove the answer or the mark",
        ]
    )


def test_an_item_marked_applicable_may_be_answered() -> None:
    rubric = loads_rubric(NA_RUBRIC)
    # 1.1 false: 0; 1.2 a 1 + b 0 = 1; 1.3 2 × 1 = 2.
    card = score(rubric, {"1.1.na": False, "1.1": False, "1.2.na": False, "1.2.a": True, "1.3": 2})
    assert card.total == Decimal(3)
    # Not applicable and unanswered: excluded (max 5 − 1 − 2 = 2), and 1.3 scores 2.
    card = score(rubric, {"1.1.na": True, "1.2.na": True, "1.3": 2})
    assert [r.applicable for r in card.items.values()] == [False, False, True]
    assert card.total == Decimal(2)


# --- evidence ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cited", "where"),
    [('["《节能管理制度》", " "]', '."2.1.1"[1]'), ('""', '."2.1.1"'), ('["\u3000"]', '."2.1.1"[0]')],
)
def test_a_blank_document_name_is_refused(tmp_path: Path, cited: str, where: str) -> None:
    path = tmp_path / "sheet.toml"
    path.write_text(f'[sheet]\nagency = "a"\n[evidence]\n"2.1.1" = {cited}\n', encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheet(path)
    assert str(excinfo.value) == f"{path}: evidence{where}: expected a document name, got a blank string"


# --- the energy reader reads sheet files the same way --------------------------------------------

ENERGY_CSV = (
    "agency,year,energy.year,energy.area,energy.energy_users,energy.water,energy.use.electricity.kwh,"
    "energy.vehicles.electricity.kwh\n"
    "XX区发展和改革局,2024,2023,8000,120,3000,240000,0\n"
)


def test_the_energy_reader_reads_a_gbk_csv(tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    path.write_bytes(ENERGY_CSV.encode("gbk"))
    (data,) = load_energy(path)
    assert (data.agency, data.line, data.area) == ("XX区发展和改革局", 2, Decimal(8000))


def test_the_energy_reader_counts_lines_and_refuses_an_open_quote(tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    header, row = ENERGY_CSV.splitlines()
    path.write_text(f"{header}\r{row}\r\r{row}\r", encoding="utf-8")
    assert [d.line for d in load_energy(path)] == [2, 4]
    path.write_text(f'{header}\n{row}\n"XX区财政局,2024,2023,8000,120,3000,240000,0\n', encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_energy(path)
    assert str(excinfo.value) == f"{path}:3: invalid CSV: a quote opened in this row is never closed"


def test_the_energy_reader_refuses_a_json_key_given_twice(tmp_path: Path) -> None:
    path = tmp_path / "sheet.json"
    path.write_text(
        '{"sheet": {"agency": "a", "year": 2024}, "energy": {"area": 1, "area": 2}}', encoding="utf-8"
    )
    with pytest.raises(SheetError) as excinfo:
        load_energy(path)
    assert str(excinfo.value) == f'{path}: energy: key "area" appears more than once; keep one'


# --- empty files ---------------------------------------------------------------------------------

_EMPTY_TOML = 'the sheet is empty; expected a [sheet] table with at least agency = "…", and [answers]'
_EMPTY_JSON = 'the sheet is empty; expected a JSON object with "sheet" (at least "agency") and "answers"'
_EMPTY_CSV = "the CSV file is empty; expected a header row"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("sheet.toml", b"", _EMPTY_TOML),
        ("sheet.toml", b"\r\n\r\n  \n", _EMPTY_TOML),
        ("sheet.json", b"", _EMPTY_JSON),
        ("sheet.json", b"\xef\xbb\xbf\n", _EMPTY_JSON),
        ("sheet.csv", b"", _EMPTY_CSV),
        # What Excel and WPS save for an empty worksheet as "CSV UTF-8": the byte-order mark alone.
        ("sheet.csv", b"\xef\xbb\xbf", _EMPTY_CSV),
        ("sheet.csv", b"\r\n\r\n", _EMPTY_CSV),
        # Cells that were formatted but left empty.
        ("sheet.csv", b",,,\r\n,,\r\n", _EMPTY_CSV),
    ],
)
def test_an_empty_sheet_file_is_named_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}: {message}"
    # The CSV report reads a CSV file a row at a time, through another reader: the same words.
    assert cli.main(["score", str(ROOT / "rubrics" / "district.toml"), str(path), "--format", "csv"]) == 2
    assert capsys.readouterr().err == f"{path}: {message}\n"


def test_blank_lines_above_a_header_are_not_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("\n\nagency,2.1.1\nXX区财政局,true\n", encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == (
        f"{path}:1: the header needs an 'agency' (单位) column; line 3 has one: delete the rows above it"
    )
    # Past the rows the hint searches, blank lines are not known to go on to the end: no claim of empty.
    path.write_text("\n" * 25 + "agency,2.1.1\nXX区财政局,true\n", encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:1: the header needs an 'agency' (单位) column"


# --- codes Excel shortened ------------------------------------------------------------------------

_SHORTENED = (
    'the code "9.11E+17" is a number as Excel shows it in scientific notation, its last digits lost; '
    "set the column's format to 文本 (Text), type the code again and save the file"
)


@pytest.mark.parametrize("code", ["9.11e+17", "９.１１E+17", "９．１１Ｅ＋１７"])
def test_a_shortened_code_in_lower_case_or_full_width_is_refused_too(tmp_path: Path, code: str) -> None:
    # pandas writes 9.11e+17; an input method types the digits full-width.
    path = tmp_path / "sheet.csv"
    path.write_text(f"agency,code,year,2.1.1\nXX区财政局,{code},2024,true\n", encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:2: sheet.code: {_SHORTENED.replace('9.11E+17', code)}"


def test_a_credit_code_excel_wrote_in_scientific_notation_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # An 18-digit 统一社会信用代码 typed into a General cell is a number to Excel: it keeps 15 digits
    # and shows, and saves as CSV, 9.11E+17. Read as the code, it matched no roster row.
    path = tmp_path / "sheet.csv"
    path.write_text("agency,code,year,2.1.1\nXX区财政局,9.11E+17,2024,true\n", encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:2: sheet.code: {_SHORTENED}"
    assert cli.main(["score", str(ROOT / "rubrics" / "district.toml"), str(path), "--format", "csv"]) == 2
    assert capsys.readouterr().err == f"{path}:2: sheet.code: {_SHORTENED}\n"
    # Inside DuckDB, the row is sent to the Python reader, which refuses it in the same words.
    pytest.importorskip("duckdb")
    args = [
        "score",
        str(ROOT / "rubrics" / "district.toml"),
        str(path),
        "--format",
        "csv",
        "--engine",
        "duckdb",
    ]
    assert cli.main(args) == 2
    assert capsys.readouterr().err == f"{path}:2: sheet.code: {_SHORTENED}\n"


@pytest.mark.parametrize("code", ["91110000123456789X", "XQ012", "E+17", "9.11E17", "12345"])
def test_other_codes_are_read_as_typed(tmp_path: Path, code: str) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(f"agency,code,year,2.1.1\nXX区财政局,{code},2024,true\n", encoding="utf-8")
    assert [s.info.code for s in load_sheets(path)] == [code]


# --- stages by their labels ------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_csv_stage_may_be_written_as_the_template_labels_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, engine: str
) -> None:
    # The workbook's 阶段 list offers 自评 and 核查, and a CSV with Chinese headers (单位, 阶段 …)
    # is read; its 阶段 cells, typed as the workbook shows them, were refused.
    if engine == "duckdb":
        pytest.importorskip("duckdb")
    path = tmp_path / "sheet.csv"
    path.write_text(
        "单位,年度,阶段,2.1.1\nXX区财政局,2024,自评,true\nXX区审计局,2024,核查 ,true\n", encoding="utf-8"
    )
    assert [(s.agency, s.stage) for s in load_sheets(path)] == [
        ("XX区财政局", "self"),
        ("XX区审计局", "verified"),
    ]
    args = [
        "score",
        str(ROOT / "rubrics" / "district.toml"),
        str(path),
        "--format",
        "csv",
        "--engine",
        engine,
    ]
    assert cli.main(args) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert [row.split(",")[:4] for row in out.splitlines()[1:]] == [
        ["XX区财政局", "", "2024", "self"],
        ["XX区审计局", "", "2024", "verified"],
    ]


def test_a_stage_label_the_rubric_lacks_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("单位,年度,阶段\nXX区财政局,2024,初评\n", encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        score(load_rubric(ROOT / "rubrics" / "district.toml"), load_sheet(path))
    assert (
        str(excinfo.value)
        == f'{path}:2: sheet.stage: expected one of "self", "verified", got a string ("初评")'
    )


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_a_header_repeated_below_is_named_as_such(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bom: str
) -> None:
    # Two agencies' CSV files joined into one (copy a.csv+b.csv all.csv, or pasted one under the
    # other): the second header is a row, with the second file's byte-order mark if it had one.
    path = tmp_path / "sheet.csv"
    one = "单位,年度,阶段,日期,2.1.1\n"
    path.write_text(
        f"{one}XX区财政局,2024,自评,2024-10-20,true\n{bom}{one}XX区审计局,2024,自评,,true\n", encoding="utf-8"
    )
    message = f"{path}:3: repeats the header row (line 1): two CSV files joined into one? Delete this row"
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == message
    assert cli.main(["score", str(ROOT / "rubrics" / "district.toml"), str(path), "--format", "csv"]) == 2
    out, err = capsys.readouterr()
    assert err == message + "\n"
    assert [row.split(",")[0] for row in out.splitlines()[1:]] == ["XX区财政局", "XX区审计局"]
