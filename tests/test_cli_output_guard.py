"""``-o`` never overwrites what the command reads: the plan, the roster, the coefficient table, the
other edition compared with, or a report left in the folder of sheets it scans."""

from __future__ import annotations

from pathlib import Path

import pytest

from conserv_rubric import cli

ROOT = Path(__file__).resolve().parent.parent
PASS = ROOT / "examples" / "district" / "pass.toml"
TABLE = ROOT / "src" / "conserv_rubric" / "coefficients" / "gbt2589-2020-dangliang.toml"


def _main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "a.toml").write_bytes(PASS.read_bytes())
    return folder


@pytest.mark.parametrize(
    ("option", "source"),
    [
        ("--plan", ROOT / "plans" / "district.toml"),
        ("--compare", ROOT / "rubrics" / "district.toml"),
        ("--coefficients", TABLE),
    ],
)
def test_rollup_refuses_an_output_over_a_file_it_reads(
    option: str, source: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    given = tmp_path / source.name
    given.write_bytes(source.read_bytes())
    before = given.read_bytes()
    code, out, err = _main(capsys, "rollup", "district", _folder(tmp_path), option, given, "-o", given)
    assert (code, out) == (2, "")
    assert err == f"{given}: -o names the input {given}: writing the report there would erase it first\n"
    assert given.read_bytes() == before


def test_rollup_refuses_an_output_over_its_roster(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    roster = tmp_path / "名录.csv"
    roster.write_text("agency\nXX区发展和改革局\n", encoding="utf-8")
    code, _, err = _main(capsys, "rollup", "district", _folder(tmp_path), "--roster", roster, "-o", roster)
    assert code == 2
    assert err.endswith("writing the report there would erase it first\n")
    assert roster.read_text(encoding="utf-8") == "agency\nXX区发展和改革局\n"


def test_score_refuses_an_output_over_its_coefficient_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    table = tmp_path / "table.toml"
    table.write_bytes(TABLE.read_bytes())
    code, _, err = _main(capsys, "score", "district", PASS, "--coefficients", table, "-o", table)
    assert code == 2
    assert err == f"{table}: -o names the input {table}: writing the report there would erase it first\n"


def test_a_report_written_into_the_folder_of_sheets_is_refused_the_second_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    report = folder / "汇总.csv"
    # The first run writes the report there (nothing is overwritten yet) ...
    code, _, _ = _main(capsys, "rollup", "district", folder, "--format", "csv", "-o", report)
    assert code == 0
    written = report.read_bytes()
    # ... the second would read it as a sheet and then overwrite it: refused, the report kept.
    code, out, err = _main(capsys, "rollup", "district", folder, "--format", "csv", "-o", report)
    assert (code, out) == (2, "")
    assert err == (
        f"{report}: -o names a file in the folder {folder}, which is read for sheets: the report would be "
        "read as a sheet and then overwritten; write it outside that folder\n"
    )
    assert report.read_bytes() == written
    # A report elsewhere is fine, and the one left in the folder is named for what it is.
    code, _, err = _main(capsys, "rollup", "district", folder, "-o", tmp_path / "out.txt")
    assert code == 2
    assert f"{report}:1: this is a report conserv-rubric wrote" in err


def test_a_text_report_in_the_folder_is_not_a_sheet_and_may_be_rewritten(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    report = folder / "汇总.txt"
    for _ in range(2):
        code, _, err = _main(capsys, "rollup", "district", folder, "-o", report)
        assert code == 0, err
    agency = next(line for line in PASS.read_text(encoding="utf-8").splitlines() if line.startswith("agency"))
    assert agency.split('"')[1] in report.read_text(encoding="utf-8")
