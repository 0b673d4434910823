"""A rubric as SQL: one ``SELECT`` that scores a table of sheets inside DuckDB or Spark (DESIGN §13).

The table (``sheets`` by default) has an ``agency`` column and one text column per leaf address,
named as the address (``"2.2.2"``), each cell written as a CSV cell would be; a blank cell or
NULL is unanswered. `render` returns the scoring query, whose rows are the Python CSV report's
summary columns: ``agency``, one column per unit (``"1 组织管理"``), ``total``, ``max``,
``level``, ``passed`` and ``failed`` (the gates failed, ``; ``-separated). `validation` returns
its companion: one row per invalid cell, with the number of its row, so bad rows are reported by
row and column and the others still scored.

Points are exact: the query computes in whole units of ``10**-k`` points and converts back by one
exact multiplication. A rubric it cannot score exactly is refused, never approximated. No engine
is imported here: the text is the product (docs/sql.md).
"""

from __future__ import annotations

from ._sql import DIALECTS, Dialect, NotExpressible, render_score, render_validation
from .errors import Problem, RubricError
from .model import Rubric

__all__ = ["DIALECTS", "Dialect", "render", "validation"]


def _refused(exc: NotExpressible, file: str | None) -> RubricError:
    return RubricError([Problem(file=file, message=str(exc))])


def render(
    rubric: Rubric, dialect: Dialect = "duckdb", *, table: str = "sheets", file: str | None = None
) -> str:
    """The ``SELECT`` that scores every valid row of *table* as `conserv_rubric.score` does.

    Args:
        rubric: a validated rubric.
        dialect: ``"duckdb"`` (the default) or ``"spark"`` (Spark SQL, ANSI mode on or off).
        table: the table of sheets, as written into the query.
        file: the rubric's file, named in an error.

    Returns:
        The query text.

    Raises:
        RubricError: the rubric uses a kind, option or modifier SQL cannot score exactly
            (``item 2.2.2 (units[1].projects[1].items[1]): …: not expressible exactly in SQL``).
        ValueError: *dialect* is unknown.
    """
    try:
        return render_score(rubric, dialect, table)
    except NotExpressible as exc:
        raise _refused(exc, file) from None


def validation(
    rubric: Rubric, dialect: Dialect = "duckdb", *, table: str = "sheets", row: str | None = None
) -> str:
    """The companion query: a row ``(row, agency, column, value, message)`` per invalid cell.

    Its rows come in the order of the table's rows, and within a row in the rubric's order of
    leaves, as the Python readers report them; ``row`` says which row of the table holds the cell.

    Args:
        rubric: a validated rubric.
        dialect: ``"duckdb"`` or ``"spark"``.
        table: the table of sheets.
        row: a column of *table* that numbers its rows (a platform's own row number or key, cast
            to a whole number). Without it, the query numbers the rows as the engine reads the
            table, the first 1: in DuckDB, the order rows were inserted (a CSV or Parquet file's
            order); in Spark, the order of the partitions and of the rows within them (a file's
            order), over a window that gathers the rows on one partition.

    Returns:
        The query text; its rows are the cells `render`'s query leaves out with their rows.

    Raises:
        ValueError: *dialect* is unknown.
    """
    return render_validation(rubric, dialect, table, row)
