"""``score --format csv`` straight from a record's cells (`conserv_rubric._fast_rows`) writes the
bytes the full path writes (each record read into a sheet and scored as a card), for every input:
the same lines, the same errors on standard error, the same exit code.

The full path is the oracle: each file is scored with `_stream_cli.FAST` on and off. The district
rubric's 2.1.1 is a flag worth 1 point and 2.1.2 one worth 2 (as in tests/test_stream.py).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conserv_rubric import Rubric, _fast_rows, _stream_cli, cli, load_rubric
from conserv_rubric._answers import check_answer
from conserv_rubric._compiled import compiled
from conserv_rubric._stream import Record
from conserv_rubric._text import fmt
from conserv_rubric.strategies import answers, rubrics

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
TITLE = "XX区节约型机关评价标准"
COLUMNS = "agency,code,year,stage,assessor,date,rubric,2.1.1,2.1.2,2.2.2,5.1.2,5.2.2"

#: Records the fast path takes, and records it must leave to the full path (an error, or a
#: reading it does not make), one per line unless the record spans lines.
ROWS = [
    "甲局,91110000,2024,self,张三,2024-10-28,,true,true,节能;节水,设备节电,1",  # 1 + 2 + 2 + 1 + 1
    '乙局,,２０２４,,,,, TRUE ,false,"节能,节水",３,',  # full-width digits, a quoted comma
    f'"丙局",,,verified,,,{TITLE},true,true,,,',  # the verifier's stage, the rubric's own title
    "丁局,,,bogus,,,,true,true,,,",  # a stage the rubric does not have
    "戊局,,abc,,,,,true,true,,,",  # a year that is not a number
    "己局,,,,,2024-02-30,,true,true,,,",  # no such day
    "庚局,,,,,,别的标准,true,true,,,",  # another rubric's title
    ",,2024,,,,,true,true,,,",  # no agency
    "辛局,,,,,,,maybe,true,,,",  # not a flag
    '"壬局\r\n第二行",,,,,,,true,true,,,',  # a line break in the agency's cell
    "癸局,,,,,,,true,true,三,,",  # a count in Chinese numerals
    "子局,,,,,,,true",  # too few cells
    ",,,,,,,,,,,",  # a blank row: no sheet
    "丑局,,,,,,,true,true,节能;节能,,",  # a name listed twice
    '寅局,,,,,,,true,true,"节能\r\n节水",,',  # a line break in an answer
    "卯局,,,,,,,true,true,其他（自报）；节能,,",  # a name NFKC changes, a full-width separator
    "辰局,,,,,,,true,true,,,-1",  # a negative count
    "巳局,,,,,,,true,true,,,\r午局,,,,,,,false,true,,,",  # a lone CR ends a line
    "未局\x01,,,,,,,true,true,,,",  # a control character in the agency
    "申局,,,,,,,,,,,",  # nothing answered
    '"酉局 ",, 2024 ,"verified ",,,,"true",,1,,0',  # quoted cells, space around them
]


def _file(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def _district_file(folder: Path) -> Path:
    return _file(folder, "sheets.csv", "\ufeff" + COLUMNS + "\r\n" + "\r\n".join(ROWS) + "\r\n")


def _both(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str | Path
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """The command line's exit code, output and errors with the fast path, then without it."""
    results = []
    for fast in (True, False):
        monkeypatch.setattr(_stream_cli, "FAST", fast)
        code = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        results.append((code, out, err))
    return results[0], results[1]


