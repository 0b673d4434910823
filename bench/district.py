"""The district rubric by hand: generated sheets, hand-written scorers and CSV rows for the benchmarks.

Everything here is deterministic: the same seed gives the same sheets on every machine and Python
version (`random.Random` with an integer seed is stable across versions for the methods used).

The hand-written scorers are the yardsticks of DESIGN §8. `score_int` is the fastest honest Python
for this one rubric: five unit subtotals, the total and the verdict (80 points, 节约型机关) in plain
ints, every address written out, no loop, no table lookup. `score_decimal` is the same function with
`Decimal` points summed in a local decimal context, to show what exact decimals cost by themselves.
Both take the answers as `conserv_rubric.score` does from a plain dict: a flag is `True`/`False`, a
counter is a whole number or a list of distinct names, an unanswered leaf is absent.
"""

from __future__ import annotations

import csv
import decimal
import random
from collections.abc import Iterator, Mapping
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, Final, TextIO

ROOT: Final = Path(__file__).resolve().parent.parent
RUBRIC: Final = ROOT / "rubrics" / "district.toml"
SEED: Final = 20241101

#: Flag leaves and their points, in rubric order.
FLAGS: Final[Mapping[str, int]] = {
    "1.1.1.a": 3,
    "1.1.1.b": 3,
    "1.1.1.c": 3,
    "2.1.1": 1,
    "2.1.2": 2,
    "2.1.3": 1,
    "2.1.4": 1,
    "2.2.1.a": 2,
    "2.2.1.b": 2,
    "2.2.3": 3,
    "2.2.4.a": 3,
    "2.2.4.b": 2,
    "2.2.5.a": 2,
    "2.2.5.b": 1,
    "2.2.5.c": 1,
    "2.2.5.d": 1,
    "3.1.1": 2,
    "3.1.2": 2,
    "3.1.3": 1,
    "3.1.4": 2,
    "3.1.5": 2,
    "3.2.1": 3,
    "3.2.2": 3,
    "3.3.1": 3,
    "3.3.2": 3,
    "3.4.1": 2,
    "3.4.2": 2,
    "4.1.1": 2,
    "4.1.2": 2,
    "4.1.3": 2,
    "4.1.4": 2,
    "4.2.1": 2,
    "4.2.2": 2,
    "4.2.3": 2,
    "4.3.1": 2,
    "4.3.2": 2,
    "4.3.3": 2,
    "4.3.4": 2,
    "5.2.1": 3,
}

#: Counter leaves (``each``): points per entry, the cap, and the names the standard lists.
COUNTERS: Final[Mapping[str, tuple[int, int, tuple[str, ...]]]] = {
    "2.2.2": (
        1,
        5,
        ("能源资源消费统计", "定额管理", "节能", "节水", "生活垃圾分类", "绿色消费", "用能设备节能操作规程"),
    ),
    "5.1.1": (2, 4, ("全国节能宣传周", "全国低碳日", "世界水日", "中国水周")),
    "5.1.2": (1, 4, ("设备节电", "随手关灯", "节约用水", "减少使用电梯", "空调温度设定", "垃圾分类投放")),
    "5.1.3": (1, 2, ()),
    "5.2.2": (2, 4, ()),
}

#: Every leaf address in rubric order: the columns of a wide CSV after ``agency``.
LEAVES: Final[tuple[str, ...]] = tuple(
    sorted([*FLAGS, *COUNTERS], key=lambda a: [int(p) if p.isdigit() else p for p in a.split(".")])
)

#: Unit titles as the CLI's CSV report heads its columns.
UNITS: Final = ("1 强化目标管理", "2 完善制度体系", "3 推行绿色办公", "4 实行生活垃圾分类", "5 开展宣传教育")
PASS_AT: Final = 80
LEVEL: Final = "节约型机关"

#: An entry outside the listed names: three of the counters are open (the standard's list ends in 等).
OTHER: Final = "其他（自报）"

D0: Final = Decimal(0)
D1: Final = Decimal(1)
D2: Final = Decimal(2)
D3: Final = Decimal(3)
D4: Final = Decimal(4)
D5: Final = Decimal(5)
D80: Final = Decimal(PASS_AT)
#: Exact or nothing: an inexact, invalid or overflowing operation raises.
CONTEXT: Final = decimal.Context(
    prec=28, traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero]
)

Answers = dict[str, bool | int | list[str]]
IntResult = tuple[int, int, int, int, int, int, bool]
DecimalResult = tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, bool]


