"""``score --engine duckdb``: the Python engine's rows, errors and exit code, from DuckDB."""

from __future__ import annotations

import csv
import io
import json
import sys
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conserv_rubric import Rubric, RubricError, dumps_rubric, load_rubric, load_sheet
from conserv_rubric._compiled import compiled
from conserv_rubric._shipped import rubric_argument
from conserv_rubric._sql_engine import SUMMARY_KEYS
from conserv_rubric.cli import main
from conserv_rubric.sql import render
from conserv_rubric.strategies import rubrics, sheets

duckdb = pytest.importorskip("duckdb")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the bench package

from test_sql import (  # noqa: E402 - after the skip: test_sql needs duckdb too
    KINDS,
    TOO_FINE,
    TOO_FINE_REASON,
    aggregated,
    cell,
)

from bench import district  # noqa: E402 - after the path

#: Cells a hostile or careless sheet holds, for every shape of leaf.
HOSTILE: tuple[str, ...] = (
    "３",
    "\u3000３\u3000",
    "１．５",
    "－１",
    "1e3",
    "0x2",
    "1_000",
    "2.",
    ".5",
    "三次",
    "两项",
    "=1+1",
    "+3",
    "-0",
    "1000000000000",
    "999999999999",
    "99999999999999999999999",
    "0.00000000001",
    "TRUE",
    "ｔｒｕｅ",
    "falſe",
    "会议；培训、宣传",
    "会议，培训",
    "会议﹔培训",
    "会议;会议",
    "会议;1.5",
    "会议;;培训",
    "会议\t培训",
    "a\u200bb",
    "①",
    "x²",
    "\u00a0",
    "\u2028",
    "ﬁle",
    "15.8/18",
)


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _run(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _both(
    rubric: str, sheet: Path, capsys: pytest.CaptureFixture[str], fmt: str = "csv"
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    python = _run(["score", rubric, str(sheet), "--format", fmt], capsys)
    duck = _run(["score", rubric, str(sheet), "--format", fmt, "--engine", "duckdb"], capsys)
    return python, duck


def _summaries(jsonl: str) -> list[object]:
    out: list[object] = []
    for line in jsonl.splitlines():
        entry = json.loads(line, parse_float=Decimal)
        out.append(entry if "error" in entry else {k: entry[k] for k in SUMMARY_KEYS})
    return out


def _rendered(rubric: Rubric) -> None:
    try:
        render(rubric)
    except RubricError:
        assume(False)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.data())
def test_generated_csv_gives_the_python_engines_bytes(data: st.DataObject) -> None:
    rubric = data.draw(rubrics(kinds=KINDS))
    _rendered(rubric)
    leaves = list(compiled(rubric).leaves)
    drawn = data.draw(st.lists(sheets(rubric), min_size=1, max_size=5))
    rows: list[list[str]] = []
    for k, s in enumerate(drawn):
        cells = {a: cell(v) for a, v in s.answers.items()}
        hostile: bool = data.draw(st.booleans())
        if leaves and hostile:  # now and then a hostile cell
            cells[data.draw(st.sampled_from(leaves))] = data.draw(st.sampled_from(HOSTILE))
        year = "" if s.info.year is None else str(s.info.year)
        rows.append([f"单位{k}", year, s.info.stage, *(cells.get(a, "") for a in leaves)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheets.csv"
        rubric_path = Path(folder) / "rubric.toml"
        rubric_path.write_text(dumps_rubric(rubric), encoding="utf-8")
        _write_csv(path, ["agency", "year", "stage", *leaves], rows)
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(folder)
            for fmt in ("csv", "jsonl"):
                code = main(["score", "rubric.toml", "sheets.csv", "--format", fmt, "-o", "p.out"])
                duck = ["score", "rubric.toml", "sheets.csv", "--format", fmt, "-o", "d.out"]
                assert main([*duck, "--engine", "duckdb"]) == code
                python, ours = Path("p.out").read_text("utf-8"), Path("d.out").read_text("utf-8")
                if fmt == "csv":
                    assert ours == python
                else:
                    assert _summaries(ours) == _summaries(python)


def _district_rows(n: int) -> tuple[list[str], list[list[str]]]:
    """*n* rows of the district's generated sheets (bench/district.py), with their header."""
    out = io.StringIO()
    district.write_csv(out, n)
    header, *rows = csv.reader(io.StringIO(out.getvalue()))
    return header, rows


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_hostile_cells_in_the_district_rubric(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rubric = load_rubric(rubric_argument("district"))
    leaves = list(compiled(rubric).leaves)
    header = ["agency", "year", *leaves]
    rows = []
    for k, bad in enumerate(HOSTILE):
        for j in range(len(leaves)):
            if j % 7 == k % 7:  # every hostile cell in every seventh leaf, a row each
                cells = [""] * len(leaves)
                cells[j] = bad
                rows.append([f"单位{k}-{j}", "2024", *cells])
    rows.append(["", "2024", *([""] * len(leaves))])  # no agency: read in Python
    rows.append([",,", "二〇二四", *([""] * len(leaves))])  # a year not in digits
    path = tmp_path / "hostile.csv"
    _write_csv(path, header, rows)
    python, duck = _both("district", path, capsys, fmt)
    assert python[0] == 2
    if fmt == "csv":
        assert duck == python
    else:
        assert (duck[0], _summaries(duck[1]), duck[2]) == (python[0], _summaries(python[1]), python[2])


def test_every_good_row_is_scored_and_every_bad_cell_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rubric = tmp_path / "r.toml"
    rubric.write_text(
        'title = "T"\ntotal = 10\n[[units]]\ntitle = "单元"\npoints = 10\n'
        '[[units.items]]\nkind = "flag"\npoints = 2\n'
        '[[units.items]]\nkind = "each"\nper = 1\nmax = 5\n'
        '[[units.items]]\nkind = "judged"\nrange = [1, 3]\nstep = 0.5\n',
        encoding="utf-8",
    )
    path = tmp_path / "a.csv"
    path.write_text(
        "agency,year,1.1,1.2,1.3\n甲,2024,true,３,２．５\n乙,2024,yes,-1,2.25\n"
        "丙,２０２４,false,会议；培训、宣传,0\n=cmd,2024,TRUE,三次,1\n",
        encoding="utf-8",
    )
    code, out, err = _run(["score", str(rubric), str(path), "--format", "csv", "--engine", "duckdb"], capsys)
    assert code == 2
    assert [r[0] + "|" + r[7] + "|" + r[13] for r in csv.reader(io.StringIO(out))][1:] == [
        "甲|7.5|2",
        "丙|3|4",
    ]
    assert err == (
        f'{path}:3: answers."1.1": expected true or false, got a string ("yes")\n'
        f'{path}:3: answers."1.2": expected a count ≥ 0, got -1\n'
        f'{path}:3: answers."1.3": expected a multiple of 0.5, got 2.25\n'
        f'{path}:5: answers."1.2": expected a count in digits (such as 3), got a string ("三次")\n'
    )


def test_parquet_rows_are_numbered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header, rows = _district_rows(6)
    rows[2][1] = "yes"  # a bad cell in the third row
    path = tmp_path / "s.csv"
    _write_csv(path, header, rows)
    parquet = tmp_path / "s.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{path}', all_varchar = true, header = true)) TO '{parquet}'")
    code, out, err = _run(
        ["score", "district", str(parquet), "--format", "csv", "--engine", "duckdb"], capsys
    )
    python = _run(["score", "district", str(path), "--format", "csv"], capsys)
    assert code == python[0] == 2
    expected = [r for r in csv.reader(io.StringIO(python[1]))]
    for r in expected[1:]:
        r[-4], r[-3] = str(parquet), str(int(r[-3]) - 1)  # row numbers, not CSV lines
    assert list(csv.reader(io.StringIO(out))) == expected
    assert err == python[2].replace(f"{path}:4:", f"{parquet}:3:")


def test_the_python_engine_refuses_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.parquet"
    path.write_bytes(b"PAR1")
    assert _run(["score", "district", str(path), "--format", "csv"], capsys)[2] == (
        f"{path}: Parquet files are read by the DuckDB engine only: conserv-rubric score RUBRIC FILE"
        " --engine duckdb --format csv (or jsonl)\n"
    )


def test_gb18030_is_read_by_the_python_reader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header, rows = _district_rows(3)
    path = tmp_path / "gbk.csv"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(text.getvalue().encode("gb18030"))
    python, duck = _both("district", path, capsys)
    note = (
        f"{path}: the file is GB18030 (GBK) text, and DuckDB reads UTF-8 only; scored by the Python engine\n"
    )
    assert duck == (python[0], python[1], note + python[2])
    assert "XX区第0000000号单位" in duck[1]  # read as GB18030, not mojibake


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("agency,1.1.1\n\n甲,true\n", "empty lines between rows, which DuckDB does not count"),
        (
            'agency,1.1.1\n"甲\n乙",true\n丙,true\n',
            "a row runs over several lines, which DuckDB does not number as Python does",
        ),
        ("agency,1.1.1\n甲,true,true\n乙,true\n", None),
    ],
)
def test_a_file_duckdb_cannot_number_is_scored_in_python(
    text: str, note: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(text, encoding="utf-8")
    python, duck = _both("district", path, capsys)
    assert duck[:2] == python[:2]
    if note is not None:
        assert duck[2] == f"{path}: {note}; scored by the Python engine\n" + python[2]
    else:
        assert duck[2].startswith(f"{path}: DuckDB cannot read it as the Python reader does (")
        assert duck[2].endswith("); scored by the Python engine\n" + python[2])


def test_the_engine_writes_csv_or_jsonl_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["score", "district", "x.csv", "--engine", "duckdb"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.endswith(
        "error: --engine duckdb writes --format csv or jsonl, not --format text\n"
    )


def test_a_rubric_sql_cannot_score_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.csv"
    path.write_text("agency\n甲\n", encoding="utf-8")
    rubric = tmp_path / "fine.toml"
    rubric.write_text(TOO_FINE, encoding="utf-8")
    assert _run(["score", str(rubric), str(path), "--format", "csv", "--engine", "duckdb"], capsys) == (
        2,
        "",
        f"{rubric}: {TOO_FINE_REASON}\n",
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_divided_total_gives_the_python_engines_rows(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GB/T 50378's (400 + QA) / 10, QA capped at 100: the example's 140 points give 50; every
    # other leaf of it (9.2.2 20, 9.2.4.a 3, 9.2.5.a 10, 9.2.6 15, 9.2.8.a 8, 9.2.8.c 4, 9.2.9 20)
    # 80 points, 48; 9.2.9 alone at 7.5 gives 40.75.
    rubric = load_rubric("rubrics/gbt50378-2019-jiafenxiang.toml")
    leaves = list(compiled(rubric).leaves)
    example = load_sheet("examples/gbt50378-2019-jiafenxiang/fengding.toml").answers
    rows = [
        ["示范", *(cell(example[a]) for a in leaves)],
        ["半", *(cell(example[a]) if k % 2 else "" for k, a in enumerate(leaves))],
        ["小", *([""] * (len(leaves) - 1)), "7.5"],
        ["错", "85", "是", *([""] * (len(leaves) - 2))],
    ]
    path = tmp_path / "gbt.csv"
    _write_csv(path, ["agency", *leaves], rows)
    python, duck = _both("rubrics/gbt50378-2019-jiafenxiang.toml", path, capsys, fmt)
    assert python[0] == 2
    if fmt == "csv":
        assert duck == python
        assert [r[0] + "|" + r[7] for r in csv.reader(io.StringIO(duck[1]))][1:] == [
            "示范|50",
            "半|48",
            "小|40.75",
        ]
    else:
        assert (duck[0], _summaries(duck[1]), duck[2]) == (python[0], _summaries(python[1]), python[2])


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.data())
def test_generated_aggregates_give_the_python_engines_bytes(data: st.DataObject) -> None:
    rubric = data.draw(aggregated())
    _rendered(rubric)
    leaves = list(compiled(rubric).leaves)
    drawn = data.draw(st.lists(sheets(rubric), min_size=1, max_size=5))
    rows = [
        [f"单位{k}", *(cell(s.answers[a]) if a in s.answers else "" for a in leaves)]
        for k, s in enumerate(drawn)
    ]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "rubric.toml").write_text(dumps_rubric(rubric), encoding="utf-8")
        _write_csv(Path(folder) / "sheets.csv", ["agency", *leaves], rows)
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(folder)
            code = main(["score", "rubric.toml", "sheets.csv", "--format", "csv", "-o", "p.out"])
            duck = [
                "score",
                "rubric.toml",
                "sheets.csv",
                "--format",
                "csv",
                "-o",
                "d.out",
                "--engine",
                "duckdb",
            ]
            assert main(duck) == code
            assert Path("d.out").read_text("utf-8") == Path("p.out").read_text("utf-8")
