"""fmt: canonical TOML that keeps the author's comments, and a rewrite that never loses the file."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from conserv_rubric import cli, dumps_rubric, load_rubric
from conserv_rubric._fmt import comments

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
VARIANT = ROOT / "rubrics" / "variants" / "yy-district.toml"
INSTALL = "install the fmt extra to keep comments: pip install 'conserv-rubric[fmt]'"


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _copy(tmp_path: Path, source: Path = DISTRICT, name: str = "district.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(source.read_bytes())
    return path


def _without_comments(text: str) -> str:
    """*text* with every comment line dropped and every end-of-line comment cut."""
    found = {c.line: c.text for c in comments(text)}
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        kept = line[: len(line) - len(found[n])].rstrip() if n in found else line
        if kept or n not in found:
            out.append(kept)
    return "\n".join(out) + "\n"


SMALL = """\
#:schema ./rubric.schema.json
# 测试标准 — the header

total = 4  # 总分
# the title
title = "测试"

[[units]]
title = "管理"  # 单元
points = 4

# 1.1
[[units.items]]
kind = "flag"
text = "方案"
points = 2
# a default, which fmt leaves out
bonus = false

[[units.items]]
kind = "judged"
text = "酌情"
range = [
    # 最低
    0,
    2, # 最高
    # end of range
]
points = 2
# the end
"""

# Keys in canonical order (title first, points before range); each comment above what followed
# it; the comment of the dropped `bonus` above the next header; the one above `title`, now the
# first line, just below the header.
SMALL_CANONICAL = """\
#:schema ./rubric.schema.json
# 测试标准 — the header

# the title
title = "测试"
total = 4  # 总分

[[units]]
title = "管理"  # 单元
points = 4

# 1.1
[[units.items]]
kind = "flag"
text = "方案"
points = 2

