"""Opening a workbook file: its bytes within the limits, and what it is when it is no ``.xlsx``.

A file named ``.xlsx`` that is not one is refused with what it is, since the remedy differs: a
password-protected workbook is an OLE container holding an encrypted package (the password has
to come off), an ``.xls`` renamed to ``.xlsx`` is an OLE container too (save it as ``.xlsx``), an
empty file was never sent whole, and a zip archive without a workbook part is some other file.
"""

from __future__ import annotations

import io
import os
import stat
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ._limits import MAX_WORKBOOK_BYTES, MAX_WORKBOOK_XML_BYTES
from ._xlsx_layout import OLD_WORKBOOKS, require_openpyxl
from .errors import Problem, RubricError, SheetError

if TYPE_CHECKING:
    from openpyxl import Workbook

NOT_XLSX: Final = "not an .xlsx workbook (Excel 2007 or later); open it in Excel or WPS and save it as .xlsx"
#: The signature of an OLE compound file: Excel 97–2003 workbooks and encrypted Office files.
_OLE: Final = bytes.fromhex("D0CF11E0A1B11AE1")
#: The stream an encrypted OOXML file keeps its package in (OLE names its streams in UTF-16).
_ENCRYPTED: Final = "EncryptedPackage".encode("utf-16-le")
#: Where a workbook's parts are; a zip archive with nothing there is some other file.
_WORKBOOK_FOLDER: Final = "xl/"


def _bytes(path: str | os.PathLike[str], file: str) -> bytes:
    """The workbook's bytes: a regular file within the limit."""
    try:
        found = os.stat(path)
        regular = stat.S_ISREG(found.st_mode)
        data = b""
        if regular:  # anything else is never opened: opening a FIFO waits for a writer
            with open(path, "rb") as handle:
                data = handle.read(MAX_WORKBOOK_BYTES + 1)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise SheetError([Problem(file=file, message=f"cannot read file: {reason}")]) from None
    if not regular:
        raise SheetError([Problem(file=file, message="not a regular file; expected an .xlsx workbook")])
    if len(data) > MAX_WORKBOOK_BYTES:
        message = f"the workbook is {max(found.st_size, len(data))} bytes; the limit is {MAX_WORKBOOK_BYTES}"
        raise SheetError([Problem(file=file, message=message)])
    return data


def not_a_workbook(data: bytes) -> str:
    """Why *data*, which is no zip archive, is no ``.xlsx`` workbook, and what to do."""
    if not data:
        return "the file is empty (0 bytes); expected an .xlsx workbook: ask for the file again"
    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            return (
                "the workbook is protected by a password (encrypted), so it cannot be read; "
                "open it in Excel or WPS, remove the password (文件 → 信息 → 保护工作簿 → 用密码进行加密, "
                "clear it) and save it as .xlsx"
            )
        return (
            "an Excel 97–2003 (.xls) workbook or another old Office file, named .xlsx; "
            "open it in Excel or WPS and save it as .xlsx"
        )
    return NOT_XLSX


def open_workbook(path: str | os.PathLike[str]) -> tuple[Workbook, str]:
    """The workbook at *path*, opened without recalculating anything, and its file name.

    Raises:
        SheetError: an ``.xls`` or ``.et`` file, openpyxl not installed, a file that cannot be
            read or is no ``.xlsx`` workbook (an encrypted one, an empty file … named as such).
    """
    file = str(path)
    old = OLD_WORKBOOKS.get(Path(path).suffix.lower())
    if old is not None:
        raise SheetError([Problem(file=file, message=old)])
    try:
        require_openpyxl(file)
    except RubricError as exc:  # a workbook is a sheet here
        raise SheetError(exc.problems) from None
    from openpyxl import load_workbook  # noqa: PLC0415 - optional extra, checked above

    data = _bytes(path, file)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(i.file_size for i in archive.infolist() if i.filename.endswith((".xml", ".rels")))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetError([Problem(file=file, message=not_a_workbook(data))]) from None
    if unpacked > MAX_WORKBOOK_XML_BYTES:
        message = f"the workbook unpacks to {unpacked} bytes; the limit is {MAX_WORKBOOK_XML_BYTES}"
        raise SheetError([Problem(file=file, message=message)])
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (WPS's extensions, slicers …): none is read here.
            warnings.simplefilter("ignore")
            # Read-only: four times faster, and a cell is only what the file holds (a merged range
            # is empty but for its first cell).
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, rich_text=False)
    except Exception:  # noqa: BLE001 - a damaged workbook can fail anywhere in openpyxl
        what = "damaged" if any(n.startswith(_WORKBOOK_FOLDER) for n in names) else "no workbook in it"
        raise SheetError([Problem(file=file, message=f"{NOT_XLSX} (a zip archive, {what})")]) from None
    return workbook, file
