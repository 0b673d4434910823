"""What one sheet scored on the command line imports (#14: nothing the command does not use).

Run in a fresh interpreter, ``conserv-rubric score district examples/district/pass.toml`` loads
exactly the package modules below, and none of the other commands', formats' or extras'
libraries. A new import on that path fails here: keep it off start-up (an import inside the
function that needs it, marked PLC0415 with its reason) or, if one sheet really needs it, add
it to the list. How long the command takes is measured by ``bench/bench_score.py --only startup``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The package's modules that scoring one TOML sheet with a shipped rubric uses.
USED = {
    "conserv_rubric",
    "conserv_rubric._answers",
    "conserv_rubric._batch",
    "conserv_rubric._card_total",
    "conserv_rubric._cells",
    "conserv_rubric._coefficients_cli",
    "conserv_rubric._compiled",
    "conserv_rubric._convert",
    "conserv_rubric._exact",
    "conserv_rubric._expect",
    "conserv_rubric._extends",
    "conserv_rubric._gates",
    "conserv_rubric._fields",
    "conserv_rubric._frozen",
    "conserv_rubric._headers",
    "conserv_rubric._indicators",
    "conserv_rubric._kinds",
    "conserv_rubric._kinds._base",
    "conserv_rubric._kinds._said",
    "conserv_rubric._kinds.bands",
    "conserv_rubric._kinds.cases",
    "conserv_rubric._kinds.composite",
    "conserv_rubric._kinds.each",
    "conserv_rubric._kinds.judged",
    "conserv_rubric._kinds.linear",
    "conserv_rubric._kinds.measured",
    "conserv_rubric._kinds.simple",
    "conserv_rubric._kinds.tiers",
    "conserv_rubric._labels",
    "conserv_rubric._limits",
    "conserv_rubric._not_sheet",
    "conserv_rubric._output",
    "conserv_rubric._parse",
    "conserv_rubric._plan_shared",
    "conserv_rubric._provenance",
    "conserv_rubric._rawtree",
    "conserv_rubric._report_lines",
    "conserv_rubric._results",
    "conserv_rubric._rubric_io",
    "conserv_rubric._score",
    "conserv_rubric._score_args",
    "conserv_rubric._sheet",
    "conserv_rubric._shipped",
    "conserv_rubric._snapshot",
    "conserv_rubric._stages",
    "conserv_rubric._termfit",
    "conserv_rubric._text",
    "conserv_rubric._totals",
    "conserv_rubric._tree",
    "conserv_rubric._validate",
    "conserv_rubric.batch",
    "conserv_rubric.cli",
    "conserv_rubric.errors",
    "conserv_rubric.model",
    "conserv_rubric.reports",
}

#: Libraries one sheet has no use for: the converter's (a fitting document needs none of it),
#: the hash's (a shipped rubric's is stored), suggestions', CSV's, the parser's (a plain score
#: line is read without it), the terminal width's (not a terminal), and the extras'.
UNUSED = (
    "cattrs",
    "hashlib",
    "difflib",
    "csv",
    "argparse",
    "gettext",
    "shutil",
    "tomlkit",
    "openpyxl",
    "duckdb",
    "hypothesis",
    "pyspark",
)

_PROGRAM = """
import contextlib, io, sys
from conserv_rubric.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(["score", "district", "examples/district/pass.toml"])
print(code, "总分" in out.getvalue())
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] == "conserv_rubric")))
print(" ".join(m for m in sys.argv[1:] if m in sys.modules))
"""


def test_one_sheet_imports_only_what_it_uses() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, *UNUSED], cwd=ROOT, capture_output=True, text=True, check=True
    )
    status, ours, unused = done.stdout.split("\n")[:3]
    assert status == "0 True"
    assert set(ours.split()) - USED == set(), "imported by one sheet, and not in USED"
    assert USED - set(ours.split()) == set(), "in USED, but no longer imported: take it out"
    assert unused == ""
