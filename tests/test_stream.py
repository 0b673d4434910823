"""Batches that stream: CSV files of any size read a row at a time, `score_many`, and the
command line's ``--format csv`` and ``jsonl`` written as each sheet is scored.

The district rubric's 2.1.1 is a flag worth 1 point and 2.1.2 a flag worth 2 (as in
tests/test_cli_batch.py), so a row's total is 1 × (2.1.1 true) + 2 × (2.1.2 true).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conserv_rubric import RubricError, ScoreCard, Sheet, SheetError, SheetInfo, cli, load_rubric
from conserv_rubric._limits import MAX_CSV_COLUMNS, MAX_CSV_ROW_BYTES, MAX_FILE_BYTES
from conserv_rubric.batch import iter_sheets, score_many

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
HEADER = "agency,year,assessor,2.1.1,2.1.2\n"


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _points(one: bool, two: bool) -> Decimal:
    return Decimal(1 if one else 0) + Decimal(2 if two else 0)


def test_a_csv_over_the_file_limit_scores_every_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Few wide rows (a long assessor's name, 48 KB each) make 5 MiB without scoring 250,000 rows.
    wide = "张" * 16_000
    path = tmp_path / "big.csv"
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        while f.tell() <= MAX_FILE_BYTES + 1024 * 1024:
            f.write(f"局{rows},2024,{wide},{'true' if rows % 2 == 0 else 'false'},true\n")
            rows += 1
    assert path.stat().st_size > MAX_FILE_BYTES
    results = list(score_many(load_rubric(DISTRICT), path))
    assert len(results) == rows
    assert all(isinstance(r, ScoreCard) for r in results)
    cards = [r for r in results if isinstance(r, ScoreCard)]
    assert [c.sheet.agency if c.sheet else None for c in cards] == [f"局{i}" for i in range(rows)]
    assert [c.total for c in cards] == [_points(i % 2 == 0, True) for i in range(rows)]
    assert [c.sheet.row if c.sheet else None for c in cards] == list(range(2, rows + 2))

    code, out, err = run(capsys, "score", DISTRICT, path, "--format", "csv")
    assert (code, err) == (1, "")  # nobody reaches 80 points with 3
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["agency"] for r in table] == [f"局{i}" for i in range(rows)]
    assert [r["total"] for r in table] == [str(_points(i % 2 == 0, True)) for i in range(rows)]


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "batch.csv"
    path.write_bytes(data)
    return path


def test_bad_rows_among_good_ones_cost_only_themselves(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    long_row = b"\xe9\x95\xbf,2024," + b"x" * MAX_CSV_ROW_BYTES + b",true,true\n"
    lines = [
        HEADER.encode(),
        "甲局,2024,,true,true\n".encode(),  # line 2: 3 points
        "乙局,2024,,true\n".encode(),  # line 3: a cell short
        b"\xff\xfe,2024,,true,true\n",  # line 4: not UTF-8
        long_row,  # line 5: too long
        '"丙局"x,2024,,true,true\n'.encode(),  # line 6: text after a closing quote
        "丁局,2024,,false,true\n".encode(),  # line 7: 2 points
        "戊局,2024,,yes,true\n".encode(),  # line 8: not a flag
        "己局,2024,,true,false\n".encode(),  # line 9: 1 point
    ]
    path = _write(tmp_path, b"".join(lines))
    code, out, err = run(capsys, "score", DISTRICT, path, "--format", "csv")
    assert code == 2
    assert err == (
        f"{path}:3: has 4 cells, the header has 5\n"
        f"{path}:4: not UTF-8 text (byte {len(lines[0]) + len(lines[1]) + len(lines[2])});"
        " save the file as UTF-8\n"
        f"{path}:5: the row is more than {MAX_CSV_ROW_BYTES} bytes; the limit is {MAX_CSV_ROW_BYTES}\n"
        f"{path}:6: invalid CSV: ',' expected after '\"'\n"
        f'{path}:8: answers."2.1.1": expected true or false, got a string ("yes")\n'
    )
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["agency"], r["total"]) for r in table] == [("甲局", "3"), ("丁局", "2"), ("己局", "1")]


def test_jsonl_is_one_object_per_line_with_error_entries_in_row_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(
        tmp_path, (HEADER + "甲局,2024,,true,true\n乙局,2024,,true\n丙局,2024,,false,true\n").encode()
    )
    code, out, err = run(capsys, "score", DISTRICT, path, "--format", "jsonl")
    assert code == 2
    assert err == f"{path}:3: has 4 cells, the header has 5\n"
    lines = out.split("\n")
    assert lines[-1] == ""
    entries = [json.loads(line, parse_float=Decimal) for line in lines[:-1]]
    assert len(entries) == 3
    assert [(e["agency"], e["total"], e["passed"]) for e in (entries[0], entries[2])] == [
        ("甲局", 3, False),
        ("丙局", 2, False),
    ]
    assert entries[1] == {
        "file": str(path),
        "error": {
            "message": f"{path}:3: has 4 cells, the header has 5",
            "problems": [
                {
                    "message": "has 4 cells, the header has 5",
                    "file": str(path),
                    "path": None,
                    "address": None,
                    "line": 3,
                    "column": None,
                    "expected": None,
                    "actual": None,
                }
            ],
        },
    }
    # Each line is the card's JSON entry, as --format json writes it for one sheet.
    code, whole, _ = run(
        capsys,
        "score",
        DISTRICT,
        _write(tmp_path, (HEADER + "甲局,2024,,true,true\n").encode()),
        "--format",
        "json",
    )
    assert json.loads(whole, parse_float=Decimal) == entries[0]


def test_gb18030_is_streamed_and_a_bad_byte_later_is_located_by_line(tmp_path: Path) -> None:
    good = "".join(f"第{i}局,2024,,true,false\n" for i in range(5_000)).encode("gb18030")
    assert len(good) > 64 * 1024  # the encoding is decided by the first block; rows go on after it
    tail = "末局,2024,,false,true\n".encode("gb18030")
    data = HEADER.encode() + good + b"\x80\x80,2024,,true,true\n" + tail
    path = _write(tmp_path, data)
    results = list(iter_sheets(path))
    assert len(results) == 5_002
    sheets = [r for r in results if isinstance(r, Sheet)]
    assert [s.agency for s in sheets] == [*(f"第{i}局" for i in range(5_000)), "末局"]
    assert {s.encoding for s in sheets} == {"gb18030"}
    bad = results[5_000]
    assert isinstance(bad, SheetError)
    offset = len(HEADER) + len(good)
    assert str(bad) == (
        f"{path}:5002: not GB18030 text (byte {offset}), as the start of the file is; save the file as UTF-8"
    )


def test_a_gbk_row_in_a_utf8_file_is_named(tmp_path: Path) -> None:
    row = "乙局,2024,,true,true\n".encode("gbk")
    path = _write(tmp_path, (HEADER + "甲局,2024,,true,true\n").encode() + row)
    results = list(iter_sheets(path))
    assert isinstance(results[0], Sheet)
    assert results[0].encoding == "utf-8"
    offset = len(HEADER) + len("甲局,2024,,true,true\n".encode())
    assert str(results[1]) == (
        f"{path}:3: not UTF-8 text (byte {offset}; it reads as GBK/GB18030); save the file as UTF-8"
    )


def test_lone_cr_line_ends_count_as_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "agency,2.1.1\r甲局,true\r乙局,maybe\r".encode())
    results = list(score_many(load_rubric(DISTRICT), path))
    assert isinstance(results[0], ScoreCard)
    assert results[0].total == 1
    assert str(results[1]) == f'{path}:3: answers."2.1.1": expected true or false, got a string ("maybe")'


def test_a_header_over_the_column_limit_is_refused(tmp_path: Path) -> None:
    columns = MAX_CSV_COLUMNS + 1
    path = _write(tmp_path, ("agency" + ",c" * (columns - 1) + "\n").encode())
    assert [str(r) for r in iter_sheets(path)] == [
        f"{path}:1: the header has {columns} columns; the limit is {MAX_CSV_COLUMNS}"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "{path}: the CSV file is empty; expected a header row"),
        (HEADER.encode(), "{path}:1: the header has no rows below it; add a row per agency"),
        (b"year\n2024\n", "{path}:1: the header needs an 'agency' (单位) column"),
        # Blank cells above a record that cannot be read: not an empty file.
        (b',,,\n"abc,d\n', "{path}:1: the header needs an 'agency' (单位) column"),
        (
            b"\xff\xfea\x00",
            "{path}:1: not UTF-8 text but UTF-16 (by its byte-order mark); save the file as UTF-8",
        ),
    ],
)
def test_a_problem_of_the_file_is_one_error(tmp_path: Path, data: bytes, message: str) -> None:
    path = _write(tmp_path, data)
    assert [str(r) for r in iter_sheets(path)] == [message.format(path=path)]


def test_score_many_is_lazy_and_in_order() -> None:
    rubric = load_rubric(DISTRICT)
    taken: list[int] = []

    def sheets() -> Iterator[Sheet | Mapping[str, Any]]:
        taken.append(1)
        yield {"2.1.1": True}
        taken.append(2)
        yield Sheet(info=SheetInfo(agency="乙局"), answers={"2.1.2": True})
        taken.append(3)
        yield {"9.9.9": True}

    results = score_many(rubric, sheets())
    assert taken == []
    first = next(results)
    assert taken == [1]
    assert isinstance(first, ScoreCard)
    assert first.total == 1
    second = next(results)
    assert isinstance(second, ScoreCard)
    assert second.sheet is not None
    assert (second.sheet.agency, second.total) == ("乙局", Decimal(2))
    third = next(results)
    assert isinstance(third, SheetError)
    assert str(third) == "answers.\"9.9.9\": unknown address '9.9.9'"
    assert list(results) == []


def test_score_many_refuses_a_rubric_path_at_once() -> None:
    with pytest.raises(RubricError) as excinfo:
        score_many("rubrics/district.toml", [])  # type: ignore[arg-type]
    assert str(excinfo.value) == (
        'score_many() takes a Rubric as its first argument, not a string ("rubrics/district.toml");'
        " load it first: score_many(load_rubric(path), sheet)"
    )


def test_progress_is_shown_on_a_terminal_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from conserv_rubric import _stream_cli  # noqa: PLC0415 - its pace is patched below

    path = _write(tmp_path, (HEADER + "甲局,2024,,true,true\n" * 300).encode())
    code, out, err = run(capsys, "score", DISTRICT, path, "--format", "csv")
    assert (code, err) == (1, "")
    monkeypatch.setattr(_stream_cli, "PROGRESS_EVERY", 0.0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, again, err = run(capsys, "score", DISTRICT, path, "--format", "csv")
    assert (code, again) == (1, out)
    # Every 256 sheets, rewritten in place, and wiped at the end.
    # (with the pace so far: a figure of the machine, so only its shape is checked)
    assert re.fullmatch(r"\rscored 256 sheets \(0 errors\), [\d,]+ sheets/s\x1b\[K\r\x1b\[K", err)
