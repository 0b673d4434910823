"""JSON Schemas (draft 2020-12) for rubrics and sheets, generated from the model, for editors.

An editor that reads JSON Schema for TOML (VS Code with Even Better TOML, Tombi) then completes
keys, shows what each key means and marks a misspelt key or a wrong type as it is typed
(docs/editor.md). The schemas are generated from the attrs classes of `conserv_rubric.model`,
`conserv_rubric.SheetInfo` and the ``[expect]`` table, and they accept the types the loader
accepts: a number is a TOML number (never ``"9"``), a flag is ``true`` or ``false`` (never
``1``; an answer the loader would read from text, as a CSV cell holds it, is marked, so that a
TOML sheet keeps its types; a tier is answered by its name), every table is closed
(``additionalProperties: false``) and a rule is one of the kinds of
`conserv_rubric.model.RULE_KINDS`, chosen by its ``kind``. What needs more than the shape of
the document (declared totals, ascending levels, unique addresses) is left to
`conserv_rubric.validate`.

The package ships the generated schemas in ``conserv_rubric/schemas/``: ``rubric.schema.json``,
``sheet.schema.json`` and ``district-sheet.schema.json`` (the sheets of the shipped district
rubric). ``python -m conserv_rubric.schema --write`` writes them again.

>>> schema = rubric_schema()
>>> schema["$defs"]["Each"]["properties"]["per"]["$ref"]
'#/$defs/number'
>>> sorted(schema["$defs"]["Each"]["required"])
['kind', 'per']
"""

from __future__ import annotations

import importlib.resources
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from . import model
from ._compiled import compiled
from ._expect import Expectation
from ._kinds import Leaf
from ._limits import MAX_LIST
from ._rubric_io import load_rubric
from ._schema_build import NUMBER_REF, Builder, docstring_attributes, summary
from ._sheet import Sheet, SheetInfo
from ._shipped import path as shipped_path
from ._text import dumps_json
from .model import RULE_KINDS, Rubric, Tiers

__all__ = ["DIALECT", "dumps_schema", "rubric_schema", "sheet_schema"]

#: The JSON Schema dialect of every schema generated here.
DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

#: The shipped rubric whose sheets' schema ships too.
_SHIPPED_RUBRIC: Final = "district"

# --- rubrics ---------------------------------------------------------------------------------

_NODE_CLASSES: Final = (model.Unit, model.Project, *RULE_KINDS.values())


def _override(builder: Builder) -> dict[str, Any]:
    """An ``override`` entry: ``at`` and any key a unit, project or rule takes."""
    shapes: dict[str, list[dict[str, Any]]] = {}
    docs: dict[str, set[str]] = {}
    for cls in _NODE_CLASSES:
        for name, schema in builder.properties(cls)[0].items():
            shape = {k: v for k, v in schema.items() if k != "description"}
            if name == "kind":
                shape = {"type": "string", "enum": list(RULE_KINDS)}
            seen = shapes.setdefault(name, [])
            if shape not in seen:
                seen.append(shape)
            docs.setdefault(name, set()).add(schema.get("description", ""))
    properties: dict[str, Any] = {
        "at": {"description": "The address of the unit, project or item to change.", "type": "string"}
    }
    for name, found in shapes.items():
        [doc] = docs[name] if len(docs[name]) == 1 else [f"Replaces the `{name}` of the node at `at`."]
        properties[name] = {"description": doc, **(found[0] if len(found) == 1 else {"anyOf": found})}
    properties["kind"]["description"] = "A new rule kind replaces the whole rule, keeping its id."
    return {
        "title": "Override",
        "description": "The given keys replace those of the unit, project or item at `at`.",
        "type": "object",
        "properties": properties,
        "required": ["at"],
        "additionalProperties": False,
    }


def _add(builder: Builder) -> dict[str, Any]:
    """An ``add`` entry: ``to`` and a whole project or item."""
    to = {
        "to": {
            "description": "The address of the unit or project it is added to; "
            "added to a unit with projects, it is a new project.",
            "type": "string",
        }
    }
    return {
        "title": "Add",
        "description": "A new item appended to a project (or to a unit without projects), or a new project.",
        "oneOf": [builder.closed(cls, to, ["to"]) for cls in (model.Project, *RULE_KINDS.values())],
    }


