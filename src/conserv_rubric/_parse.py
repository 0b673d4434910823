"""Safe reading: bytes from regular files within the limits, UTF-8 text, TOML and JSON documents.

Every reader refuses what could exhaust memory or time before parsing it, and turns every
syntax error into a problem located by file, line and column.
"""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from ._limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_TABLES
from ._text import describe
from .errors import Problem, RubricError

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


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(text: str, file: str | None) -> dict[str, Any]:
    """Parse a JSON object with exact decimals, turning syntax errors into located problems."""
    try:
        doc = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise RubricError(
            [Problem(file=file, line=exc.lineno, column=exc.colno, message=f"invalid JSON: {exc.msg}")]
        ) from None
    except (ValueError, RecursionError, ArithmeticError) as exc:
        raise RubricError([Problem(file=file, message=f"invalid JSON: {exc}")]) from None
    if not isinstance(doc, dict):
        raise RubricError([Problem(file=file, message=f"expected a JSON object, got {describe(doc)}")])
    check_depth(doc, file)
    return doc


def read_bytes(path: str | Path) -> bytes:
    """The bytes of the file at *path*.

    Raises:
        RubricError: the file cannot be read (its reason named).
    """
    try:
        return Path(path).read_bytes()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise RubricError([Problem(file=str(path), message=f"cannot read file: {reason}")]) from None
