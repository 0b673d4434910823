"""Answers checked against a rubric: each leaf's shape, ranges and options, every misfit located.

Text answers (every CSV cell, and strings in TOML and JSON sheets) are read here, against the
leaf they answer, by the one grammar of `conserv_rubric._cells`; so the same text means the same
in every format.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from ._cells import (
    boolean,
    chinese_count,
    clipped,
    name_count,
    normal,
    number,
    options_by_name,
    ratio,
    split_names,
    starts_like_a_number,
)
from ._exact import multiple_of
from ._kinds import Leaf
from ._limits import MAX_DEPTH, MAX_LIST, MAX_NUMBER
from ._sheet import Sheet
from ._text import builtin, describe, fmt, out_of_range, suggest
from .errors import Problem
from .model import Tiers

#: Unknown addresses in one sheet for which a suggestion is searched; the rest get none, so a
#: sheet of thousands of unknown addresses is refused in time linear in its size.
MAX_SUGGESTIONS: Final = 32
#: Known addresses one suggestion is searched among (the nearest part of the rubric first).
MAX_CANDIDATES: Final = 256
#: Longer unknown addresses get no suggestion (no rubric address is near one this long).
MAX_SUGGESTED_LENGTH: Final = 64

_COUNT: Final = "a count (a whole number ≥ 0)"
#: How a program writes a count it holds as a Decimal or a float.
_AN_INT: Final = ' as an int ({n}) or text of digits ("{n}")'
#: How a bare number can begin (a cheap test before the grammar's).
_NUMERIC_FIRST: Final = frozenset("0123456789+-")


def _shown(value: object) -> str:
    """*value* as messages name it; a huge int is shown like a huge Decimal (str() would fail)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return describe(Decimal(value))
    return describe(value)


def _figure(value: int) -> str:
    return str(value) if abs(value) < 10**30 else f"{Decimal(value):.3E}"


def _number(value: object) -> Decimal | None:
    value = builtin(value)
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
    # Names are compared as every answer is (`normal`: NFKC, trimmed), and shown as the rubric has them.
    tiers = {normal(t.name): t for t in rule.tiers}
    names = "、".join(t.name for t in rule.tiers)
    points: Decimal | None = None
    if isinstance(value, str):
        text = normal(value)
        split = _TIER_POINTS.fullmatch(text)
        if text not in tiers and split is not None and split.group(1) in tiers:
            text, points = split.group(1), Decimal(split.group(2))
        if text not in tiers:
            # A tier's name with something after it that is not points in digits ("基本符合 1e0",
            # "基本符合２分"): say how its points are written.
            ranged = [t for t in rule.tiers if t.range is not None]
            for tier in sorted(ranged, key=lambda t: -len(t.name)):
                key = normal(tier.name)
                if text.startswith(key) and text != key:
                    return None, (
                        f"tier '{tier.name}' takes its points in digits after a space "
                        f"(\"{tier.name} 2\"), got '{text}'"
                    )
            shown = [t.name for t in rule.tiers]
            return None, f"'{text}' is not one of the tiers{suggest(text, shown)}: {names}"
        name = text
    elif isinstance(value, dict):
        extra = sorted(set(value) - {"tier", "points"})
        if extra:
            return None, f"unknown key '{extra[0]}' in the answer; expected tier and points"
        given = value.get("tier")
        if not isinstance(given, str) or normal(given) not in tiers:
            return None, f"expected tier = one of {names}, got {describe(given)}"
        name = normal(given)
        if "points" in value:
            points = _number(value["points"])
            if points is None or out_of_range(points):
                return None, f"expected points = a number, got {describe(value['points'])}"
    else:
        return None, f"expected the name of a tier ({names}), got {describe(value)}"
    tier = tiers[name]
    name = tier.name
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


