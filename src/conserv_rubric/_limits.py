"""Input limits: how large, deep, long or precise anything read may be (docs/errors.md lists them)."""

from __future__ import annotations

from typing import Final

#: How problems with the document's top-level table are located.
TOP: Final = "top level"
#: Numbers from this size on, or with more decimal places, are refused (points, counts, answers).
MAX_DIGITS: Final = 12
MAX_NUMBER: Final = 10**MAX_DIGITS
MAX_DECIMALS: Final = 10
#: Larger rubric and sheet files are refused before parsing (a real standard is a few dozen kilobytes).
MAX_FILE_BYTES: Final = 4 * 1024 * 1024
#: Deeper nesting of tables and arrays is refused.
MAX_DEPTH: Final = 32
#: Documents with more tables (units, projects, items, parts …) are refused.
MAX_TABLES: Final = 10_000
#: Longer `extends` chains are refused.
MAX_EXTENDS: Final = 16
#: More entries in one answer list are refused.
MAX_LIST: Final = 1000
#: At most this many problems of each severity are kept; the rest are counted ("… and N more").
MAX_PROBLEMS: Final = 100
#: Longer messages (and paths, labels, figures) are clipped in the middle, so a 1 MB key or value
#: quoted in a message cannot make the report itself the attack.
MAX_MESSAGE: Final = 1000
#: Larger workbooks are refused before they are opened (a filled 自评打分表 takes tens of kilobytes;
#: the room above that is for pictures pasted in as 佐证材料).
MAX_WORKBOOK_BYTES: Final = 32 * 1024 * 1024
#: Workbooks whose XML parts unpack to more are refused before they are parsed (a zip bomb).
MAX_WORKBOOK_XML_BYTES: Final = 64 * 1024 * 1024
#: Worksheets with more rows are refused (a 自评打分表 has a row per item and leaf).
MAX_WORKSHEET_ROWS: Final = 10_000
#: A CSV sheet file is read a row at a time, whatever its size (a province's sheets in one file);
#: a longer row (a record, with the lines a quoted cell spans) is refused, that row alone.
MAX_CSV_ROW_BYTES: Final = 1024 * 1024
#: A CSV header with more columns is refused (a rubric's leaves and the [sheet] columns).
MAX_CSV_COLUMNS: Final = 20_000
