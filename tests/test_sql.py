"""The SQL renderer (conserv_rubric.sql): DuckDB and Spark agree with score() on every row."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conserv_rubric import Rubric, RubricError, Sheet, SheetInfo, loads_rubric, score
from conserv_rubric._compiled import compiled
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
            f"INSERT INTO sheets VALUES ({marks})", [[agency, *(c.get(a) for a in leaves)] for agency, c in rows]
        )
    return con


def summary(rubric: Rubric, cells: Mapping[str, str]) -> tuple[Decimal, list[Decimal], str | None, bool]:
    card = score(rubric, Sheet(info=SheetInfo(agency="x"), answers=dict(cells)))
    return card.total, [u.points for u in card.units], card.level, card.passed


def rendered(rubric: Rubric, dialect: str = "duckdb") -> str:
    try:
        return render(rubric, dialect)  # type: ignore[arg-type]
    except RubricError:
        assume(False)
        raise


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
