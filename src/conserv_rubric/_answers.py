"""Answers checked against a rubric: each leaf's shape, ranges and options, every misfit located."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from ._exact import multiple_of
from ._kinds import Leaf
from ._limits import MAX_LIST, MAX_NUMBER
from ._sheet import Cell, Sheet
from ._text import describe, fmt, out_of_range, suggest
from .errors import Problem
from .model import Tiers


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        return None
    try:
        d = Decimal(value) if not isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


_TIER_POINTS: Final = re.compile(r"(.+?)\s+([+-]?[0-9]{1,18}(?:\.[0-9]{1,18})?)")


def _tier(leaf: Leaf, value: object) -> tuple[object, str | None]:
    """A ``tiers`` answer: a tier's name, with its points for a ranged tier ("基本符合 2", or
    ``{ tier = "基本符合", points = 2 }``), normalised to ``{"tier": name, "points": n}``."""
    rule = leaf.rule
    assert isinstance(rule, Tiers)
    tiers = {t.name: t for t in rule.tiers}
    names = "、".join(tiers)
    points: Decimal | None = None
    if isinstance(value, str):
        text = value.strip()
        split = _TIER_POINTS.fullmatch(text)
        if text not in tiers and split is not None and split.group(1) in tiers:
            text, points = split.group(1), Decimal(split.group(2))
        if text not in tiers:
            return None, f"'{text}' is not one of the tiers{suggest(text, list(tiers))}: {names}"
        name = text
    elif isinstance(value, dict):
        extra = sorted(set(value) - {"tier", "points"})
        if extra:
            return None, f"unknown key '{extra[0]}' in the answer; expected tier and points"
        name = value.get("tier")  # type: ignore[assignment]  # checked below
        if not isinstance(name, str) or name not in tiers:
            return None, f"expected tier = one of {names}, got {describe(name)}"
        if "points" in value:
            points = _number(value["points"])
            if points is None or out_of_range(points):
                return None, f"expected points = a number, got {describe(value['points'])}"
    else:
        return None, f"expected the name of a tier ({names}), got {describe(value)}"
    tier = tiers[name]
    if tier.range is None:
        if points is not None and points != tier.points:
            return None, f"tier '{name}' is worth {fmt(tier.points or 0)} points; leave its points out"
        return {"tier": name, "points": tier.points}, None
    lo, hi = tier.range
    if points is None:
        return None, (
            f"tier '{name}' takes points from {fmt(lo)} to {fmt(hi)}: write \"{name} {fmt(hi)}\" "
            f'or {{ tier = "{name}", points = {fmt(hi)} }}'
        )
    if not lo <= points <= hi:
        return None, f"tier '{name}' takes points from {fmt(lo)} to {fmt(hi)}, got {fmt(points)}"
    if tier.step is not None and not multiple_of(points, tier.step):
        return None, f"tier '{name}' takes multiples of {fmt(tier.step)}, got {fmt(points)}"
    return {"tier": name, "points": points}, None


def check_answer(leaf: Leaf, value: object) -> tuple[object, str | None]:  # noqa: C901 - one branch per shape
    """The normalised answer for *leaf*, or an error message."""
    shape = leaf.shape
    if shape == "tier":
        return _tier(leaf, value)
    if shape == "bool":
        if isinstance(value, bool):
            return value, None
        return None, f"expected true or false, got {describe(value)}"
    if shape in ("count", "count_or_names") and isinstance(value, int) and value >= MAX_NUMBER:
        # Before any message or reason shows it: str() refuses an int of over 4300 digits.
        return None, f"expected a count below {MAX_NUMBER:,}, got {describe(value)}"
    if shape == "count":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value, None
        return None, f"expected a count (a whole number ≥ 0), got {describe(value)}"
    if shape == "count_or_names" and isinstance(value, Cell):
        value = value.names()
    if shape == "count_or_names":
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                return None, f"expected a count ≥ 0, got {fmt(value)}"
            if leaf.closed and value > len(leaf.options):
                return None, f"counts {value}, but the standard lists only {len(leaf.options)} options"
            return value, None
        if isinstance(value, list | tuple):
            if len(value) > MAX_LIST:
                return None, f"lists {len(value)} entries; the limit is {MAX_LIST}"
            seen: set[str] = set()
            for name in value:
                if not isinstance(name, str):
                    return None, f"expected names (strings) in the list, got {describe(name)}"
                if name in seen:
                    return None, f"lists '{name}' twice"
                seen.add(name)
                if leaf.closed and name not in leaf.options:
                    return (
                        None,
                        f"'{name}' is not one of the options{suggest(name, leaf.options)}: "
                        + "、".join(leaf.options),
                    )
            return list(value), None
        return None, f"expected a count (a whole number ≥ 0) or a list of names, got {describe(value)}"
    if shape == "ratio" and isinstance(value, dict):
        extra = sorted(set(value) - {"value", "ref"})
        if extra:
            return None, f"unknown key '{extra[0]}' in the answer; expected value and ref"
        v, r = _number(value.get("value")), _number(value.get("ref"))
        if v is None or r is None or out_of_range(v) or out_of_range(r):
            return None, "expected { value = number, ref = number }"
        if r <= 0:
            return None, f"ref must be more than 0, got {fmt(r)}"
        return {"value": v, "ref": r}, None
    number = _number(value)
    if number is not None and out_of_range(number) is not None:
        return None, f"{out_of_range(number)}, got {describe(number)}"
    if number is None:
        want = "a number or { value = …, ref = … }" if shape == "ratio" else "a number"
        if isinstance(value, Decimal | float) and not isinstance(value, bool):
            want = "a finite number"
        return None, f"expected {want}, got {describe(value)}"
    if shape == "ratio":
        return {"value": number, "ref": Decimal(1)}, None
    if shape == "judged":
        assert leaf.low is not None
        assert leaf.high is not None
        if number != 0 and not leaf.low <= number <= leaf.high:
            return None, f"expected 0 or a number from {fmt(leaf.low)} to {fmt(leaf.high)}, got {fmt(number)}"
        if leaf.step is not None and not multiple_of(number, leaf.step):
            return None, f"expected a multiple of {fmt(leaf.step)}, got {fmt(number)}"
    elif leaf.low is not None and leaf.high is not None and not leaf.low <= number <= leaf.high:
        # A rule's declared range ("range = [0, 100]" for a rate): a figure outside it is refused.
        return None, f"expected a number from {fmt(leaf.low)} to {fmt(leaf.high)}, got {fmt(number)}"
    return number, None


def suggest_address(address: str, leaves: Mapping[str, Leaf], items: frozenset[str]) -> str:
    """' (did you mean …?)' preferring answerable addresses in the same branch of the rubric."""
    del items  # only leaves can be answered; an item with parts is never the right suggestion
    # "2.1.1.a" on an item without parts means "2.1.1"; "2.2" means one of its items.
    for known in leaves:
        if address.startswith(known + ".") or known.startswith(address + "."):
            return f" (did you mean '{known}'?)"
    parent = address.rpartition(".")[0]
    near = [a for a in leaves if parent and a.startswith(parent + ".")]
    return suggest(address, near) or suggest(address, list(leaves))


def check_answers(
    leaves: Mapping[str, Leaf],
    items: frozenset[str],
    sheet: Sheet,
) -> tuple[dict[str, object], list[Problem]]:
    """Normalise *sheet*'s answers against a rubric's leaves; collect every problem."""
    out: dict[str, object] = {}
    problems: list[Problem] = []
    file = sheet.file
    given: Mapping[Any, object] = sheet.answers
    for address, value in given.items():
        leaf = leaves.get(address)
        # The common answers (true/false, a plain count) need no normalising: skip the general check.
        if leaf is not None and (
            (value.__class__ is bool and leaf.shape == "bool")
            or (
                value.__class__ is int
                and 0 <= value < MAX_NUMBER
                and (leaf.shape == "count" or (leaf.shape == "count_or_names" and not leaf.closed))
            )
        ):
            out[address] = value
            continue
        if not isinstance(address, str):
            problems.append(
                Problem(
                    file=file,
                    line=sheet.row,
                    path="answers",
                    message=f'addresses are strings such as "2.2.1.a", got {describe(address)}',
                )
            )
            continue
        if leaf is None:
            hint = suggest_address(address, leaves, items)
            if address in items:
                own = ", ".join(a for a in leaves if a.startswith(address + "."))
                msg = f"'{address}' is an item made of parts; answer its parts ({own})"
            else:
                msg = f"unknown address '{address}'{hint}"
            problems.append(Problem(file=file, line=sheet.row, path=f'answers."{address}"', message=msg))
            continue
        normal, error = check_answer(leaf, value)
        if error is not None:
            problems.append(Problem(file=file, line=sheet.row, path=f'answers."{address}"', message=error))
        else:
            out[address] = normal
    for table in ("evidence", "notes"):
        for address in getattr(sheet, table):
            if address not in leaves and address not in items:
                hint = suggest_address(address, leaves, items)
                message = f"unknown address '{address}'{hint}"
                problems.append(
                    Problem(file=file, line=sheet.row, path=f'{table}."{address}"', message=message)
                )
    return out, problems
