"""Safe HTML by construction, and the shell every page shares: CSP, system CJK fonts, A4 print CSS.

`Html` marks text that is already markup. `el` escapes every plain string it is given (children
and attribute values, quotes included), so input text (an agency's name, a reason, a file name)
can only ever appear as text. A page fetches nothing: the Content-Security-Policy forbids every
load, and the one inline style sheet is allowed by its hash, not by ``'unsafe-inline'``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable
from typing import Final

from . import __version__
from ._text import visible


class Html(str):
    """A string of markup that is safe to insert as it is."""

    __slots__ = ()


Child = Html | str | int | None | Iterable["Child"]

#: C0 and C1 control characters (tab and newline aside) are shown as escapes, never passed on raw.


#: The two control characters HTML reads as white space, kept as they are.
_WHITE: Final = re.compile(r"([\n\t])")


def esc(text: str) -> Html:
    """*text* as HTML text: ``& < > " '`` escaped, control and bidirectional characters shown as
    escapes (``\\x1b``, ``\\u202e``), as `visible` shows them."""
    # The same escapes as every other report: C0 and C1 controls, the line separators and the
    # bidirectional controls that would display the text in another order than it reads.
    # A line break or a tab in a rubric's text is only white space to HTML, so those two stay.
    shown = "".join(part if part in "\n\t" else visible(part) for part in _WHITE.split(text))
    return Html(html.escape(shown, quote=True))


def _children(child: Child) -> Iterable[Html]:
    if child is None:
        return
    if isinstance(child, Html):
        yield child
    elif isinstance(child, str):
        yield esc(child)
    elif isinstance(child, int):
        yield Html(str(child))
    else:
        for c in child:
            yield from _children(c)


def _attributes(attributes: dict[str, str | int | bool | None]) -> str:
    out = []
    for key, value in attributes.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        out.append(f" {name}" if value is True else f' {name}="{esc(str(value))}"')
    return "".join(out)


def el(tag: str, *children: Child, **attributes: str | int | bool | None) -> Html:
    """The element *tag* with escaped *children* and *attributes*.

    An attribute ``class_`` is written ``class``, ``data_x`` is ``data-x``; ``True`` writes the
    bare name, ``None`` and ``False`` leave the attribute out.
    """
    body = "".join(_children(children))
    return Html(f"<{tag}{_attributes(attributes)}>{body}</{tag}>")


def el_void(tag: str, **attributes: str | int | bool | None) -> Html:
    """A void element (``meta``, ``br``) with escaped *attributes*."""
    return Html(f"<{tag}{_attributes(attributes)}>")


def join(parts: Iterable[Child]) -> Html:
    """The escaped concatenation of *parts*."""
    return Html("".join(_children(parts)))


#: The system's CJK fonts, from the Windows, macOS and Linux desktops an office has; none is fetched.
FONTS: Final = (
    '"Microsoft YaHei", "微软雅黑", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", "SimHei", sans-serif'
)

CSS: Final = f"""
:root {{ color-scheme: light; --ink: #1b1f1d; --muted: #5b635f; --rule: #b8c2bd; --head: #e8efeb;
  --good: #2c6e4f; --track: #e2e8e5; --bad: #b03a2e; --mark: #a66300; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: #fff; color: var(--ink); font-family: {FONTS};
  font-size: 14px; line-height: 1.55; }}
.page {{ max-width: 64rem; margin: 0 auto; padding: 1.5rem 1.5rem 2rem; }}
.page + .page {{ border-top: 3px double var(--rule); }}
h1 {{ font-size: 1.45rem; margin: 0 0 .3rem; }}
h2 {{ font-size: 1.12rem; margin: 1.6rem 0 .5rem; padding-bottom: .15rem;
  border-bottom: 2px solid var(--good); }}
