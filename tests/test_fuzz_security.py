"""Fuzzing what a rubric may read: roots, symbolic links, ``..``, absolute paths, devices, chains.

Each example builds a small file tree in a fresh folder: a rubric folder with bases, subfolders,
links (inside, outside, to devices, to themselves), FIFOs and a secret file beside the tree, then
loads a rubric whose ``extends`` names one of them in some way, with or without a root. Whatever
the tree, the load ends quickly (a FIFO never blocks), returns a rubric or raises `RubricError`,
opens no file outside the root (bar the shipped rubrics), and no message shows the secret file's
key names. Where the answer is plain (a path that leads outside, a chain too long or circular, a
file that is not regular) the message is checked whole against one worked out here.

Examples are as many as the hypothesis profile of tests/conftest.py gives (derandomized in CI).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conserv_rubric import RubricError, load_rubric, load_sheet, loads_rubric
from conserv_rubric._shipped import folder as shipped_folder
from conserv_rubric.energy import load_energy

FLAG: Final = 'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "flag"\npoints = 1\n'
SECRET: Final = 'zz_secret_password = "x"\nzz_secret_token = 1\n'
SHIPPED: Final = Path(os.path.realpath(shipped_folder("rubrics") or "/nonexistent"))
OUTSIDE: Final = (
    "lies outside the rubric's folder; extends reads only files in that folder and below, or a "
    "shipped rubric by name (--root DIR, or root= in Python, allows a wider folder)"
)
ROOTED: Final = "; extends reads only files in that folder and below, or a shipped rubric by name"
NOT_REGULAR: Final = {
    "fifo": "it is a FIFO (a named pipe), not a regular file; save its content to a file first",
    "zero": "it is a character device, not a regular file; save its content to a file first",
    "null": "it is a character device, not a regular file; save its content to a file first",
    "folder": "Is a directory",
    "loop": os.strerror(errno.ELOOP),
    "missing": "No such file or directory",
}
# Slow by design: each example makes files, links and FIFOs; the profile sets how many.
SETTINGS: Final = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


def finished(call: Callable[[], object], seconds: float = 20) -> BaseException | None:
    """What *call* raised (None if it returned); fails if it still runs after *seconds*."""
    out: list[BaseException | None] = []

    def target() -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out.append(exc)
        else:
            out.append(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert out, f"still running after {seconds} s: a read blocked"
    return out[0]


@contextlib.contextmanager
def opened_files() -> Iterator[list[Path]]:
    """Every path the library opens while the block runs, resolved."""
    seen: list[Path] = []
    real = os.open

    def spy(path: Any, *args: Any, **kwargs: Any) -> int:
        seen.append(Path(os.path.realpath(path)))
        return real(path, *args, **kwargs)

    with mock.patch.object(os, "open", spy):
        yield seen


def _outcome(message: str) -> str:
    """What kind of refusal *message* is, for the statistics (``--hypothesis-show-statistics``)."""
    if "lies outside" in message:
        return "outside the root"
    if "cannot read base rubric" in message:
        return "unreadable base: " + " ".join(message.rsplit(": ", 1)[-1].split()[:4])
    return " ".join(message.split(": ", 2)[-1].split()[:4])


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


# --- a file tree -----------------------------------------------------------------------------

#: What an entry of the tree may be.
KINDS: Final = ("base", "patch", "link-in", "link-out", "link-zero", "link-self", "fifo", "folder")
#: Where an entry may sit: the rubric's folder, below it, beside it (outside), or above all.
PLACES: Final = ("a", "a/sub", "a/sub/deep", "b", ".")


@st.composite
def trees(draw: st.DrawFn) -> list[tuple[str, str, str]]:
    """(place, name, kind) for up to 8 entries, names unique."""
    count = draw(st.integers(1, 8))
    return [(draw(st.sampled_from(PLACES)), f"e{i}.toml", draw(st.sampled_from(KINDS))) for i in range(count)]


def build(top: Path, entries: list[tuple[str, str, str]], pick: Callable[[int], int]) -> list[Path]:
    """Make the entries under *top*/tree, the secret beside the tree; return the entries' paths."""
    tree = top / "tree"
    for place in PLACES:
        (tree / place).mkdir(parents=True, exist_ok=True)
    (top / "secret.toml").write_text(SECRET, encoding="utf-8")
    paths = [tree / place / name for place, name, _ in entries]
    for (_, _, kind), path in zip(entries, paths, strict=True):
        if kind == "base":
            path.write_text(FLAG, encoding="utf-8")
        elif kind == "patch":
            target = paths[pick(len(paths))]
            path.write_text(f'extends = "{os.path.relpath(target, path.parent)}"\nversion = "p"\n', "utf-8")
        elif kind == "link-in":
            path.symlink_to(paths[pick(len(paths))])
        elif kind == "link-out":
            path.symlink_to(top / "secret.toml")
        elif kind == "link-zero":
            path.symlink_to("/dev/zero")
        elif kind == "link-self":
            path.symlink_to(path.name)
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.mkdir()
    return paths


