"""Provenance (DESIGN §14): what produced a result — the rubric's title, version and hash, the library.

The hash is the sha256 of a canonical JSON of the resolved rubric: its canonical TOML form
(`dumps_rubric`: ``extends`` merged, defaults left out) read back, with keys sorted, no
whitespace, strings as UTF-8 and numbers in their shortest exact form (``2``, ``2.5``). Leaving
defaults out keeps the hash of a rubric when the library adds a field with a default.
`HASH_VERSION` changes only when this canonical form does.

Every result names its provenance: the JSON of a score card, a gap and a diff as `Provenance`
under ``provenance`` (beside their `SCHEMA_VERSION`), the roll-up's likewise, a CSV table in its
``rubric_hash`` and ``library`` columns, a text or Markdown report in the line of
`provenance_line`. The hash is computed once per rubric object.
"""

from __future__ import annotations

import json
import weakref
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from . import __version__
from ._exact import exactly
from ._frozen import Frozen
from ._rubric_io import unstructure
from ._text import fmt
from .model import Rubric

if TYPE_CHECKING:
    from ._energy_model import Coefficients

#: The version of the canonical form hashed; a change makes every hash differ.
HASH_VERSION: Final = 1
#: The version of the JSON of score cards, gaps and diffs (docs/scoring.md): it changes when a
#: key is removed or changes meaning, not when one is added.
SCHEMA_VERSION: Final = 1
#: How many hex digits of the hash a text report shows: enough to tell editions apart.
SHOWN_DIGITS: Final = 12


#: ``json.dumps(text, ensure_ascii=False)``, without making an encoder for every string.
_STRING: Final = json.JSONEncoder(ensure_ascii=False).encode


def _canonical(value: object) -> str:
    if isinstance(value, dict):
        body = ",".join(f"{_STRING(k)}:{_canonical(v)}" for k, v in sorted(value.items()))
        return "{" + body + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return fmt(value)
    if isinstance(value, str):
        return _STRING(value)
    raise TypeError(
        f"no canonical JSON for {type(value).__name__}"
    )  # pragma: no cover - TOML has no other types here


@exactly
def canonical_json(rubric: Rubric) -> str:
    """The canonical JSON text of *rubric* that `rubric_hash` hashes, whatever the caller's
    decimal context.

    It is the JSON of `dumps_rubric`'s TOML read back, built from the same plain document
    (`unstructure`) without writing and parsing the text: TOML keeps every string, flag and
    number of it as it is, and `fmt` writes a number by its value alone.
    """
    return _canonical(unstructure(rubric))


_HASHES: Final[dict[int, tuple[weakref.ref[Rubric], str]]] = {}


def rubric_hash(rubric: Rubric) -> str:
    """``sha256:`` and the hex digest of *rubric*'s canonical JSON, worked out once per rubric object."""
    found = _HASHES.get(id(rubric))
    if found is not None and found[0]() is rubric:
        return found[1]
    import hashlib  # noqa: PLC0415 - kept off start-up: a shipped rubric's hash is stored (_snapshot)

    digest = "sha256:" + hashlib.sha256(canonical_json(rubric).encode("utf-8")).hexdigest()
    remember_hash(rubric, digest)
    return digest


def remember_hash(rubric: Rubric, digest: str) -> None:
    """Take *digest* as `rubric_hash` of *rubric* from now on."""
    # Keyed by identity, as the compiled plans are (hashing a Rubric by value would cost as
    # much as the digest), and holding it weakly, so that the entry goes with the rubric.
    _HASHES[id(rubric)] = (weakref.ref(rubric), digest)
    weakref.finalize(rubric, _HASHES.pop, id(rubric), None)


@attrs.frozen(repr=False, eq=False)
class Provenance(Frozen):
    """What produced a result (DESIGN §14): the rubric's title, version and hash, the library.

    Attributes:
        rubric: the rubric's title.
        version: its version (``version`` in the rubric), if it declares one.
        hash: ``sha256:`` and the hex digest of the resolved rubric's canonical JSON; changing
            one point of the rubric changes it, reordering keys or editing comments does not.
        hash_version: the version of that canonical form (`HASH_VERSION`).
        library: the version of conserv_rubric (``__version__``).
    """

    rubric: str
    version: str | None
    hash: str
    hash_version: int
    library: str


def provenance_of(rubric: Rubric) -> Provenance:
    """The `Provenance` of a result scored against *rubric*."""
    return Provenance(rubric.title, rubric.version, rubric_hash(rubric), HASH_VERSION, __version__)


def provenance(rubric: Rubric) -> dict[str, Any]:
    """The provenance of a result scored against *rubric* as JSON: rubric, version, hash,
    hash_version, library."""
    return attrs.asdict(provenance_of(rubric))


def provenance_line(p: Provenance) -> str:
    """The line a text or Markdown report ends with: the rubric, its edition, the start of its
    hash and the library, such as
    ``评价标准：XX区节约型机关评价标准（2024），sha256:065c3843e403…，conserv_rubric 0.2.0``.

    The rubric's title is as the rubric writes it: a report escapes the whole line.
    """
    edition = f"（{p.version}）" if p.version else ""
    digest = p.hash[: len("sha256:") + SHOWN_DIGITS]
    return f"评价标准：{p.rubric}{edition}，{digest}…，conserv_rubric {p.library}"


def coefficients_provenance(table: Coefficients | None) -> dict[str, Any] | None:
    """The coefficient table a result used, when it is not the default (DESIGN §14); else None."""
    if table is None:
        return None
    from ._energy_coefficients import DEFAULT_COEFFICIENTS  # noqa: PLC0415 - loaded with *table*

    if table.name == DEFAULT_COEFFICIENTS and table.file is None:
        return None
    return {"name": table.name, "version": table.version, "basis": table.basis, "file": table.file}
