"""Provenance on every result (DESIGN §14): every format names the rubric's hash and the library,
one point changes the hash, and the what-if lists exactly the agencies whose level moves."""

from __future__ import annotations

import decimal
import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given

import conserv_rubric as cr
from conserv_rubric import Provenance, cli, load_rubric, load_sheet, loads_rubric, score
from conserv_rubric._provenance import _canonical, canonical_json, rubric_hash
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric.diffs import diff
from conserv_rubric.gaps import gap
from conserv_rubric.strategies import rubrics

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
EXAMPLES = ROOT / "examples" / "district"
TEXT = DISTRICT.read_text(encoding="utf-8")

# One point moves from 3.2.1 (3 → 2) to 3.2.2 (3 → 4); project 3.2 keeps its 6 points.
GREEN = "加大绿色采购力度，带头采购节能、节水、环保、再生、资源综合利用等绿色产品，得3分。"
CARS = "更新公务用车优先采购新能源汽车，得3分。"
MOVED = TEXT.replace(f'text = "{GREEN}"\npoints = 3', f'text = "{GREEN}"\npoints = 2').replace(
    f'text = "{CARS}"\npoints = 3', f'text = "{CARS}"\npoints = 4'
)
# The level one point up.
STRICTER = TEXT.replace('name = "节约型机关"\nmin = 80', 'name = "节约型机关"\nmin = 81')


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_the_edits_are_one_point_each() -> None:
    district = load_rubric(DISTRICT)
    moved, stricter = loads_rubric(MOVED), loads_rubric(STRICTER)
    assert MOVED != TEXT
    assert STRICTER != TEXT
    assert [i.points for i in moved.units[2].projects[1].items] == [Decimal(2), Decimal(4)]  # type: ignore[union-attr]
    assert stricter.levels[0].min == district.levels[0].min + 1


def test_a_card_names_the_rubric_hash_and_one_point_changes_it(capsys: pytest.CaptureFixture[str]) -> None:
    district = load_rubric(DISTRICT)
    card = score(district, load_sheet(EXAMPLES / "pass.toml"))
    assert card.provenance == Provenance(
        "XX区节约型机关评价标准", "2024", rubric_hash(district), 1, cr.__version__
    )
    code, out, _ = run(capsys, "score", DISTRICT, EXAMPLES / "pass.toml", "--format", "json")
    data = json.loads(out, parse_float=Decimal)
    assert code == 0
    assert list(data)[:2] == ["schema_version", "provenance"]
    assert data["schema_version"] == 1
    assert data["provenance"]["hash"] == rubric_hash(district)
    hashes = {rubric_hash(district), rubric_hash(loads_rubric(MOVED)), rubric_hash(loads_rubric(STRICTER))}
    assert len(hashes) == 3
    # The same edition loaded twice has the one hash.
    assert rubric_hash(load_rubric(DISTRICT)) == rubric_hash(district)


@pytest.mark.parametrize(("edition", "moves"), [(MOVED, "XX区财政局"), (STRICTER, "XX区财政局")])
def test_the_what_if_lists_exactly_the_agencies_whose_level_moves(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, edition: str, moves: str
) -> None:
    # By hand: pass.toml (发展和改革局) 92, at-80.toml (财政局) 80, fail.toml (农业农村局) 64.
    # MOVED: 3.2.1 true and 3.2.2 false on all three, so each loses a point: 91, 79, 63; only
    # 财政局 crosses 80. STRICTER: 80 < 81, so only 财政局 loses the level.
    other = tmp_path / "other.toml"
    other.write_text(edition, encoding="utf-8")
    code, out, _ = run(capsys, "rollup", DISTRICT, EXAMPLES, "--compare", other, "--format", "json")
    assert code == 0
    compared = json.loads(out, parse_float=Decimal)["compare"]
    assert [(c["agency"], c["base_level"], c["other_level"]) for c in compared["changes"]] == [
        (moves, "节约型机关", None)
    ]
    assert compared["other"]["provenance"]["hash"] == rubric_hash(loads_rubric(edition))
    assert compared["base"]["provenance"]["hash"] == rubric_hash(load_rubric(DISTRICT))
    totals = {c["agency"]: (c["base_total"], c["other_total"]) for c in compared["changes"]}
    assert totals == {moves: (80, 79 if edition is MOVED else 80)}


def test_the_hash_does_not_depend_on_the_callers_decimal_context() -> None:
    # A rubric of fractional points: reading its numbers back under prec=3 would round them.
    rubric = load_rubric(ROOT / "rubrics" / "gonggong-jigou-laji-fenlei.toml")
    expected = rubric_hash(rubric)
    hostile = decimal.Context(prec=3, rounding=decimal.ROUND_FLOOR, traps=[decimal.Inexact])
    with decimal.localcontext(hostile):
        again = load_rubric(ROOT / "rubrics" / "gonggong-jigou-laji-fenlei.toml")
        assert rubric_hash(again) == expected


