"""Sphinx configuration for the conserv_rubric documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html``; run the examples with
``sphinx-build -W -b doctest docs docs/_build/doctest``.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the source tree even when the package is not installed.
sys.path.insert(0, str(ROOT / "src"))

project = "conserv_rubric"
author = "conserv_rubric developers"
copyright = "conserv_rubric developers"  # noqa: A001 - the name Sphinx reads
language = "en"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# MyST: `[text](page.md#heading)` links to headings.
myst_heading_anchors = 3

# autodoc and napoleon: Google-style docstrings (Args/Returns/Raises).
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# Attributes: sections become fields, so they do not clash with documented properties.
napoleon_use_ivar = True
autodoc_member_order = "bysource"
autodoc_typehints = "signature"

# Every example runs from the repository root, so paths such as rubrics/district.toml work,
# and with the package imported as ``cr``. ``toml_blocks(page)`` returns the ```toml blocks
# of a page in order, so that a page's examples score exactly the TOML it shows;
# ``sheet_from(text)`` reads an ``[answers]`` block as a sheet of an example agency.
# Only ``{doctest}`` blocks run here; the ``>>>`` examples in docstrings are run by the test
# suite in their own module's namespace.
doctest_test_doctest_blocks = ""
doctest_global_setup = f"""
import os
import re
from decimal import Decimal

import conserv_rubric as cr

os.chdir({str(ROOT)!r})


def toml_blocks(page):
    with open(os.path.join("docs", page), encoding="utf-8") as f:
        return re.findall(r"^```toml\\n(.*?)^```$", f.read(), re.S | re.M)


def sheet_from(text):
    return cr.loads_sheet('[sheet]\\nagency = "示例单位"\\n' + text)
"""

html_theme = "alabaster"
html_title = "conserv_rubric"
html_static_path: list[str] = []