def iter_sheets(seed: int = SEED) -> Iterator[Answers]:
    """District answers without end, the same for the same *seed*.

    A flag is unanswered one time in sixteen, false two times and true thirteen times, so about
    half the sheets reach 80 points. A counter with listed names is a list of distinct names
    (sometimes one outside the list) or a count, half and half; the others are a count from 0 to 4.
    """
    rnd = random.Random(seed)
    flags = tuple(FLAGS)
    counters = tuple(COUNTERS.items())
    while True:
        bits = rnd.getrandbits(4 * len(flags))
        answers: Answers = {}
        for address in flags:
            draw = bits & 15
            bits >>= 4
            if draw:
                answers[address] = draw > 2
        for address, (_, _, names) in counters:
            if not names:
                answers[address] = rnd.randint(0, 4)
            elif rnd.random() < 0.5:
                answers[address] = rnd.randint(0, len(names) + 1)
            else:
                chosen = rnd.sample(names, rnd.randint(0, len(names)))
                if rnd.random() < 0.2:
                    chosen.append(OTHER)
                answers[address] = chosen
        yield answers


def sheets(n: int, seed: int = SEED) -> list[Answers]:
    """The first *n* sheets of `iter_sheets`."""
    return list(islice(iter_sheets(seed), n))


def agency(i: int) -> str:
    """The agency named in generated row *i* (counted from 0)."""
    return f"XX区第{i:07d}号单位"


def csv_header() -> list[str]:
    """The header of a generated wide CSV: ``agency`` and every leaf address."""
    return ["agency", *LEAVES]


def csv_cells(i: int, answers: Mapping[str, bool | int | list[str]]) -> list[str]:
    """Row *i* of a wide CSV for *answers*: ``true``/``false``, counts, names joined by ``;``."""
    cells = [agency(i)]
    for address in LEAVES:
        value = answers.get(address)
        if value is None:
            cells.append("")
        elif value is True:
            cells.append("true")
        elif value is False:
            cells.append("false")
        elif isinstance(value, int):
            cells.append(str(value))
        else:
            cells.append(";".join(value))
    return cells


