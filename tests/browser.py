"""Driving headless Chromium for the page tests and the docs' screenshots, and reading its PDFs.

`launch` starts Debian's Chromium through Playwright with a fresh profile and nothing that
talks to the network on its own (no background networking, component updates, sync or QUIC),
so that every request a page makes is the page's own. `visit` opens a page and records its
console messages and every request, CSP-blocked ones included.

`printed_rows` reads a tagged PDF (``page.pdf(tagged=True)``) back: its structure tree names
every table row (``/TR``) and, below it, the marked content drawn for it with the page it was
drawn on. A row whose content lies on two pages was split by a page break; a header row drawn on
several pages is the repeated ``<thead>``. This reads the layout Chromium actually printed,
rather than guessing page boundaries from the screen layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import attrs
from components import CHROMIUM

#: Chromium's switches: no sandbox (CI runs as root), no GPU, and no traffic of its own.
ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def launch(playwright: Any, profile: Path, **options: Any) -> Any:
    """A headless Chromium context with the fresh user-data-dir *profile*."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=list(ARGS), **options
    )


@attrs.define
class Visit:
    """An open page and what it did: console messages (type, text), requested URLs, dialogs."""

    page: Any
    console: list[tuple[str, str]] = attrs.Factory(list)
    requests: list[str] = attrs.Factory(list)
    dialogs: list[str] = attrs.Factory(list)

    @property
    def errors(self) -> list[str]:
        """The console's errors and warnings (a CSP violation is reported as an error)."""
        return [text for kind, text in self.console if kind in {"error", "warning"}]


def visit(context: Any, path: Path) -> Visit:
    """Open *path* (a file:// URL) in a new page of *context*, recording what the page does."""
    page = context.new_page()
    seen = Visit(page)
    page.on("console", lambda m: seen.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: seen.console.append(("error", str(e))))
    page.on("request", lambda r: seen.requests.append(r.url))

    def dialog(d: Any) -> None:
        seen.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(path.resolve().as_uri(), wait_until="load")
    return seen


@attrs.frozen
class PrintedRow:
    """A table row of a tagged PDF: its table's index, its position there, its cells' kinds and pages."""

    table: int
    index: int
    cells: frozenset[str]
    pages: frozenset[int]


def _pages_of(node: Any, page: int | None, pages: dict[int, int]) -> Iterator[int]:
    from pypdf.generic import IndirectObject  # noqa: PLC0415 - only where the ci group is installed

    if isinstance(node, IndirectObject):
        node = node.get_object()
    if isinstance(node, int):  # a marked-content id on the page inherited from above
        if page is not None:
            yield page
    elif isinstance(node, list):
        for kid in node:
            yield from _pages_of(kid, page, pages)
    elif isinstance(node, dict):
        reference: Any = node.get("/Pg")  # get, not [], keeps the reference unresolved
        if reference is not None:
            page = pages[reference.idnum]
        if node.get("/Type") == "/MCR" and page is not None:
            yield page
        elif "/K" in node:
            yield from _pages_of(node["/K"], page, pages)


def _kids(node: Any) -> list[Any]:
    kids = node.get("/K")
    kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
    return [k.get_object() for k in kids]


def printed_rows(pdf: Path) -> list[PrintedRow]:
    """Every table row of the tagged PDF *pdf*, with the pages its content was printed on."""
    from pypdf import PdfReader  # noqa: PLC0415 - only where the ci group is installed

    reader: Any = PdfReader(pdf)
    pages = {p.indirect_reference.idnum: k for k, p in enumerate(reader.pages)}
    tables: list[Any] = []

    def find(node: Any) -> None:
        for kid in _kids(node) if isinstance(node, dict) else []:
            if isinstance(kid, dict):
                if kid.get("/S") == "/Table":
                    tables.append(kid)
                else:
                    find(kid)

    find(reader.trailer["/Root"]["/StructTreeRoot"].get_object())
    rows = []
    for t, table in enumerate(tables):
        trs = [k for k in _kids(table) if isinstance(k, dict) and k.get("/S") == "/TR"]
        for k, tr in enumerate(trs):
            cells = frozenset(str(c.get("/S")) for c in _kids(tr) if isinstance(c, dict))
            rows.append(PrintedRow(t, k, cells, frozenset(_pages_of(tr, None, pages))))
    return rows


def printed_parts(pdf: Path) -> list[frozenset[int]]:
    """The pages each child of the document's body (each ``.page`` section) was printed on."""
    from pypdf import PdfReader  # noqa: PLC0415 - only where the ci group is installed

    reader: Any = PdfReader(pdf)
    pages = {p.indirect_reference.idnum: k for k, p in enumerate(reader.pages)}
    (document,) = _kids(reader.trailer["/Root"]["/StructTreeRoot"].get_object())
    return [frozenset(_pages_of(kid, None, pages)) for kid in _kids(document)]


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Each page's width and height in points."""
    from pypdf import PdfReader  # noqa: PLC0415 - only where the ci group is installed

    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(pdf).pages]
