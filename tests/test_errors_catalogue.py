"""The error catalogue, docs/errors.md, is generated from the cases in tests/data/errors/.

Each case is a folder holding its inputs and ``expected.txt``, the whole message the library
prints for them; docs/gen_errors.py runs every case and writes the page. These tests fail when a
message changes without its case, when the page is not what the script writes, and when the
corpus is empty or holds a case its section does not list.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_errors", ROOT / "docs" / "gen_errors.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _script()
SECTIONS: list[Any] = gen.load_corpus()
CASES: list[Any] = [case for section in SECTIONS for case in section.cases]


def test_the_corpus_holds_the_cases() -> None:
    assert [s.folder.name for s in SECTIONS][:3] == ["01-files", "02-toml", "03-schema"]
    assert len(SECTIONS) == 23
    assert len(CASES) >= 180
    for case in CASES:
        assert case.expected_file.is_file(), case.name


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_message(case: Any) -> None:
    outcome = gen.run(case)
    assert outcome.message == case.expected()
    assert outcome.exit == case.exit
    # Messages name files as given, relative to the case's folder, wherever the checkout is.
    assert str(ROOT) not in outcome.message
    assert tempfile.gettempdir() not in outcome.message


def test_sheet_problems_are_sheet_errors() -> None:
    errors = {"load_rubric": "RubricError", "load_sheet": "SheetError", "score": "SheetError"}
    api = [case for case in CASES if case.run[0] in errors]
    assert {case.name: gen.run(case).error for case in api} == {
        case.name: errors[case.run[0]] for case in api
    }


def test_the_page_is_generated_from_the_corpus() -> None:
    current = gen.PAGE.read_text(encoding="utf-8")
    # On failure: python docs/gen_errors.py writes the page again.
    assert current == gen.page(SECTIONS, current)
    assert current.count("\n### ") == len(CASES)


def test_the_script_finds_nothing_to_change(capsys: pytest.CaptureFixture[str]) -> None:
    assert gen.main(["--check"]) == 0
    assert capsys.readouterr() == ("", "")


def test_an_empty_corpus_is_refused(tmp_path: Path) -> None:
    with pytest.raises(gen.CorpusError, match="no cases found"):
        gen.load_corpus(tmp_path)


def test_a_case_its_section_does_not_list_is_refused(tmp_path: Path) -> None:
    section = SECTIONS[1].folder
    shutil.copytree(section, tmp_path / section.name)
    shutil.copytree(section / "duplicate_key", tmp_path / section.name / "duplicate_key_again")
    with pytest.raises(gen.CorpusError, match=r"section\.toml lists"):
        gen.load_corpus(tmp_path)
