"""Safe reading: bytes from regular files within the limits, UTF-8 text, TOML and JSON documents.

Every reader refuses what could exhaust memory or time before parsing it, and turns every
syntax error into a problem located by file, line and column.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import stat
import tomllib
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from ._limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_TABLES, TOP
from ._text import describe
from .errors import Problem, RubricError

_HUGE_NUMBER: Final = re.compile(r"[0-9_]{300,}|[0-9][eE][+-]?[0-9_]{5,}")
_TOML_POSITION: Final = re.compile(r"^(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")
#: Quotation marks a Chinese input method types, and the ASCII one TOML needs.
_QUOTES: Final = {"“": '"', "”": '"', "‘": "'", "’": "'"}
#: Chinese punctuation that has no ASCII form to NFKC, and the character TOML needs in its place:
#: a decimal point typed as 。 ("1。5"), values separated by 、, a header in 【】.
_PUNCTUATION: Final = {"。": ".", "、": ",", "【": "[", "】": "]"}
#: What TOML writes where a colon or semicolon was typed, full-width or not: a key takes "=", and
#: values in an array or inline table are separated by ",".
_TOML_SIGN: Final = {":": "=", ";": ","}
#: A number ending just before the character refused: a unit typed after it ("1.5分", "80%").
_NUMBER_BEFORE: Final = re.compile(r"(?<![A-Za-z0-9_.])[+-]?[0-9][0-9_]*(\.[0-9_]+)?$")


#: Byte-order marks of encodings that are not UTF-8, longest first (UTF-32 LE starts as UTF-16 LE).
_BOMS: Final = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def decode(data: bytes, file: str | None) -> str:
    """The text of *data*, which must be UTF-8 and not too large."""
    return read_text(data, file)[0]


def read_text(data: bytes, file: str | None, *, gb18030: bool = False) -> tuple[str, str]:
    """The text of *data* and the encoding it was read in: ``"utf-8"`` (with or without a BOM),
    or, with *gb18030*, ``"gb18030"`` for text that is not UTF-8 but is GB18030 (GBK's superset,
    which Excel and WPS write on Chinese Windows).

    Raises:
        RubricError: the data is too large, or is not text in an encoding read here (a UTF-16
            or UTF-32 byte-order mark and GBK are named, with the line of the first bad byte).
    """
    if len(data) > MAX_FILE_BYTES:
        raise RubricError(
            [Problem(file=file, message=f"file is {len(data)} bytes; the limit is {MAX_FILE_BYTES}")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        legacy = _gb18030(data)
        if gb18030 and legacy is not None:
            return legacy, "gb18030"
        line = data[: exc.start].count(b"\n") + 1
        bom = next((name for mark, name in _BOMS if data.startswith(mark)), None)
        if bom is not None:
            message = f"not UTF-8 text but {bom} (by its byte-order mark); save the file as UTF-8"
        elif legacy is not None:
            message = f"not UTF-8 text (byte {exc.start}; it reads as GBK/GB18030); save the file as UTF-8"
        else:
            message = f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise RubricError([Problem(file=file, line=line, message=message)]) from None
    nul = text.find("\x00")
    if nul != -1:
        line = text.count("\n", 0, nul) + 1
        message = "holds a NUL character: not text, or UTF-16 without a byte-order mark;"
        message += " save the file as UTF-8"
        raise RubricError([Problem(file=file, line=line, message=message)])
    return text, "utf-8"


def _gb18030(data: bytes) -> str | None:
    """*data* read as GB18030, or None when it is not GB18030 or is more likely broken UTF-8."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    # UTF-8 Chinese text with one stray byte also decodes as GB18030, as nonsense: where most
    # of the non-ASCII bytes form valid UTF-8, the file is UTF-8 with a bad byte, not GBK.
    lenient = data.decode("utf-8", "replace")
    valid = sum(1 for ch in lenient if ord(ch) > 0x7F and ch != "\ufffd")
    if valid > lenient.count("\ufffd"):
        return None
    return text.removeprefix("\ufeff")


