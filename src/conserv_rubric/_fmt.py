"""``conserv-rubric fmt``: a rubric in canonical form, its comments kept, written safely.

The canonical form is the TOML tomli-w writes of the rubric (`dumps_rubric`; for a rubric
that extends another, of the document as it stands; with ``--flatten``, of the merged rubric).
Comments are then put back:

- The *header*, the comment lines above the first key or table (a ``#:schema …`` line among
  them) up to the last blank line between them, is written first, then one blank line. It is
  kept always, without tomlkit and with ``--flatten`` too. Blank lines inside it are kept;
  comments after its last blank line belong to the first key.
- Every other comment is kept with tomlkit (the ``fmt`` extra). A comment on a line of its
  own goes on a line of its own directly above the key, table header or array element that
  followed it in the file, indented like it (blank lines are tomli-w's, not the file's); one
  with nothing after it inside an array goes above the closing ``]``; one with nothing after
  it at all goes at the end. A comment at the end of a line stays at the end of that key's,
  header's or element's line (the last line of a value written over several; after an array's
  opening bracket, the line that opens it). A comment whose key the canonical form leaves out
  (a default) moves to the next key that is kept.
  Comments that go above the first line follow the header; with no header, they become it.

So removing the comments from the output leaves exactly the canonical TOML, and formatting
the output again gives it back unchanged: ``fmt --check`` passes right after ``fmt --write``.
Line endings and a byte-order mark are not compared. Where a comment cannot be placed (inside
an inline table), or without tomlkit, or with ``--flatten``, a file whose comments would be lost
is refused for ``--write`` and ``--check``; printed, it is written without them and standard
error says so.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
import tomli_w

from ._parse import decode, parse_toml, read_bytes
from ._rubric_io import dumps_rubric, load_rubric, unstructure
from .errors import Problem, RubricError

if TYPE_CHECKING:
    from tomlkit.container import Container
    from tomlkit.items import Array

Mode = Literal["print", "check", "write"]
Key = tuple[str | int, ...]

INSTALL: Final = "install the fmt extra to keep comments: pip install 'conserv-rubric[fmt]'"


@attrs.frozen
class Formatted:
    """What ``fmt`` made of a file.

    Attributes:
        text: the canonical text, comments kept where they can be.
        canonical: whether the file already is that text.
        notes: what to tell on standard error (comments not kept in printed output).
    """

    text: str
    canonical: bool
    notes: tuple[str, ...] = ()


@attrs.frozen
class _Comment:
    line: int
    text: str


def comments(text: str) -> list[_Comment]:
    """Every comment of the TOML *text* (valid TOML), with its 1-based line, in order."""
    out: list[_Comment] = []
    i, n, line = 0, len(text), 1
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(_Comment(line, text[i:end].rstrip()))
            i = end
        elif ch == "\n":
            line += 1
            i += 1
        elif ch in "\"'":
            end = _string_end(text, i)
            line += text.count("\n", i, end)
            i = end
        else:
            i += 1
    return out


def _string_end(text: str, start: int) -> int:
    """The index just past the TOML string that starts at *start*."""
    quote = text[start]
    escapes = quote == '"'
    if text.startswith(quote * 3, start):
        i = start + 3
        while i < len(text):
            if escapes and text[i] == "\\":
                i += 2
            elif text.startswith(quote * 3, i):
                # Up to two quotes may end the content just before the closing three.
                end = i + 3
                while end < len(text) and end - i < 5 and text[end] == quote:
                    end += 1
                return end
            else:
                i += 1
        return len(text)
    i = start + 1
    while i < len(text) and text[i] != quote and text[i] != "\n":
        i += 2 if escapes and text[i] == "\\" else 1
    return i + 1


def _header(text: str) -> tuple[list[str], int]:
    """The header's lines (blank lines inside it kept) and the number of its last line (0 when
    there is none)."""
    lines = text.split("\n")
    first = next(
        (k for k, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), len(lines)
    )
    marked = [k for k in range(first) if lines[k].strip()]
    if not marked:
        return [], 0
    blanks = [k for k in range(marked[0], first) if not lines[k].strip()]
    if blanks and blanks[-1] < marked[-1]:  # the comments after the last blank line are the first key's
        marked = [k for k in marked if k < blanks[-1]]
    return [line.strip() for line in lines[marked[0] : marked[-1] + 1]], marked[-1] + 1


def _with_header(header: list[str], top: list[str], body: str) -> str:
    """*body* below *header* and a blank line, with *top* (the comments above its first line)
    just above it; with no header, *top* is the header."""
    if not header:
        header, top = top, []
    head = "".join(line + "\n" for line in [*header, "", *top]) if header else ""
    return head + body


# --- where each key, header and element is in tomli-w's output -----------------------------


@attrs.frozen
class _Layout:
    lines: list[str]
    starts: dict[Key, int]  # 0-based line of a key, table header or array element
    ends: dict[Key, int]  # its last line
    closes: dict[Key, int]  # the line of a multi-line array's closing bracket


def _item_lines(item: object) -> int:
    """How many lines tomli-w writes an array element over (indentation aside)."""
    if isinstance(item, Mapping):  # beside a non-table, so that it is written inline
        return tomli_w.dumps({"k": [item, 0]}).count("\n") - 3
    return tomli_w.dumps({"k": [item]}).count("\n") - 2


def _layout(doc: Mapping[str, Any]) -> _Layout | None:
    """Lay *doc* out as tomli-w does, noting the lines of every key; None if the result is not
    tomli-w's own text (another tomli-w version), so that nothing is placed by guesswork."""
    layout = _Layout([], {}, {}, {})

    def array(value: list[Any], key: Key, opening: int) -> None:
        line = opening + 1
        for i, item in enumerate(value):
            size = _item_lines(item)
            layout.starts[(*key, i)] = line
            layout.ends[(*key, i)] = line + size - 1
            if isinstance(item, list) and item:
                array(item, (*key, i), line)
            line += size
        layout.closes[key] = line

    def table(obj: Mapping[str, Any], name: str, key: Key, aot: bool) -> None:
        literals: list[tuple[str, Any]] = []
        tables: list[tuple[str, Mapping[str, Any], int | None]] = []
        for k, v in obj.items():
            if isinstance(v, Mapping):
                tables.append((k, v, None))
            elif isinstance(v, list) and tomli_w.dumps({k: v}).startswith("[["):
                tables.extend((k, t, i) for i, t in enumerate(v))
            else:
                literals.append((k, v))
        lines = layout.lines
        wrote = False
        if aot or (name and (literals or not tables)):
            layout.starts[key] = layout.ends[key] = len(lines)
            lines.append(f"[[{name}]]" if aot else f"[{name}]")
            wrote = True
        for k, v in literals:
            chunk = tomli_w.dumps({k: v}).split("\n")[:-1]
            layout.starts[(*key, k)] = len(lines)
            layout.ends[(*key, k)] = len(lines) + len(chunk) - 1
            if isinstance(v, list) and v:
                array(v, (*key, k), len(lines))
            lines.extend(chunk)
            wrote = True
        for k, t, i in tables:
            if wrote:
                lines.append("")
            wrote = True
            part = tomli_w.dumps({k: True})[: -len(" = true\n")]
            table(
                t, f"{name}.{part}" if name else part, (*key, k) if i is None else (*key, k, i), i is not None
            )

    table(doc, "", (), False)
    if "".join(line + "\n" for line in layout.lines) != tomli_w.dumps(doc):
        return None
    return layout


