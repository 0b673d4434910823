"""``cases``, the decision table: "完成年度及累计目标 35分 / 仅完成累计 20分 / …"; the first row
whose conditions all match gives the points."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Final

from .._text import fmt
from .._tree import Node, join, letter
from ..model import Cases
from ._base import ZERO, Answers, Blank, Deduction, Evaluate, Kind, Leaf, Num, Report, detail, fast, register

#: Decision tables with more conditions than this are not checked combination by combination.
MAX_CASE_CONDITIONS: Final = 12
#: Longer decision tables are refused.
MAX_CASE_ROWS: Final = 256
#: What a condition id should be made of, as every other address segment.
CONDITION_ID: Final = re.compile(r"[A-Za-z0-9_-]+")


def condition_addresses(rule: Cases, address: str) -> list[tuple[str, str]]:
    """The condition ids of a `Cases` table and their addresses."""
    out = []
    for i, c in enumerate(rule.conditions):
        key = c.id or letter(i)
        out.append((key, join(address, key)))
    return out


def case_row(rule: Cases, address: str, answers: Answers) -> int | None:
    """The index of the row a decision table gives for *answers*, or None when none does.

    A row is skipped when an answered condition contradicts it. The first row not skipped gives
    the points if every condition it names is answered; if it names an unanswered one, the row
    depends on what was left out, and no row is chosen (`undecided` tells the two apart).
    """
    values = {key: answers.get(addr) for key, addr in condition_addresses(rule, address)}
    for i, row in enumerate(rule.rows):
        if any(values.get(k) is not None and values.get(k) is not v for k, v in row.when.items()):
            continue
        return None if any(values.get(k) is None for k in row.when) else i
    return None


def undecided(rule: Cases, address: str, answers: Answers) -> list[str]:
    """The unanswered conditions the first row still possible depends on (empty: decided)."""
    values = {key: answers.get(addr) for key, addr in condition_addresses(rule, address)}
    for row in rule.rows:
        if any(values.get(k) is not None and values.get(k) is not v for k, v in row.when.items()):
            continue
        return [k for k in values if k in row.when and values[k] is None]
    return []


def _true_in(k: int, i: int) -> int:
    """The combinations, as bits of an int, in which condition *i* of *k* holds.

    Combination n (bit n) is the n-th of itertools.product((True, False), repeat=k): all true
    first, the last condition changing fastest, so condition i is true where bit k-1-i of n is 0.
    """
    run = 1 << (k - 1 - i)  # true for *run* combinations, then false for as many, and so on
    pattern, width = (1 << run) - 1, 2 * run
    while width < 1 << k:
        pattern |= pattern << width
        width *= 2
    return pattern


def first_rows(rule: Cases) -> tuple[set[int], dict[str, bool] | None]:
    """Which rows some combination of the conditions reaches first, and a combination no row
    matches (None if every one is matched). Only for tables of at most `MAX_CASE_CONDITIONS`.

    All 2^k combinations are handled at once, as the bits of one int: each row takes the
    combinations it matches out of those still open, so a table costs rows × conditions
    operations on 2^k-bit ints (4096 bits at most), not rows × 2^k Python steps.
    """
    keys = [c.id or letter(i) for i, c in enumerate(rule.conditions)]
    k = len(keys)
    every = (1 << (1 << k)) - 1
    true_in = {key: _true_in(k, i) for i, key in enumerate(keys)}
    open_ = every
    reached: set[int] = set()
    for i, case in enumerate(rule.rows):
        matches = every
        for key, value in case.when.items():
            if key not in true_in:  # an unknown condition is never true or false: the row never matches
                matches = 0
                break
            matches &= true_in[key] if value else every ^ true_in[key]
        if matches & open_:
            reached.add(i)
            open_ &= ~matches
        if not open_:
            break
    if not open_:
        return reached, None
    first = (open_ & -open_).bit_length() - 1  # the first combination in product order
    return reached, {key: not (first >> (k - 1 - i)) & 1 for i, key in enumerate(keys)}


@register
class CasesKind(Kind):
    """A decision table: the first row whose conditions match gives the points."""

    name = "cases"
    model = Cases

    def leaves(self, rule: Cases, address: str, item: str, penalty: bool) -> Iterator[Leaf]:
        blank: Blank = "void" if penalty else "zero"
        for (_, addr), cond in zip(condition_addresses(rule, address), rule.conditions, strict=True):
            yield Leaf(addr, "bool", None, item, cond.text, blank=blank)

    def maximum(self, rule: Cases) -> Decimal:
        return max((r.points for r in rule.rows), default=ZERO)

    def integral(self, rule: Cases) -> bool:
        return all(isinstance(fast(r.points), int) for r in rule.rows)

    def compile(self, rule: Cases, address: str) -> Evaluate:
        points = [fast(r.points) for r in rule.rows]

        def cases(a: Answers) -> Num:
            row = case_row(rule, address, a)
            return 0 if row is None else points[row]

        return cases

    def deduction(self, rule: Cases, address: str) -> Deduction:
        points = [fast(r.points) for r in rule.rows]

        def cases(a: Answers) -> Num | None:
            row = case_row(rule, address, a)
            if row is None:
                return None if undecided(rule, address, a) else 0
            return points[row]

        return cases

    def reason(self, rule: Cases, address: str, answers: Answers, points: Decimal) -> str:
        row = case_row(rule, address, answers)
        shown = {True: "是", False: "否", None: "未填写"}
        truth = "，".join(
            f"{key}{shown[answers.get(addr)]}" for key, addr in condition_addresses(rule, address)
        )
        if row is not None:
            return f"{truth}：第{row + 1}行，{fmt(points)}分"
        if undecided(rule, address, answers):
            return f"{truth}：无法确定所在行，0分"
        return f"{truth}：无匹配行，0分"

    def term(self, rule: Cases, address: str, answers: Answers, taken: Decimal) -> str:
        row = case_row(rule, address, answers)
        shown = {True: "是", False: "否", None: "未填写"}
        truth = "，".join(
            f"{key}{shown[answers.get(addr)]}" for key, addr in condition_addresses(rule, address)
        )
        return f"{fmt(taken)}分{detail(address, truth, None if row is None else f'第{row + 1}行')}"

    def check(self, node: Node, rule: Cases, add: Report) -> None:
        keys = [c.id or letter(i) for i, c in enumerate(rule.conditions)]
        if not rule.conditions:
            add(node, "conditions is empty")
        named = [key for key, c in zip(keys, rule.conditions, strict=True) if c.id != ""]
        if len(set(named)) != len(named):
            add(node, "condition ids must be unique")
        for i, cond in enumerate(rule.conditions):
            if cond.id == "":
                add(
                    node,
                    f"condition id is empty: leave id out to name the condition {letter(i)!r} by its "
                    "position, or write letters, digits, '-' or '_'",
                    f"{node.path}.conditions[{i}].id",
                )
            elif cond.id is not None and not CONDITION_ID.fullmatch(cond.id):
                dotted = "." in cond.id
                why = (
                    f"its answer address {join(node.address, cond.id)} reads as a part of a part"
                    if dotted
                    else "a sheet or a CSV header cannot name it plainly"
                )
                add(
                    node,
                    f"condition id {cond.id!r} holds {'a dot' if dotted else 'another character'}: "
                    f"{why}; use letters, digits, '-' or '_'",
                    f"{node.path}.conditions[{i}].id",
                    severity="warning",
                )
        if not rule.rows:
            add(node, "rows is empty")
        unknown: set[int] = set()  # rows naming a condition the table lacks: they never match
        for i, row in enumerate(rule.rows):
            if row.points < 0:
                add(node, f"points must be 0 or more, got {fmt(row.points)}", f"{node.path}.rows[{i}]")
            for key in row.when:
                if key not in keys:
                    unknown.add(i)
                    what = f"unknown condition '{key}'" if key else "names a condition by an empty id ('')"
                    add(node, f"{what}; conditions are {', '.join(keys)}", f"{node.path}.rows[{i}].when")
        if len(rule.rows) > MAX_CASE_ROWS:
            add(node, f"a decision table has at most {MAX_CASE_ROWS} rows, this one {len(rule.rows)}")
            return
        if not rule.rows or len(keys) > MAX_CASE_CONDITIONS:
            return
        reached, unmatched = first_rows(rule)
        if unmatched is not None:
            shown = ", ".join(f"{k} = {str(v).lower()}" for k, v in unmatched.items())
            add(node, f"no row matches {shown}; add a row without 'when' for the rest")
        for i, row in enumerate(rule.rows):
            # A row naming an unknown condition is unused for that reason, reported above.
            if i not in reached and i not in unknown:
                add(
                    node,
                    f"row {i + 1} ({fmt(row.points)} points) is never used: "
                    "the rows before it match every case it matches",
                    f"{node.path}.rows[{i}]",
                    severity="warning",
                )
