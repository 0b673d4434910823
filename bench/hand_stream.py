"""A hand-written streaming scorer for the district: a wide CSV in, `score_int` per row, CSV out.

Run ``python bench/hand_stream.py SHEETS.csv > CARDS.csv``. This is the yardstick that
``bench/national.py`` holds the CLI against: one row read, scored and written at a time, in one
process, with the columns ``conserv-rubric score district SHEETS.csv --format csv`` writes. It
reads the cells that `bench.district.write_csv` writes (``true``/``false``, counts, names joined by
``;``, empty for unanswered) and checks nothing.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.district import COUNTERS, FLAGS, LEVEL, UNITS, score_int

HEADER = ["agency", "year", "stage", "assessor", *UNITS, "total", "max", "level", "passed"]


def stream(lines: TextIO, out: TextIO) -> None:
    """Score every row of the CSV *lines* (a header first) and write one line per row to *out*."""
    rows = csv.reader(lines)
    writer = csv.writer(out, lineterminator="\n")
    header = next(rows)
    agency = header.index("agency")
    flags = [(i, name) for i, name in enumerate(header) if name in FLAGS]
    counters = [(i, name) for i, name in enumerate(header) if name in COUNTERS]
    writer.writerow(HEADER)
    for row in rows:
        answers: dict[str, bool | int | list[str]] = {}
        for i, name in flags:
            cell = row[i]
            if cell:
                answers[name] = cell == "true"
        for i, name in counters:
            cell = row[i]
            if cell:
                answers[name] = int(cell) if cell.isdigit() else cell.split(";")
        u1, u2, u3, u4, u5, total, passed = score_int(answers)
        writer.writerow(
            [
                row[agency],
                "",
                "self",
                "",
                u1,
                u2,
                u3,
                u4,
                u5,
                total,
                100,
                LEVEL if passed else "",
                "true" if passed else "false",
            ]
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Score the CSV named on the command line to standard output."""
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1:
        sys.exit("usage: python bench/hand_stream.py SHEETS.csv > CARDS.csv")
    with (
        open(args[0], encoding="utf-8", newline="") as lines,
        open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", closefd=False) as out,
    ):
        stream(lines, out)


if __name__ == "__main__":
    main()
