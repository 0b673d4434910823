"""``conserv-rubric schema`` and ``conserv-rubric test``: the commands for rubric authors.

``schema`` prints a JSON Schema for the editor (exit 0). ``test`` checks a rubric's example sheets
against their ``[expect]`` tables and runs the property checks: exit 2 when an input could not be
read or checked, else 1 when a sheet differs from its expectation (or has none) or a property
fails, else 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._coefficients_cli import add_coefficients_argument, coefficients_argument
from ._rubric_io import load_rubric
from ._shipped import rubric_argument
from .errors import Problem, RubricError

OK = 0
FAILED = 1
INPUT_ERROR = 2

_RUBRIC = "a rubric file, or a shipped rubric's name (see: conserv-rubric rubrics)"


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return number


def add_parsers(sub: Any) -> None:
    """Add the ``schema`` and ``test`` commands to the subcommands *sub* of the main parser."""
    p = sub.add_parser(
        "schema",
        help="print a JSON Schema of rubrics or sheets, for the editor",
        description="Print the JSON Schema (draft 2020-12) of rubric files, of sheet files, or of "
        "the sheets of one rubric (with its addresses), for editors such as VS Code with Even "
        "Better TOML, or Tombi.",
    )
    p.add_argument("document", choices=("rubric", "sheet"), help="which kind of file the schema is for")
    p.add_argument("for_rubric", nargs="?", metavar="RUBRIC", help=f"for sheet: the rubric; {_RUBRIC}")

    p = sub.add_parser(
        "test",
        help="check example sheets against their [expect] and run the property checks",
        description="Score each example sheet and compare it with its [expect] table; then run the "
        "property checks of conserv_rubric.testing (with the hypothesis extra). Exit codes: 0 all "
        "as expected; 1 a difference, a sheet without [expect], or a failed property; 2 an input "
        "that could not be read or checked.",
    )
    p.add_argument("rubric", help=_RUBRIC)
    p.add_argument("sheets", type=Path, nargs="*", metavar="SHEET_OR_FOLDER")
    p.add_argument(
        "--examples", type=_positive, default=100, metavar="N", help="generated sheets to check (100)"
    )
    p.add_argument("--no-properties", action="store_true", help="check the example sheets only")
    add_coefficients_argument(p)


def run_schema_command(args: argparse.Namespace) -> int:
    """``conserv-rubric schema rubric|sheet [RUBRIC]``."""
    # Kept off start-up: only this command needs the schema generator.
    from .schema import dumps_schema, rubric_schema, sheet_schema  # noqa: PLC0415

    if args.document == "rubric":
        if args.for_rubric is not None:
            message = (
                "the rubric schema is the same for every rubric; "
                f"for the sheets of one: conserv-rubric schema sheet {args.for_rubric}"
            )
            raise RubricError([Problem(message=message)])
        schema = rubric_schema()
    elif args.for_rubric is None:
        schema = sheet_schema()
    else:
        schema = sheet_schema(load_rubric(rubric_argument(args.for_rubric)))
    sys.stdout.write(dumps_schema(schema))
    return OK


def run_test_command(args: argparse.Namespace) -> int:
    """``conserv-rubric test RUBRIC [SHEET_OR_FOLDER…]``."""
    from ._scenarios import render_test, run_test  # noqa: PLC0415 - kept off start-up, as above

    rubric = load_rubric(args.rubric)
    run = run_test(
        rubric,
        args.sheets,
        examples=args.examples,
        properties=not args.no_properties,
        coefficients=coefficients_argument(args.coefficients),
    )
    report, errors = render_test(run, rubric)
    sys.stdout.write(report)
    sys.stderr.write(errors)
    if run.input_error:
        return INPUT_ERROR
    return FAILED if run.failed else OK
