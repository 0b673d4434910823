"""Validation of declared totals on the district rubric, and of every shipped rubric."""

from __future__ import annotations

from pathlib import Path

import pytest

from conserv_rubric import RubricError, load_rubric, loads_rubric, validate
from conserv_rubric._rubric_io import read_rubric

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"

# Shipped rubrics kept invalid on purpose (each file's header says why), with the one
# discrepancy the validator must report.
KNOWN_INVALID = {
    "sichuan-jieshui-qiye.toml": [
        "rubrics/sichuan-jieshui-qiye.toml: item 1.6 in unit 1 考评内容（序号1–6） (units[0].items[5]): "
        "declares 10 points, its parts add up to 9"
    ],
    "jieneng-mubiao-zeren-county.toml": [
        "rubrics/jieneng-mubiao-zeren-county.toml: part 2.7.c in unit 2 节能措施 "
        "(units[1].items[5].parts[2]): bands leave numbers from 70 to 80 uncovered"
    ],
}
# Rubric files relative to rubrics/, variants in subfolders included.
SHIPPED = sorted(p.relative_to(ROOT / "rubrics").as_posix() for p in (ROOT / "rubrics").rglob("*.toml"))
VALID = [name for name in SHIPPED if name not in KNOWN_INVALID]


def _district_with(tmp_path: Path, old: str, new: str) -> Path:
    text = DISTRICT.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the substitution must hit exactly one place: {old!r}"
    path = tmp_path / "district.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _problems(path: Path) -> RubricError:
    with pytest.raises(RubricError) as excinfo:
        load_rubric(path)
    return excinfo.value


def test_district_is_valid() -> None:
    assert validate(load_rubric(DISTRICT)) == []


# (what the standard says, the typo, the messages after "FILE: ", (address, expected, actual) of the first)
CHANGED_ITEMS = [
    pytest.param(
        '明确节约能源资源工作的管理机构和工作职责，得2分。"\npoints = 2',
        '明确节约能源资源工作的管理机构和工作职责，得2分。"\npoints = 3',
        [
            "project 2.1 管理机构 in unit 2 完善制度体系 (units[1].projects[0]): "
            "declares 5 points, its items add up to 6"
        ],
        ("2.1", "5", "6"),
        id="flag 2.1.2",
    ),
    pytest.param(
        '建立垃圾分类清运台帐,定期公示垃圾清运量，得2分。"\npoints = 2',
        '建立垃圾分类清运台帐,定期公示垃圾清运量，得2分。"\npoints = 1',
        [
            "project 4.3 分类收运 in unit 4 实行生活垃圾分类 (units[3].projects[2]): "
            "declares 8 points, its items add up to 7"
        ],
        ("4.3", "8", "7"),
        id="flag 4.3.4",
    ),
    pytest.param(
        '制定节约型机关创建实施方案，得2分"\npoints = 2',
        '制定节约型机关创建实施方案，得2分"\npoints = 1',
        [
            "item 2.2.1 in project 2.2 管理制度 (units[1].projects[1].items[0]): "
            "declares 4 points, its parts add up to 3"
        ],
        ("2.2.1", "4", "3"),
        id="part 2.2.1.a",
    ),
    pytest.param(
        '定期公示能源资源消费状况，得1分"\npoints = 1',
        '定期公示能源资源消费状况，得1分"\npoints = 2',
        [
            "item 2.2.5 in project 2.2 管理制度 (units[1].projects[1].items[4]): "
            "declares 5 points, its parts add up to 6"
        ],
        ("2.2.5", "5", "6"),
        id="part 2.2.5.d",
    ),
    pytest.param(
        '有1类标识得1分，累计最高得4分。"\npoints = 4\nper = 1\nmax = 4',
        '有1类标识得1分，累计最高得4分。"\npoints = 4\nper = 1\nmax = 3',
        [
            "item 5.1.2 in project 5.1 宣传实践 (units[4].projects[0].items[1]): "
            "declares 4 points, its rule gives at most 3"
        ],
        ("5.1.2", "4", "3"),
        id="each max 5.1.2",
    ),
    pytest.param(
        '每项得1分，最高得5分。"\npoints = 5',
        '每项得1分，最高得5分。"\npoints = 6',
        [
            "project 2.2 管理制度 in unit 2 完善制度体系 (units[1].projects[1]): "
            "declares 22 points, its items add up to 23",
            "item 2.2.2 in project 2.2 管理制度 (units[1].projects[1].items[1]): "
            "declares 6 points, its rule gives at most 5",
        ],
        ("2.2", "22", "23"),
        id="each points 2.2.2",
    ),
]


@pytest.mark.parametrize(("old", "new", "messages", "first"), CHANGED_ITEMS)
def test_changed_item_points_name_the_item_project_and_unit(
    tmp_path: Path, old: str, new: str, messages: list[str], first: tuple[str, str, str]
) -> None:
    path = _district_with(tmp_path, old, new)
    error = _problems(path)
    assert str(error) == "\n".join(f"{path}: {m}" for m in messages)
    problem = error.problems[0]
    assert (problem.address, problem.expected, problem.actual) == first
    assert all(p.file == str(path) for p in error.problems)


def test_changed_unit_total(tmp_path: Path) -> None:
    path = _district_with(
        tmp_path,
        'title = "完善制度体系"\npoints = 27\n',
        'title = "完善制度体系"\npoints = 28\n',
    )
    error = _problems(path)
    assert str(error) == "\n".join(
        [
            f"{path}: unit 2 完善制度体系 (units[1]): declares 28 points, its projects add up to 27",
            f"{path}: total: declares 100 points, its units add up to 101",
        ]
    )
    unit, total = error.problems
    assert (unit.address, unit.path, unit.expected, unit.actual) == ("2", "units[1]", "28", "27")
    assert (total.address, total.path, total.expected, total.actual) == (None, "total", "100", "101")


