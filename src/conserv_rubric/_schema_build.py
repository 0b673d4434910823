"""attrs classes as closed JSON Schema objects for `conserv_rubric.schema`, each field described
by the model's own docstrings and comments, and any rule one of the kinds, chosen by ``kind``."""

from __future__ import annotations

import ast
import datetime
import functools
import inspect
import re
import sys
import types
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Literal, Union, get_args, get_origin, get_type_hints

import attrs

from ._limits import MAX_NUMBER
from .model import RULE_KINDS

_RULE_CLASSES: Final = frozenset(RULE_KINDS.values())
NUMBER_REF: Final = {"$ref": "#/$defs/number"}
_NUMBER_DEF: Final = {
    "description": f"A TOML number, read as an exact decimal; its size stays below {MAX_NUMBER:,}.",
    "type": "number",
    "exclusiveMinimum": -MAX_NUMBER,
    "exclusiveMaximum": MAX_NUMBER,
}
# The loader reads a TOML date, or the same as text (JSON has no dates); editors show TOML dates
# to the schema as text.
_DATE: Final = {"type": "string", "pattern": r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$", "format": "date"}


# --- descriptions from the source -----------------------------------------------------------


def _plain(text: str) -> str:
    """Docstring markup as the Markdown an editor shows: double backquotes become single ones."""
    return re.sub(r"\s+", " ", text.replace("``", "`")).strip()


@functools.cache
def _comment_docs(module: types.ModuleType) -> dict[tuple[str, str], str]:
    """``#:`` comments above the fields of *module*'s classes, by (class, field)."""
    try:
        source = inspect.getsource(module)
    except OSError:  # pragma: no cover - an install without sources: the keys go undescribed
        return {}
    lines = source.splitlines()
    out: dict[tuple[str, str], str] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            comment: list[str] = []
            row = stmt.lineno - 2
            while row >= 0 and lines[row].strip().startswith("#:"):
                comment.insert(0, lines[row].strip()[2:].strip())
                row -= 1
            if comment:
                out[(node.name, stmt.target.id)] = _plain(" ".join(comment))
    return out


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def docstring_attributes(cls: type[Any]) -> dict[str, str]:
    """The ``Attributes:`` section of *cls*'s docstring, by name."""
    doc = inspect.getdoc(cls) or ""
    out: dict[str, str] = {}
    current: str | None = None
    inside = False
    for line in doc.splitlines():
        if line.strip() == "Attributes:":
            inside = True
            continue
        if not inside:
            continue
        if line and not line.startswith(" "):
            break
        entry = re.match(r"    (\w+): (.*)", line)
        if entry:
            current = entry.group(1)
            out[current] = entry.group(2)
        elif current is not None and line.strip():
            out[current] += " " + line.strip()
    return {name: _capital(_plain(text)) for name, text in out.items()}


def summary(cls: type[Any]) -> str:
    """The first paragraph of *cls*'s docstring."""
    doc = inspect.getdoc(cls) or ""
    return _plain(doc.split("\n\n", 1)[0])


def _field_doc(cls: type[Any], name: str) -> str | None:
    """What field *name* of *cls* means, from a ``#:`` comment or the class docstring."""
    for klass in cls.__mro__:
        module = sys.modules.get(klass.__module__)
        if module is None or klass is object:
            continue
        found = _comment_docs(module).get((klass.__name__, name)) or docstring_attributes(klass).get(name)
        if found:
            return found
    return None


# --- types to schemas -----------------------------------------------------------------------


def _kind_is(name: str) -> dict[str, Any]:
    """A condition: the table's ``kind`` is *name* (open to other keys, for Tombi's strict mode)."""
    return {
        "properties": {"kind": {"const": name}},
        "required": ["kind"],
        "additionalProperties": True,
    }


class Builder:
    """Turns attrs classes into closed object schemas, collecting them under ``$defs``."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {"number": dict(_NUMBER_DEF)}

    def ref(self, cls: type[Any]) -> dict[str, Any]:
        """A ``$ref`` to *cls*'s schema, building it on first use."""
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # a placeholder: a class may refer to itself through its rules
            self.defs[name] = self.closed(cls)
        return {"$ref": f"#/$defs/{name}"}

    def rule(self) -> dict[str, Any]:
        """A ``$ref`` to the schema of any rule: one of the kinds, chosen by ``kind``."""
        if "Rule" not in self.defs:
            self.defs["Rule"] = {}
            # The kinds are a oneOf, discriminated by `kind`; the same choice made again with
            # if/then lets a validator name the misspelt key or the wrong value inside the rule
            # instead of only saying that no kind fits.
            self.defs["Rule"] = {
                "description": "A rule: its `kind` says which, and which keys it takes.",
                "type": "object",
                "properties": {"kind": {"type": "string", "enum": list(RULE_KINDS)}},
                "required": ["kind"],
                "additionalProperties": True,
                "oneOf": [self.ref(cls) for cls in RULE_KINDS.values()],
                "allOf": [{"if": _kind_is(name), "then": self.ref(cls)} for name, cls in RULE_KINDS.items()],
            }
        return {"$ref": "#/$defs/Rule"}

    def of(self, hint: Any) -> dict[str, Any]:
        """The schema of a value of type *hint*, as the strict converter accepts it."""
        origin, args = get_origin(hint), get_args(hint)
        if origin in (Union, types.UnionType):
            members = [a for a in args if a is not type(None)]
            if frozenset(members) == _RULE_CLASSES:
                return self.rule()
            if len(members) == 1:
                return self.of(members[0])
            raise TypeError(f"no schema for the union {hint!r}")  # pragma: no cover - the model has none
        if origin is Literal:
            return {"type": "string", "enum": list(args)} if len(args) > 1 else {"const": args[0]}
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.of(args[0])}
            if len(set(args)) != 1:  # pragma: no cover - the model's pairs are of numbers
                raise TypeError(f"no schema for the tuple {hint!r}")
            return {"type": "array", "items": self.of(args[0]), "minItems": len(args), "maxItems": len(args)}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.of(args[1])}
        if hint is Decimal:
            return dict(NUMBER_REF)
        if hint is bool:
            return {"type": "boolean"}
        if hint is int:
            return {"type": "integer"}
        if hint is str:
            return {"type": "string"}
        if hint is datetime.date:
            return dict(_DATE)
        if isinstance(hint, type) and attrs.has(hint):
            return self.ref(hint)
        raise TypeError(f"no schema for {hint!r}")  # pragma: no cover - every field type is above

    def properties(self, cls: type[Any]) -> tuple[dict[str, Any], list[str]]:
        """The schemas of *cls*'s fields, ``kind`` first, and the names of the required ones."""
        hints = get_type_hints(cls)
        fields = sorted(attrs.fields(cls), key=lambda f: f.name != "kind")
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in fields:
            schema = self.of(hints[field.name])
            doc = _field_doc(cls, field.name)
            if field.name == "kind" and doc is None:
                doc = f"The rule kind: {summary(cls)}"
            properties[field.name] = {"description": doc, **schema} if doc else schema
            # A rule's kind has a default in the class, but a rule table must name it.
            if field.default is attrs.NOTHING or field.name == "kind":
                required.append(field.name)
        return properties, required

    def closed(
        self, cls: type[Any], extra: Mapping[str, Any] | None = None, need: Sequence[str] = ()
    ) -> dict[str, Any]:
        """The closed object schema of *cls*, with *extra* properties (*need* among the required)."""
        properties, required = self.properties(cls)
        out: dict[str, Any] = {"title": cls.__name__, "description": summary(cls), "type": "object"}
        out["properties"] = {**(extra or {}), **properties}
        out["required"] = [*need, *required]
        if not out["required"]:
            del out["required"]
        out["additionalProperties"] = False
        return out
