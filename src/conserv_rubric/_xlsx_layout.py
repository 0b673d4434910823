"""The 自评打分表 workbook's layout, shared by its writer and its reader: names, columns, labels.

The reader finds everything by name, never by position: the table by its header row (the row
holding ``地址`` and ``答案``), its columns by their headers, the sheet's details by their labels
above the table, and the rubric it was made from in the hidden worksheet `PROVENANCE`.
"""

from __future__ import annotations

import importlib.util
import re
from typing import Final

from .errors import Problem, RubricError

#: The name of the one worksheet a template holds; a workbook may hold one per agency.
SHEET_TITLE: Final = "自评打分表"
#: The hidden worksheet naming the rubric the workbook was made from (DESIGN §14).
PROVENANCE: Final = "标准信息"
#: The table's columns, in order; the reader looks them up by these headers.
HEADERS: Final = ("序号", "评价单元", "评价项目", "评价标准", "分值", "地址", "答案", "佐证材料", "备注")
ADDRESS: Final = "地址"
ANSWER: Final = "答案"
EVIDENCE: Final = "佐证材料"
NOTES: Final = "备注"
#: The sheet's details above the table: label → `SheetInfo` field.
INFO: Final = {
    "单位名称": "agency",
    "统一社会信用代码": "code",
    "年度": "year",
    "阶段": "stage",
    "填表人": "assessor",
    "日期": "date",
}
#: The rows of the provenance worksheet: key (column A) → what it holds (column C).
PROVENANCE_KEYS: Final = {
    "rubric": "评价标准名称",
    "version": "版本",
    "hash": "评价标准的哈希值（sha256，规范化 JSON）",
    "hash_version": "哈希算法版本",
    "library": "生成工具",
}
#: How names are separated in one answer cell (a counter with named options).
NAME_SEPARATOR: Final = "、"
#: How documents are separated in a 佐证材料 cell: one per line, or ；.
EVIDENCE_SEPARATORS: Final = re.compile(r"[\n；;]")
#: The rows of a leaf's address in the energy section start with this.
ENERGY_PREFIX: Final = "energy."
#: Workbook formats that cannot be read, with what to do instead.
OLD_WORKBOOKS: Final = {
    ".xls": "an old .xls workbook cannot be read; save it as .xlsx",
    ".et": "a WPS .et workbook cannot be read; save it as .xlsx",
}
#: What to install for workbooks.
NEEDS_OPENPYXL: Final = ".xlsx workbooks need the xlsx extra (openpyxl): pip install 'conserv-rubric[xlsx]'"


def require_openpyxl(file: str) -> None:
    """Raise a `RubricError` about *file*, naming the extra to install, unless openpyxl is there."""
    if importlib.util.find_spec("openpyxl") is None:
        raise RubricError([Problem(file=file, message=NEEDS_OPENPYXL)])


def reference(sheet: str, coordinate: str) -> str:
    """A cell as Excel names it: ``自评打分表!G14``, or ``'my sheet'!G14`` where quotes are needed."""
    if re.fullmatch(r"\w+", sheet):
        return f"{sheet}!{coordinate}"
    quoted = sheet.replace("'", "''")
    return f"'{quoted}'!{coordinate}"
