"""Reports are safe whatever a sheet or rubric holds: no formula runs, no ESC sequence reaches a
terminal, no line is forged, no Markdown becomes a link or HTML, and no format falls back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

import conserv_rubric as cr
from conserv_rubric import RubricError, ScoreCard, Sheet, SheetError, SheetInfo, cli, loads_rubric, score
from conserv_rubric._catalogue import render_catalogue
from conserv_rubric._headers import Headers
from conserv_rubric._provenance import rubric_hash
from conserv_rubric._text import csv_cell, markdown, visible
from conserv_rubric.diffs import diff
from conserv_rubric.gaps import gap
from conserv_rubric.reports import render_cards, render_check, render_diff, render_gap

# A level name and an item text as hostile as an agency name can be; the rubric is valid.
RUBRIC = """\
title = "标准\\u001b[2J"
total = 4

[[levels]]
name = "合格"
min = 3

[[units]]
title = "管理<b>"
points = 4

[[units.items]]
kind = "flag"
text = "制定方案\\u001b]0;title\\u0007，得2分。"
points = 2

[[units.items]]
kind = "each"
text = "每项得1分，最高得2分。"
per = 1
max = 2
"""

FORGED = "甲局\n认定：达到“合格”（3分）"
ESCAPED = "甲局\x1b[2J\x9b2J\u202e"


def _card(agency: str, names: list[str] | None = None, stage: str = "self") -> ScoreCard:
    rubric = loads_rubric(RUBRIC)
    answers: dict[str, object] = {"1.1": False, "1.2": names or []}
    info = SheetInfo(agency=agency, year=2024, stage=stage, assessor="@张三")
    return score(rubric, Sheet(info=info, answers=answers, file="s.toml"))


def test_visible_escapes_every_control_character() -> None:
    assert visible("a\x1b[2J\nb\r\t\x00\x7f\x9b\u2028\u202e\u2066c") == (
        "a\\x1b[2J\\nb\\r\\t\\x00\\x7f\\x9b\\u2028\\u202e\\u2066c"
    )
    assert visible("节能 a\\b") == "节能 a\\b"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x.example","点我")', '\'=HYPERLINK("http://x.example","点我")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("  =1+1", "'  =1+1"),
        ("\t=1", "'\\t=1"),
        ("-1.5", "-1.5"),
        ("+2", "+2"),
        ("92", "92"),
        ("XX区财政局", "XX区财政局"),
        ("a=b", "a=b"),
    ],
)
def test_csv_cell_neutralises_formulas_and_keeps_numbers(cell: str, expected: str) -> None:
    assert csv_cell(cell) == expected


def test_markdown_escapes_markup_links_and_html() -> None:
    assert markdown("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert markdown("[点我](javascript:alert(1))") == "\\[点我\\](javascript:alert(1))"
    assert markdown("**a** | b_c & `d` #") == "\\*\\*a\\*\\* \\| b\\_c &amp; \\`d\\` \\#"


def test_text_card_shows_controls_and_cannot_forge_a_line() -> None:
    text = render_cards([_card(FORGED)], "text")
    assert "\x1b" not in text
    assert text.splitlines()[:2] == [
        "标准\\x1b[2J",
        "单位：甲局\\n认定：达到“合格”（3分）　年度：2024　阶段：自评　评估人：@张三",
    ]
    # The only 认定 line is the report's own: 0 of 4 points reach no level.
    assert [line for line in text.splitlines() if line.startswith("认定")] == [
        "认定：未达到“合格”（3分），还差3分"
    ]
    assert text.splitlines()[4] == "1.1   管理<b>                   0/2  不符合，0分"


def test_names_with_control_characters_never_reach_a_report() -> None:
    # A name is refused before anything prints it, so no report can carry the ESC sequence.
    with pytest.raises(SheetError) as excinfo:
        _card("甲局", ["节能\x1b[31m", "节水"])
    assert str(excinfo.value) == (
        "s.toml: answers.\"1.2\": lists a name with a control character (entry 1: '节能\\x1b[31m')"
    )
    assert "\x1b" not in str(excinfo.value)


def test_markdown_card_escapes_html_and_links() -> None:
    card = _card("<script>alert(1)</script>", ["[点我](javascript:alert(1))", "节水"])
    lines = render_cards([card], "markdown").splitlines()
    assert lines[:3] == [
        "## 标准\\\\x1b\\[2J",
        "",
        "单位：&lt;script&gt;alert(1)&lt;/script&gt;　年度：2024　阶段：自评　评估人：@张三",
    ]
    assert (
        "| 1.2 |  |  | 2/2 | 2项（\\[点我\\](javascript:alert(1))、节水） × 1分 = 2分（最高2分） |" in lines
    )
    assert "| 1.1 | 管理&lt;b&gt; |  | 0/2 | 不符合，0分 |" in lines
    assert "|  | **总分** |  | **2/4** |  |" in lines


def test_csv_neutralises_formulas_in_every_text_cell() -> None:
    card = _card('=HYPERLINK("http://x.example","点我")')
    sheet = card.sheet
    assert sheet is not None
    # The code and the file name are text from outside too.
    info = attrs.evolve(sheet.info, code="+1-1")
    hostile = Sheet(info=info, answers=sheet.answers, file="=cmd|' /c calc'!A0")
    card = score(card.rubric, hostile)
    digest = rubric_hash(card.rubric)
    languages: list[tuple[Headers, list[str]]] = [
        ("en", ["agency", "code", "year", "stage", "assessor", "date"]),
        ("zh", ["单位", "统一社会信用代码", "年度", "阶段", "填表人", "日期"]),
    ]
    for headers, head in languages:
        rows = list(csv.reader(io.StringIO(render_cards([card], "csv", headers=headers))))
        assert rows[0][:7] == [*head, "1 管理<b>"]
        assert rows[1] == [
            '\'=HYPERLINK("http://x.example","点我")',
            "'+1-1",
            "2024",
            "self",
            "'@张三",
            "",
            "0",
            "0",
            "4",
            "",
            "false",
            "",
            "'=cmd|' /c calc'!A0",
            "",
            digest,
            cr.__version__,
        ]


def test_csv_escapes_control_characters() -> None:
    rows = list(csv.reader(io.StringIO(render_cards([_card(FORGED)], "csv"))))
    assert rows[1][0] == "甲局\\n认定：达到“合格”（3分）"


def test_json_escapes_c1_and_bidi_controls_and_keeps_the_text() -> None:
    text = render_cards([_card(ESCAPED)], "json")
    assert not any(ch in text for ch in "\x1b\x9b\u202e")
    assert '"agency": "甲局\\u001b[2J\\u009b2J\\u202e"' in text
    assert json.loads(text)["agency"] == ESCAPED


def test_check_text_escapes_the_rubric() -> None:
    rubric = loads_rubric(RUBRIC)
    text = render_check(rubric, [], "text")
    assert "\x1b" not in text
    assert "\x07" not in text
    assert text.splitlines()[0] == "标准\\x1b[2J"
    assert text.splitlines()[4] == "  1.1 制定方案\\x1b]0;title\\x07，得2分。     2     2  ✓"


def test_gap_and_diff_escape_in_text_and_markdown() -> None:
    mine, theirs = _card(FORGED), _card(FORGED, stage="verified")
    for report in (render_gap(gap(mine), "text"), render_diff(diff(mine, theirs), "text")):
        assert report.splitlines()[0].startswith("标准\\x1b[2J — 甲局\\n认定：达到“合格”（3分） ")
        assert "\x1b" not in report
    hostile = _card("<img src=x onerror=alert(1)>")
    md = render_gap(gap(hostile), "markdown")
    assert md.splitlines()[0] == "## 标准\\\\x1b\\[2J — &lt;img src=x onerror=alert(1)&gt; 差距分析"
    assert "| 1 | 0/4 | +4 | 管理&lt;b&gt; |" in md.splitlines()


def _unknown(f: Any) -> Any:
    """*f* typed as any format, to hand the renderers formats they do not know."""
    return f


RENDERERS: list[tuple[Callable[[str], str], str]] = [
    (lambda f: render_cards([_card("甲局")], _unknown(f)), "'text', 'markdown', 'json', 'csv'"),
    (lambda f: render_check(loads_rubric(RUBRIC), [], _unknown(f)), "'text', 'json'"),
    (lambda f: render_gap(gap(_card("甲局")), _unknown(f)), "'text', 'markdown', 'json'"),
    (
        lambda f: render_diff(diff(_card("甲局"), _card("甲局", stage="verified")), _unknown(f)),
        "'text', 'markdown', 'json'",
    ),
    (lambda f: render_catalogue(_unknown(f)), "'text', 'json'"),
]


@pytest.mark.parametrize(("render", "choices"), RENDERERS)
@pytest.mark.parametrize("name", ["pdf", "TEXT", "", "html"])
def test_an_unknown_format_never_falls_back_to_text(
    render: Callable[[str], str], choices: str, name: str
) -> None:
    with pytest.raises(RubricError) as exc:
        render(name)
    assert isinstance(exc.value, ValueError)
    assert str(exc.value) == f"unknown format {name!r}; expected one of {choices}"


def test_an_unknown_format_is_shown_escaped() -> None:
    with pytest.raises(RubricError) as exc:
        render_cards([_card("甲局")], _unknown("\x1b[2J"))
    assert str(exc.value) == "unknown format '\\x1b[2J'; expected one of 'text', 'markdown', 'json', 'csv'"


def test_cli_error_messages_show_control_characters(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "a\x1b[2Jb.toml"
    code = cli.main(["check", str(missing)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"{tmp_path}/a\\x1b[2Jb.toml: cannot read file: No such file or directory\n"
