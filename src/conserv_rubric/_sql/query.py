"""The whole query: the sheets' cells parsed, items scored, projects and units capped and summed,
gates and levels judged, points converted back exactly; and its companion of invalid cells."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .._compiled import Compiled, compiled
from .._csv_report import GATE_SEPARATOR
from .._gates import Gate, gate_words, withheld
from .._kinds import Leaf
from .._text import fmt
from .._tree import walk
from ..model import Level, Rubric
from ._base import DIALECTS, UNITS, Ctx, Dialect, NotExpressible, needed_places, places
from .cells import names_list, normalised, parsed, shown, text, unread, unread_message
from .kinds import rule_sql
from .total import total_plan

#: The most decimal places of points rendered (whole units of 10**-MAX_SCALE points).
MAX_SCALE = 10


def _scale(rubric: Rubric, plan: Compiled) -> int:
    """The places of the rubric's unit of points; raise `NotExpressible` for what SQL cannot score."""
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
    total_plan(plan, scale, [lv.min for lv in plan.levels])  # refuses a total it cannot compute
    return scale


def _check_dialect(dialect: str) -> Dialect:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect '{dialect}'; expected one of {', '.join(DIALECTS)}")
    return dialect


def _parsed(
    ctx: Ctx, leaves: dict[str, Leaf], table: str, keep: Sequence[str] = (), number: str | None = None
) -> str:
    """The CTEs ``n`` (normalised text, as ``"#ADDRESS"``), ``s`` (lists of names, ``"~ADDRESS"``)
    and ``a`` (each parsed answer as ``"ADDRESS"``, its problem or NULL as ``"!ADDRESS"``): every
    expression is computed once per cell, and later ones refer to earlier ones by column; the
    columns *keep* of *table* are carried along, and the expression *number* as ``"#row"``."""
    q = ctx.quote
    kept = "".join(f", {q(k)}" for k in keep) + (f", {number} AS {q('#row')}" if number else "")
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
            f", CASE WHEN {q('#' + a)} IS NOT NULL AND {q(a)} IS NULL THEN CASE WHEN"
            f" {unread(ctx, q('#' + a))} THEN {unread_message(ctx, q('#' + a))} ELSE {message} END END"
            f" AS {q('!' + a)}"
        )
    # DuckDB inlines a CTE and may then compute a column once per reference: materialized, the
    # parsed answers are computed once (Spark plans its own way and has no such keyword).
    mat = "MATERIALIZED " if ctx.dialect == "duckdb" else ""
    return (
        f"n AS (SELECT agency{kept}{norm} FROM {table}),\n"
        f"s AS (SELECT *{lists} FROM n),\n"
        f"v AS (SELECT *{''.join(values)} FROM s),\n"
        f"a AS {mat}(SELECT *{''.join(problems)} FROM v)"
    )


def _points(ctx: Ctx, expr: str) -> str:
    """Whole units as exact points: one multiplication by 10**-scale, never a division.

    The units are at most 36 - scale digits: the product then has at most 38 digits in both
    dialects (Spark counts one more than DuckDB and would round the scale down beyond 38), so
    points reach 10**(36 - 2 × scale): every figure a sheet may hold (below 10**12) at up to 12
    places, where 18 digits of units overflowed from 10**(18 - scale) points (10**8 at 10 places)."""
    digits = 36 - ctx.scale
    if ctx.scale == 0:
        return f"CAST({expr} AS DECIMAL({digits}, 0))"
    unit = f"CAST('{Decimal(1).scaleb(-ctx.scale)}' AS DECIMAL({ctx.scale + 1}, {ctx.scale}))"
    return (
        f"CAST(CAST({expr} AS DECIMAL({digits}, 0)) * {unit} AS DECIMAL({digits + ctx.scale}, {ctx.scale}))"
    )


def render_score(rubric: Rubric, dialect: str = "duckdb", table: str = "sheets") -> str:
    """One ``SELECT`` scoring every valid row of *table* (rows with an invalid cell are left to
    `render_validation`); raise `NotExpressible` for a rubric SQL cannot score exactly."""
    return _query(rubric, Ctx(_check_dialect(dialect), _scale(rubric, compiled(rubric))), table)