# a default, which fmt leaves out
[[units.items]]
kind = "judged"
text = "酌情"
points = 2
range = [
    # 最低
    0,
    2,  # 最高
    # end of range
]
# the end
"""


def test_comments_go_above_what_they_preceded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    code, out, err = run(capsys, "fmt", path)
    assert (code, err) == (0, "")
    assert out == SMALL_CANONICAL
    assert _without_comments(out).lstrip("\n") == dumps_rubric(load_rubric(path))


def test_district_keeps_its_75_comment_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _copy(tmp_path)
    before = [c.text for c in comments(path.read_text(encoding="utf-8"))]
    assert len(before) == 75
    code, _, err = run(capsys, "fmt", path, "--check")
    assert (code, err) == (1, f"{path}: not in canonical form (conserv-rubric fmt --write {path})\n")
    assert run(capsys, "fmt", path, "--write") == (0, "", "")
    text = path.read_text(encoding="utf-8")
    assert sorted(c.text for c in comments(text)) == sorted(before)
    assert text.startswith(DISTRICT.read_text(encoding="utf-8").split("\n\n")[0] + "\n\n")
    assert _without_comments(text).lstrip("\n") == dumps_rubric(load_rubric(DISTRICT))
    assert load_rubric(path) == load_rubric(DISTRICT)
    assert run(capsys, "fmt", path, "--check") == (0, "", "")


@pytest.mark.parametrize("name", ["district", "leed-v41-bdc", "gbt50378-2019-jiafenxiang"])
def test_fmt_of_its_own_output_is_unchanged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    path = _copy(tmp_path, ROOT / "rubrics" / f"{name}.toml")
    assert run(capsys, "fmt", path, "--write")[0] == 0
    once = path.read_text(encoding="utf-8")
    assert run(capsys, "fmt", path) == (0, once, "")


def test_a_variant_keeps_its_comments_and_its_patch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "fmt", VARIANT)
    assert (code, err) == (0, "")
    assert sorted(c.text for c in comments(out)) == sorted(
        c.text for c in comments(VARIANT.read_text("utf-8"))
    )
    assert 'extends = "district"' in out


@pytest.fixture
def no_tomlkit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tomlkit", None)


@pytest.mark.usefixtures("no_tomlkit")
@pytest.mark.parametrize("mode", ["--write", "--check"])
def test_without_tomlkit_a_file_with_comments_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mode: str
) -> None:
    path = _copy(tmp_path)
    original = path.read_bytes()
    code, out, err = run(capsys, "fmt", path, mode)
    assert (code, out) == (2, "")
    assert err == (
        f"{path}:20: cannot keep this comment and 72 more in canonical form: tomlkit is not installed; "
        f"{INSTALL}\n"
    )
    assert path.read_bytes() == original


@pytest.mark.usefixtures("no_tomlkit")
def test_without_tomlkit_printing_says_what_it_leaves_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "fmt", DISTRICT)
    assert code == 0
    assert err == (
        f"{DISTRICT}:20: warning: this comment and 72 more are not kept in the output: tomlkit is not "
        f"installed; {INSTALL}\n"
    )
    header = DISTRICT.read_text(encoding="utf-8").split("\n\n")[0]
    assert out == header + "\n\n" + dumps_rubric(load_rubric(DISTRICT))


@pytest.mark.usefixtures("no_tomlkit")
def test_without_tomlkit_the_header_alone_is_kept(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(
        '#:schema ./s.json\n# 标准\ntitle = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n', encoding="utf-8"
    )
    path.write_text(
        path.read_text(encoding="utf-8") + '[[units.items]]\nkind = "flag"\npoints = 1\n', "utf-8"
    )
    assert run(capsys, "fmt", path, "--write") == (0, "", "")
    assert path.read_text(encoding="utf-8").startswith('#:schema ./s.json\n# 标准\n\ntitle = "t"\n')
    assert run(capsys, "fmt", path, "--check") == (0, "", "")


def test_flatten_keeps_the_header_and_refuses_to_drop_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "fmt", VARIANT, "--flatten")
    assert code == 0
    assert out.startswith("# YY区节约型机关评价标准: a variant of the XX区 standard")
    assert err == (
        f"{VARIANT}:13: warning: this comment and 2 more are not kept in the output: a flattened rubric "
        "has no place for the comments of the file it was made from\n"
    )
    folder = tmp_path / "variants"
    folder.mkdir()
    _copy(tmp_path, DISTRICT)
    variant = _copy(folder, VARIANT, "yy.toml")
    code, _, err = run(capsys, "fmt", variant, "--flatten", "--write")
    assert code == 2
    assert err == (
        f"{variant}:13: cannot keep this comment and 2 more in canonical form: a flattened rubric has no "
        "place for the comments of the file it was made from\n"
    )
    assert variant.read_bytes() == VARIANT.read_bytes()


def test_a_comment_fmt_cannot_place_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "inline.toml"
    path.write_text(
        'title = "t"\ntotal = 2\n[[units]]\ntitle = "u"\n'
        'items = [ { kind = "judged", range = [ # 0 to 2\n 0, 2], points = 2 } ]\n',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "fmt", path, "--write")
    assert code == 2
    assert err == (
        f"{path}:5: cannot keep this comment in canonical form: move it onto a line of its own above a key\n"
    )


def test_write_keeps_the_mode(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _copy(tmp_path)
    path.chmod(0o640)
    assert run(capsys, "fmt", path, "--write")[0] == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_write_that_fails_part_way_leaves_the_file_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = _copy(tmp_path)
    original = path.read_bytes()

    def full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, full)
    code, out, err = run(capsys, "fmt", path, "--write")
    assert (code, out) == (2, "")
    assert err == f"{path}: cannot write the file: No space left on device; it is unchanged\n"
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["district.toml"]


def test_write_refuses_a_symbolic_link(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = _copy(tmp_path)
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    original = target.read_bytes()
    code, _, err = run(capsys, "fmt", link, "--write")
    assert code == 2
    assert err == (
        f"{link}: is a symbolic link to {target}; fmt --write does not replace a link: run it on {target}\n"
    )
    assert (link.is_symlink(), target.read_bytes()) == (True, original)
    assert run(capsys, "fmt", link)[0] == 0  # reading through it is fine


def test_a_canonical_file_is_not_rewritten(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _copy(tmp_path)
    assert run(capsys, "fmt", path, "--write")[0] == 0
    os.utime(path, (1, 1))
    assert run(capsys, "fmt", path, "--write")[0] == 0
    assert path.stat().st_mtime == 1


def test_comments_are_found_outside_strings_only() -> None:
    text = (
        'a = "# not" # yes\nb = \'#\'\nc = """\n# inside\n"""  # after\n'
        "d = '''x\n#'''\ne = \"\\\"#\" # last\n"
    )
    assert [(c.line, c.text) for c in comments(text)] == [(1, "# yes"), (5, "# after"), (8, "# last")]
    # Up to two quotes may end a multi-line string's content before its closing three.
    assert [c.text for c in comments("f = \"\"\"#\"\"\"\"\" # q\ng = '''#''''' # r\n")] == ["# q", "# r"]


def test_write_keeps_the_files_line_endings_and_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rubric saved by a Windows editor (CRLF, a UTF-8 byte-order mark) is rewritten in its own
    conventions: --check does not compare them, so --write must not change them either; only
    the layout is the canonical form's."""
    code, canonical, _ = run(capsys, "fmt", _copy(tmp_path, name="plain.toml"))
    assert code == 0
    windows = tmp_path / "windows.toml"
    windows.write_bytes(b"\xef\xbb\xbf" + DISTRICT.read_bytes().replace(b"\n", b"\r\n"))
    assert run(capsys, "fmt", "--write", windows)[0] == 0
    written = windows.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf")
    assert written.count(b"\r\n") == written.count(b"\n")
    assert written[3:].replace(b"\r\n", b"\n").decode("utf-8") == canonical
    assert run(capsys, "fmt", "--check", windows)[0] == 0
