"""The HTML pages in a real browser: headless Chromium opens them, reads their figures, prints them.

Every page must load with no console error (a CSP violation is one) and request nothing but its
own file:// URL. The expected figures are the hand-worked ones of the shipped examples: the
comments at the top of examples/district/*.toml, and docs/district-year.md for the district.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from browser import Visit, page_sizes, printed_parts, printed_rows, visit

from conserv_rubric import load_rubric, load_sheet, loads_sheet, score
from conserv_rubric.pages import render_cards_html, render_gap_html, render_rollup_html
from conserv_rubric.rollup import rollup

pytestmark = pytest.mark.needs_browser

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = load_rubric(ROOT / "rubrics" / "district.toml")
EXAMPLES = ROOT / "examples" / "district"
YEAR = ROOT / "examples" / "district-year"
#: A4 in PostScript points (210 mm × 297 mm); Chromium rounds the page to whole CSS pixels.
A4 = (210 / 25.4 * 72, 297 / 25.4 * 72)


def _open(browser: Any, tmp_path: Path, name: str, html: str) -> Visit:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    seen = visit(browser, path)
    assert seen.errors == []
    assert seen.requests == [path.resolve().as_uri()]
    return seen


def _units(section: Any) -> list[tuple[str, str, str]]:
    rows = section.locator("table.units tbody tr")
    return [
        (
            rows.nth(k).get_attribute("data-address"),
            rows.nth(k).locator("data.points").get_attribute("value"),
            rows.nth(k).locator("data.max").get_attribute("value"),
        )
        for k in range(rows.count())
    ]


def test_scorecards_show_total_and_unit_subtotals(browser: Any, tmp_path: Path) -> None:
    cards = [score(DISTRICT, load_sheet(EXAMPLES / f"{n}.toml")) for n in ("pass", "fail")]
    seen = _open(browser, tmp_path, "cards.html", render_cards_html(cards))
    pages = seen.page.locator("section.page")
    assert pages.count() == 2
    first, second = pages.nth(0), pages.nth(1)
    assert first.get_attribute("data-agency") == "XX区发展和改革局"
    # examples/district/pass.toml: 6 + 25 + 22 + 22 + 17 = 92; fail.toml: 6 + 13 + 17 + 16 + 12 = 64.
    assert first.locator(".figures data.total").inner_text() == "92"
    assert _units(first) == [
        ("1", "6", "9"),
        ("2", "25", "27"),
        ("3", "22", "25"),
        ("4", "22", "22"),
        ("5", "17", "17"),
    ]
    assert second.locator(".figures data.total").inner_text() == "64"
    assert _units(second) == [
        ("1", "6", "9"),
        ("2", "13", "27"),
        ("3", "17", "25"),
        ("4", "16", "22"),
        ("5", "12", "17"),
    ]
    assert first.locator(".verdict").inner_text() == "达到“节约型机关”（80分）"
    # Every item of the standard is a row: 1 + 9 + 11 + 11 + 5 = 37 numbered lines in its five units.
    assert first.locator("table.items tr.item").count() == 37
    item = first.locator('table.items tr[data-address="2.2.2"]')
    assert (
        item.locator("td")
        .nth(4)
        .inner_text()
        .startswith("4项（能源资源消费统计、节能、节水、公务用车管理） × 1分 = 4分（最高5分）")
    )
    # The bars' titles say the figures in words.
    titles = first.locator("svg g.bar title").all_text_contents()
    assert titles[1] == "2 完善制度体系：25分（分值27分）"


def test_gap_page_shows_the_fewest_items(browser: Any, tmp_path: Path) -> None:
    card = score(DISTRICT, load_sheet(EXAMPLES / "fail.toml"))
    seen = _open(browser, tmp_path, "gap.html", render_gap_html(card))
    page = seen.page
    assert page.locator(".figures data.total").inner_text() == "64"
    assert _units(page.locator("section.page")) == [
        ("1", "6", "9"),
        ("2", "13", "27"),
        ("3", "17", "25"),
        ("4", "16", "22"),
        ("5", "12", "17"),
    ]
    steps = page.locator("table.plan tbody tr")
    adds = [steps.nth(k).locator("td").nth(3).inner_text() for k in range(steps.count())]
    totals = [steps.nth(k).locator("td").nth(4).inner_text() for k in range(steps.count())]
    # 64 needs 16 more for 80: five 3-point items give 79, one more item crosses the line.
    assert adds == ["+3", "+3", "+3", "+3", "+3", "+2"]
    assert totals == ["67", "70", "73", "76", "79", "81"]
    assert page.locator(".headline").inner_text() == "距“节约型机关”（80分）还差 16 分；最少完成以下 6 项："


def _dashboard() -> str:
    r = rollup(DISTRICT, [YEAR / "sheets"], plan=ROOT / "plans" / "district.toml", roster=YEAR / "roster.csv")
    return render_rollup_html(r)


def test_dashboard_shows_the_share_against_each_goal(browser: Any, tmp_path: Path) -> None:
    seen = _open(browser, tmp_path, "dashboard.html", _dashboard())
    page = seen.page
    # docs/district-year.md: 42 agencies count, 26 reached 80, 26 / 42 = 0.6190… rounded down.
    assert page.locator(".figures data.agencies").inner_text() == "42"
    assert page.locator(".figures data.reached").inner_text() == "26"
    assert page.locator(".figures data.share").get_attribute("value") == "0.619"
    assert page.locator(".figures data.share").inner_text() == "61.90%"
    rows = page.locator("table.goals tbody tr")
    got = [
        (
            rows.nth(k).locator("data.goal").inner_text(),
            rows.nth(k).locator("data.needed").inner_text(),
            rows.nth(k).locator("data.share").inner_text(),
            rows.nth(k).locator("data.short-by").inner_text(),
        )
        for k in range(rows.count())
    ]
    expected = []
    for share in ("0.25", "0.50", "0.70"):
        needed = math.ceil(Decimal(share) * 42)  # 10.5 → 11, 21, 29.4 → 30
        state = "已完成" if needed <= 26 else f"还差{needed - 26}家"
        expected.append((f"{int(Decimal(share) * 100)}%", str(needed), "61.90%", state))
    assert got == expected
    assert expected[2][3] == "还差4家"
    # The goal marks across the share bar, each with its words.
    assert page.locator(".goal-chart svg line.goal").count() == 3
    assert page.locator("table.missing tbody tr").count() == 5


def test_dashboard_prints_on_a4_without_splitting_a_row(browser: Any, tmp_path: Path) -> None:
    seen = _open(browser, tmp_path, "dashboard.html", _dashboard())
    pdf = tmp_path / "dashboard.pdf"
    # The page size comes from the page's own @page rule (Chromium's default would be Letter).
    seen.page.pdf(path=str(pdf), prefer_css_page_size=True, tagged=True)
    sizes = page_sizes(pdf)
    assert len(sizes) > 2
    assert all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in sizes)
    rows = printed_rows(pdf)
    assert len(rows) > 150
    split = [r for r in rows if r.index > 0 and len(r.pages) != 1]
    assert split == []
    # The header row is drawn again on every page its table's rows reach.
    for t in {r.table for r in rows}:
        head, *body = [r for r in rows if r.table == t]
        assert head.cells == {"/TH"}
        assert head.pages == frozenset().union(*(r.pages for r in body))
    assert any(len(r.pages) > 1 for r in rows if r.index == 0)
    # What keeps rows whole is the print style sheet: every row avoids a break inside it.
    seen.page.emulate_media(media="print")
    breaks = seen.page.eval_on_selector_all("tr", "rows => rows.map(r => getComputedStyle(r).breakInside)")
    assert set(breaks) == {"avoid"}
    heads = seen.page.eval_on_selector_all("thead", "hs => hs.map(h => getComputedStyle(h).display)")
    assert set(heads) == {"table-header-group"}


def test_each_agency_starts_a_new_printed_page(browser: Any, tmp_path: Path) -> None:
    cards = [score(DISTRICT, load_sheet(EXAMPLES / f"{n}.toml")) for n in ("pass", "fail", "at-80")]
    seen = _open(browser, tmp_path, "cards.html", render_cards_html(cards))
    pdf = tmp_path / "cards.pdf"
    seen.page.pdf(path=str(pdf), prefer_css_page_size=True, tagged=True)
    parts = printed_parts(pdf)
    assert len(parts) == 3
    # Each agency's pages follow the one before, and no page holds two agencies.
    for before, after in itertools.pairwise(parts):
        assert min(after) == max(before) + 1
    assert sorted(p for part in parts for p in part) == list(range(len(page_sizes(pdf))))


_TALL = """<!DOCTYPE html><meta charset="utf-8"><style>@page {{ size: A4; margin: 15mm }}
tr {{ break-inside: {how} }}</style>
<table><thead><tr><th>序号</th><th>内容</th></tr></thead><tbody>{rows}</tbody></table>"""


@pytest.mark.parametrize(("how", "splits"), [("auto", True), ("avoid", False)])
def test_the_row_check_sees_a_split_row(browser: Any, tmp_path: Path, how: str, splits: bool) -> None:
    # The check above can fail: rows of up to 30 lines, allowed to break, do split across pages.
    body = "".join(f"<tr><td>{k}</td><td>{'<br>'.join(['行'] * (k % 7 * 5))}</td></tr>" for k in range(40))
    path = tmp_path / f"tall-{how}.html"
    path.write_text(_TALL.format(how=how, rows=body), encoding="utf-8")
    seen = visit(browser, path)
    pdf = tmp_path / f"tall-{how}.pdf"
    seen.page.pdf(path=str(pdf), prefer_css_page_size=True, tagged=True)
    split = [r for r in printed_rows(pdf) if r.index > 0 and len(r.pages) != 1]
    assert bool(split) is splits


def test_a_blocked_load_is_seen_as_a_request(browser: Any, tmp_path: Path) -> None:
    # The request count can fail: an image slipped into a page is requested, and the CSP refuses it.
    card = score(DISTRICT, load_sheet(EXAMPLES / "pass.toml"))
    html = render_cards_html([card]).replace("<body>", '<body><img src="http://192.0.2.1/x.png" alt="">')
    path = tmp_path / "leak.html"
    path.write_text(html, encoding="utf-8")
    seen = visit(browser, path)
    assert seen.requests == [path.resolve().as_uri(), "http://192.0.2.1/x.png"]
    assert any("Content Security Policy" in e for e in seen.errors)


HOSTILE = """<script>alert("x")</script>" onmouseover='alert(1)' &amp; <b>局</b>"""


def test_hostile_agency_name_renders_as_text(browser: Any, tmp_path: Path) -> None:
    sheet = loads_sheet("[sheet]\nagency = '''" + HOSTILE + "'''\nyear = 2024\n[answers]\n\"2.1.1\" = true\n")
    card = score(DISTRICT, sheet)
    for name, html in (
        ("card.html", render_cards_html([card])),
        ("gap.html", render_gap_html(card)),
        ("rollup.html", render_rollup_html(rollup(DISTRICT, [sheet]))),
    ):
        seen = _open(browser, tmp_path, name, html)
        page = seen.page
        assert page.locator("script").count() == 0
        assert page.locator("b").count() == 0
        assert seen.dialogs == []
        page.locator("text=onmouseover").first.hover()
        assert seen.dialogs == []
        if name == "rollup.html":
            assert page.locator("table.agencies tbody td").nth(1).inner_text() == HOSTILE
        else:
            assert HOSTILE in page.title()
            assert page.locator(".meta .agency").inner_text() == f"单位：{HOSTILE}"
            assert page.locator("section.page").get_attribute("data-agency") == HOSTILE
