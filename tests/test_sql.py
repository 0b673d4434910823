"""The SQL renderer (conserv_rubric.sql): DuckDB and Spark agree with score() on every row."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from spark_session import spark as local_spark

from conserv_rubric import (
    Rubric,
    RubricError,
    Sheet,
    SheetError,
    SheetInfo,
    load_rubric,
    load_sheet,
    loads_rubric,
    score,
    validate,
)
from conserv_rubric._compiled import compiled
from conserv_rubric._totals import transform, unit_value, unit_weight
from conserv_rubric.cli import main
from conserv_rubric.model import Aggregate
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


#: Weights, bases and divisors of generated aggregates: divisors that divide exactly (10, 0.5, 8,
#: 0.3 is 3/10: not exact) and ones whose quotients the rubric's digits round (3, 7, 6).
WEIGHTS = tuple(Decimal(w) for w in ("1", "2", "0.5", "0.25", "3", "1.5"))
BASES = tuple(Decimal(b) for b in ("0", "10", "400", "2.5", "-7"))
DIVISORS = tuple(Decimal(d) for d in ("3", "10", "0.5", "8", "7", "0.3", "6", "12.5", "1"))


@st.composite
def aggregated(draw: st.DrawFn, max_units: int = 3, max_items: int = 4) -> Rubric:
    """A generated rubric given an ``[aggregate]`` of its own (weights, base and a divisor that
    may not divide exactly, then ``digits``), its declared totals and level minima recomputed."""
    rubric = draw(rubrics(kinds=KINDS, max_units=max_units, max_items=max_items))
    addresses = [u.id or str(k + 1) for k, u in enumerate(rubric.units)]
    weights = {
        a: draw(st.sampled_from(WEIGHTS)) for a in draw(st.lists(st.sampled_from(addresses), unique=True))
    }
    agg = Aggregate(
        base=draw(st.sampled_from(BASES)), divisor=draw(st.sampled_from(DIVISORS)), weights=weights
    )
    draft = attrs.evolve(rubric, aggregate=agg, digits=draw(st.integers(0, 2)))

    def weighted(bonus: bool) -> Decimal:
        return sum(
            (
                (unit_value(u) or Decimal(0)) * unit_weight(draft, a)
                for a, u in zip(addresses, rubric.units, strict=True)
                if u.bonus == bonus
            ),
            Decimal(0),
        )

    total = transform(draft, weighted(False))
    assert total is not None
    bonus = transform(draft, weighted(True), with_base=False) if rubric.bonus is not None else None
    levels = []
    if rubric.total > 0 and total > 0:
        # The same shares of the new total, down to thousandths: minima finer than the total.
        for lv in rubric.levels:
            share = Fraction(lv.min) / Fraction(rubric.total)
            thousandths = math.floor(Fraction(total) * share * 1000)
            levels.append(attrs.evolve(lv, min=Decimal(thousandths).scaleb(-3)))
    published = None if rubric.published is None else total + 10
    made = attrs.evolve(draft, total=total, bonus=bonus, levels=tuple(levels), published=published)
    assume(not [p for p in validate(made) if p.severity == "error"])
    return made


def agrees(con: Any, rubric: Rubric, query: str, rows: Sequence[tuple[str, Mapping[str, str]]]) -> None:
    """The rows of *query* on *con* (DuckDB) give score()'s total, unit subtotals, level and passed."""
    got = {r[0]: r for r in con.execute(query).fetchall()}
    assert sorted(got) == sorted(a for a, _ in rows)
    n = len(rubric.units)
    for agency, cells in rows:
        total, units, level, passed = summary(rubric, cells)
        row = got[agency]
        assert (row[1 + n], list(row[1 : 1 + n]), row[3 + n], row[4 + n]) == (total, units, level, passed)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(st.data())
