"""Real components that some tests need: a browser (Chromium driven by Playwright) and Java.

A test marked ``needs_browser`` or ``needs_java`` is skipped when its component is absent, so
the suite runs on a bare machine; under ``CI=true`` the skip is a failure instead, because CI
installs every component (.ci/run) and a missing one there is a broken install step, not a
reason to go green. The check runs once per test from ``tests/conftest.py``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

import pytest

#: Debian's chromium package; Playwright cannot download a browser of its own here.
CHROMIUM: Final = Path(os.environ.get("CONSERV_RUBRIC_CHROMIUM", "/usr/bin/chromium"))


def missing_browser() -> str | None:
    """Why the browser tests cannot run, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install --group ci -e .)"
    if importlib.util.find_spec("pypdf") is None:
        return "pypdf is not installed (pip install --group ci -e .)"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def missing_java() -> str | None:
    """Why the tests that need Java (Spark) cannot run, or None."""
    if shutil.which("java") is None:
        return "no java on PATH (apt-get install openjdk-17-jre-headless)"
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install --group ci -e .)"
    return None


#: Each marker and what finds its component missing.
MARKERS: Final[dict[str, Callable[[], str | None]]] = {
    "needs_browser": missing_browser,
    "needs_java": missing_java,
}


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the tests run in CI (``CI=true``, as CI sets it; ``1`` and ``yes`` count too)."""
    return environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require(marker: str, environ: Mapping[str, str] = os.environ) -> None:
    """Skip the running test if *marker*'s component is missing, or fail it under CI."""
    reason = MARKERS[marker]()
    if reason is None:
        return
    if in_ci(environ):
        pytest.fail(f"{marker}: {reason}; under CI=true a missing component fails the test", pytrace=False)
    pytest.skip(f"{marker}: {reason}")
