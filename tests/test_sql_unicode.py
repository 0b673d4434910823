"""The stored Unicode tables of the SQL cell grammar are the ones this Python computes, and a
store made under another Unicode version (or for other mapped characters) is not used."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from conserv_rubric._sql import _unicode, cells


def test_the_stored_tables_are_the_computed_ones() -> None:
    stored = json.loads(_unicode.STORE.read_text(encoding="utf-8"))
    computed = _unicode.compute(cells.MAPPED)
    if stored["unidata_version"] == unicodedata.unidata_version:
        assert stored["mapped"] == cells.MAPPED
        assert {k: stored[k] for k in computed} == computed
    # Whichever was read, it is what this Python computes.
    assert _unicode.tables(cells.MAPPED) == computed
    # Spot checks by hand: the ideographic space is a space; the full-width digit is mapped
    # (read), a combining acute accent and the fi ligature (NFKC: "fi") are not read.
    assert "\u3000" in computed["space"]
    codes = {c for a, b in computed["unmapped"] for c in range(a, b + 1)}
    assert 0xFF13 not in codes
    assert {0x0301, 0xFB01} <= codes
    assert not any(a <= 0x4E2D <= b for a, b in computed["unmapped"])  # 中 is read


def _read_from(store: Path, monkeypatch: pytest.MonkeyPatch) -> _unicode.Tables:
    """The tables `tables` gives with *store* as the stored file, read afresh."""
    monkeypatch.setattr(_unicode, "STORE", store)
    _unicode.tables.cache_clear()
    try:
        return _unicode.tables(cells.MAPPED)
    finally:
        _unicode.tables.cache_clear()


@pytest.mark.parametrize("field", ["unidata_version", "mapped"])
def test_a_store_of_another_version_or_mapping_is_computed_afresh(
    field: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = json.loads(_unicode.STORE.read_text(encoding="utf-8"))
    doc[field] = "other"
    doc["unmapped"] = [[0x80, 0x80]]  # a table that must not be used
    store = tmp_path / "unicode.json"
    store.write_text(json.dumps(doc), encoding="utf-8")
    assert _read_from(store, monkeypatch)["unmapped"] == _unicode.compute(cells.MAPPED)["unmapped"]


def test_a_missing_or_broken_store_is_computed_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = _unicode.compute(cells.MAPPED)
    shipped = json.loads(_unicode.STORE.read_text(encoding="utf-8"))
    missing = tmp_path / "missing.json"
    assert _read_from(missing, monkeypatch) == computed
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert _read_from(broken, monkeypatch) == computed
    # A store of this version that lost a table, or holds one of the wrong type, or is no object.
    doc = {k: v for k, v in shipped.items() if k != "common"}
    for bad in (doc, {**doc, "common": "x"}, [1, 2]):
        torn = tmp_path / "torn.json"
        torn.write_text(json.dumps(bad), encoding="utf-8")
        assert _read_from(torn, monkeypatch) == computed
