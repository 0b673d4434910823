"""The command line's argparse parser: a usage error shows the offending argument visibly.

Apart from `conserv_rubric.cli` so that a command line read without the parser (a plain
``score RUBRIC SHEET…``) does not import argparse.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from ._text import visible
from .cli import INPUT_ERROR


class Parser(argparse.ArgumentParser):
    """argparse, with the offending argument shown as `visible` text in a usage error."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(INPUT_ERROR, f"{self.prog}: error: {visible(message)}\n")
