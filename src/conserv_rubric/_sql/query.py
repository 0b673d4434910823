"""The whole query: the sheets' cells parsed, items scored, projects and units capped and summed,
gates and levels judged, points converted back exactly; and its companion of invalid cells."""

from __future__ import annotations

from decimal import Decimal

from .._compiled import Compiled, compiled
from .._kinds import Leaf
from .._tree import walk
from ..model import Rubric
from ._base import DIALECTS, UNITS, Ctx, Dialect, NotExpressible, needed_places, places
from .cells import names_list, normalised, parsed, text
from .kinds import rule_sql

#: The most decimal places of points rendered (whole units of 10**-MAX_SCALE points).
MAX_SCALE = 10


def _scale(rubric: Rubric, plan: Compiled) -> int:
    """The places of the rubric's unit of points; raise `NotExpressible` for what SQL cannot score."""
    if not plan.aggregator.plain:
        raise NotExpressible(None, "rubric (aggregate): a weighted or divided total")
    scale = places(rubric.total)
    for node in walk(rubric):
        obj = node.obj
        if node.kind in ("unit", "project"):
            scale = max(scale, *(places(v) for v in (obj.max, obj.points) if v is not None), 0)  # type: ignore[union-attr]
            continue
        rule = node.rule
        if rule.na_if is not None:
            raise NotExpressible(node, f'na_if with na = "{rubric.na}" changes the maxima row by row')
        # Mechanisms the query does not render (#12): refused rather than scored otherwise.
        if rule.gate_figure is not None:
            raise NotExpressible(node, "gate_figure gates on the answered figure, not the points")
        if rule.verifier_only:
            raise NotExpressible(node, "verifier_only: the table does not say which stage scored a row")
        if getattr(rule, "zero_at", None) is not None:
            raise NotExpressible(node, "zero_at zeroes the whole item from one deduction's count")
        if rule.gate_min is not None:
            scale = max(scale, places(rule.gate_min))
        scale = max(scale, needed_places(node, rule))
    for need in (*plan.levels,):
        scale = max(scale, places(need.min), *(places(v) for v in need.unit_min.values()), 0)
    for shares in plan.share_needs:
        if shares is not None:
            scale = max(scale, *(places(v) for v in shares), 0)
    if scale > MAX_SCALE:
        raise NotExpressible(None, f"rubric: points with {scale} decimal places (at most {MAX_SCALE})")
    return scale


def _check_dialect(dialect: str) -> Dialect:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect '{dialect}'; expected one of {', '.join(DIALECTS)}")
    return dialect


def _parsed(ctx: Ctx, leaves: dict[str, Leaf], table: str) -> str:
    """The CTEs ``n`` (normalised text, as ``"#ADDRESS"``), ``s`` (lists of names, ``"~ADDRESS"``)
    and ``a`` (each parsed answer as ``"ADDRESS"``, its problem or NULL as ``"!ADDRESS"``): every
    expression is computed once per cell, and later ones refer to earlier ones by column."""
    q = ctx.quote
    norm = "".join(f", {normalised(ctx, q(a))} AS {q('#' + a)}" for a in leaves)
    lists = "".join(
        f", {names_list(ctx, q('#' + a))} AS {q('~' + a)}"
        for a, leaf in leaves.items()
        if leaf.shape == "count_or_names"
    )
    values, problems = [], []
    for a, leaf in leaves.items():
        value, message = parsed(ctx, leaf, q("#" + a), q("~" + a))
        values.append(f", {value} AS {q(a)}")
        problems.append(
            f", CASE WHEN {q('#' + a)} IS NOT NULL AND {q(a)} IS NULL THEN {message} END AS {q('!' + a)}"
        )
    # DuckDB inlines a CTE and may then compute a column once per reference: materialized, the
    # parsed answers are computed once (Spark plans its own way and has no such keyword).
    mat = "MATERIALIZED " if ctx.dialect == "duckdb" else ""
    return (
        f"n AS (SELECT agency{norm} FROM {table}),\n"
        f"s AS (SELECT *{lists} FROM n),\n"
        f"v AS (SELECT *{''.join(values)} FROM s),\n"
        f"a AS {mat}(SELECT *{''.join(problems)} FROM v)"
    )


def _points(ctx: Ctx, expr: str) -> str:
    """Whole units as exact points: one multiplication by 10**-scale, never a division."""
    if ctx.scale == 0:
        return f"CAST({expr} AS DECIMAL(18, 0))"
    unit = f"CAST('{Decimal(1).scaleb(-ctx.scale)}' AS DECIMAL({ctx.scale + 1}, {ctx.scale}))"
    return f"CAST(CAST({expr} AS DECIMAL(18, 0)) * {unit} AS DECIMAL({18 + ctx.scale}, {ctx.scale}))"


