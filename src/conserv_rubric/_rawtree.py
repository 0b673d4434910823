"""The one walker over a raw rubric document (a dict from TOML), for the ``extends`` engine.

A raw document has not been checked yet, so anything may be of the wrong type: the walker
visits only tables inside arrays where the format puts units, projects, items and nested
rules, and skips everything else; the converter reports those misfits later, located.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

import attrs

from ._tree import NESTED_KEYS, join, letter, number

RawKind = Literal["unit", "project", "item", "rule"]


@attrs.frozen
class RawNode:
    """A unit, project, item or nested rule table of a raw document.

    Attributes:
        address: its address, from its ``id`` where it has one, else from its position.
        table: the table itself (mutable: the ``extends`` engine patches it in place).
        siblings: the array that holds it.
        default_id: the address segment its position gives it.
    """

    address: str
    kind: RawKind
    table: dict[str, Any]
    siblings: list[Any]
    default_id: str


def _tables(value: object, parent: str, first: Callable[[int], str], kind: RawKind) -> Iterator[RawNode]:
    if not isinstance(value, list):
        return
    for i, table in enumerate(value):
        if not isinstance(table, dict):
            continue
        segment = first(i)
        address = join(parent, str(table.get("id", segment)))
        yield RawNode(address, kind, table, value, segment)
        if kind == "unit":
            yield from _tables(table.get("projects"), address, number, "project")
            yield from _tables(table.get("items"), address, number, "item")
        elif kind == "project":
            yield from _tables(table.get("items"), address, number, "item")
        else:
            for key in NESTED_KEYS:
                yield from _tables(table.get(key), address, letter, "rule")


def walk_raw(doc: dict[str, Any]) -> Iterator[RawNode]:
    """Every well-shaped node table of *doc*, in document order."""
    return _tables(doc.get("units"), "", number, "unit")


def find(doc: dict[str, Any], address: str) -> RawNode | None:
    """The node at *address*, or None."""
    return next((node for node in walk_raw(doc) if node.address == address), None)


def pin_ids(doc: dict[str, Any]) -> None:
    """Write every node's address segment into it, so removals do not renumber the rest."""
    for node in list(walk_raw(doc)):
        node.table.setdefault("id", node.address.rsplit(".", 1)[-1])


def unpin_ids(doc: dict[str, Any]) -> None:
    """Drop ids that equal the position's default, the inverse of `pin_ids`."""
    for node in list(walk_raw(doc)):
        if node.table.get("id") == node.default_id:
            del node.table["id"]
