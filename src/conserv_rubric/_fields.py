"""Typed fields of small hand-read tables (the plan, the roster): strings, whole numbers, dates, shares.

The rubric and the sheet go through cattrs; these documents are small and carry dates, which the
converter has no hook for, so their tables are read field by field here. Every problem is
collected with its location, in the same words the converter uses.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from ._text import describe, out_of_range, suggest
from .errors import Problem

_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: How Excel shows, and saves as CSV, a number too long for its cell: 9.11E+17 (a sign and two
#: digits), or 9.11e+17 as other programs write it, in ASCII or full-width digits; in RE2's
#: syntax too, for the DuckDB engine to send such a code to the Python reader.
SHORTENED_CODE: Final = r"[0-9０-９]([.．][0-9０-９]+)?[EeＥｅ][+\-＋－][0-9０-９]{2,}"
_SCIENTIFIC: Final = re.compile(SHORTENED_CODE)


def shortened_code(code: str) -> str | None:
    """Why *code* is not the code that was typed, or None.

    An 18-digit 统一社会信用代码 typed into a cell of General format is a number to Excel: it keeps
    15 digits and shows, and writes to CSV, ``9.11E+17``. Read as a code, it matches no roster row.
    """
    if _SCIENTIFIC.fullmatch(code.strip()) is None:
        return None
    return (
        f'the code "{code.strip()}" is a number as Excel shows it in scientific notation, its last digits '
        "lost; set the column's format to 文本 (Text), type the code again and save the file"
    )


def read_date(value: object) -> tuple[datetime.date | None, str | None]:
    """A date from a TOML date or ``YYYY-MM-DD`` text (JSON and CSV have no date type), or why not."""
    if isinstance(value, datetime.datetime):
        return None, f"expected a date such as 2024-10-28, got a date and time ({value.isoformat()})"
    if isinstance(value, datetime.date):
        return value, None
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip()), None
        except ValueError:
            return None, f'"{value.strip()}" is not a calendar date'
    return None, f"expected a date such as 2024-10-28, got {describe(value)}"


def join_path(path: str, key: str) -> str:
    """``path.key``, or *key* at the top level."""
    return f"{path}.{key}" if path else key


class Fields:
    """Reads the fields of one table, appending a located `Problem` for each mistake.

    Args:
        table: the table as parsed.
        path: its TOML path (``""`` for the top level, ``goals[1]`` …).
        known: the keys it may hold; any other is reported with the nearest known key.
        problems: where problems are collected.
        file: the file, for the problems.
        line: the table's line, when known.
    """

    def __init__(
        self,
        table: Mapping[str, Any],
        path: str,
        known: Sequence[str],
        problems: list[Problem],
        file: str | None,
        line: int | None = None,
    ) -> None:
        self.data = table
        self.path = path
        self.problems = problems
        self.file = file
        self.line = line
        for key in table:
            if key not in known:
                self.fail(key, f"unknown key '{key}'{suggest(key, list(known))}")

    def fail(self, key: str | None, message: str) -> None:
        """Record a problem at *key* (or at the table itself)."""
        where = join_path(self.path, key) if key is not None else self.path or "top level"
        self.problems.append(Problem(file=self.file, line=self.line, path=where, message=message))

    def _get(self, key: str, required: bool) -> object:
        if key not in self.data:
            if required:
                self.fail(None, f"missing required key '{key}'")
            return None
        return self.data[key]

    def text(self, key: str, *, required: bool = False) -> str | None:
        """A non-blank string, stripped."""
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(key, f"expected a string, got {describe(value)}")
            return None
        if not value.strip():
            self.fail(key, "is empty; give a name or leave the key out")
            return None
        return value.strip()

    def whole(self, key: str, *, required: bool = False) -> int | None:
        """A whole number."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected a whole number, got {describe(value)}")
            return None
        return value

    def date(self, key: str, *, required: bool = False) -> datetime.date | None:
        """A TOML date, or ``YYYY-MM-DD`` text."""
        value = self._get(key, required)
        if value is None:
            return None
        day, error = read_date(value)
        if error is not None:
            self.fail(key, error)
        return day

    def share(self, key: str, *, required: bool = False, decimals: int = 4) -> Decimal | None:
        """A share of agencies: more than 0, at most 1, with at most *decimals* decimal places."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.fail(key, f"expected a share such as 0.25, got {describe(value)}")
            return None
        share = Decimal(value)
        problem = out_of_range(share)
        if problem is not None:
            self.fail(key, problem)
            return None
        exponent = share.as_tuple().exponent
        assert isinstance(exponent, int)  # finite: out_of_range refused the rest
        if not 0 < share <= 1 or exponent < -decimals:
            self.fail(
                key,
                f"expected a share more than 0 and at most 1 with at most {decimals} decimal places "
                f"(0.25 for 25%), got {describe(value)}",
            )
            return None
        return share

    def choice(self, key: str, choices: Sequence[str], default: str) -> str:
        """One of *choices*, or *default* when the key is absent."""
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, str) or value not in choices:
            names = ", ".join(f'"{c}"' for c in choices)
            hint = suggest(value, list(choices)) if isinstance(value, str) else ""
            self.fail(key, f"expected one of {names}, got {describe(value)}{hint}")
            return default
        return value

    def tables(self, key: str) -> list[tuple[int, Mapping[str, Any]]]:
        """The tables of an array of tables, with their index; anything else is a problem."""
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, f"expected an array of tables, got {describe(value)}")
            return []
        out: list[tuple[int, Mapping[str, Any]]] = []
        for i, entry in enumerate(value):
            if isinstance(entry, dict):
                out.append((i, entry))
            else:
                self.fail(f"{key}[{i}]", f"expected a table, got {describe(entry)}")
        return out

    def table(self, key: str, *, required: bool = False) -> Mapping[str, Any] | None:
        """A sub-table."""
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(key, f"expected a table, got {describe(value)}")
            return None
        return value


def table_lines(text: str, name: str) -> list[int]:
    """The line of each ``[[name]]`` header in TOML *text*, in order (to locate its tables)."""
    header = re.compile(rf"\s*\[\[\s*{re.escape(name)}\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), 1) if header.match(line)]
