"""The roster (名录): CSV and TOML, and every bad row located by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conserv_rubric import RubricError
from conserv_rubric.rollup import RosterEntry, load_roster, loads_roster, normalise

CSV = """\
agency,parent,type,code
XX区发展和改革委员会,,行政机关,XQ012
XX区价格认证中心,XX区发展和改革委员会,事业单位,
XX区总工会,,人民团体,
"""

TOML = """\
[[agencies]]
agency = "XX区发展和改革委员会"
type = "行政机关"
code = "XQ012"

[[agencies]]
agency = "XX区价格认证中心"
parent = "XX区发展和改革委员会"
type = "事业单位"

[[agencies]]
agency = "XX区总工会"
type = "人民团体"
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_roster_keeps_its_order_and_lines(tmp_path: Path) -> None:
    roster = load_roster(_write(tmp_path, "名录.csv", CSV))
    assert roster.agencies == (
        RosterEntry(agency="XX区发展和改革委员会", type="行政机关", code="XQ012", line=2),
        RosterEntry(agency="XX区价格认证中心", parent="XX区发展和改革委员会", type="事业单位", line=3),
        RosterEntry(agency="XX区总工会", type="人民团体", line=4),
    )
    assert roster.file == str(tmp_path / "名录.csv")
    assert [c.agency for c in roster.children(roster.agencies[0])] == ["XX区价格认证中心"]
    assert roster.children(roster.agencies[2]) == ()


def test_a_toml_roster_reads_like_its_csv_twin(tmp_path: Path) -> None:
    from_csv = load_roster(_write(tmp_path, "名录.csv", CSV))
    from_toml = load_roster(_write(tmp_path, "名录.toml", TOML))
    assert [(a.agency, a.parent, a.type, a.code) for a in from_toml.agencies] == [
        (a.agency, a.parent, a.type, a.code) for a in from_csv.agencies
    ]
    # TOML rows are located by their [[agencies]] header line and their path.
    assert [(a.line, a.path) for a in from_toml.agencies] == [
        (1, "agencies[0]"),
        (6, "agencies[1]"),
        (11, "agencies[2]"),
    ]


def test_chinese_headers_and_a_bom_are_read(tmp_path: Path) -> None:
    path = tmp_path / "名录.csv"
    path.write_bytes("\ufeff单位名称,上级单位,类型,代码\nXX区财政局,,行政机关,XQ019\n".encode())
    (entry,) = load_roster(path).agencies
    assert entry == RosterEntry(agency="XX区财政局", type="行政机关", code="XQ019", line=2)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_csv_roster_saved_by_excel_on_chinese_windows_is_read(tmp_path: Path, encoding: str) -> None:
    # Excel and WPS save "CSV" in GBK there, as they do the sheets, which are read the same way.
    path = tmp_path / "名录.csv"
    path.write_bytes(CSV.replace("agency,parent,type,code", "单位,上级单位,类型,代码").encode(encoding))
    assert load_roster(path).agencies == load_roster(_write(tmp_path, "utf8.csv", CSV)).agencies


def test_a_toml_roster_is_utf8_only(tmp_path: Path) -> None:
    path = tmp_path / "名录.toml"
    path.write_bytes(TOML.encode("gbk"))
    with pytest.raises(RubricError) as excinfo:
        load_roster(path)
    assert str(excinfo.value) == (
        f"{path}:2: not UTF-8 text (byte 25; it reads as GBK/GB18030); save the file as UTF-8"
    )


def test_empty_columns_without_a_name_are_read() -> None:
    # Excel and WPS save the columns right of a table that were once touched, as empty cells.
    roster = loads_roster("agency,type,,\nXX区财政局,行政机关,,\n\nXX区审计局,,,\n", format="csv")
    assert [(a.agency, a.type, a.line) for a in roster.agencies] == [
        ("XX区财政局", "行政机关", 2),
        ("XX区审计局", None, 4),
    ]


