"""The cell grammar of `conserv_rubric._cells` as SQL: each leaf's text parsed, or its problem.

A cell is text. It is normalised as `_cells.normal` does for what Chinese input methods type
(full-width ASCII, the ideographic space and U+2212 MINUS SIGN, by ``translate``, since neither
engine has NFKC), trimmed, and read against its leaf's shape; blank is unanswered.
"""

from __future__ import annotations

import functools

from .._cells import normal
from .._kinds import Leaf
from .._limits import MAX_DECIMALS, MAX_LIST, MAX_NUMBER
from .._text import fmt
from ._base import NUMBER, NUMBER_PLACES, Ctx
from ._unicode import tables

#: The spaces NFKC makes a plain space (the ideographic space of Chinese input methods among them).
_SPACES = "\u3000\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + _SPACES + "\u2212"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " " * len(_SPACES) + "-"
#: The characters the query maps by ``translate`` rather than marking them unread.
MAPPED = _FULL
#: What `str.strip` takes away around an answer and a name, as SQL's trim takes it.
SPACE = tables(MAPPED)["space"]
#: The part of `SPACE` left once `normalised` has mapped (or marked) what lies beyond ASCII: a
#: shorter set, which DuckDB trims much faster.
_SPACE = "".join(c for c in SPACE if c.isascii())
#: Counts written in Chinese numerals, which a count-or-names answer refuses (`_cells.chinese_count`).
_CHINESE_COUNT = "[〇零一二两三四五六七八九十百千万]+[次项个家条份人处类种篇期场回件]?"


@functools.cache
def unmapped() -> str:
    """A regular expression of the characters beyond ASCII the query does not read as NFKC reads
    them (`conserv_rubric._sql._unicode.compute` says which). A cell holding one is invalid,
    never read otherwise than in Python."""
    return f"[{_ranges(tables(MAPPED)['unmapped'])}]"


def _ranges(ranges: list[list[int]]) -> str:
    return "".join(f"\\x{{{a:X}}}" + (f"-\\x{{{b:X}}}" if b > a else "") for a, b in ranges)


@functools.cache
def common() -> str:
    """A regular expression of text made of `_unicode.COMMON_BLOCKS` alone, none of whose
    characters `unmapped` finds (the C0 controls aside, which the grammar refuses on its own)."""
    return f"^[{_ranges(tables(MAPPED)['common'])}]*$"


def text(ctx: Ctx, value: str) -> str:
    """*value* as a string literal of the dialect."""
    body = value.replace("'", "''")
    if ctx.dialect == "spark":
        body = body.replace("\\", "\\\\")
    return f"'{body}'"


def _trim(ctx: Ctx, expr: str) -> str:
    if ctx.dialect == "spark":
        return f"trim(BOTH {text(ctx, _SPACE)} FROM {expr})"
    return f"trim({expr}, {text(ctx, _SPACE)})"


def normalised(ctx: Ctx, column: str) -> str:
    """The normalised text of a raw cell, NULL when it is blank."""
    raw = f"CAST({column} AS {'STRING' if ctx.dialect == 'spark' else 'VARCHAR'})"
    # translate is slow on every cell: only text with a character beyond ASCII needs it.
    octets = f"octet_length({raw})" if ctx.dialect == "spark" else f"strlen({raw})"
    ascii_ = f"{octets} = {'char_length' if ctx.dialect == 'spark' else 'length'}({raw})"
    # A character NFKC would read otherwise than translate does marks the cell (`UNREAD`) as invalid.
    mapped = (
        f"CASE WHEN {ascii_} THEN {raw} WHEN NOT {_contains(ctx, raw, common())}"
        f" AND {_contains(ctx, raw, unmapped())} THEN concat(chr(1), {raw})"
        f" ELSE translate({raw}, {text(ctx, _FULL)}, {text(ctx, _HALF)}) END"
    )
    return f"NULLIF({_trim(ctx, mapped)}, '')"


def unread(ctx: Ctx, t: str) -> str:
    """Whether normalised text *t* is a cell `normalised` marked as holding a character it cannot read."""
    return f"(substr({t}, 1, 1) = chr(1))"


def shown(ctx: Ctx, t: str) -> str:
    """The cell as written (trimmed) of normalised text *t*, marked or not."""
    return f"CASE WHEN {unread(ctx, t)} THEN substr({t}, 2) ELSE {t} END"


def unread_message(ctx: Ctx, t: str) -> str:
    """The message of a cell `normalised` marked: the character named."""
    char = f"regexp_extract(substr({t}, 2), {text(ctx, unmapped())}, 0)"
    return (
        f"concat('holds the character ', {char}, ', which the query does not read as the Python readers do"
        f" (NFKC); write the answer without it, or score the sheet in Python')"
    )


def _matches(ctx: Ctx, expr: str, pattern: str) -> str:
    if ctx.dialect == "spark":
        return f"({expr} RLIKE {text(ctx, pattern)})"
    return f"regexp_full_match({expr}, {text(ctx, pattern)})"


_INT = "^[+-]?[0-9]+$"
_NUM = "^[+-]?[0-9]+(\\.[0-9]+)?$"


def _count(ctx: Ctx, t: str) -> str:
    """A whole number ≥ 0 below the limit, or NULL."""
    pattern = _INT.replace("^", "").replace("$", "") if ctx.dialect == "duckdb" else _INT
    n = f"try_cast({t} AS DECIMAL(38, 0))"
    fits = f"{_matches(ctx, t, pattern)} AND {n} >= 0 AND {n} < {MAX_NUMBER}"
    return f"CASE WHEN {fits} THEN CAST({n} AS BIGINT) END"


