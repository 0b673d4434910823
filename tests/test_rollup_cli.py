"""``conserv-rubric rollup``: exit codes, every format, -o and --compare, driven in-process.

The district here has three 区级 agencies (one with a 二级单位): 财政局 scores 100, 审计局 80 and
统计局 78, so 2 of 3 reach 节约型机关. The plan's goals are 50 % (⌈1.5⌉ = 2: met) and 70 %
(⌈2.1⌉ = 3: 还差1家).
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tomli_w

import conserv_rubric as cr
from conserv_rubric import cli, load_rubric
from conserv_rubric._provenance import rubric_hash

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"

PASS_SHEET = ROOT / "examples" / "district" / "pass.toml"  # 92 points


def _answers(total: int) -> dict[str, Any]:
    """Answers worth *total* points: all 100, then 2-point flags of unit 4 off."""
    text = PASS_SHEET.read_text(encoding="utf-8")
    answers: dict[str, Any] = tomllib.loads(text)["answers"]
    # pass.toml scores 92 (its header works it out); 1.1.1.c (3), 2.2.5.d (1), 2.2.2 (+1 entry), 3.2.2 (3)
    # make it 100.
    answers |= {"1.1.1.c": True, "2.2.5.d": True, "3.2.2": True}
    answers["2.2.2"] = [*answers["2.2.2"], "定额管理"]
    off = ["4.1.1", "4.1.2", "4.1.3", "4.1.4", "4.2.1", "4.2.2", "4.2.3", "4.3.1", "4.3.2", "4.3.3", "4.3.4"]
    assert (100 - total) % 2 == 0
    for address in off[: (100 - total) // 2]:
        answers[address] = False
    return answers


PLAN = """\
title = "XX区节约型机关创建行动方案"
year = 2024

[rubric]
title = "XX区节约型机关评价标准"
level = "节约型机关"

[[goals]]
by = 2024-12-31
share = 0.5

