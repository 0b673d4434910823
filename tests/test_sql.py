"""The SQL renderer (conserv_rubric.sql): DuckDB and Spark agree with score() on every row."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conserv_rubric import Rubric, RubricError, Sheet, SheetError, SheetInfo, loads_rubric, score
from conserv_rubric._compiled import compiled
from conserv_rubric.cli import main
from conserv_rubric.sql import render, validation
from conserv_rubric.strategies import rubrics, sheets

duckdb = pytest.importorskip("duckdb")

#: The kinds the renderer accepts (linear and bands but for the options it refuses).
KINDS = ("flag", "check", "each", "parts", "best", "bands", "linear", "judged", "deduct", "cases")


def cell(value: object) -> str:
    """An answer written as a CSV cell writes it."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, list | tuple):
        if not value:
            return "0"  # no names: a count of none
        return ";".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return f"{cell(value['value'])}/{cell(value['ref'])}"
    return str(value)


def table(rubric: Rubric, rows: Sequence[tuple[str, Mapping[str, str]]]) -> Any:
    """An in-memory DuckDB with a table ``sheets`` of *rows* (agency, cells by address)."""
    con = duckdb.connect()
    leaves = list(compiled(rubric).leaves)
    columns = "".join(f', "{a}" VARCHAR' for a in leaves)
    con.execute(f"CREATE TABLE sheets (agency VARCHAR{columns})")
    if rows:
        marks = ", ".join("?" * (len(leaves) + 1))
        con.executemany(
            f"INSERT INTO sheets VALUES ({marks})",
            [[agency, *(c.get(a) for a in leaves)] for agency, c in rows],
        )
    return con


def summary(rubric: Rubric, cells: Mapping[str, str]) -> tuple[Decimal, list[Decimal], str | None, bool]:
    card = score(rubric, Sheet(info=SheetInfo(agency="x"), answers=dict(cells)))
    return card.total, [u.points for u in card.units], card.level, card.passed


def rendered(rubric: Rubric, dialect: str = "duckdb") -> str:
    # Generated rubrics use every mechanism; about one in four is one the query renders exactly.
    try:
        return render(rubric, dialect)  # type: ignore[arg-type]
    except RubricError:
        assume(False)
        raise


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(st.data())
def test_duckdb_equals_score(data: st.DataObject) -> None:
    rubric = data.draw(rubrics(kinds=KINDS))
    query = rendered(rubric)
    drawn = data.draw(st.lists(sheets(rubric), min_size=1, max_size=4))
    rows = [(f"a{k}", {a: cell(v) for a, v in s.answers.items()}) for k, s in enumerate(drawn)]
    con = table(rubric, rows)
    assert con.execute(validation(rubric)).fetchall() == []
    got = {r[0]: r for r in con.execute(query).fetchall()}
    assert sorted(got) == [a for a, _ in rows]
    n = len(rubric.units)
    for agency, cells in rows:
        total, units, level, passed = summary(rubric, cells)
        row = got[agency]
        assert (row[1 + n], list(row[1 : 1 + n]), row[3 + n], row[4 + n]) == (total, units, level, passed)


def _rubric(item: str, head: str = "") -> Rubric:
    return loads_rubric(
        f'title = "T"\ntotal = 10\n{head}\n[[units]]\ntitle = "单元"\npoints = 10\n'
        f'[[units.projects]]\ntitle = "项目"\npoints = 10\n[[units.projects.items]]\n{item}\n'
    )


def refusal(rubric: Rubric) -> str:
    with pytest.raises(RubricError) as err:
        render(rubric)
    return str(err.value.problems[0].message)


def test_refuses_linear_exact_steps() -> None:
    rubric = _rubric('kind = "linear"\nstart = 0\nstep = 4\nper = 2\nmax = 10\nsteps = "exact"')
    assert refusal(rubric) == (
        'item 1.1.1 (units[0].projects[0].items[0]): linear with steps = "exact" divides by its step:'
        " not expressible exactly in SQL"
    )


def test_refuses_linear_rounding() -> None:
    rubric = _rubric('kind = "linear"\nstart = 0\nstep = 1\nper = 0.25\nmax = 10\ndigits = 1')
    assert refusal(rubric) == (
        "item 1.1.1 (units[0].projects[0].items[0]): linear rounds its award to digits = 1:"
        " not expressible exactly in SQL"
    )


def test_refuses_ratio_bands() -> None:
    bands = 'kind = "bands"\ninput = "ratio"\nbands = [{ le = 1, points = 10 }, { gt = 1, points = 0 }]'
    assert refusal(_rubric(bands)) == (
        'item 1.1.1 (units[0].projects[0].items[0]): bands with input = "ratio" compare a product of'
        " two answers: not expressible exactly in SQL"
    )


