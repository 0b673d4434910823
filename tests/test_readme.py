"""The README's quick start (both languages) runs as written, in a folder holding a copy of examples/.

Every ``conserv-rubric`` line of the two sections is run in-process, in order, in an empty folder
with ``examples/`` copied in, as an office would run them after installing the package: no line
may need the checkout (``rubrics/…``, ``plans/…``), and each must do what the README says of it.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
import shutil
from pathlib import Path

import pytest

from conserv_rubric import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: The example's broken sheet, which the roll-up reports and does not count.
BROKEN = (
    "examples/district-year/sheets/自评/XX区水利局-自评打分表.toml:9:16: "
    "invalid TOML: Illegal character '\\n'"
)
UNMATCHED = (
    "examples/district-year/sheets/自评/XX区人民防空办公室-自评打分表.toml: not counted: "
    "agency \"XX区人民防空办公室\" is not on the roster (did you mean 'XX区人民政府办公室'?)"
)
BLANK = (
    '自评打分表.toml: sheet.agency: warning: the sheet names no agency (agency = ""); '
    "the report says 未填写单位名称"
)


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.index("\n## ", start + 1)
    return README[start:end]


def _commands(section: str) -> list[list[str]]:
    """The ``conserv-rubric`` lines of the section's code blocks, without their comments."""
    out = []
    for block in re.findall(r"```(?:sh|text)\n(.*?)```", section, re.DOTALL):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0].endswith("conserv-rubric"):
                out.append(words[1:])
    return out


@pytest.mark.parametrize("title", ["A district office's year", "快速上手"])
def test_the_quick_start_runs_as_written(
    title: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = _commands(_section(title))
    assert [c[0] for c in commands].count("rollup") == 2, commands
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)
    for args in commands:
        code = cli.main(args)
        out, err = capsys.readouterr()
        outcome = (args[0], code, err.splitlines())
        if args[:2] == ["template", "district"]:
            assert outcome == ("template", 0, [])
            assert (
                (tmp_path / "自评打分表.toml")
                .read_text(encoding="utf-8")
                .startswith("# XX区节约型机关评价标准")
            )
        elif args[0] == "score" and args[2] == "自评打分表.toml":
            # The blank sheet scores 0 and names its agency as missing.
            assert outcome == ("score", 1, [BLANK])
            assert out.splitlines()[1].startswith("单位：未填写单位名称　")
        elif args[0] == "gap" and args[2] == "自评打分表.toml":
            assert outcome == ("gap", 1, [BLANK])
        elif args[0] == "check":
            assert outcome == ("check", 0, [])
            assert out.splitlines()[-1] == "✓ 有效：5 个评价单元，12 个评价项目，37 个条目，分值相符"
        elif args[0] in ("score", "gap"):
            assert outcome == (args[0], 0, [])
            assert out.splitlines()[-1].startswith("评价标准：XX区节约型机关评价标准（2024），sha256:")
        elif args[0] == "rollup":
            # The example holds one broken sheet and one office off the roster, on purpose.
            assert outcome == ("rollup", 2, [BROKEN, UNMATCHED])
            if "-o" in args:
                data = (tmp_path / "汇总.csv").read_bytes()
                assert data.startswith(b"\xef\xbb\xbf")
                rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
                assert rows[0][:3] == ["单位", "统一社会信用代码", "上级单位"]
                assert len(rows) == 1 + 60
            else:
                assert "建成“节约型机关” 26 家，占 61.90%（26/42）" in out.splitlines()
        else:  # pragma: no cover - a command the README gained: say what it does above
            pytest.fail(f"no expectation for {args}")
