"""Shared test configuration: the hypothesis settings profiles, and the real components some tests need.

``default`` (loaded unless another is asked for, locally and in CI alike) is derandomized: every
property and fuzz test draws the same examples on every run and every machine, so a red run in CI
fails the same way on a laptop. It runs ``max_examples=25`` per property test; the fuzz tests and
the few tests that need more or fewer scale their budgets from it (`budgets.scaled`).

``fuzz`` is the wider search on request: ten times the examples, from a random seed, with the
example database in ``.hypothesis/`` replaying any failure it finds on the next run. Choose it,
or ``dev`` (a fifth of the examples, derandomized, for a quick edit-test loop), with
``HYPOTHESIS_PROFILE=fuzz`` or ``pytest --hypothesis-profile=fuzz``. ``ci`` is the same as
``default``: hypothesis would otherwise switch to its own ``ci`` profile where ``CI`` is set.

A test marked ``needs_browser`` or ``needs_java`` (see `components`) is skipped without its
component and fails without it under ``CI=true``; the ``browser`` fixture is one headless
Chromium for the whole session, with a fresh profile.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, Final

import pytest
from browser import launch
from budgets import DEFAULT_EXAMPLES, FUZZ_EXAMPLES
from components import MARKERS, require
from hypothesis import settings

#: Hypothesis's own defaults, whichever profile it loaded (it loads its ``ci`` where ``CI`` is set),
#: so that these profiles are the same on every machine.
BUILTIN: Final = settings.get_profile("default")
# No deadline: a rubric with many leaves takes a while to check, and timing varies with the load.
settings.register_profile(
    "default", BUILTIN, max_examples=DEFAULT_EXAMPLES, derandomize=True, deadline=None, print_blob=True
)
settings.register_profile("ci", settings.get_profile("default"))
settings.register_profile("dev", settings.get_profile("default"), max_examples=DEFAULT_EXAMPLES // 5)
settings.register_profile(
    "fuzz", BUILTIN, max_examples=FUZZ_EXAMPLES, derandomize=False, deadline=None, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in MARKERS:
        if item.get_closest_marker(marker) is not None:
            require(marker)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium context (Playwright's) for the session, with a fresh user-data-dir."""
    require("needs_browser")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only the ci group installs it

    with sync_playwright() as playwright:
        context = launch(playwright, tmp_path_factory.mktemp("chromium-profile"))
        try:
            yield context
        finally:
            context.close()
