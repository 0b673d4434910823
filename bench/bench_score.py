"""Benchmark: score random district sheets and compare with a hand-written function.

Run: ``python bench/bench_score.py [N]`` (default 10,000 sheets). Prints sheets per second for

- a plain hand-written Python function that computes the district totals directly,
- ``Compiled.score`` on answers already checked (the engine's hot path, every award explainable),
- ``conserv_rubric.score`` on a `Sheet`, which also checks every answer against the rubric,

and the ratios to the hand-written function, all measured in the same run. It also times loading
and validating the rubric and the import of the package.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import conserv_rubric as cr

ROOT = Path(__file__).resolve().parent.parent
RUBRIC = ROOT / "rubrics" / "district.toml"

D = Decimal
FLAGS = {
    "1.1.1.a": D(3),
    "1.1.1.b": D(3),
    "1.1.1.c": D(3),
    "2.1.1": D(1),
    "2.1.2": D(2),
    "2.1.3": D(1),
    "2.1.4": D(1),
    "2.2.1.a": D(2),
    "2.2.1.b": D(2),
    "2.2.3": D(3),
    "2.2.4.a": D(3),
    "2.2.4.b": D(2),
    "2.2.5.a": D(2),
    "2.2.5.b": D(1),
    "2.2.5.c": D(1),
    "2.2.5.d": D(1),
    "3.1.1": D(2),
    "3.1.2": D(2),
    "3.1.3": D(1),
    "3.1.4": D(2),
    "3.1.5": D(2),
    "3.2.1": D(3),
    "3.2.2": D(3),
    "3.3.1": D(3),
    "3.3.2": D(3),
    "3.4.1": D(2),
    "3.4.2": D(2),
    "4.1.1": D(2),
    "4.1.2": D(2),
    "4.1.3": D(2),
    "4.1.4": D(2),
    "4.2.1": D(2),
    "4.2.2": D(2),
    "4.2.3": D(2),
    "4.3.1": D(2),
    "4.3.2": D(2),
    "4.3.3": D(2),
    "4.3.4": D(2),
    "5.2.1": D(3),
}
COUNTERS = {
    "2.2.2": (D(1), D(5)),
    "5.1.1": (D(2), D(4)),
    "5.1.2": (D(1), D(4)),
    "5.1.3": (D(1), D(2)),
    "5.2.2": (D(2), D(4)),
}
UNIT_OF = {a: a[0] for a in [*FLAGS, *COUNTERS]}


def by_hand(answers: dict[str, Any]) -> tuple[Decimal, dict[str, Decimal], bool]:
    """The district totals, written out by hand: unit subtotals, total, pass at 80."""
    units = {"1": D(0), "2": D(0), "3": D(0), "4": D(0), "5": D(0)}
    for address, points in FLAGS.items():
        if answers.get(address) is True:
            units[address[0]] += points
    for address, (per, cap) in COUNTERS.items():
        value = answers.get(address)
        if value:
            n = len(value) if isinstance(value, list) else value
            units[address[0]] += min(per * n, cap)
    total = sum(units.values(), D(0))
    return total, units, total >= 80


def random_sheets(n: int, seed: int = 20241101) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    sheets = []
    for _ in range(n):
        answers: dict[str, Any] = {a: rnd.random() < 0.8 for a in FLAGS if rnd.random() < 0.95}
        for address in COUNTERS:
            answers[address] = rnd.randint(0, 7)
        sheets.append(answers)
    return sheets


def rate(fn: Any, items: list[Any]) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def import_ms(statement: str) -> float:
    """Best wall time of a fresh interpreter running *statement*, less an empty one's (bytecode cached)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def best(code: str) -> float:
        subprocess.run([sys.executable, "-c", code], env=env, check=True)  # writes the .pyc files
        times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            times.append(time.perf_counter() - start)
        return min(times)

    return (best(statement) - best("pass")) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    start = time.perf_counter()
    for _ in range(20):
        rubric = cr.load_rubric(RUBRIC)
    load_ms = (time.perf_counter() - start) / 20 * 1000
    dicts = random_sheets(n)
    sheets = [cr.Sheet(info=cr.SheetInfo(agency=f"单位{i}"), answers=a) for i, a in enumerate(dicts)]
    for d in dicts:  # the engine and the hand-written function agree on every sheet
        card = cr.score(rubric, d)
        total, units, passed = by_hand(d)
        assert card.total == total, d
        assert card.passed == passed, d
        assert [u.points for u in card.units] == list(units.values()), d

    hand = rate(by_hand, dicts)
    hot = rate(lambda d: cr.score(rubric, d), dicts)
    full = rate(lambda s: cr.score(rubric, s), sheets)
    deps_ms = import_ms("import attrs, cattrs, tomli_w, tomllib")
    ours_ms = import_ms("import conserv_rubric.cli")
    print(f"machine: {sys.platform}, Python {sys.version.split()[0]}, {n} random district sheets")
    print(f"load + validate rubrics/district.toml: {load_ms:.2f} ms")
    print(f"import attrs, cattrs, tomli-w: {deps_ms:.0f} ms; import conserv_rubric.cli: {ours_ms:.0f} ms")
    print(f"hand-written function      : {hand:12,.0f} sheets/s  {1e6 / hand:6.2f} µs/sheet")
    for label, speed in (("engine hot path (checked)  ", hot), ("score() incl. answer checks", full)):
        per = 1e6 / speed
        print(f"{label}: {speed:12,.0f} sheets/s  {per:6.2f} µs/sheet  ratio {hand / speed:.2f}×")


if __name__ == "__main__":
    main()
