"""The converter's fast path: the same model as cattrs for every document that fits, and for
any other the converter's own messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from conserv_rubric import dumps_rubric
from conserv_rubric._convert import _converter, _fast, _Misfit, structure
from conserv_rubric._expect import Expectation
from conserv_rubric._parse import parse_toml
from conserv_rubric._rubric_io import unstructure
from conserv_rubric._sheet import SheetInfo
from conserv_rubric.errors import RubricError
from conserv_rubric.model import Rubric
from conserv_rubric.strategies import rubrics

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "rubrics").glob("*.toml"))


def _both(doc: dict[str, Any], cls: type[Any]) -> tuple[Any, Any]:
    return _fast(cls)(doc), _converter().structure(doc, cls)


def test_shipped_rubrics_found() -> None:
    assert len(SHIPPED) >= 5


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_rubric_structures_as_cattrs_does(path: Path) -> None:
    doc = parse_toml(path.read_text(encoding="utf-8"), str(path))
    doc.pop("extends", None)
    fast, slow = _both(doc, Rubric)
    assert fast == slow
    assert dumps_rubric(fast) == dumps_rubric(slow)


@given(rubrics())
def test_generated_rubric_structures_as_cattrs_does(rubric: Rubric) -> None:
    doc = parse_toml(dumps_rubric(rubric), None)
    fast, slow = _both(doc, Rubric)
    assert fast == slow == rubric


def test_sheet_tables_structure_as_cattrs_does() -> None:
    info = {"agency": "甲局", "stage": "自评", "year": 2024}
    assert _both(info, SheetInfo)[0] == _both(info, SheetInfo)[1]
    expect = {"total": 80}
    fast, slow = _both(expect, Expectation)
    assert fast == slow


_ITEM = {"kind": "flag", "text": "制度", "points": 2}
_UNIT = {"title": "制度建设", "points": 2, "items": [_ITEM]}
_DOC = {"title": "测试", "total": 2, "units": [_UNIT]}


def _with(**changes: Any) -> dict[str, Any]:
    item = {**_ITEM, **changes}
    return {**_DOC, "units": [{**_UNIT, "items": [item]}]}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_with(pionts=2), "units[0].items[0]: unknown key 'pionts' (did you mean 'points'?)"),
        (_with(points=True), "units[0].items[0].points: expected a number, got a boolean (true)"),
        (_with(points="2"), 'units[0].items[0].points: expected a number, got a string ("2")'),
        (_with(at_least=1.5), "units[0].items[0].at_least: expected a whole number, got a number (1.5)"),
        (
            _with(kind="flga"),
            "units[0].items[0].kind: unknown rule kind \"flga\" (did you mean 'flag'?); "
            "expected one of bands, best, cases, check, deduct, each, flag, judged, linear, parts, tiers",
        ),
        ({"total": 2, "units": [_UNIT]}, "top level: missing required key 'title'"),
        ({**_DOC, "units": {}}, "units: expected an array, got a table"),
        (
            _with(gate="vetoed"),
            'units[0].items[0].gate: expected one of "required", "veto", "zero", '
            "got a string (\"vetoed\") (did you mean 'veto'?)",
        ),
    ],
)
def test_misfit_gives_the_converters_message(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(_Misfit):
        _fast(Rubric)(doc)
    with pytest.raises(RubricError) as exc:
        structure(doc, Rubric)
    assert [str(p) for p in exc.value.problems] == [message]


def test_fitting_document_round_trips() -> None:
    rubric = structure(_DOC, Rubric)
    assert unstructure(rubric) == _DOC


def test_first_load_imports_no_cattrs() -> None:
    code = (
        "import sys, conserv_rubric as cr; cr.load_rubric('rubrics/district.toml');"
        "print('cattrs' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"
