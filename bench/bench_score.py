"""Benchmark: every way of scoring district sheets against the hand-written int function, in one run.

Run ``python bench/bench_score.py [--sheets N] [--rounds R] [--only NAME[,NAME...]]`` from the
repository (defaults: 2,000 sheets, 9 rounds; about a minute on 2 cores). The paths:

1. ``int``: `bench.district.score_int`, the five unit subtotals, the total and the verdict in ints
   (DESIGN §8's yardstick);
2. ``decimal``: `bench.district.score_decimal`, the same in exact `Decimal`;
3. ``dict``: `conserv_rubric.score` from a plain dict, with the total, the unit subtotals and the
   verdict read;
4. ``sheet``: the same from a `Sheet` loaded from CSV by `conserv_rubric.load_sheets`;
5. ``reasons``: `score` from a plain dict, then every item's reason read;
6. ``gap``: `conserv_rubric.gaps.gap` on a fresh card of each sheet (scored untimed);
7. ``cli``: ``conserv-rubric score district SHEETS.csv --format csv > /dev/null``, timed as a whole;
8. ``startup``: one sheet (``examples/district/pass.toml``) through the CLI, against
   ``python -c "import attrs, cattrs, tomllib, tomli_w"``.

Every round runs every path once, in an order rotated from round to round, so a path is always
compared with the int function of its own round: a ratio is the median of the per-round ratios.
One untimed round runs first; it also sets how many passes over the sheets a cheap in-process
path makes in its block, so that every block lasts at least a tenth of a second. Before timing,
every sheet's figures are checked to agree on all the in-process paths, so that all of them do
the same work.
"""

from __future__ import annotations

import argparse
import csv
import gc
import math
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import attrs

import conserv_rubric as cr
from bench import district
from bench.harness import Child, Spread, load_average, machine, run_child, table
from bench.harness import cli as cli_command
from conserv_rubric.gaps import gap

#: Rows per CSV file when loading `Sheet` objects: the loader refuses files over 4 MiB.
CHUNK: Final = 10_000
ONE_SHEET: Final = district.ROOT / "examples" / "district" / "pass.toml"
IMPORTS: Final = "import attrs, cattrs, tomllib, tomli_w"
#: The shortest block of an in-process path, in seconds (see `Path_.repeat`).
MIN_BLOCK: Final = 0.1
NAMES: Final = ("int", "decimal", "dict", "sheet", "reasons", "gap", "cli", "startup")


@attrs.define
class Path_:
    """One way of scoring, timed as one block per round: in this process, or a child process.

    Attributes:
        per: what a block's time is divided by (the sheets it scores, or 1 for a run).
        body: one pass over the sheets, in this process.
        child: a child process, timed whole.
        prepare: untimed work before each block (fresh cards for `gap`).
        repeat: passes of *body* in a block, set after the warm-up so that a block lasts at least
            `MIN_BLOCK`: a time slice lost to another process then costs a cheap path no more
            than it costs a dear one.
        times: seconds per sheet (or per run), one for each timed round.
    """

    name: str
    label: str
    per: int
    body: Callable[[], None] | None = None
    child: Callable[[], Child] | None = None
    prepare: Callable[[], None] | None = None
    repeat: int = 1
    times: list[float] = attrs.field(factory=list)
    refused: str | None = None

    def measure(self) -> float:
        """Time one block: seconds per sheet (or per run)."""
        if self.prepare is not None:
            self.prepare()
        if self.body is not None:
            gc.collect()
            start = time.perf_counter()
            for _ in range(self.repeat):
                self.body()
            return (time.perf_counter() - start) / (self.per * self.repeat)
        assert self.child is not None
        child = self.child()
        self.refused = child.refusal()
        return child.wall / self.per


def _figures(card: cr.ScoreCard) -> district.IntResult:
    units = [int(u.points) for u in card.units]
    return units[0], units[1], units[2], units[3], units[4], int(card.total), card.passed


