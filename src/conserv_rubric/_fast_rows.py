"""``score --format csv`` without a sheet or a card per row: a CSV record's output line from its cells.

For one rubric and one CSV header, `FastRows` is made once: which cell is the agency, which
fill the ``[sheet]`` table, which answer a leaf. A record is then read cell by cell through a
memo per column (what the cell grammar makes of a text depends only on the text and the leaf:
yes/no and counts are checked here, by `check_answer`, once per text), its answers scored by the
generated plan (`conserv_rubric._plan_run.Plan.quick`, the function `score` runs for answers given
as they are; `Plan.text` when some leaf's answers stay text) and its line written from the sums,
as `conserv_rubric._csv_report.cards_csv` writes a card's.

It takes only what the full path would accept without a word: a record on one line, with as many
cells as the header, an agency on one line, a stage the rubric has, a year and a date that read,
no ``[energy]`` cell, no other rubric's title, every answer one the plan scores, no gate failed.
For anything else `FastRows.line` returns None and the record is read into a `Sheet` and scored
as before, so its error (or its line) is the full path's, byte for byte.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Final

from ._answers import check_answer
from ._cells import normal, number, starts_like_a_number
from ._compiled import compiled
from ._csv_report import CARD_HEAD
from ._fields import read_date, shortened_code
from ._kinds import Leaf, Num
from ._limits import MAX_LIST
from ._plan_run import plan_of
from ._provenance import provenance_of
from ._sheet import META_COLUMNS
from ._text import csv_cell, fmt, hidden_character
from .model import Rubric

#: Distinct texts remembered per column (and per figure); past it, the rest are read each time.
MAX_MEMO: Final = 8192
#: FastRows kept for the (rubric, header, file) they were made for.
MAX_KEPT: Final = 32

#: The shapes of leaf whose cells are checked here (others go to the plan as trimmed text).
_CHECKED: Final = ("bool", "count", "count_or_names")
#: What `conserv_rubric._cells.split_names` splits names at, after NFKC.
_SPLITS: Final = frozenset(";、,")
_MISS: Final = object()
_Reader = Callable[[list[str]], "dict[str, object] | None"]
#: The text of a cell the full path would refuse or read in another way: the record is not ours.
_DOUBT: Final = object()


def _answer(cell: str) -> str | None:
    """What the full path keeps of an answer cell: the text trimmed, None when blank."""
    text = cell.strip()
    return text if normal(text) else None


def _listed(leaf: Leaf) -> Callable[[str], int | None] | None:
    """For a names leaf whose options are plain (NFKC-stable, trimmed, without a separator, not
    starting like a number): the count of a text that lists distinct options, as the rubric
    writes them, separated by ``;``, or None for any other text. `check_answer` reads such a
    text as the list of those options (no option is split, none is read as a number, none is
    met twice), so its count is the list's length; any other text is left to `check_answer`."""
    options = leaf.options
    plain = options and all(
        o and o == normal(o) and not _SPLITS.intersection(o) and not starts_like_a_number(o) for o in options
    )
    if not plain or len(set(options)) != len(options):
        return None
    known = frozenset(options)

    def listed(text: str) -> int | None:
        parts = text.split(";")
        if len(parts) > MAX_LIST or not known.issuperset(parts) or len(set(parts)) != len(parts):
            return None
        return len(parts)

    return listed


def _checked(leaf: Leaf) -> Callable[[str], object]:
    """For a yes/no, count or names leaf: what the plan is given for a cell (None when blank,
    `_DOUBT` when `check_answer` refuses the trimmed text): the checked answer, a bool or a
    count, which the plan takes inline as it is. A list of names is given as its count: every
    rule reads a counter's answer by its count alone (`conserv_rubric._kinds.count`), and no
    explanation is written here."""
    names = leaf.shape == "count_or_names"
    listed = _listed(leaf) if names else None

    def read(cell: str) -> object:
        text = _answer(cell)
        if text is None:
            return None
        if listed is not None and (n := listed(text)) is not None:
            return n
        value, error = check_answer(leaf, text)
        if error is not None:
            return _DOUBT
        return len(value) if names and isinstance(value, list) else value

    return read


