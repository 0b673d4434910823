"""One SQL renderer per rule kind, each scoring exactly as the kind's module in `_kinds` does.

Every expression is whole units of points (`_base.UNITS`); inside a deduction it is NULL when
a figure the deduction needs is unanswered, which SQL's NULL then carries to the item (scored
0), as `conserv_rubric._kinds.compile_rule` with ``penalty=True`` returns None.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from .._kinds.cases import condition_addresses
from .._limits import MAX_NUMBER
from .._tree import Node, child_addresses
from ..model import Bands, Best, Cases, Check, Deduct, Each, Flag, Judged, Linear, Parts, Rule
from ._base import NUMBER_PLACES, REGISTRY, UNITS, Ctx, NotExpressible, places, renders

ZERO = f"CAST(0 AS {UNITS})"


def rule_sql(ctx: Ctx, rule: Rule, address: str, penalty: bool) -> str:
    """*rule* at *address* as an expression of units (its ``zero_if`` included)."""
    inner = REGISTRY[type(rule)](ctx, rule, address, penalty)
    if rule.zero_if is None:
        return inner
    return f"CASE WHEN {ctx.column(f'{address}.zero')} IS TRUE THEN {ZERO} ELSE {inner} END"


def _children(ctx: Ctx, rule: Rule, address: str, penalty: bool) -> list[str]:
    return [rule_sql(ctx, c, a, penalty) for a, c in child_addresses(rule, address)]


def _most(*figures: Decimal | None) -> int:
    return max((places(f) for f in figures if f is not None), default=0)


@renders(Flag, lambda node, r: places(r.points))
def _flag(ctx: Ctx, rule: Flag, address: str, penalty: bool) -> str:
    col, points = ctx.column(address), ctx.units(rule.points)
    if not rule.at_least:
        return f"CASE WHEN {col} IS TRUE THEN {points} ELSE {ZERO} END"
    if penalty:
        return f"CASE WHEN {col} IS NULL THEN NULL WHEN {col} < {rule.at_least} THEN {points} ELSE {ZERO} END"
    return f"CASE WHEN COALESCE({col}, 0) >= {rule.at_least} THEN {points} ELSE {ZERO} END"


@renders(Check, lambda node, r: 0)
def _check(ctx: Ctx, rule: Check, address: str, penalty: bool) -> str:
    return ZERO


def _each_places(node: Node, rule: Each) -> int:
    return _most(rule.per, rule.max)


@renders(Each, _each_places)
def _each(ctx: Ctx, rule: Each, address: str, penalty: bool) -> str:
    n = f"COALESCE({ctx.column(address)}, 0)"
    need = rule.at_least or 0
    product = f"({ctx.units(rule.per)} * {n})"
    top = (
        rule.max
        if rule.max is not None
        else rule.per * len(rule.options)
        if rule.options and not rule.open
        else None
    )
    if top is None:
        return f"CASE WHEN {n} < {need} THEN {ZERO} ELSE {product} END"
    full = math.ceil(Fraction(top) / Fraction(rule.per))
    return (
        f"CASE WHEN {n} < {need} OR {n} = 0 THEN {ZERO} WHEN {n} >= {full} THEN {ctx.units(top)}"
        f" ELSE {product} END"
    )


@renders(Parts, lambda node, r: _most(r.max))
def _parts(ctx: Ctx, rule: Parts, address: str, penalty: bool) -> str:
    total = "(" + " + ".join(_children(ctx, rule, address, penalty)) + ")"
    if rule.max is None:
        return total
    cap = ctx.units(rule.max)
    # LEAST skips NULLs; an unknown deduction must stay unknown.
    return f"CASE WHEN {total} IS NULL THEN NULL WHEN {total} < {cap} THEN {total} ELSE {cap} END"


def _greatest(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else f"GREATEST({', '.join(terms)})"


@renders(Best, lambda node, r: 0)
def _best(ctx: Ctx, rule: Best, address: str, penalty: bool) -> str:
    terms = _children(ctx, rule, address, penalty)
    if not penalty:
        return _greatest(terms)
    unknown = " OR ".join(f"({t}) IS NULL" for t in terms)
    return f"CASE WHEN {unknown} THEN NULL ELSE {_greatest(terms)} END"


@renders(Deduct, lambda node, r: places(r.points))
def _deduct(ctx: Ctx, rule: Deduct, address: str, penalty: bool) -> str:
    taken = "(" + " + ".join(_children(ctx, rule, address, True)) + ")"
    start = ctx.units(rule.points)
    unknown = "NULL" if penalty else ZERO
    return (
        f"CASE WHEN {taken} IS NULL THEN {unknown} WHEN {start} - {taken} > 0"
        f" THEN {start} - {taken} ELSE {ZERO} END"
    )


def _judged_places(node: Node, rule: Judged) -> int:
    # Without a step an answer may carry every decimal a sheet number may.
    return NUMBER_PLACES if rule.step is None else _most(rule.step, *rule.range)


@renders(Judged, _judged_places)
def _judged(ctx: Ctx, rule: Judged, address: str, penalty: bool) -> str:
    scaled = f"CAST({ctx.column(address)} * CAST({10**ctx.scale} AS DECIMAL(11, 0)) AS {UNITS})"
    return f"COALESCE({scaled}, {ZERO})"


def _edge_places(node: Node, edges: list[Decimal]) -> None:
    for edge in edges:
        if places(edge) > NUMBER_PLACES:
            raise NotExpressible(node, f"the figure {edge} has more than {NUMBER_PLACES} decimal places")


def _bands_places(node: Node, rule: Bands) -> int:
    if rule.input == "ratio":
        raise NotExpressible(node, 'bands with input = "ratio" compare a product of two answers')
    _edge_places(node, [e for b in rule.bands for e in (b.gt, b.ge, b.lt, b.le) if e is not None])
    return _most(*(b.points for b in rule.bands))


@renders(Bands, _bands_places)
def _bands(ctx: Ctx, rule: Bands, address: str, penalty: bool) -> str:
    col = ctx.column(address)
    whens = []
    for band in rule.bands:
        tests = [
            f"{col} {op} {ctx.number(edge)}"
            for op, edge in ((">", band.gt), (">=", band.ge), ("<", band.lt), ("<=", band.le))
            if edge is not None
        ]
        whens.append(f"WHEN {' AND '.join(tests) or 'TRUE'} THEN {ctx.units(band.points)}")
    blank = "NULL" if penalty else ZERO
    return f"CASE WHEN {col} IS NULL THEN {blank} {' '.join(whens)} ELSE {ZERO} END"


def _linear_places(node: Node, rule: Linear) -> int:
    if rule.steps == "exact":
        raise NotExpressible(node, 'linear with steps = "exact" divides by its step')
    need = _most(rule.per, rule.base, rule.max)
    if rule.digits is not None and _most(rule.per, rule.base) > rule.digits:
        raise NotExpressible(node, f"linear rounds its award to digits = {rule.digits}")
    _edge_places(node, [rule.start, rule.step])
    return need


@renders(Linear, _linear_places)
def _linear(ctx: Ctx, rule: Linear, address: str, penalty: bool) -> str:
    col = ctx.column(address)
    start = ctx.number(rule.start)
    distance = f"({col} - {start})" if rule.direction == "up" else f"({start} - {col})"
    ten = f"CAST({10**NUMBER_PLACES} AS DECIMAL(11, 0))"
    whole = f"CAST({distance} * {ten} AS {UNITS})"
    step = f"CAST({int(rule.step.scaleb(NUMBER_PLACES))} AS {UNITS})"
    steps = ctx.idiv(whole, step)
    if rule.steps == "started":
        steps = f"({steps} + CASE WHEN {ctx.imod(whole, step)} <> 0 THEN 1 ELSE 0 END)"
    # Past the steps that reach the cap (in a deduction without one, more points than any rubric
    # holds) the award is the same, so they are counted no further: a 10^-10 step makes 10^22
    # steps of a large figure, which times a large `per` would overflow the product's 38 digits.
    # (LEAST skips a NULL, but an unanswered figure never reaches the award: see below.)
    top = Fraction(rule.max) if rule.max is not None else Fraction(MAX_NUMBER)
    enough = max(0, math.ceil((top - Fraction(rule.base)) / Fraction(rule.per)))
    steps = f"LEAST({steps}, CAST({enough} AS {UNITS}))"
    award = f"({ctx.units(rule.base)} + {ctx.units(rule.per)} * {steps})"
    if rule.max is not None:
        cap = ctx.units(rule.max)
        award = f"CASE WHEN {award} > {cap} THEN {cap} ELSE {award} END"
    blank = "NULL" if penalty else ZERO
    return f"CASE WHEN {col} IS NULL THEN {blank} WHEN {distance} < 0 THEN {ZERO} ELSE {award} END"


@renders(Cases, lambda node, r: _most(*(row.points for row in r.rows)))
def _cases(ctx: Ctx, rule: Cases, address: str, penalty: bool) -> str:
    cols = {key: ctx.column(addr) for key, addr in condition_addresses(rule, address)}
    unknown = "NULL" if penalty else ZERO
    whens = []
    for row in rule.rows:
        # An unknown condition (validation refuses it) is never answered, as in case_row.
        got = {k: cols.get(k, "NULL") for k in row.when}
        open_ = " AND ".join(
            f"({got[k]} IS NULL OR {got[k]} = {str(v).upper()})" for k, v in row.when.items()
        )
        known = " AND ".join(f"{got[k]} IS NOT NULL" for k in row.when)
        points = ctx.units(row.points)
        then = f"CASE WHEN {known} THEN {points} ELSE {unknown} END" if known else points
        whens.append(f"WHEN {open_ or 'TRUE'} THEN {then}")
    return f"CASE {' '.join(whens)} ELSE {ZERO} END" if whens else ZERO
