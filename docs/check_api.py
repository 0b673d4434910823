"""Check the built API page: every public name rendered, no directive left as literal text.

Run after ``sphinx-build -W -b html docs docs/_build/html``::

    python docs/check_api.py docs/_build/html/api.html

Exits 1, listing what is missing, if the page shows a directive as text (a sign that MyST
parsed autodoc's reStructuredText as Markdown) or lacks an anchor for a name in any public
module's ``__all__``.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Final

MODULES: Final = (
    "conserv_rubric",
    "conserv_rubric.model",
    "conserv_rubric.gaps",
    "conserv_rubric.diffs",
    "conserv_rubric.batch",
    "conserv_rubric.reports",
    "conserv_rubric.pages",
    "conserv_rubric.templates",
    "conserv_rubric.energy",
    "conserv_rubric.workbook",
    "conserv_rubric.rollup",
    "conserv_rubric.schema",
    "conserv_rubric.strategies",
    "conserv_rubric.testing",
)
#: Text that only appears when a directive was not run.
LITERAL: Final = re.compile(r"\.\. (py:|auto)[a-z]+::|\{auto[a-z]+\}")


def problems(html: str) -> list[str]:
    """What is wrong with the built API page *html*."""
    out = [f"literal directive text: {m.group(0)!r}" for m in LITERAL.finditer(html)]
    anchors = set(re.findall(r'id="([^"]+)"', html))
    for name in MODULES:
        module = importlib.import_module(name)
        for public in module.__all__:
            # A name the root re-exports from a public module is documented there.
            home = getattr(getattr(module, public), "__module__", name)
            if not {f"{name}.{public}", f"{home}.{public}"} & anchors:
                out.append(f"{name}.{public} is not on the page")
    return out


def main(argv: list[str]) -> int:
    """Check the page named by *argv* (default: docs/_build/html/api.html)."""
    page = Path(argv[0] if argv else "docs/_build/html/api.html")
    found = problems(page.read_text(encoding="utf-8"))
    for line in found:
        print(f"{page}: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