def render_score(rubric: Rubric, dialect: str = "duckdb", table: str = "sheets") -> str:
    """One ``SELECT`` scoring every valid row of *table* (rows with an invalid cell are left to
    `render_validation`); raise `NotExpressible` for a rubric SQL cannot score exactly."""
    plan = compiled(rubric)
    ctx = Ctx(_check_dialect(dialect), _scale(rubric, plan))
    q = ctx.quote
    leaves = plan.leaves
    valid = " AND ".join(f"{q('!' + a)} IS NULL" for a in leaves) or "TRUE"
    items = ", ".join(
        f"{rule_sql(ctx, i.rule, i.address, False)} AS {q('i ' + i.address)}" for i in plan.items
    )
    projects = []
    for (start, end, cap), (address, _, _) in zip(plan.project_plan, plan.project_nodes, strict=True):
        s = " + ".join(q(f"i {plan.items[k].address}") for k in range(start, end)) or "0"
        projects.append(_capped(ctx, s, cap) + f" AS {q('p ' + address)}")
    units = []
    for (projs, span, cap), (address, _) in zip(plan.unit_plan, plan.unit_nodes, strict=True):
        if span is None:
            terms = [q("p " + plan.project_nodes[p][0]) for p in projs]
        else:
            terms = [q(f"i {plan.items[k].address}") for k in range(*span)]
        units.append(_capped(ctx, " + ".join(terms) or "0", cap) + f" AS {q('u ' + address)}")
    unit_cols = [q("u " + a) for a, _ in plan.unit_nodes]
    gates = []
    for gate in plan.gates:
        if gate.test == "project":
            test = f"{q('p ' + gate.address)} <= 0"
        elif gate.test == "positive":  # a ★ item
            test = f"{q('i ' + gate.address)} <= 0"
        elif gate.index in plan.checks:
            test = f"{q(plan.checks[gate.index])} IS NOT TRUE"
        else:
            test = f"{q('i ' + gate.address)} < {ctx.units(gate.need)}"
        gates.append((gate, test))
    failed_any = " OR ".join(f"({t})" for _, t in gates) or "FALSE"
    zero = " OR ".join(f"({t})" for g, t in gates if g.kind == "zero") or "FALSE"
    total = f"CASE WHEN {zero} THEN CAST(0 AS {UNITS}) ELSE {' + '.join(unit_cols) or '0'} END"
    whens = []
    for k, lv in enumerate(plan.levels):
        tests = [f"t.total >= {ctx.units(lv.min)}"]
        tests += [f"{unit_cols[u]} >= {ctx.units(need)}" for u, need in plan.level_needs[k]]
        whens.append(f"WHEN {' AND '.join(tests)} THEN {text(ctx, lv.name)}")
    level = f"CASE WHEN t.failed_any THEN NULL {' '.join(whens)} END" if whens else "CAST(NULL AS STRING)"
    if plan.partial:  # a partial transcription (`published`) awards no level and never passes
        level = "CAST(NULL AS STRING)"
    if ctx.dialect == "duckdb":
        level = level.replace("AS STRING", "AS VARCHAR")
    passed = "FALSE" if plan.partial else "t.level_ IS NOT NULL" if plan.levels else "NOT t.failed_any"
    labels = ", ".join(f"CASE WHEN {t} THEN {text(ctx, g.label)} END" for g, t in gates)
    failed = f"concat_ws('; ', {labels})" if labels else "''"
    out = [f"{_points(ctx, q('u ' + a))} AS {q(f'{a} {u.title}')}" for a, u in plan.unit_nodes]
    return (
        f"WITH {_parsed(ctx, leaves, table)},\n"
        f"i AS (SELECT *, {items or 'TRUE AS _i'} FROM a WHERE {valid}),\n"
        f"p AS (SELECT *{''.join(', ' + p for p in projects)} FROM i),\n"
        f"u AS (SELECT *{''.join(', ' + u for u in units)} FROM p),\n"
        f"g AS (SELECT *, {failed_any} AS failed_any, {failed} AS failed_ FROM u),\n"
        f"t AS (SELECT *, {total} AS total FROM g),\n"
        f"l AS (SELECT *, {level} AS level_ FROM t)\n"
        f"SELECT t.agency AS agency, {', '.join(o.replace(q('u '), 't.' + q('u ')) for o in out)}"
        f"{', ' if out else ''}{_points(ctx, 't.total')} AS total,"
        f" CAST('{rubric.total}' AS DECIMAL(38, {places(rubric.total)})) AS max,"
        f" t.level_ AS level, {passed} AS passed, t.failed_ AS failed\nFROM l AS t\n"
    ).replace("t.failed_any", "failed_any")


def _capped(ctx: Ctx, s: str, cap: object) -> str:
    if cap is None:
        return f"({s})"
    c = ctx.units(Decimal(cap))  # type: ignore[arg-type]
    return f"CASE WHEN ({s}) > {c} THEN {c} ELSE ({s}) END"


def render_validation(rubric: Rubric, dialect: str = "duckdb", table: str = "sheets") -> str:
    """The companion query: one row (agency, column, value, message) per invalid cell."""
    plan = compiled(rubric)
    ctx = Ctx(_check_dialect(dialect), 0)
    q = ctx.quote
    leaves = plan.leaves
    if not leaves:
        return f"SELECT agency, '' AS {q('column')}, '' AS value, '' AS message FROM {table} WHERE FALSE"
    union = "\nUNION ALL\n".join(
        f"SELECT agency, {text(ctx, a)} AS {q('column')}, {q('#' + a)} AS value, {q('!' + a)} AS message"
        f" FROM a WHERE {q('!' + a)} IS NOT NULL"
        for a in leaves
    )
    return f"WITH {_parsed(ctx, leaves, table)}\n{union}\n"
