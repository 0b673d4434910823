"""Benchmark: the nation's 1.6 million district sheets from one CSV through the CLI, and memory.

Run ``python bench/national.py [--rows N] [--dir DIR] [--jobs J]`` from the repository (default 1,600,000
rows; about two minutes on 2 cores today, most of it writing the CSV files and the hand-written
script's run). It

1. writes the generated sheets of `bench.district` to CSV files of 10,000, 20,000, 200,000 and N
   rows (the sizes below N, and N), one row at a time in one pass, so nothing is held in memory;
   the first rows of every file are the same;
2. for each file, runs ``conserv-rubric score district FILE --format csv [--jobs J] > /dev/null`` and the
   hand-written streaming script ``python bench/hand_stream.py FILE > /dev/null`` (which writes the
   same bytes), one after the other, and takes each child's wall time and its own peak resident
   memory (``os.wait4``, the figure ``/usr/bin/time -v`` prints as "Maximum resident set size").

A file the CLI refuses (exit status 2: today any CSV over 4 MiB, about 14,000 of these rows) is
reported as "refused" with the CLI's own message, not as a time. The files are deleted at the end
unless ``--dir`` names a folder to keep them in; a file already there is used again.

With ``--jobs J`` (J > 1) the CLI scores on J worker processes. Its peak memory is then that of
the largest of its processes (``os.wait4`` reports the maximum over the child and the children
it waited for), not their sum; the hand-written script stays on one process.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import district
from bench.harness import MIB, Child, load_average, machine, run_child, table
from bench.harness import cli as cli_command

ROWS: Final = 1_600_000
#: The sizes below --rows: 10,000 rows fit under today's 4 MiB limit on a CSV (about 2.8 MiB), so
#: the CLI has a figure today; 20,000 and 200,000 show whether memory stays flat.
SMALLER: Final = (10_000, 20_000, 200_000)
HAND: Final = Path(__file__).resolve().parent / "hand_stream.py"


def csv_path(folder: Path, rows: int) -> Path:
    """Where the CSV of the first *rows* generated sheets is kept in *folder*."""
    return folder / f"district-{rows}-seed{district.SEED}.csv"


def write_files(paths: dict[int, Path]) -> None:
    """Write the CSV of each size in *paths* (rows → file) in one pass over the generated sheets."""
    with contextlib.ExitStack() as stack:
        files: list[tuple[int, TextIO]] = []
        for rows, path in sorted(paths.items()):
            f = stack.enter_context(path.open("w", encoding="utf-8", newline=""))
            files.append((rows, f))
        writers = [(rows, csv.writer(f, lineterminator="\n")) for rows, f in files]
        for _, writer in writers:
            writer.writerow(district.csv_header())
        most = max(paths)
        for i, answers in enumerate(district.iter_sheets()):
            if i == most:
                break
            cells = district.csv_cells(i, answers)
            for rows, writer in writers:
                if i < rows:
                    writer.writerow(cells)


def _cells(child: Child, rows: int) -> list[str]:
    """Wall seconds, µs per row and peak MiB of a child that scored *rows* rows."""
    if child.refusal() is not None:
        return ["refused", "", f"{child.peak_rss / MIB:.0f}"]
    if child.returncode not in (0, 1):  # 1: some agency did not reach the level
        return [f"exit {child.returncode}", "", f"{child.peak_rss / MIB:.0f}"]
    return [f"{child.wall:.2f}", f"{child.wall / rows * 1e6:.1f}", f"{child.peak_rss / MIB:.0f}"]


def _report(results: Sequence[tuple[int, Child, Child]], sizes_mib: dict[int, float]) -> None:
    out = [["rows", "CSV MiB", "CLI s", "µs/row", "peak MiB", "hand s", "µs/row", "peak MiB", "CLI/hand"]]
    notes = []
    for rows, ours, hand in results:
        refused = ours.refusal()
        if refused is not None:
            notes.append(f"{rows:,} rows: the CLI refused: {refused}")
        elif ours.returncode not in (0, 1):
            notes.append(f"{rows:,} rows: the CLI failed: {ours.stderr.strip()}")
        if hand.returncode != 0:
            notes.append(f"{rows:,} rows: the hand-written script failed: {hand.stderr.strip()}")
        scored = refused is None and ours.returncode in (0, 1) and hand.returncode == 0
        shown = f"{ours.wall / hand.wall:.2f}×" if scored else ""
        out.append([f"{rows:,}", f"{sizes_mib[rows]:.1f}", *_cells(ours, rows), *_cells(hand, rows), shown])
    print(table(out))
    for note in notes:
        print(note)

    print()
    print("issue #14 targets, for the CLI:")
    rows, ours, hand = results[-1]
    targets: list[list[str]] = []
    if ours.refusal() is None and ours.returncode in (0, 1):
        peak = ours.peak_rss / MIB
        ratio = ours.wall / hand.wall
        targets += [
            [f"{rows:,} rows under 60 s", f"{ours.wall:.1f} s", "met" if ours.wall < 60 else "not met"],
            ["peak memory under 200 MiB", f"{peak:.0f} MiB", "met" if peak < 200 else "not met"],
            ["within 3× the hand-written script", f"{ratio:.2f}×", "met" if ratio <= 3 else "not met"],
        ]
    else:
        targets.append([f"{rows:,} rows under 60 s, under 200 MiB, within 3×", "not scored", "not met"])
    by_rows = {rows: ours for rows, ours, _ in results}
    if 20_000 in by_rows and 200_000 in by_rows:
        flat = "peak at 200,000 rows within 10% of 20,000's"
        small, large = by_rows[20_000], by_rows[200_000]
        if small.refusal() is None and large.refusal() is None:
            growth = large.peak_rss / small.peak_rss
            targets.append([flat, f"{growth:.2f}×", "met" if growth <= 1.1 else "not met"])
        else:
            targets.append([flat, "not scored", "not met"])
    print(table(targets))


def main(argv: Sequence[str] | None = None) -> None:
    """Write the files, run both scorers on each, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--rows", type=int, default=ROWS, metavar="N", help="rows of the largest file (1600000)"
    )
    parser.add_argument("--dir", type=Path, metavar="DIR", help="keep the CSV files here (and reuse them)")
    parser.add_argument("--jobs", type=int, default=1, metavar="J", help="the CLI's --jobs (1)")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    sizes = [s for s in SMALLER if s < args.rows] + [args.rows]

    print(machine())
    if args.jobs > 1:
        print(f"the CLI runs with --jobs {args.jobs}; its peak is its largest process's")
    with contextlib.ExitStack() as stack:
        if args.dir is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-national-")))
        else:
            folder = args.dir
            folder.mkdir(parents=True, exist_ok=True)
        paths = {rows: csv_path(folder, rows) for rows in sizes}
        missing = {rows: path for rows, path in paths.items() if not path.exists()}
        if missing:
            start = time.perf_counter()
            write_files(missing)
            seconds = time.perf_counter() - start
            print(
                f"wrote the files of {', '.join(f'{r:,}' for r in sorted(missing))} rows in {seconds:.1f} s"
            )
        cli = [*cli_command(), "score", "district"]
        jobs = ["--jobs", str(args.jobs)] if args.jobs > 1 else []
        results: list[tuple[int, Child, Child]] = []
        for k, rows in enumerate(sizes):
            path = str(paths[rows])
            commands = {
                "cli": [*cli, path, "--format", "csv", *jobs],
                "hand": [sys.executable, str(HAND), path],
            }
            order = ["cli", "hand"] if k % 2 == 0 else ["hand", "cli"]  # neither always goes first
            done = {name: run_child(commands[name]) for name in order}
            results.append((rows, done["cli"], done["hand"]))
        sizes_mib = {rows: paths[rows].stat().st_size / MIB for rows in sizes}

    print(f"load average after the run: {load_average()}")
    print()
    _report(results, sizes_mib)


if __name__ == "__main__":
    main()
