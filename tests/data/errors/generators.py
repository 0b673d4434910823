"""Inputs of the error catalogue that cannot be committed as files, and calls of the Python API.

A case's ``make = "make_…"`` names a function here that writes its inputs into the current
folder (an empty one) before the case runs; ``run = ["python", "call_…"]`` names one that makes
the call whose error the case records. docs/gen_errors.py shows each function's body on the
page, so keep them short and plain.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import threading
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

import conserv_rubric as cr
from conserv_rubric.diffs import diff
from conserv_rubric.reports import render_cards
from conserv_rubric.workbook import write_template

# --- inputs ------------------------------------------------------------------------------------


def make_folder() -> None:
    """A folder where a file is expected."""
    Path("rubric.toml").mkdir()


def make_file_too_large() -> None:
    """One byte over the 4 MiB limit."""
    Path("rubric.toml").write_bytes(b"#" * (4 * 1024 * 1024 + 1))


def make_fifo_too_large() -> None:
    """A FIFO (a named pipe), written by another thread while the library reads it."""
    fifo = Path("rubric.toml").resolve()
    os.mkfifo(fifo)
    threading.Thread(target=fill, args=(fifo, 4 * 1024 * 1024 + 1), daemon=True).start()


def fill(fifo: Path, size: int) -> None:
    """Write *size* bytes into *fifo*; stop quietly if the reader closes it first."""
    with contextlib.suppress(BrokenPipeError), fifo.open("wb") as pipe:
        pipe.write(b"#" * size)


def make_nested_too_deeply() -> None:
    """Nesting that exhausts tomllib's recursion."""
    Path("rubric.toml").write_text("basis = " + "[" * 2000 + "]" * 2000 + "\n")


def make_too_many_tables() -> None:
    """10 001 tables beside the top level."""
    Path("rubric.toml").write_text("".join(f"[t{i}]\n" for i in range(10_001)))


def make_huge_integer() -> None:
    """An integer of 5000 digits."""
    Path("rubric.toml").write_text('title = "t"\ntotal = ' + "1" * 5000 + "\n")


def make_huge_json_integer() -> None:
    """The same in a JSON sheet."""
    Path("sheet.json").write_text('{"sheet": {"agency": "a"}, "answers": {"1.1": ' + "1" * 5000 + "}}\n")


def make_json_nested_too_deeply() -> None:
    """Nesting that exhausts json's recursion."""
    Path("sheet.json").write_text('{"answers": ' + "[" * 5000 + "]" * 5000 + "}\n")


def make_long_extends_chain() -> None:
    """c0.toml extends c1.toml, which extends c2.toml … up to c17.toml, a valid rubric."""
    for i in range(17):
        Path(f"c{i}.toml").write_text(f'extends = "c{i + 1}.toml"\n')
    rubric = 'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "flag"\npoints = 1\n'
    Path("c17.toml").write_text(rubric)


def make_too_many_names() -> None:
    """An answer that lists 1001 names."""
    names = ", ".join(f'"n{i}"' for i in range(1001))
    Path("sheet.toml").write_text(f'[sheet]\nagency = "a"\n[answers]\n"1.1" = [{names}]\n')


def make_long_csv_cell() -> None:
    """A quote that is never closed, so that the rest of the file is one cell."""
    rows = "".join(f"a{i},true\n" for i in range(20_000))
    Path("sheet.csv").write_text('agency,1.1\nb,"true\n' + rows)


def make_long_decision_table() -> None:
    """A decision table of 257 rows."""
    rows = ", ".join(["{ when = { x = true }, points = 1 }"] * 257)
    Path("rubric.toml").write_text(
        'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "cases"\n'
        f'conditions = [{{ id = "x" }}]\nrows = [{rows}]\n'
    )


# --- workbooks: the template of the case's rubric.toml, filled in as a script would ----------


def fill_in(values: dict[str, Any], column: str = "答案") -> None:
    """Write the template of rubric.toml to sheet.xlsx, then *values* into *column* (答案 or 地址)
    of the rows whose 地址 they name. The table's rows start at row 6: 1.1 in row 6, 1.2 in row 7."""
    write_template(cr.load_rubric("rubric.toml"), "sheet.xlsx", year=2024)
    book = openpyxl.load_workbook("sheet.xlsx")
    for row in book["自评打分表"].iter_rows(min_row=6, max_col=7):
        address = str(row[5].value)
        if address in values:
            cell = row[5] if column == "地址" else row[6]
            cell.value = values[address]
    book.save("sheet.xlsx")


def make_workbook_bad_answer() -> None:
    """A flag answered 也许 (maybe)."""
    fill_in({"1.1": "也许"})


def make_workbook_formula() -> None:
    """An answer that is a formula."""
    fill_in({"1.2": "=2+2"})


def make_workbook_date() -> None:
    """A count that Excel turned into a date."""
    fill_in({"1.2": datetime.date(2024, 3, 1)})


