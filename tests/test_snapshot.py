"""The shipped rubrics' snapshots (`conserv_rubric._snapshot`): each is what a fresh reading of
its rubric gives, it is used only for exactly its text, and a bad one is passed over."""

from __future__ import annotations

import hashlib
import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import RubricError, _snapshot, load_rubric
from conserv_rubric._provenance import canonical_json, rubric_hash
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric._shipped import index

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
TEXT = DISTRICT.read_text(encoding="utf-8")
REWRITE = "the snapshots are out of date: python -m conserv_rubric._snapshot rewrites them"


def test_every_snapshot_is_the_one_its_rubric_calls_for() -> None:
    found = {p.name: p.read_text(encoding="utf-8") for p in _snapshot.FOLDER.glob("*.json")}
    assert "district.json" in found
    assert "yy-district.json" not in found  # it extends district: its document is not its text's alone
    assert sorted(found) == sorted(_snapshot.expected()), REWRITE
    for name, text in _snapshot.expected().items():
        assert found[name] == text, f"{name}: {REWRITE}"


@pytest.mark.parametrize("name", sorted(p.stem for p in _snapshot.FOLDER.glob("*.json")))
def test_a_snapshot_holds_its_rubric_text_document_and_hash(name: str) -> None:
    path = index()[name]
    snapshot = json.loads(
        (_snapshot.FOLDER / f"{name}.json").read_text(encoding="utf-8"), parse_float=Decimal
    )
    text = path.read_text(encoding="utf-8")
    doc = tomllib.loads(text, parse_float=Decimal)
    assert snapshot["source"] == text
    assert snapshot["doc"] == doc
    assert json.dumps(snapshot["doc"], default=repr) == json.dumps(
        doc, default=repr
    )  # 5 stays 5, 2.0 stays 2.0
    fresh, problems = read_rubric(path, snapshots=False)
    assert snapshot["hash"] == "sha256:" + hashlib.sha256(canonical_json(fresh).encode("utf-8")).hexdigest()
    through, through_problems = read_rubric(path)
    assert through == fresh
    assert repr(through) == repr(fresh)
    assert through_problems == problems
    assert rubric_hash(through) == snapshot["hash"]


def _variant(tmp_path: Path, title: str, **changes: object) -> Path:
    """A snapshot folder holding a district snapshot whose document has another *title*."""
    snapshot = json.loads((_snapshot.FOLDER / "district.json").read_text(encoding="utf-8"))
    snapshot["doc"]["title"] = title
    snapshot.update(changes)
    folder = tmp_path / "snapshots"
    folder.mkdir()
    (folder / "district.json").write_text(json.dumps(snapshot, ensure_ascii=False), encoding="utf-8")
    return folder


def test_the_snapshot_is_what_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_snapshot, "FOLDER", _variant(tmp_path, "from the snapshot"))
    assert load_rubric(DISTRICT).title == "from the snapshot"


@pytest.mark.parametrize(
    "changes",
    [{"format": 2}, {"hash_version": 2}, {"source": TEXT + "\n"}, {"doc": []}, {"hash": None}],
    ids=["format", "hash version", "source", "document", "hash"],
)
def test_a_snapshot_that_does_not_fit_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changes: dict[str, object]
) -> None:
    monkeypatch.setattr(_snapshot, "FOLDER", _variant(tmp_path, "from the snapshot", **changes))
    assert load_rubric(DISTRICT).title == "XX区节约型机关评价标准"


def test_an_unreadable_snapshot_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "district.json").write_bytes(b'{"format": 1, "source": ')
    monkeypatch.setattr(_snapshot, "FOLDER", tmp_path)
    assert load_rubric(DISTRICT).title == "XX区节约型机关评价标准"


def test_an_edited_copy_of_a_shipped_rubric_is_read_from_its_own_text(tmp_path: Path) -> None:
    copy = tmp_path / "district.toml"
    copy.write_text(TEXT.replace('version = "2024"', 'version = "2025"'), encoding="utf-8")
    edited = load_rubric(copy)
    assert edited.version == "2025"
    expected = "sha256:" + hashlib.sha256(canonical_json(edited).encode("utf-8")).hexdigest()
    assert rubric_hash(edited) == expected
    assert rubric_hash(edited) != rubric_hash(load_rubric(DISTRICT))


def test_an_exact_copy_elsewhere_is_read_through_the_snapshot(tmp_path: Path) -> None:
    copy = tmp_path / "district.toml"
    copy.write_text(TEXT, encoding="utf-8")
    assert load_rubric(copy) == load_rubric(DISTRICT, root=ROOT)


def test_a_root_that_is_no_folder_is_refused_with_a_snapshot_too(tmp_path: Path) -> None:
    with pytest.raises(RubricError) as exc:
        load_rubric(DISTRICT, root=tmp_path / "missing")
    assert str(exc.value) == f"root '{tmp_path / 'missing'}' is not a folder"


def test_a_decimal_keeps_its_digits_and_an_int_stays_an_int() -> None:
    doc = {"a": Decimal("5"), "b": Decimal("2.0"), "c": Decimal("1E+1"), "d": 5, "e": True, "f": ["x"]}
    back = json.loads(_snapshot._json(doc), parse_float=Decimal)
    assert back == doc
    assert [type(v) for v in back.values()] == [Decimal, Decimal, Decimal, int, bool, list]
    assert [str(back[k]) for k in "abc"] == ["5", "2.0", "1E+1"]
    with pytest.raises(ValueError, match="a TOML value a snapshot cannot hold: Decimal"):
        _snapshot._json({"g": Decimal("NaN")})