def test_duckdb_equals_score_with_an_aggregate(data: st.DataObject) -> None:
    rubric = data.draw(aggregated())
    query = rendered(rubric)
    drawn = data.draw(st.lists(sheets(rubric), min_size=1, max_size=4))
    rows = [(f"a{k}", {a: cell(v) for a, v in s.answers.items()}) for k, s in enumerate(drawn)]
    con = table(rubric, rows)
    assert con.execute(validation(rubric)).fetchall() == []
    agrees(con, rubric, query, rows)


def test_the_worked_example_of_gbt_50378() -> None:
    # docs/rules/aggregate.md: (400 + 63 + 60 + 75 + 73 + 72 + 62) / 10 = 80.5, 二星级 (≥ 70, every
    # category ≥ 30 %); all full marks: (400 + 700) / 10 = 110, 三星级; 资源节约 at 59 < 30 % of
    # 200: (400 + 63 + 60 + 75 + 59 + 72 + 62) / 10 = 79.1, no level.
    text = Path("docs/rules/aggregate.md").read_text(encoding="utf-8")
    rubric = loads_rubric(text.split("```toml\n")[2].split("```")[0])
    columns = ["1.1", "2.1", "3.1", "4.1", "5.1", "6.1"]
    rows = [
        (name, dict(zip(columns, figures.split(), strict=True)))
        for name, figures in (
            ("example", "63 60 75 73 72 62"),
            ("full", "100 100 100 200 100 100"),
            ("short", "63 60 75 59 72 62"),
        )
    ]
    con = table(rubric, rows)
    got = {r[0]: (r[7], r[9], r[10]) for r in con.execute(render(rubric)).fetchall()}
    assert got == {
        "example": (Decimal("80.5"), "二星级", True),
        "full": (Decimal("110"), "三星级", True),
        "short": (Decimal("79.1"), None, False),
    }
    agrees(con, rubric, render(rubric), rows)


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        # (1 + 2 × answer) / 3 at digits = 0: 1.25 → 3.5 / 3 = 1.17 → 1; 0.25 → 1.5 / 3 = 0.5 → 1
        # (half up); 3.5 → 8 / 3 = 2.67 → 3; unanswered → 1 / 3 → 0.
        ("1", {"a": "1", "b": "1", "c": "3", "d": "0"}),
        # (-2 + 2 × answer) / 3: 1.25 → 0.5 / 3 → 0; 0.25 → -1.5 / 3 = -0.5 → -1 (half away from
        # zero, as round_half_up); 3.5 → 5 / 3 → 2; unanswered → -2 / 3 → -1.
        ("-2", {"a": "0", "b": "-1", "c": "2", "d": "-1"}),
    ],
)
def test_a_divisor_that_does_not_divide_rounds_half_up_to_digits(base: str, expected: dict[str, str]) -> None:
    top = round(Fraction(int(base) + 12, 3))
    rubric = loads_rubric(
        f'title = "T"\ntotal = {top}\ndigits = 0\n[aggregate]\nbase = {base}\ndivisor = 3\n'
        'weights = { "1" = 2 }\n[[units]]\ntitle = "单元"\npoints = 6\n'
        '[[units.items]]\nkind = "judged"\nrange = [0, 6]\nstep = 0.25\n'
    )
    rows = [("a", {"1.1": "1.25"}), ("b", {"1.1": "0.25"}), ("c", {"1.1": "3.5"}), ("d", {})]
    con = table(rubric, rows)
    got = {r[0]: r[2] for r in con.execute(render(rubric)).fetchall()}
    assert got == {k: Decimal(v) for k, v in expected.items()}
    agrees(con, rubric, render(rubric), rows)


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


#: A total finer than the query computes: a judged score without a step (10 places) weighted by
#: 0.0001 (4 more) over a divisor of 10 (one more) needs 15 places.
TOO_FINE = (
    'title = "T"\ntotal = 0.01\n[aggregate]\ndivisor = 10\nweights = { "1" = 0.0001 }\n'
    '[[units]]\ntitle = "单元"\npoints = 1000\n[[units.items]]\nkind = "judged"\nrange = [0, 1000]\n'
)
TOO_FINE_REASON = (
    "rubric (aggregate): the total needs 15 decimal places, more than the 14 the query computes:"
    " not expressible exactly in SQL"
)