_PATCH_KEYS: Final = ("remove", "override", "add")


def rubric_schema() -> dict[str, Any]:
    """The JSON Schema of a rubric file: a whole rubric, or a patch of another (``extends``).

    A rubric that extends another may leave out every key; one that does not needs ``title``,
    ``total`` and ``units``, and takes no patch keys.

    Returns:
        The schema as a JSON-ready dict (draft 2020-12).
    """
    builder = Builder()
    properties, required = builder.properties(Rubric)
    units = properties["units"]
    units["description"] += " In a rubric that extends another: units appended after the base's."
    patch = {
        "extends": {
            "description": "The base rubric this one changes: a path relative to this file, or a shipped "
            "rubric's name such as \"district\". The keys given here replace the base's.",
            "type": "string",
        },
        "remove": {
            "description": "Addresses to drop; the others keep their addresses.",
            "type": "array",
            "items": {"type": "string"},
        },
        "override": {
            "description": "Changes by address: the given keys replace those of the node at `at`.",
            "type": "array",
            "items": {"$ref": "#/$defs/Override"},
        },
        "add": {
            "description": "New items (or projects) appended at the address `to`.",
            "type": "array",
            "items": {"$ref": "#/$defs/Add"},
        },
    }
    builder.defs["Override"] = _override(builder)
    builder.defs["Add"] = _add(builder)
    return {
        "$schema": DIALECT,
        "title": "conserv-rubric rubric",
        "description": "An evaluation standard (评价标准) as a conserv-rubric rubric, or a variant that "
        "extends one (docs/rubric-format.md).",
        "type": "object",
        "properties": {"extends": patch["extends"], **properties, **{k: patch[k] for k in _PATCH_KEYS}},
        "additionalProperties": False,
        "dependentRequired": {key: ["extends"] for key in _PATCH_KEYS},
        # Tombi reads a schema without additionalProperties as closed: these only add conditions.
        "if": {"required": ["extends"], "additionalProperties": True},
        "else": {"required": required, "additionalProperties": True},
        "$defs": builder.defs,
    }


# --- sheets ----------------------------------------------------------------------------------

_RATIO: Final = {
    "type": "object",
    "properties": {
        "value": {"description": "The measured figure.", **NUMBER_REF},
        "ref": {
            "description": "Its reference (the average, the target), more than 0.",
            **NUMBER_REF,
            "exclusiveMinimum": 0,
        },
    },
    "required": ["value", "ref"],
    "additionalProperties": False,
}
_NAMES: Final = {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "maxItems": MAX_LIST}
_COUNT: Final = {"type": "integer", "minimum": 0}
_TIER_TABLE: Final = {
    "description": "A ranged tier and the points chosen in it.",
    "type": "object",
    "properties": {
        "tier": {"description": "The tier's name.", "type": "string"},
        "points": {"description": "The points chosen within its range.", **NUMBER_REF},
    },
    "required": ["tier"],
    "additionalProperties": False,
}
_ANY_ANSWER: Final = {
    "description": "An answer of the shape its leaf wants: true/false, a count, a list of names, "
    'a number, { value, ref }, or a tier\'s name ("基本符合 2" or { tier, points } for a ranged one).',
    "anyOf": [{"type": "boolean"}, NUMBER_REF, _NAMES, _RATIO, {"type": "string"}, _TIER_TABLE],
}
_EVIDENCE: Final = {
    "description": "The documents cited (佐证材料): a list, or one document as a string.",
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
}
_NOTE: Final = {"description": "Free text.", "type": "string"}