def _taken(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first lines of the records the fast path writes, in the order it writes them."""
    taken: list[int] = []
    line = _fast_rows.FastRows.line

    def counted(self: _fast_rows.FastRows, first: int, last: int, cells: list[str]) -> tuple[str, int] | None:
        found = line(self, first, last, cells)
        if found is not None:
            taken.append(first)
        return found

    monkeypatch.setattr(_fast_rows.FastRows, "line", counted)
    return taken


def test_the_district_rows_score_the_same_either_way(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _district_file(tmp_path)
    taken = _taken(monkeypatch)
    fast, full = _both(capsys, monkeypatch, "score", DISTRICT, path, "--format", "csv")
    assert fast == full
    code, out, err = fast
    assert code == 2
    # By hand: 2.1.1 is worth 1, 2.1.2 2, each name of 2.2.2 and 5.1.2 1, each 5.2.2 2.
    expected = [
        ("甲局", "91110000", "2024", "self", "张三", "2024-10-28", "5", "3", "8", 2),
        ("乙局", "", "2024", "self", "", "", "3", "3", "6", 3),
        ("丙局", "", "", "verified", "", "", "3", "0", "3", 4),
        ("卯局", "", "", "self", "", "", "5", "0", "5", 19),  # after two records of two lines each
        ("巳局", "", "", "self", "", "", "3", "0", "3", 21),
        ("午局", "", "", "self", "", "", "2", "0", "2", 22),  # the lone CR ended line 21
        ("申局", "", "", "self", "", "", "0", "0", "0", 24),
        ("酉局", "", "2024", "verified", "", "", "2", "0", "2", 25),
    ]
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][6:11] == [
        "1 强化目标管理",
        "2 完善制度体系",
        "3 推行绿色办公",
        "4 实行生活垃圾分类",
        "5 开展宣传教育",
    ]
    assert [(*r[:6], r[7], r[10], r[11], int(r[17])) for r in rows[1:]] == expected
    assert {(r[6], r[8], r[9], r[12], r[13], r[14], r[15], r[16]) for r in rows[1:]} == {
        ("0", "0", "0", "100", "", "false", "", str(path))
    }
    assert taken == [line for *_, line in expected]  # every row scored, by the fast path
    assert [line.split(": ")[0] for line in err.splitlines()] == [
        f"{path}:{n}" for n in (5, 6, 7, 8, 9, 10, 11, 13, 14, 16, 17, 20, 23)
    ]


@pytest.mark.parametrize(
    "extra",
    [
        ["--headers", "zh"],
        ["--bom"],
        ["--jobs", "2"],
    ],
)
def test_the_options_write_the_same_either_way(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, extra: list[str]
) -> None:
    path = _district_file(tmp_path)
    fast, full = _both(capsys, monkeypatch, "score", DISTRICT, path, "--format", "csv", *extra)
    assert fast == full
    assert fast[0] == 2


def test_an_output_file_is_the_same_either_way(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _district_file(tmp_path)
    written = []
    for fast in (True, False):
        monkeypatch.setattr(_stream_cli, "FAST", fast)
        out = tmp_path / f"cards-{fast}.csv"
        code = cli.main(["score", str(DISTRICT), str(path), "--format", "csv", "-o", str(out)])
        written.append((code, out.read_bytes(), capsys.readouterr()))
    assert written[0] == written[1]


@pytest.mark.parametrize(
    ("columns", "row"),
    [
        ("agency,2.1.1,9.9.9", "甲局,true,true"),  # an address the rubric lacks
        ("agency,2.1.1,9.9.9", "甲局,true,"),  # ... left blank
        ("agency,2.1.1,energy.year", "甲局,true,2023"),  # [energy]
        ("agency,2.1.1,energy.year", "甲局,true,"),  # ... left blank
        ("agency,stage,2.1.1", "甲局,,true"),  # the default stage
        ("agency,year,2.1.1", "甲局,99999999999999999999,true"),  # a long year
        ("agency,date,2.1.1", "甲局, 2024-10-28 ,true"),
        ("agency,date,2.1.1", "甲局,2024-10-28T10:00,true"),
        ("agency,assessor,2.1.1", "甲局,张\u202e三,true"),  # a bidirectional control in a name
        ("agency,2.1.1,1.1.1", "甲局,true,true"),  # an item's address that is not a leaf
        ("agency,code,2.1.1", "=1+1,@SUM(A1),true"),  # formulas: written as text
        ("agency,assessor,2.1.1", '"甲,局","张""三",true'),  # quotes and commas: quoted again
    ],
)
def test_other_columns_score_the_same_either_way(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    columns: str,
    row: str,
) -> None:
    path = _file(tmp_path, "one.csv", f"{columns}\n{row}\n")
    fast, full = _both(capsys, monkeypatch, "score", DISTRICT, path, "--format", "csv")
    assert fast == full


def test_a_gb18030_file_scores_the_same_either_way(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _file(tmp_path, "gbk.csv", "单位,2.1.1,2.2.2\n甲局,true,节能;节水\n乙局,false,\n", "gb18030")
    taken = _taken(monkeypatch)
    fast, full = _both(capsys, monkeypatch, "score", DISTRICT, path, "--format", "csv")
    assert fast == full
    assert taken == [2, 3]


def test_an_empty_run_has_the_unit_columns_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    header = (
        "agency,code,year,stage,assessor,date,"
        "1 强化目标管理,2 完善制度体系,3 推行绿色办公,4 实行生活垃圾分类,5 开展宣传教育,"
        "total,max,level,passed,failed_gates,file,line,rubric_hash,library\n"
    )
    good = _file(tmp_path, "good.csv", "agency,2.1.1\n甲局,true\n")
    code, out, err = _both(capsys, monkeypatch, "score", DISTRICT, good, "--format", "csv")[0]
    assert (code, err) == (1, "")
    assert out.startswith(header)
    empty = _file(tmp_path, "empty.csv", "agency,2.1.1\n")
    refused = _file(tmp_path, "refused.csv", "agency,2.1.1\n甲局,maybe\n")
    for path, message in [
        (empty, f"{empty}:1: the header has no rows below it; add a row per agency\n"),
        (refused, f'{refused}:2: answers."2.1.1": expected true or false, got a string ("maybe")\n'),
    ]:
        assert _both(capsys, monkeypatch, "score", DISTRICT, path, "--format", "csv")[0] == (
            2,
            header,
            message,
        )


#: Cells that are not what a leaf wants, or are, written oddly.
ODD = ["maybe", "３", " 2 ", "TRUE", "三", "-1", "1.5", "", "x;x", "=1", '"q"', "a\nb", "0", "10/20", "是"]


def _cell(value: object) -> str:
    """An answer as a CSV cell: how a person types it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return fmt(value)
    if isinstance(value, list):
        return ";".join(map(str, value))
    if isinstance(value, dict) and set(value) == {"value", "ref"}:
        return f"{fmt(value['value'])}/{fmt(value['ref'])}"
    return str(value) if isinstance(value, str) else ""


@st.composite
def _files(draw: st.DrawFn) -> tuple[Rubric, str]:
    rubric = draw(rubrics())
    leaves = list(compiled(rubric).leaves)
    stages = [*rubric.stages, "", "bogus"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(["agency", "stage", *leaves])
    for k in range(draw(st.integers(1, 6))):
        given = draw(answers(rubric))
        cells = [_cell(given.get(a)) for a in leaves]
        for i in draw(st.lists(st.integers(0, len(leaves) - 1), max_size=2)) if leaves else []:
            cells[i] = draw(st.sampled_from(ODD))
        writer.writerow([f"局{k}", draw(st.sampled_from(stages)), *cells])
    return rubric, out.getvalue()


def _outcomes(rubric: Rubric, path: Path) -> Iterator[_stream_cli._Outcome]:
    for item in _stream_cli._items(path):
        yield _stream_cli._outcome(rubric, item, "csv", "en")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_files())
def test_generated_rubrics_and_rows_score_the_same_either_way(case: tuple[Rubric, str]) -> None:
    rubric, text = case
    with tempfile.TemporaryDirectory() as folder:
        path = _file(Path(folder), "rows.csv", text)
        monkeypatch = pytest.MonkeyPatch()
        with monkeypatch.context() as m:
            m.setattr(_stream_cli, "FAST", False)
            full = list(_outcomes(rubric, path))
        fast = list(_outcomes(rubric, path))
    assert fast == full


def test_generated_rows_are_taken_by_the_fast_path() -> None:
    # The generated test above can fail only if the fast path writes lines: most valid rows of
    # a generated rubric are its.
    rubric = load_rubric(DISTRICT)
    record = Record(["agency", "2.1.1", "2.1.2"], 2, 2, ["甲局", "true", "true"], "f.csv", "utf-8")
    found = _fast_rows.rows_for(rubric, record.header, record.file).line(2, 2, record.cells)
    assert found is not None
    assert found[0].startswith("甲局,,,self,,,0,3,0,0,0,3,100,,false,,f.csv,2,sha256:")
    assert found[1] == 1


_DISTRICT_LEAVES = compiled(load_rubric(DISTRICT)).leaves
_NAMES = ["2.2.2", "5.1.1", "5.1.2"]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(_NAMES),
    st.lists(st.integers(0, 7), max_size=9),
    st.sampled_from([";", "；", "、", ",", "; "]),
    st.sampled_from(["", " ", "其他（自报）", "3", "节能", "ABC", "\u2212"]),
)
def test_listed_names_count_as_check_answer_reads_them(
    address: str, picks: list[int], sep: str, odd: str
) -> None:
    leaf = _DISTRICT_LEAVES[address]
    listed = _fast_rows._listed(leaf)
    assert listed is not None
    names = [leaf.options[i] if i < len(leaf.options) else odd for i in picks]
    text = sep.join(names)
    value, error = check_answer(leaf, text)
    count = listed(text)
    if count is not None:
        assert error is None
        assert value == names
        assert count == len(names)
    plain = (
        (sep == ";" or len(names) == 1)
        and names
        and len(set(names)) == len(names)
        and set(names) <= set(leaf.options)
    )
    assert (count is not None) == bool(plain)