def render_rows(
    rubric: Rubric, table: str, keep: Sequence[str], out: Sequence[str], tail: Sequence[str]
) -> str:
    """The DuckDB scoring query over every row of *table*, valid or not: the columns *keep*
    carried first, then ``"!valid"`` (no invalid cell), then the columns of `render_score`, the
    points as text written as `conserv_rubric._text.fmt` writes them (what the `score` command's
    DuckDB engine formats), ``failed`` as a list of each gate's reason (NULL where it passed);
    *tail* are more expressions of the last row ``t``. The columns *keep* are carried through,
    those in *out* given first. Raise `NotExpressible` as `render_score` does."""
    ctx = Ctx("duckdb", _scale(rubric, compiled(rubric)))
    return _query(rubric, ctx, table, keep, as_text=True, out=out, tail=tail)


def _query(
    rubric: Rubric,
    ctx: Ctx,
    table: str,
    keep: Sequence[str] = (),
    *,
    as_text: bool = False,
    out: Sequence[str] = (),
    tail: Sequence[str] = (),
) -> str:
    plan = compiled(rubric)
    q = ctx.quote
    leaves = plan.leaves
    valid = " AND ".join(f"{q('!' + a)} IS NULL" for a in leaves) or "TRUE"
    # Every row, with whether it is valid (the engine reads the others again in Python), or the valid ones.
    every, where = (f", {valid} AS {q('!valid')}", "") if keep else ("", f" WHERE {valid}")
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
    summed = total_plan(plan, ctx.scale, [lv.min for lv in plan.levels])
    total = f"CASE WHEN {zero} THEN CAST(0 AS {UNITS}) ELSE {summed.sql(ctx, unit_cols)} END"
    at_total = Ctx(ctx.dialect, summed.scale)  # the total's own unit, finer after a divisor
    # Gates that withhold only the upper levels (``withholds``): how many levels, from the
    # highest, the failed gates withhold; a level is tested only below them.
    skips = [(withheld(plan.levels, [g]), t) for g, t in gates]
    limited = bool(plan.levels) and any(k < len(plan.levels) for k, _ in skips)
    held = ""
    if limited:
        held = ", GREATEST(0, " + ", ".join(f"CASE WHEN {t} THEN {k} ELSE 0 END" for k, t in skips)
        held += ") AS withheld_"
    whens = []
    for k, lv in enumerate(plan.levels):
        tests = [f"t.withheld_ <= {k}"] if limited else []
        tests += [f"t.total >= {at_total.units(lv.min)}"]
        tests += [f"{unit_cols[u]} >= {ctx.units(need)}" for u, need in plan.level_needs[k]]
        whens.append(f"WHEN {' AND '.join(tests)} THEN {text(ctx, lv.name)}")
    unless = "" if limited else "WHEN t.failed_any THEN NULL "
    level = f"CASE {unless}{' '.join(whens)} END" if whens else "CAST(NULL AS STRING)"
    if plan.partial:  # a partial transcription (`published`) awards no level and never passes
        level = "CAST(NULL AS STRING)"
    if ctx.dialect == "duckdb":
        level = level.replace("AS STRING", "AS VARCHAR")
    passed = "FALSE" if plan.partial else "t.level_ IS NOT NULL" if plan.levels else "NOT t.failed_any"
    reasons = ", ".join(f"CASE WHEN {t} THEN {_reason(ctx, g, rubric.levels)} END" for g, t in gates)
    failed = f"concat_ws({text(ctx, GATE_SEPARATOR)}, {reasons})" if reasons else "''"
    if as_text:
        failed = f"list_value({reasons})" if reasons else "CAST([] AS VARCHAR[])"
    points = _shown if as_text else _points
    shown_units = [f"{points(ctx, q('u ' + a))} AS {q(f'{a} {u.title}')}" for a, u in plan.unit_nodes]
    return (
        f"WITH {_parsed(ctx, leaves, table, keep)},\n"
        f"i AS (SELECT *, {items or 'TRUE AS _i'}{every} FROM a{where}),\n"
        f"p AS (SELECT *{''.join(', ' + p for p in projects)} FROM i),\n"
        f"u AS (SELECT *{''.join(', ' + u for u in units)} FROM p),\n"
        f"g AS (SELECT *, {failed_any} AS failed_any{held}, {failed} AS failed_ FROM u),\n"
        f"t AS (SELECT *, {total} AS total FROM g),\n"
        f"l AS (SELECT *, {level} AS level_ FROM t)\n"
        f"SELECT {''.join(f't.{q(k)} AS {q(k)}, ' for k in out)}"
        f"{'t.' + q('!valid') + ' AS ' + q('!valid') + ', ' if keep else ''}"
        f"t.agency AS agency, {', '.join(o.replace(q('u '), 't.' + q('u ')) for o in shown_units)}"
        f"{', ' if shown_units else ''}{points(at_total, 't.total')} AS total,"
        f" CAST('{rubric.total}' AS DECIMAL(38, {places(rubric.total)})) AS max,"
        f" t.level_ AS level, {passed} AS passed, t.failed_ AS failed{''.join(', ' + e for e in tail)}"
        "\nFROM l AS t\n"
    ).replace("t.failed_any", "failed_any")