def test_refuses_not_applicable_items() -> None:
    rubric = _rubric('kind = "flag"\npoints = 10\nna_if = "无食堂的"', head='na = "rescale"\ndigits = 1')
    assert refusal(rubric) == (
        'item 1.1.1 (units[0].projects[0].items[0]): na_if with na = "rescale" changes the maxima row by'
        " row: not expressible exactly in SQL"
    )


def test_refuses_a_divided_total() -> None:
    rubric = _rubric('kind = "flag"\npoints = 10', head="[aggregate]\nbase = 90\ndivisor = 10")
    assert (
        refusal(rubric) == "rubric (aggregate): a weighted or divided total: not expressible exactly in SQL"
    )


def test_refusal_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "rubrics/gbt50378-2019-jiafenxiang.toml"]) == 2
    assert capsys.readouterr().err == (
        "rubrics/gbt50378-2019-jiafenxiang.toml: rubric (aggregate): a weighted or divided total:"
        " not expressible exactly in SQL\n"
    )


def test_cells_read_as_the_python_readers_read_them() -> None:
    # 1.1.1 flag 2; 1.1.2 each 1 per name or count, max 5; 1.1.3 judged 0~3 by 0.5.
    rubric = loads_rubric(
        'title = "T"\ntotal = 10\n[[units]]\ntitle = "单元"\npoints = 10\n'
        '[[units.items]]\nkind = "flag"\npoints = 2\n'
        '[[units.items]]\nkind = "each"\nper = 1\nmax = 5\n'
        '[[units.items]]\nkind = "judged"\nrange = [1, 3]\nstep = 0.5\n'
    )
    rows = [
        ("good", {"1.1": " TRUE ", "1.2": "３", "1.3": "２．５"}),  # 2 + 3 + 2.5
        ("names", {"1.1": "False", "1.2": "会议；培训、宣传", "1.3": "0"}),  # 0 + 3 + 0
        ("bad", {"1.1": "yes", "1.2": "-1", "1.3": "2.25"}),
    ]
    con = table(rubric, rows)
    got = con.execute(render(rubric)).fetchall()
    assert [(r[0], r[2]) for r in got] == [("good", Decimal("7.5")), ("names", Decimal("3"))]
    bad = sorted(con.execute(validation(rubric)).fetchall())
    assert bad == [
        ("bad", "1.1", "yes", "expected true or false"),
        ("bad", "1.2", "-1", "expected a count in digits (such as 3) or names separated by ';'"),
        ("bad", "1.3", "2.25", "expected 0 or a number from 1 to 3 in steps of 0.5"),
    ]


def test_a_declared_answer_range_makes_a_bad_cell_as_score_refuses_it() -> None:
    # "投放准确率" as a percentage: `range = [0, 100]` makes a mistyped 185 a bad cell.
    rubric = _rubric(
        'kind = "bands"\ntext = "投放准确率"\nrange = [0, 100]\n'
        "points = 10\nbands = [{ lt = 80, points = 0 }, { ge = 80, lt = 90, points = 5 },"
        " { ge = 90, points = 10 }]"
    )
    con = table(rubric, [("in", {"1.1.1": "85"}), ("out", {"1.1.1": "185"})])
    assert [(r[0], r[-5]) for r in con.execute(render(rubric)).fetchall()] == [("in", Decimal("5"))]
    assert summary(rubric, {"1.1.1": "85"})[0] == Decimal("5")
    assert con.execute(validation(rubric)).fetchall() == [
        ("out", "1.1.1", "185", "expected a number from 0 to 100")
    ]
    with pytest.raises(SheetError, match="expected a number from 0 to 100"):
        summary(rubric, {"1.1.1": "185"})


def test_a_starred_item_bars_the_pass_as_score_does() -> None:
    rubric = _rubric('kind = "flag"\npoints = 10\nnonzero = true', head='[[levels]]\nname = "达标"\nmin = 1')
    con = table(rubric, [("yes", {"1.1.1": "true"}), ("no", {"1.1.1": "false"})])
    got = {r[0]: (r[-3], r[-2]) for r in con.execute(render(rubric)).fetchall()}
    for agency, answer in (("yes", "true"), ("no", "false")):
        _, _, level, passed = summary(rubric, {"1.1.1": answer})
        assert got[agency] == (level, passed)
    assert got == {"yes": ("达标", True), "no": (None, False)}


def test_a_partial_transcription_awards_no_level_as_score_does() -> None:
    rubric = _rubric('kind = "flag"\npoints = 10', head='published = 40\n[[levels]]\nname = "达标"\nmin = 5')
    con = table(rubric, [("a", {"1.1.1": "true"})])
    row = con.execute(render(rubric)).fetchall()[0]
    assert (row[-5], row[-3], row[-2]) == (Decimal("10"), None, False)
    assert summary(rubric, {"1.1.1": "true"})[2:] == (None, False)


