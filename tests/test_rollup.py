"""The roll-up: a district of 200+ sheets against its roster and plan, matching, stages and the what-if.

Sheets are built from three answer patterns whose totals are worked out by hand against the
district rubric (9 / 27 / 25 / 22 / 17):

- FULL answers every leaf at full points: 100.
- EDGE drops 4.1.1–4.1.4 (4 × 2), 4.2.1–4.2.3 (3 × 2) and 4.3.1–4.3.3 (3 × 2): 100 − 20 = 80.
- LOW drops all of unit 4 (22): 78.

So FULL and EDGE reach 节约型机关 (≥ 80) and LOW does not, 2 points short.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from conserv_rubric import (
    Rubric,
    RubricError,
    Sheet,
    SheetError,
    SheetInfo,
    load_rubric,
    load_sheet,
    load_sheets,
    loads_rubric,
    score,
)
from conserv_rubric._provenance import canonical_json
from conserv_rubric.pages import render_rollup_html
from conserv_rubric.rollup import (
    HASH_VERSION,
    SCHEMA_VERSION,
    Rollup,
    compare,
    render_rollup,
    rollup,
    rubric_hash,
)

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"

FULL: dict[str, Any] = {
    **{f"1.1.1.{p}": True for p in "abc"},
    **{f"2.1.{i}": True for i in range(1, 5)},
    "2.2.1.a": True,
    "2.2.1.b": True,
    "2.2.2": 5,
    "2.2.3": True,
    "2.2.4.a": True,
    "2.2.4.b": True,
    **{f"2.2.5.{p}": True for p in "abcd"},
    **{f"3.1.{i}": True for i in range(1, 6)},
    **{f"3.{p}.{i}": True for p in (2, 3, 4) for i in (1, 2)},
    **{f"4.1.{i}": True for i in range(1, 5)},
    **{f"4.2.{i}": True for i in range(1, 4)},
    **{f"4.3.{i}": True for i in range(1, 5)},
    "5.1.1": 2,
    "5.1.2": 4,
    "5.1.3": 2,
    "5.2.1": True,
    "5.2.2": 2,
}
EDGE: dict[str, Any] = FULL | {
    a: False for a in ("4.1.1", "4.1.2", "4.1.3", "4.1.4", "4.2.1", "4.2.2", "4.2.3")
}
EDGE |= {a: False for a in ("4.3.1", "4.3.2", "4.3.3")}
LOW: dict[str, Any] = FULL | {a: False for a in FULL if a.startswith("4.")}
TOTALS = {"FULL": 100, "EDGE": 80, "LOW": 78}
PATTERNS = {"FULL": FULL, "EDGE": EDGE, "LOW": LOW}

PLAN = """\
title = "XX区节约型机关创建行动方案"
year = 2024

[rubric]
title = "XX区节约型机关评价标准"
level = "节约型机关"

[[schedule]]
what = "自评"
stage = "self"
by = 2024-10-31

[[schedule]]
what = "核查"
stage = "verified"
start = 2024-11-01
by = 2024-11-15
"""
GOALS = """
[[goals]]
by = 2024-12-31
share = 0.25

[[goals]]
by = 2024-12-31
share = 0.5

[[goals]]
by = 2024-12-31
share = 0.7

