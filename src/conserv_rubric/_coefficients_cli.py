"""``--coefficients NAME|FILE``: the standard-coal table of every command that scores."""

from __future__ import annotations

import argparse
from typing import Final

from ._energy_coefficients import load_coefficients
from ._energy_model import Coefficients

_HELP: Final = (
    "standard-coal coefficient table for sheets with [energy]: a shipped table's name or a TOML file "
    "(default: gbt2589-2020-dangliang, 当量值)"
)


def add_coefficients_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--coefficients NAME|FILE`` to *parser*."""
    parser.add_argument("--coefficients", metavar="NAME|FILE", help=_HELP)


def coefficients_argument(value: str | None) -> Coefficients | None:
    """The table ``--coefficients`` names, or None for the default.

    Raises:
        RubricError: no shipped table has that name and no file that path, or the file is wrong.
    """
    return None if value is None else load_coefficients(value)
