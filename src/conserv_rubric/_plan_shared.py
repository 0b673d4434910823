"""What the generated plan (`conserv_rubric._codegen`) remembers and shares between sheets: the
full checker's reading of answers it left in doubt, how a counter's result for names is
made from the result for their count, and when the plan is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from ._answers import check_answer
from ._compiled import Compiled
from ._kinds import Leaf, kind_of
from ._kinds.each import EachKind
from ._results import ItemResult
from .model import Each

if TYPE_CHECKING:
    from ._plan_run import Plan

#: How a counter's result for an answer naming names is made (`named_results`).
Named = Callable[[list[str], "ItemResult | None"], ItemResult]
#: Returned by `Checker.fix` for an answer the full checker refuses.
MISS: Final = object()
#: Text answers remembered per kind of leaf; once full, further ones are read each time.
MAX_MEMO: Final = 1024
#: Longer text is read each time rather than remembered.
MAX_MEMO_TEXT: Final = 128
#: Results for names remembered per counter, and the reasons' text around names.
MAX_MADE: Final = 256


def copy_answer(value: object) -> object:
    """A fresh copy of a remembered answer that a card could hand out (names, a ratio, a tier)."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


class Checker:
    """The answers the inline checks leave in doubt, read by the full checker leaf by leaf.

    The full checker's reading of a text answer depends only on the leaf's shape, options and
    range, so what it made of a text is remembered for every leaf that reads text the same way:
    the yes/no leaves share one memo (the generated code looks it up inline), the plain counts
    another, every other leaf has its own. Lists of names are remembered per leaf too.
    """

    def __init__(self, leaves: list[Leaf]) -> None:
        self.leaves = leaves
        self.text_bool: dict[object, object] = {}
        text_count: dict[object, object] = {}
        self.memos: list[dict[object, object]] = []
        for leaf in leaves:
            if leaf.shape == "bool":
                self.memos.append(self.text_bool)
            elif leaf.shape == "count":
                self.memos.append(text_count)
            else:
                self.memos.append({})

    def fix(self, j: int, raw: object) -> object:
        """The checked answer of leaf *j* for *raw*, or `MISS` when the full checker refuses it."""
        memo = self.memos[j]
        key: object = None
        if isinstance(raw, str):
            key = raw if len(raw) <= MAX_MEMO_TEXT else None
        elif isinstance(raw, list) and all(e.__class__ is str for e in raw):
            key = tuple(raw)
        if key is not None:
            found = memo.get(key, MISS)
            if found is not MISS:
                return copy_answer(found)
        value, error = check_answer(self.leaves[j], raw)
        if error is not None:
            return MISS
        if key is not None and len(memo) < MAX_MEMO:
            memo[key] = copy_answer(value)
        return value


def named_results(c: Compiled, k: int) -> Named | None:
    """For item *k*, a counter of its own (``each``), the result of an answer naming names from
    the result of an answer of their count (given, or else the one the rubric's cards share:
    KeyError when there is none yet), with the names in its reason. None for any other item."""
    found = named_made(c, k)
    return None if found is None else found[0]


def named_made(c: Compiled, k: int) -> tuple[Named, dict[tuple[str, ...], ItemResult]] | None:
    """`named_results` for item *k*, with the results it has made by the names in order (what
    the generated code looks up first, without a call)."""
    item = c.items[k]
    rule = item.rule
    if not isinstance(rule, Each) or item.leaves != (item.address,):
        return None
    memo, kind = c.memo_items[k], kind_of(rule)
    assert isinstance(kind, EachKind)
    # The reasons' text before and after the names, by the reason for their count; and the
    # results made, by the names in order (the same few answers recur).
    around: dict[str, tuple[str, str]] = {}
    made: dict[tuple[str, ...], ItemResult] = {}

    def named(names: list[str], base: ItemResult | None = None) -> ItemResult:
        if not names:
            return memo[0] if base is None else base
        key = tuple(names)
        found = made.get(key)
        if found is not None:
            return found
        if base is None:
            base = memo[len(names)]
        slots = around.get(base.reason)
        if slots is None:
            slots = kind.around(rule, base.reason, len(names))
            if len(around) < MAX_MADE:
                around[base.reason] = slots
        found = ItemResult(
            base.address,
            base.text,
            base.points,
            base.max,
            base.applicable_max,
            f"{slots[0]}{'、'.join(names)}{slots[1]}",
            base.unit,
            base.project,
            base.applicable,
            base.unanswered,
            base.evidence,
            base.note,
        )
        if len(made) < MAX_MADE:
            made[key] = found
        return found

    return named, made


def plan_when_reused(c: Compiled) -> Plan | None:
    """*c*'s generated plan from its second use on: a rubric scored once (one sheet through the
    command line) neither writes one nor imports what writes it."""
    if c.plan is None and c.uses == 0:
        c.uses = 1
        return None
    from ._plan_run import plan_of  # noqa: PLC0415 - see above

    return plan_of(c)
