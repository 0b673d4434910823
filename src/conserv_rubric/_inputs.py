"""Gathering a roll-up's sheets from files and folders: what is read, what is skipped, what is broken.

A folder is walked in name order (subfolders included, symbolic links not followed). Sheet files
(``.toml``, ``.json``, ``.csv``, ``.xlsx``) are read; 佐证材料 (PDF, DOCX, images …), Excel's ``~$`` lock
files, hidden files, the roster or plan themselves and any other file shaped as a roster, plan or
rubric (`conserv_rubric._not_sheet`) are listed as skipped, never as broken. A sheet that does not
load is a problem, and the rest are still read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

import attrs

from ._not_sheet import skip_reason
from ._sheet import Sheet, load_sheets
from ._xlsx_layout import OLD_WORKBOOKS
from .errors import Problem, SheetError

#: Suffixes read as sheets.
SHEET_SUFFIXES: Final = (".toml", ".json", ".csv", ".xlsx")
#: Workbook formats that are sheets but cannot be read here, with what to do instead.
UNREADABLE: Final = OLD_WORKBOOKS


@attrs.frozen
class Skipped:
    """A file that was not read as a sheet, and why."""

    file: str
    reason: str


@attrs.frozen
class Gathered:
    """The sheets read, the files skipped and the problems of the files that failed."""

    sheets: tuple[Sheet, ...]
    skipped: tuple[Skipped, ...]
    problems: tuple[Problem, ...]


def _why_skip(path: Path, known: Mapping[Path, str], in_folder: bool) -> str | None:
    if path.name.startswith("~$"):
        return "an Excel/WPS lock file (the workbook is open somewhere); not a sheet"
    if in_folder and path.name.startswith("."):
        return "a hidden file"
    role = known.get(path.resolve())
    if role is not None:
        return role
    suffix = path.suffix.lower()
    if suffix in SHEET_SUFFIXES or suffix in UNREADABLE:
        return None
    return f"not a sheet file ({suffix or 'no suffix'}); sheets are {', '.join(SHEET_SUFFIXES)}"


def _walk(folder: Path) -> list[Path]:
    out: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        out.extend(Path(root) / name for name in sorted(files))
    return out


def gather(inputs: Iterable[Sheet | str | os.PathLike[str]], known: Mapping[Path, str]) -> Gathered:
    """Read every sheet in *inputs* (sheets, files and folders), skipping *known* files.

    Args:
        inputs: sheets already read, sheet files, or folders to scan.
        known: resolved paths not to read as sheets, with the reason ("the roster").
    """
    sheets: list[Sheet] = []
    skipped: list[Skipped] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for given in inputs:
        if isinstance(given, Sheet):
            sheets.append(given)
            continue
        path = Path(given)
        try:
            exists = path.exists()
        except (OSError, ValueError):  # a NUL byte in the name
            exists = False
        if not exists:
            problems.append(Problem(file=str(path), message="cannot read file: No such file or directory"))
            continue
        in_folder = path.is_dir()
        for file in _walk(path) if in_folder else [path]:
            resolved = file.resolve()
            if resolved in seen:
                skipped.append(Skipped(str(file), "given twice; read once"))
                continue
            seen.add(resolved)
            reason = _why_skip(file, known, in_folder)
            if reason is not None:
                skipped.append(Skipped(str(file), reason))
                continue
            unreadable = UNREADABLE.get(file.suffix.lower())
            if unreadable is not None:
                problems.append(Problem(file=str(file), message=unreadable))
                continue
            try:
                sheets.extend(load_sheets(file))
            except SheetError as exc:
                reason = skip_reason(exc)  # a roster, plan or rubric among the sheets: what it is
                if reason is not None:
                    skipped.append(Skipped(str(file), reason))
                else:
                    problems.extend(exc.problems)
    return Gathered(tuple(sheets), tuple(skipped), tuple(problems))