class _Line:
    """The lines `csv.writer` writes, kept for the taking."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.write = self.lines.append


_SINK: Final = _Line()
_WRITER: Final = csv.writer(_SINK, lineterminator="\n")
#: What `csv.writer` quotes a cell for (``QUOTE_MINIMAL``, ``,`` and ``"``, line ends).
_QUOTED: Final = re.compile(r'[,"\r\n]')


def _cell(text: str) -> str:
    """*text* as `conserv_rubric._csv_report.cards_csv` writes it among the other cells of a
    line: through `csv_cell`, then quoted where `csv.writer` would quote it."""
    text = csv_cell(text)
    if _QUOTED.search(text) is None:
        return text
    _WRITER.writerow([text, ""])  # two cells: one empty cell alone would be written as ""
    quoted: str = _SINK.lines.pop()
    return quoted[:-2]


# The [sheet] cells: what the line writes of each (through `_cell`), or _DOUBT.


def _single(cell: str) -> object:
    """A single-line field (code, assessor): the text trimmed, "" when blank."""
    text = cell.strip()
    if not normal(text):
        return ""
    return _DOUBT if hidden_character(text) is not None else _cell(text)


def _code(cell: str) -> object:
    """The code, as `_single` reads it; in doubt where Excel shortened it (9.11E+17), for the full
    path to refuse."""
    return _DOUBT if shortened_code(cell) is not None else _single(cell)


def _year(cell: str) -> object:
    text = cell.strip()
    if not normal(text):
        return ""
    year = number(normal(text))
    return _cell(str(year)) if year.__class__ is int else _DOUBT


def _date(cell: str) -> object:
    text = cell.strip()
    if not normal(text):
        return ""
    day, error = read_date(text)
    return _DOUBT if error is not None or day is None else _cell(day.isoformat())


def _rubric(cell: str, title: str) -> object:
    """The rubric's title, which the sheet may name (and the line does not write)."""
    text = cell.strip()
    return "" if not normal(text) or text == title else _DOUBT


def _stage(cell: str, stages: tuple[str, ...]) -> object:
    """The stage's cell, and whether the stage is the first (the verifier's items withheld)."""
    text = cell.strip()
    stage = text if normal(text) else "self"
    if stage not in stages or hidden_character(stage) is not None:
        return _DOUBT
    return _cell(stage), stage == stages[0]


class _Memo:
    """A cell's text (or a figure) → what *read* makes of it, remembered up to `MAX_MEMO` texts."""

    __slots__ = ("read", "seen")

    def __init__(self, read: Callable[[Any], Any]) -> None:
        self.read = read
        self.seen: dict[object, Any] = {}

    def __call__(self, cell: object) -> Any:
        found = self.seen.get(cell, _MISS)
        if found is _MISS:
            found = self.read(cell)
            if len(self.seen) < MAX_MEMO:
                self.seen[cell] = found
        return found


