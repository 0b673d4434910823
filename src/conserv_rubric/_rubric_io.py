"""Rubric files in and out: read, structure and validate; write canonical TOML through tomli-w."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs
import tomli_w

from ._convert import structure
from ._extends import Origin, Root, real_path, relocate, resolve_extends
from ._parse import decode, parse_toml, read_bytes
from ._shipped import is_name, rubric_argument
from ._text import argument, not_a_path, not_text
from ._tree import NESTED_KEYS
from ._validate import errors, validate
from .errors import Problem, RubricError
from .model import Rubric


def _root(root: str | Path | None, default: Path) -> Root:
    """The folder ``extends`` may read: *root* if given (it must be a folder), else *default*."""
    if root is None:
        return Root(real_path(default))
    folder = real_path(root)
    if not folder.is_dir():
        raise RubricError([Problem(message=f"root '{root}' is not a folder")])
    return Root(folder, str(root))


def _load_doc(text: str, file: str | None, base_dir: Path, root: Root) -> tuple[dict[str, Any], list[Origin]]:
    """The merged document of rubric *text*, and the tables of it that *text* itself wrote."""
    doc = parse_toml(text, file)
    seen = (real_path(file),) if file is not None else ()
    origins: list[Origin] = []
    return resolve_extends(doc, file, base_dir, root, seen, origins), origins


def _structured(doc: dict[str, Any], origins: list[Origin], file: str | None) -> tuple[Rubric, list[Problem]]:
    """The rubric of the merged *doc* and its validation problems, every problem located in
    *file* by the key path its author wrote (see `relocate`).

    Raises:
        RubricError: *doc* does not match the format.
    """
    try:
        rubric: Rubric = structure(doc, Rubric)
    except RubricError as exc:
        problems = relocate(exc.problems, doc, origins, structural=True)
        raise RubricError(p.with_file(file) for p in problems) from None
    problems = relocate(validate(rubric), doc, origins, structural=False)
    return rubric, [p.with_file(file) for p in problems]


def _to_rubric(doc: dict[str, Any], origins: list[Origin], file: str | None) -> Rubric:
    rubric, problems = _structured(doc, origins, file)
    if errors(problems):
        raise RubricError(errors(problems))
    return rubric


def read_rubric(
    path: str | Path, *, root: str | Path | None = None, snapshots: bool = True
) -> tuple[Rubric, list[Problem]]:
    """Read and structure the rubric at *path*, returning it with its validation problems.

    Unlike `load_rubric`, an invalid rubric is returned (so that its totals tree can be shown);
    only an unreadable or malformed file raises `RubricError`. The text of a shipped rubric is
    not parsed again but taken from its snapshot (`conserv_rubric._snapshot`), unless
    *snapshots* is false.
    """
    from . import _snapshot  # noqa: PLC0415 - it imports _provenance, which imports this module

    file = str(path)
    text = decode(read_bytes(path), file)
    folder = real_path(path).parent
    checked_root = _root(root, folder)
    found = _snapshot.stored(path, text) if snapshots else None
    doc, origins = (found[0], []) if found is not None else _load_doc(text, file, folder, checked_root)
    if found is None:
        return _structured(doc, origins, file)
    try:
        rubric: Rubric = structure(doc, Rubric)
    except RubricError as exc:
        raise RubricError(p.with_file(file) for p in exc.problems) from None
    _snapshot.adopt(rubric, found[1])
    return rubric, [p.with_file(file) for p in validate(rubric)]


def _check_path(path: object) -> None:
    message = not_a_path(path, "load_rubric", "rubric")
    if message is not None:
        raise RubricError([Problem(message=message)])


def _check_text(text: object) -> None:
    message = not_text(text, "loads_rubric", "the TOML text", "load_rubric")
    if message is not None:
        raise RubricError([Problem(message=message)])


def load_rubric(path: str | Path, *, root: str | Path | None = None) -> Rubric:
    """Read, structure and validate the rubric file at *path*.

    Args:
        path: a TOML rubric (a regular file); an ``extends`` inside it is resolved relative to
            its folder. A string that is a bare word (no folder, no ``.toml``) and names no
            file in the working directory is the shipped rubric of that name: ``"district"``,
            as a command's RUBRIC argument is read.
        root: the folder that ``extends`` may read, at any depth of the chain (default: the
            rubric's own folder). A base outside it is refused unread; a shipped rubric named
            by a bare word is always allowed.

    Returns:
        The validated rubric, with any base rubric merged in.

    Raises:
        RubricError: the file cannot be read, is not UTF-8 TOML, does not match the format, or
            fails validation; an ``extends`` names a file outside *root*; a bare word names
            neither a file nor a shipped rubric (the nearest names suggested); every error found is
            listed, each with its location. Warnings do not raise: `validate` lists them;
            *path* is not a str or a path (an int would be read as a file descriptor).
    """
    _check_path(path)
    if isinstance(path, str) and is_name(path):
        path = str(rubric_argument(path))
    rubric, problems = read_rubric(path, root=root)
    if errors(problems):
        raise RubricError(errors(problems))
    return rubric


def loads_rubric(text: str, *, base_dir: str | Path = ".", root: str | Path | None = None) -> Rubric:
    """Structure and validate a rubric from TOML *text*.

    Args:
        text: the TOML document.
        base_dir: where a relative ``extends`` path is looked up.
        root: the folder that ``extends`` may read (default: *base_dir*), as in `load_rubric`.

    Raises:
        RubricError: as `load_rubric`; *text* is not a str (bytes are decoded first).
    """
    _check_text(text)
    folder = Path(base_dir)
    doc, origins = _load_doc(text, None, folder, _root(root, folder))
    return _to_rubric(doc, origins, None)


def flatten_doc(path: str | Path, *, root: str | Path | None = None) -> dict[str, Any]:
    """The plain rubric document of the file at *path*, with its ``extends`` merged in."""
    rubric = load_rubric(path, root=root)
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
    _dumped(rubric)
    return tomli_w.dumps(unstructure(rubric))


def _dumped(rubric: object) -> None:
    if not isinstance(rubric, Rubric):
        message = f"dumps_rubric() takes a Rubric (from load_rubric()), not {argument(rubric)}"
        raise RubricError([Problem(message=message)])
