"""fmt over generated rubrics: every comment above every line of the canonical text is kept,
and the output without them is the canonical text again."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given

from conserv_rubric import Rubric, dumps_rubric
from conserv_rubric._fmt import comments, format_file
from conserv_rubric.strategies import rubrics


def _commented(text: str) -> str:
    """*text* with a numbered comment above each line but the first and a closing bracket, and
    one at the end of each line that opens an array."""
    out = []
    for n, line in enumerate(text.splitlines()):
        # None above the first line, where a comment would become the header.
        if n and line.strip() and not line.lstrip().startswith("]"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}# c{n}")
        out.append(f"{line}  # e{n}" if line.endswith("[") else line)
    return "\n".join(out) + "\n"


@given(rubrics())
def test_fmt_keeps_every_comment_of_a_generated_rubric(rubric: Rubric) -> None:
    canonical = dumps_rubric(rubric)
    source = _commented(canonical)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.toml"
        path.write_text(source, encoding="utf-8")
        result = format_file(path, mode="check")
    assert sorted(c.text for c in comments(result.text)) == sorted(c.text for c in comments(source))
    # Each comment went back where it was: the file was canonical already.
    assert result.canonical
