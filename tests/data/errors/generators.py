"""Inputs of the error catalogue that cannot be committed as files, and calls of the Python API.

A case's ``make = "make_…"`` names a function here that writes its inputs into the current
folder (an empty one) before the case runs; ``run = ["python", "call_…"]`` names one that makes
the call whose error the case records. docs/gen_errors.py shows each function's body on the
page, so keep them short and plain.
"""

from __future__ import annotations

import datetime
import os
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

import conserv_rubric as cr
from conserv_rubric._fmt import format_file
from conserv_rubric.batch import score_many
from conserv_rubric.diffs import diff
from conserv_rubric.gaps import gap
from conserv_rubric.reports import render_cards
from conserv_rubric.workbook import write_template

# --- inputs ------------------------------------------------------------------------------------


def make_folder() -> None:
    """A folder where a file is expected."""
    Path("rubric.toml").mkdir()


def make_file_too_large() -> None:
    """One byte over the 4 MiB limit."""
    Path("rubric.toml").write_bytes(b"#" * (4 * 1024 * 1024 + 1))


def make_fifo() -> None:
    """A FIFO (a named pipe) that nothing writes to: opening it to read would wait for ever."""
    os.mkfifo("rubric.toml")


def make_device() -> None:
    """A rubric that is a symbolic link to /dev/zero, which never ends."""
    Path("rubric.toml").symlink_to("/dev/zero")


def make_fifo_base() -> None:
    """A rubric whose base is a FIFO."""
    Path("rubric.toml").write_text('extends = "base.toml"\n')
    os.mkfifo("base.toml")


def make_symlink_outside() -> None:
    """A base that is a symbolic link in the rubric's folder to a file outside it."""
    Path("rubric.toml").write_text('extends = "base.toml"\n')
    Path("base.toml").symlink_to("/etc/passwd")


def make_symlink_loop() -> None:
    """A base that is a symbolic link to itself."""
    Path("rubric.toml").write_text('extends = "base.toml"\n')
    Path("base.toml").symlink_to("base.toml")


def make_beside_the_folder() -> None:
    """A rubric in rubrics/ whose base sits beside that folder: allowed only with a wider root."""
    Path("rubrics").mkdir()
    Path("rubrics/rubric.toml").write_text('extends = "../base.toml"\n')
    Path("base.toml").write_text("total = 1\n")


def make_many_problems() -> None:
    """A list of 1000 numbers where strings belong: one problem each."""
    numbers = ", ".join(str(i) for i in range(1000))
    Path("rubric.toml").write_text(f'title = "t"\ntotal = 1\nbasis = [{numbers}]\n')


def make_long_key() -> None:
    """An unknown key of 5000 characters in a rubric that is otherwise valid."""
    rubric = 'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "flag"\npoints = 1\n'
    Path("rubric.toml").write_text("k" * 5000 + " = 1\n" + rubric)


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


def make_symlinked_rubric() -> None:
    """A link to the rubric beside it."""
    Path("link.toml").symlink_to("rubric.toml")


def make_nul_character() -> None:
    """A CSV file with a NUL character in a cell."""
    Path("sheet.csv").write_bytes(b"agency,1.1\na\x00,true\n")


def make_workbook_named_csv() -> None:
    """The first bytes of an .xlsx workbook (a ZIP archive), in a file named .csv."""
    Path("sheet.csv").write_bytes(b"PK\x03\x04" + bytes(26))


def make_old_workbook_named_csv() -> None:
    """The first bytes of an .xls workbook (an OLE compound file), in a file named .csv."""
    Path("sheet.csv").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(24))


def make_csv_gbk_row_later() -> None:
    """A UTF-8 CSV sheet file whose third line was saved as GBK."""
    head = "agency,2.1.1\n甲局,true\n".encode()
    Path("sheet.csv").write_bytes(head + "乙局,true\n".encode("gbk") + "丙局,false\n".encode())