# --- where each comment of the file belongs --------------------------------------------------


@attrs.frozen
class _Event:
    kind: Literal["comment", "at", "open", "close"]
    key: Key = ()
    text: str | None = None  # the comment, or the comment at the end of the key's line


def _text(trivia_comment: str) -> str | None:
    return trivia_comment.rstrip() or None


def _events(container: Container, key: Key, seen: dict[Key, int]) -> Iterator[_Event]:
    """The comments and keys of a tomlkit document in file order."""
    from tomlkit.items import AoT, Array, Comment, Table  # noqa: PLC0415 - the optional extra

    for k, item in container.body:
        if k is None:
            if isinstance(item, Comment):
                yield _Event("comment", text=_text(item.trivia.comment))
            continue
        here = (*key, k.key)
        if isinstance(item, AoT):
            for element in item.body:
                # Numbered across the whole file: [[a]] may come back after another table.
                seen[here] = index = seen.get(here, -1) + 1
                yield _Event("at", (*here, index), _text(element.trivia.comment))
                yield from _events(element.value, (*here, index), seen)
        elif isinstance(item, Table):
            if not item.is_super_table():
                yield _Event("at", here, _text(item.trivia.comment))
            yield from _events(item.value, here, seen)
        else:
            yield _Event("at", here, _text(item.trivia.comment))
            if isinstance(item, Array):
                yield from _array_events(item, here)