def _leaf(leaf: Leaf) -> dict[str, Any]:
    """The schema of the answer *leaf* wants (what `conserv_rubric.score` checks)."""
    if leaf.address.endswith(".zero"):
        text = f"true when: {leaf.text} (the item then scores 0)"
    elif leaf.address.endswith(".na"):
        text = f"true when: {leaf.text} (the item is then not evaluated)"
    else:
        text = leaf.text
    out: dict[str, Any] = {"description": text} if text else {}
    if leaf.shape == "bool":
        return {**out, "type": "boolean"}
    if leaf.shape == "count":
        return {**out, **_COUNT}
    if leaf.shape == "count_or_names":
        if leaf.closed:
            count = {**_COUNT, "maximum": len(leaf.options)}
            names = {**_NAMES, "items": {"enum": list(leaf.options)}, "maxItems": len(leaf.options)}
        else:
            count = dict(_COUNT)
            named = {"anyOf": [{"enum": list(leaf.options)}, {"type": "string"}]}
            names = {**_NAMES, "items": named} if leaf.options else dict(_NAMES)
        return {**out, "anyOf": [count, names]}
    if leaf.shape == "ratio":
        return {**out, "anyOf": [NUMBER_REF, _RATIO]}
    if leaf.shape == "judged":
        assert leaf.low is not None
        assert leaf.high is not None
        chosen: dict[str, Any] = {"type": "number", "minimum": leaf.low, "maximum": leaf.high}
        if leaf.step is not None:
            chosen["multipleOf"] = leaf.step
        return {**out, "anyOf": [{"const": 0}, chosen]}
    if leaf.shape == "tier":
        return {**out, "anyOf": _tier_answers(leaf)}
    return {**out, **NUMBER_REF}


def _tier_answers(leaf: Leaf) -> list[dict[str, Any]]:
    """A tier's name; for a ranged tier, its name and points ("基本符合 2") or { tier, points }."""
    rule = leaf.rule
    assert isinstance(rule, Tiers)
    fixed = [t.name for t in rule.tiers if t.range is None]
    ranged = [t for t in rule.tiers if t.range is not None]
    out: list[dict[str, Any]] = [{"enum": fixed}] if fixed else []
    for tier in ranged:
        assert tier.range is not None
        low, high = tier.range
        points = {**NUMBER_REF, "minimum": low, "maximum": high}
        if tier.step is not None:
            points["multipleOf"] = tier.step
        number = r"[0-9]+(\.[0-9]+)?"
        out.append({"type": "string", "pattern": f"^{re.escape(tier.name)}\\s+{number}$"})
        out.append({**_TIER_TABLE, "properties": {"tier": {"const": tier.name}, "points": points}})
    return out


