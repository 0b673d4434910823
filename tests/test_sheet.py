"""Answer sheets: every mistake is a SheetError naming the address; TOML, JSON and CSV sheets."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import (
    Rubric,
    RubricError,
    SheetError,
    cli,
    load_rubric,
    load_sheet,
    load_sheets,
    loads_rubric,
    loads_sheet,
    score,
)

ROOT = Path(__file__).resolve().parent.parent
PASS = ROOT / "examples" / "district" / "pass.toml"

HEAD = '[sheet]\nagency = "XX区发展和改革局"\nyear = 2024\nstage = "self"\n\n[answers]\n'

# A small rubric with a closed list of options (no 等), a count threshold and a number.
TRAINING = """\
title = "XX区教育培训考核"
total = 15

[[units]]
title = "教育培训"
points = 15

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
"""


@pytest.fixture(scope="module")
def district() -> Rubric:
    return load_rubric(ROOT / "rubrics" / "district.toml")


@pytest.fixture(scope="module")
def training() -> Rubric:
    return loads_rubric(TRAINING)


def _write(tmp_path: Path, text: str, name: str = "sheet.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _sheet_error(rubric: Rubric, path: Path) -> SheetError:
    sheet = load_sheet(path)
    with pytest.raises(SheetError) as excinfo:
        score(rubric, sheet)
    return excinfo.value


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        pytest.param(
            '"2.2.1a" = true',
            """answers."2.2.1a": unknown address '2.2.1a' (did you mean '2.2.1.a'?)""",
            id="unknown address",
        ),
        pytest.param(
            '"5.2.2.a" = 2',
            """answers."5.2.2.a": unknown address '5.2.2.a' (did you mean '5.2.2'?)""",
            id="a part of an item without parts",
        ),
        pytest.param(
            '"2.2.1" = true',
            """answers."2.2.1": '2.2.1' is an item made of parts; answer its parts (2.2.1.a, 2.2.1.b)""",
            id="an item made of parts",
        ),
        pytest.param(
            '"2.1.1" = 1',
            'answers."2.1.1": expected true or false, got a number (1)',
            id="1 is not true",
        ),
        pytest.param(
            '"2.1.1" = "是"',
            'answers."2.1.1": expected true or false, got a string ("是")',
            id="a word is not true",
        ),
        pytest.param(
            '"5.2.2" = -1',
            'answers."5.2.2": expected a count ≥ 0, got -1',
            id="negative count",
        ),
        pytest.param(
            '"5.2.2" = 1.5',
            'answers."5.2.2": expected a count (a whole number ≥ 0) or a list of names, got a number (1.5)',
            id="fractional count",
        ),
        pytest.param(
            '"5.2.2" = true',
            'answers."5.2.2": expected a count (a whole number ≥ 0) or a list of names, got a boolean (true)',
            id="true is not a count",
        ),
        pytest.param(
            '"2.2.2" = ["节能", "节水", "节能"]',
            """answers."2.2.2": lists '节能' twice""",
            id="duplicated named entry",
        ),
        pytest.param(
            '"2.2.2" = ["节能", 3]',
            'answers."2.2.2": expected names (strings) in the list, got a number (3)',
            id="a number among the names",
        ),
    ],
)
def test_district_sheet_mistakes_name_the_address(
    district: Rubric, tmp_path: Path, answers: str, message: str
) -> None:
    path = _write(tmp_path, HEAD + answers + "\n")
    error = _sheet_error(district, path)
    assert str(error) == f"{path}: {message}"
    (problem,) = error.problems
    assert problem.file == str(path)
    assert isinstance(error, RubricError)


def test_a_part_letter_on_an_item_without_parts_suggests_the_item(district: Rubric, tmp_path: Path) -> None:
    # '1.1.1.a' is closer as a string, but it belongs to another unit; the agency meant 2.1.1.
    path = _write(tmp_path, HEAD + '"2.1.1.a" = true\n')
    error = _sheet_error(district, path)
    assert str(error) == f"{path}: answers.\"2.1.1.a\": unknown address '2.1.1.a' (did you mean '2.1.1'?)"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        pytest.param(
            '"1.1" = ["节能", "垃圾分类投放"]',
            """answers."1.1": '垃圾分类投放' is not one of the options (did you mean '垃圾分类'?): """
            "节能、节水、垃圾分类",
            id="a name outside the closed list, with a suggestion",
        ),
        pytest.param(
            '"1.1" = ["节约用电"]',
            """answers."1.1": '节约用电' is not one of the options: 节能、节水、垃圾分类""",
            id="a name outside the closed list",
        ),
        pytest.param(
            '"1.1" = 4',
            'answers."1.1": counts 4, but the standard lists only 3 options',
            id="more entries than the closed list holds",
        ),
        pytest.param(
            '"1.2" = true',
            'answers."1.2": expected a count (a whole number ≥ 0), got a boolean (true)',
            id="a count threshold wants a count",
        ),
        pytest.param(
            '"1.2" = -4',
            'answers."1.2": expected a count (a whole number ≥ 0), got a number (-4)',
            id="a negative count for a threshold",
        ),
        pytest.param(
            '"1.3" = "85%"',
            'answers."1.3": expected a number, got a string ("85%")',
            id="a number written as text",
        ),
        pytest.param(
            '"1.3" = nan',
            'answers."1.3": expected a finite number, got nan',
            id="nan in a TOML sheet",
        ),
        pytest.param(
            '"1.3" = inf',
            'answers."1.3": expected a finite number, got inf',
            id="inf in a TOML sheet",
        ),
    ],
)
def test_closed_lists_thresholds_and_numbers(
    training: Rubric, tmp_path: Path, answers: str, message: str
) -> None:
    path = _write(tmp_path, HEAD + answers + "\n")
    assert str(_sheet_error(training, path)) == f"{path}: {message}"


def test_a_closed_list_answered_in_full_scores_its_cap(training: Rubric) -> None:
    card = score(training, {"1.1": ["节能", "节水", "垃圾分类"], "1.2": 4, "1.3": Decimal("85")})
    assert [(r.points, r.reason) for r in card.items.values()] == [
        (Decimal(3), "3项（节能、节水、垃圾分类） × 1分 = 3分（最高3分）"),
        (Decimal(2), "4次（不少于4次）得2分"),
        (Decimal(10), "85%：2 × 5分 = 10分（最高10分）"),
    ]
    assert card.total == Decimal(15)


def test_several_mistakes_are_reported_together(district: Rubric, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEAD
        + '"2.1.1" = 1\n"2.2.2" = ["节能", "节能"]\n"5.2.2" = -1\n"6.1.1" = true\n'
        + '\n[evidence]\n"2.2.9" = ["《XX局节能管理办法》"]\n',
    )
    error = _sheet_error(district, path)
    assert str(error) == "\n".join(
        [
            f'{path}: answers."2.1.1": expected true or false, got a number (1)',
            f"{path}: answers.\"2.2.2\": lists '节能' twice",
            f'{path}: answers."5.2.2": expected a count ≥ 0, got -1',
            f"{path}: answers.\"6.1.1\": unknown address '6.1.1' (did you mean '5.1.1'?)",
            f"{path}: evidence.\"2.2.9\": unknown address '2.2.9' (did you mean '2.2.3'?)",
        ]
    )
    assert [p.path for p in error.problems] == [
        'answers."2.1.1"',
        'answers."2.2.2"',
        'answers."5.2.2"',
        'answers."6.1.1"',
        'evidence."2.2.9"',
    ]


# --- reading sheets ------------------------------------------------------------------------


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + '"2.1.1" = true\n"2.1.2" = tru\n')
    with pytest.raises(SheetError) as excinfo:
        load_sheet(path)
    assert str(excinfo.value) == f"{path}:8:11: invalid TOML: Invalid value"
    (problem,) = excinfo.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), 8, 11)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            '[answers]\n"2.1.1" = true\n',
            'sheet: missing [sheet] table with at least agency = "…"',
            id="missing [sheet]",
        ),
        pytest.param(
            '[sheet]\nyear = 2024\n\n[answers]\n"2.1.1" = true\n',
            "sheet: missing required key 'agency'",
            id="missing agency",
        ),
        pytest.param(
            '[sheet]\nagency = "XX区发展和改革局"\n\n[answer]\n"2.1.1" = true\n',
            "answer: unknown table 'answer' (did you mean 'answers'?)",
            id="unknown table",
        ),
        pytest.param(
            '[sheet]\nagency = "XX区发展和改革局"\n\n[evidence]\n"2.1.1" = 3\n',
            'evidence."2.1.1": expected a list of document names, got a number (3)',
            id="evidence not a list",
        ),
    ],
)
def test_malformed_sheets(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SheetError) as excinfo:
        load_sheet(path)
    assert str(excinfo.value) == f"{path}: {message}"


def test_a_stage_the_rubric_does_not_declare_is_refused_when_scored(district: Rubric, tmp_path: Path) -> None:
    # The rubric declares the stages (Rubric.stages), so the loader cannot check them alone.
    path = _write(tmp_path, '[sheet]\nagency = "XX区发展和改革局"\nstage = "selff"\n')
    sheet = load_sheet(path)
    with pytest.raises(SheetError) as excinfo:
        score(district, sheet)
    assert str(excinfo.value) == (
        f'{path}: sheet.stage: expected one of "self", "verified", '
        """got a string ("selff") (did you mean 'self'?)"""
    )


def test_a_sheet_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes('[sheet]\nagency = "XX区发展和改革局"\n'.encode("gbk"))
    with pytest.raises(SheetError) as excinfo:
        load_sheet(path)
    assert str(excinfo.value) == (
        f"{path}:2: not UTF-8 text (byte 20; it reads as GBK/GB18030); save the file as UTF-8"
    )


def _as_json(path: Path, tmp_path: Path) -> Path:
    sheet = load_sheet(path)
    doc = {
        "sheet": {
            "agency": sheet.agency,
            "year": sheet.info.year,
            "stage": sheet.stage,
            "assessor": sheet.info.assessor,
        },
        "answers": sheet.answers,
        "evidence": {a: list(d) for a, d in sheet.evidence.items()},
        "notes": sheet.notes,
    }
    out = tmp_path / "pass.json"
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return out


def test_a_json_sheet_reads_like_its_toml_twin(district: Rubric, tmp_path: Path) -> None:
    toml_sheet = load_sheet(PASS)
    json_path = _as_json(PASS, tmp_path)
    json_sheet = load_sheet(json_path)
    assert json_sheet.file == str(json_path)
    assert json_sheet.info == toml_sheet.info
    assert json_sheet.answers == toml_sheet.answers
    assert json_sheet.evidence == toml_sheet.evidence
    assert score(district, json_sheet).total == score(district, toml_sheet).total == Decimal(92)


def test_a_json_sheet_with_a_mistake_names_the_address(district: Rubric, tmp_path: Path) -> None:
    path = _write(tmp_path, '{"sheet": {"agency": "XX区发展和改革局"}, "answers": {"2.1.1": 1}}', "s.json")
    error = _sheet_error(district, path)
    assert str(error) == f'{path}: answers."2.1.1": expected true or false, got a number (1)'


def test_json_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path, '{"sheet": {"agency": "XX区发展和改革局"},\n "answers": {"2.1.1": tru}}', "s.json"
    )
    with pytest.raises(SheetError) as excinfo:
        load_sheet(path)
    assert str(excinfo.value) == f"{path}:2:23: invalid JSON: Expecting value"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_rejected(tmp_path: Path, constant: str) -> None:
    path = _write(tmp_path, '{"sheet": {"agency": "X"}, "answers": {"1.3": ' + constant + "}}", "s.json")
    with pytest.raises(SheetError) as excinfo:
        load_sheet(path)
    assert str(excinfo.value) == f"{path}: invalid JSON: {constant} is not a number JSON allows"


def test_json_must_be_an_object(tmp_path: Path) -> None:
    path = _write(tmp_path, '[{"sheet": {"agency": "X"}}]', "s.json")
    with pytest.raises(SheetError) as excinfo:
        load_sheet(path)
    assert str(excinfo.value) == f"{path}: expected a JSON object, got an array"


def test_loads_sheet_reads_json_text() -> None:
    sheet = loads_sheet(
        '{"sheet": {"agency": "XX区财政局", "year": 2024}, "answers": {"5.2.2": 2}}', format="json"
    )
    assert (sheet.agency, sheet.info.year, sheet.stage, sheet.answers) == (
        "XX区财政局",
        2024,
        "self",
        {"5.2.2": 2},
    )


CSV = """\
agency,year,stage,assessor,1.1.1.a,2.1.1,2.2.2,5.1.3,5.2.2
XX区发展和改革局,2024,self,李明,true,true,能源资源消费统计;节能;节水,2,1
XX区财政局,2024,verified,区节能办核查组,false,false,4,,3
"""


def test_csv_sheets_one_row_per_agency(district: Rubric, tmp_path: Path) -> None:
    path = _write(tmp_path, CSV, "sheets.csv")
    sheets = load_sheets(path)
    assert [(s.agency, s.info.year, s.stage, s.info.assessor) for s in sheets] == [
        ("XX区发展和改革局", 2024, "self", "李明"),
        ("XX区财政局", 2024, "verified", "区节能办核查组"),
    ]
    # Cells stay text until scored: the leaf each answers says how to read it.
    assert sheets[0].answers == {
        "1.1.1.a": "true",
        "2.1.1": "true",
        "2.2.2": "能源资源消费统计;节能;节水",
        "5.1.3": "2",
        "5.2.2": "1",
    }
    assert sheets[1].answers == {"1.1.1.a": "false", "2.1.1": "false", "2.2.2": "4", "5.2.2": "3"}
    assert score(district, sheets[0]).items["2.2.2"].reason == (
        "3项（能源资源消费统计、节能、节水） × 1分 = 3分（最高5分）"
    )
    # 3 + 1 + 3 + 2 + 2 = 11;  0 + 0 + 4 + 0 + 4 (3次 × 2 = 6, capped) = 8
    assert [score(district, s).total for s in sheets] == [Decimal(11), Decimal(8)]
    assert score(district, sheets[1]).unanswered == tuple(
        a for a in score(district, {}).unanswered if a not in {"1.1.1.a", "2.1.1", "2.2.2", "5.2.2"}
    )


def test_load_sheet_refuses_a_csv_with_several_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, CSV, "sheets.csv")
    with pytest.raises(SheetError) as excinfo:
        load_sheet(path)
    assert str(excinfo.value) == f"{path}: holds 2 sheets; use load_sheets() to read them all"


def test_csv_mistakes_name_the_row_and_the_address(district: Rubric, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "agency,year,2.1.1,2.2.2,5.2.2\nXX区发展和改革局,2024,1,节能;节能,-2\n",
        "sheets.csv",
    )
    error = _sheet_error(district, path)
    assert str(error) == "\n".join(
        [
            f'{path}:2: answers."2.1.1": expected true or false, got a string ("1")',
            f"{path}:2: answers.\"2.2.2\": lists '节能' twice",
            f'{path}:2: answers."5.2.2": expected a count ≥ 0, got -2',
        ]
    )


def test_csv_problems_keep_file_and_row_apart(district: Rubric, tmp_path: Path) -> None:
    path = _write(tmp_path, "agency,2.1.1\nXX区发展和改革局,1\n", "sheets.csv")
    (problem,) = _sheet_error(district, path).problems
    assert (problem.file, problem.line) == (str(path), 2)


def test_a_csv_cell_that_is_not_true_or_false_is_shown_as_written(district: Rubric, tmp_path: Path) -> None:
    path = _write(tmp_path, "agency,2.1.1\nXX区发展和改革局,是\n", "sheets.csv")
    error = _sheet_error(district, path)
    assert str(error) == f'{path}:2: answers."2.1.1": expected true or false, got a string ("是")'


def test_csv_rows_with_the_wrong_number_of_cells(tmp_path: Path) -> None:
    path = _write(tmp_path, "agency,2.1.1\nXX区发展和改革局,true,true\n", "sheets.csv")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:2: has 3 cells, the header has 2"


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_header_divided_by_another_separator_says_so(tmp_path: Path, sep: str, name: str) -> None:
    path = _write(tmp_path, f"单位{sep}2.1.1\nXX区发展和改革局{sep}true\n", "sheets.csv")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == (
        f"{path}:1: the header needs an 'agency' (单位) column; its columns are separated by {name},"
        " not commas: save the file as CSV (comma delimited)"
    )


#: The 自评打分表 workbook as Excel or WPS save it as CSV: its title and details, then its table.
WORKBOOK_AS_CSV = """\
XX区节约型机关评价标准自评打分表,,,,,,,,
单位名称,,XX区审计局,,统一社会信用代码,,,,
年度,,2024,,阶段,,自评,,
填表人,,王五,,日期,,2024-10-20,,
序号,评价单元,评价项目,评价标准,分值,地址,答案,佐证材料,备注
2.1.1,完善制度体系（27分）,管理机构（5分）,1.明确负责推进节约型机关建设的组织机构，得1分。,1,2.1.1,是,,
"""


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        pytest.param(
            "XX区自评打分表,,\n单位,年度,2.1.1\nXX区发展和改革局,2024,true\n",
            "; line 2 has one: delete the rows above it",
            id="a title above the header",
        ),
        pytest.param(
            ",,\n\n各单位自评汇总,,\n填报日期：2024年10月31日,,\nagency,year,2.1.1\nXX区发展和改革局,2024,true\n",
            "; line 5 has one: delete the rows above it",
            id="rows and a blank line above the header",
        ),
        pytest.param(
            WORKBOOK_AS_CSV,
            "; line 5 is the header of the 自评打分表 workbook's table (地址, 答案): score the workbook"
            " (.xlsx) itself, or write a CSV sheet with a row per agency and a column per address",
            id="the workbook saved as CSV",
        ),
    ],
)
def test_a_header_below_the_first_line_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, hint: str
) -> None:
    path = _write(tmp_path, text, "sheets.csv")
    message = f"{path}:1: the header needs an 'agency' (单位) column{hint}"
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == message
    # The command reads CSV a row at a time for --format csv, and whole for text.
    for fmt in ("csv", "text"):
        assert cli.main(["score", "--format", fmt, str(ROOT / "rubrics" / "district.toml"), str(path)]) == 2
        assert capsys.readouterr().err == message + "\n"


def test_a_header_is_looked_for_only_near_the_top(tmp_path: Path) -> None:
    path = _write(tmp_path, "名称,2.1.1\n" + "x,true\n" * 20 + "agency,2.1.1\n", "sheets.csv")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:1: the header needs an 'agency' (单位) column"


def test_csv_without_an_agency_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "名称,2.1.1\nXX区发展和改革局,true\n", "sheets.csv")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:1: the header needs an 'agency' (单位) column"
