"""``extends``: a rubric as a patch of another (province → city → district), merged on raw documents.

The base is read, its own ``extends`` resolved first; then ``override``, ``remove`` and ``add``
apply by address, and the patch's other keys replace the base's. Addresses are pinned as ids
while patching, so that a removal does not renumber the items after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from ._limits import MAX_EXTENDS
from ._parse import decode, parse_toml
from ._rawtree import find, pin_ids, unpin_ids
from ._shipped import base_rubric
from ._text import describe
from ._tree import number
from .errors import Problem, RubricError

_PATCH_KEYS: Final = ("extends", "remove", "override", "add")


def resolve_extends(
    doc: dict[str, Any], file: str | None, base_dir: Path, seen: tuple[Path, ...] = ()
) -> dict[str, Any]:
    """Merge *doc* onto the rubric it extends, recursively; return a plain rubric document."""
    if "extends" not in doc:
        for key in _PATCH_KEYS[1:]:
            if key in doc:
                raise RubricError([Problem(file=file, path=key, message=f"'{key}' needs 'extends'")])
        return doc
    target = doc["extends"]
    if not isinstance(target, str):
        raise RubricError(
            [Problem(file=file, path="extends", message=f"expected a path, got {describe(target)}")]
        )
    if "\x00" in target:
        raise RubricError([Problem(file=file, path="extends", message="the path holds a NUL character")])
    # A bare word (no folder, no .toml) beside no file of that name is a shipped rubric's name.
    base_path = base_rubric(target, base_dir, file).resolve()
    chain = (*seen, base_path)
    if base_path in seen or len(chain) > MAX_EXTENDS:
        names = " → ".join(str(p.name) for p in chain)
        raise RubricError([Problem(file=file, path="extends", message=f"extends chain has a cycle: {names}")])
    try:
        data = base_path.read_bytes()
    except (OSError, ValueError) as exc:
        raise RubricError(
            [
                Problem(
                    file=file,
                    path="extends",
                    message=f"cannot read base rubric {target}: {getattr(exc, 'strerror', None) or exc}",
                )
            ]
        ) from None
    base_file = str(base_path)
    base = parse_toml(decode(data, base_file), base_file)
    merged = resolve_extends(base, base_file, base_path.parent, chain)
    pin_ids(merged)
    problems: list[Problem] = []
    _apply_patches(merged, doc, file, problems)
    if problems:
        raise RubricError(problems)
    unpin_ids(merged)
    return merged


def _apply_patches(
    merged: dict[str, Any], doc: dict[str, Any], file: str | None, problems: list[Problem]
) -> None:
    def problem(path: str, message: str) -> None:
        problems.append(Problem(file=file, path=path, message=message))

    for i, entry in enumerate(_list(doc.get("override"), "override", problem)):
        path = f"override[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("at"), str):
            problem(path, "expected a table with 'at' = an address")
            continue
        found = find(merged, entry["at"])
        if found is None:
            problem(f"{path}.at", f"no unit, project or item at address '{entry['at']}'")
            continue
        node = found.table
        changes = {k: v for k, v in entry.items() if k != "at"}
        if "kind" in changes and changes["kind"] != node.get("kind"):
            keep = node.get("id")
            node.clear()
            node["id"] = keep
        node.update(changes)
    for i, address in enumerate(_list(doc.get("remove"), "remove", problem)):
        if not isinstance(address, str):
            problem(f"remove[{i}]", f"expected an address, got {describe(address)}")
            continue
        gone = find(merged, address)
        if gone is None:
            problem(f"remove[{i}]", f"no unit, project or item at address '{address}'")
            continue
        gone.siblings[:] = [c for c in gone.siblings if c is not gone.table]
    for i, entry in enumerate(_list(doc.get("add"), "add", problem)):
        path = f"add[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("to"), str):
            problem(path, "expected a table with 'to' = a unit or project address")
            continue
        found = find(merged, entry["to"])
        if found is None or found.kind not in ("unit", "project"):
            problem(f"{path}.to", f"no unit or project at address '{entry['to']}'")
            continue
        node, what = found.table, found.kind
        key = "projects" if what == "unit" and node.get("projects") else "items"
        new = {k: v for k, v in entry.items() if k != "to"}
        siblings = node.setdefault(key, [])
        if not isinstance(siblings, list):
            problem(f"{path}.to", f"the {key} of '{entry['to']}' in the base rubric is not an array")
            continue
        if "id" not in new:
            # The next number after the highest in use, so a removed item's address stays free.
            used = [
                int(c["id"])
                for c in siblings
                if isinstance(c, dict) and re.fullmatch(r"[0-9]{1,6}", str(c.get("id")))
            ]
            new["id"] = number(max(used, default=len(siblings)))
        siblings.append(new)
    extra_units = doc.get("units")
    for key, value in doc.items():
        if key in _PATCH_KEYS or key == "units":
            continue
        merged[key] = value
    if extra_units is not None:
        base_units = merged.setdefault("units", [])
        if isinstance(base_units, list):
            base_units.extend(_list(extra_units, "units", problem))
        else:
            problem("units", "the base rubric's units are not an array of tables")


def _list(value: object, path: str, problem: Callable[[str, str], None]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        problem(path, f"expected an array, got {describe(value)}")
        return []
    return value