@pytest.mark.parametrize(
    ("item", "why"),
    [
        (
            'kind = "tiers"\ntiers = [{name = "符合", points = 10}, {name = "不符合", points = 0}]',
            "kind 'tiers' has no SQL renderer",
        ),
        (
            'kind = "flag"\npoints = 10\nverifier_only = true',
            "verifier_only: the table does not say which stage scored a row",
        ),
    ],
)
def test_refuses_what_the_table_cannot_say(item: str, why: str) -> None:
    assert refusal(_rubric(item)) == (
        f"item 1.1.1 (units[0].projects[0].items[0]): {why}: not expressible exactly in SQL"
    )


@functools.cache
def _spark() -> Any:
    from pyspark.sql import SparkSession  # noqa: PLC0415 - only where Java runs

    return (
        SparkSession.builder.master("local[1]")
        .appName("conserv-rubric-sql")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


@pytest.mark.needs_java
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(st.data())
def test_spark_equals_score(data: st.DataObject) -> None:
    pytest.importorskip("pyspark")
    rubric = data.draw(rubrics(kinds=KINDS, max_units=2, max_items=3))
    query = rendered(rubric, "spark")
    drawn = data.draw(st.lists(sheets(rubric), min_size=1, max_size=3))
    rows = [(f"a{k}", {a: cell(v) for a, v in s.answers.items()}) for k, s in enumerate(drawn)]
    spark = _spark()
    from pyspark.sql.types import StringType, StructField, StructType  # noqa: PLC0415

    leaves = list(compiled(rubric).leaves)
    schema = StructType([StructField(n, StringType()) for n in ("agency", *leaves)])
    frame = spark.createDataFrame([[agency, *(c.get(a) for a in leaves)] for agency, c in rows], schema)
    frame.createOrReplaceTempView("sheets")
    assert spark.sql(validation(rubric, "spark")).collect() == []
    got = {r[0]: r for r in spark.sql(query).collect()}
    n = len(rubric.units)
    for agency, cells in rows:
        total, units, level, passed = summary(rubric, cells)
        row = got[agency]
        assert (row[1 + n], list(row[1 : 1 + n]), row[3 + n], row[4 + n]) == (total, units, level, passed)


#: Hostile cells: full-width and ideographic spaces, forms the grammar refuses, formulas, huge numbers.
HOSTILE_CELLS = (
    "３", "\u3000３\u3000", "－１", "1e3", "0x2", "1_000", "2.", ".5", "三次", "两项", "=1+1", "+3",
    "1000000000000", "999999999999", "0.00000000001", "ｔｒｕｅ", "会议，培训", "会议;1.5",
    "会议;;培训", "会议\t培训", "会议;会议",
)  # fmt: skip
#: Cells holding a character NFKC reads otherwise than the query's translate: always invalid in SQL.
UNMAPPED_CELLS = ("falſe", "①", "会议﹔培训", "a\u200bb", "ﬁle")


@pytest.mark.parametrize("value", HOSTILE_CELLS + UNMAPPED_CELLS)
def test_hostile_cells_are_refused_as_the_python_readers_refuse_them(value: str) -> None:
    # 1.1 flag; 1.2 each (a count or names); 1.3 a number in bands; 1.4 a count (linear).
    rubric = loads_rubric(
        'title = "T"\ntotal = 40\n[[units]]\ntitle = "单元"\npoints = 40\n'
        '[[units.items]]\nkind = "flag"\npoints = 10\n'
        '[[units.items]]\nkind = "each"\nper = 1\nmax = 10\n'
        '[[units.items]]\nkind = "bands"\npoints = 10\n'
        "bands = [{ lt = 5, points = 0 }, { ge = 5, points = 10 }]\n"
        '[[units.items]]\nkind = "linear"\nstart = 0\nstep = 1\nper = 1\nmax = 10\n'
    )
    leaves = list(compiled(rubric).leaves)
    con = table(rubric, [(a, {a: value}) for a in leaves])
    bad = {r[1] for r in con.execute(validation(rubric)).fetchall()}
    scored = {r[0]: r[-5] for r in con.execute(render(rubric)).fetchall()}
    for address in leaves:
        try:
            expected: Decimal | None = summary(rubric, {address: value})[0]
        except SheetError:
            expected = None
        if value in UNMAPPED_CELLS:
            assert address in bad
        elif expected is None:
            assert address in bad, address
        else:
            assert (address not in bad, scored[address]) == (True, expected), address