def write_csv(out: TextIO, n: int, seed: int = SEED, start: int = 0) -> None:
    """Write a header and *n* generated rows to *out*, one row at a time (nothing is held).

    Args:
        out: a text file opened with ``newline=""``.
        n: the number of rows.
        seed: the generator's seed.
        start: the number of the first row's agency, for a file that is one chunk of a longer run.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_header())
    for i, answers in enumerate(islice(iter_sheets(seed), n), start=start):
        writer.writerow(csv_cells(i, answers))


def score_int(a: Mapping[str, Any]) -> IntResult:
    """The district's unit subtotals, total and verdict in plain ints, written out by hand.

    Returns:
        The five unit subtotals, the total and whether it reaches 80.
    """
    g = a.get
    n = g("2.2.2", 0)
    if type(n) is list:
        n = len(n)
    u2 = (
        (1 if g("2.1.1") is True else 0)
        + (2 if g("2.1.2") is True else 0)
        + (1 if g("2.1.3") is True else 0)
        + (1 if g("2.1.4") is True else 0)
        + (2 if g("2.2.1.a") is True else 0)
        + (2 if g("2.2.1.b") is True else 0)
        + (n if n < 5 else 5)
        + (3 if g("2.2.3") is True else 0)
        + (3 if g("2.2.4.a") is True else 0)
        + (2 if g("2.2.4.b") is True else 0)
        + (2 if g("2.2.5.a") is True else 0)
        + (1 if g("2.2.5.b") is True else 0)
        + (1 if g("2.2.5.c") is True else 0)
        + (1 if g("2.2.5.d") is True else 0)
    )
    n = g("5.1.1", 0)
    if type(n) is list:
        n = len(n)
    u5 = 2 * n if n < 2 else 4
    n = g("5.1.2", 0)
    if type(n) is list:
        n = len(n)
    u5 += n if n < 4 else 4
    n = g("5.1.3", 0)
    if type(n) is list:
        n = len(n)
    u5 += n if n < 2 else 2
    n = g("5.2.2", 0)
    if type(n) is list:
        n = len(n)
    u5 += (2 * n if n < 2 else 4) + (3 if g("5.2.1") is True else 0)
    u1 = (
        (3 if g("1.1.1.a") is True else 0)
        + (3 if g("1.1.1.b") is True else 0)
        + (3 if g("1.1.1.c") is True else 0)
    )
    u3 = (
        (2 if g("3.1.1") is True else 0)
        + (2 if g("3.1.2") is True else 0)
        + (1 if g("3.1.3") is True else 0)
        + (2 if g("3.1.4") is True else 0)
        + (2 if g("3.1.5") is True else 0)
        + (3 if g("3.2.1") is True else 0)
        + (3 if g("3.2.2") is True else 0)
        + (3 if g("3.3.1") is True else 0)
        + (3 if g("3.3.2") is True else 0)
        + (2 if g("3.4.1") is True else 0)
        + (2 if g("3.4.2") is True else 0)
    )
    u4 = (
        (2 if g("4.1.1") is True else 0)
        + (2 if g("4.1.2") is True else 0)
        + (2 if g("4.1.3") is True else 0)
        + (2 if g("4.1.4") is True else 0)
        + (2 if g("4.2.1") is True else 0)
        + (2 if g("4.2.2") is True else 0)
        + (2 if g("4.2.3") is True else 0)
        + (2 if g("4.3.1") is True else 0)
        + (2 if g("4.3.2") is True else 0)
        + (2 if g("4.3.3") is True else 0)
        + (2 if g("4.3.4") is True else 0)
    )
    total = u1 + u2 + u3 + u4 + u5
    return u1, u2, u3, u4, u5, total, total >= 80


def score_decimal(a: Mapping[str, Any]) -> DecimalResult:
    """`score_int` in `Decimal` points, the arithmetic in a local context that traps inexact results.

    Returns:
        The five unit subtotals, the total and whether it reaches 80.
    """
    g = a.get
    with decimal.localcontext(CONTEXT):
        n = g("2.2.2", 0)
        if type(n) is list:
            n = len(n)
        u2 = (
            (D1 if g("2.1.1") is True else D0)
            + (D2 if g("2.1.2") is True else D0)
            + (D1 if g("2.1.3") is True else D0)
            + (D1 if g("2.1.4") is True else D0)
            + (D2 if g("2.2.1.a") is True else D0)
            + (D2 if g("2.2.1.b") is True else D0)
            + (D1 * n if n < 5 else D5)
            + (D3 if g("2.2.3") is True else D0)
            + (D3 if g("2.2.4.a") is True else D0)
            + (D2 if g("2.2.4.b") is True else D0)
            + (D2 if g("2.2.5.a") is True else D0)
            + (D1 if g("2.2.5.b") is True else D0)
            + (D1 if g("2.2.5.c") is True else D0)
            + (D1 if g("2.2.5.d") is True else D0)
        )
        n = g("5.1.1", 0)
        if type(n) is list:
            n = len(n)
        u5 = D2 * n if n < 2 else D4
        n = g("5.1.2", 0)
        if type(n) is list:
            n = len(n)
        u5 += D1 * n if n < 4 else D4
        n = g("5.1.3", 0)
        if type(n) is list:
            n = len(n)
        u5 += D1 * n if n < 2 else D2
        n = g("5.2.2", 0)
        if type(n) is list:
            n = len(n)
        u5 += (D2 * n if n < 2 else D4) + (D3 if g("5.2.1") is True else D0)
        u1 = (
            (D3 if g("1.1.1.a") is True else D0)
            + (D3 if g("1.1.1.b") is True else D0)
            + (D3 if g("1.1.1.c") is True else D0)
        )
        u3 = (
            (D2 if g("3.1.1") is True else D0)
            + (D2 if g("3.1.2") is True else D0)
            + (D1 if g("3.1.3") is True else D0)
            + (D2 if g("3.1.4") is True else D0)
            + (D2 if g("3.1.5") is True else D0)
            + (D3 if g("3.2.1") is True else D0)
            + (D3 if g("3.2.2") is True else D0)
            + (D3 if g("3.3.1") is True else D0)
            + (D3 if g("3.3.2") is True else D0)
            + (D2 if g("3.4.1") is True else D0)
            + (D2 if g("3.4.2") is True else D0)
        )
        u4 = (
            (D2 if g("4.1.1") is True else D0)
            + (D2 if g("4.1.2") is True else D0)
            + (D2 if g("4.1.3") is True else D0)
            + (D2 if g("4.1.4") is True else D0)
            + (D2 if g("4.2.1") is True else D0)
            + (D2 if g("4.2.2") is True else D0)
            + (D2 if g("4.2.3") is True else D0)
            + (D2 if g("4.3.1") is True else D0)
            + (D2 if g("4.3.2") is True else D0)
            + (D2 if g("4.3.3") is True else D0)
            + (D2 if g("4.3.4") is True else D0)
        )
        total = u1 + u2 + u3 + u4 + u5
        return u1, u2, u3, u4, u5, total, total >= D80