h3 {{ font-size: 1rem; margin: 1rem 0 .4rem; }}
p {{ margin: .3rem 0; }}
.meta {{ color: var(--muted); margin: 0; }}
.meta span + span::before {{ content: "　"; }}
.figures {{ display: flex; flex-wrap: wrap; gap: .6rem; margin: .9rem 0; padding: 0; list-style: none; }}
.figures li {{ border: 1px solid var(--rule); border-radius: 4px; padding: .35rem .8rem; min-width: 7rem; }}
.figures .label {{ display: block; color: var(--muted); font-size: .82rem; }}
.figures .value {{ font-size: 1.35rem; font-weight: bold; }}
.figures .value small {{ font-size: .8rem; font-weight: normal; color: var(--muted); }}
.verdict {{ font-weight: bold; }}
.good {{ color: var(--good); }}
.bad {{ color: var(--bad); }}
.alert {{ border-left: 4px solid var(--bad); background: #fbf0ee; padding: .4rem .9rem; margin: .6rem 0; }}
.alert ul, .plain {{ margin: .2rem 0; padding-left: 1.3rem; }}
table {{ border-collapse: collapse; width: 100%; margin: .4rem 0 .9rem; font-size: .9rem; }}
caption {{ caption-side: top; text-align: left; color: var(--muted); font-size: .85rem; padding: .1rem 0; }}
th, td {{ border: 1px solid var(--rule); padding: .22rem .4rem; text-align: left; vertical-align: top; }}
thead th {{ background: var(--head); }}
.num {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }}
.addr {{ white-space: nowrap; }}
tr.unit th, tr.unit td {{ background: #d9e6df; }}
tr.project th, tr.project td {{ background: #f1f5f3; font-weight: normal; }}
tr.total th, tr.total td {{ background: var(--head); font-weight: bold; }}
tr.lost td.num.points {{ color: var(--bad); font-weight: bold; }}
td .note {{ display: block; color: var(--muted); font-size: .8rem; }}
.chart {{ display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem;
  align-items: start; margin: .4rem 0; }}
.chart table {{ margin-top: 0; }}
svg {{ display: block; width: 100%; height: auto; }}
svg text {{ font-family: {FONTS}; font-size: 13px; fill: var(--ink); }}
svg .small {{ font-size: 11px; fill: var(--muted); }}
svg .track {{ fill: var(--track); }}
svg .fill {{ fill: var(--good); }}
svg .fill.low {{ fill: var(--bad); }}
svg .seg1 {{ fill: var(--good); }}
svg .seg2 {{ fill: #5f9c7e; }}
svg .seg3 {{ fill: #98c2ad; }}
svg .seg-below {{ fill: #e0a89f; }}
svg .seg-none {{ fill: #d5d9d7; }}
svg .goal {{ stroke: var(--mark); stroke-width: 2; stroke-dasharray: 5 3; }}
svg .goal-text {{ fill: var(--mark); font-size: 11px; }}
svg .axis {{ stroke: var(--muted); stroke-width: 1; }}
.legend {{ display: flex; flex-wrap: wrap; gap: .3rem 1rem; margin: .2rem 0 0; padding: 0; list-style: none;
  font-size: .85rem; }}
.legend .key {{ display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem;
  vertical-align: -.05rem; border: 1px solid var(--rule); }}
.key.seg1 {{ background: var(--good); }}
.key.seg2 {{ background: #5f9c7e; }}
.key.seg3 {{ background: #98c2ad; }}
.key.seg-below {{ background: #e0a89f; }}
.key.seg-none {{ background: #d5d9d7; }}
footer {{ margin-top: 2rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--rule);
  padding-top: .4rem; }}
@media (max-width: 44rem) {{ .chart {{ grid-template-columns: 1fr; }} }}
@page {{ size: A4; margin: 14mm 12mm 14mm; }}
@media print {{
  body {{ font-size: 10pt; }}
  .page {{ max-width: none; padding: 0; }}
  .page + .page {{ border-top: none; break-before: page; }}
  thead {{ display: table-header-group; }}
  /* The total closes the table once; repeated at the foot of every sheet it would read as a subtotal. */
  tfoot {{ display: table-row-group; }}
  tr, .chart, .figures, .alert, svg {{ break-inside: avoid; }}
  h2, h3, caption {{ break-after: avoid; }}
  * {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
"""

#: The style sheet's hash, the only style the policy allows.
_STYLE_HASH: Final = base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode("ascii")

#: Nothing may be fetched, run, framed or submitted; only the page's own style sheet applies.
CSP: Final = f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'"


def document(title: str, pages: Iterable[Html]) -> str:
    """A whole self-contained HTML document titled *title*, holding *pages* (``.page`` sections)."""
    head = join(
        [
            Html('<meta charset="utf-8">'),
            el_void("meta", http_equiv="Content-Security-Policy", content=CSP),
            el_void("meta", name="viewport", content="width=device-width, initial-scale=1"),
            el_void("meta", name="generator", content=f"conserv_rubric {__version__}"),
            el("title", title),
            Html(f"<style>{CSS}</style>"),
        ]
    )
    body = "\n".join(pages)
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{head}\n</head>\n<body>\n{body}\n</body>\n</html>\n'
    )


def figure(label: str, value: Child, *, key: str | None = None) -> Html:
    """One headline figure: a small label above a large value."""
    return el("li", el("span", label, class_="label"), el("span", value, class_="value"), data_key=key)


def data(value: str, shown: str | None = None, *, class_: str | None = None) -> Html:
    """*shown* (default: *value*) in a ``<data>`` element whose ``value`` is the exact figure."""
    return el("data", shown if shown is not None else value, value=value, class_=class_)


def table(
    head: Iterable[Child],
    rows: Iterable[Html],
    *,
    caption: str | None = None,
    numeric: frozenset[int] = frozenset(),
    class_: str | None = None,
    foot: Iterable[Html] = (),
) -> Html:
    """A table with a header row (repeated on every printed page) and *rows* already built."""
    cells = [el("th", c, scope="col", class_="num" if k in numeric else None) for k, c in enumerate(head)]
    foot = list(foot)
    return el(
        "table",
        el("caption", caption) if caption else None,
        el("thead", el("tr", cells)),
        el("tbody", list(rows)),
        el("tfoot", foot) if foot else None,
        class_=class_,
    )


def row(cells: Iterable[Child], *, numeric: frozenset[int] = frozenset(), **attributes: str | None) -> Html:
    """A body row of plain cells; the columns in *numeric* are right-aligned."""
    return el(
        "tr", [el("td", c, class_="num" if k in numeric else None) for k, c in enumerate(cells)], **attributes
    )
