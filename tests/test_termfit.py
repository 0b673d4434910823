"""Text reports fit the terminal they are written to; piped output stays as the docs show it."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import unicodedata
from pathlib import Path

import pytest

import conserv_rubric as cr
from conserv_rubric import cli
from conserv_rubric._termfit import MIN_ROOM, fit_grid, fit_lines, fitted, fitting, grid
from conserv_rubric._text import grid as plain

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
PASS = ROOT / "examples" / "district" / "pass.toml"


def columns_of(line: str) -> int:
    """Display columns counted independently: wide and full-width take 2, ambiguous 1, marks 0."""
    return sum(
        0
        if unicodedata.category(ch) in {"Mn", "Me"}
        else 2
        if unicodedata.east_asian_width(ch) in "WF"
        else 1
        for ch in line
    )


ROWS = [
    ["序号", "得分/分值", "说明"],
    ["2.2.2", "4/5", "4项（能源资源消费统计、节能、节水、公务用车管理） × 1分 = 4分（最高5分）"],
    ["2.2.3", "3/3", "符合，得3分"],
]


def test_the_last_column_wraps_under_itself() -> None:
    lines = fit_grid(ROWS, frozenset({1}), 40)
    # 序号 is 5 columns wide, 得分/分值 9, two spaces after each: the 说明 column starts at 18 and
    # has 22 columns. "4项（能源资源消费统计" takes 21 and its 、 may not start a line, so the
    # cell is wrapped to 20, where nothing overhangs.
    assert lines == [
        "序号   得分/分值  说明",
        "2.2.2        4/5  4项（能源资源消费统",
        "                  计、节能、节水、公务",
        "                  用车管理） × 1分 = 4",
        "                  分（最高5分）",
        "2.2.3        3/3  符合，得3分",
    ]
    assert max(columns_of(line) for line in lines) <= 40


def test_a_table_that_fits_is_left_alone() -> None:
    assert fit_grid(ROWS, frozenset({1}), 200) == plain(ROWS, frozenset({1}))
    # A right-aligned last column holds numbers: never wrapped.
    assert fit_grid([["内容", "分"], ["很长的内容" * 10, "3"]], frozenset({1}), 30) == plain(
        [["内容", "分"], ["很长的内容" * 10, "3"]], frozenset({1})
    )
    # Too little room beside the other columns: wrapping would help nobody.
    wide = [["甲" * 30, "说明"], ["乙" * 30, "一二三四五六七八九十" * 3]]
    assert fit_grid(wide, frozenset(), 60 + 2 + MIN_ROOM - 1) == plain(wide)


def test_lines_hang_under_their_label() -> None:
    text = (
        "得分但缺少佐证材料：2.1.2、2.1.3、2.1.4、2.2.1、2.2.3、2.2.4、2.2.5、3.1.1\n"
        "认定：达到“节约型机关”（80分）"
    )
    assert fit_lines(text, 44).split("\n") == [
        "得分但缺少佐证材料：2.1.2、2.1.3、2.1.4、",
        "                    2.2.1、2.2.3、2.2.4、",
        "                    2.2.5、3.1.1",
        "认定：达到“节约型机关”（80分）",
    ]


def test_outside_fitting_nothing_changes() -> None:
    long = "说明" * 100
    assert fitted(long) == long
    with fitting(30):
        assert max(columns_of(line) for line in fitted(long).split("\n")) <= 30
        assert grid(ROWS, frozenset({1})) == fit_grid(ROWS, frozenset({1}), 30)
    assert fitted(long) == long


def test_ambiguous_characters_count_one_column() -> None:
    # “ ” × — are East Asian ambiguous: one column, in the padding and the wrapping alike.
    rows = [["甲", "说明"], ["“×”", "——" * 20]]
    lines = fit_grid(rows, frozenset(), 24)
    assert lines[1].startswith("“×”  ")
    assert all(columns_of(line) <= 24 for line in lines)


def test_piped_output_is_not_fitted(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["score", str(DISTRICT), str(PASS)]) == 0
    out = capsys.readouterr().out
    # docs/cli.md shows the 2.2.2 row whole, however wide.
    assert (
        "2.2.2                                                4/5  "
        "4项（能源资源消费统计、节能、节水、公务用车管理） × 1分 = 4分（最高5分）\n" in out
    )


def _in_terminal(columns: int, *args: str, environ: dict[str, str] | None = None) -> str:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    env.update(environ or {})
    with subprocess.Popen(
        [sys.executable, "-m", "conserv_rubric", *args], stdout=follower, stderr=subprocess.DEVNULL, env=env
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closes when the program ends
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait()
    os.close(leader)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [80, 120])
def test_a_terminal_gets_its_width(capsys: pytest.CaptureFixture[str], columns: int) -> None:
    shown = _in_terminal(columns, "score", str(DISTRICT), str(PASS))
    assert max(columns_of(line) for line in shown.split("\n")) <= columns
    cli.main(["score", str(DISTRICT), str(PASS)])
    piped = capsys.readouterr().out
    # the widest line is the author's note on 1.1.1 (条目说明), unwrapped when piped
    assert max(columns_of(line) for line in piped.split("\n")) == 261
    # Only line breaks and spaces were added: the same report, folded.
    assert "".join(shown.split()) == "".join(piped.split())


def test_columns_in_the_environment_win(capsys: pytest.CaptureFixture[str]) -> None:
    shown = _in_terminal(200, "score", str(DISTRICT), str(PASS), environ={"COLUMNS": "90"})
    assert max(columns_of(line) for line in shown.split("\n")) <= 90


def test_a_terminal_too_narrow_for_the_table_leaves_it_whole() -> None:
    # The columns before 说明 take 58 of 72, leaving less than MIN_ROOM: the rows stay whole,
    # and only the label lines wrap.
    shown = _in_terminal(72, "score", str(DISTRICT), str(PASS)).split("\n")
    assert "2.1.1  完善制度体系      管理机构                    1/1  符合，得1分" in shown
    *_, lists, footer = "\n".join(shown).split("\n\n")
    # 得分但缺少佐证材料 wraps under its text; so does the author's note after it.
    assert "                    5.1.2、5.1.3、5.2.1、5.2.2" in lists.split("\n")
    assert "".join(lists.split()).endswith("指标计算方法见标准说明五。")
    assert max(columns_of(line) for line in lists.split("\n")) <= 72
    # The provenance line wraps as a label line too, its continuation under its text.
    assert footer.split("\n")[0].startswith("评价标准：XX区节约型机关评价标准（2024），sha256:")
    assert footer.split("\n")[1] == "          conserv_rubric " + cr.__version__