def _addresses(table: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    return {"type": "object", "properties": dict(table), "additionalProperties": False}


def _expect(builder: Builder, rubric: Rubric | None) -> dict[str, Any]:
    """The ``[expect]`` table, with the rubric's addresses and levels when it is known."""
    schema = builder.closed(Expectation)
    if rubric is None:
        return schema
    c = compiled(rubric)
    properties = schema["properties"]
    groups = {
        "units": [(a, u.title) for a, u in c.unit_nodes],
        "projects": [(a, p.title) for a, p, _ in c.project_nodes],
        "items": [(i.address, i.rule.text) for i in c.items],
    }
    for key, nodes in groups.items():
        points = {"description": "The points it should score.", **NUMBER_REF}
        properties[key] = {
            "description": properties[key]["description"],
            **_addresses({a: {**points, "description": f"{a} {t}".strip()} for a, t in nodes}),
        }
    if rubric.levels:
        properties["level"]["enum"] = [lv.name for lv in rubric.levels]
    return schema


def sheet_schema(rubric: Rubric | None = None) -> dict[str, Any]:
    """The JSON Schema of a sheet file, for any rubric or for *rubric*'s sheets.

    Args:
        rubric: the rubric the sheets answer; its leaf addresses then become the properties of
            ``answers`` (each with the shape of answer it wants), its leaf and item addresses
            those of ``evidence`` and ``notes``, its stages the values of ``sheet.stage``.

    Returns:
        The schema as a JSON-ready dict (draft 2020-12); numbers from *rubric* are `Decimal`,
        which `dumps_schema` writes exactly.
    """
    builder = Builder()
    info = builder.closed(SheetInfo)
    sheet_doc = docstring_attributes(Sheet)
    answers: dict[str, Any] = {"type": "object", "additionalProperties": _ANY_ANSWER}
    evidence: dict[str, Any] = {"type": "object", "additionalProperties": _EVIDENCE}
    notes: dict[str, Any] = {"type": "object", "additionalProperties": _NOTE}
    title, description = "conserv-rubric sheet", "One agency's answers (自评打分表) for a rubric."
    if rubric is not None:
        c = compiled(rubric)
        answers = _addresses({a: _leaf(leaf) for a, leaf in c.leaves.items()})
        cited = [*c.leaves, *(a for a in c.item_addresses if a not in c.leaves)]
        evidence = _addresses({a: _EVIDENCE for a in sorted(cited, key=_address_key)})
        notes = _addresses({a: _NOTE for a in sorted(cited, key=_address_key)})
        info["properties"]["stage"]["enum"] = list(rubric.stages)
        info["properties"]["rubric"]["enum"] = [rubric.title]
        title = f"conserv-rubric sheet for {rubric.title}"
        edition = "，".join(x for x in (rubric.issuer, rubric.version) if x)
        description = f"One agency's answers (自评打分表) for {rubric.title}" + (
            f"（{edition}）." if edition else "."
        )
    builder.defs["SheetInfo"] = info
    return {
        "$schema": DIALECT,
        "title": title,
        "description": description,
        "type": "object",
        "properties": {
            "sheet": {"description": summary(SheetInfo), "$ref": "#/$defs/SheetInfo"},
            "answers": {"description": sheet_doc["answers"], **answers},
            "evidence": {"description": sheet_doc["evidence"], **evidence},
            "notes": {"description": sheet_doc["notes"], **notes},
            "expect": {"description": sheet_doc["expect"], **_expect(builder, rubric)},
        },
        "required": ["sheet"],
        "additionalProperties": False,
        "$defs": builder.defs,
    }


def _address_key(address: str) -> list[tuple[int, int | str]]:
    """Addresses in reading order: 2.10 after 2.9, 2.2.1 before 2.2.1.a."""
    return [(0, int(s)) if s.isdigit() else (1, s) for s in address.split(".")]


def dumps_schema(schema: Mapping[str, Any]) -> str:
    """*schema* as indented JSON text, every `Decimal` written exactly, with a final newline.

    Returns:
        The text ``conserv-rubric schema`` prints and the shipped files hold.
    """
    return dumps_json(schema) + "\n"


# --- the shipped files -----------------------------------------------------------------------


def _shipped_schemas() -> dict[str, str]:
    """The text of every schema file shipped in ``conserv_rubric/schemas/``, by file name."""
    district = load_rubric(shipped_path(_SHIPPED_RUBRIC))
    return {
        "rubric.schema.json": dumps_schema(rubric_schema()),
        "sheet.schema.json": dumps_schema(sheet_schema()),
        f"{_SHIPPED_RUBRIC}-sheet.schema.json": dumps_schema(sheet_schema(district)),
    }


def _folder() -> Path:
    found = importlib.resources.files("conserv_rubric") / "schemas"
    assert isinstance(found, Path)  # pip installs wheels unzipped
    return found


def _main(argv: Sequence[str]) -> int:
    """``python -m conserv_rubric.schema [--write]``: check (or write) the shipped schema files."""
    write = list(argv) == ["--write"]
    if argv and not write:
        sys.stderr.write("usage: python -m conserv_rubric.schema [--write]\n")
        return 2
    stale = []
    for name, text in _shipped_schemas().items():
        file = _folder() / name
        current = file.read_text(encoding="utf-8") if file.is_file() else None
        if current == text:
            continue
        if write:
            file.parent.mkdir(exist_ok=True)
            file.write_text(text, encoding="utf-8")
            sys.stdout.write(f"wrote {file}\n")
        else:
            stale.append(name)
    for name in stale:
        sys.stderr.write(f"{_folder() / name}: out of date (python -m conserv_rubric.schema --write)\n")
    return 1 if stale else 0


def __dir__() -> list[str]:
    return list(__all__)


if __name__ == "__main__":  # pragma: no cover - run by hand after a change to the model
    sys.exit(_main(sys.argv[1:]))
