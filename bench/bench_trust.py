"""Benchmark: hostile inputs within the documented limits take time linear in their size (#9).

Run: ``python bench/bench_trust.py`` (``--quick`` for smaller sizes). For each input it prints
the seconds taken at a size n and at 2n, 4n, and the ratio of each to the one before: about 2
for linear work, about 4 for quadratic work. Every figure is measured in the same run.

- ``overrides``: a base of n items and a patch that overrides each (before #9 every override
  walked the whole tree: 2 250 took 14 s, 4 500 took 63 s, 9 000 were reported at 42 s and more);
- ``removals`` and ``additions``: n items removed from, then n added to, one unit (2 250 took
  3.5 s, each removal and addition rebuilding its array);
- ``cases``: validation of t decision tables of 12 conditions and 256 rows each (every one of
  4096 combinations was tried row by row: about 0.1 s a table here, 15–27 s for 19 in #9);
- ``bad array``: an array of n numbers where strings belong (a 3 MB one took 50 s and ended in
  a MemoryError, with one problem per element; now 100 are built and the rest counted);
- ``unknown keys``: n unknown keys in one table (each built a suggestion before the cap);
- ``dotted guard``: the pre-parse check for long dotted keys over n lines after a dot leader
  in a multi-line string (which the old guard refused outright);
- ``/dev/zero`` and a FIFO: refused at once.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import conserv_rubric as cr
from conserv_rubric._parse import _long_dotted_key

FLAG = '[[units.items]]\nkind = "flag"\npoints = 1\n'


def timed(call: Callable[[], object]) -> float:
    """Seconds taken by *call*, which may raise `RubricError` (a hostile input usually does)."""
    gc.collect()  # no garbage of the previous input is collected on this one's time
    start = time.perf_counter()
    with contextlib.suppress(cr.RubricError):
        call()
    return time.perf_counter() - start


def base(folder: Path, n: int) -> None:
    (folder / "base.toml").write_text(
        f'title = "t"\ntotal = {n}\n[[units]]\ntitle = "u"\n' + FLAG * n, "utf-8"
    )


def overrides(folder: Path, n: int) -> Callable[[], object]:
    base(folder, n)
    patch = 'extends = "base.toml"\n' + "".join(
        f'[[override]]\nat = "1.{i}"\ntext = "t{i}"\n' for i in range(1, n + 1)
    )
    return lambda: cr.loads_rubric(patch, base_dir=folder)


def removals_and_additions(folder: Path, n: int) -> Callable[[], object]:
    base(folder, n)
    removed = ", ".join(f'"1.{i}"' for i in range(1, n + 1))
    patch = (
        f'extends = "base.toml"\nremove = [{removed}]\n'
        + '[[add]]\nto = "1"\nkind = "flag"\npoints = 1\n' * n
    )
    return lambda: cr.loads_rubric(patch, base_dir=folder)


def cases(_: Path, tables: int) -> Callable[[], object]:
    # Row i needs every condition true but one, so each combination is tried against many rows.
    rows = ", ".join(
        "{ when = { "
        + ", ".join(f"c{j} = {str(j != i % 12).lower()}" for j in range(12))
        + " }, points = 1 }"
        for i in range(256)
    )
    conditions = ", ".join(f'{{ id = "c{j}" }}' for j in range(12))
    item = f'[[units.items]]\nkind = "cases"\nconditions = [{conditions}]\nrows = [{rows}]\n'
    text = f'title = "t"\ntotal = {tables}\n[[units]]\ntitle = "u"\n' + item * tables
    return lambda: cr.loads_rubric(text)


def bad_array(_: Path, n: int) -> Callable[[], object]:
    text = 'title = "t"\ntotal = 1\nbasis = [' + ",".join(["1"] * n) + ']\n[[units]]\ntitle = "u"\n' + FLAG
    return lambda: cr.loads_rubric(text)


def unknown_keys(_: Path, n: int) -> Callable[[], object]:
    text = (
        'title = "t"\ntotal = 1\n'
        + "".join(f"pionts{i} = 1\n" for i in range(n))
        + '[[units]]\ntitle = "u"\n'
        + FLAG
    )
    return lambda: cr.loads_rubric(text)


def dotted_guard(_: Path, n: int) -> Callable[[], object]:
    text = (
        'note = """\n目录'
        + "." * 40
        + '1\n"""\n'
        + "".join(f'x{i} = {{ a = "b", c = 1 }}\n' for i in range(n))
    )
    return lambda: _long_dotted_key(text)


CASES: dict[str, tuple[Callable[[Path, int], Callable[[], object]], int]] = {
    "overrides": (overrides, 2250),
    "removals and additions": (removals_and_additions, 2250),
    "cases (tables)": (cases, 5),
    "bad array": (bad_array, 250_000),
    "unknown keys": (unknown_keys, 25_000),
    "dotted guard (lines)": (dotted_guard, 50_000),
}


def devices(folder: Path) -> None:
    fifo = folder / "fifo.toml"
    os.mkfifo(fifo)
    for name, path in (("/dev/zero", Path("/dev/zero")), ("a FIFO", fifo)):
        seconds = timed(lambda path=path: cr.load_rubric(path))  # type: ignore[misc]  # bound at once
        print(f"{name:<24} refused in {seconds * 1000:.2f} ms")


def main(quick: bool) -> None:
    print(f"{'input':<24}{'n':>10}{'seconds':>10}{'2n':>10}{'ratio':>7}{'4n':>10}{'ratio':>7}")
    for name, (make, full) in CASES.items():
        n = max(1, full // 4) if quick else full
        figures = []
        for size in (n, 2 * n, 4 * n):
            with tempfile.TemporaryDirectory() as folder:
                figures.append(timed(make(Path(folder), size)))
        a, b, c = figures
        print(f"{name:<24}{n:>10}{a:>10.3f}{b:>10.3f}{b / a:>7.2f}{c:>10.3f}{c / b:>7.2f}")
    with tempfile.TemporaryDirectory() as folder:
        devices(Path(folder))


if __name__ == "__main__":
    main("--quick" in sys.argv[1:])
