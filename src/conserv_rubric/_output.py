"""Where a command's report goes: to ``-o FILE``, or to standard output, fitted to a terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ._termfit import fitted, terminal_columns
from .errors import Problem, RubricError


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
        bom: start the file with a UTF-8 byte order mark (CSV meant for Excel/WPS on Chinese
            Windows, which reads a file without one as GBK).

    Raises:
        RubricError: the file cannot be written.
    """
    if output is None:
        sys.stdout.write(fitted(text if text.endswith("\n") else text + "\n"))
        return
    try:
        output.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
    except OSError as exc:
        message = f"cannot write file: {exc.strerror or exc}"
        raise RubricError([Problem(file=str(output), message=message)]) from None