def _number(ctx: Ctx, t: str) -> str:
    """A number within the limits of a sheet (`out_of_range`), or NULL."""
    pattern = _NUM.replace("^", "").replace("$", "") if ctx.dialect == "duckdb" else _NUM
    decimals = f"\\.[0-9]{{{MAX_DECIMALS + 1},}}"
    n = f"try_cast({t} AS DECIMAL(38, {NUMBER_PLACES}))"
    return (
        f"CASE WHEN {_matches(ctx, t, pattern)} AND NOT {_contains(ctx, t, decimals)}"
        f" AND abs({n}) < {MAX_NUMBER} THEN CAST({n} AS {NUMBER}) END"
    )


def _contains(ctx: Ctx, expr: str, pattern: str) -> str:
    if ctx.dialect == "spark":
        return f"({expr} RLIKE {text(ctx, pattern)})"
    return f"regexp_matches({expr}, {text(ctx, pattern)})"


def _lists(ctx: Ctx) -> tuple[str, str, str, str, str, str]:
    if ctx.dialect == "spark":
        return "x -> ", "split", "transform", "filter", "array_distinct", "size"
    return "lambda x: ", "string_split_regex", "list_transform", "list_filter", "list_distinct", "len"


def names_list(ctx: Ctx, t: str) -> str:
    """The names in normalised text *t*, split at ``;`` and ``、`` and trimmed (computed once)."""
    lam, split, transform, *_ = _lists(ctx)
    return f"{transform}({split}({t}, '[;、,]'), {lam}{_trim(ctx, 'x')})"


def _names(ctx: Ctx, leaf: Leaf, names: str) -> tuple[str, str]:
    """(the count of names, whether they are valid) for the list of names *names*."""
    lam, _, _, filt, distinct, size = _lists(ctx)
    # As `_answers._names` refuses them: a blank name, a number, a control character.
    number_ = _NUM if ctx.dialect == "spark" else _NUM[1:-1]
    bad = ["x = ''", _matches(ctx, "x", number_), _contains(ctx, "x", "[\\x00-\\x1f\\x7f]")]
    if leaf.closed:
        options = ", ".join(text(ctx, normal(o)) for o in leaf.options)
        bad.append(f"x NOT IN ({options})")
    faults = f"{size}({filt}({names}, {lam}{' OR '.join(bad)}))"
    valid = (
        f"({faults} = 0 AND {size}({distinct}({names})) = {size}({names}) AND {size}({names}) <= {MAX_LIST})"
    )
    return f"CAST({size}({names}) AS BIGINT)", valid


def parsed(ctx: Ctx, leaf: Leaf, t: str, names: str = "") -> tuple[str, str]:
    """(the parsed answer of normalised text *t*, NULL when invalid; the message, an SQL string)
    for *leaf*; a ``count_or_names`` leaf also needs *names*, its `names_list` column."""
    shape = leaf.shape
    if shape == "bool":
        value = f"CASE lower({t}) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END"
        return value, "'expected true or false'"
    if shape == "count":
        value = _count(ctx, t)
        want = "'expected a count (a whole number ≥ 0)'"
        return value, want
    if shape == "count_or_names":
        option = (
            f"{t} IN ({', '.join(text(ctx, normal(o)) for o in leaf.options)})" if leaf.options else "FALSE"
        )
        count = _count(ctx, t)
        if leaf.closed:
            count = f"CASE WHEN {count} <= {len(leaf.options)} THEN {count} END"
        n, valid = _names(ctx, leaf, names)
        numeric = _contains(ctx, t, "^[+-]?\\.?[0-9]")
        chinese = _matches(ctx, t, _CHINESE_COUNT if ctx.dialect == "duckdb" else f"^{_CHINESE_COUNT}$")
        value = (
            f"CASE WHEN {t} IS NULL THEN NULL WHEN {option} THEN CAST(1 AS BIGINT)"
            f" WHEN {chinese} THEN NULL WHEN {numeric} THEN {count} WHEN {valid} THEN {n} END"
        )
        want = "expected a count in digits (such as 3) or names separated by ';'"
        return value, text(ctx, want)
    value = _number(ctx, t)
    if shape == "judged":
        assert leaf.low is not None
        assert leaf.high is not None
        low, high = ctx.number(leaf.low), ctx.number(leaf.high)
        fits = f"({value} = 0 OR ({value} >= {low} AND {value} <= {high}))"
        if leaf.step is not None:
            step = int(leaf.step.scaleb(NUMBER_PLACES))
            whole = f"CAST({value} * CAST({10**NUMBER_PLACES} AS DECIMAL(11, 0)) AS DECIMAL(38, 0))"
            fits = f"({fits} AND {ctx.imod(whole, str(step))} = 0)"
        value = f"CASE WHEN {fits} THEN {value} END"
        want = f"expected 0 or a number from {leaf.low} to {leaf.high}" + (
            f" in steps of {leaf.step}" if leaf.step is not None else ""
        )
        return value, text(ctx, want)
    if leaf.low is not None and leaf.high is not None:
        # A declared answer range (`range = [0, 100]`): outside it, the cell is bad, as in score().
        low, high = ctx.number(leaf.low), ctx.number(leaf.high)
        value = f"CASE WHEN {value} >= {low} AND {value} <= {high} THEN {value} END"
        return value, text(ctx, f"expected a number from {fmt(leaf.low)} to {fmt(leaf.high)}")
    want = f"expected a number below {MAX_NUMBER:,} with at most {MAX_DECIMALS} decimal places"
    return value, text(ctx, want)