def _array_events(array: Array, key: Key) -> Iterator[_Event]:
    from tomlkit.items import Array, Null  # noqa: PLC0415 - the optional extra

    index = 0
    opening = True  # still on the line of the opening bracket
    # tomlkit keeps an array's comments beside its values only in its item groups.
    for group in getattr(array, "_value", ()):
        value, comment = getattr(group, "value", None), getattr(group, "comment", None)
        text = _text(comment.trivia.comment) if comment is not None else None
        opening = opening and "\n" not in str(getattr(getattr(group, "indent", None), "s", ""))
        if value is not None and not isinstance(value, Null):
            yield _Event("at", (*key, index), text)
            if isinstance(value, Array):
                yield from _array_events(value, (*key, index))
            index += 1
            opening = False
        elif text is not None:
            yield _Event("open" if opening else "comment", key, text)
            opening = False
    yield _Event("close", key)


def _keep_comments(
    source: str, body: str, doc: Mapping[str, Any], header: int
) -> tuple[list[str], str] | None:
    """*body* (tomli-w's text of *doc*) with the comments of *source* put back, but for the
    first *header* ones, and apart the comments that go above its first line; None if tomlkit
    is not installed."""
    try:
        import tomlkit  # noqa: PLC0415 - an optional extra, needed only here
    except ImportError:
        return None
    layout = _layout(doc)
    try:
        parsed = tomlkit.parse(source)
    except Exception:  # noqa: BLE001 - tomlkit reading TOML that tomllib read: nothing is placed
        layout = None
    if layout is None:
        return [], body  # nothing placed: the check of what was kept refuses the file
    before: defaultdict[int, list[str]] = defaultdict(list)
    closing: defaultdict[int, list[str]] = defaultdict(list)
    after: dict[int, str] = {}
    pending: list[str] = []
    for event in _events(parsed, (), {}):
        if event.kind == "comment":
            if header:
                header -= 1
            elif event.text is not None:
                pending.append(event.text)
        elif event.kind == "open":  # at the end of the line that opens an array
            if event.key in layout.starts and layout.starts[event.key] not in after:
                after[layout.starts[event.key]] = event.text or ""
            else:
                pending.append(event.text or "")
        elif event.kind == "close":
            if event.key in layout.closes:
                closing[layout.closes[event.key]].extend(pending)
                pending = []
        elif event.key in layout.starts:
            start, end = layout.starts[event.key], layout.ends[event.key]
            before[start].extend(pending)
            pending = []
            if event.text is not None:
                if end in after:  # one comment a line: a second goes above the key
                    before[start].append(event.text)
                else:
                    after[end] = event.text
        elif event.text is not None:
            pending.append(event.text)
    top = before.pop(0, [])
    out: list[str] = []
    for n, line in enumerate(layout.lines):
        indent = line[: len(line) - len(line.lstrip(" "))]
        out.extend(indent + "    " + c for c in closing.get(n, ()))
        out.extend(indent + c for c in before.get(n, ()))
        out.append(f"{line}  {after[n]}" if n in after else line)
    out.extend(pending)
    return top, "".join(line + "\n" for line in out)


