"""Benchmark: how `conserv_rubric.gaps.gap` grows with the size of the rubric.

Run ``python bench/gap_scaling.py [--sizes 400,1000,2000,4000] [--rounds R] [--sheets K]`` from
the repository (defaults: those sizes, 5 rounds, 1 sheet; about half a minute on 2 cores today).

`generate` writes a district-like rubric of any number of items as TOML: five units, projects of
ten items, seven items in ten a flag of 1–3 points, the rest capped counters (``each``) and
composites of two or three flag parts, every declared total the sum beneath it, one level at 80%
of the total. It is loaded and validated with `conserv_rubric.loads_rubric` like any rubric.
`answers` fills a sheet that stays below the level, so that `gap` plans the way up. Each round
scores a fresh card per size (untimed: `gap` reads the card's cached items) and times `gap` on it,
the sizes in a rotated order; the ratio to the smallest size is the median of per-round ratios.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import attrs

import conserv_rubric as cr
from bench.harness import Spread, load_average, machine, table
from conserv_rubric.gaps import gap

SEED: Final = 20241101
SIZES: Final = (400, 1_000, 2_000, 4_000)
UNITS: Final = 5
PER_PROJECT: Final = 10
#: The level asks this share of the total, as the district's 80 of 100.
LEVEL_SHARE: Final = 0.8


@attrs.frozen
class Generated:
    """A generated rubric's TOML and its leaves: flag addresses, and counters with their useful count."""

    items: int
    text: str
    flags: tuple[str, ...]
    counters: tuple[tuple[str, int], ...]


def _item(rnd: random.Random, address: str, flags: list[str], counters: list[tuple[str, int]]) -> list[str]:
    draw = rnd.random()
    if draw < 0.7:
        flags.append(address)
        return ["kind = 'flag'", f"text = '第{address}条，得分'", f"points = {rnd.randint(1, 3)}"]
    if draw < 0.85:
        per, count = rnd.randint(1, 2), rnd.randint(2, 4)
        counters.append((address, count))
        return [
            "kind = 'each'",
            f"text = '第{address}条，每项得{per}分，最高得{per * count}分'",
            f"points = {per * count}",
            f"per = {per}",
            f"max = {per * count}",
            "unit = '项'",
        ]
    parts = [rnd.randint(1, 2) for _ in range(rnd.randint(2, 3))]
    lines = ["kind = 'parts'", f"text = '第{address}条'", f"points = {sum(parts)}"]
    for letter, points in zip("abc", parts, strict=False):
        flags.append(f"{address}.{letter}")
        lines += [
            "",
            "[[units.projects.items.parts]]",
            "kind = 'flag'",
            f"text = '第{address}.{letter}款'",
            f"points = {points}",
        ]
    return lines


def _points(lines: Sequence[str]) -> int:
    return int(lines[2].removeprefix("points = "))


def generate(items: int, seed: int = SEED) -> Generated:
    """A district-like rubric of *items* numbered items, the same for the same *items* and *seed*."""
    rnd = random.Random(seed * 100_003 + items)
    flags: list[str] = []
    counters: list[tuple[str, int]] = []
    units: list[tuple[int, list[tuple[int, list[list[str]]]]]] = []
    total = 0
    for u in range(UNITS):
        count = items * (u + 1) // UNITS - items * u // UNITS
        projects = []
        unit_points = 0
        for p, start in enumerate(range(0, count, PER_PROJECT)):
            body = [
                _item(rnd, f"{u + 1}.{p + 1}.{k + 1}", flags, counters)
                for k in range(min(PER_PROJECT, count - start))
            ]
            points = sum(_points(lines) for lines in body)
            projects.append((points, body))
            unit_points += points
        units.append((unit_points, projects))
        total += unit_points
    out = [
        f"title = '生成的评价标准（{items}项）'",
        f"total = {total}",
        "",
        "[[levels]]",
        "name = '节约型机关'",
        f"min = {int(total * LEVEL_SHARE)}",
    ]
    for u, (unit_points, projects) in enumerate(units):
        out += ["", "[[units]]", f"title = '评价单元{u + 1}'", f"points = {unit_points}"]
        for p, (points, body) in enumerate(projects):
            out += ["", "[[units.projects]]", f"title = '项目{u + 1}.{p + 1}'", f"points = {points}"]
            for lines in body:
                out += ["", "[[units.projects.items]]", *lines]
    return Generated(items, "\n".join(out) + "\n", tuple(flags), tuple(counters))