def test_refuses_a_total_finer_than_it_computes() -> None:
    assert refusal(loads_rubric(TOO_FINE)) == TOO_FINE_REASON


def test_refusal_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fine.toml"
    path.write_text(TOO_FINE, encoding="utf-8")
    assert main(["sql", str(path)]) == 2
    assert capsys.readouterr().err == f"{path}: {TOO_FINE_REASON}\n"


def test_the_shipped_gbt_50378_renders_with_its_divisor() -> None:
    # examples/gbt50378-2019-jiafenxiang/fengding.toml: the 加分项 add up to 140, capped at 100;
    # (400 + 100) / 10 = 50. A partial transcription (published = 100): no level, never passed.
    rubric = load_rubric("rubrics/gbt50378-2019-jiafenxiang.toml")
    sheet = load_sheet("examples/gbt50378-2019-jiafenxiang/fengding.toml")
    cells = {a: cell(v) for a, v in sheet.answers.items()}
    con = table(rubric, [("示范", cells), ("空", {})])
    got = {r[0]: (r[1], r[2], r[4], r[5]) for r in con.execute(render(rubric)).fetchall()}
    assert got == {
        "示范": (Decimal(100), Decimal(50), None, False),
        "空": (Decimal(0), Decimal(40), None, False),
    }


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
        (3, "bad", "1.1", "yes", "expected true or false"),
        (3, "bad", "1.2", "-1", "expected a count in digits (such as 3) or names separated by ';'"),
        (3, "bad", "1.3", "2.25", "expected 0 or a number from 1 to 3 in steps of 0.5"),
    ]


#: A flag (1.1), a count (1.2) and a judged score (1.3) of 1 to 3 by 0.5.
THREE_LEAVES = (
    'title = "T"\ntotal = 10\n[[units]]\ntitle = "单元"\npoints = 10\n'
    '[[units.items]]\nkind = "flag"\npoints = 2\n'
    '[[units.items]]\nkind = "each"\nper = 1\nmax = 5\n'
    '[[units.items]]\nkind = "judged"\nrange = [1, 3]\nstep = 0.5\n'
)
#: Rows of sheets for THREE_LEAVES: the second and fourth hold bad cells (the fourth's last first).
NUMBERED_ROWS = (
    ("甲", "true", "3", "2.5"),
    ("乙", "yes", "-1", "2.25"),
    ("丙", None, None, None),
    ("丁", "是", "1", "5"),
)
#: What the validation query finds in NUMBERED_ROWS, row by row and leaf by leaf.
NUMBERED_BAD = [
    ("乙", "1.1", "yes", "expected true or false"),
    ("乙", "1.2", "-1", "expected a count in digits (such as 3) or names separated by ';'"),
    ("乙", "1.3", "2.25", "expected 0 or a number from 1 to 3 in steps of 0.5"),
    ("丁", "1.1", "是", "expected true or false"),
    ("丁", "1.3", "5", "expected 0 or a number from 1 to 3 in steps of 0.5"),
]


def _numbered(rows: Sequence[tuple[str | None, ...]]) -> Any:
    con = duckdb.connect()
    con.execute(
        'CREATE TABLE sheets (agency VARCHAR, "1.1" VARCHAR, "1.2" VARCHAR, "1.3" VARCHAR, id BIGINT)'
    )
    con.executemany("INSERT INTO sheets VALUES (?, ?, ?, ?, ?)", [(*r, 100 + k) for k, r in enumerate(rows)])
    return con


def test_each_bad_cell_is_given_its_row_in_order() -> None:
    con = _numbered(NUMBERED_ROWS)
    rubric = loads_rubric(THREE_LEAVES)
    got = con.execute(validation(rubric)).fetchall()
    assert got == [(n, *bad) for n, bad in zip((2, 2, 2, 4, 4), NUMBERED_BAD, strict=True)]
    keyed = con.execute(validation(rubric, row="id")).fetchall()
    assert keyed == [(n, *bad) for n, bad in zip((101, 101, 101, 103, 103), NUMBERED_BAD, strict=True)]


