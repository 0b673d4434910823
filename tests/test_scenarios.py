"""Scenario tests for authors: ``[expect]`` in a sheet, and ``conserv-rubric test``.

The district examples' expectations are the figures their headers work out by hand; the wrong
expectations below are those figures changed, so each difference is known without scoring.
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import SheetError, cli, load_rubric, load_sheet, loads_sheet, score
from conserv_rubric import testing as kit
from conserv_rubric._expect import Expectation
from conserv_rubric._scenarios import run_test

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
EXAMPLES = ("examples/district/at-80.toml", "examples/district/fail.toml", "examples/district/pass.toml")
FAIL = ROOT / "examples" / "district" / "fail.toml"
PROPERTIES = re.compile(r"properties: all 13 hold on [0-9]+ generated sheets of XX区节约型机关评价标准")


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def with_expect(tmp_path: Path, expect: str, name: str = "sheet.toml") -> Path:
    """fail.toml (64 points, no level) with *expect* as its [expect] table."""
    text = FAIL.read_text(encoding="utf-8")
    body = text[: text.index("\n# What this sheet should score")]
    path = tmp_path / name
    path.write_text(f"{body}\n\n[expect]\n{expect}\n", encoding="utf-8")
    return path


# --- [expect] in the sheet -------------------------------------------------------------------------


def test_the_district_examples_carry_their_hand_worked_results() -> None:
    expected = {
        # total, level, passed, unit subtotals, as each file's header works them out
        "at-80": (80, "节约型机关", True, [9, 19, 20, 18, 14]),
        "fail": (64, None, False, [6, 13, 17, 16, 12]),
        "pass": (92, "节约型机关", True, [6, 25, 22, 22, 17]),
    }
    for name, (total, level, passed, units) in expected.items():
        expect = load_sheet(ROOT / "examples" / "district" / f"{name}.toml").expect
        assert expect is not None
        assert (expect.total, expect.level, expect.passed) == (Decimal(total), level, passed)
        assert [expect.units[str(u)] for u in range(1, 6)] == [Decimal(p) for p in units]
        assert sum(units) == total


def test_scoring_ignores_the_expectation(tmp_path: Path) -> None:
    rubric = load_rubric(DISTRICT)
    wrong = load_sheet(with_expect(tmp_path, "total = 1\npassed = true"))
    assert wrong.expect == Expectation(total=Decimal(1), passed=True)
    card = score(rubric, wrong)
    plain = score(rubric, load_sheet(FAIL))
    assert (card.total, card.passed) == (Decimal(64), False)
    where = ("file", "line")  # the two sheets come from different files
    assert {k: v for k, v in card.to_dict().items() if k not in where} == {
        k: v for k, v in plain.to_dict().items() if k not in where
    }


def test_a_sheet_without_expect_has_none() -> None:
    sheet = loads_sheet('[sheet]\nagency = "a"\n')
    assert sheet.expect is None
    assert loads_sheet('[sheet]\nagency = "a"\n[expect]\n').expect == Expectation()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('total = "59"', 'sheet.toml: expect.total: expected a number, got a string ("59")'),
        ("passed = 1", "sheet.toml: expect.passed: expected true or false, got a number (1)"),
        ('levle = "节约型机关"', "sheet.toml: expect: unknown key 'levle' (did you mean 'level'?)"),
        ("units = 3", "sheet.toml: expect.units: expected a table, got a number (3)"),
        (
            'items = { "2.2.2" = true }',
            'sheet.toml: expect.items."2.2.2": expected a number, got a boolean (true)',
        ),
        ("level = 1", "sheet.toml: expect.level: expected a string, got a number (1)"),
    ],
)
def test_a_malformed_expectation_is_refused_where_it_is(table: str, message: str) -> None:
    with pytest.raises(SheetError) as exc:
        loads_sheet(f'[sheet]\nagency = "a"\n[expect]\n{table}\n', file="sheet.toml")
    assert str(exc.value) == message


def test_an_expectation_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(SheetError) as exc:
        loads_sheet('expect = 59\n[sheet]\nagency = "a"\n', file="sheet.toml")
    assert str(exc.value) == "sheet.toml: expect: expected a table, got a number (59)"


# --- conserv-rubric test ---------------------------------------------------------------------------


def test_the_district_examples_pass(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "test", "district", *EXAMPLES)
    first, *rest = out.splitlines()
    assert PROPERTIES.fullmatch(first), first
    assert rest == [
        "examples/district/at-80.toml: as expected (total 80, 节约型机关, passed)",
        "examples/district/fail.toml: as expected (total 64, not passed)",
        "examples/district/pass.toml: as expected (total 92, 节约型机关, passed)",
        "3 of 3 example sheets as expected",
    ]
    assert (code, err) == (0, "")


def test_a_folder_of_examples(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "test", "--no-properties", "district", "examples/district")
    assert code == 0
    assert out.splitlines()[0] == "properties: not checked (--no-properties)"
    assert out.splitlines()[-1] == "3 of 3 example sheets as expected"


def test_a_wrong_expectation_is_reported_whole(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # fail.toml scores 64, passes not, unit 3 17, project 2.2 10 and item 2.2.2 2 (its header).
    sheet = with_expect(
        tmp_path,
        'total = 60\npassed = true\nunits = { "3" = 18, "4" = 16 }\nprojects = { "2.2" = 11 }\n'
        'items = { "2.2.2" = 3, "3.1.2" = 0 }',
    )
    code, out, err = run(capsys, "test", "--no-properties", DISTRICT, sheet)
    assert out == (
        "properties: not checked (--no-properties)\n"
        f"{sheet}: expect.total: expected 60, got 64\n"
        f"{sheet}: expect.passed: expected true, got false\n"
        f'{sheet}: unit 3 推行绿色办公 (expect.units."3"): expected 18, got 17\n'
        f'{sheet}: project 2.2 管理制度 (expect.projects."2.2"): expected 11, got 10\n'
        f'{sheet}: item 2.2.2 (expect.items."2.2.2"): expected 3, got 2: '
        "2项（能源资源消费统计、生活垃圾分类） × 1分 = 2分（最高5分）\n"
        "0 of 1 example sheets as expected\n"
    )
    assert (code, err) == (1, "")


def test_a_difference_keeps_its_parts() -> None:
    run_ = run_test(load_rubric(DISTRICT), [FAIL], properties=False)
    assert run_.sheets[0].differences == ()
    [outcome] = run_test(
        load_rubric(DISTRICT),
        [loads_sheet(FAIL.read_text(encoding="utf-8").replace("total = 64", "total = 65"))],
    ).sheets
    [difference] = outcome.differences
    assert (difference.path, difference.expected, difference.actual) == ("expect.total", "65", "64")


def test_a_level_not_reached(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sheet = with_expect(tmp_path, 'level = "节约型机关"')
    code, out, _ = run(capsys, "test", "--no-properties", DISTRICT, sheet)
    assert out.splitlines()[1] == f"{sheet}: expect.level: expected 节约型机关, got no level"
    assert code == 1


def test_a_sheet_without_expectation_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = with_expect(tmp_path, "", "empty.toml")
    none = tmp_path / "none.toml"
    none.write_text('[sheet]\nagency = "a"\n[answers]\n"2.1.1" = true\n', encoding="utf-8")
    code, out, err = run(capsys, "test", "--no-properties", DISTRICT, empty, none)
    assert out.splitlines()[1:] == [
        f"{empty}: nothing to compare: add an [expect] table with what it should score "
        "(it scores total 64, not passed)",
        f"{none}: nothing to compare: add an [expect] table with what it should score "
        "(it scores total 1, not passed)",
        "0 of 2 example sheets as expected",
    ]
    assert (code, err) == (1, "")


def test_what_the_rubric_lacks_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sheet = with_expect(
        tmp_path,
        'total = 60\nlevel = "节约机关"\nunits = { "6" = 1 }\n'
        'projects = { "2.9" = 1 }\nitems = { "2.2.9" = 1 }',
    )
    code, out, err = run(capsys, "test", "--no-properties", DISTRICT, sheet)
    assert out == (
        "properties: not checked (--no-properties)\n"
        f"{sheet}: expect.total: expected 60, got 64\n"
        f"{sheet}: its [expect] names what the rubric lacks (see the errors)\n"
        "0 of 1 example sheets as expected\n"
    )
    assert err == (
        f"{sheet}: expect.level: '节约机关' is not a level of the rubric (did you mean '节约型机关'?); "
        "its levels are 节约型机关\n"
        f"{sheet}: expect.units.\"6\": the rubric has no unit '6'\n"
        f"{sheet}: expect.projects.\"2.9\": the rubric has no project '2.9' (did you mean '2.2'?)\n"
        f"{sheet}: expect.items.\"2.2.9\": the rubric has no item '2.2.9' (did you mean '2.2.5'?)\n"
    )
    assert code == 2


def test_a_level_for_a_rubric_without_levels(tmp_path: Path) -> None:
    rubric_file = tmp_path / "r.toml"
    rubric_file.write_text(
        'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "flag"\npoints = 1\n',
        encoding="utf-8",
    )
    sheet = loads_sheet('[sheet]\nagency = "a"\n[expect]\nlevel = "合格"\n', file="s.toml")
    [outcome] = run_test(load_rubric(rubric_file), [sheet], properties=False).sheets
    assert [str(p) for p in outcome.errors] == [
        "s.toml: expect.level: '合格' is not a level of the rubric; it has no levels"
    ]


def test_a_sheet_that_does_not_score_and_a_missing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[sheet]\nagency = "a"\n[answers]\n"2.1.1" = 1\n[expect]\ntotal = 1\n', encoding="utf-8")
    missing = tmp_path / "missing.toml"
    code, out, err = run(capsys, "test", "--no-properties", DISTRICT, bad, missing)
    assert out == (
        f"properties: not checked (--no-properties)\n{bad}: could not be scored (see the errors)\n"
        "0 of 2 example sheets as expected\n"
    )
    assert err == (
        f"{missing}: cannot read file: No such file or directory\n"
        f'{bad}: answers."2.1.1": expected true or false, got a number (1)\n'
    )
    assert code == 2


def test_properties_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "test", "--examples", "5", "district")
    first, last = out.splitlines()
    assert PROPERTIES.fullmatch(first), first
    assert last == "no example sheets given"
    assert (code, err) == (0, "")


def test_a_failing_property_fails_the_test(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*_: object, **__: object) -> kit.CheckReport:
        raise kit.PropertyFailure("bounds", "scores 6 of 5", address="2.2.2", answers={"2.2.2": 6})

    monkeypatch.setattr(kit, "check_rubric", failing)
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "test", "district", EXAMPLES[0])
    assert out.splitlines()[:2] == [
        "properties: property 'bounds' failed at 2.2.2: scores 6 of 5",
        '  answers: {"2.2.2": 6}',
    ]
    assert code == 1


def test_without_hypothesis_the_examples_still_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # import hypothesis now fails
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "test", "district", *EXAMPLES)
    assert out.splitlines()[0] == (
        "properties: not checked: they need hypothesis (pip install 'conserv-rubric[hypothesis]')"
    )
    assert out.splitlines()[-1] == "3 of 3 example sheets as expected"
    assert (code, err) == (0, "")


@pytest.mark.parametrize("examples", ["0", "many"])
def test_the_number_of_examples_is_a_whole_number(capsys: pytest.CaptureFixture[str], examples: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["test", "--examples", examples, "district"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "conserv-rubric test: error: argument --examples: "
        f"expected a whole number of at least 1, got '{examples}'"
    )


def console(page: str, command: str) -> list[str]:
    """The output lines the page shows under ``$ command``."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    block = text.split(f"```console\n$ {command}\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


@pytest.mark.parametrize(
    ("page", "command"),
    [
        ("testing.md", "conserv-rubric test district examples/district/*.toml"),
        ("cli.md", "conserv-rubric test --no-properties district examples/district/*.toml"),
    ],
)
def test_the_docs_show_what_the_command_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, page: str, command: str
) -> None:
    monkeypatch.chdir(ROOT)
    args = [*command.split()[1:-1], *EXAMPLES]
    code, out, _ = run(capsys, *args)
    shown = console(page, command)
    got = out.splitlines()
    assert code == 0
    if PROPERTIES.fullmatch(shown[0]):
        assert PROPERTIES.fullmatch(got[0]), got[0]
        shown, got = shown[1:], got[1:]
    assert got == shown