def _shown(ctx: Ctx, expr: str) -> str:
    """Whole units as the text `conserv_rubric._text.fmt` writes of the points (``2.5``, never ``2.50``)."""
    if ctx.dialect == "spark":
        figure = f"CAST({_points(ctx, expr)} AS STRING)"
        return figure if ctx.scale == 0 else f"TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM {figure}))"
    figure = f"CAST({_points(ctx, expr)} AS VARCHAR)"
    return figure if ctx.scale == 0 else f"rtrim(rtrim({figure}, '0'), '.')"


def _reason(ctx: Ctx, gate: Gate, levels: Sequence[Level]) -> str:
    """The reason `ScoreCard.failed_gates` gives for *gate* failed, as an SQL string."""
    word = gate_words(gate, levels)
    if gate.test in ("project", "positive"):
        return text(ctx, f"{gate.label} 得0分（{word}）")
    if gate.test == "check":
        return text(ctx, f"{gate.label} 未满足（{word}）")
    assert gate.test != "figure", "gate_figure is refused by _scale"
    got = _shown(ctx, ctx.quote("i " + gate.address))
    rest = text(ctx, f"分，未达到{fmt(gate.need)}分（{word}）")
    return f"concat({text(ctx, gate.label + ' 得')}, {got}, {rest})"


def _capped(ctx: Ctx, s: str, cap: object) -> str:
    if cap is None:
        return f"({s})"
    c = ctx.units(Decimal(cap))  # type: ignore[arg-type]
    return f"CASE WHEN ({s}) > {c} THEN {c} ELSE ({s}) END"


def render_validation(
    rubric: Rubric, dialect: str = "duckdb", table: str = "sheets", row: str | None = None
) -> str:
    """The companion query: one row (row, agency, column, value, message) per invalid cell, by
    row and then in the rubric's order of leaves. *row* names a column of *table* that numbers
    its rows; without it a row is numbered by its place in the table as the engine reads it (the
    first is 1): DuckDB's order of insertion (a file's order of rows), Spark's order of
    partitions and of rows within them (a file's order, over one window: all on one partition)."""
    plan = compiled(rubric)
    ctx = Ctx(_check_dialect(dialect), 0)
    q = ctx.quote
    leaves = plan.leaves
    head = f"SELECT {q('#row')} AS {q('row')}, agency, "
    if not leaves:
        return (
            f"SELECT CAST(NULL AS BIGINT) AS {q('row')}, agency, '' AS {q('column')}, '' AS value,"
            f" '' AS message FROM {table} WHERE FALSE"
        )
    if row is not None:
        number = f"CAST({q(row)} AS BIGINT)"
    elif ctx.dialect == "spark":
        number = "row_number() OVER (ORDER BY monotonically_increasing_id())"
    else:
        number = "row_number() OVER ()"
    union = "\nUNION ALL\n".join(
        f"{head}{k} AS {q('#leaf')}, {text(ctx, a)} AS {q('column')}, {shown(ctx, q('#' + a))} AS value,"
        f" {q('!' + a)} AS message"
        f" FROM a WHERE {q('!' + a)} IS NOT NULL"
        for k, a in enumerate(leaves)
    )
    columns = ", ".join(q(c) for c in ("row", "agency", "column", "value", "message"))
    return (
        f"WITH {_parsed(ctx, leaves, table, number=number)}\n"
        f"SELECT {columns} FROM (\n{union}\n) AS bad ORDER BY {q('row')}, {q('#leaf')}\n"
    )
