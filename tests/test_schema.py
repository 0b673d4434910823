"""The editor schemas: generated from the model, shipped in sync, and as strict as the loader.

Every shipped rubric and example sheet validates (parsed with tomllib, floats as floats, dates
as the text editors show them); each mistake below fails both the schema and the loader, and the
schema names it where the loader does.
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import tomli_w
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from conserv_rubric import RubricError, cli, load_rubric, loads_rubric, loads_sheet, score
from conserv_rubric import model as m
from conserv_rubric._expect import Expectation
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric._scenarios import check_sheet_expectation
from conserv_rubric._sheet import SheetInfo
from conserv_rubric._text import dumps_json
from conserv_rubric.schema import (
    DIALECT,
    _folder,
    _main,
    _shipped_schemas,
    dumps_schema,
    rubric_schema,
    sheet_schema,
)

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
VARIANT = ROOT / "rubrics" / "variants" / "yy-district.toml"
SHEET = ROOT / "examples" / "district" / "pass.toml"
RUBRICS = sorted((ROOT / "rubrics").rglob("*.toml"))
EXAMPLES = sorted((ROOT / "examples").rglob("*.toml"))
# The roll-up example ships one sheet broken on purpose (its make_example.py says so): not TOML.
BROKEN_ON_PURPOSE = ROOT / "examples" / "district-year" / "sheets" / "自评" / "XX区水利局-自评打分表.toml"


def plain(value: object) -> Any:
    """A parsed TOML value as an editor hands it to a JSON Schema validator: dates as text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def read(path: Path) -> Any:
    with path.open("rb") as f:
        return plain(tomllib.load(f))