def test_changed_unit_and_rubric_total_report_the_unit_only(tmp_path: Path) -> None:
    text = DISTRICT.read_text(encoding="utf-8")
    path = tmp_path / "district.toml"
    path.write_text(
        text.replace("total = 100\n", "total = 101\n", 1).replace(
            'title = "完善制度体系"\npoints = 27\n', 'title = "完善制度体系"\npoints = 28\n', 1
        ),
        encoding="utf-8",
    )
    error = _problems(path)
    assert (
        str(error) == f"{path}: unit 2 完善制度体系 (units[1]): declares 28 points, its projects add up to 27"
    )


def test_changed_rubric_total(tmp_path: Path) -> None:
    path = _district_with(tmp_path, "\ntotal = 100\n", "\ntotal = 90\n")
    error = _problems(path)
    assert str(error) == f"{path}: total: declares 90 points, its units add up to 100"
    (problem,) = error.problems
    assert (problem.path, problem.address, problem.expected, problem.actual) == ("total", None, "90", "100")


def test_level_above_a_lowered_total(tmp_path: Path) -> None:
    path = _district_with(tmp_path, "min = 80\n", "min = 101\n")
    error = _problems(path)
    assert str(error) == (
        f"{path}: levels[0].min: level '节约型机关' needs 101 points, above the most a sheet can score (100)"
    )


def test_the_rubrics_folder_is_not_empty() -> None:
    assert "district.toml" in VALID
    assert "variants/yy-district.toml" in VALID
    assert len(VALID) >= 2
    assert set(KNOWN_INVALID) <= set(SHIPPED)


@pytest.mark.parametrize("name", VALID)
def test_shipped_rubric_is_valid(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    rubric = load_rubric(f"rubrics/{name}")
    assert validate(rubric) == []


@pytest.mark.parametrize("name", sorted(KNOWN_INVALID))
def test_shipped_rubric_kept_invalid_reports_its_discrepancy(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    _, problems = read_rubric(f"rubrics/{name}")
    assert [str(p) for p in problems] == KNOWN_INVALID[name]
    with pytest.raises(RubricError) as excinfo:
        load_rubric(f"rubrics/{name}")
    assert str(excinfo.value) == "\n".join(KNOWN_INVALID[name])


def test_sichuan_item_6_keeps_the_declared_and_computed_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    _, problems = read_rubric("rubrics/sichuan-jieshui-qiye.toml")
    (problem,) = problems
    assert (problem.address, problem.path, problem.expected, problem.actual) == (
        "1.6",
        "units[0].items[5]",
        "10",
        "9",
    )


def test_a_cap_below_the_items_says_the_cap_cut_them(tmp_path: Path) -> None:
    """An author who writes a unit's "大于30分时取30分" cap on a unit of 40 declared points: the
    items do add up to 40, so the message names the cap as what lowered the maximum."""
    path = _district_with(
        tmp_path, 'title = "推行绿色办公"\npoints = 25', 'title = "推行绿色办公"\npoints = 25\nmax = 20'
    )
    assert str(_problems(path)) == (
        f"{path}: unit 3 推行绿色办公 (units[2]): declares 25 points, its projects add up to 25, "
        "capped at 20 by its max"
    )


NESTED = """\
title = "节约型机关评价标准（国家模板，节选：统计台账）"
total = 4

[[units]]
title = "完善制度体系"
points = 4

[[units.items]]
kind = "parts"
text = "按照《公共机构能源资源消费统计调查制度》建立统计台账（4分）"
points = 4
parts = [
  { kind = "flag", points = 1, text = "每月收集能源资源消费票据并建立明细表" },
  { kind = "parts", points = 2, text = "按时报送季度、年度数据", parts = [
    { kind = "flag", points = 1, text = "季度" },
    { kind = "flag", points = 1, text = "年度" },
    { kind = "flag", points = 1, text = "真实完整" },
  ] },
  { kind = "flag", points = 1, text = "按时报送年度分析报告" },
]
"""


def test_a_wrong_nested_subtotal_is_reported_once_where_it_is() -> None:
    """The (4分) item's parts declare 1 + 2 + 1 = 4, as the item does; only the inner part, whose
    three clauses give 3 against its declared 2, is wrong (the unit and rubric likewise add up
    their children's declared points)."""
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(NESTED)
    assert str(excinfo.value) == (
        "part 1.1.b in unit 1 完善制度体系 (units[0].items[0].parts[1]): declares 2 points, "
        "its parts add up to 3"
    )


def test_nested_alternatives_are_compared_by_their_declared_points() -> None:
    best = NESTED.replace('kind = "parts"\ntext = "按照', 'kind = "best"\ntext = "按照').replace(
        "parts = [\n  { kind", "alternatives = [\n  { kind"
    )
    best = (
        best.replace("points = 4\nalternatives", "points = 2\nalternatives")
        .replace("total = 4", "total = 2")
        .replace("points = 4\n\n[[units.items]]", "points = 2\n\n[[units.items]]")
    )
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(best)
    assert str(excinfo.value) == (
        "part 1.1.b in unit 1 完善制度体系 (units[0].items[0].alternatives[1]): declares 2 "
        "points, its parts add up to 3"
    )
