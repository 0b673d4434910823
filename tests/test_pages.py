"""The HTML pages as documents: nothing fetched or run, input text escaped, figures exact, the CLI.

These read the markup with the standard library's parser; tests/test_pages_browser.py opens the
same pages in Chromium.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conserv_rubric import cli, load_rubric, load_sheet, loads_rubric, loads_sheet, score
from conserv_rubric._html_doc import esc
from conserv_rubric.pages import render_cards_html, render_gap_html, render_rollup_html
from conserv_rubric.rollup import compare, rollup

ROOT = Path(__file__).resolve().parent.parent
DISTRICT_FILE = ROOT / "rubrics" / "district.toml"
DISTRICT = load_rubric(DISTRICT_FILE)
EXAMPLES = ROOT / "examples" / "district"
YEAR = ROOT / "examples" / "district-year"
HOSTILE = """<script>alert("x")</script>" onmouseover='alert(1)' &amp; <b>局</b>"""


class Parsed(HTMLParser):
    """Every element with its attributes, the style sheet, and the text inside each ``<tr>``."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self.rows: list[tuple[dict[str, str | None], list[str]]] = []
        self._open: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._open.append(tag)
        if tag == "tr":
            self.rows.append((dict(attrs), []))
        elif tag in {"td", "th"} and self.rows:
            self.rows[-1][1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] == "style":
            self.style += data
        elif "tr" in self._open and self.rows and self.rows[-1][1]:
            cells = self.rows[-1][1]
            cells[-1] += data

    def rows_of(self, cls: str) -> list[list[str]]:
        return [cells for attrs, cells in self.rows if cls in (attrs.get("class") or "").split()]


def _pages() -> dict[str, str]:
    cards = [score(DISTRICT, load_sheet(EXAMPLES / f"{n}.toml")) for n in ("pass", "fail")]
    r = rollup(DISTRICT, [YEAR / "sheets"], plan=ROOT / "plans" / "district.toml", roster=YEAR / "roster.csv")
    return {
        "cards": render_cards_html(cards),
        "gap": render_gap_html(cards[1]),
        "rollup": render_rollup_html(r),
    }


PAGES = _pages()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_fetches_and_runs_nothing(name: str) -> None:
    doc = Parsed(PAGES[name])
    tags = {tag for tag, _ in doc.elements}
    assert tags.isdisjoint({"script", "link", "img", "iframe", "object", "embed", "base", "form", "audio"})
    for tag, attrs in doc.elements:
        for attr in attrs:
            assert attr not in {"src", "href", "srcset", "style", "action", "background"}, (tag, attr)
            assert not attr.startswith("on"), (tag, attr)
    # The one inline style sheet is allowed by its hash; nothing else may load or apply.
    digest = base64.b64encode(hashlib.sha256(doc.style.encode("utf-8")).digest()).decode("ascii")
    policies = [
        a["content"]
        for t, a in doc.elements
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policies == [
        f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    ]
    assert doc.elements[:2] == [("html", {"lang": "zh-CN"}), ("head", {})]
    assert doc.elements[2] == ("meta", {"charset": "utf-8"})
    assert doc.elements[3][1].get("http-equiv") == "Content-Security-Policy"


def test_the_fonts_are_the_systems_cjk_fonts() -> None:
    doc = Parsed(PAGES["cards"])
    family = doc.style.split("font-family: ", 1)[1].split(";", 1)[0]
    names = [f.strip().strip('"') for f in family.split(",")]
    assert names[0] == "Microsoft YaHei"
    assert {"PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei"} <= set(names)
    assert names[-1] == "sans-serif"
    assert "@font-face" not in doc.style
    assert "@import" not in doc.style


def test_escaping_covers_quotes_and_control_characters() -> None:
    assert esc("""<a href="x">'&""") == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;"
    assert esc("甲\x1b[2J乙\x00\x9b") == "甲\\x1b[2J乙\\x00\\x9b"
    assert esc("第一行\n\t第二行") == "第一行\n\t第二行"
    assert esc("红\u202e局\u2066") == "红\\u202e局\\u2066"  # shown, never reordering the text


