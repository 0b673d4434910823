"""A hand-written streaming scorer for the district: a wide CSV in, `score_int` per row, CSV out.

Run ``python bench/hand_stream.py SHEETS.csv > CARDS.csv``. This is the yardstick that
``bench/national.py`` holds the CLI against: one row read, scored and written at a time, in one
process, with the columns ``conserv-rubric score district SHEETS.csv --format csv`` writes
(each row's source file and line, and the rubric's hash and the library's version, which it asks
the library for once). It reads the cells that `bench.district.write_csv` writes
(``true``/``false``, counts, names joined by ``;``, empty for unanswered) and checks nothing.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.district import COUNTERS, FLAGS, LEVEL, UNITS, score_int

HEADER = [
    "agency",
    "code",
    "year",
    "stage",
    "assessor",
    "date",
    *UNITS,
    "total",
    "max",
    "level",
    "passed",
    "failed_gates",
    "file",
    "line",
    "rubric_hash",
    "library",
]


def provenance() -> tuple[str, str]:
    """The shipped district rubric's hash and the library's version, as the CLI writes them."""
    from conserv_rubric import __version__, load_rubric  # noqa: PLC0415 - asked once, not per row
    from conserv_rubric._provenance import rubric_hash  # noqa: PLC0415
    from conserv_rubric._shipped import path  # noqa: PLC0415

    return rubric_hash(load_rubric(path("district"))), __version__


def stream(lines: TextIO, out: TextIO, file: str) -> None:
    """Score every row of the CSV *lines* (a header first), read from *file*, and write one line
    per row to *out*."""
    digest, library = provenance()
    rows = csv.reader(lines)
    writer = csv.writer(out, lineterminator="\n")
    header = next(rows)
    agency = header.index("agency")
    flags = [(i, name) for i, name in enumerate(header) if name in FLAGS]
    counters = [(i, name) for i, name in enumerate(header) if name in COUNTERS]
    writer.writerow(HEADER)
    for number, row in enumerate(rows, start=2):  # one line per row: no cell spans lines
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
                "",
                "self",
                "",
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
                "",
                file,
                number,
                digest,
                library,
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
        stream(lines, out, args[0])


if __name__ == "__main__":
    main()
