"""``--coefficients NAME|FILE``: the standard-coal table of every command that scores."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import argparse

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
    if value is None:
        return None
    from ._energy_coefficients import load_coefficients  # noqa: PLC0415 - off start-up: rarely named

    return load_coefficients(value)
