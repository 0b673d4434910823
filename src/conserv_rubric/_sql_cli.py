"""``conserv-rubric sql RUBRIC [--dialect duckdb|spark]``: print the query that scores a table."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._rubric_io import load_rubric
from .sql import DIALECTS, render, validation


def add_parser(sub: Any) -> None:
    """Add the ``sql`` command to the subcommands *sub* of the main parser."""
    p = sub.add_parser(
        "sql",
        help="print the SQL that scores a table of sheets (DuckDB or Spark)",
        description="Print one SELECT over a table 'sheets' with one text column per leaf address. "
        "Exit code 2 when the rubric cannot be scored exactly in SQL.",
    )
    p.add_argument("rubric", help="a rubric file, or a shipped rubric's name (see: conserv-rubric rubrics)")
    p.add_argument("--dialect", choices=DIALECTS, default="duckdb")
    p.add_argument("--table", default="sheets", help="the table of sheets (default: sheets)")
    p.add_argument("--validation", action="store_true", help="print the companion query of invalid cells")


def run(args: argparse.Namespace) -> int:
    """Print the query; a refusal is a `RubricError`, which the main command line reports."""
    rubric = load_rubric(args.rubric)
    if args.validation:
        text = validation(rubric, args.dialect, table=args.table)
    else:
        text = render(rubric, args.dialect, table=args.table, file=str(args.rubric))
    sys.stdout.write(text)
    return 0
