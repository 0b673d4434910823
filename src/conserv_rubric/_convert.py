"""The strict cattrs converter: TOML values into the model, every misfit a located problem.

No 1 for true, no "9" for 9, unknown keys refused with the nearest key suggested. The rubric
and the sheet loaders both structure through `structure`.

A document that fits is structured by plain functions built once per model class from its
fields (`_fast`): no code is generated and cattrs is not even imported, so the first rubric a
process loads costs what the later ones do. At the first misfit, or at any type they do not
know, they give up, and the document is structured again by the cattrs converter, whose errors
the problems are made from; so every message is cattrs', whatever the fast path knows.
"""

from __future__ import annotations

import functools
import re
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, Union, get_args, get_origin

import attrs

from ._limits import MAX_PROBLEMS, TOP
from ._text import describe, out_of_range, suggest
from ._tree import join
from .errors import Problem, RubricError, _Problems
from .model import RULE_KINDS, Project, Rule, Unit

if TYPE_CHECKING:
    import cattrs


class _Bad(Exception):
    """A value that does not fit; *key* is appended to the path when set."""

    def __init__(self, message: str, key: str | None = None, quoted: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key
        #: The value as a string would be written, for a number given where one is expected.
        self.quoted = quoted


class _Nested(Exception):
    """Errors of several elements, each under its own path segment; *more* counts the problems
    of further elements, which are not kept (a hostile array may hold a million bad ones)."""

    def __init__(self, errors: Sequence[tuple[str, BaseException]], more: int = 0) -> None:
        super().__init__("nested errors")
        self.errors = errors
        self.more = more


def _keep(errors: list[tuple[str, BaseException]], more: _Problems, segment: str, exc: BaseException) -> None:
    """Keep an element's error while there is room, else only count its problems."""
    if len(errors) < MAX_PROBLEMS:
        errors.append((segment, exc))
    else:
        _collect(exc, "", more)


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
        # A whole number, as an id is typed ("id = 2"), is quoted in the hint of an id's message.
        quoted = None
        if isinstance(obj, int) and not isinstance(obj, bool) and abs(obj) < 10**18:
            quoted = str(obj)
        raise _Bad(f"expected a string, got {describe(obj)}", quoted=quoted)
    return obj


def _bool(obj: object, _: object = None) -> bool:
    if not isinstance(obj, bool):
        raise _Bad(f"expected true or false, got {describe(obj)}")
    return obj


def _origin_is(origin: object, cl: Any) -> bool:
    return get_origin(cl) is origin


@functools.cache
def _converter() -> cattrs.Converter:
    """The cattrs converter, made when a document first fails the fast path."""
    import cattrs  # noqa: PLC0415 - kept off start-up: only a misfit needs it

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
                out: list[object] = []
                errors: list[tuple[str, BaseException]] = []
                more = _Problems(cap=0)
                for i, elem in enumerate(obj):
                    try:
                        out.append(conv.structure(elem, element))
                    except Exception as exc:  # noqa: BLE001 - collected and reported with its path
                        _keep(errors, more, f"[{i}]", exc)
                if errors:
                    raise _Nested(errors, more.total)
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
            out: dict[object, object] = {}
            errors: list[tuple[str, BaseException]] = []
            more = _Problems(cap=0)
            for key, value in obj.items():
                try:
                    out[key] = conv.structure(value, value_type)
                except Exception as exc:  # noqa: BLE001 - collected and reported with its path
                    _keep(errors, more, f".{_key(key)}", exc)
            if errors:
                raise _Nested(errors, more.total)
            return out

        return hook

    conv.register_structure_hook_factory(functools.partial(_origin_is, dict), dict_hook)


def _register_classes(conv: cattrs.Converter) -> None:
    """Hooks for the model classes and for rules, chosen by their ``kind``."""
    from cattrs.gen import make_dict_structure_fn  # noqa: PLC0415 - loaded with the converter

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


def _collect(exc: BaseException, path: str, out: _Problems) -> None:
    """Turn cattrs' nested errors into located problems (only counted once *out* is full)."""
    from cattrs.errors import (  # noqa: PLC0415 - loaded with the converter, which raised *exc*
        ClassValidationError,
        ForbiddenExtraKeysError,
        IterableValidationError,
    )

    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            segment = getattr(note, "name", None)
            sub_path = (
                join(path, segment) if segment is not None else f"{path}[{getattr(note, 'index', '?')}]"
            )
            if isinstance(sub, KeyError) and segment is not None:
                _add(out, path, f"missing required key '{segment}'")
            else:
                _collect(sub, sub_path, out)
        for other in without:
            _collect(other, path, out)
    elif isinstance(exc, ForbiddenExtraKeysError):
        fields = [f.name for f in attrs.fields(exc.cl)]
        on = _NODES.get(exc.cl)
        for key in sorted(exc.extra_fields):
            # The suggestion search is the costly part: a counted key does without.
            _add(out, path, functools.partial(_unknown_key, key, fields, on))
    elif isinstance(exc, _Nested):
        for suffix, nested in exc.errors:
            _collect(nested, path + suffix, out)
        out.count(exc.more)
    elif isinstance(exc, _Bad):
        where = join(path, exc.key) if exc.key else path
        message = exc.message
        if exc.quoted is not None and where.rpartition(".")[2] == "id":
            message += f'; write it in quotes: id = "{exc.quoted}"'
        _add(out, where, message)
    else:
        _add(out, path, f"cannot read this value: {exc}")


#: Keys spelt as elsewhere whose nearest spelling here means something else: ``lte`` is "up
#: to", as ``le`` is, but nearest to ``lt``, which would make the band's edge exclusive.
_MEANT: Final = {"lte": "le", "leq": "le", "gte": "ge", "geq": "ge"}


#: Keys of an item that an author may write on the project or unit above it, and where they are set.
_ITEM_KEYS: Final = {
    "gate": "an item",
    "gate_min": "an item",
    "gate_figure": "an item",
    "na_if": "an item",
    "zero_if": "an item",
    "verifier_only": "an item",
    "nonzero": "a project or an item",
    "consequence": "a project or an item",
    "withholds": "a project or an item",
}
#: The nodes above items, as the hint names them.
_NODES: Final[dict[object, str]] = {Unit: "a unit", Project: "a project"}


def _unknown_key(key: str, fields: list[str], on: str | None = None) -> str:
    place = _ITEM_KEYS.get(key)
    if on is not None and place is not None:
        return f"unknown key '{key}': {key} is set on {place}, not on {on}"
    meant = _MEANT.get(key)
    hint = f" (did you mean '{meant}'?)" if meant in fields else suggest(key, fields)
    return f"unknown key '{key}'{hint}"


def _add(out: _Problems, path: str, message: str | Callable[[], str]) -> None:
    """Add a problem at *path* to *out*, or only count it when *out* is full."""
    if out.full():
        out.count()
    else:
        out.append(Problem(path=path or TOP, message=message if isinstance(message, str) else message()))


class _Misfit(Exception):
    """The fast path gives up: the value does not fit, or its type is one it does not know."""


_Fast = Callable[[object], Any]
_FAST: Final[dict[object, _Fast]] = {}


def _fast(cl: Any) -> _Fast:
    """The function structuring a value into type *cl* as the converter does when it fits, or
    raising `_Misfit` (the converter then says why, or structures a type this does not know)."""
    found = _FAST.get(cl)
    if found is None:
        found = _FAST[cl] = _fast_for(cl)
    return found


def _misfit(_: object) -> Any:
    raise _Misfit


def _fast_decimal(obj: object) -> Decimal:
    if isinstance(obj, bool) or not isinstance(obj, int | Decimal):
        raise _Misfit
    value = Decimal(obj)
    if out_of_range(value) is not None:
        raise _Misfit
    return value


def _fast_int(obj: object) -> int:
    if isinstance(obj, bool) or not isinstance(obj, int):
        raise _Misfit
    return obj


def _fast_str(obj: object) -> str:
    if not isinstance(obj, str):
        raise _Misfit
    return obj


def _fast_bool(obj: object) -> bool:
    if not isinstance(obj, bool):
        raise _Misfit
    return obj


_SCALARS: Final[dict[object, _Fast]] = {
    Decimal: _fast_decimal,
    int: _fast_int,
    str: _fast_str,
    bool: _fast_bool,
}


def _fast_for(cl: Any) -> _Fast:
    scalar = _SCALARS.get(cl)
    if scalar is not None:
        return scalar
    if cl == Rule:
        return _fast_rule
    origin, args = get_origin(cl), get_args(cl)
    if origin is Literal:
        allowed = frozenset(args)

        def literal(obj: object) -> object:
            if not isinstance(obj, str) or obj not in allowed:
                raise _Misfit
            return obj

        return literal
    if origin in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _fast(args[0] if args[1] is type(None) else args[1])
        return lambda obj: None if obj is None else inner(obj)
    if origin is tuple:
        return _fast_tuple(args)
    if origin is dict and len(args) == 2:
        value = _fast(args[1])

        def table(obj: object) -> object:
            if not isinstance(obj, dict):
                raise _Misfit
            return {k: value(v) for k, v in obj.items()}

        return table
    if isinstance(cl, type) and attrs.has(cl):
        return _fast_class(cl)
    return _misfit


def _fast_tuple(args: tuple[Any, ...]) -> _Fast:
    if len(args) == 2 and args[1] is Ellipsis:
        element = _fast(args[0])

        def array(obj: object) -> object:
            if not isinstance(obj, list):
                raise _Misfit
            return tuple([element(e) for e in obj])

        return array
    parts = [_fast(a) for a in args]

    def fixed(obj: object) -> object:
        if not isinstance(obj, list) or len(obj) != len(parts):
            raise _Misfit
        return tuple([f(e) for f, e in zip(parts, obj, strict=True)])

    return fixed


#: Annotation text, per module, → the type it names. The model's classes repeat a few
#: annotations ("str | None") hundreds of times, each rule class its base's too; evaluated once
#: each, the first document costs what later ones do (``attrs.resolve_types`` compiles every
#: field's text again for every class).
_ANNOTATIONS: Final[dict[tuple[str, str], Any]] = {}


def _field_types(cl: type[Any]) -> dict[str, Any]:
    """The type of each of *cl*'s annotated names, as ``typing.get_type_hints`` finds it."""
    out: dict[str, Any] = {}
    for klass in reversed(cl.__mro__):
        namespace = vars(sys.modules[klass.__module__])
        for name, hint in vars(klass).get("__annotations__", {}).items():
            if not isinstance(hint, str):
                out[name] = hint
                continue
            key = (klass.__module__, hint)
            if key not in _ANNOTATIONS:
                _ANNOTATIONS[key] = eval(hint, namespace)  # the package's own annotations, as typing does
            out[name] = _ANNOTATIONS[key]
    return out


def _fast_class(cl: type[Any]) -> _Fast:
    fields = attrs.fields(cl)
    if any(not f.init or f.alias != f.name for f in fields):
        return _misfit
    types_of = _field_types(cl)
    names = frozenset(f.name for f in fields)
    required = frozenset(f.name for f in fields if f.default is attrs.NOTHING)
    # Built on first use: a model class holds itself (rules hold rules).
    structurers: dict[str, _Fast] = {}

    def instance(obj: object) -> object:
        if not isinstance(obj, dict) or not required <= obj.keys() or not obj.keys() <= names:
            raise _Misfit
        if not structurers:
            structurers.update((f.name, _fast(types_of[f.name])) for f in fields)
        return cl(**{k: structurers[k](v) for k, v in obj.items()})

    return instance


def _fast_rule(obj: object) -> Rule:
    if not isinstance(obj, dict):
        raise _Misfit
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in RULE_KINDS:
        raise _Misfit
    rule: Rule = _fast(RULE_KINDS[kind])(obj)
    return rule


def structure(data: Mapping[str, Any], cls: type[Any], root: str = "") -> Any:
    """Structure *data* into *cls*, raising `RubricError` with every located problem."""
    try:
        return _fast(cls)(data)
    except Exception:  # noqa: BLE001 - any doubt: the converter structures it, or says why
        pass
    try:
        return _converter().structure(data, cls)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a located problem
        problems = _Problems()
        _collect(exc, root, problems)
        raise RubricError(problems.list()) from None