def as_json(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as the shipped file holds it (exact numbers read back as JSON numbers)."""
    loaded: dict[str, Any] = json.loads(dumps_schema(schema))
    return loaded


RUBRIC_SCHEMA = as_json(rubric_schema())
SHEET_SCHEMA = as_json(sheet_schema())
DISTRICT_SHEETS = as_json(sheet_schema(load_rubric(DISTRICT)))


def flat(errors: Iterator[ValidationError]) -> set[tuple[str, str]]:
    """Every error and every error inside a oneOf/anyOf, as (path, message)."""
    out: set[tuple[str, str]] = set()
    stack = list(errors)
    while stack:
        error = stack.pop()
        out.add(("/".join(str(p) for p in error.absolute_path), error.message))
        stack.extend(error.context or ())
    return out


def errors_of(schema: dict[str, Any], doc: Any) -> set[tuple[str, str]]:
    return flat(Draft202012Validator(schema).iter_errors(doc))


# --- the shipped files ---------------------------------------------------------------------------


def test_the_shipped_schemas_are_what_the_model_generates() -> None:
    shipped = {p.name: p.read_text(encoding="utf-8") for p in _folder().glob("*.json")}
    # On failure: python -m conserv_rubric.schema --write
    assert shipped == _shipped_schemas()
    assert sorted(shipped) == ["district-sheet.schema.json", "rubric.schema.json", "sheet.schema.json"]


def test_the_regenerating_script_finds_nothing_to_write(capsys: pytest.CaptureFixture[str]) -> None:
    assert _main([]) == 0
    assert capsys.readouterr() == ("", "")
    assert _main(["--wirte"]) == 2
    assert capsys.readouterr() == ("", "usage: python -m conserv_rubric.schema [--write]\n")


def test_a_stale_schema_file_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("conserv_rubric.schema._folder", lambda: tmp_path)
    (tmp_path / "sheet.schema.json").write_text("{}\n", encoding="utf-8")
    assert _main([]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"{tmp_path / name}: out of date (python -m conserv_rubric.schema --write)"
        for name in ("rubric.schema.json", "sheet.schema.json", "district-sheet.schema.json")
    ]
    assert _main(["--write"]) == 0
    assert capsys.readouterr().out.count("wrote ") == 3
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == _shipped_schemas()


@pytest.mark.parametrize(
    "schema", [RUBRIC_SCHEMA, SHEET_SCHEMA, DISTRICT_SHEETS], ids=["rubric", "sheet", "district"]
)
def test_each_schema_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == DIALECT == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


# --- what the schemas say, from the model --------------------------------------------------------


def objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every object schema with properties, anywhere in *node*."""
    if isinstance(node, dict):
        if "properties" in node and node.get("type") == "object":
            yield node
        for value in node.values():
            yield from objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from objects(value)


def test_every_key_has_a_description_and_every_table_is_closed() -> None:
    for schema in (RUBRIC_SCHEMA, SHEET_SCHEMA, DISTRICT_SHEETS):
        found = list(objects(schema))
        assert len(found) >= 3
        for obj in found:
            if obj["properties"].keys() == {"kind"}:
                continue  # the rule's discriminator; each kind's own table is closed
            assert obj["additionalProperties"] is False, obj.get("title")
            for key, prop in obj["properties"].items():
                assert prop.get("description"), (obj.get("title"), key)


def test_each_rule_kind_is_one_branch_chosen_by_kind() -> None:
    defs = RUBRIC_SCHEMA["$defs"]
    rule = defs["Rule"]
    assert [branch["$ref"] for branch in rule["oneOf"]] == [
        f"#/$defs/{c.__name__}" for c in m.RULE_KINDS.values()
    ]
    assert rule["properties"]["kind"]["enum"] == list(m.RULE_KINDS)
    for name, cls in m.RULE_KINDS.items():
        own = defs[cls.__name__]
        assert own["properties"]["kind"]["const"] == name
        assert "kind" in own["required"]
        # The schema's keys are the attrs fields: nothing more, nothing less.
        assert set(own["properties"]) == {f.name for f in attrs.fields(cls)}
    assert set(defs["Unit"]["properties"]) == {f.name for f in attrs.fields(m.Unit)}
    assert set(SHEET_SCHEMA["$defs"]["SheetInfo"]["properties"]) == {f.name for f in attrs.fields(SheetInfo)}


def test_keys_and_types_follow_the_model() -> None:
    defs = RUBRIC_SCHEMA["$defs"]
    each = defs["Each"]["properties"]
    assert each["per"] == {"description": "Points for each counted thing.", "$ref": "#/$defs/number"}
    assert each["open"]["type"] == "boolean"
    assert each["options"] == {
        "description": "The things the standard names; an answer may list them by name.",
        "type": "array",
        "items": {"type": "string"},
    }
    assert defs["Linear"]["properties"]["digits"]["type"] == "integer"
    assert defs["Linear"]["properties"]["direction"]["enum"] == ["up", "down"]
    assert defs["Judged"]["properties"]["range"] == {
        "description": "`[low, high]`: the answer lies within it, or is 0.",
        "type": "array",
        "items": {"$ref": "#/$defs/number"},
        "minItems": 2,
        "maxItems": 2,
    }
    assert defs["Row"]["properties"]["when"]["additionalProperties"] == {"type": "boolean"}
    assert defs["number"]["exclusiveMaximum"] == 10**12
    assert sorted(defs["Flag"]["required"]) == ["kind", "points"]
    # The rubric's own keys, the patch keys beside them.
    assert list(RUBRIC_SCHEMA["properties"]) == [
        "extends",
        *(f.name for f in attrs.fields(m.Rubric)),
        "remove",
        "override",
        "add",
    ]
    assert RUBRIC_SCHEMA["else"]["required"] == ["title", "total", "units"]
    assert list(SHEET_SCHEMA["properties"]) == ["sheet", "answers", "evidence", "notes", "expect"]
    assert set(SHEET_SCHEMA["properties"]["expect"]["properties"]) == {
        f.name for f in attrs.fields(Expectation)
    }
    assert SHEET_SCHEMA["$defs"]["SheetInfo"]["properties"]["date"]["format"] == "date"


def test_the_sheets_of_one_rubric_have_its_addresses() -> None:
    props = DISTRICT_SHEETS["properties"]
    answers = props["answers"]["properties"]
    assert answers["1.1.1.a"] == {"description": "单位建筑面积能源消耗年度指标", "type": "boolean"}
    counter = answers["2.2.2"]["anyOf"]
    assert counter[0] == {"type": "integer", "minimum": 0}
    assert counter[1]["uniqueItems"] is True
    assert counter[1]["items"]["anyOf"][0]["enum"][:2] == ["能源资源消费统计", "定额管理"]
    # Leaves by hand: unit 1 has 3 (1.1.1.a–c); unit 2 has 4 + 2 + 1 + 1 + 2 + 4 = 14; unit 3 has
    # 5 + 2 + 2 + 2 = 11; unit 4 has 4 + 3 + 4 = 11; unit 5 has 3 + 2 = 5: 44, as pass.toml answers.
    assert len(answers) == 44
    assert set(answers) == set(read(SHEET)["answers"])
    assert props["answers"]["additionalProperties"] is False
    # Evidence and notes take a leaf or an item: 2.2.1 has parts, so both 2.2.1 and 2.2.1.a.
    assert {"2.2.1", "2.2.1.a", "2.2.1.b"} <= set(props["evidence"]["properties"])
    assert DISTRICT_SHEETS["$defs"]["SheetInfo"]["properties"]["stage"]["enum"] == ["self", "verified"]
    assert DISTRICT_SHEETS["$defs"]["SheetInfo"]["properties"]["rubric"]["enum"] == ["XX区节约型机关评价标准"]
    expect = props["expect"]["properties"]
    assert list(expect["units"]["properties"]) == ["1", "2", "3", "4", "5"]
    assert expect["units"]["properties"]["2"]["description"] == "2 完善制度体系"
    assert expect["level"]["enum"] == ["节约型机关"]


# --- every shipped file validates ----------------------------------------------------------------


def test_the_globs_found_files() -> None:
    assert len(RUBRICS) >= 9
    assert len(EXAMPLES) >= 60
    with BROKEN_ON_PURPOSE.open("rb") as f, pytest.raises(tomllib.TOMLDecodeError):
        tomllib.load(f)


@pytest.mark.parametrize("path", RUBRICS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_shipped_rubric_validates(path: Path) -> None:
    assert errors_of(RUBRIC_SCHEMA, read(path)) == set()


@pytest.mark.parametrize(
    "path", [p for p in EXAMPLES if p != BROKEN_ON_PURPOSE], ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_every_example_validates(path: Path) -> None:
    doc = read(path)
    # An example is a sheet, or (district-year/editions) a rubric.
    assert errors_of(SHEET_SCHEMA if "sheet" in doc else RUBRIC_SCHEMA, doc) == set()


def test_every_example_sheet_validates_against_its_rubric() -> None:
    checked = 0
    for rubric_file in RUBRICS:
        folder = ROOT / "examples" / rubric_file.stem
        schema = as_json(sheet_schema(read_rubric(rubric_file)[0]))
        for path in sorted(folder.glob("*.toml")):
            assert errors_of(schema, read(path)) == set(), path
            checked += 1
    for path in sorted((ROOT / "examples" / "district-year" / "sheets").rglob("*.toml")):
        if path != BROKEN_ON_PURPOSE:
            assert errors_of(DISTRICT_SHEETS, read(path)) == set(), path
            checked += 1
    assert checked >= 60


# --- mistakes fail the schema, located, and the loader too ---------------------------------------

Edit = Callable[[dict[str, Any]], None]


def test_the_documents_the_mistakes_start_from_load_as_written() -> None:
    # So that each mistake below is what the loader refuses, not the round trip through tomli-w.
    assert loads_rubric(tomli_w.dumps(read(DISTRICT))) == load_rubric(DISTRICT)
    assert loads_rubric(tomli_w.dumps(read(VARIANT)), base_dir=VARIANT.parent) == load_rubric(VARIANT)
    card = score(load_rubric(DISTRICT), loads_sheet(tomli_w.dumps(read(SHEET))))
    assert card.total == 92


ITEM = "units/1/projects/1/items/1"  # 2.2.2, an `each` with options


def item(doc: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = doc["units"][1]["projects"][1]["items"][1]
    return found


def judged_item(doc: dict[str, Any], rng: list[int]) -> None:
    doc["units"][1]["projects"][1]["items"][2] = {"kind": "judged", "points": 3, "range": rng}


RUBRIC_MISTAKES = [
    pytest.param(
        lambda d: item(d).update(piont=1),
        ITEM,
        "Additional properties are not allowed ('piont' was unexpected)",
        id="misspelt key",
    ),
    pytest.param(
        lambda d: item(d).update(per="1"), f"{ITEM}/per", "'1' is not of type 'number'", id="number as text"
    ),
    pytest.param(
        lambda d: item(d).update(open=1), f"{ITEM}/open", "1 is not of type 'boolean'", id="1 for true"
    ),
    pytest.param(
        lambda d: d.update(total=True), "total", "True is not of type 'number'", id="true for a number"
    ),
    pytest.param(
        lambda d: d.update(digits=1.5),
        "digits",
        "1.5 is not of type 'integer'",
        id="fraction for a whole number",
    ),
    pytest.param(
        lambda d: item(d).update(kind="eahc"),
        f"{ITEM}/kind",
        "'eahc' is not one of ['flag', 'check', 'each', 'parts', 'best', 'bands', 'linear', 'judged', "
        "'deduct', 'cases', 'tiers']",
        id="unknown kind",
    ),
    pytest.param(
        lambda d: judged_item(d, [0, 1, 3]),
        "units/1/projects/1/items/2/range",
        "[0, 1, 3] is too long",
        id="range of three",
    ),
    pytest.param(lambda d: d.pop("title"), "", "'title' is a required property", id="missing title"),
    pytest.param(
        lambda d: d.update(totl=100),
        "",
        "Additional properties are not allowed ('totl' was unexpected)",
        id="unknown top-level key",
    ),
    pytest.param(
        lambda d: d.update(remove=["3.1.3"]),
        "",
        "'extends' is a dependency of 'remove'",
        id="patch key without extends",
    ),
    pytest.param(
        lambda d: d["levels"][0].update(min="80"),
        "levels/0/min",
        "'80' is not of type 'number'",
        id="level as text",
    ),
]


@pytest.mark.parametrize(("edit", "path", "message"), RUBRIC_MISTAKES)
def test_a_rubric_mistake_fails_the_schema_and_the_loader(edit: Edit, path: str, message: str) -> None:
    doc = read(DISTRICT)
    edit(doc)
    assert (path, message) in errors_of(RUBRIC_SCHEMA, doc)
    with pytest.raises(RubricError):
        loads_rubric(tomli_w.dumps(doc), base_dir=DISTRICT.parent)


PATCH_MISTAKES = [
    pytest.param(
        lambda d: d["override"][0].pop("at"),
        "override/0",
        "'at' is a required property",
        id="override without at",
    ),
    pytest.param(
        lambda d: d["override"][0].update(mx=6),
        "override/0",
        "Additional properties are not allowed ('mx' was unexpected)",
        id="override of an unknown key",
    ),
    pytest.param(
        lambda d: d.update(remove=[3]), "remove/0", "3 is not of type 'string'", id="remove of a number"
    ),
    pytest.param(
        lambda d: d.update(add=[{"kind": "flag", "points": 1}]),
        "add/0",
        "{'kind': 'flag', 'points': 1} is not valid under any of the given schemas",
        id="add without to",
    ),
    pytest.param(
        lambda d: d.update(extends={"path": "district"}),
        "extends",
        "{'path': 'district'} is not of type 'string'",
        id="extends as a table",
    ),
]


def test_a_patch_validates_without_the_keys_a_whole_rubric_needs() -> None:
    doc = read(VARIANT)
    assert "extends" in doc
    assert "units" not in doc
    assert errors_of(RUBRIC_SCHEMA, doc) == set()
    doc["add"] = [
        {"to": "2.2", "kind": "flag", "points": 1, "text": "新增"},
        {"to": "3", "title": "新项目", "items": []},
    ]
    assert errors_of(RUBRIC_SCHEMA, doc) == set()


@pytest.mark.parametrize(("edit", "path", "message"), PATCH_MISTAKES)
def test_a_patch_mistake_fails_the_schema_and_the_loader(edit: Edit, path: str, message: str) -> None:
    doc = read(VARIANT)
    edit(doc)
    assert (path, message) in errors_of(RUBRIC_SCHEMA, doc)
    with pytest.raises(RubricError):
        loads_rubric(tomli_w.dumps(doc), base_dir=VARIANT.parent)


SHEET_MISTAKES = [
    pytest.param(
        lambda d: d["sheet"].update(assesor="x"),
        "sheet",
        "Additional properties are not allowed ('assesor' was unexpected)",
        id="misspelt key",
    ),
    pytest.param(
        lambda d: d["sheet"].update(year="2024"),
        "sheet/year",
        "'2024' is not of type 'integer'",
        id="year as text",
    ),
    pytest.param(
        lambda d: d["sheet"].pop("agency"), "sheet", "'agency' is a required property", id="no agency"
    ),
    pytest.param(
        lambda d: d.update(answer={}),
        "",
        "Additional properties are not allowed ('answer' was unexpected)",
        id="unknown table",
    ),
    pytest.param(
        lambda d: d["evidence"].update({"2.1.1": 3}),
        "evidence/2.1.1",
        "3 is not of type 'string'",
        id="evidence as a number",
    ),
    pytest.param(
        lambda d: d["notes"].update({"2.1.1": ["x"]}),
        "notes/2.1.1",
        "['x'] is not of type 'string'",
        id="a note as a list",
    ),
    pytest.param(
        lambda d: d["expect"].update(total="92"),
        "expect/total",
        "'92' is not of type 'number'",
        id="expected total as text",
    ),
    pytest.param(
        lambda d: d["expect"].update(levle="x"),
        "expect",
        "Additional properties are not allowed ('levle' was unexpected)",
        id="misspelt expectation",
    ),
    pytest.param(
        lambda d: d["expect"].update(passed=1),
        "expect/passed",
        "1 is not of type 'boolean'",
        id="1 for an expected true",
    ),
]


@pytest.mark.parametrize(("edit", "path", "message"), SHEET_MISTAKES)
def test_a_sheet_mistake_fails_both_schemas_and_the_loader(edit: Edit, path: str, message: str) -> None:
    doc = read(SHEET)
    edit(doc)
    assert (path, message) in errors_of(SHEET_SCHEMA, doc)
    assert (path, message) in errors_of(DISTRICT_SHEETS, doc)
    with pytest.raises(RubricError):
        loads_sheet(tomli_w.dumps(doc))


ANSWER_MISTAKES = [
    pytest.param(
        lambda d: d["answers"].update({"2.1.9": True}),
        "answers",
        "Additional properties are not allowed ('2.1.9' was unexpected)",
        id="unknown address",
    ),
    pytest.param(
        lambda d: d["answers"].update({"2.1.1": 1}),
        "answers/2.1.1",
        "1 is not of type 'boolean'",
        id="1 for true",
    ),
    pytest.param(
        lambda d: d["answers"].update({"5.1.3": -1}),
        "answers/5.1.3",
        "-1 is less than the minimum of 0",
        id="negative count",
    ),
    pytest.param(
        lambda d: d["answers"].update({"5.1.1": ["世界水日", "世界水日"]}),
        "answers/5.1.1",
        "['世界水日', '世界水日'] has non-unique elements",
        id="a name twice",
    ),
    pytest.param(
        lambda d: d["sheet"].update(stage="verifed"),
        "sheet/stage",
        "'verifed' is not one of ['self', 'verified']",
        id="unknown stage",
    ),
    pytest.param(
        lambda d: d["evidence"].update({"9.9": "x"}),
        "evidence",
        "Additional properties are not allowed ('9.9' was unexpected)",
        id="evidence of an unknown address",
    ),
]


@pytest.mark.parametrize(("edit", "path", "message"), ANSWER_MISTAKES)
def test_an_answer_mistake_fails_the_rubrics_schema_and_scoring(edit: Edit, path: str, message: str) -> None:
    doc = read(SHEET)
    edit(doc)
    assert (path, message) in errors_of(DISTRICT_SHEETS, doc)
    with pytest.raises(RubricError):
        score(load_rubric(DISTRICT), loads_sheet(tomli_w.dumps(doc)))


def test_a_string_answer_fails_the_rubrics_sheet_schema() -> None:
    # The general schema cannot refuse it: a tier is answered by its name, a string.
    doc = read(SHEET)
    doc["answers"]["2.1.1"] = "true"
    assert ("answers/2.1.1", "'true' is not of type 'boolean'") in errors_of(DISTRICT_SHEETS, doc)
    assert errors_of(SHEET_SCHEMA, doc) == set()


def test_tier_answers_validate_against_their_rubric() -> None:
    rubric = loads_rubric(
        'title = "T"\ntotal = 4\n[[units]]\ntitle = "u"\npoints = 4\n[[units.items]]\nkind = "tiers"\n'
        'tiers = [{ name = "符合", points = 4 }, { name = "基本符合", range = [1, 3] }, '
        '{ name = "不符合", points = 0 }]\n'
    )
    schema = as_json(sheet_schema(rubric))
    for good in ("符合", "不符合", "基本符合 2", {"tier": "基本符合", "points": 1.5}):
        doc = {"sheet": {"agency": "a"}, "answers": {"1.1": good}}
        assert errors_of(schema, doc) == set(), good
        assert errors_of(SHEET_SCHEMA, doc) == set(), good
        score(rubric, loads_sheet(dumps_json(doc), format="json"))
    for bad in ("基本", "基本符合", "符合 2", {"tier": "基本符合", "points": 5}, True):
        doc = {"sheet": {"agency": "a"}, "answers": {"1.1": bad}}
        found = {path for path, _ in errors_of(schema, doc)}
        assert found, bad
        assert all(path.startswith("answers/1.1") for path in found), bad
        with pytest.raises(RubricError):
            score(rubric, loads_sheet(dumps_json(doc), format="json"))


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (
            lambda d: d["expect"]["units"].update({"9": 1}),
            "expect/units",
            "Additional properties are not allowed ('9' was unexpected)",
        ),
        (
            lambda d: d["expect"].update(level="节约机关"),
            "expect/level",
            "'节约机关' is not one of ['节约型机关']",
        ),
        (
            lambda d: d["expect"]["items"].update({"2.2": 20}),
            "expect/items",
            "Additional properties are not allowed ('2.2' was unexpected)",
        ),
    ],
)
def test_an_expectation_the_rubric_cannot_meet_fails_its_schema_and_the_test(
    edit: Edit, path: str, message: str
) -> None:
    doc = read(SHEET)
    edit(doc)
    assert (path, message) in errors_of(DISTRICT_SHEETS, doc)
    assert errors_of(SHEET_SCHEMA, doc) == set()
    outcome = check_sheet_expectation(load_rubric(DISTRICT), loads_sheet(tomli_w.dumps(doc)))
    assert len(outcome.errors) == 1


SHAPES = """
title = "t"
total = 9
[[units]]
title = "u"
[[units.items]]
kind = "judged"
points = 3
range = [1, 3]
step = 0.5
[[units.items]]
kind = "bands"
input = "ratio"
bands = [{ le = 1, points = 3 }, { gt = 1, points = 0 }]
[[units.items]]
kind = "each"
per = 1
options = ["甲", "乙", "丙"]
"""


@pytest.mark.parametrize(
    ("answer", "valid"),
    [
        ({"1.1": 0}, True),
        ({"1.1": 2.5}, True),
        ({"1.1": 3}, True),
        ({"1.1": 0.5}, False),  # below the range, and not 0
        ({"1.1": 3.5}, False),
        ({"1.1": 1.25}, False),  # not a multiple of the step
        ({"1.2": 1.1}, True),
        ({"1.2": {"value": 15.8, "ref": 18}}, True),
        ({"1.2": {"value": 15.8, "ref": 0}}, False),
        ({"1.2": {"value": 15.8}}, False),
        ({"1.2": {"value": 15.8, "ref": 18, "unit": "t"}}, False),
        ({"1.3": 3}, True),
        ({"1.3": 4}, False),  # the closed list has three
        ({"1.3": ["甲", "丙"]}, True),
        ({"1.3": ["丁"]}, False),
        ({"1.3": ["甲", "甲"]}, False),
        ({"1.3": 1.5}, False),
        ({"1.3": True}, False),
    ],
)
def test_each_answer_shape_is_checked_as_scoring_checks_it(answer: dict[str, Any], valid: bool) -> None:
    rubric = loads_rubric(SHAPES)
    schema = as_json(sheet_schema(rubric))
    doc = {"sheet": {"agency": "a"}, "answers": answer}
    assert (errors_of(schema, doc) == set()) is valid
    sheet = loads_sheet(tomli_w.dumps(doc))
    if valid:
        score(rubric, sheet)
    else:
        with pytest.raises(RubricError):
            score(rubric, sheet)


def test_a_zero_or_na_leaf_is_a_flag() -> None:
    rubric = loads_rubric(
        'title = "t"\ntotal = 2\nna = "exclude"\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "flag"\n'
        'points = 2\nzero_if = "未配备人员的"\nna_if = "无食堂的"\n'
    )
    answers = as_json(sheet_schema(rubric))["properties"]["answers"]["properties"]
    assert answers == {
        "1.1.zero": {"description": "true when: 未配备人员的 (the item then scores 0)", "type": "boolean"},
        "1.1.na": {"description": "true when: 无食堂的 (the item is then not evaluated)", "type": "boolean"},
        "1.1": {"type": "boolean"},
    }


def test_exact_figures_from_the_rubric_are_written_exactly() -> None:
    rubric = loads_rubric(SHAPES.replace("step = 0.5", "step = 0.1"))
    text = dumps_schema(sheet_schema(rubric))
    assert '"multipleOf": 0.1\n' in text
    assert text.endswith("}\n")


# --- the command ---------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "file"),
    [
        (["rubric"], "rubric.schema.json"),
        (["sheet"], "sheet.schema.json"),
        (["sheet", "district"], "district-sheet.schema.json"),
        (["sheet", DISTRICT], "district-sheet.schema.json"),
    ],
)
def test_the_command_prints_the_shipped_schema(
    capsys: pytest.CaptureFixture[str], args: list[str | Path], file: str
) -> None:
    assert run(capsys, "schema", *args) == (0, (_folder() / file).read_text(encoding="utf-8"), "")


def test_the_rubric_schema_takes_no_rubric(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "schema", "rubric", "district") == (
        2,
        "",
        "the rubric schema is the same for every rubric; "
        "for the sheets of one: conserv-rubric schema sheet district\n",
    )


def test_an_unknown_rubric_is_named_with_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "schema", "sheet", "distrct")
    assert (code, out) == (2, "")
    assert err == (
        "distrct: no such file, nor a shipped rubric of that name "
        "(did you mean 'district' or 'yy-district'?)\n"
    )


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from conserv_rubric import __version__  # noqa: PLC0415 - the one name this test needs

    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr() == (f"conserv-rubric {__version__}\n", "")