def _lost(source: str, text: str) -> list[_Comment]:
    """The comments of *source* that *text* does not hold."""
    kept = Counter(c.text for c in comments(text))
    out = []
    for c in comments(source):
        if kept[c.text]:
            kept[c.text] -= 1
        else:
            out.append(c)
    return out


# --- fmt ----------------------------------------------------------------------------------------


def _more(lost: list[_Comment]) -> str:
    return f" and {len(lost) - 1} more" if len(lost) > 1 else ""


def format_file(path: Path, *, mode: Mode, flatten: bool = False, root: Path | None = None) -> Formatted:
    """Format the rubric at *path*: print (``mode="print"``), check or rewrite it.

    Args:
        path: the rubric file.
        mode: ``"print"``: only return the text; ``"check"``: also whether the file is
            canonical; ``"write"``: also replace the file with the text, atomically.
        flatten: merge the rubric it extends into it.
        root: the folder an ``extends`` may read from (default: the rubric's own folder).

    Returns:
        The canonical text, whether the file already is it, and notes for standard error.

    Raises:
        RubricError: the rubric does not load; or, to check or write, a comment would be lost;
            or the file is a symbolic link to write through; or it cannot be written (it is
            then unchanged).
    """
    file = str(path)
    if mode == "write" and path.is_symlink():
        target = path.resolve()
        message = f"is a symbolic link to {target}; fmt --write does not replace a link: run it on {target}"
        raise RubricError([Problem(file=file, message=message)])
    rubric = load_rubric(path, root=root)
    data = read_bytes(path)
    source = decode(data, file).replace("\r\n", "\n")
    doc = parse_toml(source, file)
    if flatten:
        body, plain = dumps_rubric(rubric), None
    elif "extends" in doc:  # a rubric that extends another is kept as a patch: only its layout
        body, plain = tomli_w.dumps(doc), doc
    else:
        plain = unstructure(rubric)
        body = tomli_w.dumps(plain)
    header, header_end = _header(source)
    found = comments(source)
    in_header = sum(1 for c in found if c.line <= header_end)
    text = _with_header(header, [], body)
    if len(found) > in_header:
        kept = None if plain is None else _keep_comments(source, body, plain, in_header)
        if kept is not None:
            top, placed = kept
            text = _with_header(header, top, placed)
        lost = _lost(source, text)
        if lost:
            first = lost[0]
            if flatten:
                why = "a flattened rubric has no place for the comments of the file it was made from"
            elif kept is None:
                why = f"tomlkit is not installed; {INSTALL}"
            else:
                why = "move it onto a line of its own above a key"
            if mode != "print":
                message = f"cannot keep this comment{_more(lost)} in canonical form: {why}"
                raise RubricError([Problem(file=file, line=first.line, message=message)])
            verb = "are" if len(lost) > 1 else "is"
            message = f"this comment{_more(lost)} {verb} not kept in the output: {why}"
            note = Problem(file=file, line=first.line, message=message, severity="warning")
            return Formatted(text, False, (str(note),))
    canonical = text == source
    if mode == "write" and not canonical:
        _replace(path, _as_before(text, data))
    return Formatted(text, canonical)


def _as_before(text: str, data: bytes) -> str:
    """*text* in the conventions of the file it replaces, *data*: its line endings (CRLF if its
    first line ends so) and its byte-order mark, which ``--check`` does not compare."""
    end = data.find(b"\n")
    if end > 0 and data[end - 1 : end] == b"\r":
        text = text.replace("\n", "\r\n")
    return "\ufeff" + text if data.startswith(codecs.BOM_UTF8) else text


def _replace(path: Path, text: str) -> None:
    """Write *text* to a new file beside *path*, with its mode, and rename it over *path*: the
    file is either wholly old or wholly new, whatever fails part-way."""
    mode = stat.S_IMODE(path.stat().st_mode)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        reason = exc.strerror or str(exc)
        raise RubricError(
            [Problem(file=str(path), message=f"cannot write the file: {reason}; it is unchanged")]
        ) from None
