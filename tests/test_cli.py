"""The command line, driven in-process: exit codes, outputs, and never a traceback."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import cli, load_rubric, load_sheet, loads_rubric, score

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
PASS = ROOT / "examples" / "district" / "pass.toml"
FAIL = ROOT / "examples" / "district" / "fail.toml"


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_check_valid_rubric_shows_the_totals(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", DISTRICT)
    assert (code, err) == (0, "")
    assert "总分 100 = 9 + 27 + 25 + 22 + 17 ✓" in out
    for line in ("2 完善制度体系", "2.1 管理机构", "2.2 管理制度", "5.2 教育培训"):
        assert line in out


def test_check_json_is_a_stable_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", DISTRICT, "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["valid"] is True
    assert doc["file"] == str(DISTRICT)
    assert [(u["address"], u["declared"], u["computed"]) for u in doc["units"]] == [
        ("1", 9, 9),
        ("2", 27, 27),
        ("3", 25, 25),
        ("4", 22, 22),
        ("5", 17, 17),
    ]
    assert doc["problems"] == []


def test_check_invalid_rubric_exits_1_naming_the_project(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = DISTRICT.read_text(encoding="utf-8").replace(
        '设置能源资源管理岗位，明确专人负责，得1分。"\npoints = 1',
        '设置能源资源管理岗位，明确专人负责，得1分。"\npoints = 2',
    )
    broken = tmp_path / "district.toml"
    broken.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "check", broken)
    assert code == 1
    assert (
        f"{broken}: project 2.1 管理机构 in unit 2 完善制度体系 (units[1].projects[0]): "
        "declares 5 points, its items add up to 6"
    ) in out


@pytest.mark.parametrize("command", ["check", "template", "fmt"])
def test_unreadable_rubric_exits_2_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    missing = tmp_path / "missing.toml"
    code, out, err = run(capsys, command, missing)
    assert (code, out) == (2, "")
    assert err == f"{missing}: cannot read file: No such file or directory\n"


def test_score_passing_sheet_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", DISTRICT, PASS)
    assert (code, err) == (0, "")
    assert "序号" in out
    assert "得分/分值" in out
    assert "说明" in out
    assert "节约型机关" in out


def test_score_exit_1_when_an_agency_misses_the_level(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "score", DISTRICT, PASS, FAIL)
    assert code == 1


def test_score_csv_has_one_row_per_agency(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", DISTRICT, PASS, FAIL, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 1
    assert [(r["total"], r["passed"]) for r in rows] == [("92", "true"), ("64", "false")]
    assert rows[1]["2 完善制度体系"] == "13"


def test_score_json_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", DISTRICT, PASS, "--format", "json")
    doc = json.loads(out, parse_float=Decimal)
    card = score(load_rubric(DISTRICT), load_sheet(PASS))
    assert code == 0
    assert (doc["total"], doc["level"], doc["passed"]) == (92, "节约型机关", True)
    assert {i["address"]: i["reason"] for i in doc["items"]} == {a: r.reason for a, r in card.items.items()}


def test_score_bad_sheet_exits_2_with_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sheet = tmp_path / "bad.toml"
    sheet.write_text('[sheet]\nagency = "X"\n[answers]\n"2.1.1" = 1\n"9.9" = true\n', encoding="utf-8")
    code, out, err = run(capsys, "score", DISTRICT, sheet)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f'{sheet}: answers."2.1.1": expected true or false, got a number (1)',
        f"{sheet}: answers.\"9.9\": unknown address '9.9'",
    ]


def test_template_filled_in_scores(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "template", DISTRICT)
    assert code == 0
    filled = out.replace('"2.1.1" = false', '"2.1.1" = true').replace('agency = ""', 'agency = "XX区统计局"')
    sheet = tmp_path / "filled.toml"
    sheet.write_text(filled, encoding="utf-8")
    code, out, _ = run(capsys, "score", DISTRICT, sheet, "--format", "json")
    assert code == 1
    assert json.loads(out)["total"] == 1


def test_template_writes_toml_to_a_file_as_its_help_says(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The office guide sends agencies `template district -o 自评打分表.toml`: -o is not for xlsx only.
    code, printed, _ = run(capsys, "template", DISTRICT)
    assert code == 0
    target = tmp_path / "自评打分表.toml"
    assert run(capsys, "template", DISTRICT, "-o", target) == (0, "", "")
    assert target.read_text(encoding="utf-8") == printed
    with pytest.raises(SystemExit):
        cli.main(["template", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    wanted = "the file to write: the TOML sheet, or the workbook (needed with --format xlsx)"
    assert f"-o FILE, --output FILE {wanted}" in help_text


def test_gap_lists_the_fewest_items(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gap", DISTRICT, FAIL, "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert json.dumps(doc, ensure_ascii=False).count("节约型机关") >= 1
    assert "3.2.2" in out


def _verified(tmp_path: Path, sheet: Path, agency: str = "XX区发展和改革局") -> Path:
    """*sheet* as the verifier's sheet of *agency*."""
    text = sheet.read_text(encoding="utf-8")
    head, _, answers = text.partition("[answers]")
    lines = [line for line in head.splitlines() if not line.startswith(("agency", "stage"))]
    path = tmp_path / f"verified-{sheet.name}"
    lines.insert(lines.index("[sheet]") + 1, f'agency = "{agency}"\nstage = "verified"')
    path.write_text("\n".join(lines) + "\n[answers]" + answers, encoding="utf-8")
    return path