def answers(generated: Generated, rnd: random.Random) -> dict[str, bool | int]:
    """A sheet for *generated*: each flag true three times in four, each counter 0 to its cap's count.

    That is about 75% of the points, below the level at 80%.
    """
    sheet: dict[str, bool | int] = {a: rnd.random() < 0.75 for a in generated.flags}
    for address, count in generated.counters:
        sheet[address] = rnd.randint(0, count)
    return sheet


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="item counts (400,1000,2000,4000)")
    parser.add_argument("--rounds", type=int, default=5, metavar="R", help="timed rounds (5)")
    parser.add_argument("--sheets", type=int, default=1, metavar="K", help="sheets per size and round (1)")
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",")})
    except ValueError:
        parser.error(f"--sizes: expected item counts separated by commas, got {args.sizes!r}")
    if sizes[0] < UNITS or args.rounds < 1 or args.sheets < 1:
        parser.error(f"every size must be at least {UNITS}; --rounds and --sheets at least 1")

    print(machine())
    rnd = random.Random(SEED)
    cases = []
    for size in sizes:
        generated = generate(size)
        rubric = cr.loads_rubric(generated.text)
        sheets = [answers(generated, rnd) for _ in range(args.sheets)]
        cr.score(rubric, sheets[0])  # the plan is compiled once per rubric, untimed
        leaves = len(generated.flags) + len(generated.counters)
        cases.append((size, leaves, rubric, sheets))
    # Warm up the code paths, and hash each rubric once for the gap's provenance (cached per
    # rubric: 0.6 s at 4,000 items, which would otherwise land in the first round of each size).
    for _, _, rubric, sheets in cases:
        gap(cr.score(rubric, sheets[0]))

    times: dict[int, list[float]] = {size: [] for size in sizes}
    for rnd_no in range(args.rounds):
        shift = rnd_no % len(cases)
        for size, _, rubric, sheets in cases[shift:] + cases[:shift]:
            cards = [cr.score(rubric, s) for s in sheets]
            gc.collect()
            start = time.perf_counter()
            for card in cards:
                gap(card)
            times[size].append((time.perf_counter() - start) / len(cards))

    print(
        f"gap() on generated district-like rubrics; {args.sheets} sheet(s) below the level per size; "
        f"rounds: {args.rounds}. Time per call, median and min–max over the rounds; ratio to "
        f"{sizes[0]:,} items in the same round."
    )
    print(f"load average after the run: {load_average()}")
    print()
    smallest = times[sizes[0]]
    rows = [["items", "leaves", "median", "min", "max", "", "ratio", "min", "max"]]
    for size, leaves, _, _ in cases:
        per = Spread.of(times[size])
        ratio = Spread.of([a / b for a, b in zip(times[size], smallest, strict=True)])
        rows.append(
            [
                f"{size:,}",
                f"{leaves:,}",
                *(f"{x * 1e3:.2f}" for x in (per.median, per.min, per.max)),
                "ms",
                f"{ratio.median:.2f}×",
                f"{ratio.min:.2f}",
                f"{ratio.max:.2f}",
            ]
        )
    print(table(rows))
    if sizes[-1] != sizes[0]:
        last = Spread.of([a / b for a, b in zip(times[sizes[-1]], smallest, strict=True)]).median
        target = ""
        if (sizes[0], sizes[-1]) == (400, 4_000):
            target = f" (issue #14: within 10×; {'met' if last <= 10 else 'not met'})"
        print()
        print(
            f"{sizes[-1]:,}/{sizes[0]:,} items: {last:.2f}× the time "
            f"for {sizes[-1] / sizes[0]:g}× the items{target}"
        )


if __name__ == "__main__":
    main()
