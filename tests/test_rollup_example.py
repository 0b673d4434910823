"""The example district of examples/district-year/ gives the figures worked out in docs/district-year.md.

The roster has 42 区级党政机关 and 18 二级单位; 二级单位 count with their parents, so the share is
over 42. 37 agencies sent a sheet that reads; 26 of them reach 节约型机关 at their latest stage.
"""

from __future__ import annotations

import csv
import datetime
import importlib.util
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import cli, load_rubric
from conserv_rubric.rollup import Rollup, compare, rollup, rubric_hash

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "district-year"
PLAN = ROOT / "plans" / "district.toml"
DISTRICT = ROOT / "rubrics" / "district.toml"
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def year() -> Rollup:
    return rollup(load_rubric(DISTRICT), [EXAMPLE / "sheets"], plan=PLAN, roster=EXAMPLE / "roster.csv")


def test_the_roster_has_sixty_agencies_with_secondary_units() -> None:
    with (EXAMPLE / "roster.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 60
    assert sum(1 for r in rows if r["parent"]) == 18


def test_the_shares_and_goals_match_the_docs(year: Rollup) -> None:
    s = year.summary
    assert (s.agencies, s.sheets, s.reached) == (42, 37, 26)
    assert s.share == Decimal("0.619")  # 26 / 42 = 0.61904…, rounded down to 4 places: 0.6190
    # 25 %: ⌈10.5⌉ = 11; 50 %: 21; 70 %: ⌈29.4⌉ = 30, so 还差 30 − 26 = 4 家.
    assert [(g.by, g.share, g.needed, g.met, g.short_by) for g in s.goals] == [
        (datetime.date(2024, 12, 31), Decimal("0.25"), 11, True, 0),
        (datetime.date(2024, 12, 31), Decimal("0.50"), 21, True, 0),
        (datetime.date(2024, 12, 31), Decimal("0.70"), 30, False, 4),
    ]


def test_the_lists_match_the_docs(year: Rollup) -> None:
    assert [m.agency for m in year.missing] == [
        "XX区水利局",
        "XX区退役军人事务局",
        "XX区统计局",
        "XX区信访局",
        "XX区残疾人联合会",
    ]
    sheets = EXAMPLE / "sheets"
    assert [(e.file, e.line, e.column, e.message) for e in year.errors] == [
        (str(sheets / "自评" / "XX区水利局-自评打分表.toml"), 9, 16, "invalid TOML: Illegal character '\\n'")
    ]
    assert [(u.agency, u.total) for u in year.unmatched] == [("XX区人民防空办公室", Decimal(85))]
    assert [Path(s.file).name for s in year.skipped] == ["佐证材料.pdf", "~$XX区财政局-自评打分表.xlsx"]
    assert [(x.agency, x.days) for x in year.late] == [
        ("XX区市场监督管理局", 3),
        ("XX区司法局", 2),
        ("XX区商务局", 4),
    ]
    assert [(d.agency, d.from_total, d.to_total) for d in year.differences] == [
        ("XX区发展和改革委员会", Decimal(92), Decimal(90)),
        ("XX区教育局", Decimal(85), Decimal(78)),
        ("XX区财政局", Decimal(88), Decimal(88)),
        ("XX区住房和城乡建设局", Decimal(79), Decimal(81)),
        ("XX区卫生健康局", Decimal(83), Decimal(80)),
        ("XX区市场监督管理局", Decimal(90), Decimal(86)),
    ]
    assert len(year.below) == 11
    by_name = {a.agency: a for a in year.agencies}
    assert by_name["XX区人民政府办公室"].total == 95  # matched by its code XQ011 as "XX区政府办"
    assert by_name["XX区审计局"].total == 81  # matched as "ＸＸ区审计局 "
    own = by_name["XX区不动产登记中心"]
    assert (own.total, own.counted) == (Decimal(92), False)


def test_the_docs_state_the_same_figures() -> None:
    for page in ("district-year.md", "district-year.en.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        for figure in ("42", "37", "26", "61.90%", "29.4", "30", "10.5", "11", "21"):
            assert figure in text, (page, figure)
    zh = (DOCS / "district-year.md").read_text(encoding="utf-8")
    assert "还差4家" in zh
    assert "还差 4 家" not in zh


def test_the_what_if_at_85_points_moves_exactly_the_agencies_from_80_to_84(year: Rollup) -> None:
    other = load_rubric(ROOT / "examples" / "district-year" / "editions" / "district-85.toml")
    assert rubric_hash(other) != rubric_hash(year.rubric)
    assert year.plan is not None
    result = compare(
        year, rollup(other, [EXAMPLE / "sheets"], plan=year.plan.for_rubric(other), roster=year.roster)
    )
    # By hand from the table in make_example.py: the agencies whose latest total is 80 to 84.
    assert [(c.agency, c.base_total) for c in result.changes] == [
        ("XX区委组织部", Decimal(82)),
        ("XX区委政法委员会", Decimal(81)),
        ("XX区人大常委会办公室", Decimal(84)),
        ("XX区人民法院", Decimal(80)),
        ("XX区人民检察院", Decimal(83)),
        ("XX区工业和信息化局", Decimal(81)),
        ("XX区司法局", Decimal(82)),
        ("XX区人力资源和社会保障局", Decimal(84)),
        ("XX区住房和城乡建设局", Decimal(81)),
        ("XX区商务局", Decimal(83)),
        ("XX区文化和旅游局", Decimal(80)),
        ("XX区卫生健康局", Decimal(80)),
        ("XX区审计局", Decimal(81)),
        ("XX区总工会", Decimal(84)),
        ("XX区妇女联合会", Decimal(80)),
    ]
    assert all(c.items == () and c.base_total == c.other_total for c in result.changes)
    assert result.other.summary.reached == 26 - 15


def test_the_command_exits_2_for_the_broken_sheet(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["rollup", DISTRICT, EXAMPLE / "sheets", "--plan", PLAN, "--roster", EXAMPLE / "roster.csv"]
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert code == 2
    assert "建成“节约型机关” 26 家，占 61.90%（26/42）" in out
    assert "2024年12月31日   70%      30      26  还差4家" in out
    assert err.splitlines()[0].endswith(
        "XX区水利局-自评打分表.toml:9:16: invalid TOML: Illegal character '\\n'"
    )


@pytest.mark.parametrize("page", ["district-year.md", "district-year.en.md"])
def test_the_guides_quote_the_reports_as_the_commands_print_them(
    page: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The head of the roll-up and the what-if block, each quoted after the command that prints it.
    text = (DOCS / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```text\n((?:XX区节约型机关创建行动方案 — |另一版本对比).*?)```", text, re.DOTALL)
    assert len(blocks) == 2
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("COLUMNS", raising=False)
    base = ["rollup", "district", "examples/district-year/sheets", "--plan", "district"]
    base += ["--roster", "examples/district-year/roster.csv"]
    compare = ["--compare", "examples/district-year/editions/district-85.toml"]
    for block, args in zip(blocks, [[], compare], strict=True):
        assert cli.main(base + args) == 2
        out = capsys.readouterr().out
        assert block in out, block


def test_the_committed_example_is_what_the_script_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_example", EXAMPLE / "make_example.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_example"] = module
    try:
        spec.loader.exec_module(module)
        module.main(tmp_path)
    finally:
        del sys.modules["make_example"]
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(EXAMPLE)
        for p in [EXAMPLE / "roster.csv", *(EXAMPLE / "sheets").rglob("*")]
        if p.is_file()
    )
    assert written == committed
    assert len(written) > 40
    for relative in written:
        assert (tmp_path / relative).read_bytes() == (EXAMPLE / relative).read_bytes(), relative
