"""Addresses: the dotted names ("2.2.1.a") of units, projects, items and leaves."""

from __future__ import annotations

from typing import Final

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
