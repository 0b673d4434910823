"""Provenance (DESIGN §14): what produced a result — the rubric's title, version and hash, the library.

The hash is the sha256 of a canonical JSON of the resolved rubric: its canonical TOML form
(`dumps_rubric`: ``extends`` merged, defaults left out) read back, with keys sorted, no
whitespace, strings as UTF-8 and numbers in their shortest exact form (``2``, ``2.5``). Leaving
defaults out keeps the hash of a rubric when the library adds a field with a default.
`HASH_VERSION` changes only when this canonical form does.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
import weakref
from decimal import Decimal
from typing import Any, Final

from . import __version__
from ._energy_coefficients import DEFAULT_COEFFICIENTS
from ._energy_model import Coefficients
from ._rubric_io import dumps_rubric
from ._text import fmt
from .model import Rubric

#: The version of the canonical form hashed; a change makes every hash differ.
HASH_VERSION: Final = 1


def _canonical(value: object) -> str:
    if isinstance(value, dict):
        body = ",".join(
            f"{json.dumps(k, ensure_ascii=False)}:{_canonical(v)}" for k, v in sorted(value.items())
        )
        return "{" + body + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return fmt(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(
        f"no canonical JSON for {type(value).__name__}"
    )  # pragma: no cover - TOML has no other types here


def canonical_json(rubric: Rubric) -> str:
    """The canonical JSON text of *rubric* that `rubric_hash` hashes."""
    return _canonical(tomllib.loads(dumps_rubric(rubric), parse_float=Decimal))


_HASHES: Final[dict[int, tuple[weakref.ref[Rubric], str]]] = {}


def rubric_hash(rubric: Rubric) -> str:
    """``sha256:`` and the hex digest of *rubric*'s canonical JSON."""
    # Computed once per rubric object (a few milliseconds): score() compares it for every workbook.
    found = _HASHES.get(id(rubric))
    if found is not None and found[0]() is rubric:
        return found[1]
    digest = "sha256:" + hashlib.sha256(canonical_json(rubric).encode("utf-8")).hexdigest()
    _HASHES[id(rubric)] = (weakref.ref(rubric), digest)
    weakref.finalize(rubric, _HASHES.pop, id(rubric), None)
    return digest


def provenance(rubric: Rubric) -> dict[str, Any]:
    """The provenance of a result scored against *rubric*: rubric, version, hash, hash_version, library."""
    return {
        "rubric": rubric.title,
        "version": rubric.version,
        "hash": rubric_hash(rubric),
        "hash_version": HASH_VERSION,
        "library": __version__,
    }


def coefficients_provenance(table: Coefficients | None) -> dict[str, Any] | None:
    """The coefficient table a result used, when it is not the default (DESIGN §14); else None."""
    if table is None or (table.name == DEFAULT_COEFFICIENTS and table.file is None):
        return None
    return {"name": table.name, "version": table.version, "basis": table.basis, "file": table.file}
