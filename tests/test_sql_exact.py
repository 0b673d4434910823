"""The SQL renderer on the inputs a district or a national platform brings: DuckDB and Spark
agree with score() row by row (total, unit points, level, passed, failed gates), or refuse.

Generated rubrics are scaled to points such as 0.25 and 1.125; answers are pushed to the limits
the Python checker allows (counts and figures up to 10^12) and written as offices type them
(full-width digits, ideographic spaces, leading zeros, signs). A row score() refuses must be a
row the scoring query leaves out and the validation query reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pytest
from budgets import scaled
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from spark_session import spark as local_spark

from conserv_rubric import Rubric, RubricError, Sheet, SheetError, SheetInfo, loads_rubric, score, validate
from conserv_rubric._cells import normal
from conserv_rubric._compiled import compiled
from conserv_rubric._csv_report import GATE_SEPARATOR
from conserv_rubric.model import Aggregate, Judged, Level, Linear
from conserv_rubric.sql import render, validation
from conserv_rubric.strategies import rubrics, sheets

duckdb = pytest.importorskip("duckdb")

from test_sql import KINDS, aggregated, cell  # noqa: E402 - after the skip: test_sql needs duckdb too

#: Factors generated rubrics' points are scaled by: quarters, eighths and a factor above 1.
FACTORS = tuple(Decimal(f) for f in ("1", "0.5", "0.25", "1.125", "0.125", "3.375"))
#: The fields of a rule, unit, project, level or rubric that hold points (scaled with them); the
#: figures an answer is compared with (band edges, a linear start and step) are not points.
POINT_FIELDS = frozenset({"points", "per", "max", "total", "published", "bonus", "min", "gate_min"})
#: The largest count and figure a sheet may hold (`conserv_rubric._limits`: below 10^12).
TOP_COUNT = 10**12 - 1
TOP_NUMBER = Decimal("999999999999.9999999999")


def _scale_value(value: object, f: Decimal) -> object:
    if isinstance(value, Decimal):
        return value * f
    if isinstance(value, tuple) and all(isinstance(v, Decimal) for v in value):
        return tuple(v * f for v in value)
    return value


def scale(obj: Any, f: Decimal) -> Any:
    """*obj* (a rubric or a part of one) with every figure of points multiplied by *f*."""
    if isinstance(obj, tuple):
        return tuple(scale(o, f) for o in obj)
    if isinstance(obj, dict):
        return {k: scale(v, f) for k, v in obj.items()}
    if not attrs.has(type(obj)):
        return obj
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        points = field.name in POINT_FIELDS or (field.name == "base" and isinstance(obj, Linear | Aggregate))
        if points or (isinstance(obj, Judged) and field.name in ("range", "step")):
            changes[field.name] = _scale_value(value, f)
        elif isinstance(obj, Level) and field.name == "unit_min":
            changes[field.name] = {k: v * f for k, v in value.items()}
        elif field.name not in ("divisor", "weights", "unit_share"):
            changes[field.name] = scale(value, f)
    return attrs.evolve(obj, **{k.lstrip("_"): v for k, v in changes.items()})


#: Full-width forms of what an input method types in a number.
_FULL = str.maketrans("0123456789.+-", "０１２３４５６７８９．＋－")
_PADS = ("", " ", "\u3000", "\u00a0", "\t")


@st.composite
def typed(draw: st.DrawFn, text: str) -> str:
    """*text* (a cell) as an office may type it: full-width, padded, with leading zeros or a sign."""
    if text[:1].isdigit() and "/" not in text and draw(st.booleans()):
        text = draw(st.sampled_from(("0", "00", "+", "+0"))) + text
    if draw(st.booleans()):
        text = text.translate(_FULL)
    return draw(st.sampled_from(_PADS)) + text + draw(st.sampled_from(_PADS))


@st.composite
def large(draw: st.DrawFn, rubric: Rubric, answers: Mapping[str, object]) -> dict[str, str]:
    """The cells of *answers*, some counts and figures replaced by ones near the limits."""
    leaves = compiled(rubric).leaves
    out: dict[str, str] = {}
    for address, answer in answers.items():
        shape, value = leaves[address].shape, answer
        if shape in ("count", "count_or_names") and draw(st.integers(0, 3)) == 0:
            value = draw(st.sampled_from((TOP_COUNT, 10**9, 10**6 + 1, 2**63 // 10**10)))
        elif shape == "number" and leaves[address].low is None and draw(st.integers(0, 3)) == 0:
            value = draw(st.sampled_from((TOP_NUMBER, -TOP_NUMBER, Decimal(TOP_COUNT), Decimal("1e9"))))
        out[address] = draw(typed(cell(value)))
    return out


def expected(rubric: Rubric, cells: Mapping[str, str]) -> tuple[object, ...] | None:
    """score()'s summary of a row: (total, unit points, level, passed, failed), None if refused;
    a blank cell is unanswered, as the CSV reader leaves it out."""
    answers = {a: c for a, c in cells.items() if normal(c)}
    try:
        card = score(rubric, Sheet(info=SheetInfo(agency="x"), answers=answers))
    except SheetError:
        return None
    failed = GATE_SEPARATOR.join(g.reason for g in card.failed_gates)
    return card.total, [u.points for u in card.units], card.level, card.passed, failed


def got_row(row: Sequence[Any], n: int) -> tuple[object, ...]:
    """The same summary of a row of the scoring query over *n* units."""
    return row[1 + n], list(row[1 : 1 + n]), row[3 + n], row[4 + n], row[5 + n]


@st.composite
def cases(
    draw: st.DrawFn, max_units: int = 3, max_items: int = 4
) -> tuple[Rubric, list[tuple[str, dict[str, str]]]]:
    """A generated rubric the query renders, scaled (or given an aggregate of its own: `test_sql`),
    and rows of hostile cells for it."""
    if draw(st.integers(0, 3)) == 0:  # a weighted total over a divisor, rounded to its digits
        made = draw(aggregated(max_units=max_units, max_items=max_items))
    else:
        rubric = draw(rubrics(kinds=KINDS, max_units=max_units, max_items=max_items))
        made = scale(rubric, draw(st.sampled_from(FACTORS)))
    assume(not [p for p in validate(made) if p.severity == "error"])
    try:
        render(made)
    except RubricError:
        assume(False)
    drawn = draw(st.lists(sheets(made), min_size=1, max_size=4))
    rows = [(f"a{k}", draw(large(made, s.answers))) for k, s in enumerate(drawn)]
    return made, rows


def duck_table(rubric: Rubric, rows: Sequence[tuple[str, Mapping[str, str]]]) -> Any:
    """An in-memory DuckDB with a table ``sheets`` of *rows* (agency, cells by address)."""
    con = duckdb.connect()
    leaves = list(compiled(rubric).leaves)
    columns = "".join(f', "{a}" VARCHAR' for a in leaves)
    con.execute(f"CREATE TABLE sheets (agency VARCHAR{columns})")
    marks = ", ".join("?" * (len(leaves) + 1))
    con.executemany(
        f"INSERT INTO sheets VALUES ({marks})", [[agency, *(c.get(a) for a in leaves)] for agency, c in rows]
    )
    return con


def compare(
    rubric: Rubric, rows: Sequence[tuple[str, Mapping[str, str]]], scored: list[Any], bad: list[Any]
) -> None:
    """The rows of the scoring query (*scored*) and of the validation query (*bad*) say what
    score() says of each row."""
    n = len(rubric.units)
    got = {r[0]: got_row(r, n) for r in scored}
    refused = {r[1] for r in bad}
    for agency, cells in rows:
        want = expected(rubric, cells)
        if want is None:
            assert (agency in refused, agency in got) == (True, False), (agency, cells)
        else:
            assert agency not in refused, (agency, cells, [r for r in bad if r[1] == agency])
            assert got[agency] == want, (agency, cells)


@settings(
    max_examples=scaled(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(cases())
def test_duckdb_equals_score_at_the_limits(case: tuple[Rubric, list[tuple[str, dict[str, str]]]]) -> None:
    rubric, rows = case
    con = duck_table(rubric, rows)
    compare(rubric, rows, con.execute(render(rubric)).fetchall(), con.execute(validation(rubric)).fetchall())


def spark_view(rubric: Rubric, rows: Sequence[tuple[str, Mapping[str, str | None]]]) -> Any:
    """A Spark session with a view ``sheets`` of *rows* (agency, cells by address)."""
    spark = local_spark()
    from pyspark.sql.types import StringType, StructField, StructType  # noqa: PLC0415

    leaves = list(compiled(rubric).leaves)
    schema = StructType([StructField(n, StringType()) for n in ("agency", *leaves)])
    frame = spark.createDataFrame([[agency, *(c.get(a) for a in leaves)] for agency, c in rows], schema)
    frame.createOrReplaceTempView("sheets")
    return spark


@pytest.mark.needs_java
@settings(
    max_examples=scaled(8),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(cases(max_units=2, max_items=3))
def test_spark_equals_score_at_the_limits(case: tuple[Rubric, list[tuple[str, dict[str, str]]]]) -> None:
    rubric, rows = case
    spark = spark_view(rubric, rows)
    scored = spark.sql(render(rubric, "spark")).collect()
    compare(rubric, rows, scored, spark.sql(validation(rubric, "spark")).collect())


def one_item(item: str, head: str = "", points: str = "10") -> Rubric:
    """A rubric of one unit of *points* holding the one item *item* (TOML keys)."""
    return loads_rubric(
        f'title = "T"\ntotal = {points}\n{head}\n[[units]]\ntitle = "单元"\npoints = {points}\n'
        f"[[units.items]]\n{item}\n"
    )


#: A linear item of 1 point per step of 10^-10, capped at 10: 1844674407.3709551611 is 2^64 − 5
#: steps above its start (capped: 10 points), which a 64-bit quotient wraps round to −5.
FINE_STEPS = one_item('kind = "linear"\nstart = 0\nstep = 0.0000000001\nper = 1\nmax = 10')
FINE_ROWS = [
    ("wraps", {"1.1": "1844674407.3709551611"}),
    ("top", {"1.1": "999999999999"}),
    ("half", {"1.1": "0.0000000005"}),
]
#: 10 points (capped), 10 points (capped), 5 steps of 1 point.
FINE_TOTALS = {"wraps": Decimal(10), "top": Decimal(10), "half": Decimal(5)}


def test_duckdb_counts_steps_beyond_64_bits() -> None:
    con = duck_table(FINE_STEPS, FINE_ROWS)
    assert {r[0]: r[2] for r in con.execute(render(FINE_STEPS)).fetchall()} == FINE_TOTALS
    compare(FINE_STEPS, FINE_ROWS, con.execute(render(FINE_STEPS)).fetchall(), [])


@pytest.mark.needs_java
def test_spark_counts_steps_beyond_64_bits() -> None:
    spark = spark_view(FINE_STEPS, FINE_ROWS)
    assert {r[0]: r[2] for r in spark.sql(render(FINE_STEPS, "spark")).collect()} == FINE_TOTALS


#: A judged score without a step (points in 10^-10) of up to 10^9 points: 10^19 units.
LARGE_JUDGED = one_item('kind = "judged"\nrange = [0, 1000000000]', points="1000000000")
LARGE_ROWS = [("top", {"1.1": "999999999.5"}), ("one", {"1.1": "1"})]
LARGE_TOTALS = {"top": Decimal("999999999.5"), "one": Decimal(1)}


def test_duckdb_gives_points_of_every_size_a_sheet_holds() -> None:
    con = duck_table(LARGE_JUDGED, LARGE_ROWS)
    assert {r[0]: r[2] for r in con.execute(render(LARGE_JUDGED)).fetchall()} == LARGE_TOTALS
    compare(LARGE_JUDGED, LARGE_ROWS, con.execute(render(LARGE_JUDGED)).fetchall(), [])


@pytest.mark.needs_java
def test_spark_gives_points_of_every_size_a_sheet_holds() -> None:
    spark = spark_view(LARGE_JUDGED, LARGE_ROWS)
    assert {r[0]: r[2] for r in spark.sql(render(LARGE_JUDGED, "spark")).collect()} == LARGE_TOTALS


#: 1.1 judged (points in 10^-10); 1.2 linear, 10^7 points a step of 10^-10 up to 999999999997;
#: 1.3 a deduction of up to 1 point, 1 point a step of 10^-10, without a cap.
MANY_STEPS = loads_rubric(
    'title = "T"\ntotal = 999999999999\n[[units]]\ntitle = "单元"\npoints = 999999999999\n'
    '[[units.items]]\nkind = "judged"\nrange = [0, 1]\n'
    '[[units.items]]\nkind = "linear"\nstart = 0\nstep = 0.0000000001\nper = 10000000\nmax = 999999999997\n'
    '[[units.items]]\nkind = "deduct"\npoints = 1\n'
    '[[units.items.deductions]]\nkind = "linear"\nstart = 0\nstep = 0.0000000001\nper = 1\n'
)
MANY_ROWS = [
    ("far", {"1.2": "999999999999", "1.3.a": "999999999999"}),
    ("near", {"1.2": "0.0000001", "1.3.a": "0.0000000000"}),
]
#: far: 10^22 steps reach the cap (999999999997) and take the deduction's 1 point:
#: 999999999997 + 0. near: 1000 steps of 10^7 points (10^10) and nothing taken: 10^10 + 1.
MANY_TOTALS = {"far": Decimal(999999999997), "near": Decimal(10000000001)}


def test_duckdb_counts_no_steps_past_the_cap() -> None:
    con = duck_table(MANY_STEPS, MANY_ROWS)
    assert {r[0]: r[2] for r in con.execute(render(MANY_STEPS)).fetchall()} == MANY_TOTALS
    compare(MANY_STEPS, MANY_ROWS, con.execute(render(MANY_STEPS)).fetchall(), [])


@pytest.mark.needs_java
def test_spark_counts_no_steps_past_the_cap() -> None:
    spark = spark_view(MANY_STEPS, MANY_ROWS)
    assert {r[0]: r[2] for r in spark.sql(render(MANY_STEPS, "spark")).collect()} == MANY_TOTALS


#: One leaf of each shape a cell is read against: 1.1 a flag; 1.2 a count or names; 1.3 a
#: closed list of options (at most 2); 1.4 a number in bands; 1.5 a number in a declared range;
#: 1.6 a judged score of 0.5 to 2 by 0.25; 1.7 a count (a flag with at_least).
EVERY_SHAPE = loads_rubric(
    'title = "T"\ntotal = 14\n[[units]]\ntitle = "单元"\npoints = 14\n'
    '[[units.items]]\nkind = "flag"\npoints = 1\n'
    '[[units.items]]\nkind = "each"\nper = 1\nmax = 3\n'
    '[[units.items]]\nkind = "each"\nper = 1\noptions = ["节能", "节水"]\n'
    '[[units.items]]\nkind = "bands"\npoints = 2\nbands = [{ lt = 5, points = 0 }, { ge = 5, points = 2 }]\n'
    '[[units.items]]\nkind = "bands"\nrange = [0, 100]\npoints = 2\n'
    "bands = [{ lt = 85.5, points = 0 }, { ge = 85.5, points = 2 }]\n"
    '[[units.items]]\nkind = "judged"\nrange = [0.5, 2]\nstep = 0.25\n'
    '[[units.items]]\nkind = "flag"\npoints = 2\nat_least = 2\n'
)
#: What offices type into a cell: digits in both widths, signs, points, spaces, separators,
#: Chinese numerals, names, letters of exponents and words.
CELL_ALPHABET = (
    *"0123456789", "０", "５", "９", ".", "．", "+", "-", "－", "\u2212", " ", "\u3000", "\t", ";",
    "；", "、", ",", "，", "e", "x", "_", "三", "次", "/", "%", "节能", "节水", "会议", "true", "ＴＲＵＥ",
    "False", "0" * 13,
)  # fmt: skip


#: Texts of a few pieces of `CELL_ALPHABET`, seven at a time (one row per text and leaf).
TYPED = st.lists(st.lists(st.sampled_from(CELL_ALPHABET), max_size=6).map("".join), min_size=7, max_size=7)


def typed_rows(texts: list[str]) -> list[tuple[str, dict[str, str]]]:
    """Each text in a row of its own under each leaf of `EVERY_SHAPE`: one cell decides a row."""
    return [(f"{k}/{a}", {a: t}) for k, t in enumerate(texts) for a in compiled(EVERY_SHAPE).leaves]


@settings(max_examples=scaled(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TYPED)
def test_duckdb_reads_typed_cells_as_score_reads_them(texts: list[str]) -> None:
    rows = typed_rows(texts)
    con = duck_table(EVERY_SHAPE, rows)
    compare(
        EVERY_SHAPE,
        rows,
        con.execute(render(EVERY_SHAPE)).fetchall(),
        con.execute(validation(EVERY_SHAPE)).fetchall(),
    )


@pytest.mark.needs_java
@settings(max_examples=scaled(5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TYPED)
def test_spark_reads_typed_cells_as_score_reads_them(texts: list[str]) -> None:
    rows = typed_rows(texts)
    spark = spark_view(EVERY_SHAPE, rows)
    scored = spark.sql(render(EVERY_SHAPE, "spark")).collect()
    compare(EVERY_SHAPE, rows, scored, spark.sql(validation(EVERY_SHAPE, "spark")).collect())


#: A judged score without a step (10 places) of up to 999999999999 points over a divisor of 8
#: (3 more places): the total reaches 999999999999 / 8 = 124999999999.875 points, 1.25 × 10^24
#: units of 10^-13, where the column holds 23 digits of them (below 10^10 points).
OUTGROWN = (
    'title = "T"\ntotal = 124999999999.875\n[aggregate]\ndivisor = 8\n[[units]]\ntitle = "单元"\n'
    'points = 999999999999\n[[units.items]]\nkind = "judged"\nrange = [0, 999999999999]\n'
)


def test_refuses_a_total_its_column_cannot_hold() -> None:
    with pytest.raises(RubricError) as err:
        render(loads_rubric(OUTGROWN))
    assert str(err.value.problems[0].message) == (
        "rubric (aggregate): the total may reach 124999999999.875 points, and at 13 decimal places"
        " its column holds less than 10,000,000,000: not expressible exactly in SQL"
    )
    # With 999999999 points the total reaches 999999999 / 8 = 124999999.875, below 10^10: it fits.
    fits = OUTGROWN.replace("124999999999.875", "124999999.875").replace("999999999999", "999999999")
    con = duck_table(loads_rubric(fits), [("top", {"1.1": "999999999"})])
    assert con.execute(render(loads_rubric(fits))).fetchall()[0][2] == Decimal("124999999.875")