def _too_many(value: object) -> str | None:
    """The message for a whole number too large to be a count, or None."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    if isinstance(value, Decimal) and (not value.is_finite() or value != value.to_integral_value()):
        return None
    if value >= MAX_NUMBER:
        return f"expected a count below {MAX_NUMBER:,}, got {_shown(value)}"
    return None


def _as_count(value: object) -> tuple[str, str] | None:
    """How a whole number that is no int (``Decimal("2")``, ``2.0``, a cell "2.0") is written as a
    count, and how the message names it; None for anything else."""
    if isinstance(value, float) and value.is_integer() and 0 <= value < MAX_NUMBER:
        return _AN_INT.format(n=int(value)), f"a float ({value})"
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value < MAX_NUMBER:
        return None
    if value != value.to_integral_value():
        return None
    n = int(value)
    if value.as_tuple().exponent == 0:
        # No sheet file holds such a Decimal (their whole numbers are ints): a program made it.
        return _AN_INT.format(n=n), f"a Decimal ({value})"
    return f" written without a decimal point ({n})", describe(value)


def _from_text(leaf: Leaf, text: str) -> tuple[object, str | None]:
    """*text* read as the kind of answer *leaf* wants: a flag, a number, a ratio or names."""
    shape = leaf.shape
    value = normal(text)
    # Messages show the text as written, without the space around it (as a CSV cell is kept).
    text = text.strip()
    if value == "":
        return None, "a blank answer; leave the address out to leave it unanswered"
    if shape == "bool":
        flag = boolean(value)
        if flag is None:
            return None, f"expected true or false, got {describe(text)}"
        return flag, None
    if shape == "count_or_names":
        if leaf.options:
            option = options_by_name(leaf.options).get(value)
            if option is not None:
                return [option], None
        if chinese_count(value):
            return None, f"expected a count in digits (such as 3), got {describe(text)}"
        if not starts_like_a_number(value):
            n = name_count(value)
            if n > MAX_LIST:
                return None, f"lists {n} entries; the limit is {MAX_LIST}"
            return split_names(value), None
        count = number(value)
        if count is None:
            want = "a count in digits (such as 3) or names separated by ';'"
            return None, f"expected {want}, got {describe(text)}"
        return count, None
    if shape == "ratio":
        pair = ratio(value)
        if pair is not None:
            return {"value": pair[0], "ref": pair[1]}, None
    figure = number(value)
    if figure is None:
        want = {"count": _COUNT, "ratio": "a number or VALUE/REF (such as 15.8/18)"}.get(shape, "a number")
        return None, f"expected {want}, got {describe(text)}"
    return figure, None


def _names(leaf: Leaf, value: list[object] | tuple[object, ...]) -> tuple[object, str | None]:
    """A list of names, normalised: trimmed, NFKC, options spelled as the rubric spells them."""
    if len(value) > MAX_LIST:
        return None, f"lists {len(value)} entries; the limit is {MAX_LIST}"
    options = options_by_name(leaf.options) if leaf.options else {}
    seen: dict[str, str] = {}
    for entry, given in enumerate(value, 1):
        raw = builtin(given)
        if not isinstance(raw, str):
            return None, f"expected names (strings) in the list, got {_shown(raw)}"
        # An option written as the rubric writes it (the common answer) needs no normalising.
        if (option := options.get(raw)) is not None:
            name = option
        elif (name := normal(raw)) == "":
            return None, f"lists a blank name (entry {entry})"
        elif not name.isprintable():
            return None, f"lists a name with a control character (entry {entry}: '{clipped(name)}')"
        elif (option := options.get(name)) is not None:
            name = option
        elif leaf.closed:
            return (
                None,
                f"'{clipped(name)}' is not one of the options{suggest(name, leaf.options)}: "
                + "、".join(leaf.options),
            )
        elif name[0] in _NUMERIC_FIRST and (count := number(name)) is not None:
            alone = f" ({count})" if isinstance(count, int) else ""
            message = f"lists '{clipped(raw.strip())}', a number, not a name"
            return None, f"{message}: answer with the count alone{alone}, or names"
        first = seen.get(name)
        if first is not None:
            if first == raw:
                return None, f"lists '{clipped(name)}' twice"
            return None, f"lists '{clipped(name)}' twice (as '{clipped(first)}' and '{clipped(raw)}')"
        seen[name] = raw
    return list(seen), None


def check_answer(leaf: Leaf, value: object) -> tuple[object, str | None]:  # noqa: C901 - one branch per shape
    """The normalised answer for *leaf*, or an error message."""
    # A subclass of str, int, float or Decimal is read by its value: neither this message nor
    # the card calls its own methods.
    value = builtin(value)
    if leaf.shape == "tier":
        # A tier is named, not read by the cell grammar: "基本符合 2" is a name and its points.
        return _tier(leaf, value)
    if isinstance(value, str):
        value, error = _from_text(leaf, value)
        if error is not None:
            return None, error
    shape = leaf.shape
    if shape == "bool":
        if isinstance(value, bool):
            return value, None
        return None, f"expected true or false, got {_shown(value)}"
    if shape in ("count", "count_or_names"):
        error = _too_many(value)
        if error is not None:
            return None, error
    if shape == "count":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value, None
        if (whole := _as_count(value)) is not None:
            return None, f"expected {_COUNT}{whole[0]}, got {whole[1]}"
        return None, f"expected {_COUNT}, got {_shown(value)}"
    if shape == "count_or_names":
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                return None, f"expected a count ≥ 0, got {_figure(value)}"
            if leaf.closed and value > len(leaf.options):
                return None, f"counts {value}, but the standard lists only {len(leaf.options)} options"
            return value, None
        if isinstance(value, list | tuple):
            return _names(leaf, value)
        if (whole := _as_count(value)) is not None:
            return None, f"expected {_COUNT}{whole[0]}, or a list of names, got {whole[1]}"
        return None, f"expected {_COUNT} or a list of names, got {_shown(value)}"
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
    number_ = _number(value)
    if number_ is not None and out_of_range(number_) is not None:
        return None, f"{out_of_range(number_)}, got {describe(number_)}"
    if number_ is None:
        want = "a number or { value = …, ref = … }" if shape == "ratio" else "a number"
        if isinstance(value, Decimal | float) and not isinstance(value, bool):
            want = "a finite number"
        return None, f"expected {want}, got {_shown(value)}"
    if shape == "ratio":
        return {"value": number_, "ref": Decimal(1)}, None
    if shape == "judged":
        assert leaf.low is not None
        assert leaf.high is not None
        if number_ != 0 and not leaf.low <= number_ <= leaf.high:
            span = f"0 or a number from {fmt(leaf.low)} to {fmt(leaf.high)}"
            return None, f"expected {span}, got {fmt(number_)}"
        if leaf.step is not None and not multiple_of(number_, leaf.step):
            return None, f"expected a multiple of {fmt(leaf.step)}, got {fmt(number_)}"
    elif leaf.low is not None and leaf.high is not None and not leaf.low <= number_ <= leaf.high:
        # A rule's declared range ("range = [0, 100]" for a rate): a figure outside it is refused.
        return None, f"expected a number from {fmt(leaf.low)} to {fmt(leaf.high)}, got {fmt(number_)}"
    return number_, None


def _prefixes(address: str) -> Iterator[str]:
    """'2.2.1.a' → '2', '2.2', '2.2.1' (the proper prefixes at dots, shortest first)."""
    at = address.find(".")
    while at != -1:
        yield address[:at]
        at = address.find(".", at + 1)


class Near:
    """Where an unknown address was probably meant to point, found in bounded time.

    Built once for a sheet, and only when it names an unknown address: an index from every
    prefix of a leaf address to the leaves below it, so that each question is a few lookups.
    At most `MAX_SUGGESTIONS` addresses are searched, each among at most `MAX_CANDIDATES`.
    """

    def __init__(self, leaves: Mapping[str, Leaf]) -> None:
        self.order = {address: i for i, address in enumerate(leaves)}
        self.below: dict[str, list[str]] = {"": list(leaves)}
        for address in leaves:
            for prefix in _prefixes(address):
                self.below.setdefault(prefix, []).append(address)
        self.budget = MAX_SUGGESTIONS

    def parts_of(self, item: str) -> list[str]:
        """The leaves of the item at *item*."""
        return self.below.get(item, [])

    def suggest(self, address: str) -> str:
        """' (did you mean …?)', preferring answerable addresses in the same branch, or ''."""
        if self.budget <= 0 or len(address) > MAX_SUGGESTED_LENGTH or address.count(".") > MAX_DEPTH:
            return ""
        self.budget -= 1
        # "１.１" typed with a Chinese input method: the address it shows.
        plain = unicodedata.normalize("NFKC", address)
        if plain != address and plain in self.order:
            return f" (did you mean '{plain}'? '{address}' is typed full-width)"
        # "2.1.1.a" on an item without parts means "2.1.1"; "2.2" means one of its items.
        related = [p for p in _prefixes(address) if p in self.order]
        if address and address in self.below:
            below = self.below[address]
            # An item's own answer rather than its zero override or applicability.
            related.append(next((a for a in below if not a.endswith((".zero", ".na"))), below[0]))
        if related:
            return f" (did you mean '{min(related, key=self.order.__getitem__)}'?)"
        # Otherwise the closest address below the nearest branch of the rubric that exists.
        branch = address
        while branch:
            branch = branch.rpartition(".")[0]
            pool = self.below.get(branch)
            if pool is not None:
                hint = suggest(address, pool[:MAX_CANDIDATES])
                if hint or not branch:
                    return hint
        return ""


def _not_applicable(out: dict[str, object], marked: set[str], sheet: Sheet) -> list[Problem]:
    """Answers given for an item the same sheet marks not applicable (``ADDRESS.na = true``)."""
    problems = []
    for address in list(out):
        if address.endswith(".na") and address[: -len(".na")] in marked:
            continue
        item = next((p for p in (*_prefixes(address), address) if p in marked), None)
        if item is not None:
            message = (
                f"'{item}.na' = true marks {item} not applicable, and '{address}' answers it too;"
                " remove the answer or the mark"
            )
            where = f'answers."{address}"'
            problems.append(Problem(file=sheet.file, line=sheet.row, path=where, message=message))
            del out[address]
    return problems


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
    near: Near | None = None
    # Items marked not applicable: only a `.na` leaf has no rule and a name ending so.
    marked: set[str] = set()
    for key, value in given.items():
        leaf = leaves.get(key)
        # The common answers (true/false, a plain count) need no normalising: skip the general check.
        if leaf is not None and (
            (value.__class__ is bool and leaf.shape == "bool")
            or (
                value.__class__ is int
                and 0 <= value < MAX_NUMBER
                and (leaf.shape == "count" or (leaf.shape == "count_or_names" and not leaf.closed))
            )
        ):
            out[key] = value
            if value is True and leaf.rule is None and key.endswith(".na"):
                marked.add(key[: -len(".na")])
            continue
        address = builtin(key)  # a subclass of str is named by its text alone, as answers are
        if not isinstance(address, str):
            problems.append(
                Problem(
                    file=file,
                    line=sheet.row,
                    path="answers",
                    message=f'addresses are strings such as "2.2.1.a", got {_shown(address)}',
                )
            )
            continue
        if leaf is None:
            near = near or Near(leaves)
            if address in items:
                own = ", ".join(near.parts_of(address))
                msg = f"'{address}' is an item made of parts; answer its parts ({own})"
            else:
                msg = f"unknown address '{address}'{near.suggest(address)}"
            problems.append(Problem(file=file, line=sheet.row, path=f'answers."{address}"', message=msg))
            continue
        normal_, error = check_answer(leaf, value)
        if error is not None:
            problems.append(Problem(file=file, line=sheet.row, path=f'answers."{address}"', message=error))
        else:
            out[address] = normal_
            if normal_ is True and leaf.rule is None and address.endswith(".na"):
                marked.add(address[: -len(".na")])
    if marked:
        problems.extend(_not_applicable(out, marked, sheet))
    for table in ("evidence", "notes"):
        for address in getattr(sheet, table):
            if address not in leaves and address not in items:
                near = near or Near(leaves)
                message = f"unknown address '{address}'{near.suggest(address)}"
                problems.append(
                    Problem(file=file, line=sheet.row, path=f'{table}."{address}"', message=message)
                )
    return out, problems