class FastRows:
    """The CSV lines of one file's records scored against one rubric (`line`).

    Args:
        rubric: the rubric scored against.
        header: the file's columns (`conserv_rubric._sheet.csv_header`).
        file: the file's name, as its rows' ``file`` column writes it.
    """

    def __init__(self, rubric: Rubric, header: Sequence[str], file: str) -> None:
        c = compiled(rubric)
        plan = plan_of(c) or plan_of(c)  # written at the second use, which this is
        assert plan is not None
        self.rubric = rubric
        self.width = len(header)
        self.agency = header.index("agency")
        stages = c.rubric.stages
        self.first_stage = stages[0]
        #: The plan scores nothing a record could give it: every record goes the full path.
        self.off = False
        answers: list[tuple[int, str, Callable[[str], object]]] = []
        self.blank: list[int] = []  # [energy] and unnamed cells: the record is ours only when blank
        #: The [sheet] cells other than the agency and the stage: where each goes in the line.
        self.meta: list[tuple[int, _Memo, int]] = []
        self.stage: tuple[int, _Memo] | None = None
        for i, column in enumerate(header):
            if column == "agency":
                continue
            if column == "stage":
                self.stage = (i, _Memo(lambda cell: _stage(cell, stages)))
            elif column == "rubric":
                self.meta.append((i, _Memo(lambda cell: _rubric(cell, c.rubric.title)), -1))
            elif column in META_COLUMNS:
                read: Callable[[str], object] = (
                    _year
                    if column == "year"
                    else _date
                    if column == "date"
                    else _code
                    if column == "code"
                    else _single
                )
                self.meta.append((i, _Memo(read), CARD_HEAD.index(column)))
            elif not column or column.startswith("energy."):  # a value under no name is refused
                self.blank.append(i)
            else:
                leaf = c.leaves.get(column)
                read = _checked(leaf) if leaf is not None and leaf.shape in _CHECKED else _answer
                answers.append((i, column, read))
        # Checked answers (bools, counts) go to the plan's function for answers as given, which
        # takes them inline; text (for any other kind of leaf) to the one that looks text up first.
        checked = all(read is not _answer for _, _, read in answers)
        self.score = plan.quick if checked else plan.text
        self.reads = [read for _, _, read in answers]
        self.seen: list[dict[str, object]] = [{} for _ in answers]
        self.answers = self._reader(answers)
        if self.stage is None and "self" not in stages:
            self.off = True  # the default stage is not the rubric's: every sheet is refused
        units = len(c.unit_nodes)
        #: Points → their cell, per unit (the points a unit takes are few).
        self.unit_cells: list[dict[Num, str]] = [{} for _ in range(units)]
        self.total_cell = _Memo(_points)
        self.max = _cell(fmt(c.rubric.total))
        self.partial = bool(c.partial)
        self.levels = bool(c.rubric.levels)
        p = provenance_of(rubric)
        self.file = _cell(file)
        self.stamp = f"{_cell(p.hash)},{_cell(p.library)}\n"

    def _reader(self, columns: list[tuple[int, str, Callable[[str], object]]]) -> _Reader:
        """The function that reads a record's answer cells into the plan's answers, written out
        column by column as the plan is (None when a cell is refused)."""
        lines = ["def read(c):", "    a = {}"]
        names: dict[str, Any] = {"MISS": _MISS, "DOUBT": _DOUBT, "R": self._read}
        for k, (i, column, _) in enumerate(columns):
            names[f"M{k}"] = self.seen[k].get
            lines += [
                f"    v = M{k}(c[{i}], MISS)",
                "    if v is MISS:",
                f"        v = R({k}, c[{i}])",
                "        if v is DOUBT:",
                "            return None",
                "    if v is not None:",
                f"        a[{column!r}] = v",
            ]
        lines.append("    return a")
        code = compile("\n".join(lines) + "\n", "<conserv_rubric CSV row reader>", "exec")
        exec(code, names)  # our own source: the header's names are written as literals (repr)
        read: _Reader = names["read"]
        return read

    def _read(self, k: int, cell: str) -> object:
        """Answer column *k*'s value for *cell*, not met before: read, and remembered while
        there is room (a refusal is not: the record goes the full path, which says why)."""
        value = self.reads[k](cell)
        seen = self.seen[k]
        if value is not _DOUBT and len(seen) < MAX_MEMO:
            seen[cell] = value
        return value

    def line(self, first: int, last: int, cells: list[str]) -> tuple[str, int] | None:
        """The output line of the record on lines *first* to *last* and its status (0 reached the
        level, 1 did not), or None when the full path must read it."""
        if first != last or len(cells) != self.width or self.off:
            return None  # a cell with a line break, too few or too many cells
        for i in self.blank:
            if normal(cells[i].strip()):
                return None
        agency = cells[self.agency].strip()
        if not normal(agency) or hidden_character(agency) is not None:
            return None
        head = [_cell(agency), "", "", "self", "", ""]
        withhold = self.first_stage == "self"
        if self.stage is not None:
            stage = self.stage[1](cells[self.stage[0]])
            if stage is _DOUBT:
                return None
            head[3], withhold = stage
        for i, memo, at in self.meta:
            value = memo(cells[i])
            if value is _DOUBT:
                return None
            if at >= 0:
                head[at] = value
        answers = self.answers(cells)
        if answers is None:
            return None
        found = self.score(answers, withhold)
        if found is None:
            return None
        units, total, level, failed, _ = found
        if failed:
            return None  # each failed gate's reason is the card's to write
        passed = not self.partial and (level is not None if self.levels else True)
        try:
            points = list(map(dict.__getitem__, self.unit_cells, units))
        except KeyError:
            points = [_remember(seen, p) for seen, p in zip(self.unit_cells, units, strict=True)]
        row = [
            *head,
            *points,
            self.total_cell(total),
            self.max,
            "" if level is None else _cell(level),
            "true" if passed else "false",
            "",  # no gate failed
            self.file,
            str(first),
            self.stamp,
        ]
        return ",".join(row), 0 if passed else 1


def _remember(seen: dict[Num, str], points: Num) -> str:
    found = seen.get(points)
    if found is None:
        found = _points(points)
        if len(seen) < MAX_MEMO:
            seen[points] = found
    return found


def _points(value: Num) -> str:
    return _cell(fmt(Decimal(value)))


_KEPT: dict[tuple[int, tuple[str, ...], str], FastRows] = {}
_LAST: list[Any] = [None, None, None, None]  # rubric, header, file, FastRows: the last asked for


def rows_for(rubric: Rubric, header: list[str], file: str) -> FastRows:
    """The `FastRows` of *rubric* for a file *file* with columns *header*, made once."""
    last = _LAST
    if last[0] is rubric and last[1] is header and last[2] == file:
        found: FastRows = last[3]
        return found
    key = (id(rubric), tuple(header), file)
    kept = _KEPT.get(key)
    if kept is None or kept.rubric is not rubric:
        if len(_KEPT) >= MAX_KEPT:
            _KEPT.clear()
        kept = _KEPT[key] = FastRows(rubric, header, file)
    last[:] = [rubric, header, file, kept]
    return kept