def _check(rubric: cr.Rubric, dicts: Sequence[district.Answers], loaded: Sequence[cr.Sheet]) -> None:
    for i, (answers, sheet) in enumerate(zip(dicts, loaded, strict=True)):
        want = district.score_int(answers)
        got = {
            "decimal": tuple(int(x) for x in district.score_decimal(answers)),
            "score() from a dict": _figures(cr.score(rubric, answers)),
            "score() from a Sheet": _figures(cr.score(rubric, sheet)),
        }
        for what, figures in got.items():
            if figures != want:
                sys.exit(f"sheet {i}: {what} gives {figures}, the int function {want}")


def _load_sheets(dicts: Sequence[district.Answers], folder: Path) -> list[cr.Sheet]:
    out: list[cr.Sheet] = []
    for start in range(0, len(dicts), CHUNK):
        path = folder / f"sheets-{start}.csv"
        chunk = dicts[start : start + CHUNK]
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(district.csv_header())
            writer.writerows(district.csv_cells(i, answers) for i, answers in enumerate(chunk, start=start))
        out.extend(cr.load_sheets(path))
    return out


def _paths(n: int, folder: Path) -> list[Path_]:
    rubric = cr.load_rubric(district.RUBRIC)
    dicts = district.sheets(n)
    loaded = _load_sheets(dicts, folder)
    _check(rubric, dicts, loaded)
    csv_path = folder / "district.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        district.write_csv(f, n)
    score, score_int, score_decimal = cr.score, district.score_int, district.score_decimal
    cards: list[cr.ScoreCard] = []

    def int_fn() -> None:
        for a in dicts:
            score_int(a)

    def decimal_fn() -> None:
        for a in dicts:
            score_decimal(a)

    def totals(sheets: Sequence[cr.Sheet] | Sequence[district.Answers]) -> Callable[[], None]:
        def run() -> None:
            for s in sheets:
                card = score(rubric, s)
                _ = card.total, [u.points for u in card.units], card.passed

        return run

    def reasons_fn() -> None:
        for a in dicts:
            for item in score(rubric, a).items.values():
                _ = item.reason

    def fresh_cards() -> None:
        cards[:] = [score(rubric, a) for a in dicts]

    def gap_fn() -> None:
        for card in cards:
            gap(card)

    command = [*cli_command(), "score", "district", str(csv_path), "--format", "csv"]
    return [
        Path_("int", "(1) hand-written, ints", n, body=int_fn),
        Path_("decimal", "(2) hand-written, Decimal", n, body=decimal_fn),
        Path_("dict", "(3) score(), plain dict", n, body=totals(dicts)),
        Path_("sheet", "(4) score(), loaded Sheet", n, body=totals(loaded)),
        Path_("reasons", "(5) score() + every reason", n, body=reasons_fn),
        Path_("gap", "(6) gaps.gap(), per card", n, body=gap_fn, prepare=fresh_cards),
        Path_("cli", f"(7) CLI on a {n:,}-row CSV, per row", n, child=lambda: run_child(command)),
    ]


def _startup() -> tuple[Path_, Path_]:
    one = [*cli_command(), "score", "district", str(ONE_SHEET)]
    ours = Path_("startup", "(8) one sheet through the CLI", 1, child=lambda: run_child(one))
    base = Path_(
        "import", "    the imports alone", 1, child=lambda: run_child([sys.executable, "-c", IMPORTS])
    )
    return ours, base


def _ratios(a: Path_, b: Path_) -> Spread:
    return Spread.of([x / y for x, y in zip(a.times, b.times, strict=True)])


def _cells(per: Spread, scale: float, unit: str, ratio: Spread | None) -> list[str]:
    figures = [f"{per.median * scale:.2f}", f"{per.min * scale:.2f}", f"{per.max * scale:.2f}", unit]
    if ratio is None:
        return figures
    return [*figures, f"{ratio.median:.2f}×", f"{ratio.min:.2f}", f"{ratio.max:.2f}"]


