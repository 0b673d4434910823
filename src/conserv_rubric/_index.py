"""Walking a rubric: every node with its address, TOML path and a label for messages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import attrs

from ._model import Project, Rubric, Rule, Unit, children
from ._paths import NESTED_KEYS, join, letter, number


@attrs.frozen
class Node:
    """A unit, project, item or nested rule, located."""

    address: str
    path: str
    kind: Literal["unit", "project", "item", "rule"]
    obj: Unit | Project | Rule
    label: str
    unit: int
    project: int | None = None


def _nested_key(rule: Rule) -> str:
    return next(k for k in NESTED_KEYS if hasattr(rule, k))


def _rules(rule: Rule, address: str, path: str, unit: int, project: int | None, where: str) -> Iterator[Node]:
    kids = children(rule)
    if not kids:
        return
    key = _nested_key(rule)
    for i, child in enumerate(kids):
        addr = join(address, child.id or letter(i))
        sub = f"{path}.{key}[{i}]"
        yield Node(addr, sub, "rule", child, f"part {addr}{where}", unit, project)
        yield from _rules(child, addr, sub, unit, project, where)


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


def _items(
    items: tuple[Rule, ...], parent: str, path: str, u: int, p: int | None, where: str
) -> Iterator[Node]:
    for i, item in enumerate(items):
        addr = join(parent, item.id or number(i))
        ip = f"{path}.items[{i}]"
        yield Node(addr, ip, "item", item, f"item {addr}{where}", u, p)
        yield from _rules(item, addr, ip, u, p, where)