def test_the_validation_query_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "r.toml"
    path.write_text(THREE_LEAVES, encoding="utf-8")
    assert main(["sql", str(path), "--validation", "--row", "id"]) == 0
    query = capsys.readouterr().out
    assert query == validation(loads_rubric(THREE_LEAVES), row="id")
    assert [r[0] for r in _numbered(NUMBERED_ROWS).execute(query).fetchall()] == [101, 101, 101, 103, 103]
    with pytest.raises(SystemExit) as exc:
        main(["sql", str(path), "--row", "id"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.endswith(
        "error: --row numbers the rows of the --validation query; add --validation\n"
    )


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
        (2, "out", "1.1.1", "185", "expected a number from 0 to 100")
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


@pytest.mark.needs_java
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(st.data())
def test_spark_equals_score(data: st.DataObject) -> None:
    rubric = data.draw(rubrics(kinds=KINDS, max_units=2, max_items=3))
    query = rendered(rubric, "spark")
    drawn = data.draw(st.lists(sheets(rubric), min_size=1, max_size=3))
    rows = [(f"a{k}", {a: cell(v) for a, v in s.answers.items()}) for k, s in enumerate(drawn)]
    spark = local_spark()
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


@pytest.mark.needs_java
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(st.data())
def test_spark_equals_score_with_an_aggregate(data: st.DataObject) -> None:
    rubric = data.draw(aggregated(max_units=2, max_items=3))
    query = rendered(rubric, "spark")
    drawn = data.draw(st.lists(sheets(rubric), min_size=1, max_size=3))
    rows = [(f"a{k}", {a: cell(v) for a, v in s.answers.items()}) for k, s in enumerate(drawn)]
    got = {r[0]: r for r in spark_rows(rubric, rows, query)}
    n = len(rubric.units)
    for agency, cells in rows:
        total, units, level, passed = summary(rubric, cells)
        row = got[agency]
        assert (row[1 + n], list(row[1 : 1 + n]), row[3 + n], row[4 + n]) == (total, units, level, passed)


def spark_rows(rubric: Rubric, rows: Sequence[tuple[str, Mapping[str, str]]], query: str) -> list[Any]:
    """The rows of *query* over a Spark view ``sheets`` of *rows* (agency, cells by address)."""
    spark = local_spark()
    from pyspark.sql.types import StringType, StructField, StructType  # noqa: PLC0415

    leaves = list(compiled(rubric).leaves)
    schema = StructType([StructField(n, StringType()) for n in ("agency", *leaves)])
    frame = spark.createDataFrame([[agency, *(c.get(a) for a in leaves)] for agency, c in rows], schema)
    frame.createOrReplaceTempView("sheets")
    return list(spark.sql(query).collect())


@pytest.mark.needs_java
def test_spark_gives_each_bad_cell_its_row() -> None:
    from pyspark.sql.types import LongType, StringType, StructField, StructType  # noqa: PLC0415

    spark = local_spark()
    fields = [StructField(n, StringType()) for n in ("agency", "1.1", "1.2", "1.3")]
    schema = StructType([*fields, StructField("id", LongType())])
    frame = spark.createDataFrame([[*r, 100 + k] for k, r in enumerate(NUMBERED_ROWS)], schema)
    frame.createOrReplaceTempView("sheets")
    rubric = loads_rubric(THREE_LEAVES)
    got = [tuple(r) for r in spark.sql(validation(rubric, "spark")).collect()]
    assert got == [(n, *bad) for n, bad in zip((2, 2, 2, 4, 4), NUMBERED_BAD, strict=True)]
    keyed = [tuple(r) for r in spark.sql(validation(rubric, "spark", row="id")).collect()]
    assert keyed == [(n, *bad) for n, bad in zip((101, 101, 101, 103, 103), NUMBERED_BAD, strict=True)]


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
    bad = {r[2] for r in con.execute(validation(rubric)).fetchall()}
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