[[goals]]
by = 2024-12-31
share = 0.7
"""


def _sheet(path: Path, agency: str, total: int, year: int = 2024) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"sheet": {"agency": agency, "year": year, "stage": "self"}, "answers": _answers(total)}
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")


@pytest.fixture
def district(tmp_path: Path) -> dict[str, Path]:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "agency,parent,type\nXX区财政局,,行政机关\nXX区政府采购中心,XX区财政局,事业单位\n"
        "XX区审计局,,行政机关\nXX区统计局,,行政机关\n",
        encoding="utf-8",
    )
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    sheets = tmp_path / "sheets"
    _sheet(sheets / "a.toml", "XX区财政局", 100)
    _sheet(sheets / "b.toml", "XX区审计局", 80)
    _sheet(sheets / "c.toml", "XX区统计局", 78)
    return {"roster": roster, "plan": plan, "sheets": sheets}


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _base(d: dict[str, Path]) -> list[str | Path]:
    return ["rollup", DISTRICT, d["sheets"], "--plan", d["plan"], "--roster", d["roster"]]


def test_the_answers_score_what_they_say(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for total in (100, 80, 78):
        _sheet(tmp_path / f"{total}.toml", "XX区财政局", total)
        code, out, _ = run(capsys, "score", DISTRICT, tmp_path / f"{total}.toml", "--format", "json")
        assert json.loads(out)["total"] == total
        assert code == (0 if total >= 80 else 1)


def test_a_goal_not_met_exits_1(capsys: pytest.CaptureFixture[str], district: dict[str, Path]) -> None:
    code, out, err = run(capsys, *_base(district))
    assert (code, err) == (1, "")
    assert "应创建单位 3 家（名录 4 家，其中二级单位 1 家）；已申报 3 家，未申报 0 家" in out
    assert "建成“节约型机关” 2 家，占 66.66%（2/3）" in out  # 0.6666… rounded down
    assert "2024年12月31日   50%       2       2  已完成" in out
    assert "2024年12月31日   70%       3       2  还差1家" in out


def test_every_goal_met_exits_0(capsys: pytest.CaptureFixture[str], district: dict[str, Path]) -> None:
    _sheet(district["sheets"] / "c.toml", "XX区统计局", 90)
    code, out, err = run(capsys, *_base(district))
    assert (code, err) == (0, "")
    assert "2024年12月31日   70%       3       3  已完成" in out


def test_a_failed_input_exits_2_and_is_on_stderr(
    capsys: pytest.CaptureFixture[str], district: dict[str, Path]
) -> None:
    _sheet(district["sheets"] / "c.toml", "XX区统计局", 90, year=2023)
    (district["sheets"] / "d.toml").write_text(
        '[sheet]\nagency = "XX区人防办"\nyear = 2024\n', encoding="utf-8"
    )
    code, out, err = run(capsys, *_base(district))
    assert code == 2
    sheets = district["sheets"]
    assert err == (
        f"{sheets / 'c.toml'}: sheet.year: the sheet is for 2023; the roll-up is for 2024\n"
        f'{sheets / "d.toml"}: not counted: agency "XX区人防办" is not on the roster\n'
    )
    assert "无法计入的输入（1处）：" in out
    assert "未申报（1家）：\n  XX区统计局" in out


def test_an_unreadable_roster_exits_2(capsys: pytest.CaptureFixture[str], district: dict[str, Path]) -> None:
    district["roster"].write_text("agency\nXX区财政局\nXX区财政局\n", encoding="utf-8")
    code, out, err = run(capsys, *_base(district))
    assert (code, out) == (2, "")
    assert err == f'{district["roster"]}:3: agency "XX区财政局" is on the roster twice: line 2 and line 3\n'


def test_json_is_the_contract(capsys: pytest.CaptureFixture[str], district: dict[str, Path]) -> None:
    code, out, _ = run(capsys, *_base(district), "--format", "json")
    doc = json.loads(out, parse_float=Decimal)
    assert code == 1
    assert doc["schema_version"] == 1
    assert doc["summary"]["share"] == Decimal("0.6666")
    assert [(g["needed"], g["met"], g["short_by"]) for g in doc["summary"]["goals"]] == [
        (2, True, 0),
        (3, False, 1),
    ]
    assert [(a["agency"], a["total"], a["counted"]) for a in doc["agencies"]] == [
        ("XX区财政局", 100, True),
        ("XX区政府采购中心", None, False),
        ("XX区审计局", 80, True),
        ("XX区统计局", 78, True),
    ]
    assert doc["provenance"]["hash"].startswith("sha256:")


def test_markdown_has_headings_and_tables(
    capsys: pytest.CaptureFixture[str], district: dict[str, Path]
) -> None:
    code, out, _ = run(capsys, *_base(district), "--format", "markdown")
    assert code == 1
    assert out.startswith("## XX区节约型机关创建行动方案 — 2024年度汇总\n")
    assert (
        "### 目标完成情况\n\n| 截止日期 | 目标 | 需建成 | 已建成 | 完成情况 |\n"
        "| --- | ---: | ---: | ---: | --- |\n" in out
    )
    assert "| 2024年12月31日 | 70% | 3 | 2 | 还差1家 |" in out


def test_csv_to_a_file_has_a_bom_and_one_row_per_agency(
    capsys: pytest.CaptureFixture[str], district: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "汇总.csv"
    code, out, _ = run(capsys, *_base(district), "--format", "csv", "-o", target)
    assert (code, out) == (1, "")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "agency",
        "code",
        "parent",
        "type",
        "counted",
        "stage",
        "file",
        "line",
        "date",
        "1 强化目标管理",
        "2 完善制度体系",
        "3 推行绿色办公",
        "4 实行生活垃圾分类",
        "5 开展宣传教育",
        "total",
        "level",
        "passed",
        "reached",
        "failed_gates",
        "rubric_hash",
        "library",
    ]
    assert {(r[19], r[20]) for r in rows[1:]} == {(rubric_hash(load_rubric(DISTRICT)), cr.__version__)}
    assert [(r[0], r[4], r[12], r[14], r[15], r[17]) for r in rows[1:]] == [
        ("XX区财政局", "true", "22", "100", "节约型机关", "true"),
        ("XX区政府采购中心", "false", "", "", "", "false"),
        ("XX区审计局", "true", "2", "80", "节约型机关", "true"),
        ("XX区统计局", "true", "0", "78", "", "false"),
    ]
    # To standard output there is no BOM.
    run(capsys, *_base(district), "--format", "csv")
    assert not capsys.readouterr().out.startswith("\ufeff")


def test_a_name_that_starts_like_a_formula_is_written_as_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _sheet(tmp_path / "a.toml", '=HYPERLINK("x")', 100)
    code, out, _ = run(capsys, "rollup", DISTRICT, tmp_path / "a.toml", "--format", "csv")
    assert code == 0
    assert next(csv.reader(io.StringIO(out.splitlines()[1])))[0] == '\'=HYPERLINK("x")'


def test_a_name_with_markdown_syntax_is_escaped_once_in_markdown_tables(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Escaped once, the row renders as the name typed; escaped twice, the reader would see the
    # backslashes and "&lt;" themselves.
    _sheet(tmp_path / "a.toml", "**甲局** [x](y) <b> a|b", 100)
    code, out, _ = run(capsys, "rollup", DISTRICT, tmp_path / "a.toml", "--format", "markdown")
    assert code == 0
    row = "| 1 | \\*\\*甲局\\*\\* \\[x\\](y) &lt;b&gt; a\\|b |  | 自评 | 100 | 节约型机关 | a.toml |"
    assert row in out.splitlines()


def test_an_unwritable_output_exits_2(
    capsys: pytest.CaptureFixture[str], district: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "nosuch" / "out.txt"
    code, _, err = run(capsys, *_base(district), "-o", target)
    assert code == 2
    assert err == f"{target}: cannot write file: No such file or directory\n"


def test_compare_lists_who_moves_under_another_edition(
    capsys: pytest.CaptureFixture[str], district: dict[str, Path], tmp_path: Path
) -> None:
    stricter = tmp_path / "district-81.toml"
    stricter.write_text(
        DISTRICT.read_text(encoding="utf-8").replace(
            'name = "节约型机关"\nmin = 80', 'name = "节约型机关"\nmin = 81'
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, *_base(district), "--compare", stricter)
    assert code == 1
    assert "另一版本对比（what-if）：" in out
    assert "建成 2 家 → 1 家；占 66.66% → 33.33%" in out
    assert "XX区审计局  80分 节约型机关  80分 未达到" in out
    code, out, _ = run(capsys, *_base(district), "--compare", stricter, "--format", "json")
    doc = json.loads(out)
    assert [(c["agency"], c["base_level"], c["other_level"]) for c in doc["compare"]["changes"]] == [
        ("XX区审计局", "节约型机关", None)
    ]
    assert doc["compare"]["base"]["provenance"]["hash"] != doc["compare"]["other"]["provenance"]["hash"]


def test_help_lists_rollup(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["rollup", "--help"])
    out = capsys.readouterr().out
    assert "SHEET_OR_FOLDER" in out
    assert "--compare OTHER_RUBRIC" in out


def test_compare_with_the_province_style_variant_names_removed_items(
    capsys: pytest.CaptureFixture[str], district: dict[str, Path]
) -> None:
    # YY区's variant removes 3.1.3 (1 point) and lets 2.2.2 count six rules instead of five. 审计局's
    # answers (80 here) meet 3.1.3 and name five rules: 80 − 1 = 79 there, below the level. 财政局
    # (100 − 1 = 99 there) and 统计局 (78 − 1 = 77 there) keep their levels.
    variant = ROOT / "rubrics" / "variants" / "yy-district.toml"
    code, out, _ = run(capsys, *_base(district), "--compare", variant, "--format", "json")
    doc = json.loads(out)
    changes = doc["compare"]["changes"]
    assert [
        (c["agency"], c["base_total"], c["other_total"], c["base_level"], c["other_level"]) for c in changes
    ] == [("XX区审计局", 80, 79, "节约型机关", None)]
    assert {
        "address": "3.1.3",
        "text": "充分利用自然采光，得1分。",
        "from_points": 1,
        "to_points": None,
        "difference": None,
    } in changes[0]["items"]
    assert doc["compare"]["other"]["provenance"]["rubric"] == "YY区节约型机关评价标准"
    assert code == 1


def test_compare_with_the_same_rubric_moves_no_one(
    capsys: pytest.CaptureFixture[str], district: dict[str, Path]
) -> None:
    code, out, _ = run(capsys, *_base(district), "--compare", DISTRICT)
    assert code == 1
    assert out.rstrip().endswith("两个版本下各单位认定结果相同")
