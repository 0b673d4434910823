"""``conserv-rubric sql RUBRIC [--dialect duckdb|spark]``: print the query that scores a table."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._headers import Headers
from ._rubric_io import load_rubric
from .errors import RubricError
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
    p.add_argument(
        "--validation",
        action="store_true",
        help="print the companion query of invalid cells (row, agency, column, value, message)",
    )
    p.add_argument(
        "--row",
        metavar="COLUMN",
        help="with --validation: the table's column that numbers its rows "
        "(default: the query numbers them in the order the engine reads them, the first 1)",
    )
    p.set_defaults(sql_parser=p)


def run(args: argparse.Namespace) -> int:
    """Print the query; a refusal is a `RubricError`, which the main command line reports."""
    if args.row is not None and not args.validation:
        args.sql_parser.error("--row numbers the rows of the --validation query; add --validation")
    rubric = load_rubric(args.rubric)
    if args.validation:
        text = validation(rubric, args.dialect, table=args.table, row=args.row)
    else:
        text = render(rubric, args.dialect, table=args.table, file=str(args.rubric))
    sys.stdout.write(text)
    return 0


def score_duckdb(args: argparse.Namespace) -> int:
    """``score … --engine duckdb``: every sheet file scored in DuckDB, the rows written as they come.

    The rows, errors and exit code are the Python engine's ``--format csv``/``jsonl`` ones (2
    if any input failed, else 1 if any agency did not reach the level, else 0), but that a JSON
    Lines row is a card's summary (`_sql_engine.SUMMARY_KEYS`), without per-item reasons.
    """
    # Kept off the other commands' start-up: only this command needs them.
    import csv  # noqa: PLC0415

    from ._coefficients_cli import coefficients_argument  # noqa: PLC0415
    from ._csv_report import cards_csv_header  # noqa: PLC0415
    from ._output import csv_bom  # noqa: PLC0415
    from ._score import ScoreCard  # noqa: PLC0415
    from ._sql_engine import Row, csv_header_line, refusal, results, summary  # noqa: PLC0415
    from ._stream_cli import output  # noqa: PLC0415
    from ._text import dumps_json, visible  # noqa: PLC0415
    from .reports import error_entry, render_cards  # noqa: PLC0415

    rubric = load_rubric(args.rubric, root=args.root)
    refused = refusal(rubric, str(args.rubric))
    if refused is not None:
        raise refused
    table = coefficients_argument(args.coefficients)
    headers: Headers = "zh" if args.headers == "zh" else "en"
    bom = csv_bom(args)
    failed = errored = 0
    header = args.format != "csv"
    with output(args.output, bom, args.sheets) as out:
        if bom and args.output is None:
            out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\n")
        for path in args.sheets:
            notes: list[str] = []
            for result in results(rubric, path, table, notes, args.format == "jsonl"):
                while notes:
                    sys.stderr.write(visible(notes.pop(0)) + "\n")
                if isinstance(result, RubricError):
                    errored += 1
                    sys.stderr.write("".join(visible(str(p)) + "\n" for p in result.problems))
                    if args.format == "jsonl":
                        out.write(dumps_json(error_entry(result), indent=None) + "\n")
                    continue
                if not header:
                    writer.writerow(csv_header_line(rubric, headers))
                    header = True
                if isinstance(result, Row):
                    failed += not result.passed
                    if args.format == "jsonl":
                        out.write(dumps_json(result.json, indent=None) + "\n")
                    else:
                        writer.writerow(result.cells)
                    continue
                assert isinstance(result, ScoreCard)
                failed += not result.passed
                if args.format == "jsonl":
                    out.write(dumps_json(summary(result), indent=None) + "\n")
                else:
                    text = render_cards([result], "csv", headers=headers)
                    out.write(text[text.index("\n") + 1 :])
            while notes:
                sys.stderr.write(visible(notes.pop(0)) + "\n")
        if not header:  # as the Python engine: the unit columns even without a card
            out.write(cards_csv_header(rubric, headers))
    if errored:
        return 2
    return 1 if failed else 0