def test_input_text_is_escaped_everywhere() -> None:
    sheet = loads_sheet("[sheet]\nagency = '''" + HOSTILE + "'''\nyear = 2024\n[answers]\n\"2.1.1\" = true\n")
    card = score(DISTRICT, sheet)
    for text in (
        render_cards_html([card]),
        render_gap_html(card),
        render_rollup_html(rollup(DISTRICT, [sheet])),
    ):
        assert HOSTILE not in text
        assert "<script" not in text
        assert html.escape(HOSTILE, quote=True) in text
        doc = Parsed(text)
        assert "b" not in {tag for tag, _ in doc.elements}
        assert all(not a.startswith("on") for _, attrs in doc.elements for a in attrs)


EXACT = """\
title = "小数标准"
total = 5

[[levels]]
name = "合格"
min = 2.5

[[units]]
title = "节能"
points = 5

[[units.items]]
kind = "flag"
text = "制定节能方案，得2.5分。"
points = 2.5

[[units.items]]
kind = "each"
text = "每项制度得0.5分，最高得2.5分。"
per = 0.5
max = 2.5
points = 2.5
"""


def test_figures_are_exact() -> None:
    card = score(
        loads_rubric(EXACT), loads_sheet('[sheet]\nagency = "甲局"\n[answers]\n"1.1" = true\n"1.2" = 3\n')
    )
    doc = Parsed(render_cards_html([card]))
    values = [a["value"] for t, a in doc.elements if t == "data" and a.get("class") == "total"]
    # 2.5 + 3 × 0.5 = 4; never 4.0.
    assert values == ["4"]
    assert doc.rows_of("item") == [
        ["1.1", "制定节能方案，得2.5分。", "2.5", "2.5", "符合，得2.5分"],
        ["1.2", "每项制度得0.5分，最高得2.5分。", "2.5", "1.5", "3项 × 0.5分 = 1.5分（最高2.5分）"],
    ]


def test_several_cards_make_one_document_with_a_page_each() -> None:
    cards = [score(DISTRICT, load_sheet(EXAMPLES / f"{n}.toml")) for n in ("pass", "fail", "at-80")]
    doc = Parsed(render_cards_html(cards))
    pages = [a.get("data-agency") for t, a in doc.elements if t == "section"]
    assert pages == ["XX区发展和改革局", "XX区农业农村局", "XX区财政局"]
    assert [t for t, _ in doc.elements].count("html") == 1


def test_the_distribution_of_totals_counts_each_band() -> None:
    # pass 92, at-80 80, fail 64 (their files' headers): bands [90, 100], [80, 90), [60, 70).
    r = rollup(DISTRICT, [EXAMPLES / f"{n}.toml" for n in ("pass", "at-80", "fail")])
    doc = Parsed(render_rollup_html(r))
    bands = doc.rows_of("bin")
    assert [b[0] for b in bands[:2]] == ["0 ≤ 总分 < 10", "10 ≤ 总分 < 20"]
    assert bands[-1][0] == "90 ≤ 总分 ≤ 100"
    assert [int(b[1]) for b in bands] == [0, 0, 0, 0, 0, 0, 1, 0, 1, 1]


def test_a_dashboard_without_plan_roster_or_sheets() -> None:
    doc = Parsed(render_rollup_html(rollup(DISTRICT, [])))
    values = {a.get("class"): a.get("value") for t, a in doc.elements if t == "data"}
    assert values["agencies"] == "0"
    assert values["share"] == "—"
    assert doc.rows_of("bin") == []
    assert doc.rows_of("goal") == []


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_cli_writes_html_to_stdout_or_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "gap", DISTRICT_FILE, EXAMPLES / "fail.toml", "--format", "html")
    assert (code, err) == (1, "")
    assert out.startswith("<!DOCTYPE html>\n")
    assert out.endswith("</html>\n")
    target = tmp_path / "cards.html"
    code, out, err = run(
        capsys, "score", DISTRICT_FILE, EXAMPLES / "pass.toml", "--format", "html", "-o", target
    )
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == render_cards_html(
        [score(DISTRICT, load_sheet(EXAMPLES / "pass.toml"))]
    )
    target = tmp_path / "rollup.html"
    args: list[str | Path] = [
        "--plan",
        ROOT / "plans" / "district.toml",
        "--roster",
        YEAR / "roster.csv",
        "--format",
        "html",
    ]
    code, out, _ = run(capsys, "rollup", DISTRICT_FILE, YEAR / "sheets", *args, "-o", target)
    assert (code, out) == (2, "")  # the example's broken and unmatched sheets
    assert 'class="page dashboard"' in target.read_text(encoding="utf-8")


