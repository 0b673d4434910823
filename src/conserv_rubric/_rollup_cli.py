"""``conserv-rubric rollup``: the district's year against its plan.

Exit codes: 2 an input failed (a sheet that does not load or fit the rubric, another year, two
sheets of one agency at one stage, a sheet that matches no roster row), else 1 a goal of the
plan is not met, else 0. The plan's goals are checked whatever the date, since the seed's are
all due 2024年底 and a roll-up before then answers "are we there yet?".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._coefficients_cli import add_coefficients_argument, coefficients_argument
from ._output import add_csv_options, add_output, csv_bom, emit
from ._shipped import plan_argument, rubric_argument
from ._text import visible

if TYPE_CHECKING:
    from ._rollup_model import Rollup
    from ._whatif import Comparison

OK = 0
GOAL_NOT_MET = 1
INPUT_FAILED = 2


def add_parser(sub: Any) -> None:
    """Add the ``rollup`` command to the subcommands *sub* of the main parser."""
    p = sub.add_parser(
        "rollup",
        help="count a district's agencies against its plan's goals",
        description="Roll up sheets (files or folders) against a roster and plan. Exit codes: "
        "0 every goal met; 1 a goal not met; 2 an input failed or a sheet matched no roster row.",
    )
    p.add_argument("rubric", help="a rubric file, or a shipped rubric's name (see: conserv-rubric rubrics)")
    p.add_argument("sheets", type=Path, nargs="+", metavar="SHEET_OR_FOLDER")
    p.add_argument("--plan", help="the 创建行动方案: a file, or a shipped plan's name (district)")
    p.add_argument("--roster", type=Path, help="the 名录 (CSV or TOML)")
    p.add_argument("--year", type=int, help="the year counted (default: the plan's)")
    add_coefficients_argument(p)
    p.add_argument(
        "--compare", metavar="OTHER_RUBRIC", help="what-if under another edition (a file or a shipped name)"
    )
    p.add_argument("--format", choices=("text", "markdown", "json", "csv", "html"), default="text")
    add_output(p)
    add_csv_options(p)


def _report_failures(r: Rollup, tag: str = "") -> None:
    from ._labels import blank_agency  # noqa: PLC0415 - loaded by run() by now
    from ._rollup_report import error_line  # noqa: PLC0415 - as above

    for a in r.agencies:
        sheet = a.card.sheet if a.card is not None else None
        warning = None if sheet is None else blank_agency(sheet.info.agency, sheet.file, sheet.row)
        if warning is not None:
            sys.stderr.write(f"{tag}{visible(str(warning))}\n")
    for e in r.errors:
        sys.stderr.write(tag + error_line(e.file, e.line, e.column, e.cell, e.message) + "\n")
    for u in r.unmatched:
        where = u.file if u.line is None else f"{u.file}:{u.line}"
        sys.stderr.write(f"{tag}{where}: not counted: {u.reason}\n")


def run(args: argparse.Namespace) -> int:
    """Run ``rollup`` with parsed *args*; return the exit code."""
    # The parser above is built for every command; what the roll-up runs is imported only here.
    from ._rollup import rollup  # noqa: PLC0415 - kept off the other commands' start-up
    from ._rollup_report import render_rollup  # noqa: PLC0415 - as above
    from ._rubric_io import load_rubric  # noqa: PLC0415 - as above
    from ._whatif import compare  # noqa: PLC0415 - as above
    from .pages import render_rollup_html  # noqa: PLC0415 - as above

    rubric = load_rubric(args.rubric)
    plan = None if args.plan is None else plan_argument(args.plan)
    table = coefficients_argument(args.coefficients)
    result = rollup(rubric, args.sheets, plan=plan, roster=args.roster, year=args.year, coefficients=table)
    comparison: Comparison | None = None
    if args.compare is not None:
        comparison = compare(result, load_rubric(rubric_argument(args.compare)))
    if args.format == "html":
        text = render_rollup_html(result, comparison)
    else:
        text = render_rollup(result, args.format, comparison, headers=args.headers or "en")
    emit(text, args.output, bom=csv_bom(args))
    _report_failures(result)
    if comparison is not None:
        _report_failures(comparison.other, f"{args.compare}: ")
    if result.failed or (comparison is not None and comparison.other.failed):
        return INPUT_FAILED
    return GOAL_NOT_MET if any(not g.met for g in result.summary.goals) else OK
