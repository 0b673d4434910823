"""The plan as generated Python source: one function per rubric that reads, checks and scores a
sheet's answers in one pass, written out the way attrs writes an ``__init__``.

The function covers the common case: every answer a leaf's own shape in plain form (``true``,
a count, a list of the names the standard lists) or text the cell grammar has read before for
that kind of leaf. Flags, checks, capped counters and sums of them are scored inline in ints (or
in `Decimal` constants, inside the library's context, for a rubric whose points are not whole);
every other rule calls the closure `conserv_rubric._kinds.compile_rule` made for it. Projects,
units, caps, gates, the total and the level follow, written out.

On any doubt — an unknown address, an answer the inline checks do not accept and the full checker
refuses, an item marked not applicable — the function returns None, and `score` runs the full
checker and the interpreter (`conserv_rubric._compiled`), so every error stays as located as it
was. The interpreter is also the oracle the property tests compare this plan with.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from ._compiled import Compiled
from ._gates import Gate, withheld
from ._kinds import Leaf, Num, fast, kind_of, reachable
from ._limits import MAX_NUMBER
from ._plan_shared import Checker, named_made
from ._results import GroupResult
from ._sheet import WORDS
from ._tree import child_addresses
from .model import Check, Each, Flag, Parts, Rule

#: What a plan's `Plan.quick` and `Plan.text` return: every unit's points, the total, the
#: level, the gates that failed, and the units' results when the rubric's cards share them
#: already (else None: the card makes them when read).
Sums = tuple[list[Num], Decimal, "str | None", tuple[Gate, ...], "tuple[GroupResult, ...] | None"]
#: A generated function: from answers as written and whether the items only a verifier scores
#: are withheld, its result, or None when the full checker must read the answers.
Quick = Callable[[dict[str, Any], bool], "Sums | None"]

#: Whole totals up to this have their Decimal made once per plan.
MAX_TOTALS: Final = 10_000


class _Source:
    """Lines of Python and the constants they name."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, object] = {}

    def add(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def const(self, value: object, prefix: str = "K") -> str:
        """A name for *value* in the generated code: an int literal, else a named constant."""
        if value.__class__ is int:
            return repr(value)
        name = f"{prefix}{len(self.names)}"
        self.names[name] = value
        return name


class _Plan:
    """Writes one scoring function of a compiled rubric.

    Args:
        c: the compiled rubric.
        full: the function only checks the answers and returns them, one per leaf in rubric
            order, None where unanswered (what a card's explanations read); without it, it
            scores them, flags alone in their item added straight into their project's sum,
            as a hand-written scorer would.
        text: answers are expected as text (a CSV row): the memo of text already read is
            consulted first.
        explain: with *full*, the function returns every item's result, looked up among those
            the rubric's cards share, or None when one of them is not shared yet.
    """

    def __init__(self, c: Compiled, *, full: bool, text: bool, explain: bool = False) -> None:
        self.c = c
        self.full = full
        self.explain = explain
        self.text = text
        self.checker: Checker
        self.src = _Source()
        self.index = {address: j for j, address in enumerate(c.leaves)}
        gated = {g.index for g in c.gates if g.test != "project"}
        group_of: dict[tuple[int, int | None], str] = {}
        for p, (start, end, _) in enumerate(c.project_plan):
            for k in range(start, end):
                group_of[(k, None)] = f"s{p}"
        for u, (_, span, _) in enumerate(c.unit_plan):
            if span is not None:
                for k in range(*span):
                    group_of[(k, None)] = f"su{u}"
        #: Leaf → the local its flag's points go to: the item's own, or a group's sum (``+=``).
        self.points_of: dict[int, str] = {}
        #: Items whose points are only added to a group's sum (no local of their own).
        self.summed: dict[int, str] = {}
        for k, item in enumerate(c.items):
            rule = item.rule
            if not (isinstance(rule, Flag) and not rule.at_least and rule.zero_if is None):
                continue
            if k in c.verifier_items:
                continue
            j = self.index[item.address]
            # Added while the answers are read, outside the decimal context: whole points only.
            whole = isinstance(fast(rule.points), int)
            if not full and whole and k not in gated and (k, None) in group_of:
                self.summed[k] = self.points_of[j] = group_of[(k, None)]
            else:
                self.points_of[j] = f"i{k}"
        for k, item in enumerate(c.items):
            # An uncapped sum of such flags is added into its group's sum flag by flag too.
            rule = item.rule
            if full or not isinstance(rule, Parts) or rule.max is not None or rule.zero_if is not None:
                continue
            if k in c.verifier_items or k in gated or (k, None) not in group_of:
                continue
            children = list(child_addresses(rule, item.address))
            if children and all(
                isinstance(child, Flag)
                and not child.at_least
                and child.zero_if is None
                and isinstance(fast(child.points), int)
                and a in self.index
                for a, child in children
            ):
                self.summed[k] = group_of[(k, None)]
                for a, _ in children:
                    self.points_of[self.index[a]] = self.summed[k]
        # A figure gate reads its figure from a mapping of the checked answers, as closures do.
        self.closures = any(g.test == "figure" for g in c.gates)

    def var(self, address: str) -> str:
        return f"v{self.index[address]}"

    def num(self, value: Decimal) -> str:
        return self.src.const(fast(value))

    def expr(self, rule: Rule, address: str) -> str | None:
        """An expression for the points *rule* at *address* awards (as `compile_rule` would), or
        None when the rule is scored by its closure."""
        inner = self._inner(rule, address)
        if inner is None or rule.zero_if is None:
            return inner
        return f"(0 if {self.var(address + '.zero')} is True else {inner})"

    def _inner(self, rule: Rule, address: str) -> str | None:
        if isinstance(rule, Check):
            return "0"
        if isinstance(rule, Flag):
            v = self.var(address)
            points = self.num(rule.points)
            if rule.at_least:
                return f"({points} if ({v} or 0) >= {rule.at_least!r} else 0)"
            j = self.index[address]
            return self.points_of.get(j, f"x{j}")
        if isinstance(rule, Each):
            return self._each(rule, address)
        if isinstance(rule, Parts):
            terms = [self.expr(child, a) for a, child in child_addresses(rule, address)]
            if not terms or any(t is None for t in terms):
                return None
            summed = "(" + " + ".join(t for t in terms if t is not None) + ")"
            return summed if rule.max is None else f"min({summed}, {self.num(rule.max)})"
        return None

    def _each(self, rule: Each, address: str) -> str:
        n = f"n{self.index[address]}"
        per, need = self.num(rule.per), rule.at_least or 0
        top = kind_of(rule).maximum(rule)
        # Whole points and no minimum: a count of 0 gives the int 0 without a test of its own.
        times = (n if per == "1" else f"{per} * {n}") if per.isdigit() else None
        if top is None:
            return times if times is not None and not need else f"(0 if {n} < {need!r} else {per} * {n})"
        full = math.ceil(Fraction(top) / Fraction(rule.per))
        cap = self.num(top)
        if times is not None and cap.isdigit() and not need:
            return f"({cap} if {n} >= {full!r} else {times})"
        return f"(0 if {n} < {need!r} or {n} == 0 else ({cap} if {n} >= {full!r} else {per} * {n}))"

    def build(self) -> str:
        c, src = self.c, self.src
        leaves = list(c.leaves.values())
        add = src.add
        if self.explain:
            return self._explain(add)
        add(0, "def quick(a, w):")
        add(1, "g = a.get")
        if self.text:
            add(1, "tb = TB.get")
        add(1, f"n = {len(leaves)}")
        for name in sorted(set(self.summed.values())):
            add(1, f"{name} = 0")
        add(1, "try:")
        items: list[str] = []
        for k, item in enumerate(c.items):
            found = self.expr(item.rule, item.address)
            if found is None:
                self.closures = True
                found = f"F{k}(o)"
                src.names[f"F{k}"] = item.evaluate
            items.append(found)
        start = len(src.lines)
        for j, leaf in enumerate(leaves):
            self._leaf(j, leaf)
        src.lines[start:] = ["    " + line for line in src.lines[start:]]
        add(1, "except TypeError:  # an unhashable answer: the full checker says what is wrong")
        add(2, "return None")
        # Every key was a leaf of the rubric: nothing unknown, nothing given as None.
        add(1, "if len(a) != n:")
        add(2, "return None")
        values = "(" + "".join(f"v{j}, " for j in range(len(leaves))) + ")"
        if self.full:
            add(1, f"return {values}")
            return "\n".join(src.lines) + "\n"
        if c.integral:
            self._body(add, items, values)
        else:
            # Decimal points: the sums and the closures run in the library's own context.
            add(1, "with localcontext(EXACT):")
            self._body(lambda depth, text: src.add(depth + 1, text), items, values)
        return "\n".join(src.lines) + "\n"

    def _body(self, add: Callable[[int, str], None], items: list[str], values: str) -> None:
        """Items, projects, units, the total, gates and level, from the leaves read."""
        c, src = self.c, self.src
        if self.closures:
            add(1, f"o = {{k: x for k, x in zip(ADDRESSES, {values}) if x is not None}}")
        # An item or project that only its sum reads is written into that sum, not kept in a
        # local of its own; gates read theirs, and capped sums are capped in place.
        gated_items = {g.index for g in c.gates if g.test != "project"}
        gated_projects = {g.index for g in c.gates if g.test == "project"}
        inline: dict[int, str] = {}
        for k, found in enumerate(items):
            if k in self.summed:
                continue
            if k in c.verifier_items:
                add(1, f"i{k} = 0 if w else {found}")
            elif k not in gated_items and found != f"i{k}":
                inline[k] = found
            elif found != f"i{k}":
                add(1, f"i{k} = {found}")

        def terms(ks: range, own: str) -> str:
            got = ([own] if any(k in self.summed for k in ks) else []) + [
                inline.get(k, f"i{k}") for k in ks if k not in self.summed
            ]
            return " + ".join(got) or "0"

        project: list[str] = []
        for p, (start, end, cap) in enumerate(c.project_plan):
            summed = terms(range(start, end), f"s{p}")
            if cap is None and p not in gated_projects:
                project.append(summed if "+" not in summed else f"({summed})")
                continue
            add(1, f"p{p} = {summed}")
            if cap is not None:
                limit = src.const(cap)
                add(1, f"if p{p} > {limit}: p{p} = {limit}")
            project.append(f"p{p}")
        for u, (projects, span, cap) in enumerate(c.unit_plan):
            parts = (
                " + ".join(project[p] for p in projects) or "0"
                if span is None
                else terms(range(*span), f"su{u}")
            )
            add(1, f"u{u} = {parts}")
            if cap is not None:
                limit = src.const(cap)
                add(1, f"if u{u} > {limit}: u{u} = {limit}")
        units = "[" + ", ".join(f"u{u}" for u in range(len(c.unit_plan))) + "]"
        if c.aggregator.plain:
            add(1, f"t = {' + '.join(f'u{u}' for u in range(len(c.unit_plan))) or '0'}")
            if c.integral:
                # Whole totals: the Decimal of each is made once (Decimal(int) costs more than a lookup).
                top = int(sum((reachable(i.rule) or i.max for i in c.items), Decimal(0)))
                src.names["DEC"] = tuple(Decimal(x) for x in range(min(top, MAX_TOTALS) + 1))
                add(1, f"total = DEC[t] if 0 <= t <= {min(top, MAX_TOTALS)!r} else Decimal(t)")
            else:
                add(1, "total = Decimal(t)")
        else:
            src.names["AGG"] = c.aggregator
            add(1, f"t = total = AGG.total({units})")
        self._gates(add)
        self._level(add)
        shared = "None"
        if c.integral:
            # Whole unit points: their results are shared by every card of the rubric.
            for u, memo in enumerate(c.memo_units):
                src.names[f"U{u}"] = memo
            shared = "res"
            add(1, "try:")
            add(2, "res = (" + "".join(f"U{u}[u{u}], " for u in range(len(c.unit_plan))) + ")")
            add(1, "except KeyError:  # not shared yet: the card makes them")
            add(2, "res = None")
        add(1, f"return {units}, total, level, failed, {shared}")

    def _leaf(self, j: int, leaf: Leaf) -> None:
        """Read leaf *j* into ``v{j}``, accepted inline or checked by `Checker.fix`; a flag's
        points and a counter's count are taken on the way."""
        add = self.src.add
        v = f"v{j}"
        add(1, f"{v} = g({leaf.address!r})")
        flag = isinstance(leaf.rule, Flag) and leaf.shape == "bool"
        word = "if"
        hit = miss = after = ""
        if flag:
            assert isinstance(leaf.rule, Flag)
            points = self.num(leaf.rule.points)
            x = self.points_of.get(j, f"x{j}")
            summed = x.startswith("s")
            hit = f"{x} += {points}" if summed else f"{x} = {points}"
            miss = "pass" if summed else f"{x} = 0"
            after = f"if {v} is True: {hit}" if summed else f"{x} = {points} if {v} is True else 0"
        # A CSV's ``true`` and ``false`` are the reader's own two objects (`_sheet.WORDS`):
        # a flag tests them by identity; other text is looked up below.
        yes = no = ""
        read = self.checker.fix
        if self.text and flag and read(j, WORDS["true"]) is True and read(j, WORDS["false"]) is False:
            yes, no = f" or {v} is YES", f" or {v} is NO"
        elif self.text and leaf.shape == "bool":
            # Text read before for a yes/no leaf becomes its bool; anything else stays as it is
            # (a list raises TypeError: the checker says what is wrong with it).
            add(1, f"{v} = tb({v}, {v})")
        elif self.text and leaf.shape in ("count", "count_or_names"):
            # Text read before for this kind of leaf: looked up, not read again.
            memo = self.src.const(self.checker.memos[j], "M")
            add(1, f"if type({v}) is str and (m := {memo}.get({v}, MISS)) is not MISS:")
            add(2, f"{v} = m")
            if leaf.shape == "count_or_names":
                add(2, f"n{j} = len(m) if type(m) is list else m")
            word = "elif"
        if flag:
            add(1, f"{word} {v} is True{yes}:")
            add(2, hit)
            if yes:
                add(2, f"{v} = True")  # read as a bool by what follows (gates, conditions)
            add(1, f"elif {v} is False{no}:")
            add(2, miss)
            if no:
                add(2, f"{v} = False")
            add(1, "else:")
        elif leaf.shape == "bool":
            add(1, f"{word} {v} is not True and {v} is not False:")
        elif leaf.shape in ("count", "count_or_names"):
            # What the full checker passes unchanged: a whole number, within what it allows.
            top = len(leaf.options) if leaf.closed else MAX_NUMBER - 1
            add(1, f"{word} type({v}) is int and 0 <= {v} <= {top!r}:")
            add(2, f"n{j} = {v}" if leaf.shape == "count_or_names" else "pass")
            if leaf.shape == "count_or_names":
                # A list of names the checker has read before (unhashable names: TypeError).
                memo = self.src.const(self.checker.memos[j], "M")
                add(1, f"elif type({v}) is list and (m := {memo}.get(tuple({v}), MISS)) is not MISS:")
                add(2, f"n{j} = len(m)")
                if not self.full:
                    # The card keeps the names as given, not the caller's list (it may change).
                    add(2, f"a[{leaf.address!r}] = {v}.copy()")
                add(2, f"{v} = m.copy()" if self.full else f"{v} = m")
            add(1, "else:")
        elif word == "elif":
            add(1, "else:")
        else:
            add(1, "if True:")
        add(2, f"if {v} is None:")
        add(3, "n -= 1")
        add(2, "else:")
        if leaf.shape == "bool":
            add(3, f"{v} = TB.get({v}, {v}) if type({v}) is str else {v}")
            add(3, f"if type({v}) is not bool:")
            add(4, f"{v} = fix({j}, {v})")
            add(4, f"if {v} is MISS:")
            add(5, "return None")
        else:
            if not self.full:
                # Names or a table: the card keeps a copy, not the caller's object.
                add(3, f"if isinstance({v}, list | dict): a[{leaf.address!r}] = copy({v})")
            add(3, f"{v} = fix({j}, {v})")
            add(3, f"if {v} is MISS:")
            add(4, "return None")
        if flag:
            add(2, after)
        elif leaf.shape == "count_or_names":
            add(2, f"n{j} = 0 if {v} is None else len({v}) if type({v}) is list else {v}")
        if leaf.rule is None and leaf.address.endswith(".na"):
            # Marked not applicable: the item counts differently; the interpreter scores it.
            add(1, f"if {v} is True:")
            add(2, "return None")

    def _explain(self, add: Callable[[int, str], None]) -> str:
        """Every item's result from the results shared by its answers (`Compiled.memo_items`):
        a counter answered with names takes the result of their count and names them.

        It reads the answers of a card from the plan, which passed the same checks when the card
        was scored: each is only brought into the form the checker gives it (text read before,
        names read before), nothing is refused again, no points are taken on the way."""
        c, src = self.c, self.src
        add(0, "def explain(a, w):")
        add(1, "g = a.get")
        add(1, "try:")
        for j, leaf in enumerate(c.leaves.values()):
            v = f"v{j}"
            add(2, f"{v} = g({leaf.address!r})")
            if leaf.shape == "bool":
                add(2, f"if {v} is not True and {v} is not False and {v} is not None:")
                add(3, f"{v} = TB.get({v}, {v}) if type({v}) is str else {v}")
                add(3, f"if type({v}) is not bool:")
                add(4, f"{v} = fix({j}, {v})")
                add(4, f"if {v} is MISS:")
                add(5, "return None")
                if leaf.rule is None and leaf.address.endswith(".na"):
                    add(2, f"if {v} is True:")  # not applicable: the card builds its results
                    add(3, "return None")
                continue
            if leaf.shape in ("count", "count_or_names"):
                top = len(leaf.options) if leaf.closed else MAX_NUMBER - 1
                add(2, f"if {v} is not None and not (type({v}) is int and 0 <= {v} <= {top!r}):")
                if leaf.shape == "count_or_names":
                    # Names read before: the checker's list, read only (no copy).
                    memo = src.const(self.checker.memos[j], "M")
                    add(3, f"m = {memo}.get(tuple({v}), MISS) if type({v}) is list else MISS")
                    add(3, f"{v} = fix({j}, {v}) if m is MISS else m")
                else:
                    add(3, f"{v} = fix({j}, {v})")
            else:
                add(2, f"if {v} is not None:")
                add(3, f"{v} = fix({j}, {v})")
            add(3, f"if {v} is MISS:")
            add(4, "return None")
        # Filled in from a copy of the addresses in order: no dict growing entry by entry.
        add(2, f"d = {src.const(dict.fromkeys(a for a, _, _ in c.item_spans), 'K')}.copy()")
        for k, (address, start, stop) in enumerate(c.item_spans):
            memo = src.const(c.memo_items[k], "I")
            if stop - start != 1:
                add(2, f"d[{address!r}] = {memo}[({''.join(f'v{j}, ' for j in range(start, stop))})]")
                continue
            v = f"v{start}"
            named = named_made(c, k)
            if named is None:
                add(2, f"d[{address!r}] = {memo}[{v}]")
            else:
                # Names seen before: their result looked up inline (an ItemResult is never false).
                made, make = src.const(named[1], "D"), src.const(named[0], "N")
                found = f"({made}.get(tuple({v})) or {make}({v}))"
                add(2, f"d[{address!r}] = {found} if type({v}) is list else {memo}[{v}]")
        add(2, "return d")
        add(1, "except (KeyError, TypeError):  # a result not shared yet: the card builds them")
        add(2, "return None")
        return "\n".join(src.lines) + "\n"

    def _gates(self, add: Callable[[int, str], None]) -> None:
        c, src = self.c, self.src
        if not c.gates:
            add(1, "failed = NONE")
            return
        add(1, "failed = []")
        zero = any(g.kind == "zero" for g in c.gates)
        for n, gate in enumerate(c.gates):
            name = f"G{n}"
            src.names[name] = gate
            depth = 1
            scored = c.project_scored[gate.index] if gate.test == "project" else {gate.index}
            if scored and scored <= c.verifier_items:
                add(1, "if not w:")  # the verifier's to score: not evaluated on a self-assessment
                depth = 2
            i = f"i{gate.index}"
            if gate.test == "project":
                test = f"p{gate.index} <= 0"
            elif gate.test == "check":
                test = f"{self.var(gate.address)} is not True"
            elif gate.test == "figure":
                src.names[f"R{n}"] = gate.read
                src.names[f"W{n}"] = gate.figure
                add(depth, f"x = R{n}(o)")
                test = f"x is None or not within(W{n}, x)"
            elif gate.test == "positive":
                test = f"{i} < {self.num(gate.need)} or {i} <= 0"
            else:
                test = f"{i} < {self.num(gate.need)}"
            add(depth, f"if {test}:")
            add(depth + 1, f"failed.append({name})")
        add(1, "failed = tuple(failed)")
        if zero:
            add(1, "if any(f.kind == 'zero' for f in failed):")
            add(2, "total = ZERO")

    def _level(self, add: Callable[[int, str], None]) -> None:
        c = self.c
        if c.partial or not c.levels:
            add(1, "level = None")
            return
        # A gate that withholds only the upper levels (``withholds``): the levels it leaves open are
        # still tested, from the first the failed gates do not withhold (``s``).
        some = any(g.withholds is not None for g in c.gates)
        if some:
            self.src.names["LV"], self.src.names["WH"] = c.levels, withheld
            add(1, "s = WH(LV, failed) if failed else 0")
        elif c.gates:
            add(1, "if failed:")
            add(2, "level = None")
        for k, lv in enumerate(c.levels):
            # The sum before it became a Decimal: a whole threshold is compared as an int.
            tests = [f"s <= {k}"] if some else []
            tests += [f"t >= {self.num(lv.min)}"]
            tests += [f"u{u} >= {self.num(need)}" for u, need in c.level_needs[k]]
            word = "elif" if (c.gates and not some) or k else "if"
            add(1, f"{word} {' and '.join(tests)}:")
            add(2, f"level = {lv.name!r}")
        add(1, "else:")
        add(2, "level = None")
