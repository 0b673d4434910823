"""``python -m conserv_rubric``: the same as the ``conserv-rubric`` command."""

import sys

from .cli import main

sys.exit(main())
