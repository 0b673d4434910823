"""Reading and writing rubrics: tomllib in, cattrs to structure, tomli-w out."""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal, get_args, get_origin

import attrs
import cattrs
import tomli_w
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn

from ._model import RULE_KINDS, Rubric, Rule
from ._paths import NESTED_KEYS, join, letter, number
from ._shipped import base_rubric
from .errors import Problem, RubricError

#: How problems with the document's top-level table are located.
TOP: Final = "top level"
#: Numbers from this size on, or with more decimal places, are refused (points, counts, answers).
MAX_DIGITS: Final = 12
MAX_NUMBER: Final = 10**MAX_DIGITS
MAX_DECIMALS: Final = 10
#: Larger rubric files are refused before parsing (a real standard is a few dozen kilobytes).
MAX_FILE_BYTES: Final = 4 * 1024 * 1024
#: Deeper nesting of tables and arrays is refused.
MAX_DEPTH: Final = 32
#: Documents with more tables (units, projects, items, parts …) are refused.
MAX_TABLES: Final = 10_000
#: Longer `extends` chains are refused.
MAX_EXTENDS: Final = 16


class _Bad(Exception):
    """A value that does not fit; *key* is appended to the path when set."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


class _Nested(Exception):
    """Errors of several elements, each under its own path segment."""

    def __init__(self, errors: Sequence[tuple[str, BaseException]]) -> None:
        super().__init__("nested errors")
        self.errors = errors


def describe(value: object) -> str:
    """How a TOML value is named in messages: 'a string ("9")', 'a number (3)' …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, Decimal) and not value.is_finite():
        return str(value).lower().replace("infinity", "inf")
    if isinstance(value, Decimal) and abs(value.adjusted()) > 30:
        return f"a number ({value:.3E})"
    if isinstance(value, int | Decimal | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'a string ("{shown}")'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"a {type(value).__name__} ({value})"


def suggest(word: str, choices: Iterator[str] | list[str] | tuple[str, ...]) -> str:
    """' (did you mean 'x'?)' for the nearest choice, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def out_of_range(value: Decimal) -> str | None:
    """Why *value* is no number a standard uses (infinite, huge or over-precise), or None."""
    if not value.is_finite():
        return f"expected a finite number, got {describe(value)}"
    # adjusted() is the exponent of the leading digit; it never overflows, unlike abs().
    if value.adjusted() >= MAX_DIGITS or value.as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]  # finite: an int exponent
        return f"expected a number below {MAX_NUMBER:,} with at most {MAX_DECIMALS} decimal places"
    return None


def _why(exc: OSError | ValueError) -> str:
    """The reason a file could not be opened ("No such file or directory", "embedded null byte")."""
    return getattr(exc, "strerror", None) or str(exc)


def _decimal(obj: object, _: object = None) -> Decimal:
    if isinstance(obj, bool) or not isinstance(obj, int | Decimal):
        raise _Bad(f"expected a number, got {describe(obj)}")
    value = Decimal(obj)
    problem = out_of_range(value)
    if problem is not None:
        raise _Bad(problem)
    return value


def _int(obj: object, _: object = None) -> int:
    if isinstance(obj, bool) or not isinstance(obj, int):
        raise _Bad(f"expected a whole number, got {describe(obj)}")
    return obj


def _str(obj: object, _: object = None) -> str:
    if not isinstance(obj, str):
        raise _Bad(f"expected a string, got {describe(obj)}")
    return obj


def _bool(obj: object, _: object = None) -> bool:
    if not isinstance(obj, bool):
        raise _Bad(f"expected true or false, got {describe(obj)}")
    return obj


def _origin_is(origin: object, cl: Any) -> bool:
    return get_origin(cl) is origin


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(Decimal, _decimal)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(bool, _bool)
    _register_containers(conv)
    _register_classes(conv)
    return conv


def _register_containers(conv: cattrs.Converter) -> None:
    """Strict hooks for literals, arrays and tables: no silent coercion."""

    def literal_hook(cl: Any) -> Callable[[object, object], object]:
        allowed = get_args(cl)

        def hook(obj: object, _: object) -> object:
            if not isinstance(obj, str) or obj not in allowed:
                choices = ", ".join(f'"{a}"' for a in allowed)
                hint = suggest(obj, allowed) if isinstance(obj, str) else ""
                raise _Bad(f"expected one of {choices}, got {describe(obj)}{hint}")
            return obj

        return hook

    conv.register_structure_hook_factory(functools.partial(_origin_is, Literal), literal_hook)

    def tuple_hook(cl: Any) -> Callable[[object, object], object]:
        args = get_args(cl)
        if len(args) == 2 and args[1] is Ellipsis:
            element = args[0]

            def hook(obj: object, _: object) -> object:
                if not isinstance(obj, list):
                    raise _Bad(f"expected an array, got {describe(obj)}")
                out, errors = [], []
                for i, elem in enumerate(obj):
                    try:
                        out.append(conv.structure(elem, element))
                    except Exception as exc:  # noqa: BLE001 - collected and reported with its path
                        errors.append((f"[{i}]", exc))
                if errors:
                    raise _Nested(errors)
                return tuple(out)

            return hook

        def pair(obj: object, _: object) -> object:
            if not isinstance(obj, list) or len(obj) != len(args):
                raise _Bad(f"expected an array of {len(args)} numbers, got {describe(obj)}")
            return tuple(conv.structure(e, t) for e, t in zip(obj, args, strict=True))

        return pair

    conv.register_structure_hook_factory(functools.partial(_origin_is, tuple), tuple_hook)

    def dict_hook(cl: Any) -> Callable[[object, object], object]:
        _, value_type = get_args(cl)

        def hook(obj: object, _: object) -> object:
            if not isinstance(obj, dict):
                raise _Bad(f"expected a table, got {describe(obj)}")
            out, errors = {}, []
            for key, value in obj.items():
                try:
                    out[key] = conv.structure(value, value_type)
                except Exception as exc:  # noqa: BLE001 - collected and reported with its path
                    errors.append((f".{_key(key)}", exc))
            if errors:
                raise _Nested(errors)
            return out

        return hook

    conv.register_structure_hook_factory(functools.partial(_origin_is, dict), dict_hook)


def _register_classes(conv: cattrs.Converter) -> None:
    """Hooks for the model classes and for rules, chosen by their ``kind``."""

    def attrs_hook(cl: Any) -> Callable[[object, object], object]:
        structure = make_dict_structure_fn(cl, conv, _cattrs_forbid_extra_keys=True)

        def hook(obj: object, _: object) -> object:
            if not isinstance(obj, dict):
                raise _Bad(f"expected a table, got {describe(obj)}")
            return structure(obj, cl)

        return hook

    conv.register_structure_hook_factory(attrs.has, attrs_hook)

    kinds = ", ".join(sorted(RULE_KINDS))

    def rule_hook(obj: object, _: object) -> Rule:
        if not isinstance(obj, dict):
            raise _Bad(f"expected a table (a rule with a kind), got {describe(obj)}")
        if "kind" not in obj:
            raise _Bad(f"missing required key 'kind' (one of {kinds})")
        kind = obj["kind"]
        if not isinstance(kind, str) or kind not in RULE_KINDS:
            hint = suggest(kind, list(RULE_KINDS)) if isinstance(kind, str) else ""
            shown = f'"{kind}"' if isinstance(kind, str) else describe(kind)
            raise _Bad(f"unknown rule kind {shown}{hint}; expected one of {kinds}", "kind")
        rule: Rule = conv.structure(obj, RULE_KINDS[kind])
        return rule

    conv.register_structure_hook(Rule, rule_hook)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


_CONVERTER: Final = _make_converter()


def _collect(exc: BaseException, path: str, out: list[Problem]) -> None:
    """Turn cattrs' nested errors into located problems."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            segment = getattr(note, "name", None)
            sub_path = (
                join(path, segment) if segment is not None else f"{path}[{getattr(note, 'index', '?')}]"
            )
            if isinstance(sub, KeyError) and segment is not None:
                out.append(Problem(path=path or TOP, message=f"missing required key '{segment}'"))
            else:
                _collect(sub, sub_path, out)
        for other in without:
            _collect(other, path, out)
    elif isinstance(exc, ForbiddenExtraKeysError):
        fields = [f.name for f in attrs.fields(exc.cl)]
        for key in sorted(exc.extra_fields):
            out.append(Problem(path=path or TOP, message=f"unknown key '{key}'{suggest(key, fields)}"))
    elif isinstance(exc, _Nested):
        for suffix, nested in exc.errors:
            _collect(nested, path + suffix, out)
    elif isinstance(exc, _Bad):
        where = join(path, exc.key) if exc.key else path
        out.append(Problem(path=where or TOP, message=exc.message))
    else:
        out.append(Problem(path=path or TOP, message=f"cannot read this value: {exc}"))


def structure(data: Mapping[str, Any], cls: type[Any], root: str = "") -> Any:
    """Structure *data* into *cls*, raising `RubricError` with every located problem."""
    try:
        return _CONVERTER.structure(data, cls)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a located problem
        problems: list[Problem] = []
        _collect(exc, root, problems)
        raise RubricError(problems) from None


_HUGE_NUMBER: Final = re.compile(r"[0-9_]{300,}|[0-9][eE][+-]?[0-9_]{5,}")
_TOML_POSITION: Final = re.compile(r"^(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def decode(data: bytes, file: str | None) -> str:
    """The text of *data*, which must be UTF-8 and not too large."""
    if len(data) > MAX_FILE_BYTES:
        raise RubricError(
            [Problem(file=file, message=f"file is {len(data)} bytes; the limit is {MAX_FILE_BYTES}")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RubricError(
            [
                Problem(
                    file=file,
                    line=line,
                    message=f"not UTF-8 text (byte {exc.start}); save the file as UTF-8",
                )
            ]
        ) from None


def parse_toml(text: str, file: str | None) -> dict[str, Any]:
    """Parse TOML with exact decimals, turning syntax errors into located problems."""
    for row, line in enumerate(text.splitlines(), 1):
        # tomllib takes quadratic time over very long dotted keys ([a.a.a.…]): refuse them first.
        head = line if line.lstrip().startswith("[") else line.split("=", 1)[0]
        if head.count(".") > MAX_DEPTH:
            message = f"invalid TOML: a key with more than {MAX_DEPTH} dotted parts"
            raise RubricError([Problem(file=file, line=row, message=message)])
    try:
        doc = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_POSITION.match(str(exc))
        if match is None:
            raise RubricError([Problem(file=file, message=f"invalid TOML: {exc}")]) from None
        raise RubricError(
            [
                Problem(
                    file=file,
                    line=int(match["line"]),
                    column=int(match["col"]),
                    message=f"invalid TOML: {match['msg']}",
                )
            ]
        ) from None
    except RecursionError:
        raise RubricError([Problem(file=file, message="invalid TOML: nested too deeply")]) from None
    except (ValueError, ArithmeticError):
        # tomllib refuses integers of over 4300 digits; Decimal refuses absurd exponents.
        where = next((i for i, t in enumerate(text.splitlines(), 1) if _HUGE_NUMBER.search(t)), None)
        raise RubricError(
            [Problem(file=file, line=where, message="invalid TOML: a number is too large")]
        ) from None
    check_depth(doc, file)
    return doc


def check_depth(doc: object, file: str | None) -> None:
    """Refuse documents nested deeper than `MAX_DEPTH`."""
    stack: list[tuple[object, int]] = [(doc, 0)]
    tables = 0
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            tables += 1
            if tables > MAX_TABLES:
                raise RubricError([Problem(file=file, message=f"holds more than {MAX_TABLES} tables")])
        if depth > MAX_DEPTH:
            raise RubricError(
                [Problem(file=file, message=f"nested deeper than {MAX_DEPTH} tables or arrays")]
            )
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


# --- extends -------------------------------------------------------------------------------

_PATCH_KEYS: Final = ("extends", "remove", "override", "add")


def _raw_nodes(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Every unit, project and rule table of a raw rubric, with its address and kind of node."""

    def rules(items: object, parent: str, first: Callable[[int], str]) -> Iterator[Any]:
        if not isinstance(items, list):
            return
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            address = join(parent, str(item.get("id", first(i))))
            yield address, item, "item"
            for key in NESTED_KEYS:
                yield from rules(item.get(key), address, letter)

    units = doc.get("units")
    if not isinstance(units, list):
        return
    for u, unit in enumerate(units):
        if not isinstance(unit, dict):
            continue
        ua = str(unit.get("id", number(u)))
        yield ua, unit, "unit"
        projects = unit.get("projects")
        if isinstance(projects, list):
            for p, project in enumerate(projects):
                if not isinstance(project, dict):
                    continue
                pa = join(ua, str(project.get("id", number(p))))
                yield pa, project, "project"
                yield from rules(project.get("items"), pa, number)
        yield from rules(unit.get("items"), ua, number)


def _pin_ids(doc: dict[str, Any]) -> None:
    """Write every node's address segment into it, so removals do not renumber the rest."""
    for address, node, _ in list(_raw_nodes(doc)):
        node.setdefault("id", address.rsplit(".", 1)[-1])


def _unpin_ids(doc: dict[str, Any]) -> None:
    """Drop ids that equal the position's default, the inverse of `_pin_ids`."""

    def strip(items: object, first: Callable[[int], str]) -> None:
        if not isinstance(items, list):
            return
        for i, item in enumerate(items):
            if isinstance(item, dict):
                if item.get("id") == first(i):
                    del item["id"]
                for key in NESTED_KEYS:
                    strip(item.get(key), letter)

    units = doc.get("units")
    strip(units, number)
    if isinstance(units, list):
        for unit in units:
            if isinstance(unit, dict):
                strip(unit.get("projects"), number)
                strip(unit.get("items"), number)
                for project in unit.get("projects") or []:
                    if isinstance(project, dict):
                        strip(project.get("items"), number)


def _find(doc: dict[str, Any], address: str) -> tuple[dict[str, Any], str] | None:
    for found, node, what in _raw_nodes(doc):
        if found == address:
            return node, what
    return None


def _parent_list(doc: dict[str, Any], address: str) -> list[Any] | None:
    """The list that holds the node at *address*."""
    parent, _, _ = address.rpartition(".")
    if not parent:
        units = doc.get("units")
        if isinstance(units, list) and any(
            isinstance(u, dict) and str(u.get("id")) == address for u in units
        ):
            return units
        return None
    found = _find(doc, parent)
    if found is None:
        return None
    node, _ = found
    for key in ("projects", "items", *NESTED_KEYS):
        children = node.get(key)
        if isinstance(children, list) and any(
            isinstance(c, dict) and join(parent, str(c.get("id"))) == address for c in children
        ):
            return children
    return None


def resolve_extends(
    doc: dict[str, Any], file: str | None, base_dir: Path, seen: tuple[Path, ...] = ()
) -> dict[str, Any]:
    """Merge *doc* onto the rubric it extends, recursively; return a plain rubric document."""
    if "extends" not in doc:
        for key in _PATCH_KEYS[1:]:
            if key in doc:
                raise RubricError([Problem(file=file, path=key, message=f"'{key}' needs 'extends'")])
        return doc
    target = doc["extends"]
    if not isinstance(target, str):
        raise RubricError(
            [Problem(file=file, path="extends", message=f"expected a path, got {describe(target)}")]
        )
    if "\x00" in target:
        raise RubricError([Problem(file=file, path="extends", message="the path holds a NUL character")])
    # A bare word (no folder, no .toml) beside no file of that name is a shipped rubric's name.
    base_path = base_rubric(target, base_dir, file).resolve()
    chain = (*seen, base_path)
    if base_path in seen or len(chain) > MAX_EXTENDS:
        names = " → ".join(str(p.name) for p in chain)
        raise RubricError([Problem(file=file, path="extends", message=f"extends chain has a cycle: {names}")])
    try:
        data = base_path.read_bytes()
    except (OSError, ValueError) as exc:
        raise RubricError(
            [
                Problem(
                    file=file,
                    path="extends",
                    message=f"cannot read base rubric {target}: {getattr(exc, 'strerror', None) or exc}",
                )
            ]
        ) from None
    base_file = str(base_path)
    base = parse_toml(decode(data, base_file), base_file)
    merged = resolve_extends(base, base_file, base_path.parent, chain)
    _pin_ids(merged)
    problems: list[Problem] = []
    _apply_patches(merged, doc, file, problems)
    if problems:
        raise RubricError(problems)
    _unpin_ids(merged)
    return merged


def _apply_patches(
    merged: dict[str, Any], doc: dict[str, Any], file: str | None, problems: list[Problem]
) -> None:
    def problem(path: str, message: str) -> None:
        problems.append(Problem(file=file, path=path, message=message))

    for i, entry in enumerate(_list(doc.get("override"), "override", problem)):
        path = f"override[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("at"), str):
            problem(path, "expected a table with 'at' = an address")
            continue
        found = _find(merged, entry["at"])
        if found is None:
            problem(f"{path}.at", f"no unit, project or item at address '{entry['at']}'")
            continue
        node, _ = found
        changes = {k: v for k, v in entry.items() if k != "at"}
        if "kind" in changes and changes["kind"] != node.get("kind"):
            keep = node.get("id")
            node.clear()
            node["id"] = keep
        node.update(changes)
    for i, address in enumerate(_list(doc.get("remove"), "remove", problem)):
        if not isinstance(address, str):
            problem(f"remove[{i}]", f"expected an address, got {describe(address)}")
            continue
        siblings = _parent_list(merged, address)
        if siblings is None:
            problem(f"remove[{i}]", f"no unit, project or item at address '{address}'")
            continue
        parent = address.rpartition(".")[0]
        siblings[:] = [
            c for c in siblings if not (isinstance(c, dict) and join(parent, str(c.get("id"))) == address)
        ]
    for i, entry in enumerate(_list(doc.get("add"), "add", problem)):
        path = f"add[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("to"), str):
            problem(path, "expected a table with 'to' = a unit or project address")
            continue
        found = _find(merged, entry["to"])
        if found is None or found[1] == "item":
            problem(f"{path}.to", f"no unit or project at address '{entry['to']}'")
            continue
        node, what = found
        key = "projects" if what == "unit" and node.get("projects") else "items"
        new = {k: v for k, v in entry.items() if k != "to"}
        siblings = node.setdefault(key, [])
        if not isinstance(siblings, list):
            problem(f"{path}.to", f"the {key} of '{entry['to']}' in the base rubric is not an array")
            continue
        if "id" not in new:
            # The next number after the highest in use, so a removed item's address stays free.
            used = [
                int(c["id"])
                for c in siblings
                if isinstance(c, dict) and re.fullmatch(r"[0-9]{1,6}", str(c.get("id")))
            ]
            new["id"] = number(max(used, default=len(siblings)))
        siblings.append(new)
    extra_units = doc.get("units")
    for key, value in doc.items():
        if key in _PATCH_KEYS or key == "units":
            continue
        merged[key] = value
    if extra_units is not None:
        base_units = merged.setdefault("units", [])
        if isinstance(base_units, list):
            base_units.extend(_list(extra_units, "units", problem))
        else:
            problem("units", "the base rubric's units are not an array of tables")


def _list(value: object, path: str, problem: Callable[[str, str], None]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        problem(path, f"expected an array, got {describe(value)}")
        return []
    return value


# --- public functions ----------------------------------------------------------------------


def _load_doc(text: str, file: str | None, base_dir: Path) -> dict[str, Any]:
    doc = parse_toml(text, file)
    seen = (Path(file).resolve(),) if file is not None else ()
    return resolve_extends(doc, file, base_dir, seen)


def _to_rubric(doc: dict[str, Any], file: str | None) -> Rubric:
    from ._validate import validate

    try:
        rubric: Rubric = structure(doc, Rubric)
    except RubricError as exc:
        raise RubricError(p.with_file(file) for p in exc.problems) from None
    problems = validate(rubric)
    if problems:
        raise RubricError(p.with_file(file) for p in problems)
    return rubric


def read_rubric(path: str | Path) -> tuple[Rubric, list[Problem]]:
    """Read and structure the rubric at *path*, returning it with its validation problems.

    Unlike `load_rubric`, an invalid rubric is returned (so that its totals tree can be shown);
    only an unreadable or malformed file raises `RubricError`.
    """
    from ._validate import validate

    file = str(path)
    try:
        data = Path(path).read_bytes()
    except (OSError, ValueError) as exc:
        raise RubricError(
            [Problem(file=file, message=f"cannot read file: {getattr(exc, 'strerror', None) or exc}")]
        ) from None
    doc = _load_doc(decode(data, file), file, Path(path).resolve().parent)
    try:
        rubric: Rubric = structure(doc, Rubric)
    except RubricError as exc:
        raise RubricError(p.with_file(file) for p in exc.problems) from None
    return rubric, [p.with_file(file) for p in validate(rubric)]


def load_rubric(path: str | Path) -> Rubric:
    """Read, structure and validate the rubric file at *path*.

    Args:
        path: a TOML rubric; an ``extends`` inside it is resolved relative to its folder.

    Returns:
        The validated rubric, with any base rubric merged in.

    Raises:
        RubricError: the file cannot be read, is not UTF-8 TOML, does not match the format, or
            fails validation; every problem found is listed, each with its location.
    """
    rubric, problems = read_rubric(path)
    if problems:
        raise RubricError(problems)
    return rubric


def loads_rubric(text: str, *, base_dir: str | Path = ".") -> Rubric:
    """Structure and validate a rubric from TOML *text*.

    Args:
        text: the TOML document.
        base_dir: where a relative ``extends`` path is looked up.

    Raises:
        RubricError: as `load_rubric`.
    """
    doc = _load_doc(text, None, Path(base_dir))
    return _to_rubric(doc, None)


def flatten_doc(path: str | Path) -> dict[str, Any]:
    """The plain rubric document of the file at *path*, with its ``extends`` merged in."""
    rubric = load_rubric(path)
    return unstructure(rubric)


_FIRST: Final = ("kind", "id", "name", "title", "text", "points", "min", "total", "bonus")
_LAST: Final = ("note", "levels", "units", "projects", "items", *NESTED_KEYS, "conditions", "rows")


def _order(name: str) -> tuple[int, int]:
    if name in _FIRST:
        return (0, _FIRST.index(name))
    if name in _LAST:
        return (2, _LAST.index(name))
    return (1, 0)


def _plain(value: object) -> Any:
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return value.normalize()
    if attrs.has(type(value)):
        return unstructure(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def unstructure(obj: Any) -> dict[str, Any]:
    """A plain TOML-ready dict of an attrs model object, defaults left out, keys in order."""
    fields = sorted(attrs.fields(type(obj)), key=lambda f: _order(f.name))
    out: dict[str, Any] = {}
    for f in fields:
        value = getattr(obj, f.name)
        default = f.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # attrs.Factory is a class at run time
            default = default.factory()
        if f.name != "kind" and default is not attrs.NOTHING and value == default:
            continue
        out[f.name] = _plain(value)
    return out


def dumps_rubric(rubric: Rubric) -> str:
    """The canonical TOML text of *rubric*: stable key order, defaults left out.

    ``loads_rubric(dumps_rubric(r)) == r`` for every valid rubric *r*.
    """
    return tomli_w.dumps(unstructure(rubric))
