"""The rubrics and plans shipped with the package, found by name (DESIGN §7).

A shipped rubric is named by its file stem: ``district`` is ``rubrics/district.toml``. The
folders sit at the top of the repository; the wheel carries them as ``conserv_rubric/_data/``
(pyproject.toml, force-include). A checkout or an editable install has no ``_data``, so there they
are read from the repository, beside ``src/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal, TypeAlias

from .errors import Problem, RubricError

Kind: TypeAlias = Literal["rubrics", "plans"]

#: How many near names an unknown name's message suggests.
SUGGESTIONS: Final = 3


def folder(kind: Kind, package: Path | None = None) -> Path | None:
    """The folder of shipped *kind* for the package at *package* (default: this one), or None.

    An installed wheel's ``_data/<kind>`` wins over a checkout's top-level ``<kind>/``.
    """
    if package is None:
        # The package's own folder, as importlib.resources finds it (without its import cost);
        # in a zip import neither folder below is a directory, so none is found.
        package = Path(__file__).parent
    installed = package / "_data" / kind
    if installed.is_dir():
        return installed
    if package.parent.name == "src":
        checkout = package.parent.parent / kind
        if checkout.is_dir():
            return checkout
    return None


def index(kind: Kind = "rubrics", package: Path | None = None) -> dict[str, Path]:
    """Every shipped *kind* by name, in name order; a name found twice keeps the shallower file."""
    root = folder(kind, package)
    if root is None:
        return {}
    out: dict[str, Path] = {}
    for file in sorted(root.rglob("*.toml"), key=lambda p: (len(p.relative_to(root).parts), p)):
        out.setdefault(file.stem, file)
    return dict(sorted(out.items()))


def names(kind: Kind = "rubrics") -> list[str]:
    """The names of the shipped rubrics (or plans), sorted: ``["district", …]``."""
    return list(index(kind))


def _unknown(name: str, kind: Kind) -> str:
    """What to say about *name*, which names no shipped rubric: the nearest names, or all of them."""
    import difflib  # noqa: PLC0415 - kept off start-up: only an unknown name needs it

    known = names(kind)
    close = difflib.get_close_matches(name, known, n=SUGGESTIONS, cutoff=0.6)
    if close:
        quoted = [f"'{c}'" for c in close]
        options = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        return f"(did you mean {options}?)"
    if known:
        return f"(the shipped {kind} are {', '.join(known)})"
    return f"(this installation ships no {kind})"


def path(name: str, kind: Kind = "rubrics") -> Path:
    """The file of the shipped rubric (or plan) called *name*.

    Raises:
        RubricError: no shipped rubric has that name; the message suggests the nearest names.
    """
    found = index(kind).get(name)
    if found is None:
        message = f"no shipped {kind[:-1]} is named '{name}' {_unknown(name, kind)}"
        raise RubricError([Problem(message=message)])
    return found


def is_name(text: str) -> bool:
    """Whether *text* may name a shipped rubric: a bare word, without a folder or ``.toml``."""
    return (
        text not in ("", ".", "..")
        and "/" not in text
        and "\\" not in text
        and "\x00" not in text
        and not text.lower().endswith(".toml")
    )


def _is_file(path: Path) -> bool:
    """Whether something other than a folder is at *path* (reading a FIFO or a device says more)."""
    try:
        return path.exists() and not path.is_dir()
    except OSError:  # a name too long for the file system names no file
        return False


def _lookup(text: str, base_dir: Path, kind: Kind = "rubrics") -> Path | None:
    """The file *text* means beside *base_dir*; else the shipped rubric (or plan) it names; None
    if neither."""
    beside = base_dir / text
    if not is_name(text) or _is_file(beside):
        return beside
    return index(kind).get(text)


def plan_argument(text: str) -> Path:
    """The file a command line's ``--plan`` argument means: a file, or a shipped plan's name.

    A file of that name in the working directory wins, as for a RUBRIC argument, so that
    ``--plan district`` works in any folder once the package is installed.

    Raises:
        RubricError: *text* is a bare word that names neither a file nor a shipped plan.
    """
    found = _lookup(text, Path(), "plans")
    if found is None:
        message = "no such file, nor a shipped plan of that name"
        raise RubricError([Problem(file=text, message=f"{message} {_unknown(text, 'plans')}")])
    return found


def rubric_argument(text: str, *, rewrite: bool = False) -> Path:
    """The file a command line's RUBRIC argument means: a file, or a shipped rubric's name.

    A file of that name in the working directory wins over a shipped rubric.

    Args:
        text: the argument as typed.
        rewrite: the command rewrites the file (``fmt --write``), which a shipped rubric refuses.

    Raises:
        RubricError: *text* is a bare word that names neither a file nor a shipped rubric, or a
            shipped rubric would be rewritten.
    """
    found = _lookup(text, Path())
    if found is None:
        message = "no such file, nor a shipped rubric of that name"
        raise RubricError([Problem(file=text, message=f"{message} {_unknown(text, 'rubrics')}")])
    if rewrite and found != Path(text):
        message = f"a shipped rubric is not rewritten; copy it with: conserv-rubric fmt {text} > {text}.toml"
        raise RubricError([Problem(file=text, message=message)])
    return found


def base_rubric(target: str, base_dir: Path, file: str | None) -> tuple[Path, Path | None]:
    """The file that ``extends = target`` in *file* (whose folder is *base_dir*) means.

    A path is taken relative to *base_dir*; a bare word is a file there if one exists, else the
    shipped rubric of that name.

    Returns:
        The file, and for a shipped rubric the shipped folder (which its own ``extends`` may
        read), else None.

    Raises:
        RubricError: a bare word that names neither, located at *file*'s ``extends``.
    """
    beside = base_dir / target
    if not is_name(target) or _is_file(beside):
        return beside, None
    found = index("rubrics").get(target)
    if found is None:
        message = f"unknown base rubric '{target}': no such file, nor a shipped rubric of that name"
        toml = f"{target}.toml"
        hint = (
            f"(did you mean '{toml}', the file beside it?)"
            if _is_file(base_dir / toml)
            else _unknown(target, "rubrics")
        )
        raise RubricError([Problem(file=file, path="extends", message=f"{message} {hint}")])
    shipped = folder("rubrics")
    assert shipped is not None  # index() found the rubric in it
    return found, shipped
