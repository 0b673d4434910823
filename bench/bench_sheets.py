"""Benchmark: sheet work that must grow linearly with the sheet (#9).

Run: ``python bench/bench_sheets.py [SCALE]`` (default 1). For each case it times the same work
at n, 2n and 4n and prints the seconds and the ratio of each time to the one before; a linear
path shows ratios near 2, a quadratic one near 4. The cases:

- evidence: a TOML sheet citing n documents for one leaf, read, scored and its items listed
  (300 000 documents took 618 s before, quadratic in n);
- unknown addresses: n unknown addresses in a sheet for a rubric of 9 000 leaves, refused with
  their messages (1 000 took over 60 s before: a suggestion searched among every leaf for each);
- CSV columns: a header of n columns, one of them twice (the check was quadratic in columns);
- text answers: n CSV rows of the district rubric, every cell read by the cell grammar.

Times are measured in one run on this machine; only the ratios carry over to another.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import conserv_rubric as cr
from conserv_rubric.model import Flag, Project, Rubric, Unit

ROOT = Path(__file__).resolve().parent.parent


def _seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _refused(work: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except cr.RubricError:
            return
        raise AssertionError("expected a SheetError")

    return run


def evidence(n: int) -> Callable[[], object]:
    docs = ", ".join(f'"《文件{i}》"' for i in range(n))
    text = f'[sheet]\nagency = "a"\n[answers]\n"2.1.1" = true\n[evidence]\n"2.1.1" = [{docs}]\n'
    rubric = cr.load_rubric(ROOT / "rubrics" / "district.toml")
    return lambda: cr.score(rubric, cr.loads_sheet(text)).items


def unknown_addresses(n: int) -> Callable[[], object]:
    flag = Flag(points=Decimal(1))
    rubric = Rubric(
        title="t",
        total=Decimal(9000),
        units=tuple(
            Unit(title=f"u{u}", projects=tuple(Project(title=f"p{p}", items=(flag,) * 30) for p in range(10)))
            for u in range(30)
        ),
    )
    answers = {f"{i % 30 + 1}.{i % 10 + 1}.{i}x": True for i in range(n)}
    return _refused(lambda: cr.score(rubric, answers))


def csv_columns(n: int) -> Callable[[], object]:
    folder = Path(tempfile.mkdtemp())
    path = folder / "sheets.csv"
    path.write_text(",".join(["agency", *(f"9.{i}" for i in range(n)), "9.0"]) + "\n", encoding="utf-8")
    return _refused(lambda: cr.load_sheets(path))


def text_answers(n: int) -> Callable[[], object]:
    rubric = cr.load_rubric(ROOT / "rubrics" / "district.toml")
    header = "agency,1.1.1.a,2.1.1,2.2.2,5.1.3,5.2.2"
    row = "XX区财政局,true,ＴＲＵＥ,能源资源消费统计;节能;节水,２,3"
    text = "\n".join([header, *[row] * n]) + "\n"
    folder = Path(tempfile.mkdtemp())
    path = folder / "sheets.csv"
    path.write_text(text, encoding="utf-8")
    return lambda: [cr.score(rubric, s).total for s in cr.load_sheets(path)]


CASES: dict[str, tuple[Callable[[int], Callable[[], object]], int]] = {
    "evidence (documents)": (evidence, 75_000),
    "unknown addresses": (unknown_addresses, 250),
    "CSV columns": (csv_columns, 25_000),
    "CSV rows of text answers": (text_answers, 2_000),
}


def main(argv: list[str]) -> None:
    scale = float(argv[1]) if len(argv) > 1 else 1.0
    print(f"{'case':<26}{'n':>9}{'seconds':>10}{'ratio':>8}")
    for name, (make, base) in CASES.items():
        before = None
        for factor in (1, 2, 4):
            n = max(1, int(base * scale * factor))
            seconds = _seconds(make(n))
            ratio = f"{seconds / before:.2f}" if before else ""
            print(f"{name:<26}{n:>9}{seconds:>10.3f}{ratio:>8}")
            before = seconds


if __name__ == "__main__":
    main(sys.argv)