def test_blank_rows_are_skipped_and_lines_stay_true() -> None:
    roster = loads_roster("agency\n\nXX区财政局\n,\nXX区审计局\n", format="csv")
    assert [(a.agency, a.line) for a in roster.agencies] == [("XX区财政局", 3), ("XX区审计局", 5)]


def test_names_are_matched_after_nfkc_and_trimming() -> None:
    assert normalise(" ＸＸ区审计局\u3000") == "XX区审计局"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "agency,type\nXX区财政局,行政机关\nXX区审计局,行政机关\n XX区财政局 ,行政机关\n",
            'r.csv:4: agency "XX区财政局" is on the roster twice: line 2 and line 4',
            id="duplicate agency",
        ),
        pytest.param(
            "agency,code\nXX区财政局,XQ019\nXX区审计局,XQ019\n",
            'r.csv:3: code "XQ019" is on the roster twice: line 2 ("XX区财政局") and line 3 ("XX区审计局")',
            id="duplicate code",
        ),
        pytest.param(
            "agency,code\nXX区财政局,ＸＱ019\nXX区审计局,XQ019\n",
            'r.csv:3: code "XQ019" is on the roster twice: line 2 ("XX区财政局") and line 3 ("XX区审计局")',
            id="duplicate code in full-width letters",
        ),
        pytest.param(
            "agency,parent\nXX区财政局,\nXX区政府采购中心,XX区财政厅\n",
            "r.csv:3: parent \"XX区财政厅\" is not on the roster (did you mean 'XX区财政局'?)",
            id="parent not on the roster",
        ),
        pytest.param(
            "agency,parent\nXX区财政局,\nXX区政府采购中心,XX区财政局\nXX区采购科,XX区政府采购中心\n",
            'r.csv:4: parent "XX区政府采购中心" is itself a 二级单位 (of "XX区财政局", line 3); '
            "a 二级单位 belongs to an agency without a parent",
            id="parent is a 二级单位",
        ),
        pytest.param(
            "agency,parent\nXX区财政局,XX区财政局\n",
            'r.csv:2: "XX区财政局" names itself as its parent',
            id="own parent",
        ),
        pytest.param("agency,type\n,行政机关\n", "r.csv:2: the agency cell is empty", id="empty agency"),
        pytest.param("agency,type\nXX区财政局\n", "r.csv:2: has 1 cells, the header has 2", id="short row"),
        pytest.param(
            "agency,parnet\nXX区财政局,\n",
            "r.csv:1: unknown column 'parnet' (did you mean 'parent'?); expected agency, parent, type, code",
            id="unknown column",
        ),
        pytest.param(
            "name,type\n",
            "r.csv:1: unknown column 'name'; expected agency, parent, type, code\n"
            "r.csv:1: the header needs an 'agency' column",
            id="no agency column",
        ),
        pytest.param(
            "agency,agency\nXX区财政局,XX区财政局\n",
            "r.csv:1: column 'agency' appears twice",
            id="column twice",
        ),
        pytest.param(
            "agency,,\nXX区财政局,,\nXX区审计局,,撤并\n",
            'r.csv:3: column 3 has no name in the header (line 1) but holds a string ("撤并");'
            " name the column or empty the cell",
            id="value under no column name",
        ),
        pytest.param("", "r.csv: the roster is empty; expected a header row with 'agency'", id="empty file"),
        pytest.param(
            "agency,code\nXX区财政局,9.11E+17\n",
            'r.csv:2: the code "9.11E+17" is a number as Excel shows it in scientific notation, its last '
            "digits lost; set the column's format to 文本 (Text), type the code again and save the file",
            id="code in scientific notation",
        ),
        # What a spreadsheet saves for a sheet with formatted but empty cells.
        pytest.param(
            "\r\n,,,\r\n,,\r\n",
            "r.csv: the roster is empty; expected a header row with 'agency'",
            id="only blank rows",
        ),
        # A title typed above the table (merged across its columns) comes first when saved as CSV.
        pytest.param(
            "XX区节约型机关创建名录,,,\n单位,上级单位,类型,代码\nXX区财政局,,行政机关,\n",
            "r.csv:1: the header needs an 'agency' column; line 2 has one: delete the rows above it",
            id="title above the header",
        ),
        pytest.param("agency\n", "r.csv: the roster lists no agencies", id="no rows"),
        pytest.param(
            'agency\n"XX区财政局\n', "r.csv:2: invalid CSV: unexpected end of data", id="open quote"
        ),
    ],
)
def test_bad_csv_rosters(text: str, message: str) -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_roster(text, format="csv", file="r.csv")
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            '[[agencies]]\nagency = "XX区财政局"\n\n[[agencies]]\nagency = "XX区财政局"\n',
            'r.toml:4: agencies[1]: agency "XX区财政局" is on the roster twice: line 1 and line 4',
            id="duplicate agency",
        ),
        pytest.param(
            '[[agencies]]\nagency = "XX区财政局"\nparnet = "XX区"\n',
            "r.toml:1: agencies[0].parnet: unknown key 'parnet' (did you mean 'parent'?)",
            id="unknown key",
        ),
        pytest.param(
            '[[agencies]]\ntype = "行政机关"\n',
            "r.toml:1: agencies[0]: missing required key 'agency'",
            id="missing agency",
        ),
        pytest.param(
            "[[agencies]]\nagency = 12\n",
            "r.toml:1: agencies[0].agency: expected a string, got a number (12)",
            id="agency not a string",
        ),
        pytest.param(
            '[[agencies]]\nagency = "XX区财政局"\nparent = ""\n',
            "r.toml:1: agencies[0].parent: is empty; give a name or leave the key out",
            id="empty parent",
        ),
        pytest.param(
            'agencies = ["XX区财政局"]\n',
            'r.toml: agencies[0]: expected a table, got a string ("XX区财政局")',
            id="not tables",
        ),
        pytest.param(
            '[[agency]]\nagency = "XX区财政局"\n',
            "r.toml: agency: unknown key 'agency' (did you mean 'agencies'?)\n"
            'r.toml: top level: missing [[agencies]] tables, each with at least agency = "…"',
            id="misspelt table",
        ),
        pytest.param(
            '[[agencies]\nagency = "x"\n',
            "r.toml:1:11: invalid TOML: Expected ']]' at the end of an array declaration",
            id="syntax",
        ),
    ],
)
def test_bad_toml_rosters(text: str, message: str) -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_roster(text, format="toml", file="r.toml")
    assert str(excinfo.value) == message