# --- the repository's own editor set-up ----------------------------------------------------------


def glob_pattern(glob: str) -> re.Pattern[str]:
    """A Taplo or Tombi include glob as a regular expression: ``**/`` is any folders, ``*`` a name."""
    out = ""
    for part in re.split(r"(\*\*/|\*)", glob):
        out += {"**/": "(?:[^/]+/)*", "*": "[^/]*"}.get(part, re.escape(part))
    return re.compile(out)


def schema_files() -> dict[str, dict[str, Any]]:
    return {name: json.loads(text) for name, text in _shipped_schemas().items()}


def associations() -> dict[str, list[tuple[list[str], list[str], str]]]:
    """Each tool's rules: include globs, exclude globs, the schema's file name."""
    with (ROOT / ".taplo.toml").open("rb") as f:
        taplo = tomllib.load(f)
    with (ROOT / "tombi.toml").open("rb") as f:
        tombi = tomllib.load(f)
    return {
        "taplo": [
            (r["include"], r.get("exclude", []), Path(r["schema"]["path"]).name) for r in taplo["rule"]
        ],
        "tombi": [(s["include"], [], Path(s["path"]).name) for s in tombi["schemas"]],
    }


@pytest.mark.parametrize("tool", ["taplo", "tombi"])
def test_the_repositorys_editor_config_gives_each_file_a_schema_that_accepts_it(tool: str) -> None:
    schemas = schema_files()
    rules = associations()[tool]
    files = [*RUBRICS, *EXAMPLES, *(ROOT / "docs" / "examples").glob("*.toml")]
    for path in files:
        if path == BROKEN_ON_PURPOSE:
            continue
        name = path.relative_to(ROOT).as_posix()
        matching = [
            schema
            for include, exclude, schema in rules
            if any(glob_pattern(g).fullmatch(name) for g in include)
            and not any(glob_pattern(g).fullmatch(name) for g in exclude)
        ]
        assert len(matching) == 1, (name, matching)
        assert errors_of(schemas[matching[0]], read(path)) == set(), name
    # And a file the rules send elsewhere fails there: the district's sheets are checked by address.
    assert errors_of(schemas["rubric.schema.json"], read(SHEET)) != set()


def test_the_modules_examples_run() -> None:
    import doctest  # noqa: PLC0415 - only this test runs doctests

    import conserv_rubric.schema  # noqa: PLC0415 - the module under test, not its names

    result = doctest.testmod(conserv_rubric.schema)
    assert result.attempted > 0
    assert result.failed == 0
    assert dir(conserv_rubric.schema) == ["DIALECT", "dumps_schema", "rubric_schema", "sheet_schema"]
