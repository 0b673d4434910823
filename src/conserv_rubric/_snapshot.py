"""The shipped rubrics read ahead: each one's TOML document and hash, kept in the package.

Parsing the district rubric's TOML (tomllib is pure Python) and hashing its canonical JSON are
a tenth of what one sheet scored on the command line costs (#14). So for each shipped rubric
without ``extends``, ``_snapshots/NAME.json`` holds its text, the document tomllib reads from
that text, and its `rubric_hash`; ``python -m conserv_rubric._snapshot`` writes them, and
``tests/test_snapshot.py`` checks each against a fresh reading.

A rubric file named ``NAME.toml`` whose text is exactly the stored text (wherever it is) is
structured from the stored document instead of being parsed, and its hash is the stored one.
Anything else is read as usual: another text (an edited copy), a snapshot of another format or
hash version, one that is missing, unreadable or not of the expected shape. Structuring and
validation run as for any file, so a snapshot changes how a rubric is read, never what it is.
The snapshots are package files, as trusted as its code, and are JSON: reading one runs nothing.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from ._provenance import HASH_VERSION, remember_hash, rubric_hash
from .model import Rubric

#: The layout of a snapshot file; a change makes every stored one unused until rewritten.
FORMAT: Final = 1
#: Where the snapshots are: in the package, in a wheel and in a checkout alike.
FOLDER: Final = Path(__file__).parent / "_snapshots"


def stored(path: str | Path, text: str) -> tuple[dict[str, Any], str] | None:
    """The stored document and hash of the rubric file at *path* whose text is *text*, or None
    when no snapshot of that name holds exactly that text in the current format."""
    try:
        snapshot = json.loads((FOLDER / f"{Path(path).stem}.json").read_bytes(), parse_float=Decimal)
    except (OSError, ValueError):  # none of that name, or not readable JSON: read the file
        return None
    if (
        not isinstance(snapshot, dict)
        or snapshot.get("format") != FORMAT
        or snapshot.get("hash_version") != HASH_VERSION
        or snapshot.get("source") != text
    ):
        return None
    doc, digest = snapshot.get("doc"), snapshot.get("hash")
    if not isinstance(doc, dict) or not isinstance(digest, str):
        return None
    return doc, digest


def adopt(rubric: Rubric, digest: str) -> None:
    """Take *digest* as the hash of *rubric*, structured from a snapshot's document."""
    remember_hash(rubric, digest)


def _json(value: object) -> str:
    """*value* (a TOML document's value) as JSON that ``json.loads(parse_float=Decimal)`` reads
    back the same: a decimal keeps its digits and exponent, an int stays an int."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{_json(k)}:{_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json(v) for v in value) + "]"
    if isinstance(value, bool | int | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal) and value.is_finite():
        text = str(value)
        # "5" would come back an int: a decimal without a point or exponent gets one.
        return text if any(c in text for c in ".Ee") else f"{text}E0"
    raise ValueError(f"a TOML value a snapshot cannot hold: {value!r}")


def snapshot(path: Path) -> str | None:
    """The snapshot text of the rubric file at *path*, or None for a rubric with ``extends``
    (its document depends on other files)."""
    from ._parse import decode, parse_toml, read_bytes  # noqa: PLC0415 - only for writing
    from ._rubric_io import read_rubric  # noqa: PLC0415 - as above; it imports this module

    text = decode(read_bytes(path), str(path))
    doc = parse_toml(text, str(path))
    if "extends" in doc:
        return None
    digest = rubric_hash(read_rubric(path, snapshots=False)[0])
    head = f'{{"format":{FORMAT},"hash_version":{HASH_VERSION},"hash":{json.dumps(digest)},'
    return f'{head}\n"source":{_json(text)},\n"doc":{_json(doc)}}}\n'


def expected() -> dict[str, str]:
    """Every snapshot the shipped rubrics call for: file name → text."""
    from ._shipped import index  # noqa: PLC0415 - only for writing and checking

    out = {}
    for name, path in index("rubrics").items():
        text = snapshot(path)
        if text is not None:
            out[f"{name}.json"] = text
    return out


def write() -> list[str]:
    """Write every shipped rubric's snapshot into `FOLDER`, remove any other; the names written."""
    FOLDER.mkdir(exist_ok=True)
    wanted = expected()
    for old in FOLDER.glob("*.json"):
        if old.name not in wanted:
            old.unlink()
    for name, text in wanted.items():
        (FOLDER / name).write_text(text, encoding="utf-8", newline="\n")
    return sorted(wanted)


if __name__ == "__main__":  # pragma: no cover - the maintainers' command, checked by the tests
    sys.stdout.write("".join(f"wrote {FOLDER.name}/{name}\n" for name in write()))