def make_csv_row_too_long() -> None:
    """A CSV sheet file whose second row is longer than `MAX_CSV_ROW_BYTES`."""
    long_cell = "x" * (1024 * 1024)
    Path("sheet.csv").write_text(
        f"agency,assessor,2.1.1\n甲局,,true\n乙局,{long_cell},true\n丙局,,false\n", encoding="utf-8"
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


def make_workbook_encrypted() -> None:
    """What Excel saves with a password: an OLE compound file whose stream EncryptedPackage holds the zip."""
    ole = bytes.fromhex("D0CF11E0A1B11AE1")
    Path("sheet.xlsx").write_bytes(ole + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(200))


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


def call_score_with_a_huge_count() -> None:
    """A count of 5001 digits, more than Python turns into text."""
    cr.score(cr.load_rubric("rubric.toml"), {"1.1": 10**5000})


def call_score_with_a_decimal_count() -> None:
    """A count held as a Decimal, as a program reading figures from a database may hold it."""
    cr.score(cr.load_rubric("rubric.toml"), {"1.1": Decimal("2")})


def call_load_rubric_with_root() -> None:
    """A rubric in rubrics/ that extends a file beside that folder, with the root set there."""
    cr.load_rubric("rubrics/rubric.toml", root="rubrics")


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


def call_fmt_without_tomlkit() -> None:
    """fmt --write where tomlkit is not installed."""
    saved = sys.modules.get("tomlkit")
    sys.modules["tomlkit"] = None  # type: ignore[assignment]  # as if it were not installed
    try:
        format_file(Path("rubric.toml"), mode="write")
    finally:
        if saved is None:
            del sys.modules["tomlkit"]
        else:
            sys.modules["tomlkit"] = saved


def call_render_pdf() -> None:
    """A report in a format there is none of."""
    card = cr.score(cr.load_rubric("rubric.toml"), {})
    render_cards([card], "pdf")  # type: ignore[arg-type]  # an unknown format on purpose


def call_loads_sheet_yaml() -> None:
    """A format loads_sheet does not read."""
    cr.loads_sheet("agency: a\n", format="yaml")  # type: ignore[arg-type]  # the mistake shown


def call_loads_sheet_two_rows() -> None:
    """CSV text of two rows given to loads_sheet."""
    cr.loads_sheet("agency,1.1\na,true\nb,false\n", format="csv")


def call_score_with_a_path() -> None:
    """A sheet's path where the sheet is expected."""
    cr.score(cr.load_rubric("rubric.toml"), Path("sheet.toml"))  # type: ignore[arg-type]  # the mistake shown


def call_score_with_a_list() -> None:
    """Answers as a list of pairs."""
    cr.score(cr.load_rubric("rubric.toml"), [("1.1", True)])  # type: ignore[arg-type]  # the mistake shown


def call_score_with_a_rubric_path() -> None:
    """A rubric's path where the rubric is expected."""
    cr.score("rubric.toml", {})  # type: ignore[arg-type]  # the mistake shown


def call_load_rubric_with_a_number() -> None:
    """A number where the rubric's path is expected."""
    cr.load_rubric(3)  # type: ignore[arg-type]  # the mistake shown


def call_loads_rubric_with_bytes() -> None:
    """A rubric's bytes, as read from a database, where its text is expected."""
    cr.loads_rubric(Path("rubric.toml").read_bytes())  # type: ignore[arg-type]  # the mistake shown


def call_validate_with_a_path() -> None:
    """A rubric's path given to validate()."""
    cr.validate("rubric.toml")  # type: ignore[arg-type]  # the mistake shown


def call_gap_with_a_sheet() -> None:
    """A sheet where its score card is expected."""
    gap(cr.loads_sheet('[sheet]\nagency = "a"\n'))  # type: ignore[arg-type]  # the mistake shown


def call_render_one_card() -> None:
    """One score card where a list of them is expected."""
    card = cr.score(cr.load_rubric("rubric.toml"), {})
    render_cards(card, "text")  # type: ignore[arg-type]  # the mistake shown


def call_score_many_with_a_sheet() -> None:
    """One sheet's answers where an iterable of sheets is expected."""
    score_many(cr.load_rubric("rubric.toml"), {"1.1": True})  # type: ignore[dict-item]  # the mistake shown