def make_workbook_error_value() -> None:
    """An error value where the answer should be."""
    fill_in({"1.2": "#DIV/0!"})
    book = openpyxl.load_workbook("sheet.xlsx")
    book["自评打分表"]["G7"].data_type = "e"
    book.save("sheet.xlsx")


def make_workbook_unknown_address() -> None:
    """An address changed to one the rubric lacks, and answered."""
    fill_in({"1.1": "1.9"}, column="地址")
    book = openpyxl.load_workbook("sheet.xlsx")
    book["自评打分表"]["G6"] = "是"
    book.save("sheet.xlsx")


def make_workbook_numeric_address() -> None:
    """An address typed as a number."""
    fill_in({"1.2": 1.2}, column="地址")


def make_workbook_address_twice() -> None:
    """Two rows with the same address."""
    fill_in({"1.2": "1.1"}, column="地址")


def make_workbook_no_address() -> None:
    """An answer in a row whose address was deleted."""
    fill_in({"1.2": 3})
    book = openpyxl.load_workbook("sheet.xlsx")
    book["自评打分表"]["F7"] = None
    book.save("sheet.xlsx")


def make_workbook_code_number() -> None:
    """An 18-digit code typed into a cell of the General format."""
    fill_in({})
    book = openpyxl.load_workbook("sheet.xlsx")
    book["自评打分表"]["G2"] = 111100001234567890
    book.save("sheet.xlsx")


def make_workbook_other_edition() -> None:
    """A template made from another version of rubric.toml."""
    text = Path("rubric.toml").read_text(encoding="utf-8")
    write_template(cr.loads_rubric(text.replace('version = "1"', 'version = "2"')), "sheet.xlsx")


def make_workbook_bad_hash() -> None:
    """The hidden worksheet's hash edited by hand."""
    fill_in({})
    book = openpyxl.load_workbook("sheet.xlsx")
    book["标准信息"]["B3"] = "abc"
    book.save("sheet.xlsx")


def make_workbook_without_table() -> None:
    """A workbook of someone's own layout, without the 地址 and 答案 columns."""
    book = openpyxl.Workbook()
    book.active.append(["序号", "评价标准", "得分"])  # type: ignore[union-attr]
    book.save("sheet.xlsx")


def make_workbook_column_twice() -> None:
    """A second 答案 column added to the header row."""
    fill_in({})
    book = openpyxl.load_workbook("sheet.xlsx")
    book["自评打分表"]["J5"] = "答案"
    book.save("sheet.xlsx")


def make_workbook_label_twice() -> None:
    """A second 单位名称 label above the table."""
    fill_in({})
    book = openpyxl.load_workbook("sheet.xlsx")
    book["自评打分表"]["J3"] = "单位名称"
    book.save("sheet.xlsx")


def make_workbook_xls() -> None:
    """An Excel 97–2003 workbook (the first bytes of one are enough)."""
    Path("sheet.xls").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1"))


def make_workbook_et() -> None:
    """A workbook saved in WPS's own format."""
    Path("sheet.et").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1"))


def make_workbook_too_many_rows() -> None:
    """Something typed far below the table."""
    fill_in({})
    book = openpyxl.load_workbook("sheet.xlsx")
    book["自评打分表"]["A10001"] = "x"
    book.save("sheet.xlsx")


def make_workbook_too_large() -> None:
    """A workbook over 32 MiB (as pictures pasted in could make it)."""
    Path("sheet.xlsx").write_bytes(b"PK" + b"\0" * (32 * 1024 * 1024))


def make_workbook_zip_bomb() -> None:
    """A worksheet that unpacks to 65 MiB."""
    with zipfile.ZipFile("sheet.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (65 * 1024 * 1024))


def make_workbook_no_energy() -> None:
    """A template made without the energy rows."""
    fill_in({})


def make_workbook_energy_blank() -> None:
    """A template with the energy rows, left blank."""
    write_template(cr.load_rubric("rubric.toml"), "sheet.xlsx", energy=True)


# --- calls -------------------------------------------------------------------------------------


def call_loads_rubric() -> None:
    """A rubric given as text."""
    cr.loads_rubric(Path("rubric.toml").read_text(encoding="utf-8"))


def call_score_with_int_address() -> None:
    """Answers keyed by a number."""
    answers: dict[Any, bool] = {1: True}
    cr.score(cr.load_rubric("rubric.toml"), answers)


def call_diff_of_two_rubrics() -> None:
    """Two cards of different rubrics compared."""
    card = cr.score(cr.load_rubric("rubric.toml"), {})
    other = cr.score(cr.load_rubric("other.toml"), {})
    diff(card, other)


def call_csv_of_two_rubrics() -> None:
    """Two cards of different rubrics in one CSV table."""
    cards = [cr.score(cr.load_rubric(name), {}) for name in ("rubric.toml", "other.toml")]
    render_cards(cards, "csv")
