"""The 自评打分表 as an Excel/WPS workbook (extra ``xlsx``: openpyxl, pure Python).

`write_template` lays a rubric out as the standard's own table — 序号, 评价单元, 评价项目, 评价标准,
分值, then a locked 地址 column, the 答案 column to fill in (with data validation and an input
message saying what to type), 佐证材料 and 备注 — with the sheet's details above it, set up to
print on A4, and a hidden worksheet 标准信息 naming the rubric's title, version and hash.

`read_workbook` reads filled workbooks back, one sheet per worksheet that holds such a table, by
the 地址 column (never by row position). `conserv_rubric.load_sheets` and every command that reads
sheets call it for an ``.xlsx`` file, so a workbook scores exactly as a TOML sheet with the same
answers. `conserv_rubric.score` then refuses a workbook made from a rubric with another hash and
locates every problem by its cell:

.. code-block:: text

    sheet.xlsx: 自评打分表!G14 (answers."2.2.2"): expected a count (a whole number ≥ 0) …

How cells are read (`read_workbook` says it in full): a formula is refused, never recalculated;
a number is the shortest repr of the stored double, rounded to the 15 significant digits Excel
shows; a percentage-formatted cell reads as the percentage shown; 是/否 and TRUE/FALSE are yes and
no; names in one cell are separated by ``、``.

Without openpyxl installed this module still imports; its functions raise an error naming the
extra (``pip install 'conserv-rubric[xlsx]'``).
"""

from __future__ import annotations

import os

from ._energy_model import EnergyData
from ._sheet import Sheet
from ._xlsx_read import read_energy as _read_energy
from ._xlsx_read import read_sheets
from ._xlsx_write import write_template as _write_template
from .model import Rubric

__all__ = ["read_energy", "read_workbook", "write_template"]


def write_template(
    rubric: Rubric, path: str | os.PathLike[str], *, year: int | None = None, energy: bool = False
) -> None:
    """Write a blank 自评打分表 workbook for *rubric* to *path*.

    Every answer cell starts empty, which scores as the leaf left unanswered. Every text is
    written as text, never as a formula, even where it starts with ``=``.

    Args:
        rubric: the rubric.
        path: the ``.xlsx`` file to write (replaced if it exists).
        year: the sheet's year; by default the current year.
        energy: also write the rows of the energy data (说明五: ``energy.area``,
            ``energy.use.electricity.kwh`` …), which `read_energy` reads.

    Raises:
        RubricError: openpyxl is not installed, or the file cannot be written.
    """
    _write_template(rubric, path, year=year, energy=energy)


def read_workbook(path: str | os.PathLike[str]) -> list[Sheet]:
    """Read every agency's sheet in the workbook at *path*.

    A worksheet is one agency's sheet when it has a header row with the columns 地址 and 答案
    (and, optionally, 佐证材料 and 备注); other worksheets are not read. Its details (单位名称,
    统一社会信用代码, 年度, 阶段, 填表人, 日期) are the cells right of their labels above the table;
    阶段 takes a stage's name or its label (自评, 核定). The hidden worksheet 标准信息 names the
    rubric the workbook was made from (`SheetInfo.rubric` and `SheetInfo.rubric_hash`).

    Each row's answer is read from its 答案 cell by the address in its 地址 cell:

    - empty: unanswered;
    - 是 or 否, TRUE or FALSE (a boolean cell, or the text): yes or no;
    - a number: the shortest repr of the stored double, rounded to 15 significant digits (what
      Excel shows), so ``0.30000000000000004`` reads as ``0.3`` and ``85.00000000000001`` as
      ``85``; a whole number is an `int`; a percentage-formatted cell reads as the percentage
      shown (``0.85`` as ``85``);
    - text: as a CSV cell (digits are a number, ``0.85/1`` a figure and its reference), else
      names separated by ``、``;
    - a formula, an error value (``#DIV/0!``) or a date: refused, located by its cell.

    The 佐证材料 cell lists documents one per line (or separated by ``；``); rows whose address
    starts with ``energy.`` hold energy data, read by `read_energy` and not as answers.

    Args:
        path: an ``.xlsx`` workbook; ``.xls`` and ``.et`` files are refused ("save it as .xlsx").

    Returns:
        One sheet per agency worksheet, in workbook order, each knowing the cell of every value
        (`Sheet.cells`), so that `conserv_rubric.score` locates its problems by cell.

    Raises:
        SheetError: openpyxl is not installed, the file is no ``.xlsx`` workbook or holds no
            自评打分表, or a cell cannot be read; every problem located (``自评打分表!G14``).
    """
    return read_sheets(path)


def read_energy(path: str | os.PathLike[str]) -> list[EnergyData]:
    """Read the energy data (the ``energy.…`` rows) of every agency's worksheet at *path*.

    Each worksheet's rows are read as a wide CSV's dotted columns are, its 年度 is the year the
    data must precede, and its 单位名称 is kept with the data. `conserv_rubric.energy.load_energy`
    calls this for an ``.xlsx`` file.

    Args:
        path: an ``.xlsx`` workbook.

    Returns:
        One record per worksheet with energy rows.

    Raises:
        SheetError: no worksheet has energy rows, one has none filled in, or the data are
            wrong; every problem located by its cell.
    """
    return _read_energy(path)


def __dir__() -> list[str]:
    return list(__all__)