def _report(timed: Sequence[Path_], pairs: Sequence[tuple[Path_, Path_]]) -> None:
    base = timed[0]
    rows: list[list[str]] = [["path", "median", "min", "max", "", "ratio", "min", "max"]]
    notes = []
    for path in timed:
        if path.refused is not None:
            rows.append([path.label, "refused", "", "", "", "", "", ""])
            notes.append(f"{path.label.split()[0]} refused: {path.refused}")
            continue
        spread = Spread.of(path.times)
        rows.append([path.label, *_cells(spread, 1e6, "µs", _ratios(path, base))])
        if path.name == "cli":
            notes.append(f"(7) the whole run: median {spread.median * path.per:.2f} s")
    for ours, imports in pairs:
        rows.append([ours.label, *_cells(Spread.of(ours.times), 1e3, "ms", _ratios(ours, imports))])
        rows.append([imports.label, *_cells(Spread.of(imports.times), 1e3, "ms", None)])
        notes.append(f'(8) ratio to python -c "{IMPORTS}", not to (1)')
    print(table(rows))
    for note in notes:
        print(note)
    print()
    by_name = {p.name: p for p in timed}
    targets: list[tuple[str, str, float, str]] = [
        ("dict", "int", 1.5, "score() from a dict ≤ 1.5× (1)"),
        ("sheet", "int", 1.5, "score() from a loaded Sheet ≤ 1.5× (1)"),
        ("reasons", "int", 6.0, "every item's reason read ≤ 6× (1)"),
        ("gap", "dict", 5.0, "gap() ≤ 5× score() from a dict (6)/(3)"),
    ]
    found = [
        (by_name[a], by_name[b], limit, text)
        for a, b, limit, text in targets
        if a in by_name and b in by_name
    ]
    found += [(ours, imports, 1.5, "one sheet through the CLI ≤ 1.5× the imports") for ours, imports in pairs]
    rows = []
    for a, b, limit, text in found:
        if a.refused is None:
            ratio = _ratios(a, b).median
            rows.append([text, f"{ratio:.2f}×", "met" if ratio <= limit else "not met"])
    if rows:
        print("issue #14 targets (median ratios):")
        print(table(rows))


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sheets", type=int, default=2_000, metavar="N", help="generated sheets (2000)")
    parser.add_argument("--rounds", type=int, default=9, metavar="R", help="timed rounds (9)")
    parser.add_argument(
        "--only",
        metavar="NAME[,NAME...]",
        help=f"run only these paths, of {', '.join(NAMES)} (the int function always runs)",
    )
    args = parser.parse_args(argv)
    if args.sheets < 1 or args.rounds < 1:
        parser.error("--sheets and --rounds must be at least 1")
    only = set(NAMES) if args.only is None else {name.strip() for name in args.only.split(",")}
    unknown = sorted(only - set(NAMES))
    if unknown:
        parser.error(f"unknown path {unknown[0]!r}; the paths are {', '.join(NAMES)}")
    only.add("int")

    print(machine())
    with tempfile.TemporaryDirectory(prefix="bench-score-") as tmp:
        timed = [p for p in _paths(args.sheets, Path(tmp)) if p.name in only]
        pairs = [_startup()] if "startup" in only else []
        blocks: list[Path_] = [*timed, *(p for pair in pairs for p in pair)]
        for rnd in range(args.rounds + 1):  # round 0 warms up and is not counted
            shift = rnd % len(blocks)
            for path in blocks[shift:] + blocks[:shift]:
                seconds = path.measure()
                if rnd:
                    path.times.append(seconds)
                elif path.body is not None and path.prepare is None:
                    path.repeat = max(1, math.ceil(MIN_BLOCK / (seconds * path.per)))
    print(
        f"district rubric; {args.sheets:,} generated sheets (seed {district.SEED}); rounds: {args.rounds}. "
        "Time per sheet (start-up: per run), median and min–max over the rounds; "
        "ratio to (1) in the same round."
    )
    print(f"load average after the run: {load_average()}")
    print()
    _report(timed, pairs)


if __name__ == "__main__":
    main()