def test_cli_csv_to_a_file_starts_with_a_bom(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "cards.csv"
    code, out, _ = run(
        capsys, "score", DISTRICT_FILE, EXAMPLES / "pass.toml", "--format", "csv", "-o", target
    )
    assert (code, out) == (0, "")
    assert target.read_bytes().startswith(b"\xef\xbb\xbfagency,code,year,stage,assessor,date,")


def test_cli_an_unwritable_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "gap.html"
    code, out, err = run(
        capsys, "gap", DISTRICT_FILE, EXAMPLES / "fail.toml", "--format", "html", "-o", target
    )
    assert (code, out) == (2, "")
    assert err == f"{target}: cannot write file: No such file or directory\n"


def test_the_docs_show_each_page() -> None:
    text = (ROOT / "docs" / "pages.md").read_text(encoding="utf-8")
    shots = re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", text)
    assert sorted(shots) == ["images/dashboard.png", "images/gap.png", "images/scorecard.png"]
    script = (ROOT / "docs" / "screenshots.py").read_text(encoding="utf-8")
    for shot in shots:
        image = (ROOT / "docs" / shot).read_bytes()
        assert image.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(image) < 300_000
        assert f'"{Path(shot).name}"' in script  # made by docs/screenshots.py


def test_the_dashboard_shows_the_what_if() -> None:
    base = rollup(
        DISTRICT, [YEAR / "sheets"], plan=ROOT / "plans" / "district.toml", roster=YEAR / "roster.csv"
    )
    other = load_rubric(YEAR / "editions" / "district-85.toml")
    doc = Parsed(render_rollup_html(base, compare(base, other)))
    rows = [
        cells for attrs, cells in doc.rows if not attrs and len(cells) == 4 and cells[2].endswith("未达到")
    ]
    # docs/district-year.md: the 15 agencies that count with a final total of 80 to 84 lose the level.
    assert len(rows) == 15
    assert all(r[1].endswith("分 节约型机关") for r in rows)


def test_a_failed_gate_is_shown_first() -> None:
    rubric = load_rubric(ROOT / "rubrics" / "leed-v41-bdc.toml")
    card = score(rubric, load_sheet(ROOT / "examples" / "leed-v41-bdc" / "prereq-failed.toml"))
    for text in (render_cards_html([card]), render_gap_html(card)):
        doc = Parsed(text)
        alerts = [a for t, a in doc.elements if t == "div" and a.get("role") == "alert"]
        assert alerts == [{"class": "alert gates", "role": "alert"}]
        assert "7.2：条目 7.2 未满足（必须完成项，未完成不予认定）" in text


def test_tiers_gates_on_figures_and_verifier_items_are_shown() -> None:
    card = score(
        load_rubric(Path(__file__).parent / "data" / "authored-mechanisms.toml"),
        loads_sheet('[sheet]\nagency = "甲局"\n[answers]\n"1.1" = "基本符合 2"\n"1.3" = 50\n'),
    )
    doc = Parsed(render_cards_html([card]))
    assert doc.rows_of("item") == [
        ["1.1", "制度符合程度", "4", "2", "基本符合（1~3分）：评定2分说明：按核查意见评定"],
        ["1.2", "由省教育厅依据参加情况评分", "3", "0", "仅由核查方评分，自评不计分"],
        ["1.3", "满意率", "3", "0", "50%：x < 85 → 0分"],
    ]
    # The gate on the figure fails below 60 % with the standard's own consequence.
    page = html.unescape(re.sub(r"<[^>]+>", "", render_cards_html([card])))
    assert "1.3：条目 1.3 数值为50%，须不低于60%（不能被表彰）" in page
