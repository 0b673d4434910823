"""Broken rubrics in tests/data/invalid/, each beside the message we expect (NAME.expected).

Paths in the messages are relative to the repository root, as given to `load_rubric`, so the
tests run from there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conserv_rubric import RubricError, load_rubric

ROOT = Path(__file__).resolve().parent.parent
INVALID = Path("tests/data/invalid")
CASES = sorted(p.name for p in (ROOT / INVALID).glob("*.toml"))


def test_the_folder_holds_the_cases() -> None:
    assert len(CASES) >= 20
    for name in CASES:
        assert (ROOT / INVALID / name).with_suffix(".expected").is_file(), name


def _error(name: str, monkeypatch: pytest.MonkeyPatch) -> RubricError:
    monkeypatch.chdir(ROOT)
    with pytest.raises(RubricError) as excinfo:
        load_rubric(str(INVALID / name))
    return excinfo.value


@pytest.mark.parametrize("name", CASES)
def test_message(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = (ROOT / INVALID / name).with_suffix(".expected").read_text(encoding="utf-8")
    assert str(_error(name, monkeypatch)) == expected.rstrip("\n")


@pytest.mark.parametrize("name", CASES)
def test_every_problem_is_located(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    error = _error(name, monkeypatch)
    assert error.problems
    for problem in error.problems:
        assert problem.file is not None, problem
        assert problem.path is not None or problem.line is not None, problem


@pytest.mark.parametrize(
    ("name", "line", "column"),
    [("syntax_error.toml", 20, 8), ("not_utf8.toml", 2, None)],
)
def test_unparsable_files_give_the_line(
    name: str, line: int, column: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    (problem,) = _error(name, monkeypatch).problems
    assert (problem.file, problem.line, problem.column, problem.path) == (
        str(INVALID / name),
        line,
        column,
        None,
    )


@pytest.mark.parametrize(
    ("name", "path", "address", "expected", "actual"),
    [
        ("unit_total_mismatch.toml", "units[0]", "1", "12", "10"),
        ("project_total_mismatch.toml", "units[0].projects[0]", "1.1", "9", "10"),
        ("parts_total_mismatch.toml", "units[0].projects[0].items[0]", "1.1.1", "5", "4"),
        ("rubric_total_mismatch.toml", "total", None, "100", "10"),
        ("unreachable_cap.toml", "units[0].projects[0].items[1]", "1.1.2", "≤ 4", "6"),
        ("level_above_total.toml", "levels[0].min", None, "≤ 10", "120"),
    ],
)
def test_mismatches_keep_their_parts(
    name: str,
    path: str,
    address: str | None,
    expected: str,
    actual: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (problem,) = _error(name, monkeypatch).problems
    assert (problem.path, problem.address, problem.expected, problem.actual) == (
        path,
        address,
        expected,
        actual,
    )
