"""``extends``: a rubric as a patch of another (province → city → district), merged on raw documents.

The base is read, its own ``extends`` resolved first; then ``override``, ``remove`` and ``add``
apply by address, and the patch's other keys replace the base's. Addresses are pinned as ids
while patching, so that a removal does not renumber the items after it.

What ``extends`` may read (docs/design.md, "Security"): a regular file inside the root, which is
the folder of the rubric being loaded unless the caller names a wider one, or a shipped rubric
by name. A path outside the root is refused before anything is opened, and the message names
only the path as written, never what the file holds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

import attrs

from ._frozen import Frozen
from ._limits import MAX_EXTENDS
from ._parse import Unreadable, decode, parse_toml, read_limited
from ._rawtree import CHILDREN, RawIndex, RawKind, RawNode, unpin_ids
from ._shipped import base_rubric
from ._text import describe
from ._tree import join, number
from .errors import Problem, RubricError

_PATCH_KEYS: Final = ("extends", "remove", "override", "add")
_NUMBERED: Final = re.compile(r"[0-9]{1,6}")


@attrs.frozen(repr=False, eq=False)
class Root(Frozen):
    """The folder that ``extends`` may read, and how messages name it.

    Attributes:
        folder: the folder, resolved (symbolic links followed).
        named: how a refusal names it: None for the rubric's own folder (the default), else the
            root the caller gave.
    """

    folder: Path
    named: str | None = None


@attrs.frozen(repr=False, eq=False)
class Origin(Frozen):
    """A table of the merged rubric that the variant wrote, and where it wrote it.

    Attributes:
        table: the table, as it is in the merged document.
        path: its key path in the variant: ``units[0]``, ``add[1]``, ``override[2]``.
        keys: the keys an override gives, or None when the variant wrote the whole table (an
            appended unit, an addition, an override that replaces the rule's kind).
    """

    table: dict[str, Any]
    path: str
    keys: frozenset[str] | None = None


def real_path(path: str | Path) -> Path:
    """*path* made absolute with every symbolic link followed; a loop is left for the read to report."""
    return Path(os.path.realpath(path))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _outside(target: str, root: Root) -> str:
    where = "the rubric's folder" if root.named is None else f"the root '{root.named}'"
    wider = "" if root.named is not None else " (--root DIR, or root= in Python, allows a wider folder)"
    return (
        f"base rubric '{target}' lies outside {where}; extends reads only files in that folder and "
        f"below, or a shipped rubric by name{wider}"
    )


def resolve_extends(
    doc: dict[str, Any],
    file: str | None,
    base_dir: Path,
    root: Root,
    seen: tuple[Path, ...] = (),
    origins: list[Origin] | None = None,
) -> dict[str, Any]:
    """Merge *doc* onto the rubric it extends, recursively; return a plain rubric document.

    Args:
        doc: the parsed rubric.
        file: where it was read from, for messages.
        base_dir: the folder a relative ``extends`` is looked up in (the file's own).
        root: the folder that ``extends`` may read, and below.
        seen: the files of the chain so far, resolved, to refuse cycles.
        origins: if given, gets the tables *doc* itself wrote into the merged document, for
            `relocate` (those of its bases are not its author's to fix).
    """
    if "extends" not in doc:
        for key in _PATCH_KEYS[1:]:
            if key in doc:
                raise RubricError([Problem(file=file, path=key, message=f"'{key}' needs 'extends'")])
        return doc
    target = doc["extends"]

    def refuse(message: str) -> RubricError:
        return RubricError([Problem(file=file, path="extends", message=message)])

    if not isinstance(target, str):
        raise refuse(f"expected a path, got {describe(target)}")
    if "\x00" in target:
        raise refuse("the path holds a NUL character")
    # A bare word (no folder, no .toml) beside no file of that name is a shipped rubric's name.
    found, shipped = base_rubric(target, base_dir, file)
    base_path = real_path(found)
    if shipped is not None:
        # A shipped rubric may extend the others shipped beside it, and nothing else.
        base_root = Root(real_path(shipped), str(shipped))
    elif _inside(base_path, root.folder):
        base_root = root
    else:
        raise refuse(_outside(target, root))
    chain = (*seen, base_path)
    names = " → ".join(p.name for p in chain)
    if base_path in seen:
        raise refuse(f"extends chain has a cycle: {names}")
    if len(chain) > MAX_EXTENDS:
        raise refuse(f"extends chain is longer than {MAX_EXTENDS} files: {names}")
    try:
        data = read_limited(base_path)
    except Unreadable as exc:
        raise refuse(f"cannot read base rubric {target}: {exc.reason}") from None
    base_file = str(base_path)
    base = parse_toml(decode(data, base_file), base_file)
    merged = resolve_extends(base, base_file, base_path.parent, base_root, chain)
    problems: list[Problem] = []
    _apply_patches(merged, doc, file, problems, [] if origins is None else origins)
    if problems:
        raise RubricError(problems)
    unpin_ids(merged)
    return merged


def _apply_patches(
    merged: dict[str, Any],
    doc: dict[str, Any],
    file: str | None,
    problems: list[Problem],
    origins: list[Origin],
) -> None:
    def problem(path: str, message: str) -> None:
        problems.append(Problem(file=file, path=path, message=message))

    index = RawIndex(merged)
    for i, entry in enumerate(_list(doc.get("override"), "override", problem)):
        path = f"override[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("at"), str):
            problem(path, "expected a table with 'at' = an address")
            continue
        found = index.find(entry["at"])
        if found is None:
            problem(f"{path}.at", f"no unit, project or item at address '{entry['at']}'")
            continue
        changes = {k: v for k, v in entry.items() if k != "at"}
        replaced = "kind" in changes and changes["kind"] != found.table.get("kind")
        origins.append(Origin(found.table, path, None if replaced else frozenset(changes)))
        _override(index, found, changes, path, problem)
    removed: dict[int, tuple[list[Any], set[int]]] = {}
    for i, address in enumerate(_list(doc.get("remove"), "remove", problem)):
        if not isinstance(address, str):
            problem(f"remove[{i}]", f"expected an address, got {describe(address)}")
            continue
        gone = index.find(address)
        if gone is None:
            problem(f"remove[{i}]", f"no unit, project or item at address '{address}'")
            continue
        index.forget(gone)
        # Every node is pinned to its address, so the arrays can shrink once, after all removals.
        removed.setdefault(id(gone.siblings), (gone.siblings, set()))[1].add(id(gone.table))
    for siblings, tables in removed.values():
        siblings[:] = [c for c in siblings if id(c) not in tables]
    _add_all(index, doc, problem, origins)
    extra_units = doc.get("units")
    for key, value in doc.items():
        if key in _PATCH_KEYS or key == "units":
            continue
        merged[key] = value
    if extra_units is not None:
        base_units = merged.setdefault("units", [])
        if isinstance(base_units, list):
            added = _list(extra_units, "units", problem)
            origins += (Origin(u, f"units[{j}]") for j, u in enumerate(added) if isinstance(u, dict))
            base_units.extend(added)
        else:
            problem("units", "the base rubric's units are not an array of tables")


def _override(
    index: RawIndex,
    node: RawNode,
    changes: dict[str, Any],
    path: str,
    problem: Callable[[str, str], None],
) -> None:
    """Apply one override to *node*, telling the index which children it replaces."""
    table = node.table
    if "id" in changes and str(changes["id"]) != str(table.get("id")):
        # A node keeps its address in every variant (and re-addressing a subtree per override
        # would make patching quadratic): a new address is a removal and an addition.
        problem(f"{path}.id", "an override cannot change an address; remove the node and add it anew")
        return
    replaced = "kind" in changes and changes["kind"] != table.get("kind")
    keys = None if replaced else frozenset(k for k, _, _ in CHILDREN[node.kind] if k in changes)
    if keys is None or keys:
        index.forget_children(node, keys)
    if replaced:
        keep = table.get("id")
        table.clear()
        table["id"] = keep
    table.update(changes)
    if keys is None or keys:
        index.learn_children(node, keys)


def _add_all(
    index: RawIndex, doc: dict[str, Any], problem: Callable[[str, str], None], origins: list[Origin]
) -> None:
    # The highest number in use in each array added to, so that each addition takes the next.
    highest: dict[int, tuple[list[Any], int | None]] = {}
    for i, entry in enumerate(_list(doc.get("add"), "add", problem)):
        path = f"add[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("to"), str):
            problem(path, "expected a table with 'to' = a unit or project address")
            continue
        found = index.find(entry["to"])
        if found is None or found.kind not in ("unit", "project"):
            problem(f"{path}.to", f"no unit or project at address '{entry['to']}'")
            continue
        node, to = found.table, entry["to"]
        key = "projects" if found.kind == "unit" and node.get("projects") else "items"
        siblings = node.setdefault(key, [])
        if not isinstance(siblings, list):
            problem(f"{path}.to", f"the {key} of '{to}' in the base rubric are not an array")
            continue
        new = {k: v for k, v in entry.items() if k != "to"}
        if id(siblings) not in highest:
            used = [int(str(c["id"])) for c in siblings if isinstance(c, dict) and _numbered(c.get("id"))]
            highest[id(siblings)] = (siblings, max(used, default=None))
        top = highest[id(siblings)][1]
        if "id" not in new:
            # The next number after the highest in use, so a removed item's address stays free.
            new["id"] = number(len(siblings) if top is None else top)
        if _numbered(new["id"]):
            top = max(int(str(new["id"])), -1 if top is None else top)
        highest[id(siblings)] = (siblings, top)
        default = number(len(siblings))
        siblings.append(new)
        origins.append(Origin(new, path))
        kind: RawKind = "project" if key == "projects" else "item"
        index.learn(RawNode(join(found.address, str(new["id"])), kind, new, siblings, default))


def _numbered(value: object) -> bool:
    return _NUMBERED.fullmatch(str(value)) is not None


def _list(value: object, path: str, problem: Callable[[str, str], None]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        problem(path, f"expected an array, got {describe(value)}")
        return []
    return value


def relocate(
    problems: Iterable[Problem], merged: dict[str, Any], origins: list[Origin], *, structural: bool
) -> list[Problem]:
    """*problems* of the *merged* rubric, each found in a table the variant wrote (*origins*)
    located by the variant's own key path (``units[0]``, ``add[1]``, ``override[2].max``)
    instead of the merged rubric's, which the author's file does not have.

    Under an override that keeps the rule's kind, only what it gives is its author's: a key it
    names, and, if *structural* (problems of the document's shape), the table itself (an unknown
    key it added)."""
    problems = list(problems)
    if not origins or not problems:
        return problems
    wanted = {id(o.table) for o in origins}
    found: dict[int, str] = {}

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            if id(value) in wanted:
                found[id(value)] = path
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, f"{path}[{i}]")

    walk(merged, "")
    # The deepest table first: an override of a part inside an item an addition wrote.
    placed = sorted(
        ((found[id(o.table)], o) for o in origins if id(o.table) in found), key=lambda p: -len(p[0])
    )
    return [_relocated(p, placed, structural) for p in problems]


def _relocated(problem: Problem, placed: list[tuple[str, Origin]], structural: bool) -> Problem:
    path = problem.path
    if path is None:
        return problem
    for at, origin in placed:
        if path != at and not (path.startswith(at) and path[len(at)] in ".["):
            continue
        rest = path[len(at) :]
        if origin.keys is not None:
            key = re.match(r"\.([^.\[]+)", rest)
            if not (rest == "" and structural) and (key is None or key[1] not in origin.keys):
                continue
        return attrs.evolve(problem, path=origin.path + rest)
    return problem
