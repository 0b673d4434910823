"""How many examples a property or fuzz test runs, scaled from the active hypothesis profile.

The profiles themselves are registered in ``conftest.py``. A test that needs more (or fewer)
examples than the profile's ``max_examples`` asks for `scaled(n)`, *n* being its budget under the
default profile, so that every budget grows and shrinks with the profile and keeps its proportion
to the others.
"""

from __future__ import annotations

from typing import Final

from hypothesis import settings

#: ``max_examples`` of the default profile: the suite as run locally and in CI, derandomized.
DEFAULT_EXAMPLES: Final = 25
#: ``max_examples`` of the ``fuzz`` profile: the wider, random run on request.
FUZZ_EXAMPLES: Final = 250


def scaled(examples: float) -> int:
    """*examples*, a budget under the default profile, scaled to the active profile (at least 1).

    Read when a test module is imported or a test runs, both after the profile is loaded.
    """
    return max(1, round(examples * settings().max_examples / DEFAULT_EXAMPLES))