def test_diff_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "diff", DISTRICT, PASS, _verified(tmp_path, PASS))[0] == 0
    code, out, _ = run(capsys, "diff", DISTRICT, PASS, _verified(tmp_path, FAIL))
    assert code == 1
    assert "2.2.2" in out


def test_fmt_prints_canonical_toml_that_loads_equal(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "fmt", DISTRICT)
    assert code == 0
    assert loads_rubric(out) == load_rubric(DISTRICT)


def test_fmt_check_and_write(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    copy = tmp_path / "district.toml"
    copy.write_text(DISTRICT.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = run(capsys, "fmt", copy, "--check")
    assert code == 1
    assert err == f"{copy}: not in canonical form (conserv-rubric fmt --write {copy})\n"
    assert run(capsys, "fmt", copy, "--write")[0] == 0
    assert run(capsys, "fmt", copy, "--check")[0] == 0
    assert load_rubric(copy) == load_rubric(DISTRICT)


def test_fmt_flatten_merges_the_base(capsys: pytest.CaptureFixture[str]) -> None:
    variant = ROOT / "rubrics" / "variants" / "yy-district.toml"
    code, out, _ = run(capsys, "fmt", variant, "--flatten")
    assert code == 0
    assert not [line for line in out.splitlines() if line.startswith("extends")]  # comments may name it
    assert loads_rubric(out) == load_rubric(variant)


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["score", str(DISTRICT), "--format", "pdf"])
    assert exc.value.code == 2
    assert "invalid choice: 'pdf'" in capsys.readouterr().err


def test_internal_error_is_reported_without_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(_: object) -> int:
        raise KeyError("x")

    monkeypatch.setitem(cli._COMMANDS, "check", boom)
    code, _, err = run(capsys, "check", DISTRICT)
    assert code == 3
    assert err == "conserv-rubric: internal error: KeyError: 'x'; please report it\n"


def test_python_dash_m_runs_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conserv_rubric", "check", str(DISTRICT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "总分 100 = 9 + 27 + 25 + 22 + 17 ✓" in done.stdout


SHADOWED_ROW = """\
title = "t"
total = 5
[[units]]
title = "u"
[[units.items]]
kind = "cases"
conditions = [{ text = "x" }]
rows = [{ points = 1 }, { when = { a = true }, points = 5 }]
"""


def test_check_prints_warnings_and_strict_fails_on_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "shadowed.toml"
    path.write_text(SHADOWED_ROW, encoding="utf-8")
    warning = (
        f"{path}: item 1.1 in unit 1 u (units[0].items[0].rows[1]): warning: row 2 (5 points) is never "
        "used: the rows before it match every case it matches"
    )
    code, out, err = run(capsys, "check", path)
    assert (code, err) == (0, "")
    assert f"警告（1）：\n{warning}\n" in out
    assert out.endswith("⚠ 1 个警告（check --strict 时视为不通过）\n")
    assert run(capsys, "check", "--strict", path)[0] == 1
    code, out, _ = run(capsys, "check", "--format", "json", path)
    data = json.loads(out)
    assert (code, data["valid"], data["problems"]) == (0, True, [])
    assert [w["path"] for w in data["warnings"]] == ["units[0].items[0].rows[1]"]
    assert run(capsys, "check", "--strict", DISTRICT)[0] == 0
