"""The one walker over a raw rubric document (a dict from TOML), for the ``extends`` engine.

A raw document has not been checked yet, so anything may be of the wrong type: the walker
visits only tables inside arrays where the format puts units, projects, items and nested
rules, and skips everything else; the converter reports those misfits later, located.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final, Literal

import attrs

from ._frozen import Frozen
from ._tree import NESTED_KEYS, join, letter, number

RawKind = Literal["unit", "project", "item", "rule"]


@attrs.frozen(repr=False, eq=False)
class RawNode(Frozen):
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


#: Under which keys each kind of node holds its children, of which kind, numbered how.
CHILDREN: Final[dict[RawKind, tuple[tuple[str, RawKind, Callable[[int], str]], ...]]] = {
    "unit": (("projects", "project", number), ("items", "item", number)),
    "project": (("items", "item", number),),
    "item": tuple((key, "rule", letter) for key in NESTED_KEYS),
    "rule": tuple((key, "rule", letter) for key in NESTED_KEYS),
}


def _tables(value: object, parent: str, first: Callable[[int], str], kind: RawKind) -> Iterator[RawNode]:
    if not isinstance(value, list):
        return
    for i, table in enumerate(value):
        if not isinstance(table, dict):
            continue
        segment = first(i)
        node = RawNode(join(parent, str(table.get("id", segment))), kind, table, value, segment)
        yield node
        yield from below(node)


def below(node: RawNode, keys: frozenset[str] | None = None) -> Iterator[RawNode]:
    """Every node under *node* (only through its children *keys*, if given), in document order."""
    for key, kind, first in CHILDREN[node.kind]:
        if keys is None or key in keys:
            yield from _tables(node.table.get(key), node.address, first, kind)


def walk_raw(doc: dict[str, Any]) -> Iterator[RawNode]:
    """Every well-shaped node table of *doc*, in document order."""
    return _tables(doc.get("units"), "", number, "unit")


class RawIndex:
    """The nodes of a raw document by address, kept up to date while the document is patched.

    Built once by one walk. A patch that replaces some children of a node tells the index,
    which forgets the old children and learns the new ones; a removed node is forgotten with
    everything under it. So each table enters and leaves the index at most once, and patching
    takes time linear in the sizes of the base and the patch, however many patches there are.
    Every node learned is pinned to its address (its ``id`` written in), so that no later removal
    renumbers it.
    """

    def __init__(self, doc: dict[str, Any]) -> None:
        self._at: dict[str, list[RawNode]] = {}
        for node in walk_raw(doc):
            self._learn(node)

    def _learn(self, node: RawNode) -> None:
        node.table.setdefault("id", node.default_id)
        self._at.setdefault(node.address, []).append(node)

    def _forget(self, node: RawNode) -> None:
        same = self._at.get(node.address, [])
        same[:] = [n for n in same if n.table is not node.table]

    def find(self, address: str) -> RawNode | None:
        """The first node at *address* in document order, or None."""
        same = self._at.get(address)
        return same[0] if same else None

    def forget_children(self, node: RawNode, keys: frozenset[str] | None = None) -> None:
        """Forget every node under *node* (through its children *keys*), before they are replaced."""
        for child in list(below(node, keys)):
            self._forget(child)

    def learn_children(self, node: RawNode, keys: frozenset[str] | None = None) -> None:
        """Learn every node under *node* (through its children *keys*), once they are in place."""
        for child in list(below(node, keys)):
            self._learn(child)

    def forget(self, node: RawNode) -> None:
        """Forget *node* and everything under it (it is being removed)."""
        self.forget_children(node)
        self._forget(node)

    def learn(self, node: RawNode) -> None:
        """Learn *node*, just added, and everything under it."""
        self._learn(node)
        self.learn_children(node)


def unpin_ids(doc: dict[str, Any]) -> None:
    """Drop ids that equal the position's default, undoing the pinning of `RawIndex`."""
    for node in list(walk_raw(doc)):
        if node.table.get("id") == node.default_id:
            del node.table["id"]
