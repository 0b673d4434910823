"""Shipped rubrics named by a bare word: the lookup, every command's RUBRIC, ``extends`` and the listing.

The tests run in a checkout, where the shipped rubrics are the repository's top-level rubrics/;
tests/test_wheel.py checks the wheel carries the same files.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import RubricError, _shipped, cli, dumps_rubric, load_rubric, loads_rubric
from conserv_rubric._shipped import folder, index, is_name, names, path

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
PASS = ROOT / "examples" / "district" / "pass.toml"
FILES = sorted((ROOT / "rubrics").rglob("*.toml"))
# (the nearest names to the misspelt "distrct", as difflib ranks them)
DISTRCT = "(did you mean 'district' or 'yy-district'?)"

SMALL = """\
title = "本地评价标准"
total = 2

[[units]]
title = "单元"
points = 2

[[units.items]]
kind = "flag"
text = "得2分。"
points = 2
"""


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory outside the checkout."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- the lookup ------------------------------------------------------------------------------


def test_names_are_the_stems_of_the_rubrics_folder() -> None:
    assert len(FILES) >= 5
    stems = [f.stem for f in FILES]
    assert len(set(stems)) == len(stems), "two shipped rubrics share a name"
    assert names() == sorted(stems)
    assert "district" in names()
    assert "yy-district" in names()


def test_path_of_a_name_in_a_checkout() -> None:
    assert path("district") == DISTRICT
    assert path("yy-district") == ROOT / "rubrics" / "variants" / "yy-district.toml"


def test_unknown_name_suggests_the_nearest() -> None:
    with pytest.raises(RubricError) as excinfo:
        path("distrct")
    assert str(excinfo.value) == f"no shipped rubric is named 'distrct' {DISTRCT}"


def test_unknown_name_with_nothing_near_lists_every_name() -> None:
    with pytest.raises(RubricError) as excinfo:
        path("zzz")
    every = ", ".join(sorted(f.stem for f in FILES))
    assert str(excinfo.value) == f"no shipped rubric is named 'zzz' (the shipped rubrics are {every})"


def test_unknown_name_where_nothing_is_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    def nothing(kind: str = "rubrics", package: Path | None = None) -> dict[str, Path]:
        return {}

    monkeypatch.setattr(_shipped, "index", nothing)
    with pytest.raises(RubricError) as excinfo:
        path("district")
    assert str(excinfo.value) == "no shipped rubric is named 'district' (this installation ships no rubrics)"


def test_plans_are_found_like_rubrics() -> None:
    assert (ROOT / "plans").is_dir()
    assert names("plans") == sorted(f.stem for f in (ROOT / "plans").glob("*.toml"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("district", True),
        ("yy-district", True),
        ("district.json", True),
        ("district.toml", False),
        ("District.TOML", False),
        ("./district", False),
        ("rubrics/district", False),
        ("rubrics\\district", False),
        (".", False),
        ("..", False),
        ("", False),
        ("a\x00b", False),
    ],
)
def test_what_counts_as_a_name(text: str, expected: bool) -> None:
    assert is_name(text) is expected


def _tree(root: Path, files: list[str]) -> None:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("", encoding="utf-8")


def test_an_installed_wheels_data_wins_over_a_checkout(tmp_path: Path) -> None:
    """site-packages/conserv_rubric/_data/rubrics, even where a src/ layout surrounds the package."""
    _tree(tmp_path, ["src/conserv_rubric/_data/rubrics/a.toml", "rubrics/b.toml"])
    package = tmp_path / "src" / "conserv_rubric"
    assert folder("rubrics", package) == package / "_data" / "rubrics"
    assert index("rubrics", package) == {"a": package / "_data" / "rubrics" / "a.toml"}


def test_a_checkout_reads_the_folder_beside_src(tmp_path: Path) -> None:
    _tree(tmp_path, ["src/conserv_rubric/__init__.py", "rubrics/b.toml", "rubrics/v/c.toml", "plans/p.toml"])
    package = tmp_path / "src" / "conserv_rubric"
    assert index("rubrics", package) == {
        "b": tmp_path / "rubrics" / "b.toml",
        "c": tmp_path / "rubrics" / "v" / "c.toml",
    }
    assert index("plans", package) == {"p": tmp_path / "plans" / "p.toml"}


def test_no_folder_ships_nothing(tmp_path: Path) -> None:
    """A package outside src/ without _data (a bare copy of the sources) ships nothing; nor a src/
    layout without the folder."""
    _tree(tmp_path, ["lib/conserv_rubric/__init__.py", "lib/rubrics/b.toml", "src/conserv_rubric/x.py"])
    assert folder("rubrics", tmp_path / "lib" / "conserv_rubric") is None
    assert index("rubrics", tmp_path / "lib" / "conserv_rubric") == {}
    # a src/ layout without the folder
    assert folder("plans", tmp_path / "src" / "conserv_rubric") is None


def test_a_name_found_twice_keeps_the_shallower_file(tmp_path: Path) -> None:
    _tree(tmp_path, ["pkg/_data/rubrics/z/a.toml", "pkg/_data/rubrics/a.toml", "pkg/_data/rubrics/b/b.toml"])
    shipped = tmp_path / "pkg" / "_data" / "rubrics"
    assert index("rubrics", tmp_path / "pkg") == {"a": shipped / "a.toml", "b": shipped / "b" / "b.toml"}


# --- RUBRIC on the command line --------------------------------------------------------------


def test_check_by_name(capsys: pytest.CaptureFixture[str], elsewhere: Path) -> None:
    code, out, err = run(capsys, "check", "district")
    assert (code, err) == (0, "")
    assert out.startswith("XX区节约型机关评价标准\n")
    assert "总分 100 = 9 + 27 + 25 + 22 + 17 ✓" in out
    code, out, _ = run(capsys, "check", "district", "--format", "json")
    assert json.loads(out)["file"] == str(DISTRICT)


def test_score_by_name(capsys: pytest.CaptureFixture[str], elsewhere: Path) -> None:
    """pass.toml: 6 + 25 + 22 + 22 + 17 = 92 (tests/test_shipped.py)."""
    code, out, err = run(capsys, "score", "district", PASS, "--format", "json")
    assert (code, err) == (0, "")
    card = json.loads(out)
    assert (card["total"], card["level"]) == (92, "节约型机关")


@pytest.mark.parametrize(
    "args",
    [
        ("gap", "{r}", str(PASS)),
        ("template", "{r}"),
        ("diff", "{r}", str(PASS), str(ROOT / "docs" / "examples" / "district-verified.toml")),
        ("fmt", "{r}"),
        ("fmt", "--check", "{r}"),
    ],
)
def test_every_command_takes_a_name_as_its_path(
    capsys: pytest.CaptureFixture[str], elsewhere: Path, args: tuple[str, ...]
) -> None:
    """The output by name is the output by path, exit code included."""
    by_path = run(capsys, *(a.format(r=DISTRICT) for a in args))
    by_name = run(capsys, *(a.format(r="district") for a in args))
    assert by_name == by_path
    assert by_name[0] in (0, 1)


def test_a_file_in_the_working_directory_wins(capsys: pytest.CaptureFixture[str], elsewhere: Path) -> None:
    (elsewhere / "district").write_text(SMALL, encoding="utf-8")
    code, out, _ = run(capsys, "check", "district")
    assert code == 0
    assert out.startswith("本地评价标准\n")
    assert "XX区" not in out


def test_a_folder_in_the_working_directory_does_not(
    capsys: pytest.CaptureFixture[str], elsewhere: Path
) -> None:
    """examples/ holds a folder named district: run from there, the name is still the rubric."""
    (elsewhere / "district").mkdir()
    code, out, _ = run(capsys, "check", "district")
    assert code == 0
    assert out.startswith("XX区节约型机关评价标准\n")


def test_unknown_name_exits_2(capsys: pytest.CaptureFixture[str], elsewhere: Path) -> None:
    code, out, err = run(capsys, "score", "distrct", PASS)
    assert (code, out) == (2, "")
    assert err == f"distrct: no such file, nor a shipped rubric of that name {DISTRCT}\n"


def test_a_name_too_long_for_a_file_is_still_an_input_error(
    capsys: pytest.CaptureFixture[str], elsewhere: Path
) -> None:
    long = "d" * 300
    code, _, err = run(capsys, "check", long)
    every = ", ".join(sorted(f.stem for f in FILES))
    assert code == 2
    assert (
        err == f"{long}: no such file, nor a shipped rubric of that name (the shipped rubrics are {every})\n"
    )


@pytest.mark.parametrize("text", ["district.toml", "./district"])
def test_a_path_is_never_a_name(capsys: pytest.CaptureFixture[str], elsewhere: Path, text: str) -> None:
    """Even where no such file exists, the argument is read as a path (shown as pathlib shows it)."""
    code, _, err = run(capsys, "check", text)
    assert code == 2
    assert err == f"{Path(text)}: cannot read file: No such file or directory\n"


def test_fmt_write_refuses_a_shipped_rubric(capsys: pytest.CaptureFixture[str], elsewhere: Path) -> None:
    before = DISTRICT.read_bytes()
    code, out, err = run(capsys, "fmt", "--write", "district")
    assert (code, out) == (2, "")
    assert err == (
        "district: a shipped rubric is not rewritten; "
        "copy it with: conserv-rubric fmt district > district.toml\n"
    )
    assert DISTRICT.read_bytes() == before


def test_fmt_write_rewrites_a_local_file_of_that_name(
    capsys: pytest.CaptureFixture[str], elsewhere: Path
) -> None:
    (elsewhere / "district").write_text(SMALL.replace("total = 2", "total    =    2"), encoding="utf-8")
    code, _, err = run(capsys, "fmt", "--write", "district")
    assert (code, err) == (0, "")
    assert "total = 2\n" in (elsewhere / "district").read_text(encoding="utf-8")


# --- load_rubric by name ----------------------------------------------------------------------


def test_load_rubric_takes_a_name_as_a_command_does(elsewhere: Path) -> None:
    """A platform that installed the wheel loads the shipped rubric by its name, not its path."""
    assert load_rubric("district") == load_rubric(DISTRICT)
    assert load_rubric("yy-district") == load_rubric(ROOT / "rubrics" / "variants" / "yy-district.toml")
    (elsewhere / "district").write_text(SMALL, encoding="utf-8")
    assert load_rubric("district").title == "本地评价标准"  # a file of that name wins


def test_load_rubric_of_an_unknown_name_suggests_the_nearest(elsewhere: Path) -> None:
    with pytest.raises(RubricError) as excinfo:
        load_rubric("distrct")
    assert str(excinfo.value) == f"distrct: no such file, nor a shipped rubric of that name {DISTRCT}"


@pytest.mark.parametrize("given", ["district.toml", "./district", Path("district")], ids=str)
def test_load_rubric_of_a_path_reads_a_file(elsewhere: Path, given: str | Path) -> None:
    """A path, or a name given as a `Path`, is a file, even where none exists."""
    with pytest.raises(RubricError) as excinfo:
        load_rubric(given)
    assert str(excinfo.value) == f"{given}: cannot read file: No such file or directory"


# --- extends by name -------------------------------------------------------------------------


def test_extends_a_shipped_rubric_by_name(tmp_path: Path) -> None:
    variant = tmp_path / "zz.toml"
    variant.write_text('extends = "district"\ntitle = "ZZ区节约型机关评价标准"\n', encoding="utf-8")
    rubric = load_rubric(variant)
    district = load_rubric(DISTRICT)
    assert rubric.title == "ZZ区节约型机关评价标准"
    assert (rubric.total, rubric.units, rubric.levels) == (district.total, district.units, district.levels)


def test_loads_rubric_extends_by_name(tmp_path: Path) -> None:
    """yy-district itself extends ../district.toml: the chain resolves from the shipped folder."""
    rubric = loads_rubric('extends = "yy-district"\nversion = "2026"\n', base_dir=tmp_path)
    yy = load_rubric(ROOT / "rubrics" / "variants" / "yy-district.toml")
    assert rubric.version == "2026"
    assert dumps_rubric(rubric) == dumps_rubric(yy).replace('version = "2025"', 'version = "2026"')
    # 9 + 28 + 24 + 22 + 17 (tests/test_extends.py)
    assert [u.points for u in rubric.units] == [Decimal(n) for n in (9, 28, 24, 22, 17)]


def test_extends_prefers_a_file_of_that_name_beside_it(tmp_path: Path) -> None:
    (tmp_path / "district").write_text(SMALL, encoding="utf-8")
    variant = tmp_path / "zz.toml"
    variant.write_text('extends = "district"\nversion = "1"\n', encoding="utf-8")
    rubric = load_rubric(variant)
    assert (rubric.title, rubric.total, rubric.version) == ("本地评价标准", Decimal(2), "1")


def test_extends_an_unknown_name(tmp_path: Path) -> None:
    variant = tmp_path / "zz.toml"
    variant.write_text('extends = "distrct"\n', encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(variant)
    assert str(excinfo.value) == (
        f"{variant}: extends: unknown base rubric 'distrct': no such file, nor a shipped rubric of that name "
        f"{DISTRCT}"
    )


def test_extends_a_name_with_a_toml_file_beside_it(tmp_path: Path) -> None:
    """`extends = "city"` beside city.toml: the author left out `.toml`, so the message says so
    rather than only listing the shipped rubrics."""
    (tmp_path / "city.toml").write_text(SMALL, encoding="utf-8")
    variant = tmp_path / "zz.toml"
    variant.write_text('extends = "city"\n', encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(variant)
    assert str(excinfo.value) == (
        f"{variant}: extends: unknown base rubric 'city': no such file, nor a shipped rubric of that name "
        "(did you mean 'city.toml', the file beside it?)"
    )


# --- conserv-rubric rubrics ------------------------------------------------------------------


def test_rubrics_lists_name_title_total_and_levels(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rubrics")
    assert (code, err) == (0, "")
    table, note = out.split("\n\n")
    rows = {row[0]: row for row in (re.split(r" {2,}", line) for line in table.splitlines())}
    assert list(rows) == ["名称", *names()]
    assert rows["district"] == ["district", "XX区节约型机关评价标准", "100", "✓", "节约型机关 ≥ 80"]
    assert rows["leed-v41-bdc"] == [
        "leed-v41-bdc",
        "LEED v4.1 Building Design and Construction: New Construction",
        "100 + 10",
        "✓",
        "Certified ≥ 40，Silver ≥ 50，Gold ≥ 60，Platinum ≥ 80",
    ]
    assert rows["gbt50378-2019-jiafenxiang"] == [
        "gbt50378-2019-jiafenxiang",
        "绿色建筑评价标准",
        "40 + 10",
        "✓",
        "—",
    ]
    # shipped as published, each with one problem (tests/test_shipped.py, INVALID_BY_DESIGN)
    assert rows["sichuan-jieshui-qiye"][3] == "✗1"
    assert rows["jieneng-mubiao-zeren-county"][3] == "✗1"
    assert note == "✗N：按原文收录，有 N 个问题（分值不相符等）；conserv-rubric check 名称 列出问题。\n"


def test_rubrics_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rubrics", "--format", "json")
    entries = json.loads(out)
    assert code == 0
    assert [e["name"] for e in entries] == names()
    assert entries[0] == {
        "name": "district",
        "title": "XX区节约型机关评价标准",
        "issuer": "XX区人民政府办公室（节能办）",
        "version": "2024",
        "total": 100,
        "bonus": None,
        "levels": [{"name": "节约型机关", "min": 80}],
        "valid": True,
        "problems": 0,
        "file": str(DISTRICT),
    }
    assert {e["name"] for e in entries if not e["valid"]} == {
        "sichuan-jieshui-qiye",
        "jieneng-mubiao-zeren-county",
    }
