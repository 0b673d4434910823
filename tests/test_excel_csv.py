"""CSV that opens right where offices open it (DESIGN §10): a BOM in files, Chinese headers both
ways, no formula, and where each row came from."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

import conserv_rubric as cr
from conserv_rubric import SheetError, cli, load_rubric, load_sheet, load_sheets, score
from conserv_rubric._provenance import rubric_hash
from conserv_rubric.energy import load_energy
from conserv_rubric.rollup import load_roster

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
EXAMPLES = ROOT / "examples" / "district"
YEAR = ROOT / "examples" / "district-year"
BOM = b"\xef\xbb\xbf"
UNITS = ["1 强化目标管理", "2 完善制度体系", "3 推行绿色办公", "4 实行生活垃圾分类", "5 开展宣传教育"]
ZH_CARD = [
    "单位",
    "统一社会信用代码",
    "年度",
    "阶段",
    "填表人",
    "日期",
    *UNITS,
    "总分",
    "满分",
    "等级",
    "是否通过",
    "未通过的门槛项",
    "来源文件",
    "行号",
    "评价标准哈希值",
    "软件版本",
]


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_score_table_for_excel_starts_with_a_bom_and_reads_back_in_chinese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sheet = tmp_path / "=HYPERLINK.toml"
    # A name Excel would run as a formula, and a total worked out by hand: pass.toml's 92 less
    # 2.1.2 (2 points) = 90.
    text = (EXAMPLES / "pass.toml").read_text(encoding="utf-8")
    text = text.replace('agency = "XX区发展和改革局"', 'agency = "=1+2"', 1)
    text = text.replace('"2.1.2" = true', '"2.1.2" = false', 1)
    sheet.write_text(text, encoding="utf-8")
    target = tmp_path / "得分表.csv"
    args = ("score", DISTRICT, EXAMPLES / "pass.toml", sheet, "--format", "csv", "--headers", "zh")
    code, out, err = run(capsys, *args, "-o", target)
    assert (code, out, err) == (0, "", "")
    rows = _rows(target.read_bytes())
    assert rows[0] == ZH_CARD
    digest = rubric_hash(load_rubric(DISTRICT))
    assert rows[1] == [
        "XX区发展和改革局",
        "",
        "2024",
        "self",
        "李明（办公室）",
        "",
        "6",
        "25",
        "22",
        "22",
        "17",
        "92",
        "100",
        "节约型机关",
        "true",
        "",
        str(EXAMPLES / "pass.toml"),
        "",
        digest,
        cr.__version__,
    ]
    assert (rows[2][0], rows[2][7], rows[2][11], rows[2][16]) == ("'=1+2", "23", "90", str(sheet))
    assert len(rows) == 3


def test_the_bom_is_for_files_unless_asked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = ("score", DISTRICT, EXAMPLES / "pass.toml", "--format", "csv")
    code, out, _ = run(capsys, *base)
    assert (code, out[:7]) == (0, "agency,")
    code, out, _ = run(capsys, *base, "--bom")
    assert (code, out[:8]) == (0, "\ufeffagency,")
    target = tmp_path / "plain.csv"
    code, out, _ = run(capsys, *base, "--no-bom", "-o", target)
    assert (code, out) == (0, "")
    assert target.read_bytes().startswith(b"agency,")


@pytest.mark.parametrize(
    ("args", "option", "shape"),
    [
        (("score", DISTRICT, EXAMPLES / "pass.toml", "--headers", "zh"), "--headers", "text"),
        (("score", DISTRICT, EXAMPLES / "pass.toml", "--format", "json", "--bom"), "--bom", "json"),
        (("rollup", DISTRICT, EXAMPLES / "pass.toml", "--format", "html", "--no-bom"), "--no-bom", "html"),
    ],
)
def test_a_csv_option_with_another_format_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], args: tuple[str | Path, ...], option: str, shape: str
) -> None:
    with pytest.raises(SystemExit) as excinfo:
        cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert (excinfo.value.code, out) == (2, "")
    command = str(args[0])
    assert err.splitlines()[-1] == (
        f"conserv-rubric {command}: error: {option} applies to --format csv only, not --format {shape}"
    )


def test_a_failed_gate_is_a_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rubric = ROOT / "rubrics" / "leed-v41-bdc.toml"
    sheet = ROOT / "examples" / "leed-v41-bdc" / "prereq-failed.toml"
    card = score(load_rubric(rubric), load_sheet(sheet))
    assert [g.reason for g in card.failed_gates] == ["条目 7.2 未满足（必须完成项，未完成不予认定）"]
    code, out, _ = run(capsys, "score", rubric, sheet, "--format", "csv")
    assert code == 1
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert (row["passed"], row["failed_gates"], row["file"]) == (
        "false",
        "条目 7.2 未满足（必须完成项，未完成不予认定）",
        str(sheet),
    )


def test_a_csv_sheet_with_chinese_headers_reads_the_same(tmp_path: Path) -> None:
    english = tmp_path / "en.csv"
    english.write_text(
        "agency,code,year,stage,assessor,date,2.1.1,2.2.2\n"
        "XX区财政局,11110000MB0000000X,2024,self,张三,2024-10-20,true,节能;节水\n",
        encoding="utf-8",
    )
    chinese = tmp_path / "zh.csv"
    # As Excel saves "CSV UTF-8": with a byte order mark.
    chinese.write_bytes(
        BOM
        + "单位,统一社会信用代码,年度,阶段,填表人,日期,2.1.1,2.2.2\n"
        "XX区财政局,11110000MB0000000X,2024,self,张三,2024-10-20,true,节能;节水\n".encode()
    )
    (en,) = load_sheets(english)
    (zh,) = load_sheets(chinese)
    assert zh.info == en.info
    assert zh.info.agency == "XX区财政局"
    assert zh.answers == en.answers
    rubric = load_rubric(DISTRICT)
    # 2.1.1 (1) + 2.2.2 two entries × 1 = 3.
    assert score(rubric, zh).total == score(rubric, en).total == Decimal(3)


def test_a_column_given_in_both_languages_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "both.csv"
    path.write_text("agency,年度,year,2.1.1\n甲局,2024,2024,true\n", encoding="utf-8")
    with pytest.raises(SheetError) as excinfo:
        load_sheets(path)
    assert str(excinfo.value) == f"{path}:1: columns '年度' and 'year' both name the column 'year'; keep one"


def test_a_roster_with_the_credit_code_header(tmp_path: Path) -> None:
    path = tmp_path / "名录.csv"
    path.write_bytes(
        BOM + "单位,统一社会信用代码,上级单位,类型\nXX区财政局,11110000MB0000000X,,行政机关\n".encode()
    )
    (entry,) = load_roster(path).agencies
    assert (entry.agency, entry.code, entry.parent, entry.type) == (
        "XX区财政局",
        "11110000MB0000000X",
        None,
        "行政机关",
    )


def test_an_energy_csv_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "能耗.csv"
    path.write_text(
        "单位,年度,energy.year,energy.area,energy.energy_users,energy.water,"
        "energy.use.electricity.kwh,energy.vehicles.gasoline.litres\n"
        "XX区财政局,2024,2023,8000,120,3000,240000,0\n",
        encoding="utf-8",
    )
    (data,) = load_energy(path)
    assert (data.agency, data.year, data.line) == ("XX区财政局", 2023, 2)


def test_a_rollup_table_for_excel(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "汇总.csv"
    code, _, _ = run(
        capsys,
        "rollup",
        DISTRICT,
        YEAR / "sheets",
        "--plan",
        "district",
        "--roster",
        YEAR / "roster.csv",
        "--format",
        "csv",
        "--headers",
        "zh",
        "-o",
        target,
    )
    assert code == 2  # the example's broken sheet
    rows = _rows(target.read_bytes())
    assert rows[0] == [
        "单位",
        "统一社会信用代码",
        "上级单位",
        "类型",
        "是否计入",
        "阶段",
        "来源文件",
        "行号",
        "日期",
        *UNITS,
        "总分",
        "等级",
        "是否通过",
        "是否建成",
        "未通过的门槛项",
        "评价标准哈希值",
        "软件版本",
    ]
    assert len(rows) == 1 + 60  # one row per roster agency
    assert {r[-2] for r in rows[1:]} == {rubric_hash(load_rubric(DISTRICT))}
    assert [r[0] for r in rows[1:]] == [a.agency for a in load_roster(YEAR / "roster.csv").agencies]
