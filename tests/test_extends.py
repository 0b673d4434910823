"""Variants written with ``extends``: rubrics/variants/yy-district.toml and broken variants in tmp_path."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import tomli_w

from conserv_rubric import RubricError, SheetError, dumps_rubric, load_rubric, loads_rubric, score
from conserv_rubric._compiled import compiled
from conserv_rubric._rubric_io import flatten_doc, read_rubric, unstructure
from conserv_rubric.model import Each, Flag

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
YY = ROOT / "rubrics" / "variants" / "yy-district.toml"

# The district's leaves answered at full points: flags met, counters well over their caps.
# yy-district has the same leaves less 3.1.3.
ALL_MET: dict[str, object] = {
    address: (True if leaf.shape == "bool" else 10)
    for address, leaf in compiled(load_rubric(DISTRICT)).leaves.items()
}


def test_variant_validates_with_its_own_totals() -> None:
    """yy-district: 2.2.2 capped at 6 (was 5), so 2.2 = 23 and unit 2 = 28; 3.1.3 (1分) removed, so
    3.1 = 8 and unit 3 = 24; the total stays 9 + 28 + 24 + 22 + 17 = 100."""
    rubric, problems = read_rubric(YY)
    assert problems == []
    answers = {a: v for a, v in ALL_MET.items() if a != "3.1.3"}
    card = score(rubric, answers)
    assert [(u.address, u.max, u.points) for u in card.units] == [
        ("1", Decimal("9"), Decimal("9")),
        ("2", Decimal("28"), Decimal("28")),
        ("3", Decimal("24"), Decimal("24")),
        ("4", Decimal("22"), Decimal("22")),
        ("5", Decimal("17"), Decimal("17")),
    ]
    projects = {p.address: p.max for p in card.projects}
    assert (projects["2.2"], projects["3.1"]) == (Decimal("23"), Decimal("8"))
    assert (card.max, card.total, card.level) == (Decimal("100"), Decimal("100"), "节约型机关")
    assert rubric.title == "YY区节约型机关评价标准"
    assert rubric.version == "2025"


def test_variant_keeps_the_base_addresses() -> None:
    """Removing 3.1.3 leaves a gap: 3.1.4 stays 3.1.4 (with its new text), 3.1.5 stays 3.1.5."""
    card = score(load_rubric(YY), {"3.1.4": True, "3.1.5": False})
    assert [a for a in card.items if a.startswith("3.1.")] == ["3.1.1", "3.1.2", "3.1.4", "3.1.5"]
    item = card.items["3.1.4"]
    assert (item.points, item.max) == (Decimal("2"), Decimal("2"))
    assert item.text.endswith("空调温度控制标准，并张贴温度提示，得2分。")
    assert card.items["3.1.5"].text == "使用节水型器具，采取有效节水管理措施，得2分。"
    with pytest.raises(SheetError) as excinfo:
        score(load_rubric(YY), {"3.1.3": True})
    assert str(excinfo.value) == """answers."3.1.3": unknown address '3.1.3' (did you mean '3.1.5'?)"""


@pytest.mark.parametrize(
    ("names", "expected", "why"),
    [
        (
            ["能源资源消费统计", "定额管理", "节能", "节水", "生活垃圾分类"],
            Decimal("5"),
            "5项（能源资源消费统计、定额管理、节能、节水、生活垃圾分类） × 1分 = 5分（最高6分）",
        ),
        (
            ["能源资源消费统计", "定额管理", "节能", "节水", "生活垃圾分类", "绿色消费"],
            Decimal("6"),
            "6项（能源资源消费统计、定额管理、节能、节水、生活垃圾分类、绿色消费） × 1分 = 6分（最高6分）",
        ),
        (
            [
                "能源资源消费统计",
                "定额管理",
                "节能",
                "节水",
                "生活垃圾分类",
                "绿色消费",
                "用能设备节能操作规程",
            ],
            Decimal("6"),
            "7项（能源资源消费统计、定额管理、节能、节水、生活垃圾分类、绿色消费、用能设备节能操作规程）"
            " × 1分 = 7分，按最高6分计",
        ),
    ],
)
def test_override_raises_a_cap(names: list[str], expected: Decimal, why: str) -> None:
    """yy-district 2.2.2 "每项得1分，最高得6分" (the base's 最高得5分): six rules now earn 6; the
    override keeps per, options and open from the base."""
    variant = score(load_rubric(YY), {"2.2.2": names})
    assert variant.items["2.2.2"].points == expected
    assert variant.items["2.2.2"].reason == why
    base = score(load_rubric(DISTRICT), {"2.2.2": names})
    assert base.items["2.2.2"].points == min(expected, Decimal("5"))


def test_cycle_is_a_located_error(tmp_path: Path) -> None:
    """Two files extending each other: the error names the file whose extends closes the loop."""
    base = tmp_path.resolve()
    (base / "a.toml").write_text('extends = "b.toml"\ntitle = "A"\n', encoding="utf-8")
    (base / "b.toml").write_text('extends = "a.toml"\ntitle = "B"\n', encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(base / "a.toml")
    assert (
        str(excinfo.value)
        == f"{base / 'b.toml'}: extends: extends chain has a cycle: a.toml → b.toml → a.toml"
    )


def test_self_extension_is_a_cycle(tmp_path: Path) -> None:
    path = tmp_path.resolve() / "self.toml"
    path.write_text('extends = "self.toml"\n', encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(path)
    assert str(excinfo.value) == f"{path}: extends: extends chain has a cycle: self.toml → self.toml"


def test_bad_addresses_are_located_errors(tmp_path: Path) -> None:
    """An override, a removal and an addition naming addresses the base lacks: every one is listed."""
    path = tmp_path / "bad.toml"
    path.write_text(
        'extends = "district"\n'
        'remove = ["3.1.9"]\n'
        '[[override]]\nat = "2.9.9"\npoints = 3\n'
        '[[add]]\nto = "3.1.1"\nkind = "flag"\npoints = 1\ntext = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(RubricError) as excinfo:
        load_rubric(path)
    assert str(excinfo.value) == (
        f"{path}: override[0].at: no unit, project or item at address '2.9.9'\n"
        f"{path}: remove[0]: no unit, project or item at address '3.1.9'\n"
        f"{path}: add[0].to: no unit or project at address '3.1.1'"
    )


def test_add_to_a_project(tmp_path: Path) -> None:
    """An added item is appended to the project: district 3.1 gets 3.1.6 (1分), and the totals that
    change are declared: 3.1 = 10, unit 3 = 26, total = 101."""
    path = tmp_path / "add.toml"
    path.write_text(
        'extends = "district"\ntotal = 101\n'
        '[[add]]\nto = "3.1"\nkind = "flag"\npoints = 1\ntext = "办公区域人走灯灭，得1分。"\n'
        '[[override]]\nat = "3.1"\npoints = 10\n'
        '[[override]]\nat = "3"\npoints = 26\n',
        encoding="utf-8",
    )
    card = score(load_rubric(path), {"3.1.6": True, "3.1.5": True})
    assert [a for a in card.items if a.startswith("3.1.")] == [
        "3.1.1",
        "3.1.2",
        "3.1.3",
        "3.1.4",
        "3.1.5",
        "3.1.6",
    ]
    assert card.items["3.1.6"].reason == "符合，得1分"
    assert card.total == Decimal("3")
    assert card.max == Decimal("101")


def test_add_after_a_removal_takes_a_fresh_address(tmp_path: Path) -> None:
    """Adding to yy-district's 3.1, which has lost 3.1.3: the others keep 3.1.4 and 3.1.5, so the
    new item is 3.1.6, not a second 3.1.5."""
    path = tmp_path / "add-after-remove.toml"
    path.write_text(
        'extends = "yy-district"\ntotal = 101\n'
        '[[add]]\nto = "3.1"\nkind = "flag"\npoints = 1\ntext = "办公区域人走灯灭，得1分。"\n'
        '[[override]]\nat = "3.1"\npoints = 9\n'
        '[[override]]\nat = "3"\npoints = 25\n',
        encoding="utf-8",
    )
    card = score(load_rubric(path), {"3.1.5": True, "3.1.6": True})
    assert [a for a in card.items if a.startswith("3.1.")] == ["3.1.1", "3.1.2", "3.1.4", "3.1.5", "3.1.6"]
    assert card.total == Decimal("3")


def test_changing_kind_replaces_the_rule(tmp_path: Path) -> None:
    """Overriding 2.2.2 with kind = "flag" drops the counter's per, max, options and open (they
    would be unknown keys on a flag); an override without kind (yy's 3.1.4) keeps the rest."""
    path = tmp_path / "kind.toml"
    path.write_text(
        'extends = "yy-district"\n'
        '[[override]]\nat = "2.2.2"\nkind = "flag"\npoints = 6\n'
        'text = "制定落实节约能源资源管理制度，得6分。"\n',
        encoding="utf-8",
    )
    rubric = load_rubric(path)
    item = rubric.units[1].projects[1].items[1]
    assert item == Flag(points=Decimal("6"), text="制定落实节约能源资源管理制度，得6分。")
    assert isinstance(load_rubric(YY).units[1].projects[1].items[1], Each)
    card = score(rubric, {"2.2.2": True})
    assert (card.items["2.2.2"].points, card.items["2.2.2"].reason) == (Decimal("6"), "符合，得6分")
    kept = rubric.units[2].projects[0].items[2]
    assert isinstance(kept, Flag)
    assert (kept.id, kept.points) == ("4", Decimal("2"))


def test_flattened_variant_loads_back_equal() -> None:
    """`unstructure` / `dumps_rubric` of the loaded variant is one plain file (no extends, no
    patches) that loads back equal, gap in the numbering included."""
    variant = load_rubric(YY)
    doc = unstructure(variant)
    assert not {"extends", "remove", "override", "add"} & set(doc)
    assert loads_rubric(tomli_w.dumps(doc)) == variant
    text = dumps_rubric(variant)
    again = loads_rubric(text)
    assert again == variant
    assert flatten_doc(YY) == doc
    assert [a for a in score(again, {}).items if a.startswith("3.1.")] == ["3.1.1", "3.1.2", "3.1.4", "3.1.5"]


def test_patch_keys_need_extends() -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric('title = "T"\ntotal = 1\nremove = ["1.1"]\n')
    assert str(excinfo.value) == "remove: 'remove' needs 'extends'"


@pytest.mark.parametrize(
    ("unit", "path", "got"),
    [
        ({"title": "v", "projects": 1}, "units[0].projects", "a number (1)"),
        ({"title": "v", "projects": [1]}, "units[0].projects[0]", "a number (1)"),
        ({"title": "v", "items": "x"}, "units[0].items", 'a string ("x")'),
    ],
    ids=["projects = 1", "a number among the projects", "items a string"],
)
def test_a_misshapen_unit_added_by_a_patch_is_located(
    tmp_path: Path, unit: dict[str, object], path: str, got: str
) -> None:
    # The raw walker once forgot `projects = 1` and the merge crashed (exit 3). The child's unit
    # is its own units[0], though the merged rubric's units[1].
    base = {"title": "base", "total": 2, "units": [{"title": "u", "items": [{"kind": "flag", "points": 2}]}]}
    (tmp_path / "base.toml").write_text(tomli_w.dumps(base), encoding="utf-8")
    child = tmp_path / "child.toml"
    child.write_text(tomli_w.dumps({"extends": "base.toml", "units": [unit]}), encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(child)
    want = "an array" if path.endswith(("projects", "items")) else "a table"
    assert str(excinfo.value) == f"{child}: {path}: expected {want}, got {got}"


# What a variant writes is located by the variant's own keys, not by where it lands in the merged
# rubric: its first appended unit is units[0] in the file, though unit 6 of the merged rubric.
VARIANT_MISTAKES = [
    pytest.param(
        '[[units]]\ntitle = "负面清单"\npoints = 2\n'
        '[[units.items]]\nkind = "deduct"\npoints = 2\ndeductions = [{ kind = "each", pre = 1 }]\n',
        "units[0].items[0].deductions[0]: missing required key 'per'",
        id="a key in an appended unit",
    ),
    pytest.param(
        '[[units]]\ntitle = "负面清单"\npoints = 3\n[[units.items]]\nkind = "flag"\npoints = 2\n',
        "unit 6 负面清单 (units[0]): declares 3 points, its items add up to 2",
        id="the total of an appended unit",
    ),
    pytest.param(
        '[[add]]\nto = "2.2"\nkind = "falg"\npoints = 1\n',
        "add[0].kind: unknown rule kind \"falg\" (did you mean 'flag'?); expected one of bands, best, "
        "cases, check, deduct, each, flag, judged, linear, parts, tiers",
        id="an added item",
    ),
    pytest.param(
        '[[override]]\nat = "2.2.2"\npiont = 3\n',
        "override[0]: unknown key 'piont' (did you mean 'points'?)",
        id="a key an override adds",
    ),
    pytest.param(
        '[[override]]\nat = "2.2.2"\nmax = "3"\n',
        'override[0].max: expected a number, got a string ("3")',
        id="a value an override replaces",
    ),
    pytest.param(
        '[[override]]\nat = "2.1.1"\nkind = "each"\npoints = 1\n',
        "override[0]: missing required key 'per'",
        id="a rule an override replaces",
    ),
]


@pytest.mark.parametrize(("patch", "message"), VARIANT_MISTAKES)
def test_what_a_variant_wrote_is_located_in_the_variant(tmp_path: Path, patch: str, message: str) -> None:
    path = tmp_path / "zz.toml"
    path.write_text(f'extends = "district"\ntotal = 100\n{patch}', encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(path)
    assert str(excinfo.value).split("\n")[0] == f"{path}: {message}"