#: The strings and comments of TOML text, whose dots are text, not key separators.
_TEXT: Final = re.compile(
    r'''
        """(?:[^"\\]|\\.|"(?!""))*(?:"{3,5}|\Z)   # a multi-line basic string, or one never closed
      | \'\'\'(?:[^']|'(?!''))*(?:'{3,5}|\Z)       # a multi-line literal string
      | "(?:[^"\\\n]|\\.)*"?                     # a basic string (a quoted key part, too)
      | '[^'\n]*'?                                # a literal string
      | \#[^\n]*                                  # a comment
    ''',
    re.VERBOSE | re.DOTALL,
)
#: A line of TOML, its strings masked, as far as the guard needs it: what may follow a key part.
_TOKEN: Final = re.compile(r"(?P<open>[\[{])|(?P<close>[\]}])|(?P<sep>[=,])|(?P<run>[^\[\]{}=,]+)")


def _masked(text: str) -> list[str]:
    """The lines of *text* with each string masked as ``""`` (its line breaks kept) and comments dropped."""
    pieces, end = [], 0
    for match in _TEXT.finditer(text):
        found = match.group()
        pieces.append(text[end : match.start()])
        pieces.append("" if found.startswith("#") else '""' + "\n" * found.count("\n"))
        end = match.end()
    pieces.append(text[end:])
    return "".join(pieces).split("\n")


def _key_dots(line: str, arrays: int) -> int:
    """The most dots in one key of a masked *line* that starts inside *arrays* open arrays."""
    nesting = ["["] * arrays  # the open brackets: "[" an array, "{" an inline table, "h" a header
    key_next, dots, most = not arrays, 0, 0
    for token in _TOKEN.finditer(line):
        kind, value = token.lastgroup, token.group()
        if kind == "run":
            if key_next:
                dots += value.count(".")
                most = max(most, dots)
        elif kind == "open":
            # A "[" where a key may start opens a table header (and a second one, "[[", too).
            header = key_next and value == "[" and (not nesting or nesting[-1] == "h")
            nesting.append("h" if header else value)
            key_next, dots = value == "{" or header, 0
        elif kind == "close":
            if nesting:
                nesting.pop()
            key_next, dots = False, 0
        else:  # after "=" a value; after "," a key in an inline table, a value in an array
            key_next, dots = value == "," and bool(nesting) and nesting[-1] == "{", 0
    return most


def _long_dotted_key(text: str) -> int | None:
    """The line of a key with more than `MAX_DEPTH` dotted parts, or None.

    tomllib takes time quadratic in the parts of one dotted key (``[a.a.a.…]``, ``a.a.… = 1``),
    so such keys are refused before parsing. Dots in strings and comments (a dot leader typed
    as "……" in a multi-line text) and in values (``1.5``) are no key's.
    """
    # Lines as TOML counts them: a quoted key part may hold U+2028, which splitlines() breaks at.
    if not any(line.count(".") > MAX_DEPTH for line in text.split("\n")):
        return None  # the usual case: no line has that many dots at all
    arrays = 0  # inline tables and headers close on their line; only arrays span lines
    for row, line in enumerate(_masked(text), 1):
        if line.count(".") > MAX_DEPTH and _key_dots(line, arrays) > MAX_DEPTH:
            return row
        arrays = max(0, arrays + line.count("[") - line.count("]"))
    return None


def _typing_hint(text: str, line: int, column: int, message: str = "") -> str:
    """What to type instead, where a TOML syntax error at *line*, *column* (1-based) is a
    character a Chinese input method types: full-width digits, ``＝``, ``，``, a full-width space,
    Chinese quotation marks or punctuation (``。``, ``、``, ``【】``), a colon for ``=``; a unit
    after a number (``1.5分``, ``80%``); or a thousands separator in a number. Empty when it is
    none of these. *message* is tomllib's, which says what it expected there."""
    lines = text.split("\n")
    row = lines[line - 1] if 0 < line <= len(lines) else ""
    at = column - 1
    # The error may point at the sign or digit before a full-width one ("-５", "5０").
    for offset, ch in enumerate(row[at : at + 2]):
        if ch in _QUOTES:
            return f" ('{ch}' is a Chinese quotation mark: type '{_QUOTES[ch]}')"
        if ch == "\u3000":
            return f" ('{ch}' is a full-width space: type an ASCII space)"
        if ch in _PUNCTUATION:
            return f" ('{ch}' is Chinese punctuation: type '{_PUNCTUATION[ch]}')"
        unit = _unit_after_number(row, at + offset)
        if unit:
            return unit
        sign = _sign(ch, message)
        if sign:
            return sign
        if not ch.isascii():
            start = row.index(ch, at)
            end = start
            while end < len(row) and _full_width(row[end]):
                end += 1
            run = row[start:end]
            return f" ('{run}' is full-width: type '{unicodedata.normalize('NFKC', run)}')" if run else ""
    if 0 < at < len(row) - 1 and row[at] == "," and row[at - 1].isdigit() and row[at + 1].isdigit():
        start = len(row[:at].rstrip("0123456789"))
        end = at
        while end < len(row) and (row[end].isdigit() or row[end] in ",."):
            end += 1
        number = row[start:end]
        return (
            " (a number takes no thousands separator: "
            f"type {number.replace(',', '')}, or {number.replace(',', '_')})"
        )
    return ""


