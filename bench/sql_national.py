"""Benchmark: the district rubric over 1.6 million generated rows in DuckDB, against the CLI.

Run ``python bench/sql_national.py [--rows N] [--dir DIR]`` from the repository (needs the
``sql`` extra). It writes the generated sheets of `bench.district` to one CSV (bench/national.py's
writer), then runs, one after the other, ``conserv-rubric score district FILE --format csv`` (the
streaming Python CLI) and the same command with ``--engine duckdb`` (the file scored inside
DuckDB), each a child process whose wall time and peak resident memory (``os.wait4``) are
reported, and checks that the two reports are the same bytes.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import MIB, load_average, machine, run_child, table
from bench.harness import cli as cli_command
from bench.national import csv_path, write_files


def main(argv: Sequence[str] | None = None) -> None:
    """Write the file, run both scorers, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_600_000, metavar="N")
    parser.add_argument("--dir", type=Path, metavar="DIR", help="keep the CSV files here (and reuse them)")
    args = parser.parse_args(argv)
    print(machine())
    with contextlib.ExitStack() as stack:
        folder = args.dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-sql-")))
        folder.mkdir(parents=True, exist_ok=True)
        path = csv_path(folder, args.rows)
        if not path.exists():
            write_files({args.rows: path})
        ours, duck = folder / "python.csv", folder / "duckdb.csv"
        command = [*cli_command(), "score", "district", str(path), "--format", "csv"]
        # The machine may be shared: the load average after each run says how much it was.
        python = run_child(command, stdout=str(ours))
        python_load = load_average()
        sql = run_child([*command, "--engine", "duckdb"], stdout=str(duck))
        sql_load = load_average()
        rows = [["engine", "wall s", "µs/row", "peak MiB", "exit", "load average after"]]
        for name, child, load in (
            ("python CLI (streaming)", python, python_load),
            ("score --engine duckdb", sql, sql_load),
        ):
            rows.append(
                [
                    name,
                    f"{child.wall:.2f}",
                    f"{child.wall / args.rows * 1e6:.2f}",
                    f"{child.peak_rss / MIB:.0f}",
                    str(child.returncode),
                    load,
                ]
            )
        print(f"{args.rows:,} rows, {path.stat().st_size / MIB:.0f} MiB of CSV")
        print(table(rows))
        if python.returncode in (0, 1) and sql.returncode == python.returncode:
            same = ours.read_bytes() == duck.read_bytes()
            print("the two reports are the same bytes" if same else "THE TWO ENGINES DISAGREE")
        else:
            print(python.stderr.strip()[-400:], sql.stderr.strip()[-400:], sep="\n")


if __name__ == "__main__":
    main()