[[goals]]
by = 2024-12-31
share = 0.7376
"""


@pytest.fixture(scope="module")
def district() -> Rubric:
    return load_rubric(DISTRICT)


def test_the_patterns_score_what_the_header_says(district: Rubric) -> None:
    assert {name: score(district, answers).total for name, answers in PATTERNS.items()} == TOTALS


def write_sheet(
    path: Path,
    agency: str,
    answers: dict[str, Any],
    *,
    stage: str = "self",
    year: int | None = 2024,
    date: str | None = "2024-10-20",
    code: str | None = None,
) -> Path:
    info: dict[str, Any] = {"agency": agency}
    if code is not None:
        info["code"] = code
    if year is not None:
        info["year"] = year
    info["stage"] = stage
    if date is not None:
        info["date"] = datetime.date.fromisoformat(date)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps({"sheet": info, "answers": answers}), encoding="utf-8")
    return path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- a district of 200+ sheets ---------------------------------------------------------------

TOP = 160  # 区级 agencies; agencies 1…20 have three 二级单位 each (60 in all)
SELF_SENT = 150  # agencies 1…150 send a self sheet; 151 sends a broken file; 152…160 nothing
SECONDARY_SENT = 50  # the first 50 二级单位 send sheets of their own, which do not count
VERIFIED = {2: "LOW", 4: "LOW", 6: "FULL", 8: "FULL", 10: "FULL", 12: "FULL", 14: "EDGE", 16: "LOW"}
LATE_SELF = {3: "2024-11-03", 7: "2024-11-01"}  # the deadline is 2024-10-31
LATE_VERIFIED = {4: "2024-11-16"}  # the deadline is 2024-11-15


def own_pattern(i: int) -> str:
    return "LOW" if i % 5 == 0 else "EDGE" if i % 5 == 1 else "FULL"


def name(i: int) -> str:
    return f"XX区单位{i:03d}"


@pytest.fixture(scope="module")
def big(district: Rubric, tmp_path_factory: pytest.TempPathFactory) -> tuple[Rollup, Path]:
    base = tmp_path_factory.mktemp("district")
    lines = ["agency,parent,type,code"]
    for i in range(1, TOP + 1):
        lines.append(f"{name(i)},,{'人民团体' if i % 4 == 0 else '行政机关'},C{i:03d}")
        lines.extend(f"{name(i)}-{k},{name(i)},事业单位," for k in (1, 2, 3) if i <= 20)
    roster = write(base / "roster.csv", "\n".join(lines) + "\n")
    plan = write(base / "plan.toml", PLAN + GOALS)
    sheets = base / "sheets"
    for i in range(1, SELF_SENT + 1):
        # Even agencies give their code and match by it; agency 20 by code alone, under an old
        # name; agency 21 writes its name in full-width letters with spaces (NFKC, trimmed).
        agency = {20: "XX区旧名称单位", 21: f"\u3000ＸＸ区单位{i:03d} "}.get(i, name(i))
        code = f"C{i:03d}" if i % 2 == 0 else None
        date = LATE_SELF.get(i, "2024-10-20")
        write_sheet(sheets / "self" / f"{i:03d}.toml", agency, PATTERNS[own_pattern(i)], code=code, date=date)
    for i, pattern in VERIFIED.items():
        date = LATE_VERIFIED.get(i, "2024-11-10")
        write_sheet(
            sheets / "verified" / f"{i:03d}.toml", name(i), PATTERNS[pattern], stage="verified", date=date
        )
    n = 0
    for i in range(1, 21):
        for k in (1, 2, 3):
            n += 1
            if n <= SECONDARY_SENT:
                write_sheet(sheets / "secondary" / f"{i:03d}-{k}.toml", f"{name(i)}-{k}", FULL)
    write(
        sheets / "self" / "151.toml",
        f'[sheet]\nagency = "{name(151)}"\nyear = 2024\n\n[answers]\n"2.1.1" = tru\n',
    )
    return rollup(district, [sheets], plan=plan, roster=roster), sheets


def latest_pattern(i: int) -> str:
    return VERIFIED.get(i, own_pattern(i))


def test_the_big_district_counts_by_hand(big: tuple[Rollup, Path]) -> None:
    r, _ = big
    s = r.summary
    # Patterns of agencies 1…150: own LOW when i % 5 == 0 (30), EDGE when i % 5 == 1 (30), else
    # FULL (90). Verification moves 2 and 4 to LOW, 10 from LOW to FULL, 16 from EDGE to LOW and
    # 6 from EDGE to FULL, 14 from FULL to EDGE: LOW 30 + 3 − 1 = 32, EDGE 30 − 2 + 1 = 29, FULL 89.
    assert s.agencies == 160  # the 60 二级单位 count with their parents
    assert s.sheets == 150
    assert s.read == 150 + 8 + 50  # 208 sheets scored; the broken one is not among them
    assert s.reached == 89 + 29 == 118
    assert s.share == Decimal("0.7375")  # 118 / 160, exact
    assert s.by_level == {"节约型机关": 118}
    # 0.25 × 160 = 40; 0.5 × 160 = 80; 0.7 × 160 = 112; 0.7376 × 160 = 118.016, so 119: 还差1家.
    assert [(g.needed, g.met, g.short_by) for g in s.goals] == [
        (40, True, 0),
        (80, True, 0),
        (112, True, 0),
        (119, False, 1),
    ]


def test_the_big_district_totals_equal_score_one_by_one(big: tuple[Rollup, Path], district: Rubric) -> None:
    r, _ = big
    with_sheets = [a for a in r.agencies if a.file is not None]
    assert len(with_sheets) == 150 + 50
    for a in with_sheets:
        assert a.file is not None
        assert a.total == score(district, load_sheet(a.file)).total, a.agency
    top = [a for a in r.agencies if a.parent is None]
    assert [a.agency for a in top] == [name(i) for i in range(1, TOP + 1)]
    for i, a in enumerate(top[:SELF_SENT], 1):
        assert (a.stage, a.total) == (
            "verified" if i in VERIFIED else "self",
            Decimal(TOTALS[latest_pattern(i)]),
        ), i
        assert a.reached is (latest_pattern(i) != "LOW")
    assert [a.total for a in top[SELF_SENT:]] == [None] * 10


def test_the_broken_file_is_reported_and_the_rest_counted(big: tuple[Rollup, Path]) -> None:
    r, sheets = big
    assert [(e.file, e.line, e.column, e.message) for e in r.errors] == [
        (str(sheets / "self" / "151.toml"), 6, 11, "invalid TOML: Invalid value")
    ]
    assert [m.agency for m in r.missing] == [name(i) for i in range(151, 161)]
    assert r.unmatched == ()
    assert r.failed


def test_the_big_district_groups_by_parent_and_type(big: tuple[Rollup, Path]) -> None:
    s = big[0].summary
    assert len(s.by_parent) == 20
    # Agency 1 is EDGE (reached) with three 二级单位; agency 5 is LOW; agency 10 verified FULL.
    assert [
        (g.secondary, g.agencies, g.sheets, g.reached) for g in (s.by_parent[name(k)] for k in (1, 5, 10))
    ] == [
        (3, 1, 1, 1),
        (3, 1, 1, 0),
        (3, 1, 1, 1),
    ]
    people = [i for i in range(1, TOP + 1) if i % 4 == 0]
    sent = [i for i in people if i <= SELF_SENT]
    assert (s.by_type["人民团体"].agencies, s.by_type["人民团体"].sheets) == (40, 37)
    assert s.by_type["人民团体"].reached == sum(1 for i in sent if latest_pattern(i) != "LOW")
    assert sum(g.agencies for g in s.by_type.values()) == 160


def test_the_big_district_averages_and_misses(big: tuple[Rollup, Path]) -> None:
    r = big[0]
    units = {u.address: (u.average, u.missed, u.count) for u in r.units}
    # Unit 4: FULL 22 × 89 + EDGE 2 × 29 + LOW 0 × 32 = 2016 over 150 sheets = 13.44.
    assert units["4"] == (Decimal("13.44"), 29 + 32, 150)
    assert units["1"] == (Decimal(9), 0, 150)
    items = {i.address: (i.average, i.missed) for i in r.items}
    # 4.1.1: 2 points on 89 sheets: 178 / 150 = 1.1866… → 1.19; 4.3.4 is kept by EDGE: 236 / 150 → 1.57.
    assert items["4.1.1"] == (Decimal("1.19"), 61)
    assert items["4.3.4"] == (Decimal("1.57"), 32)
    assert items["2.1.1"] == (Decimal(1), 0)


def test_the_big_district_below_late_and_differences(big: tuple[Rollup, Path]) -> None:
    r, sheets = big
    below = [b.agency for b in r.below]
    assert below == [name(i) for i in range(1, SELF_SENT + 1) if latest_pattern(i) == "LOW"]
    assert len(below) == 32
    # LOW is 2 points short of 80; the greedy plan takes the item of unit 4 that adds most (2 points).
    assert {(b.total, b.target, b.missing, b.reachable, len(b.plan)) for b in r.below} == {
        (Decimal(78), "节约型机关", Decimal(2), True, 1)
    }
    assert [(x.agency, x.stage, x.date.isoformat(), x.days) for x in r.late] == [
        (name(3), "self", "2024-11-03", 3),
        (name(7), "self", "2024-11-01", 1),
        (name(4), "verified", "2024-11-16", 1),
    ]
    assert r.late[0].file == str(sheets / "self" / "003.toml")
    diffs = {d.agency: (d.from_total, d.to_total, d.difference) for d in r.differences}
    assert diffs == {
        name(i): (
            Decimal(TOTALS[own_pattern(i)]),
            Decimal(TOTALS[p]),
            Decimal(TOTALS[p] - TOTALS[own_pattern(i)]),
        )
        for i, p in VERIFIED.items()
    }
    eight = next(d for d in r.differences if d.agency == name(8))
    assert (eight.from_stage, eight.to_stage, eight.items) == ("self", "verified", ())
    two = next(d for d in r.differences if d.agency == name(2))
    assert [(i.address, i.from_points, i.to_points) for i in two.items][:2] == [
        ("4.1.1", Decimal(2), Decimal(0)),
        ("4.1.2", Decimal(2), Decimal(0)),
    ]


def test_the_big_district_matches_by_code_and_by_normalised_name(big: tuple[Rollup, Path]) -> None:
    r = big[0]
    by_name = {a.agency: a for a in r.agencies}
    assert (by_name[name(20)].total, by_name[name(20)].code) == (Decimal(78), "C020")  # by code; 20 is LOW
    assert by_name[name(21)].total == Decimal(80)  # "\u3000ＸＸ区单位021 " by NFKC name
    secondary = [a for a in r.agencies if a.parent is not None]
    assert len(secondary) == 60
    assert sum(1 for a in secondary if a.total is not None) == 50
    assert not any(a.counted for a in secondary)


def test_the_json_contract(big: tuple[Rollup, Path]) -> None:
    doc = big[0].to_dict()
    assert list(doc) == [
        "schema_version",
        "provenance",
        "year",
        "level",
        "plan",
        "roster",
        "summary",
        "agencies",
        "units",
        "items",
        "below",
        "missing",
        "late",
        "unmatched",
        "skipped",
        "differences",
        "errors",
    ]
    assert doc["schema_version"] == SCHEMA_VERSION == 1
    assert list(doc["provenance"]) == ["rubric", "version", "hash", "hash_version", "library"]
    assert doc["provenance"]["hash_version"] == HASH_VERSION == 1
    assert list(doc["summary"]) == [
        "agencies",
        "sheets",
        "read",
        "reached",
        "share",
        "by_level",
        "by_type",
        "by_parent",
        "goals",
    ]
    # 人民团体 are the agencies i % 4 == 0: 40, of which 37 sent sheets (4…148). LOW among them: i % 20
    # == 0 (20…140: 7) and the verified 4 and 16: 9, so 37 − 9 = 28 reached.
    assert doc["summary"]["by_type"]["人民团体"] == {"agencies": 40, "sheets": 37, "reached": 28}
    assert list(doc["summary"]["by_parent"][name(1)]) == ["agencies", "sheets", "reached", "secondary"]
    assert doc["summary"]["goals"][3] == {
        "by": "2024-12-31",
        "share": Decimal("0.7376"),
        "needed": 119,
        "met": False,
        "short_by": 1,
        "text": None,
    }
    assert list(doc["agencies"][0]) == [
        "agency",
        "code",
        "parent",
        "type",
        "counted",
        "stage",
        "file",
        "line",
        "date",
        "total",
        "level",
        "passed",
        "reached",
    ]
    assert list(doc["units"][0]) == ["address", "title", "max", "average", "missed", "count"]
    assert list(doc["items"][0]) == ["address", "text", "max", "average", "missed", "count"]
    assert list(doc["below"][0]) == [
        "agency",
        "code",
        "parent",
        "stage",
        "total",
        "level",
        "target",
        "missing",
        "reachable",
        "best",
        "plan",
        "failed_gates",
    ]
    assert list(doc["errors"][0]) == ["file", "line", "column", "cell", "message"]
    assert doc["late"][0]["date"] == "2024-11-03"
    # Every value is JSON: the report writer turns Decimal into exact numbers.
    json.dumps(doc, default=str)


# --- matching, duplicates, years, stages -----------------------------------------------------

ROSTER = (
    "agency,parent,type,code\n"
    "XX区财政局,,行政机关,XQ019\n"
    "XX区审计局,,行政机关,\n"
    "XX区政府采购中心,XX区财政局,事业单位,\n"
)


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    return write(tmp_path / "roster.csv", ROSTER)


def test_a_sheet_matching_no_row_is_reported_not_dropped(
    district: Rubric, tmp_path: Path, roster: Path
) -> None:
    a = write_sheet(tmp_path / "s" / "a.toml", "XX区财政厅", FULL)
    b = write_sheet(tmp_path / "s" / "b.toml", "XX区财政局", FULL, code="XQ999")
    c = write_sheet(tmp_path / "s" / "c.toml", "XX区统计局", FULL, code="XQ034")
    d = write_sheet(tmp_path / "s" / "d.toml", "", FULL)
    r = rollup(district, [tmp_path / "s"], roster=roster)
    assert [(u.file, u.agency, u.total, u.reason) for u in r.unmatched] == [
        (
            str(a),
            "XX区财政厅",
            Decimal(100),
            "agency \"XX区财政厅\" is not on the roster (did you mean 'XX区财政局'?)",
        ),
        (
            str(b),
            "XX区财政局",
            Decimal(100),
            'code "XQ999" is not on the roster; the roster gives "XX区财政局" the code "XQ019"',
        ),
        (
            str(c),
            "XX区统计局",
            Decimal(100),
            'neither code "XQ034" nor agency "XX区统计局" is on the roster (did you mean \'XX区审计局\'?)',
        ),
        (str(d), "", Decimal(100), "the sheet names no agency (sheet.agency is empty)"),
    ]
    assert r.failed
    assert r.summary.read == 4
    assert r.summary.sheets == 0


def test_a_code_matches_before_the_name(district: Rubric, tmp_path: Path, roster: Path) -> None:
    # The sheet names the other agency, but its code is 财政局's: the code wins.
    write_sheet(tmp_path / "s" / "a.toml", "XX区审计局", EDGE, code="XQ019")
    r = rollup(district, [tmp_path / "s"], roster=roster)
    assert [(a.agency, a.total) for a in r.agencies] == [
        ("XX区财政局", Decimal(80)),
        ("XX区审计局", None),
        ("XX区政府采购中心", None),
    ]


def test_two_sheets_of_one_agency_at_one_stage(district: Rubric, tmp_path: Path, roster: Path) -> None:
    first = write_sheet(tmp_path / "s" / "1.toml", "XX区财政局", FULL)
    second = write_sheet(tmp_path / "s" / "2.toml", "ＸＸ区财政局", LOW)
    verified = write_sheet(tmp_path / "s" / "3.toml", "XX区审计局", EDGE, stage="verified", date="2024-11-05")
    again = write_sheet(tmp_path / "s" / "4.toml", "XX区审计局", EDGE, stage="verified", date="2024-11-06")
    own = write_sheet(tmp_path / "s" / "5.toml", "XX区审计局", LOW)
    r = rollup(district, [tmp_path / "s"], roster=roster)
    assert [(e.file, e.message) for e in r.errors] == [
        (
            str(second),
            f'"XX区财政局" has two sheets at stage "self": {first} and {second}; none of them is counted',
        ),
        (
            str(again),
            f'"XX区审计局" has two sheets at stage "verified": {verified} and {again}; '
            "none of them is counted",
        ),
    ]
    # 财政局 has no sheet that counts, yet it sent sheets: not 未申报. 审计局 falls back to its self sheet.
    assert [(a.agency, a.stage, a.total) for a in r.agencies[:2]] == [
        ("XX区财政局", None, None),
        ("XX区审计局", "self", Decimal(78)),
    ]
    assert r.agencies[1].file == str(own)
    assert r.missing == ()


def test_three_rows_of_a_csv_at_one_stage_are_named_by_line(
    district: Rubric, tmp_path: Path, roster: Path
) -> None:
    head = "agency,year,stage,2.1.1\n"
    batch = write(tmp_path / "batch.csv", head + "XX区财政局,2024,self,true\n" * 3)
    r = rollup(district, [batch], roster=roster)
    assert [e.message for e in r.errors] == [
        f'"XX区财政局" has three sheets at stage "self": {batch}:2, {batch}:3 and {batch}:4; '
        "none of them is counted"
    ]
    assert (r.errors[0].file, r.errors[0].line) == (str(batch), 4)


def test_a_sheet_of_another_year_is_reported(district: Rubric, tmp_path: Path, roster: Path) -> None:
    old = write_sheet(tmp_path / "s" / "old.toml", "XX区财政局", FULL, year=2023)
    none = write_sheet(tmp_path / "s" / "none.toml", "XX区审计局", FULL, year=None)
    r = rollup(district, [tmp_path / "s"], roster=roster, year=2024)
    assert [(e.file, e.message) for e in r.errors] == [
        (str(none), "sheet.year: the sheet names no year; the roll-up is for 2024"),
        (str(old), "sheet.year: the sheet is for 2023; the roll-up is for 2024"),
    ]
    assert [m.agency for m in r.missing] == ["XX区财政局", "XX区审计局"]
    # The roll-up of 2023 counts the old sheet; the plan's year is the default, --year wins.
    plan = write(tmp_path / "plan.toml", PLAN)
    assert rollup(district, [old], plan=plan, roster=roster, year=2023).summary.reached == 1
    assert rollup(district, [old], plan=plan, roster=roster).year == 2024


def test_another_year_than_the_plans_keeps_its_schedule_by_month_and_day(
    district: Rubric, tmp_path: Path, roster: Path
) -> None:
    # The plan's schedule is the same every year (方案: 每年10月底前 自评): a roll-up of 2026 under
    # a plan written out for 2024 takes 2026-10-31 as the 自评 deadline, not 2024-10-31, which
    # made every sheet of 2026 about two years late.
    plan = write(tmp_path / "plan.toml", PLAN)
    on_time = write_sheet(tmp_path / "s" / "a.toml", "XX区财政局", FULL, year=2026, date="2026-10-31")
    late = write_sheet(tmp_path / "s" / "b.toml", "XX区审计局", FULL, year=2026, date="2026-11-02")
    r = rollup(district, [on_time, late], plan=plan, roster=roster, year=2026)
    assert [(x.agency, x.date, x.deadline, x.days) for x in r.late] == [
        ("XX区审计局", datetime.date(2026, 11, 2), datetime.date(2026, 10, 31), 2)
    ]
    # The verification window ends 11月15日 in the roll-up's year as well.
    check = write_sheet(
        tmp_path / "s" / "c.toml", "XX区财政局", FULL, stage="verified", year=2026, date="2026-11-18"
    )
    r = rollup(district, [on_time, check], plan=plan, roster=roster, year=2026)
    assert [(x.stage, x.deadline, x.days) for x in r.late] == [("verified", datetime.date(2026, 11, 15), 3)]
    # The report says whose year the dates are.
    note = "日程：方案按2024年度写出，截止日期按2026年度的同月同日计"
    assert note in render_rollup(r, "text").splitlines()
    assert f"<span>{note}</span>" in render_rollup_html(r)
    # In the plan's own year there is nothing to say.
    assert "日程" not in render_rollup(rollup(district, [], plan=plan, roster=roster), "text")


def test_without_a_year_or_plan_years_are_not_checked(district: Rubric, tmp_path: Path) -> None:
    write_sheet(tmp_path / "a.toml", "XX区财政局", FULL, year=2023)
    write_sheet(tmp_path / "b.toml", "XX区审计局", LOW, year=None)
    r = rollup(district, [tmp_path / "a.toml", tmp_path / "b.toml"])
    assert (r.year, r.level, r.errors, r.summary.goals) == (None, "节约型机关", (), ())
    # Without a roster every agency that sent a sheet is a row, in reading order.
    assert [(a.agency, a.total, a.reached) for a in r.agencies] == [
        ("XX区财政局", Decimal(100), True),
        ("XX区审计局", Decimal(78), False),
    ]
    assert (r.summary.agencies, r.summary.reached, r.summary.share, r.missing) == (2, 1, Decimal("0.5"), ())


def test_sheets_given_as_objects_are_counted(district: Rubric) -> None:
    sheet = Sheet(info=SheetInfo(agency="XX区财政局", year=2024), answers=FULL)
    r = rollup(district, [sheet, sheet], year=2024)
    assert [e.message for e in r.errors] == [
        '"XX区财政局" has two sheets at stage "self": '
        'the sheet of "XX区财政局" and the sheet of "XX区财政局"; '
        "none of them is counted"
    ]


def test_late_sheets_still_count(district: Rubric, tmp_path: Path, roster: Path) -> None:
    plan = write(tmp_path / "plan.toml", PLAN)
    write_sheet(tmp_path / "s" / "a.toml", "XX区财政局", FULL, date="2024-10-31")
    write_sheet(tmp_path / "s" / "b.toml", "XX区审计局", FULL, date="2024-11-09")
    write_sheet(tmp_path / "s" / "c.toml", "XX区审计局", EDGE, stage="verified", date=None)
    r = rollup(district, [tmp_path / "s"], plan=plan, roster=roster)
    # Only dated sheets can be late; the last day itself is in time.
    assert [(x.agency, x.stage, x.date, x.deadline, x.days) for x in r.late] == [
        ("XX区审计局", "self", datetime.date(2024, 11, 9), datetime.date(2024, 10, 31), 9)
    ]
    assert r.summary.reached == 2


def test_secondary_units_counted_separately(district: Rubric, tmp_path: Path, roster: Path) -> None:
    plan = write(tmp_path / "plan.toml", PLAN + '\n[secondary]\ncount = "separately"\n')
    write_sheet(tmp_path / "s" / "a.toml", "XX区政府采购中心", FULL)
    r = rollup(district, [tmp_path / "s"], plan=plan, roster=roster)
    # All three rows count: 1 of 3 reached; 0.3333 rounded down; the two without sheets are missing.
    assert (r.summary.agencies, r.summary.reached, r.summary.share) == (3, 1, Decimal("0.3333"))
    assert [m.agency for m in r.missing] == ["XX区财政局", "XX区审计局"]
    assert r.summary.by_parent["XX区财政局"].agencies == 2
    with_parent = rollup(district, [tmp_path / "s"], plan=write(tmp_path / "p2.toml", PLAN), roster=roster)
    assert (with_parent.summary.agencies, with_parent.summary.reached) == (2, 0)
    assert with_parent.agencies[2].total == Decimal(100)


STAGED = DISTRICT.read_text(encoding="utf-8").replace(
    "total = 100\n", 'total = 100\nstages = ["self", "initial", "final"]\n', 1
)


def test_the_rubric_declares_the_stages_and_the_latest_counts(tmp_path: Path, roster: Path) -> None:
    rubric = loads_rubric(STAGED)
    assert rubric.stages == ("self", "initial", "final")
    write_sheet(tmp_path / "s" / "a.toml", "XX区财政局", LOW)
    write_sheet(tmp_path / "s" / "b.toml", "XX区财政局", FULL, stage="final")
    write_sheet(tmp_path / "s" / "c.toml", "XX区财政局", EDGE, stage="initial")
    bad = write_sheet(tmp_path / "s" / "d.toml", "XX区审计局", FULL, stage="verified")
    r = rollup(rubric, [tmp_path / "s"], roster=roster)
    assert (r.agencies[0].stage, r.agencies[0].total) == ("final", Decimal(100))
    assert [(d.from_stage, d.to_stage, d.difference) for d in r.differences] == [
        ("self", "final", Decimal(22))
    ]
    assert [(e.file, e.message) for e in r.errors] == [
        (str(bad), 'sheet.stage: expected one of "self", "initial", "final", got a string ("verified")')
    ]


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ("[]", 'stages: expected at least one stage, such as ["self"]'),
        ('["self", " "]', "stages[1]: a stage needs a name"),
        ('["self", "final", "self"]', 'stages[2]: "self" is listed twice'),
    ],
)
def test_malformed_stages_are_refused(stages: str, message: str) -> None:
    rubric = loads_rubric(STAGED.replace('["self", "initial", "final"]', stages))
    with pytest.raises(RubricError) as excinfo:
        rollup(rubric, [])
    assert str(excinfo.value) == message


def test_a_plan_deadline_for_a_stage_the_rubric_lacks_is_refused(tmp_path: Path) -> None:
    plan = write(tmp_path / "plan.toml", PLAN)
    with pytest.raises(RubricError) as excinfo:
        rollup(loads_rubric(STAGED), [], plan=plan)
    assert str(excinfo.value) == (
        f'{plan}: schedule[1].stage: the rubric has no stage "verified" '
        '(its stages: "self", "initial", "final")'
    )


# --- folders -------------------------------------------------------------------------------


def test_another_roster_plan_or_rubric_in_the_folder_is_skipped_as_what_it_is(
    district: Rubric, tmp_path: Path, roster: Path
) -> None:
    # Last year's 名录, a copy of the plan or of the standard among the sheets: each was read as
    # sheets, a roster as one broken sheet per agency.
    folder = tmp_path / "收件"
    good = write_sheet(folder / "财政局.toml", "XX区财政局", FULL)
    copies = {
        "名录（去年）.csv": ROSTER,
        "名录-中文表头.csv": "单位,上级单位,类型\nXX区财政局,,行政机关\n",
        "名录.toml": '[[agencies]]\nagency = "XX区财政局"\ntype = "行政机关"\n',
        "名录.json": '{"agencies": [{"agency": "XX区财政局"}]}',
        "方案副本.toml": PLAN,
        "评价标准.toml": (ROOT / "rubrics" / "district.toml").read_text(encoding="utf-8"),
    }
    for name, text in copies.items():
        write(folder / name, text)
    r = rollup(district, [folder], roster=roster)
    assert r.errors == ()
    as_roster = "a roster (名录), not a sheet: give it to rollup --roster, or move it out of the sheets"
    as_plan = "a plan (创建行动方案), not a sheet: give it with --plan, or move it out of the sheets"
    as_rubric = "a rubric (评价标准), not a sheet: move it out of the sheets"
    assert [(Path(s.file).name, s.reason) for s in r.skipped] == [
        ("名录-中文表头.csv", as_roster),
        ("名录.json", as_roster),
        ("名录.toml", as_roster),
        ("名录（去年）.csv", as_roster),
        ("方案副本.toml", as_plan),
        ("评价标准.toml", as_rubric),
    ]
    assert [s.file for s in r.agencies if s.file is not None] == [str(good)]
    # Given as a sheet itself, such a file is refused with the same words.
    with pytest.raises(SheetError) as excinfo:
        load_sheets(folder / "名录（去年）.csv")
    assert str(excinfo.value) == f"{folder / '名录（去年）.csv'}:1: {as_roster}"
    with pytest.raises(SheetError) as excinfo:
        load_sheets(folder / "方案副本.toml")
    assert str(excinfo.value) == f"{folder / '方案副本.toml'}: {as_plan}"


def test_a_folder_is_scanned_and_other_files_are_skipped(district: Rubric, tmp_path: Path) -> None:
    folder = tmp_path / "收件"
    good = write_sheet(folder / "财政局" / "自评打分表.toml", "XX区财政局", FULL)
    (folder / "财政局" / "佐证材料.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (folder / "财政局" / "自评报告.docx").write_bytes(b"PK\x03\x04")
    (folder / "~$自评打分表.xlsx").write_bytes(b"\x00" * 16)
    (folder / ".DS_Store").write_bytes(b"\x00")
    (folder / "说明").write_text("无后缀", encoding="utf-8")
    roster = write(folder / "名录.csv", "agency\nXX区财政局\nXX区审计局\n")
    plan = write(folder / "plan.toml", PLAN)
    (folder / "审计局.xlsx").write_bytes(b"PK\x03\x04")
    (folder / "旧表.xls").write_bytes(b"\xd0\xcf")
    (folder / "WPS表.et").write_bytes(b"\xd0\xcf")
    r = rollup(district, [folder, good], plan=plan, roster=roster)
    # A folder is read in code-point order, its own files before its subfolders'.
    assert [(s.file, s.reason) for s in r.skipped] == [
        (str(folder / ".DS_Store"), "a hidden file"),
        (str(folder / "plan.toml"), "the plan"),
        (
            str(folder / "~$自评打分表.xlsx"),
            "an Excel/WPS lock file (the workbook is open somewhere); not a sheet",
        ),
        (str(folder / "名录.csv"), "the roster"),
        (str(folder / "说明"), "not a sheet file (no suffix); sheets are .toml, .json, .csv, .xlsx"),
        (
            str(folder / "财政局" / "佐证材料.pdf"),
            "not a sheet file (.pdf); sheets are .toml, .json, .csv, .xlsx",
        ),
        (
            str(folder / "财政局" / "自评报告.docx"),
            "not a sheet file (.docx); sheets are .toml, .json, .csv, .xlsx",
        ),
        (str(good), "given twice; read once"),
    ]
    assert [(e.file, e.message) for e in r.errors] == [
        (str(folder / "WPS表.et"), "a WPS .et workbook cannot be read; save it as .xlsx"),
        (
            str(folder / "审计局.xlsx"),
            "not an .xlsx workbook (Excel 2007 or later); open it in Excel or WPS and save it as .xlsx",
        ),
        (str(folder / "旧表.xls"), "an old .xls workbook cannot be read; save it as .xlsx"),
    ]
    assert (r.summary.sheets, r.summary.reached, [m.agency for m in r.missing]) == (1, 1, ["XX区审计局"])


def test_a_missing_input_is_an_error_and_the_rest_still_count(district: Rubric, tmp_path: Path) -> None:
    good = write_sheet(tmp_path / "a.toml", "XX区财政局", FULL)
    r = rollup(district, [tmp_path / "nosuch", good])
    assert [(e.file, e.message) for e in r.errors] == [
        (str(tmp_path / "nosuch"), "cannot read file: No such file or directory")
    ]
    assert r.summary.reached == 1


def test_a_sheet_that_does_not_fit_is_reported_with_its_address(district: Rubric, tmp_path: Path) -> None:
    bad = write_sheet(tmp_path / "a.toml", "XX区财政局", FULL | {"2.1.1": 1, "9.9.9": True})
    r = rollup(district, [bad])
    assert [(e.file, e.line, e.message) for e in r.errors] == [
        (str(bad), None, 'answers."2.1.1": expected true or false, got a number (1)'),
        (str(bad), None, "answers.\"9.9.9\": unknown address '9.9.9'"),
    ]
    assert r.agencies == ()


# --- provenance and the what-if ------------------------------------------------------------


def test_the_hash_names_the_resolved_model(district: Rubric) -> None:
    reordered = loads_rubric(
        DISTRICT.read_text(encoding="utf-8")
        .replace('issuer = "XX区人民政府办公室（节能办）"\n', "")
        .replace(
            'title = "XX区节约型机关评价标准"\n',
            'issuer = "XX区人民政府办公室（节能办）"\ntitle = "XX区节约型机关评价标准"\n',
            1,
        )
    )
    assert canonical_json(reordered) == canonical_json(district)
    assert rubric_hash(reordered) == rubric_hash(district)
    assert rubric_hash(district).startswith("sha256:")
    assert len(rubric_hash(district)) == len("sha256:") + 64
    assert canonical_json(district).startswith('{"basis":["国家发改委《绿色生活创建行动总体方案》')
    # Defaults are left out, so the stages field added with its default kept every hash.
    assert '"stages"' not in canonical_json(district)
    assert '"stages":["self","initial","final"]' in canonical_json(loads_rubric(STAGED))


ONE_POINT_UP = DISTRICT.read_text(encoding="utf-8").replace(
    'name = "节约型机关"\nmin = 80', 'name = "节约型机关"\nmin = 81'
)


def test_one_point_changes_the_hash_and_the_what_if_lists_exactly_who_moves(
    district: Rubric, tmp_path: Path, roster: Path
) -> None:
    stricter = loads_rubric(ONE_POINT_UP)
    assert rubric_hash(stricter) != rubric_hash(district)
    write_sheet(tmp_path / "s" / "a.toml", "XX区财政局", EDGE)  # exactly 80: moves
    write_sheet(tmp_path / "s" / "b.toml", "XX区审计局", FULL)  # 100: stays
    write_sheet(tmp_path / "s" / "c.toml", "XX区政府采购中心", EDGE)  # moves, though not counted
    base = rollup(district, [tmp_path / "s"], roster=roster)
    other = rollup(stricter, [tmp_path / "s"], roster=roster)
    assert base.to_dict()["provenance"]["hash"] != other.to_dict()["provenance"]["hash"]
    result = compare(base, other)
    assert [
        (c.agency, c.counted, c.base_total, c.other_total, c.base_level, c.other_level)
        for c in result.changes
    ] == [
        ("XX区财政局", True, Decimal(80), Decimal(80), "节约型机关", None),
        ("XX区政府采购中心", False, Decimal(80), Decimal(80), "节约型机关", None),
    ]
    assert result.changes[0].items == ()  # the items scored alike: the threshold moved
    doc = result.to_dict()
    assert (doc["base"]["reached"], doc["other"]["reached"]) == (2, 1)
    assert doc["other"]["provenance"]["hash"] == rubric_hash(stricter)


def test_the_what_if_names_the_items_that_moved_an_agency(
    district: Rubric, tmp_path: Path, roster: Path
) -> None:
    # One point moves inside project 2.1 (管理机构, still 5 points): 2.1.1 1 → 2 and 2.1.2 2 → 1.
    text = DISTRICT.read_text(encoding="utf-8")
    text = text.replace('建设的组织机构，得1分。"\npoints = 1', '建设的组织机构，得1分。"\npoints = 2')
    text = text.replace(
        '管理机构和工作职责，得2分。"\npoints = 2', '管理机构和工作职责，得2分。"\npoints = 1'
    )
    moved = loads_rubric(text)
    assert rubric_hash(moved) != rubric_hash(district)
    # EDGE is 80 under both (2.1.1 + 2.1.2 = 3 either way).
    # 财政局: EDGE − 2.1.2 − 2.1.3 + 4.3.1: 80 − 2 − 1 + 2 = 79 here, 80 − 1 − 1 + 2 = 80 there: up.
    write_sheet(
        tmp_path / "s" / "a.toml", "XX区财政局", EDGE | {"2.1.2": False, "2.1.3": False, "4.3.1": True}
    )
    # 审计局: EDGE − 2.1.1: 79 here, 78 there: below 80 under both, so not listed.
    write_sheet(tmp_path / "s" / "b.toml", "XX区审计局", EDGE | {"2.1.1": False})
    # 采购中心: EDGE − 2.1.1 − 2.1.4 + 4.3.1: 80 − 1 − 1 + 2 = 80 here, 80 − 2 − 1 + 2 = 79 there: down.
    write_sheet(
        tmp_path / "s" / "c.toml", "XX区政府采购中心", EDGE | {"2.1.1": False, "2.1.4": False, "4.3.1": True}
    )
    result = compare(
        rollup(district, [tmp_path / "s"], roster=roster), rollup(moved, [tmp_path / "s"], roster=roster)
    )
    assert [
        (c.agency, c.base_total, c.other_total, c.base_level, c.other_level, c.base_reached, c.other_reached)
        for c in result.changes
    ] == [
        ("XX区财政局", Decimal(79), Decimal(80), None, "节约型机关", False, True),
        ("XX区政府采购中心", Decimal(80), Decimal(79), "节约型机关", None, True, False),
    ]
    assert [
        [(i.address, i.from_points, i.to_points, i.difference) for i in c.items] for c in result.changes
    ] == [
        [("2.1.1", Decimal(1), Decimal(2), Decimal(1))],
        [("2.1.2", Decimal(2), Decimal(1), Decimal(-1))],
    ]


def test_compare_with_a_rubric_rolls_up_the_counting_sheets_again(district: Rubric, tmp_path: Path) -> None:
    stricter = loads_rubric(ONE_POINT_UP)
    write_sheet(tmp_path / "s" / "a.toml", "XX区财政局", EDGE)
    write_sheet(tmp_path / "s" / "b.toml", "XX区财政局", FULL, stage="verified", date="2024-11-05")
    write_sheet(tmp_path / "s" / "c.toml", "XX区审计局", EDGE)
    write_sheet(tmp_path / "s" / "d.toml", "XX区统计局", LOW)
    # No roster: the rows are the agencies that sent sheets; 财政局's verified 100 counts under both.
    base = rollup(district, [tmp_path / "s"])
    result = compare(base, stricter)
    assert [(c.agency, c.stage, c.base_total, c.other_level) for c in result.changes] == [
        ("XX区审计局", "self", Decimal(80), None)
    ]
    assert [a.agency for a in result.other.agencies] == ["XX区财政局", "XX区审计局", "XX区统计局"]
    assert (result.other.summary.reached, result.other.errors) == (1, ())


def test_compare_refuses_roll_ups_of_other_rows(district: Rubric, tmp_path: Path, roster: Path) -> None:
    write_sheet(tmp_path / "a.toml", "XX区财政局", FULL)
    with pytest.raises(RubricError) as excinfo:
        compare(
            rollup(district, [tmp_path / "a.toml"], roster=roster), rollup(district, [tmp_path / "a.toml"])
        )
    assert str(excinfo.value) == (
        "the two roll-ups count different agencies; roll up the same roster and sheets under both rubrics"
    )
