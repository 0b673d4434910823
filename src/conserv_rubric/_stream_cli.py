"""``conserv-rubric score --format csv|jsonl``: each result written as it is scored.

Nothing is collected, so a file of a million rows is scored in flat memory; the exit code is
the batch's (2 if any input failed, else 1 if any agency did not reach the level, else 0).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final, Literal, TextIO

from ._output import csv_bom
from ._rubric_io import load_rubric
from ._score import ScoreCard
from ._text import dumps_json, visible
from .batch import score_many
from .errors import Problem, RubricError
from .reports import error_entry, render_cards

#: How often, in seconds, the progress line on a terminal is rewritten.
PROGRESS_EVERY: Final = 1.0


@contextlib.contextmanager
def _output(path: Path | None, bom: bool) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        out = path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
    except OSError as exc:
        message = f"cannot write file: {exc.strerror or exc}"
        raise RubricError([Problem(file=str(path), message=message)]) from None
    with out:
        yield out


class _Progress:
    """``scored N sheets (E errors)`` on standard error, rewritten in place: only on a terminal."""

    def __init__(self) -> None:
        self.on = sys.stderr.isatty()
        self.shown = False
        self.next = time.monotonic() + PROGRESS_EVERY

    def tick(self, done: int, errors: int) -> None:
        if not self.on or done % 256:
            return
        now = time.monotonic()
        if now >= self.next:
            self.next = now + PROGRESS_EVERY
            sys.stderr.write(f"\rscored {done:,} sheets ({errors:,} errors)\x1b[K")
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            self.shown = False


def score_streamed(args: argparse.Namespace) -> int:
    """Score ``args.sheets`` against ``args.rubric``, writing each result as it comes."""
    rubric = load_rubric(args.rubric, root=args.root)
    fmt: str = args.format
    failed = errored = done = 0
    header = fmt != "csv"  # written (csv) once, before the first row
    progress = _Progress()
    bom = csv_bom(args)
    headers: Literal["en", "zh"] = "zh" if getattr(args, "headers", None) == "zh" else "en"
    with _output(args.output, bom) as out:
        if bom and args.output is None:  # --bom on standard output: the file's own BOM
            out.write("\ufeff")
        for path in args.sheets:
            for result in score_many(rubric, path):
                done += 1
                if isinstance(result, ScoreCard):
                    failed += not result.passed
                    if fmt == "jsonl":
                        out.write(dumps_json(result.to_dict(), indent=None) + "\n")
                    else:
                        text = render_cards([result], "csv", headers=headers)
                        out.write(text if not header else text[text.index("\n") + 1 :])
                        header = True
                else:
                    errored += 1
                    progress.clear()
                    sys.stderr.write("".join(visible(str(p)) + "\n" for p in result.problems))
                    if fmt == "jsonl":
                        out.write(dumps_json(error_entry(result), indent=None) + "\n")
                progress.tick(done, errored)
        if not header:
            out.write(render_cards([], "csv", headers=headers))
    progress.clear()
    if errored:
        return 2
    return 1 if failed else 0
