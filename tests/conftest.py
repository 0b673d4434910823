"""Shared test configuration: the hypothesis settings profiles.

The default profile keeps property tests quick (``max_examples=50``, no deadline, since a
rubric with many leaves takes a while to check). Choose another with ``HYPOTHESIS_PROFILE``:
``ci`` runs more examples, ``dev`` fewer.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("default-low", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("dev", max_examples=10, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default-low"))