def spellings(target: Path, base_dir: Path) -> list[str]:
    """Ways an ``extends`` may name *target* from *base_dir*: relative, with detours, absolute."""
    relative = os.path.relpath(target, base_dir)
    return [
        relative,
        f"./{relative}",
        f"sub/../{relative}",
        str(target),
        f"{base_dir}/../{base_dir.name}/{relative}",
    ]


@given(trees(), st.data())
@SETTINGS
def test_extends_reads_nothing_outside_its_root(
    entries: list[tuple[str, str, str]], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as name:
        top = Path(os.path.realpath(name))
        paths = build(top, entries, lambda n: data.draw(st.integers(0, n - 1)))
        folder = top / "tree" / "a"
        choices = [s for p in paths for s in spellings(p, folder)]
        choices += [
            "../../secret.toml",
            str(top / "secret.toml"),
            "/dev/zero",
            "/etc/passwd",
            "district",
            "nope",
        ]
        target = data.draw(st.sampled_from(choices))
        root = data.draw(st.sampled_from([None, folder, top / "tree", top / "tree" / "a" / "sub"]))
        rubric = folder / "rubric.toml"
        rubric.write_text(f'extends = "{target}"\ntitle = "variant"\n', encoding="utf-8")
        allowed = folder if root is None else root
        with opened_files() as opened:
            raised = finished(lambda: load_rubric(rubric, root=root))
        assert raised is None or isinstance(raised, RubricError), repr(raised)
        for path in opened:
            assert path == rubric or inside(path, allowed) or inside(path, SHIPPED), f"read {path}"
        message = "" if raised is None else str(raised)
        event(_outcome(message) if raised is not None else "loaded")
        assert "zz_secret" not in message
        # The first base: a path that leads outside is refused before anything is opened.
        is_name = "/" not in target and not target.endswith(".toml")
        first = Path(os.path.realpath(folder / target))
        if not is_name and not inside(first, allowed):
            where = OUTSIDE if root is None else f"lies outside the root '{root}'{ROOTED}"
            assert message == f"{rubric}: extends: base rubric '{target}' {where}"
            assert opened == [rubric]


# --- files that are not regular ----------------------------------------------------------------

PATH_KINDS: Final = ("fifo", "zero", "null", "folder", "loop", "missing", "link-fifo", "link-zero")


def make_path(folder: Path, kind: str) -> tuple[Path, str]:
    """A path of *kind* in *folder*, and the reason a read of it is refused."""
    path = folder / "input.toml"
    if kind in ("fifo", "link-fifo"):
        fifo = folder / "pipe"
        os.mkfifo(fifo)
        if kind == "fifo":
            return fifo, NOT_REGULAR["fifo"]
        path.symlink_to(fifo)
        return path, NOT_REGULAR["fifo"]
    if kind in ("zero", "null"):
        return Path(f"/dev/{kind}"), NOT_REGULAR[kind]
    if kind == "link-zero":
        path.symlink_to("/dev/zero")
        return path, NOT_REGULAR["zero"]
    if kind == "folder":
        path.mkdir()
    elif kind == "loop":
        path.symlink_to(path.name)
    return path, NOT_REGULAR[kind]


LOADS: Final[dict[str, Callable[[Path], object]]] = {
    "load_rubric": load_rubric,
    "load_sheet": load_sheet,
    "load_energy": load_energy,
}


@given(st.sampled_from(PATH_KINDS), st.sampled_from(sorted(LOADS)), st.booleans())
@SETTINGS
def test_what_is_no_regular_file_is_refused_at_once(kind: str, loader: str, as_base: bool) -> None:
    """As a rubric, a sheet, an energy sheet, or (with the whole tree as root) an extends base."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(os.path.realpath(name))
        path, why = make_path(folder, kind)
        if as_base:
            rubric = folder / "rubric.toml"
            rubric.write_text(f'extends = "{path}"\n', encoding="utf-8")
            raised = finished(lambda: load_rubric(rubric, root="/"))
            assert str(raised) == f"{rubric}: extends: cannot read base rubric {path}: {why}"
        else:
            raised = finished(lambda: LOADS[loader](path))
            assert str(raised) == f"{path}: cannot read file: {why}"
        assert isinstance(raised, RubricError)


# --- chains ----------------------------------------------------------------------------------


@given(st.integers(1, 20), st.one_of(st.none(), st.integers(0, 19)), st.booleans())
@SETTINGS
def test_chains_of_any_length(length: int, back_to: int | None, through_links: bool) -> None:
    """c0 extends c1 … extends c(length); the last is a rubric, or extends an earlier file."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(os.path.realpath(name))
        cycle = back_to is not None and back_to <= length
        for i in range(length):
            file = f"c{i + 1}.toml" if not through_links else f"l{i + 1}.toml"
            (folder / f"c{i}.toml").write_text(f'extends = "{file}"\n', encoding="utf-8")
            if through_links:
                (folder / f"l{i + 1}.toml").symlink_to(f"c{i + 1}.toml")
        last = f'extends = "c{back_to}.toml"\n' if cycle else FLAG
        (folder / f"c{length}.toml").write_text(last, encoding="utf-8")
        raised = finished(lambda: load_rubric(folder / "c0.toml"))
        files = [f"c{i}.toml" for i in range(length + 1)]
        if cycle and length + 1 <= 16:  # every file of the chain distinct, within the limit
            assert back_to is not None
            names = " → ".join([*files, f"c{back_to}.toml"])
            where = folder / f"c{length}.toml"
            assert str(raised) == f"{where}: extends: extends chain has a cycle: {names}"
        elif length + 1 > 16:
            names = " → ".join(files[:17])
            assert (
                str(raised)
                == f"{folder / 'c15.toml'}: extends: extends chain is longer than 16 files: {names}"
            )
        elif not cycle:
            assert raised is None
        else:
            assert isinstance(raised, RubricError)


@given(st.sampled_from(["../x.toml", "/etc/passwd", "sub/../../x.toml", "district", "nope", "x.toml"]))
@SETTINGS
def test_loads_rubric_takes_its_root_from_base_dir(target: str) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(os.path.realpath(name))
        (folder / "sub").mkdir()
        (folder / "x.toml").write_text(FLAG, encoding="utf-8")
        text = f'extends = "{target}"\n'
        raised = finished(lambda: loads_rubric(text, base_dir=folder / "sub"))
        wider = finished(lambda: loads_rubric(text, base_dir=folder / "sub", root=folder))
        if target in ("../x.toml", "sub/../../x.toml"):
            assert str(raised) == f"extends: base rubric '{target}' {OUTSIDE}"
            assert wider is None
        elif target == "/etc/passwd":
            assert str(raised) == f"extends: base rubric '{target}' {OUTSIDE}"
            assert str(wider) == f"extends: base rubric '{target}' lies outside the root '{folder}'{ROOTED}"
        elif target == "district":
            assert raised is None
            assert wider is None
        else:
            assert isinstance(raised, RubricError)
