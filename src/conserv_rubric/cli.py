"""The ``conserv-rubric`` command line.

Exit codes: 0 ok; 1 the rubric is invalid, an agency did not reach the level, the sheets
differ, an energy target was not met, ``fmt --check`` would change the file, or (``rollup``)
a goal of the plan is not met; 2 usage or input error (unreadable file, malformed rubric or
sheet; for ``rollup``, any sheet that failed or matched no roster row); 3 an internal error (a
bug: please report it). With several inputs, 2 wins over 1 wins over 0.

Whatever the inputs hold, nothing the program writes carries a raw control character (see
`visible`), and no character the output's encoding lacks stops it: such a character is
written as a ``\\uXXXX`` escape (``backslashreplace``), in the encoding the terminal or
``PYTHONIOENCODING`` chose.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Final, cast

from . import __version__
from ._coefficients_cli import add_coefficients_argument, coefficients_argument
from ._output import add_csv_options, add_output, check_csv_options, csv_bom, emit, report_columns
from ._shipped import rubric_argument
from ._termfit import fitting
from ._text import visible
from .errors import Problem, RubricError

if TYPE_CHECKING:
    import argparse

    from ._fmt import Mode
    from ._score import ScoreCard
    from ._sheet import Sheet

# Each command imports what it needs when it runs (each such import marked PLC0415), so that
# one sheet scored pays for no report, page, workbook, roll-up or energy module it never uses;
# ``score RUBRIC SHEET…`` without options does not even build the parser (`_plain_score`).

OK: Final = 0
FAILED: Final = 1
INPUT_ERROR: Final = 2
INTERNAL_ERROR: Final = 3


_RUBRIC: Final = "a rubric file, or a shipped rubric's name (see: conserv-rubric rubrics)"
_ROOT: Final = "the folder that extends may read (default: the rubric's own folder)"


def _rubric_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("rubric", help=_RUBRIC)
    p.add_argument("--root", type=Path, metavar="DIR", help=_ROOT)


_JOBS: Final = "csv and jsonl: score on N processes, the output the same (default: 1)"


def _jobs(text: str) -> int:
    """``--jobs N``: a whole number of at least 1."""
    import argparse  # noqa: PLC0415 - loaded with the parser that calls this

    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, got {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 process, got {number}")
    return number


def _add_check(sub: Any) -> None:
    p = sub.add_parser("check", help="validate a rubric and print its totals tree")
    _rubric_arguments(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    add_output(p)


def _add_score(sub: Any) -> None:
    p = sub.add_parser("score", help="score sheets and explain every point")
    _rubric_arguments(p)
    p.add_argument("sheets", type=Path, nargs="+", metavar="SHEET")
    add_coefficients_argument(p)
    p.add_argument("--format", choices=("text", "markdown", "json", "csv", "jsonl", "html"), default="text")
    p.add_argument("--jobs", type=_jobs, default=1, metavar="N", help=_JOBS)
    p.add_argument(
        "--engine",
        choices=("python", "duckdb"),
        default="python",
        help="duckdb: score CSV or Parquet files inside DuckDB (extra [sql]; --format csv or jsonl)",
    )
    add_output(p)
    add_csv_options(p)


def _add_gap(sub: Any) -> None:
    p = sub.add_parser("gap", help="list the points still open and what reaches the next level")
    _rubric_arguments(p)
    p.add_argument("sheet", type=Path)
    add_coefficients_argument(p)
    p.add_argument("--format", choices=("text", "markdown", "json", "html"), default="text")
    add_output(p)


def _add_template(sub: Any) -> None:
    p = sub.add_parser("template", help="print a blank answer sheet for a rubric")
    _rubric_arguments(p)
    p.add_argument("--format", choices=("toml", "xlsx"), default="toml", help="xlsx: a 自评打分表 workbook")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="the file to write: the TOML sheet, or the workbook (needed with --format xlsx)",
    )
    p.add_argument("--energy", action="store_true", help="xlsx: add the rows of the energy data (说明五)")


def _add_diff(sub: Any) -> None:
    p = sub.add_parser("diff", help="compare a self-assessed and a verified sheet")
    _rubric_arguments(p)
    p.add_argument("self_sheet", type=Path, metavar="SELF")
    p.add_argument("verified", type=Path, metavar="VERIFIED")
    add_coefficients_argument(p)
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    add_output(p)


def _add_energy(sub: Any) -> None:
    p = sub.add_parser("energy", help="compute a sheet's energy indicators and show their derivation")
    p.add_argument("sheet", type=Path)
    p.add_argument("--coefficients", metavar="NAME|FILE", help="coefficient table (default: 当量值)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_output(p)


def _add_fmt(sub: Any) -> None:
    p = sub.add_parser("fmt", help="print a rubric in canonical form, keeping its comments")
    _rubric_arguments(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="exit 1 if the file is not canonical")
    group.add_argument("--write", action="store_true", help="rewrite the file in place")
    p.add_argument("--flatten", action="store_true", help="merge the rubric it extends into it")


def _add_rubrics(sub: Any) -> None:
    p = sub.add_parser("rubrics", help="list the shipped rubrics, usable by name")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_output(p)


def _add_rollup(sub: Any) -> None:
    from ._rollup_cli import add_parser  # noqa: PLC0415 - kept off the other commands' start-up

    add_parser(sub)


def _add_sql(sub: Any) -> None:
    from ._sql_cli import add_parser  # noqa: PLC0415 - kept off the other commands' start-up

    add_parser(sub)


def _add_author(sub: Any) -> None:
    from ._author_cli import add_parsers  # noqa: PLC0415 - kept off the other commands' start-up

    add_parsers(sub)


_ADD_PARSERS: Final[dict[str, Callable[[Any], None]]] = {
    "check": _add_check,
    "score": _add_score,
    "gap": _add_gap,
    "template": _add_template,
    "diff": _add_diff,
    "energy": _add_energy,
    "fmt": _add_fmt,
    "rubrics": _add_rubrics,
    "rollup": _add_rollup,
    "sql": _add_sql,
    "schema": _add_author,
    "test": _add_author,
}


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: with every command, or only *command* when it names one.

    A parser of thirteen commands costs more to build than scoring one sheet; the one being
    run is all that parses its arguments (``-h``, an unknown command or none get them all).
    """
    from ._usage import Parser  # noqa: PLC0415 - argparse, kept off a plain score's start-up

    parser = Parser(
        prog="conserv-rubric",
        description="Validate evaluation-standard rubrics and score agencies against them.",
        epilog="Exit codes: 0 ok; 1 invalid rubric / level not reached / sheets differ / goal not met; "
        "2 usage or input error; 3 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    wanted = [_ADD_PARSERS[command]] if command in _ADD_PARSERS else _ADD_PARSERS.values()
    for add in dict.fromkeys(wanted):  # the author commands come as one pair
        add(sub)
    return parser


def _plain_score(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments of ``score RUBRIC SHEET…`` with no option, as the parser reads them, or
    None for any other command line (the parser reads it).

    argparse, its translations and the parser cost a twentieth of one sheet scored, so the
    commonest command line is read here; `tests/test_cli_plain.py` checks that it reads what the
    parser reads (every default of ``score``'s options), and that anything with an option
    (``-h``, ``--``, ``-`` included) or without a sheet is left to the parser.
    """
    if argv[:1] != ["score"] or len(argv) < len(("score", "RUBRIC", "SHEET")):
        return None
    if any(a.startswith("-") for a in argv[1:]):
        return None
    plain = SimpleNamespace(
        command="score",
        rubric=argv[1],
        root=None,
        sheets=[Path(a) for a in argv[2:]],
        coefficients=None,
        format="text",
        jobs=1,
        engine="python",
        output=None,
        bom=None,
        headers=None,
        csv_parser=None,  # no parser: the CSV options, absent, need no usage error
    )
    return cast("argparse.Namespace", plain)  # read only by attribute, as a Namespace is


#: The arguments naming the files a command reads, which its report must not overwrite.
_INPUTS: Final = (
    "rubric",
    "sheets",
    "sheet",
    "self_sheet",
    "verified",
    "roster",
    "plan",
    "coefficients",
    "compare",
)


def _refuse_output_over_input(args: argparse.Namespace) -> None:
    """Refuse ``-o`` naming a file the command reads: the rubric, a sheet, the roster, the plan
    or the coefficient table is read before the report is written, so the command would run and
    leave that file overwritten. A report inside a folder of sheets that already holds it is
    refused too: it would be read as a sheet, then overwritten."""
    output = getattr(args, "output", None)
    try:
        if output is None or not output.exists():
            return  # a file not there yet erases nothing
    except (OSError, ValueError):
        return  # a name that cannot exist: writing it fails on its own, with its reason
    for name in _INPUTS:
        given = getattr(args, name, None)
        for path in given if isinstance(given, list) else [] if given is None else [given]:
            message = None
            with contextlib.suppress(OSError, ValueError):  # an input that cannot be read is said so later
                if output.samefile(path):
                    message = f"-o names the input {path}: writing the report there would erase it first"
                elif Path(path).is_dir() and _inside(output, Path(path)) and _sheet_file(output):
                    message = (
                        f"-o names a file in the folder {path}, which is read for sheets: the report would "
                        "be read as a sheet and then overwritten; write it outside that folder"
                    )
            if message is not None:
                raise RubricError([Problem(file=str(output), message=message)])


def _inside(file: Path, folder: Path) -> bool:
    return file.resolve().is_relative_to(folder.resolve())


def _sheet_file(file: Path) -> bool:
    from ._inputs import SHEET_SUFFIXES  # noqa: PLC0415 - kept off start-up, as the commands' imports

    return file.suffix.lower() in SHEET_SUFFIXES and not file.name.startswith((".", "~$"))


def _err(error: RubricError) -> None:
    """Every problem of *error* on standard error, one per line, control characters shown."""
    sys.stderr.write("".join(visible(str(p)) + "\n" for p in error.problems) or visible(str(error)) + "\n")


def _warn(sheet: Sheet | None) -> None:
    """Warn on standard error about a sheet that names no agency (a blank template scored as is)."""
    if sheet is None:
        return
    from ._labels import blank_agency  # noqa: PLC0415 - kept off start-up, as the commands' imports

    warning = blank_agency(sheet.info.agency, sheet.file, sheet.row)
    if warning is not None:
        sys.stderr.write(visible(str(warning)) + "\n")


def _batch(
    rubric_path: Path, sheet_paths: Sequence[Path], root: Path | None, coefficients: str | None = None
) -> Iterator[ScoreCard | RubricError]:
    """A card for every sheet that scores, an error for every file, row or sheet that does not,
    in input order, as they come (the rubric and the coefficients are read first)."""
    from ._batch import iter_sheets  # noqa: PLC0415 - kept off start-up: only the scoring commands
    from ._rubric_io import load_rubric  # noqa: PLC0415 - as above
    from .batch import _scored  # noqa: PLC0415 - as above

    rubric = load_rubric(rubric_path, root=root)
    table = coefficients_argument(coefficients)
    return itertools.chain.from_iterable(_scored(rubric, iter_sheets(path), table) for path in sheet_paths)


def _score_json(args: argparse.Namespace) -> int:
    """``score --format json``: each entry written as it is scored, so memory stays flat; the
    bytes are those of `render_cards` (one entry alone, several as a list)."""
    from ._score import ScoreCard  # noqa: PLC0415 - kept off start-up: only the scoring commands
    from ._stream_cli import output  # noqa: PLC0415 - as above
    from ._text import dumps_json  # noqa: PLC0415 - as above
    from .reports import error_entry  # noqa: PLC0415 - as above

    results = _batch(args.rubric, args.sheets, args.root, args.coefficients)
    status, count, first = OK, 0, ""
    with output(args.output, bom=False, inputs=args.sheets) as out:
        for result in results:
            if isinstance(result, ScoreCard):
                _warn(result.sheet)
                status = max(status, OK if result.passed else FAILED)
                text = dumps_json(result.to_dict())
            else:
                _err(result)
                status = INPUT_ERROR
                text = dumps_json(error_entry(result))
            entry = "  " + text.replace("\n", "\n  ")  # as an element of the list, indented once more
            if count == 0:
                first = text
            elif count == 1:
                out.write("[\n" + "  " + first.replace("\n", "\n  ") + ",\n" + entry)
            else:
                out.write(",\n" + entry)
            count += 1
        out.write("[]\n" if count == 0 else first + "\n" if count == 1 else "\n]\n")
    return status


def _rubrics(args: argparse.Namespace) -> int:
    from ._catalogue import render_catalogue  # noqa: PLC0415 - kept off start-up: only this command

    emit(render_catalogue(args.format), args.output)
    return OK


def _check(args: argparse.Namespace) -> int:
    from ._rubric_io import read_rubric  # noqa: PLC0415 - kept off start-up: not every command loads
    from .reports import render_check  # noqa: PLC0415 - as above

    rubric, problems = read_rubric(args.rubric, root=args.root)
    emit(render_check(rubric, problems, args.format, file=str(args.rubric)), args.output)
    failing = problems if args.strict else [p for p in problems if p.severity == "error"]
    return FAILED if failing else OK


def _score(args: argparse.Namespace) -> int:
    if args.engine == "duckdb":
        if args.format not in ("csv", "jsonl"):
            args.csv_parser.error(f"--engine duckdb writes --format csv or jsonl, not --format {args.format}")
        if args.jobs > 1:
            args.csv_parser.error("--jobs is for the Python engine; --engine duckdb uses every core itself")
        from ._sql_cli import score_duckdb  # noqa: PLC0415 - DuckDB only for this engine

        return score_duckdb(args)
    streamed = args.format in ("csv", "jsonl") and args.coefficients is None
    if args.jobs > 1 and not streamed:
        message = "score: --jobs scores --format csv or jsonl on several processes, without --coefficients"
        raise RubricError([Problem(message=message)])
    if streamed:  # written as scored, in flat memory
        from ._stream_cli import score_streamed  # noqa: PLC0415 - kept off the other commands' start-up

        return score_streamed(args)
    if args.format == "json":
        return _score_json(args)
    from ._score import ScoreCard  # noqa: PLC0415 - kept off start-up: only the scoring commands
    from .reports import render_cards  # noqa: PLC0415 - as above

    results = list(_batch(args.rubric, args.sheets, args.root, args.coefficients))
    errors = [r for r in results if isinstance(r, RubricError)]
    cards = [r for r in results if isinstance(r, ScoreCard)]
    for result in results:
        if isinstance(result, RubricError):
            _err(result)
        else:
            _warn(result.sheet)
    if cards or args.format in ("json", "csv"):
        if args.format == "html":
            from .pages import render_cards_html  # noqa: PLC0415 - only the HTML page needs it

            text = render_cards_html(cards)
        else:
            text = render_cards(results, args.format, headers=args.headers or "en")
        emit(text, args.output, bom=csv_bom(args))
    if errors:
        return INPUT_ERROR
    return OK if all(c.passed for c in cards) else FAILED


def _gap(args: argparse.Namespace) -> int:
    from ._rubric_io import load_rubric  # noqa: PLC0415 - kept off start-up: only this command
    from ._score import score  # noqa: PLC0415 - as above
    from ._sheet import load_sheet  # noqa: PLC0415 - as above
    from .gaps import gap  # noqa: PLC0415 - as above
    from .pages import render_gap_html  # noqa: PLC0415 - as above
    from .reports import render_gap  # noqa: PLC0415 - as above

    rubric = load_rubric(args.rubric, root=args.root)
    card = score(rubric, load_sheet(args.sheet), coefficients=coefficients_argument(args.coefficients))
    _warn(card.sheet)
    emit(render_gap_html(card) if args.format == "html" else render_gap(gap(card), args.format), args.output)
    return OK if card.passed else FAILED


def _template(args: argparse.Namespace) -> int:
    from ._rubric_io import load_rubric  # noqa: PLC0415 - kept off start-up: only this command
    from .templates import template  # noqa: PLC0415 - as above
    from .workbook import write_template  # noqa: PLC0415 - as above

    rubric = load_rubric(args.rubric, root=args.root)
    if (args.format == "xlsx" and args.output is None) or (args.energy and args.format != "xlsx"):
        raise RubricError(
            [Problem(message="template: a workbook is written to a file: --format xlsx -o FILE")]
        )
    if args.format == "xlsx":
        write_template(rubric, args.output, energy=args.energy)
    else:
        emit(template(rubric), args.output)
    return OK


def _diff(args: argparse.Namespace) -> int:
    from ._rubric_io import load_rubric  # noqa: PLC0415 - kept off start-up: only this command
    from ._score import score  # noqa: PLC0415 - as above
    from ._sheet import load_sheet  # noqa: PLC0415 - as above
    from .diffs import diff  # noqa: PLC0415 - as above
    from .reports import render_diff  # noqa: PLC0415 - as above

    rubric = load_rubric(args.rubric, root=args.root)
    table = coefficients_argument(args.coefficients)
    mine = score(rubric, load_sheet(args.self_sheet), coefficients=table)
    theirs = score(rubric, load_sheet(args.verified), coefficients=table)
    result = diff(mine, theirs)
    _warn(mine.sheet)
    emit(render_diff(result, args.format), args.output)
    return FAILED if result.items else OK


def _energy(args: argparse.Namespace) -> int:
    from . import energy  # noqa: PLC0415 - kept off start-up: only this command needs it

    table = energy.load_coefficients(args.coefficients)
    results = [energy.indicators(data, table) for data in energy.load_energy(args.sheet)]
    emit(energy.render_energy(results[0] if len(results) == 1 else results, args.format), args.output)
    met = all(j.met for r in results for j in energy.judgements(r).values())
    return OK if met else FAILED


def _fmt(args: argparse.Namespace) -> int:
    from ._fmt import format_file  # noqa: PLC0415 - kept off start-up: only this command

    path: Path = args.rubric
    mode: Mode = "check" if args.check else "write" if args.write else "print"
    result = format_file(path, mode=mode, flatten=args.flatten, root=args.root)
    for note in result.notes:
        sys.stderr.write(visible(note) + "\n")
    if mode == "check" and not result.canonical:
        name = visible(str(path))
        sys.stderr.write(f"{name}: not in canonical form (conserv-rubric fmt --write {name})\n")
        return FAILED
    if mode == "print":
        sys.stdout.write(result.text)
    return OK


def _rollup(args: argparse.Namespace) -> int:
    from ._rollup_cli import run  # noqa: PLC0415 - loaded with its parser by now

    return run(args)


def _sql(args: argparse.Namespace) -> int:
    from ._sql_cli import run  # noqa: PLC0415 - loaded with its parser by now

    return run(args)


def _schema(args: argparse.Namespace) -> int:
    from ._author_cli import run_schema_command  # noqa: PLC0415 - loaded with its parser by now

    return run_schema_command(args)


def _test(args: argparse.Namespace) -> int:
    from ._author_cli import run_test_command  # noqa: PLC0415 - loaded with its parser by now

    return run_test_command(args)


_COMMANDS: Final = {
    "check": _check,
    "score": _score,
    "gap": _gap,
    "template": _template,
    "diff": _diff,
    "energy": _energy,
    "fmt": _fmt,
    "rubrics": _rubrics,
    "rollup": _rollup,
    "sql": _sql,
    "schema": _schema,
    "test": _test,
}


@contextlib.contextmanager
def _never_unencodable() -> Iterator[None]:
    """Standard output and error write a character their encoding lacks as an escape.

    A GBK stdout (Chinese Windows, output redirected) cannot encode ✓ or −; rather than stop
    there, or guess at another encoding than the one the terminal or ``PYTHONIOENCODING``
    asked for, such a character is written as ``\\u2713``.
    """
    changed = []
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")
            changed.append(stream)
    try:
        yield
    finally:
        for stream in changed:
            with contextlib.suppress(ValueError):  # closed meanwhile
                stream.reconfigure(errors="strict")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``) and return the exit code."""
    with _never_unencodable():
        argv = sys.argv[1:] if argv is None else list(argv)
        args = _plain_score(argv) or _parser(argv[0] if argv else None).parse_args(argv)
        check_csv_options(args)
        try:
            if hasattr(args, "rubric"):
                args.rubric = rubric_argument(args.rubric, rewrite=getattr(args, "write", False))
            _refuse_output_over_input(args)
            with fitting(report_columns(args)):
                return _COMMANDS[args.command](args)
        except RubricError as exc:
            _err(exc)
            return INPUT_ERROR
        except BrokenPipeError:
            return OK
        except Exception as exc:  # noqa: BLE001 - the command line never shows a traceback
            message = visible(f"{type(exc).__name__}: {exc}")
            sys.stderr.write(f"conserv-rubric: internal error: {message}; please report it\n")
            return INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