def test_every_bad_row_is_reported_at_once() -> None:
    text = "agency,parent\nXX区财政局,\nXX区财政局,\nXX区采购中心,XX区财政厅\n"
    with pytest.raises(RubricError) as excinfo:
        loads_roster(text, format="csv", file="r.csv")
    assert [(p.line, p.message) for p in excinfo.value.problems] == [
        (3, 'agency "XX区财政局" is on the roster twice: line 2 and line 3'),
        (4, "parent \"XX区财政厅\" is not on the roster (did you mean 'XX区财政局'?)"),
    ]


def test_an_unreadable_roster_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.csv"
    with pytest.raises(RubricError) as excinfo:
        load_roster(missing)
    assert str(excinfo.value) == f"{missing}: cannot read file: No such file or directory"


_WORKBOOK_ROSTER = (
    "a workbook, not a CSV or TOML roster; in Excel or WPS save the roster as CSV UTF-8 "
    "(另存为 → CSV UTF-8（逗号分隔）) and give that file"
)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("名录.xlsx", b"PK\x03\x04" + bytes(60)),
        ("名录.xls", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(60)),
        ("名录.et", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(60)),
        # By its bytes, whatever its name says.
        ("名录.csv", b"PK\x03\x04" + bytes(60)),
    ],
)
def test_a_roster_kept_as_a_workbook_is_refused_with_what_to_do(
    tmp_path: Path, name: str, content: bytes
) -> None:
    # Offices keep the 名录 in Excel; it was refused as "not UTF-8 text (byte 12)".
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RubricError) as excinfo:
        load_roster(path)
    assert str(excinfo.value) == f"{path}: {_WORKBOOK_ROSTER}"
