"""Reports people look at: self-contained HTML pages for an agency and for the district (DESIGN §12).

Each function returns one whole HTML document that reads without a network or a script: the
charts are inline SVG drawn here, the style sheet is inline, the fonts are the system's own CJK
fonts, and a Content-Security-Policy forbids fetching anything. Printed, a page is laid out for A4:
each agency starts a new sheet of paper, a table's header row is repeated on every sheet and no
row is split across two. Every text that comes from a rubric, a sheet, a roster or a plan is
escaped, so an agency named ``<script>`` is shown as those characters. Figures are exact, written
as in the other reports (``2.5``, never ``2.50``), and each chart has a table beside it and a
title on every bar that say the same figures in words::

    from pathlib import Path

    import conserv_rubric as cr
    from conserv_rubric.pages import render_cards_html

    rubric = cr.load_rubric("rubrics/district.toml")
    card = cr.score(rubric, cr.load_sheet("examples/district/pass.toml"))
    Path("scorecard.html").write_text(render_cards_html([card]), encoding="utf-8")
"""

from __future__ import annotations

from collections.abc import Iterable

from ._html_card import agency_names, card_page, gap_page
from ._html_doc import document
from ._html_rollup import dashboard, title
from ._rollup_model import Rollup
from ._score import ScoreCard
from ._whatif import Comparison
from .reports import _listed

__all__ = ["render_cards_html", "render_gap_html", "render_rollup_html"]


def render_cards_html(cards: Iterable[ScoreCard]) -> str:
    """Score cards as one HTML document with a page per agency.

    Each page holds the agency's total and level, its units as bars against their maxima, the
    failed gates, the standard's table with every item's points and reason (and the evidence
    cited), and what is still open with the fewest items that reach the next level
    (`conserv_rubric.gaps.gap`).

    Args:
        cards: the cards, in the order their pages appear.

    Returns:
        The document, ending in a newline.
    """
    cards = _cards_argument(cards)
    hashes: dict[int, str] = {}
    name = agency_names(cards) if cards else "—"
    heading = cards[0].rubric.title if cards else "评分表"
    return document(f"{heading} — {name}", [card_page(c, hashes) for c in cards])


def render_gap_html(card: ScoreCard) -> str:
    """An agency's gap analysis (找差距补短板) as an HTML document.

    The page shows where the agency stands, the fewest items that reach the next level (with
    the units a level asks more of), the failed gates, its units as bars against their maxima,
    and every item that has not earned its full points with what it would add to the total.

    Args:
        card: the agency's score card; its gap is computed with `conserv_rubric.gaps.gap`.

    Returns:
        The document, ending in a newline.
    """
    return document(f"{card.rubric.title} — {agency_names([card])} 差距分析", [gap_page(card)])


def render_rollup_html(r: Rollup, comparison: Comparison | None = None) -> str:
    """The district's dashboard: a roll-up as one HTML document.

    The page shows the counts, the share of agencies at each level against each goal of the
    plan (with the agencies still needed), the distribution of totals, unit averages, the items
    most often missed, the agencies below the level with their gap, the missing and late
    sheets, every agency's result, item averages, and the inputs that failed, did not match the
    roster or were skipped.

    Args:
        r: the roll-up (`conserv_rubric.rollup.rollup`).
        comparison: the what-if under another edition, if any (`conserv_rubric.rollup.compare`).

    Returns:
        The document, ending in a newline.
    """
    return document(title(r), [dashboard(r, comparison)])


def __dir__() -> list[str]:
    return list(__all__)


def _cards_argument(cards: object) -> list[ScoreCard]:
    """*cards* as a list of cards; anything else refused, not skipped."""
    takes = "render_cards_html() takes a list of ScoreCards"
    return _listed(cards, takes, (ScoreCard,), "render_cards_html([card])")