def _unit_after_number(row: str, at: int) -> str:
    """The hint for a unit typed after a number ("1.5分", "80%", "3项"), else empty."""
    ch = row[at] if at < len(row) else ""
    percent = unicodedata.normalize("NFKC", ch) == "%"
    unit = percent or (not ch.isascii() and not _full_width(ch) and ch.isprintable() and not ch.isspace())
    if not unit or ch in _QUOTES:
        return ""
    number = _NUMBER_BEFORE.search(row[:at])
    if number is None:
        return ""
    return f" ('{ch}' after {number.group()}: a number takes no unit, type {number.group()})"


def _sign(ch: str, message: str) -> str:
    """The hint for a colon typed for "=" after a key, or a semicolon for "," between values."""
    plain = unicodedata.normalize("NFKC", ch)
    meant = _TOML_SIGN.get(plain)
    if meant is None or (meant == "=" and not message.startswith("Expected '='")):
        return ""
    if meant == "," and not message.startswith(("Unclosed array", "Unclosed inline table")):
        return ""  # a semicolon after a value on its own line: no values to separate there
    what = "a key and its value are joined by" if meant == "=" else "values are separated by"
    return f" ('{ch}': in TOML {what} '{meant}')"


def _full_width(ch: str) -> bool:
    """Whether *ch* is the full-width form of a printable ASCII character (``７``, ``＝``, ``，``)."""
    plain = unicodedata.normalize("NFKC", ch)
    return not ch.isascii() and len(plain) == 1 and plain.isascii() and not plain.isspace()


def parse_toml(text: str, file: str | None) -> dict[str, Any]:
    """Parse TOML with exact decimals, turning syntax errors into located problems."""
    row = _long_dotted_key(text)
    if row is not None:
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
                    message=f"invalid TOML: {match['msg']}"
                    + _typing_hint(text, int(match["line"]), int(match["col"]), match["msg"]),
                )
            ]
        ) from None
    except RecursionError:
        raise RubricError([Problem(file=file, message="invalid TOML: nested too deeply")]) from None
    except (ValueError, ArithmeticError):
        # tomllib refuses integers of over 4300 digits; Decimal refuses absurd exponents.
        where = next((i for i, t in enumerate(text.split("\n"), 1) if _HUGE_NUMBER.search(t)), None)
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


class _Repeated(dict[str, Any]):
    """A JSON object whose text gives a key more than once (json would keep the last silently)."""

    __slots__ = ("repeated",)
    repeated: tuple[str, ...]


