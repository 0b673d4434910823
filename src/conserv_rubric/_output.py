"""Where a command's report goes: to ``-o FILE``, or to standard output, fitted to a terminal.

CSV is meant for Excel and WPS (DESIGN §10), which read a file without a byte order mark as
GBK on Chinese Windows: a CSV report written to a file starts with one unless ``--no-bom`` says
otherwise, and ``--bom`` adds it on standard output (then written as UTF-8 whatever the
terminal's encoding, which is what the mark announces). ``--headers zh`` writes the header in
Chinese. Both options belong to CSV; with another format they are a usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ._termfit import fitted, terminal_columns
from .errors import Problem, RubricError

if TYPE_CHECKING:
    import argparse

#: The byte order mark of UTF-8.
BOM: Final = "\ufeff"


def add_output(p: argparse.ArgumentParser) -> None:
    """Add ``-o FILE`` to the command parser *p*."""
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report to FILE")


def add_csv_options(p: argparse.ArgumentParser) -> None:
    """Add ``--bom``/``--no-bom`` and ``--headers en|zh`` to the command parser *p*."""
    import argparse  # noqa: PLC0415 - loaded with the parser (a plain score builds none)

    p.add_argument(
        "--bom",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start CSV with a UTF-8 byte order mark, for Excel/WPS (default: with -o only)",
    )
    p.add_argument(
        "--headers", choices=("en", "zh"), default=None, help="CSV header: English (default) or Chinese"
    )
    # The command's own parser, so that a misplaced option is reported with its usage.
    p.set_defaults(csv_parser=p)


def check_csv_options(args: argparse.Namespace) -> None:
    """Refuse ``--bom``, ``--no-bom`` or ``--headers`` with a format other than CSV (exit 2)."""
    parser = getattr(args, "csv_parser", None)
    if parser is None or args.format == "csv":
        return
    for option, value in (("--headers", args.headers), ("--bom", args.bom)):
        if value is not None:
            name = option if value is not False else "--no-bom"
            parser.error(f"{name} applies to --format csv only, not --format {args.format}")


def csv_bom(args: argparse.Namespace) -> bool:
    """Whether a command's report starts with a byte order mark: CSV to a file unless
    ``--no-bom``, or CSV to standard output with ``--bom``."""
    if args.format != "csv":
        return False
    return bool(args.bom) if args.bom is not None else args.output is not None


def report_columns(args: Any) -> int | None:
    """The terminal width a command's report is fitted to: only a text report written to a terminal."""
    if getattr(args, "format", None) != "text" or getattr(args, "output", None) is not None:
        return None
    return terminal_columns(sys.stdout)


def emit(text: str, output: Path | None, *, bom: bool = False) -> None:
    """Write the report *text* to *output*, or to standard output when it is None.

    Args:
        text: the report.
        output: the file to write, or None.
        bom: start with a UTF-8 byte order mark (CSV meant for Excel/WPS on Chinese Windows,
            which reads a file without one as GBK); on standard output the text is then
            written as UTF-8 bytes.

    Raises:
        RubricError: the file cannot be written.
    """
    if output is None:
        text = text if text.endswith("\n") else text + "\n"
        buffer = getattr(sys.stdout, "buffer", None)
        if bom and buffer is not None:
            sys.stdout.flush()
            buffer.write((BOM + text).encode("utf-8"))
            buffer.flush()
            return
        sys.stdout.write(BOM + text if bom else fitted(text))
        return
    try:
        output.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
    except OSError as exc:
        message = f"cannot write file: {exc.strerror or exc}"
        raise RubricError([Problem(file=str(output), message=message)]) from None
