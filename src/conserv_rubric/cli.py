"""The ``conserv-rubric`` command line.

Exit codes: 0 ok; 1 the rubric is invalid, an agency did not reach the level, the sheets
differ, an energy target was not met, ``fmt --check`` would change the file, or (``rollup``)
a goal of the plan is not met; 2 usage or input error (unreadable file, malformed rubric or
sheet; for ``rollup``, any sheet that failed or matched no roster row); 3 an internal error (a
bug: please report it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import tomli_w

from ._catalogue import render_catalogue
from ._parse import parse_toml
from ._rollup_cli import add_parser as add_rollup_parser
from ._rollup_cli import run as rollup_command
from ._rubric_io import dumps_rubric, load_rubric, read_rubric, unstructure
from ._score import ScoreCard, score
from ._sheet import Sheet, load_sheet, load_sheets
from ._shipped import rubric_argument
from .diffs import diff
from .errors import Problem, RubricError
from .gaps import gap
from .reports import render_cards, render_check, render_diff, render_gap
from .templates import template
from .workbook import write_template

OK: Final = 0
FAILED: Final = 1
INPUT_ERROR: Final = 2
INTERNAL_ERROR: Final = 3


_RUBRIC: Final = "a rubric file, or a shipped rubric's name (see: conserv-rubric rubrics)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conserv-rubric",
        description="Validate evaluation-standard rubrics and score agencies against them.",
        epilog="Exit codes: 0 ok; 1 invalid rubric / level not reached / sheets differ / goal not met; "
        "2 usage or input error; 3 internal error.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="validate a rubric and print its totals tree")
    p.add_argument("rubric", help=_RUBRIC)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")

    p = sub.add_parser("score", help="score sheets and explain every point")
    p.add_argument("rubric", help=_RUBRIC)
    p.add_argument("sheets", type=Path, nargs="+", metavar="SHEET")
    p.add_argument("--format", choices=("text", "markdown", "json", "csv"), default="text")

    p = sub.add_parser("gap", help="list the points still open and what reaches the next level")
    p.add_argument("rubric", help=_RUBRIC)
    p.add_argument("sheet", type=Path)
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    p = sub.add_parser("template", help="print a blank answer sheet for a rubric")
    p.add_argument("rubric", help=_RUBRIC)
    p.add_argument("--format", choices=("toml", "xlsx"), default="toml", help="xlsx: a 自评打分表 workbook")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="the workbook to write (xlsx only)")
    p.add_argument("--energy", action="store_true", help="xlsx: add the rows of the energy data (说明五)")

    p = sub.add_parser("diff", help="compare a self-assessed and a verified sheet")
    p.add_argument("rubric", help=_RUBRIC)
    p.add_argument("self_sheet", type=Path, metavar="SELF")
    p.add_argument("verified", type=Path, metavar="VERIFIED")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    p = sub.add_parser("energy", help="compute a sheet's energy indicators and show their derivation")
    p.add_argument("sheet", type=Path)
    p.add_argument("--coefficients", metavar="NAME|FILE", help="coefficient table (default: 当量值)")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("fmt", help="print a rubric in canonical form (comments are not kept)")
    p.add_argument("rubric", help=_RUBRIC)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="exit 1 if the file is not canonical")
    group.add_argument("--write", action="store_true", help="rewrite the file in place")
    p.add_argument("--flatten", action="store_true", help="merge the rubric it extends into it")

    p = sub.add_parser("rubrics", help="list the shipped rubrics, usable by name")
    p.add_argument("--format", choices=("text", "json"), default="text")

    add_rollup_parser(sub)
    return parser


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _cards(rubric_path: Path, sheet_paths: Sequence[Path]) -> list[ScoreCard]:
    rubric = load_rubric(rubric_path)
    sheets: list[Sheet] = []
    errors: list[RubricError] = []
    for path in sheet_paths:
        try:
            sheets.extend(load_sheets(path))
        except RubricError as exc:
            errors.append(exc)
    cards = []
    for sheet in sheets:
        try:
            cards.append(score(rubric, sheet))
        except RubricError as exc:
            errors.append(exc)
    if errors:
        raise RubricError(p for e in errors for p in e.problems)
    return cards


def _rubrics(args: argparse.Namespace) -> int:
    _out(render_catalogue(args.format))
    return OK


def _check(args: argparse.Namespace) -> int:
    rubric, problems = read_rubric(args.rubric)
    _out(render_check(rubric, problems, args.format, file=str(args.rubric)))
    failing = problems if args.strict else [p for p in problems if p.severity == "error"]
    return FAILED if failing else OK


def _score(args: argparse.Namespace) -> int:
    cards = _cards(args.rubric, args.sheets)
    _out(render_cards(cards, args.format))
    return OK if all(c.passed for c in cards) else FAILED


def _gap(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    card = score(rubric, load_sheet(args.sheet))
    _out(render_gap(gap(card), args.format))
    return OK if card.passed else FAILED


def _template(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    if (args.format == "xlsx") != (args.output is not None) or (args.energy and args.format != "xlsx"):
        raise RubricError(
            [Problem(message="template: a workbook is written to a file: --format xlsx -o FILE")]
        )
    if args.format == "xlsx":
        write_template(rubric, args.output, energy=args.energy)
    else:
        _out(template(rubric))
    return OK


def _diff(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    result = diff(score(rubric, load_sheet(args.self_sheet)), score(rubric, load_sheet(args.verified)))
    _out(render_diff(result, args.format))
    return FAILED if result.items else OK


def _energy(args: argparse.Namespace) -> int:
    from . import energy  # noqa: PLC0415 - kept off start-up: only this command needs it

    table = energy.load_coefficients(args.coefficients)
    results = [energy.indicators(data, table) for data in energy.load_energy(args.sheet)]
    _out(energy.render_energy(results[0] if len(results) == 1 else results, args.format))
    met = all(j.met for r in results for j in energy.judgements(r).values())
    return OK if met else FAILED


def _fmt(args: argparse.Namespace) -> int:
    path: Path = args.rubric
    rubric = load_rubric(path)
    original = path.read_text(encoding="utf-8-sig")
    if args.flatten:
        text = dumps_rubric(rubric)
    else:
        doc = parse_toml(original, str(path))
        # A rubric that extends another is kept as a patch: only its layout is normalised.
        text = tomli_w.dumps(doc) if "extends" in doc else tomli_w.dumps(unstructure(rubric))
    if args.check:
        if text != original:
            sys.stderr.write(f"{path}: not in canonical form (conserv-rubric fmt --write {path})\n")
            return FAILED
        return OK
    if args.write:
        path.write_text(text, encoding="utf-8")
        return OK
    sys.stdout.write(text)
    return OK


_COMMANDS: Final = {
    "check": _check,
    "score": _score,
    "gap": _gap,
    "template": _template,
    "diff": _diff,
    "energy": _energy,
    "fmt": _fmt,
    "rubrics": _rubrics,
    "rollup": rollup_command,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``) and return the exit code."""
    args = _parser().parse_args(argv)
    try:
        if "rubric" in args:
            args.rubric = rubric_argument(args.rubric, rewrite=getattr(args, "write", False))
        return _COMMANDS[args.command](args)
    except RubricError as exc:
        sys.stderr.write(f"{exc}\n")
        return INPUT_ERROR
    except BrokenPipeError:
        return OK
    except Exception as exc:  # noqa: BLE001 - the command line never shows a traceback
        sys.stderr.write(f"conserv-rubric: internal error: {type(exc).__name__}: {exc}; please report it\n")
        return INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
