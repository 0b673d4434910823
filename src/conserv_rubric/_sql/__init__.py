"""A rubric as SQL: one ``SELECT`` over a table of sheets, in whole units of points (DESIGN §13).

`_base` holds the dialects, the exact unit and the renderer registry; `kinds` one renderer per
rule kind; `cells` the cell grammar of `conserv_rubric._cells` as SQL; `total` the total (a plain
sum or the ``[aggregate]`` formula); `query` the whole query.
"""

from __future__ import annotations

from . import kinds as _kinds  # noqa: F401 - registers the renderers
from ._base import DIALECTS, Dialect, NotExpressible
from .query import render_score, render_validation

__all__ = ["DIALECTS", "Dialect", "NotExpressible", "render_score", "render_validation"]