def test_every_text_report_ends_with_the_provenance_line(capsys: pytest.CaptureFixture[str]) -> None:
    digest = rubric_hash(load_rubric(DISTRICT))[: len("sha256:") + 12]
    line = f"评价标准：XX区节约型机关评价标准（2024），{digest}…，conserv_rubric {cr.__version__}"
    verified = ROOT / "docs" / "examples" / "district-verified.toml"
    for args in (
        ("score", DISTRICT, EXAMPLES / "pass.toml"),
        ("gap", DISTRICT, EXAMPLES / "pass.toml"),
        ("diff", DISTRICT, EXAMPLES / "pass.toml", verified),
    ):
        _, out, err = run(capsys, *args)
        assert err == ""
        assert out.splitlines()[-2:] == ["", line]
        _, md, _ = run(capsys, *args, "--format", "markdown")
        assert md.splitlines()[-1] == line.replace("conserv_rubric", "conserv\\_rubric")


def test_gap_and_diff_name_the_rubric_they_were_scored_with() -> None:
    district = load_rubric(DISTRICT)
    mine = score(district, load_sheet(EXAMPLES / "pass.toml"))
    theirs = score(district, load_sheet(ROOT / "docs" / "examples" / "district-verified.toml"))
    assert gap(mine).provenance == mine.provenance
    assert diff(mine, theirs).provenance == mine.provenance


def test_a_blank_template_scored_as_is_names_the_agency_as_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blank = tmp_path / "自评打分表.toml"
    code, out, err = run(capsys, "template", DISTRICT, "-o", blank)
    assert (code, out, err) == (0, "", "")
    warning = (
        f'{blank}: sheet.agency: warning: the sheet names no agency (agency = ""); '
        "the report says 未填写单位名称\n"
    )
    code, out, err = run(capsys, "score", DISTRICT, blank)
    assert (code, err) == (1, warning)
    assert out.splitlines()[1].startswith("单位：未填写单位名称　年度：")
    code, out, err = run(capsys, "gap", DISTRICT, blank)
    assert (code, err) == (1, warning)
    assert out.splitlines()[0] == "XX区节约型机关评价标准 — 未填写单位名称 差距分析"
    code, out, err = run(capsys, "score", DISTRICT, blank, "--format", "json")
    assert (code, err) == (1, warning)
    assert json.loads(out)["agency"] == ""


def test_a_shipped_plan_is_named_like_a_shipped_rubric(capsys: pytest.CaptureFixture[str]) -> None:
    sheets = ROOT / "examples" / "district-year" / "sheets"
    roster = ROOT / "examples" / "district-year" / "roster.csv"
    by_name = run(capsys, "rollup", "district", sheets, "--plan", "district", "--roster", roster)
    by_file = run(
        capsys, "rollup", DISTRICT, sheets, "--plan", ROOT / "plans" / "district.toml", "--roster", roster
    )
    assert by_name == by_file
    assert by_name[1].splitlines()[0] == "XX区节约型机关创建行动方案 — 2024年度汇总"


ENERGY = """\
[sheet]
agency = "XX区发展和改革局"
year = 2024

[energy]
year = 2023
area = 8000
energy_users = 120
water = 3000

[energy.use]
electricity = { kwh = 240000 }

[energy.vehicles]
gasoline = { litres = 0 }
"""


def test_every_command_that_writes_a_report_takes_o(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    energy = tmp_path / "energy.toml"
    energy.write_text(ENERGY, encoding="utf-8")
    verified = ROOT / "docs" / "examples" / "district-verified.toml"
    for args in (
        ("check", DISTRICT),
        ("rubrics",),
        ("template", DISTRICT),
        ("diff", DISTRICT, EXAMPLES / "pass.toml", verified),
        ("energy", energy),
    ):
        target = tmp_path / f"{args[0]}.txt"
        code, expected, err = run(capsys, *args)
        assert err == ""
        assert run(capsys, *args, "-o", target) == (code, "", "")
        assert target.read_text(encoding="utf-8") == expected


def test_the_rollup_report_shows_control_characters_as_escapes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sheet = tmp_path / "a.toml"
    sheet.write_text('[sheet]\nagency = "甲\\u001b[2J局\\n认定：达到"\nyear = 2024\n', encoding="utf-8")
    # The sheet is refused (a name is one line of plain text), and the report names why, escaped.
    for shape, shown in (
        ("text", "sheet.agency: holds the control character \\x1b"),
        ("markdown", "sheet.agency: holds the control character \\\\x1b"),
    ):
        _, out, _ = run(capsys, "rollup", DISTRICT, sheet, "--format", shape)
        assert "\x1b" not in out
        assert any(shown in line for line in out.splitlines())
        assert not any(line.startswith("认定：达到") for line in out.splitlines())


def _through_toml(rubric: cr.Rubric) -> str:
    """The canonical JSON as first defined: `dumps_rubric`'s TOML parsed back."""
    with decimal.localcontext(decimal.Context(prec=28)):
        return _canonical(tomllib.loads(cr.dumps_rubric(rubric), parse_float=Decimal))


@pytest.mark.parametrize("path", sorted((ROOT / "rubrics").glob("*.toml")), ids=lambda p: p.name)
def test_canonical_json_is_the_toml_read_back(path: Path) -> None:
    rubric, _ = read_rubric(path)
    assert canonical_json(rubric) == _through_toml(rubric)


@given(rubrics())
def test_generated_canonical_json_is_the_toml_read_back(rubric: cr.Rubric) -> None:
    assert canonical_json(rubric) == _through_toml(rubric)
