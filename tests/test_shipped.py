"""Every shipped rubric validates (or reports exactly its known problems), and every example sheet
scores the total written by hand at its top.

Paths in messages are relative to the repository root, as given to `read_rubric`, so the tests run
from there.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from conserv_rubric import RubricError, load_rubric, load_sheet, score
from conserv_rubric._rubric_io import read_rubric

ROOT = Path(__file__).resolve().parent.parent
RUBRICS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "rubrics").rglob("*.toml"))
SHEETS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "examples").glob("*/*.toml"))

# Shipped rubrics that transcribe a standard whose own numbers do not add up, kept as published
# (MECHANISMS.md, "Declared-total validation facts" and "Edge and ambiguity hazards").
INVALID_BY_DESIGN: dict[str, list[str]] = {
    # 四川省节水型企业评价标准 item 6: 标准分 10, recovered sub-items 5 + 2 + 1 + 1 = 9.
    "rubrics/sichuan-jieshui-qiye.toml": [
        "rubrics/sichuan-jieshui-qiye.toml: item 1.6 in unit 1 考评内容（序号1–6） (units[0].items[5]): "
        "declares 10 points, its parts add up to 9",
    ],
    # County 节能目标责任 table 序号7: "完成年度目标得4分，完成80%得2分，不足70%的不得分" leaves 70–80%.
    "rubrics/jieneng-mubiao-zeren-county.toml": [
        "rubrics/jieneng-mubiao-zeren-county.toml: part 2.7.c in unit 2 节能措施 "
        "(units[1].items[5].parts[2]): bands leave numbers from 70 to 80 uncovered",
    ],
}

# (total, level) of every example sheet, checked by hand against its answers; the comment at the
# top of each sheet must state the same total.
EXPECTED: dict[str, tuple[Decimal, str | None]] = {
    # 9 + 19 + 20 + 18 + 14
    "examples/district/at-80.toml": (Decimal("80"), "节约型机关"),
    # 6 + 13 + 17 + 16 + 12
    "examples/district/fail.toml": (Decimal("64"), None),
    # 6 + 25 + 22 + 22 + 17 (5.1.2: six signs, capped at 4)
    "examples/district/pass.toml": (Decimal("92"), "节约型机关"),
    # 30 + 20 + 8 + 5 + 10 + 15 + 12 + 20 + 20 = 140, capped at 100; (400 + 100) / 10
    "examples/gbt50378-2019-jiafenxiang/fengding.toml": (Decimal("50"), None),
    # 15 + 20 + 0 + 3 + 5 + 10 + 12 + 16 + 10 = 91; (400 + 91) / 10
    "examples/gbt50378-2019-jiafenxiang/yixiang.toml": (Decimal("49.1"), None),
    # 2 + 2.5 + 1 + 0 + 5 + 3.15 (5 × 62.9%, half up) + 0 + 10 + 0 + 0 + 5 + 2 + 3
    "examples/gonggong-jigou-laji-fenlei/bujige.toml": (Decimal("33.65"), None),
    # 4 + 5 + 5 (2 + 4 capped) + 5 + 10 + 4.38 (5 × 87.5%) + 5 + 10 + 5 + 0 + 10 + 7 + 14
    "examples/gonggong-jigou-laji-fenlei/lianghao.toml": (Decimal("84.38"), None),
    # 1.1 = 40 + 9 (135%); unit 2 = 2 + 3 + 16 + 10 + 6 + 8 + 2 + 5 = 52
    "examples/jieneng-mubiao-zeren-county/chaoe-wancheng.toml": (Decimal("101"), "超额完成"),
    # 1.1 = 40 + 0 (100%); unit 2 = 1 + 2 + 8 + 6 + 0 + 3 + 1 + 3 = 24
    "examples/jieneng-mubiao-zeren-county/jiben-wancheng.toml": (Decimal("64"), "基本完成"),
    # 1.1 = 36 (96%, veto fails); unit 2 = 2 + 3 + 20 + 10 + 9 + 6 + 3 + 5 = 58
    "examples/jieneng-mubiao-zeren-county/weiwancheng-veto.toml": (Decimal("94"), None),
    # base 0 + 8 + 2 + 4 + 14 + 2 + 4 = 34; bonus 5 + 1
    "examples/leed-v41-bdc/certified-edge.toml": (Decimal("40"), "Certified"),
    # base 1 + 11 + 7 + 7 + 17 + 6 + 9 = 58; bonus 4 + 2
    "examples/leed-v41-bdc/gold.toml": (Decimal("64"), "Gold"),
    # base 1 + 16 + 10 + 11 + 28 + 13 + 16 = 95; bonus 6 + 4; prerequisite 7.2 not met
    "examples/leed-v41-bdc/prereq-failed.toml": (Decimal("105"), None),
    # 0 + 0 + 5 + 0 + 9 + 5 + 0 + 4
    "examples/shenzhen-laji-fenlei-lvse-danwei/kouwan-weizhi.toml": (Decimal("23"), None),
    # 3 + 8 + 10 + 9 + 13 + 10 + 3 + 5
    "examples/shenzhen-laji-fenlei-lvse-danwei/lianghao.toml": (Decimal("61"), None),
    # 0 + 1 + 0 + 2 + 1 + 0 + 1 + 2
    "examples/shenzhen-lvse-jiguan-kaoping/chajin.toml": (Decimal("7"), None),
    # 2 + 3 + 2 + 3 + 3 + 2 + 2.5 + 4
    "examples/shenzhen-lvse-jiguan-kaoping/lianghao.toml": (Decimal("21.5"), None),
    # 0 + 0 + 0 + 3 + 0 + 9
    "examples/sichuan-jieshui-qiye/kouwan.toml": (Decimal("12"), None),
    # 12 + 11 + 13 + 12 + 4 + 7
    "examples/sichuan-jieshui-qiye/shide.toml": (Decimal("59"), None),
    # 18 + 13 + 15 + 15 + 8 + 8
    "examples/sichuan-jieshui-qiye/zicha.toml": (Decimal("77"), None),
}

HAND_TOTAL = re.compile(r"^# Expected total \(by hand\): (\d+(?:\.\d+)?)\b", re.MULTILINE)


def test_the_folders_hold_files() -> None:
    assert len(RUBRICS) >= 5
    assert len(SHEETS) >= 5
    assert sorted(EXPECTED) == SHEETS


@pytest.mark.parametrize("path", RUBRICS)
def test_rubric_validates_or_reports_its_known_problems(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    _, problems = read_rubric(path)
    expected = INVALID_BY_DESIGN.get(path, [])
    assert [str(p) for p in problems] == expected
    if expected:
        with pytest.raises(RubricError) as excinfo:
            load_rubric(path)
        assert str(excinfo.value) == "\n".join(expected)
    else:
        load_rubric(path)


def test_invalid_by_design_rubrics_are_shipped() -> None:
    assert set(INVALID_BY_DESIGN) <= set(RUBRICS)


@pytest.mark.parametrize("path", SHEETS)
def test_example_scores_its_hand_total(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    stem = Path(path).parent.name
    rubric, _ = read_rubric(f"rubrics/{stem}.toml")
    total, level = EXPECTED[path]
    found = HAND_TOTAL.search(Path(path).read_text(encoding="utf-8"))
    assert found is not None, "the sheet's top comment gives no hand total"
    assert Decimal(found.group(1)) == total
    card = score(rubric, load_sheet(path))
    assert card.total == total
    assert card.level == level
