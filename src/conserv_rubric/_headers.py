"""The column names of the CSV files offices open in Excel or WPS, in English and in Chinese.

Every CSV column the library writes or reads has an English name, which programs read and the
default ``--headers en`` writes, and a Chinese one, which ``--headers zh`` writes (DESIGN §10).
The readers accept both: a CSV sheet (`_sheet`), an energy CSV and a roster read ``单位`` as
``agency``. Columns named by an address and a title (``1 强化目标管理``) and the dotted energy
columns have one name only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal, TypeAlias

from ._text import describe
from .errors import Problem, SheetError

Headers: TypeAlias = Literal["en", "zh"]

#: The Chinese header of every English column name that a CSV report writes.
ZH: Final[dict[str, str]] = {
    "agency": "单位",
    "code": "统一社会信用代码",
    "parent": "上级单位",
    "type": "类型",
    "counted": "是否计入",
    "year": "年度",
    "stage": "阶段",
    "assessor": "填表人",
    "date": "日期",
    "total": "总分",
    "max": "满分",
    "level": "等级",
    "passed": "是否通过",
    "reached": "是否建成",
    "failed_gates": "未通过的门槛项",
    "file": "来源文件",
    "line": "行号",
    "rubric_hash": "评价标准哈希值",
    "library": "软件版本",
}

#: The Chinese names a reader takes for a column: the headers above, and the other names
#: offices use (单位名称, 代码 on rosters; 评估人, as the score card's heading says).
READ_ZH: Final[dict[str, str]] = {
    **{zh: en for en, zh in ZH.items()},
    "单位名称": "agency",
    "代码": "code",
    "评估人": "assessor",
}


def header_row(columns: Sequence[str], headers: Headers) -> list[str]:
    """The header row of a CSV report: *columns* as they are (``en``), or in Chinese (``zh``)."""
    if headers == "en":
        return list(columns)
    return [ZH.get(c, c) for c in columns]


def read_header(cells: Sequence[str], file: str | None) -> list[str]:
    """A CSV header row read as English column names: each cell trimmed, a Chinese name translated.

    Raises:
        SheetError: two cells name one column in two ways (``agency`` and ``单位``); a column
            written twice the same way is left to the caller, which names it.
    """
    names = [cell.strip() for cell in cells]
    columns = [READ_ZH.get(name, name) for name in names]
    by_column: dict[str, dict[str, None]] = {}  # one pass: linear in the number of columns
    for name, column in zip(names, columns, strict=True):
        by_column.setdefault(column, {})[name] = None
    for column, spelt in by_column.items():
        spellings = list(spelt)
        if len(spellings) > 1:
            both = " and ".join(f"'{s}'" for s in spellings)
            message = f"columns {both} both name the column '{column}'; keep one"
            raise SheetError([Problem(file=file, line=1, message=message)])
    return columns


def unnamed_cell(column: int, text: str) -> str:
    """The problem of *text* in column *column* (1-based) under an empty header cell.

    Empty columns without a name are what Excel and WPS save right of a table they once touched,
    so the readers take them while they are empty; a value there belongs to no column.
    """
    where = f"column {column} has no name in the header (line 1)"
    return f"{where} but holds {describe(text)}; name the column or empty the cell"
