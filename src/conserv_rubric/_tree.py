"""Addresses and the one walker over a rubric: every unit, project, item and nested rule, located.

Addresses are the dotted names people say aloud (``2.2.1.a``, DESIGN §2): units, projects and
items are numbered 1, 2, 3 … and nested rules a, b, c … unless an ``id`` names them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, Literal

import attrs

from ._frozen import Frozen
from .model import Project, Rubric, Rule, Unit

#: The keys under which a rule holds nested rules, in address order.
NESTED_KEYS: Final = ("parts", "alternatives", "deductions")


def letter(index: int) -> str:
    """The default address segment of the *index*-th nested rule: a, b, … z, aa, ab …"""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def number(index: int) -> str:
    """The default address segment of the *index*-th unit, project or item: 1, 2, 3 …"""
    return str(index + 1)


def join(parent: str, segment: str) -> str:
    """The address of *segment* under *parent* ("" for the rubric itself)."""
    return f"{parent}.{segment}" if parent else segment


def nested_key(rule: Rule) -> str | None:
    """The key under which *rule* holds nested rules, or None for a simple rule."""
    return next((k for k in NESTED_KEYS if hasattr(rule, k)), None)


def children(rule: Rule) -> tuple[Rule, ...]:
    """The nested rules of a composite rule, in address order (a, b, c …)."""
    key = nested_key(rule)
    found: tuple[Rule, ...] = () if key is None else getattr(rule, key)
    return found


def child_addresses(rule: Rule, address: str) -> list[tuple[str, Rule]]:
    """The nested rules of *rule* with their addresses."""
    return [(join(address, c.id or letter(i)), c) for i, c in enumerate(children(rule))]


@attrs.frozen(repr=False, eq=False)
class Node(Frozen):
    """A unit, project, item or nested rule, located.

    Attributes:
        address: its dotted address.
        path: its TOML key path (``units[1].projects[0].items[2]``).
        kind: what it is.
        obj: the model object.
        label: how messages name it (``item 2.2.2 in project 2.2 管理制度``).
        unit: the index of its unit.
        project: the index of its project within the unit, if it is in one.
        parent: the rule that holds a nested rule.
        deducts: how many ``deduct`` rules hold it (a rule inside one is a deduction).
    """

    address: str
    path: str
    kind: Literal["unit", "project", "item", "rule"]
    obj: Unit | Project | Rule
    label: str
    unit: int
    project: int | None = None
    parent: Rule | None = None
    deducts: int = 0

    @property
    def rule(self) -> Rule:
        """The rule of an item or nested rule node."""
        if isinstance(self.obj, Unit | Project):
            raise TypeError(f"{self.address} is a {self.kind}, not a rule")
        return self.obj

    @property
    def penalty(self) -> bool:
        """Whether the rule sits inside a deduction (and so awards what is deducted)."""
        return self.deducts > 0


def _rules(parent: Node, where: str) -> Iterator[Node]:
    rule = parent.rule
    key = nested_key(rule)
    if key is None:
        return
    inner = parent.deducts + (1 if key == "deductions" else 0)
    for i, child in enumerate(getattr(rule, key)):
        addr = join(parent.address, child.id or letter(i))
        node = Node(
            addr,
            f"{parent.path}.{key}[{i}]",
            "rule",
            child,
            f"part {addr}{where}",
            parent.unit,
            parent.project,
            rule,
            inner,
        )
        yield node
        yield from _rules(node, where)


def _items(
    items: tuple[Rule, ...], parent: str, path: str, u: int, p: int | None, where: str
) -> Iterator[Node]:
    for i, item in enumerate(items):
        addr = join(parent, item.id or number(i))
        node = Node(addr, f"{path}.items[{i}]", "item", item, f"item {addr}{where}", u, p)
        yield node
        yield from _rules(node, where)


def walk(rubric: Rubric) -> Iterator[Node]:
    """Every node of *rubric* in document order."""
    for u, unit in enumerate(rubric.units):
        ua = unit.id or number(u)
        up = f"units[{u}]"
        unit_label = f"unit {ua} {unit.title}"
        yield Node(ua, up, "unit", unit, unit_label, u)
        for p, project in enumerate(unit.projects):
            pa = join(ua, project.id or number(p))
            pp = f"{up}.projects[{p}]"
            where = f" in {unit_label}"
            yield Node(pa, pp, "project", project, f"project {pa} {project.title}{where}", u, p)
            yield from _items(project.items, pa, pp, u, p, f" in project {pa} {project.title}")
        yield from _items(unit.items, ua, up, u, None, f" in {unit_label}")
