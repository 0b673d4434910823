"""The command line over batches and hostile environments: a bad sheet or CSV row costs only
itself, exit codes rank 2 over 1 over 0, diff refuses a pair that is not one assessment, and
an output encoding that lacks a character never stops the program."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conserv_rubric import RubricError, ScoreCard, cli, load_rubric, load_sheet, score

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
PASS = ROOT / "examples" / "district" / "pass.toml"
FAIL = ROOT / "examples" / "district" / "fail.toml"
AT_80 = ROOT / "examples" / "district" / "at-80.toml"


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _bad(tmp_path: Path) -> Path:
    sheet = tmp_path / "bad.toml"
    sheet.write_text('[sheet]\nagency = "X"\n[answers]\n"2.1.1" = 1\n', encoding="utf-8")
    return sheet


def test_one_bad_sheet_among_many_costs_only_itself(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = _bad(tmp_path)
    code, out, err = run(capsys, "score", DISTRICT, PASS, bad, AT_80, "--format", "json")
    assert code == 2
    assert err == f'{bad}: answers."2.1.1": expected true or false, got a number (1)\n'
    entries = json.loads(out)
    assert [e.get("agency") for e in entries] == ["XX区发展和改革局", None, "XX区财政局"]
    assert [e.get("total") for e in entries] == [92, None, 80]
    assert entries[1] == {
        "file": str(bad),
        "error": {
            "message": f'{bad}: answers."2.1.1": expected true or false, got a number (1)',
            "problems": [
                {
                    "message": "expected true or false, got a number (1)",
                    "file": str(bad),
                    "path": 'answers."2.1.1"',
                    "address": None,
                    "line": None,
                    "column": None,
                    "expected": None,
                    "actual": None,
                }
            ],
        },
    }


def test_text_reports_every_good_sheet_and_the_bad_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.toml"
    code, out, err = run(capsys, "score", DISTRICT, missing, PASS)
    assert code == 2
    assert err == f"{missing}: cannot read file: No such file or directory\n"
    assert "单位：XX区发展和改革局" in out
    assert "认定：达到“节约型机关”（80分）" in out


def test_a_single_bad_sheet_prints_no_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = _bad(tmp_path)
    assert run(capsys, "score", DISTRICT, bad)[:2] == (2, "")
    code, out, _ = run(capsys, "score", DISTRICT, bad, "--format", "json")
    assert code == 2
    assert json.loads(out)["file"] == str(bad)


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "batch.csv"
    path.write_text("agency,year,2.1.1,2.1.2\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_one_bad_csv_row_costs_only_that_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    batch = _csv(tmp_path, "甲局,2024,true,true", "乙局,2024,true", "丙局,2024,false,true")
    code, out, err = run(capsys, "score", DISTRICT, batch, "--format", "csv")
    assert code == 2
    assert err == f"{batch}:3: has 3 cells, the header has 4\n"
    rows = list(csv.DictReader(io.StringIO(out)))
    # 甲局: 2.1.1 (1) + 2.1.2 (2) = 3; 丙局: 2.1.2 (2) = 2.
    assert [(r["agency"], r["total"]) for r in rows] == [("甲局", "3"), ("丙局", "2")]


def test_a_csv_row_that_does_not_score_is_an_error_entry_in_row_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    batch = _csv(tmp_path, "甲局,2024,true,true", "乙局,2024,yes,true", "丙局,2024,false,true")
    code, out, err = run(capsys, "score", DISTRICT, batch, "--format", "json")
    assert code == 2
    assert err == f'{batch}:3: answers."2.1.1": expected true or false, got a string ("yes")\n'
    entries = json.loads(out)
    assert [e.get("agency") or e["error"]["problems"][0]["line"] for e in entries] == ["甲局", 3, "丙局"]


def test_a_csv_whose_header_is_bad_is_one_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "noagency.csv"
    path.write_text("name,2.1.1\n甲局,true\n", encoding="utf-8")
    code, out, err = run(capsys, "score", DISTRICT, path, PASS, "--format", "json")
    assert code == 2
    assert err == f"{path}:1: the header needs an 'agency' (单位) column\n"
    # Both entries name their file: the error entry the CSV, the card the sheet it scored.
    entries = json.loads(out)
    assert [("error" in e, e["file"]) for e in entries] == [(True, str(path)), (False, str(PASS))]


def test_a_quoted_cell_over_two_lines_keeps_the_rows_apart(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # No answer or [sheet] value holds a line break, so the row is refused; rows are located by
    # the line of the file they start on, counting the quoted cell's two lines.
    batch = _csv(tmp_path, '"甲局\n（本级）",2024,true,true', "乙局,2024,true", "丙局,2024,false,true")
    code, out, err = run(capsys, "score", DISTRICT, batch, "--format", "csv")
    assert code == 2
    assert err == (
        f"{batch}:2: sheet.agency: the cell holds a line break (the row runs from line 2 to line 3): "
        "close the quote that opens it, or keep the cell on one line\n"
        f"{batch}:4: has 3 cells, the header has 4\n"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["agency"], r["total"]) for r in rows] == [("丙局", "2")]


@pytest.mark.parametrize(
    ("sheets", "expected"),
    [((PASS, AT_80), 0), ((PASS, FAIL), 1), ((FAIL, "bad"), 2), ((PASS, "bad"), 2)],
)
def test_exit_2_wins_over_1_wins_over_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sheets: tuple[Path | str, ...], expected: int
) -> None:
    paths = [_bad(tmp_path) if s == "bad" else s for s in sheets]
    assert run(capsys, "score", DISTRICT, *paths)[0] == expected


def _verified(tmp_path: Path, sheet: Path, **changes: str) -> Path:
    """*sheet* with its [sheet] keys changed (TOML values as written)."""
    lines = sheet.read_text(encoding="utf-8").splitlines()
    for key, value in changes.items():
        lines = [line for line in lines if not line.startswith(f"{key} =")]
        lines.insert(lines.index("[sheet]") + 1, f"{key} = {value}")
    path = tmp_path / f"{'-'.join(changes)}-{sheet.name}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_diff_refuses_a_verified_sheet_as_self(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    verified = _verified(tmp_path, PASS, stage='"verified"')
    code, out, err = run(capsys, "diff", DISTRICT, verified, PASS)
    assert (code, out) == (2, "")
    assert err == (
        f"{verified}: sheet.stage: stage 'verified' comes after the second sheet's 'self' ({PASS}); "
        "give the 'self' sheet first\n"
    )


def test_diff_refuses_two_agencies(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    verified = _verified(tmp_path, AT_80, stage='"verified"')
    code, out, err = run(capsys, "diff", DISTRICT, PASS, verified)
    assert (code, out) == (2, "")
    assert err == (
        f"{verified}: sheet.agency: the agency is 'XX区财政局', the first sheet's ({PASS}) is "
        "'XX区发展和改革局'; diff compares two stages of one agency\n"
    )


def test_diff_refuses_two_years(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    verified = _verified(tmp_path, PASS, stage='"verified"', year="2023")
    code, _, err = run(capsys, "diff", DISTRICT, PASS, verified)
    assert code == 2
    assert err == (
        f"{verified}: sheet.year: the year is 2023, the first sheet's ({PASS}) is 2024; "
        "diff compares two stages of one year\n"
    )


def test_diff_of_one_assessment_still_compares(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    verified = _verified(tmp_path, PASS, stage='"verified"', agency='" XX区发展和改革局 "')
    code, out, _ = run(capsys, "diff", DISTRICT, PASS, verified)
    assert code == 0
    assert "自评与核查各条目得分一致" in out


def _gbk(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    command = [sys.executable, "-m", "conserv_rubric", *map(str, args)]
    return subprocess.run(command, capture_output=True, env=env, check=False)


def test_a_gbk_stdout_gets_escapes_for_what_gbk_lacks() -> None:
    done = _gbk("check", DISTRICT)
    assert (done.returncode, done.stderr) == (0, b"")
    text = done.stdout.decode("gbk")
    assert "总分 100 = 9 + 27 + 25 + 22 + 17 \\u2713" in text
    assert text.endswith("\\u2713 有效：5 个评价单元，12 个评价项目，37 个条目，分值相符\n")


def test_a_gbk_stdout_scores_and_keeps_the_chinese(tmp_path: Path) -> None:
    shenzhen = ROOT / "rubrics" / "shenzhen-lvse-jiguan-kaoping.toml"
    sheet = ROOT / "examples" / "shenzhen-lvse-jiguan-kaoping" / "chajin.toml"
    done = _gbk("score", shenzhen, sheet)
    assert (done.returncode, done.stderr) == (0, b"")
    text = done.stdout.decode("gbk")
    card = score(load_rubric(shenzhen), load_sheet(sheet))
    # The deductions' minus sign (U+2212) is not in GBK: it is written as an escape.
    line = next(line for line in text.splitlines() if line.startswith("1.1 "))
    assert line.split()[1:3] == ["组织管理", "0/3"]
    assert line.endswith("  " + card.items["1.1"].reason.replace("−", "\\u2212"))
    assert "\\u2212" in line


def test_a_gbk_stderr_names_a_file_gbk_cannot_spell(tmp_path: Path) -> None:
    missing = tmp_path / "✓.toml"
    done = _gbk("check", missing)
    assert done.returncode == 2
    assert (
        done.stderr.decode("gbk") == f"{tmp_path}/\\u2713.toml: cannot read file: No such file or directory\n"
    )


@pytest.mark.parametrize("rows", [0, 1, 2, 7])
def test_json_is_written_as_it_is_scored_with_the_bytes_of_render_cards(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, rows: int
) -> None:
    # --format json streams its entries; the document is the one render_cards builds whole:
    # one entry alone, several (cards and errors, in input order) as a list.
    from conserv_rubric._batch import iter_sheets  # noqa: PLC0415 - the reader the command uses
    from conserv_rubric.reports import render_cards  # noqa: PLC0415

    lines = ["agency,2.1.1,2.2.2"]
    lines += [f"局{i},{'true' if i % 2 else 'false'},{'3' if i % 3 else '三次'}" for i in range(rows)]
    sheets = tmp_path / "sheets.csv"
    sheets.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs = [PASS, sheets] if rows else [PASS]
    code, out, err = run(capsys, "score", DISTRICT, *inputs, "--format", "json")
    rubric = load_rubric(DISTRICT)
    expected: list[ScoreCard | RubricError] = []
    for path in inputs:
        for sheet in iter_sheets(path):
            try:
                expected.append(sheet if isinstance(sheet, RubricError) else score(rubric, sheet))
            except RubricError as exc:  # a row the grammar refuses ("三次")
                expected.append(exc)
    assert out == render_cards(expected, "json")
    bad = [e for e in expected if isinstance(e, RubricError)]
    passed = all(c.passed for c in expected if isinstance(c, ScoreCard))
    assert code == (2 if bad else 0 if passed else 1)
    assert err.count("\n") == sum(len(e.problems) for e in bad)
    written = tmp_path / "out.json"
    assert run(capsys, "score", DISTRICT, *inputs, "--format", "json", "-o", written)[0] == code
    assert written.read_text(encoding="utf-8") == out


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_an_output_that_is_an_input_is_refused_before_it_is_emptied(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    # The streamed formats open -o before reading the sheets: naming an input would erase it.
    sheets = tmp_path / "sheets.csv"
    sheets.write_text("agency,2.1.1\n甲局,true\n", encoding="utf-8")
    before = sheets.read_bytes()
    code, out, err = run(
        capsys, "score", DISTRICT, sheets, "--format", fmt, "-o", tmp_path / "." / "sheets.csv"
    )
    assert (code, out) == (2, "")
    output = tmp_path / "." / "sheets.csv"
    assert err == f"{output}: -o names the input {sheets}: writing the report there would erase it first\n"
    assert sheets.read_bytes() == before