def _json_object(found: list[None], pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc = dict(pairs)
    if len(doc) == len(pairs):
        return doc
    found.append(None)
    seen: set[str] = set()
    twice: dict[str, None] = {}
    for key, _ in pairs:
        if key in seen:
            twice[key] = None
        seen.add(key)
    out = _Repeated(doc)
    out.repeated = tuple(twice)
    return out


_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")


def _key_path(path: str, key: str) -> str:
    part = key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    return f"{path}.{part}" if path else part


def _repeated_keys(doc: object, file: str | None) -> list[Problem]:
    """A problem for each key that an object of *doc* repeats, located by its key path."""
    problems = []
    stack: list[tuple[object, str]] = [(doc, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _Repeated):
            for key in node.repeated:
                shown = json.dumps(key, ensure_ascii=False)
                message = f"key {shown} appears more than once; keep one"
                problems.append(Problem(file=file, path=path or TOP, message=message))
        if isinstance(node, dict):
            stack.extend((v, _key_path(path, k)) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]") for i, v in reversed(list(enumerate(node))))
    return problems


def parse_json(text: str, file: str | None) -> dict[str, Any]:
    """Parse a JSON object with exact decimals, turning syntax errors into located problems.

    A key given twice in one object is refused, wherever it is (`json` would keep the last).
    """
    found: list[None] = []
    try:
        doc = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=functools.partial(_json_object, found),
        )
    except json.JSONDecodeError as exc:
        raise RubricError(
            [Problem(file=file, line=exc.lineno, column=exc.colno, message=f"invalid JSON: {exc.msg}")]
        ) from None
    except (ValueError, RecursionError, ArithmeticError) as exc:
        raise RubricError([Problem(file=file, message=f"invalid JSON: {exc}")]) from None
    if not isinstance(doc, dict):
        raise RubricError([Problem(file=file, message=f"expected a JSON object, got {describe(doc)}")])
    check_depth(doc, file)
    if found:
        raise RubricError(_repeated_keys(doc, file))
    return doc


def csv_records(text: str, file: str | None) -> list[tuple[int, int, list[str]]]:
    """Each CSV record with the lines it starts and ends on (a quoted cell may hold line breaks).

    Lines are counted as a text editor counts them (LF, CRLF or CR), and the reader is strict:
    a quote never closed, or text after a closing quote, is an error located by its line.
    """
    import csv  # noqa: PLC0415 - kept off the start-up of commands that read no CSV

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    first = 1
    try:
        for cells in reader:
            records.append((first, reader.line_num, cells))
            first = reader.line_num + 1
    except csv.Error as exc:
        if str(exc) == "unexpected end of data":
            message = "invalid CSV: a quote opened in this row is never closed"
            raise RubricError([Problem(file=file, line=first, message=message)]) from None
        line = first if "field limit" in str(exc) else reader.line_num
        raise RubricError([Problem(file=file, line=line, message=f"invalid CSV: {exc}")]) from None
    return records


#: What a file that is not a regular one is, by its `stat` type.
_NOT_REGULAR: Final = (
    (stat.S_ISFIFO, "a FIFO (a named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
#: A FIFO swapped in after the check must not block the open; a terminal must not become ours.
_OPEN_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class Unreadable(Exception):
    """Why a file cannot be read, in words a message can quote after "cannot read …: "."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


def _regular(mode: int) -> None:
    """Refuse anything but a regular file: a FIFO can block for ever, a device never ends."""
    if stat.S_ISDIR(mode):
        raise Unreadable("Is a directory")
    for test, what in _NOT_REGULAR:
        if test(mode):
            raise Unreadable(f"it is {what}, not a regular file; save its content to a file first")
    if not stat.S_ISREG(mode):  # pragma: no cover - every other type is tested above
        raise Unreadable("not a regular file")


def _reason(exc: OSError | ValueError) -> Unreadable:
    return Unreadable(str(getattr(exc, "strerror", None) or exc))


def read_limited(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at *path*, which must hold at most *limit* bytes.

    The file is checked before it is opened and again once open (a FIFO or a device put in its
    place meanwhile is refused, and the open never blocks), and at most *limit* + 1 bytes are
    read, so neither a pipe nor ``/dev/zero`` can make the reading hang or fill the memory.

    Raises:
        Unreadable: the file cannot be read, is no regular file, or is too large.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError) as exc:
        raise _reason(exc) from None
    _regular(mode)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _reason(exc) from None
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        _regular(info.st_mode)
        if info.st_size > limit:
            raise Unreadable(f"file is {info.st_size} bytes; the limit is {limit}", too_large=True)
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise _reason(exc) from None
    if len(data) > limit:  # a file that grew while it was read, or one whose size is not known
        raise Unreadable(f"file is more than {limit} bytes; the limit is {limit}", too_large=True)
    return data


def read_bytes(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at *path* (see `read_limited`).

    Raises:
        RubricError: the file cannot be read, is no regular file, or is too large (its reason
            named).
    """
    try:
        return read_limited(path, limit)
    except Unreadable as exc:
        message = exc.reason if exc.too_large else f"cannot read file: {exc.reason}"
        raise RubricError([Problem(file=str(path), message=message)]) from None
