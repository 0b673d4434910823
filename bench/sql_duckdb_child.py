"""Child of bench/sql_national.py: score a CSV of district sheets in DuckDB, the result to a CSV.

``python bench/sql_duckdb_child.py SHEETS.csv OUT.csv [THREADS]``; prints rows scored and invalid.
"""

from __future__ import annotations

import sys

import duckdb

from conserv_rubric import load_rubric
from conserv_rubric._shipped import rubric_argument
from conserv_rubric.sql import render, validation


def main() -> None:
    source, out = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    rubric = load_rubric(rubric_argument("district"))
    con = duckdb.connect(config={"threads": threads})
    quoted = source.replace("'", "''")
    con.execute(
        f"CREATE VIEW sheets AS SELECT * FROM read_csv('{quoted}', all_varchar = true, header = true)"
    )
    bad = con.execute(f"SELECT count(*) FROM ({validation(rubric)})").fetchone()
    target = out.replace("'", "''")
    con.execute(f"COPY ({render(rubric)}) TO '{target}' (HEADER)")
    print(f"invalid cells: {bad[0] if bad else 0}")


if __name__ == "__main__":
    main()
