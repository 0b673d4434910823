"""Trust (#9): what ``extends`` may read, files that are not regular, bounded reports, huge values.

Each test here failed on the code before the fix: an ``extends`` read any path (and quoted a
secret file's key names back), a FIFO blocked for ever, a million bad elements made a million
problems, a symbolic link loop crashed, and a dot leader in a text was taken for a key.
"""

from __future__ import annotations

import errno
import itertools
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import conserv_rubric._convert as convert
import conserv_rubric._rawtree as rawtree
from conserv_rubric import (
    Problem,
    RubricError,
    SheetError,
    load_rubric,
    load_sheet,
    load_sheets,
    loads_rubric,
    score,
    validate,
)
from conserv_rubric._kinds.cases import first_rows
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric._text import describe, fmt
from conserv_rubric.cli import main
from conserv_rubric.energy import load_coefficients, load_energy
from conserv_rubric.model import Cases, Condition, Row

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
YY = ROOT / "rubrics" / "variants" / "yy-district.toml"
PASS = ROOT / "examples" / "district" / "pass.toml"
VERIFIED = ROOT / "docs" / "examples" / "district-verified.toml"

FLAG = 'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "flag"\npoints = 1\n'
#: What a file outside the folder that extends may read is told.
OUTSIDE = (
    "lies outside the rubric's folder; extends reads only files in that folder and below, or a "
    "shipped rubric by name (--root DIR, or root= in Python, allows a wider folder)"
)
FIFO = "it is a FIFO (a named pipe), not a regular file; save its content to a file first"
DEVICE = "it is a character device, not a regular file; save its content to a file first"
#: Key names of a secret file that no message may ever show.
SECRET = 'db_password = "hunter2"\napi_token = "t0k3n"\n'


def finishes(call: Callable[[], object], seconds: float = 20) -> BaseException | None:
    """Run *call* in a thread and return what it raised; fail if it is still running after *seconds*.

    A FIFO that nothing writes to blocks a plain ``open()`` for ever: the test fails instead of hanging.
    """
    raised: list[BaseException | None] = []

    def target() -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            raised.append(exc)
        else:
            raised.append(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert raised, f"still running after {seconds} s"
    return raised[0]


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every path the library opens or reads, resolved."""
    seen: list[Path] = []
    real_open, real_read = os.open, Path.read_bytes

    def spy_open(path: Any, *args: Any, **kwargs: Any) -> int:
        seen.append(Path(os.path.realpath(path)))
        return real_open(path, *args, **kwargs)

    def spy_read(self: Path) -> bytes:
        seen.append(Path(os.path.realpath(self)))
        return real_read(self)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(Path, "read_bytes", spy_read)
    return seen


def folder_with_a_secret(tmp_path: Path) -> tuple[Path, Path]:
    """``tmp/rubrics/`` (the rubric's folder) and ``tmp/secret.toml`` beside it, outside."""
    base = tmp_path.resolve()
    (base / "rubrics").mkdir()
    secret = base / "secret.toml"
    secret.write_text(SECRET, encoding="utf-8")
    return base / "rubrics", secret


# --- what extends may read -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["absolute", "dot-dot", "down and out", "symlink", "symlinked folder", "etc"])
def test_extends_refuses_a_file_outside_the_folder_unread(
    tmp_path: Path, opened: list[Path], how: str
) -> None:
    """A base outside the rubric's folder is refused before it is opened, whatever leads there;
    the message names the path as written and nothing the file holds."""
    folder, secret = folder_with_a_secret(tmp_path)
    (folder / "sub").mkdir()
    if how == "symlink":
        (folder / "base.toml").symlink_to(secret)
    if how == "symlinked folder":
        (folder / "shared").symlink_to(secret.parent, target_is_directory=True)
    target = {
        "absolute": str(secret),
        "dot-dot": "../secret.toml",
        "down and out": "sub/../../secret.toml",
        "symlink": "base.toml",
        "symlinked folder": "shared/secret.toml",
        "etc": "/etc/shadow",
    }[how]
    rubric = folder / "rubric.toml"
    rubric.write_text(f'extends = "{target}"\n', encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(rubric)
    assert str(excinfo.value) == f"{rubric}: extends: base rubric '{target}' {OUTSIDE}"
    assert secret not in opened
    assert Path("/etc/shadow") not in opened


def test_a_secret_file_s_keys_never_come_back(tmp_path: Path) -> None:
    """On main, extending a secrets file listed its key names as unknown keys."""
    folder, secret = folder_with_a_secret(tmp_path)
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(f'extends = "{secret}"\n', base_dir=folder)
    message = str(excinfo.value)
    assert message == f"extends: base rubric '{secret}' {OUTSIDE}"
    assert "db_password" not in message
    assert "api_token" not in message


def test_files_in_the_folder_and_below_are_read(tmp_path: Path) -> None:
    """A base in a subfolder, a link inside the folder to a file inside it, and a chain that
    climbs back up to the folder are all within it."""
    folder = tmp_path.resolve()
    (folder / "bases" / "deep").mkdir(parents=True)
    (folder / "bases" / "deep" / "base.toml").write_text(FLAG, encoding="utf-8")
    (folder / "bases" / "middle.toml").write_text('extends = "deep/base.toml"\nversion = "m"\n', "utf-8")
    (folder / "link.toml").symlink_to(folder / "bases" / "middle.toml")
    (folder / "rubric.toml").write_text('extends = "link.toml"\ntitle = "variant"\n', encoding="utf-8")
    rubric = load_rubric(folder / "rubric.toml")
    assert (rubric.title, rubric.version, rubric.total) == ("variant", "m", Decimal("1"))


def test_a_root_widens_what_extends_may_read(tmp_path: Path) -> None:
    """``root=`` (and ``--root``) lets a rubric in rubrics/ extend a base beside that folder,
    for the whole chain; without it the base is refused."""
    folder = tmp_path.resolve()
    (folder / "rubrics").mkdir()
    (folder / "base.toml").write_text(FLAG, encoding="utf-8")
    variant = folder / "rubrics" / "variant.toml"
    variant.write_text('extends = "../base.toml"\nversion = "2"\n', encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(variant)
    assert str(excinfo.value) == f"{variant}: extends: base rubric '../base.toml' {OUTSIDE}"
    assert load_rubric(variant, root=folder).version == "2"
    assert load_rubric(variant, root=str(folder)).version == "2"
    text = variant.read_text(encoding="utf-8")
    with pytest.raises(RubricError):
        loads_rubric(text, base_dir=folder / "rubrics")
    assert loads_rubric(text, base_dir=folder / "rubrics", root=folder).version == "2"


def test_a_root_holds_for_the_whole_chain(tmp_path: Path) -> None:
    """A base inside the root that reaches out of it is refused, located in that base."""
    folder, secret = folder_with_a_secret(tmp_path)
    (folder / "base.toml").write_text('extends = "../secret.toml"\n', encoding="utf-8")
    rubric = folder / "rubric.toml"
    rubric.write_text('extends = "base.toml"\n', encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(rubric)
    assert str(excinfo.value) == f"{folder / 'base.toml'}: extends: base rubric '../secret.toml' {OUTSIDE}"
    with pytest.raises(RubricError) as excinfo:
        load_rubric(rubric, root=folder / "sub" / "..")
    assert str(excinfo.value) == (
        f"{folder / 'base.toml'}: extends: base rubric '../secret.toml' lies outside the root "
        f"'{folder / 'sub' / '..'}'; extends reads only files in that folder and below, or a shipped "
        "rubric by name"
    )
    assert secret.read_text(encoding="utf-8") == SECRET


def test_a_root_that_is_no_folder(tmp_path: Path) -> None:
    (tmp_path / "rubric.toml").write_text(FLAG, encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(tmp_path / "rubric.toml", root=tmp_path / "missing")
    assert str(excinfo.value) == f"root '{tmp_path / 'missing'}' is not a folder"


def test_shipped_rubrics_extend_by_name() -> None:
    """The shipped variant names its base (DESIGN §7) instead of reaching out of its folder."""
    assert 'extends = "district"\n' in YY.read_text(encoding="utf-8")
    assert "../" not in YY.read_text(encoding="utf-8")
    assert load_rubric(YY).title == "YY区节约型机关评价标准"


@pytest.mark.parametrize(
    ("command", "sheets", "code"),
    [
        ("check", [], 0),
        ("template", [], 0),
        ("fmt", [], 0),
        ("score", [PASS], 0),
        ("gap", [PASS], 0),
        ("diff", [PASS, VERIFIED], 1),
    ],
)
def test_every_command_that_takes_a_rubric_has_root(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, sheets: list[Path], code: int
) -> None:
    folder = tmp_path.resolve()
    (folder / "rubrics").mkdir()
    (folder / "district.toml").write_text(DISTRICT.read_text(encoding="utf-8"), encoding="utf-8")
    variant = folder / "rubrics" / "variant.toml"
    variant.write_text('extends = "../district.toml"\n', encoding="utf-8")
    args = [command, str(variant), *map(str, sheets)]
    assert main(args) == 2
    assert capsys.readouterr().err == f"{variant}: extends: base rubric '../district.toml' {OUTSIDE}\n"
    assert main([*args, "--root", str(folder)]) == code
    assert capsys.readouterr().err == ""


# --- files that are not regular ------------------------------------------------------------


def _loaders(tmp_path: Path) -> dict[str, tuple[Callable[[Path], object], str, type[RubricError]]]:
    """What reads a file at a path, with how its problem is located and the error it raises."""
    base = tmp_path / "variant.toml"
    base.write_text('extends = "base.toml"\n', encoding="utf-8")
    return {
        "load_rubric": (load_rubric, "{path}: cannot read file: {why}", RubricError),
        "read_rubric": (read_rubric, "{path}: cannot read file: {why}", RubricError),
        "load_sheet": (load_sheet, "{path}: cannot read file: {why}", SheetError),
        "load_sheets": (load_sheets, "{path}: cannot read file: {why}", SheetError),
        "load_energy": (load_energy, "{path}: cannot read file: {why}", SheetError),
        "load_coefficients": (load_coefficients, "{path}: cannot read file: {why}", RubricError),
        "extends": (
            lambda _: load_rubric(base),
            f"{base}: extends: cannot read base rubric base.toml: {{why}}",
            RubricError,
        ),
    }


LOADERS = ["load_rubric", "read_rubric", "load_sheet", "load_sheets", "load_energy", "load_coefficients"]


@pytest.mark.parametrize("loader", [*LOADERS, "extends"])
def test_a_fifo_is_refused_without_waiting(tmp_path: Path, loader: str) -> None:
    """Nothing writes to the FIFO: opening it to read blocked for ever on main."""
    load, message, error = _loaders(tmp_path)[loader]
    fifo = tmp_path / "base.toml"
    os.mkfifo(fifo)
    raised = finishes(lambda: load(fifo))
    assert type(raised) is error
    assert str(raised) == message.format(path=fifo, why=FIFO)


#: Code run in a process that may use at most 1 GiB: /dev/zero read whole would exhaust it.
LIMITED = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
CLI = (
    "import runpy, sys\n"
    "sys.argv[0] = 'conserv-rubric'\n"
    "runpy.run_module('conserv_rubric', run_name='__main__')\n"
)


def _run_limited(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """*code* with *args* in a process of at most 1 GiB that must end within 60 s."""
    return subprocess.run(
        [sys.executable, "-c", LIMITED + code, *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_device_is_refused_unread(tmp_path: Path) -> None:
    """/dev/zero through a link: main read it until the memory ran out."""
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    code = (
        "import sys\n"
        "from conserv_rubric import RubricError, load_rubric, load_sheet, load_sheets\n"
        "from conserv_rubric._rubric_io import read_rubric\n"
        "from conserv_rubric.energy import load_coefficients, load_energy\n"
        "for load in (load_rubric, read_rubric, load_sheet, load_sheets, load_energy, load_coefficients):\n"
        "    try:\n"
        "        load(sys.argv[1])\n"
        "    except RubricError as exc:\n"
        "        print(load.__name__, type(exc).__name__, exc)\n"
    )
    done = _run_limited(code, str(link))
    errors = ["RubricError", "RubricError", "SheetError", "SheetError", "SheetError", "RubricError"]
    assert done.stdout.splitlines() == [
        f"{load} {error} {link}: cannot read file: {DEVICE}"
        for load, error in zip(LOADERS, errors, strict=True)
    ]
    assert done.returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        ["check", "/dev/zero"],
        ["score", "district", "/dev/zero"],
        ["energy", "/dev/zero"],
        ["energy", str(PASS), "--coefficients", "/dev/zero"],
    ],
)
def test_dev_zero_on_the_command_line(args: list[str]) -> None:
    done = _run_limited(CLI, *args)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"/dev/zero: cannot read file: {DEVICE}\n")


def test_dev_zero_as_a_base_within_the_root(tmp_path: Path) -> None:
    """With the whole file system as root, the base's type still stops the read."""
    rubric = tmp_path / "rubric.toml"
    rubric.write_text('extends = "/dev/zero"\n', encoding="utf-8")
    done = _run_limited(CLI, "check", "--root", "/", str(rubric))
    expected = f"{rubric}: extends: cannot read base rubric /dev/zero: {DEVICE}\n"
    assert (done.returncode, done.stderr) == (2, expected)


def test_a_symlink_loop_in_extends_is_an_input_error(tmp_path: Path) -> None:
    """Exit 3 (RuntimeError: Symlink loop) on main."""
    (tmp_path / "base.toml").symlink_to("base.toml")
    rubric = tmp_path / "rubric.toml"
    rubric.write_text('extends = "base.toml"\n', encoding="utf-8")
    why = os.strerror(errno.ELOOP)
    with pytest.raises(RubricError) as excinfo:
        load_rubric(rubric)
    assert str(excinfo.value) == f"{rubric}: extends: cannot read base rubric base.toml: {why}"
    assert main(["check", str(rubric)]) == 2


def test_a_symlink_loop_as_the_rubric(tmp_path: Path) -> None:
    (tmp_path / "loop.toml").symlink_to("loop.toml")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(tmp_path / "loop.toml")
    assert str(excinfo.value) == f"{tmp_path / 'loop.toml'}: cannot read file: {os.strerror(errno.ELOOP)}"


def test_a_17_file_chain_is_too_long_not_a_cycle(tmp_path: Path) -> None:
    base = tmp_path.resolve()
    for i in range(17):
        (base / f"c{i}.toml").write_text(f'extends = "c{i + 1}.toml"\n', encoding="utf-8")
    (base / "c17.toml").write_text(FLAG, encoding="utf-8")
    names = " → ".join(f"c{i}.toml" for i in range(17))
    with pytest.raises(RubricError) as excinfo:
        load_rubric(base / "c0.toml")
    where = base / "c15.toml"
    assert str(excinfo.value) == f"{where}: extends: extends chain is longer than 16 files: {names}"
    # 16 files, the rubric loaded included, are the most.
    assert load_rubric(base / "c2.toml").total == Decimal("1")


# --- bounded reports -----------------------------------------------------------------------


def test_a_huge_array_reports_100_problems_and_counts_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    """20 000 numbers where strings belong: 100 problems are built, the others only counted
    (main built one per element; a 3 MB array took 50 s and ended in a MemoryError)."""
    built = 0
    real = Problem

    def counting(**kwargs: Any) -> Problem:
        nonlocal built
        built += 1
        return real(**kwargs)

    monkeypatch.setattr(convert, "Problem", counting)  # the name _convert builds its problems by
    numbers = ", ".join(str(i) for i in range(20_000))
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(f"basis = [{numbers}]\n" + FLAG)
    problems = excinfo.value.problems
    assert [str(p) for p in problems[:2]] == [
        "basis[0]: expected a string, got a number (0)",
        "basis[1]: expected a string, got a number (1)",
    ]
    assert str(problems[99]) == "basis[99]: expected a string, got a number (99)"
    assert str(problems[100]) == "… and 19900 more problems"
    assert len(problems) == 101
    assert built == 100


def test_validation_keeps_100_of_each_severity(tmp_path: Path) -> None:
    """150 empty units (errors) and a decision table with 151 rows whose first matches every
    case (150 warnings): 100 of each are listed, then one count per severity."""
    rows = ", ".join(["{ points = 1 }"] * 151)
    path = tmp_path / "rubric.toml"
    path.write_text(
        'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "cases"\n'
        f'conditions = [{{ id = "x" }}]\nrows = [{rows}]\n' + '[[units]]\ntitle = "e"\n' * 150,
        encoding="utf-8",
    )
    rubric, problems = read_rubric(path)
    assert problems == [p.with_file(str(path)) for p in validate(rubric)]
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    assert (len(errors), len(warnings)) == (101, 101)
    assert str(warnings[0]) == (
        f"{path}: item 1.1 in unit 1 u (units[0].items[0].rows[1]): warning: row 2 (1 points) is never "
        "used: the rows before it match every case it matches"
    )
    assert str(errors[0]) == f"{path}: unit 2 e (units[1]): is empty: a unit needs projects or items"
    assert [str(p) for p in problems[-2:]] == [
        f"{path}: … and 50 more problems",
        f"{path}: warning: … and 50 more warnings",
    ]


def test_a_capped_error_keeps_its_count_when_passed_on() -> None:
    """Problems re-raised with their file, or two errors merged, keep the total right."""
    first = RubricError(Problem(message=f"p{i}") for i in range(130))
    again = RubricError(p.with_file("f.toml") for p in first.problems)
    assert str(again.problems[-1]) == "f.toml: … and 30 more problems"
    assert len(again.problems) == 101
    merged = RubricError([*RubricError(Problem(message="a") for _ in range(80)).problems, *first.problems])
    assert [str(p) for p in merged.problems[-2:]] == ["p19", "… and 110 more problems"]


def test_a_long_message_is_clipped_in_the_middle() -> None:
    problem = Problem(message="a" * 900 + "b" * 4000 + "c" * 100, path="k" * 2000)
    assert problem.message == "a" * 800 + "…" + "b" * 99 + "c" * 100
    assert problem.path == "k" * 800 + "…" + "k" * 199


def test_an_unknown_key_of_5000_characters(tmp_path: Path) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text("k" * 5000 + " = 1\n" + FLAG, encoding="utf-8")
    with pytest.raises(RubricError) as excinfo:
        load_rubric(path)
    message = "unknown key '" + "k" * 5000 + "'"
    assert str(excinfo.value) == f"{path}: top level: {message[:800]}…{message[-199:]}"


# --- huge numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**5000, "expected a count below 1,000,000,000,000, got a number (1.000E+5000)"),
        (10**12, "expected a count below 1,000,000,000,000, got a number (1000000000000)"),
        (-(10**5000), "expected a count ≥ 0, got -1.000E+5000"),
    ],
    ids=["10**5000", "10**12", "-10**5000"],
)
@pytest.mark.parametrize("address", ["5.1.3", "2.2.2"])
def test_a_huge_count_is_refused(address: str, value: int, message: str) -> None:
    """On main, 10**5000 raised Python's int-to-string ValueError (exit 3 on the command line)."""
    with pytest.raises(SheetError) as excinfo:
        score(load_rubric(DISTRICT), {address: value})
    assert str(excinfo.value) == f'answers."{address}": {message}'


def test_huge_integers_are_described_without_str() -> None:
    # 2**101 = 2535301200456458802993406410752; 10**5000 has 5001 digits.
    assert describe(2**101) == "a number (2.535E+30)"
    assert describe(10**5000) == "a number (1.000E+5000)"
    assert describe(-(10**5000) * 9999) == "a number (-9.999E+5003)"
    assert fmt(10**1_000_000) == "1.000E+1000000"
    assert describe(10**30) == "a number (1000000000000000000000000000000)"


# --- the dotted-key guard ------------------------------------------------------------------

DOTS = "." * 40


@pytest.mark.parametrize(
    "text",
    [
        f'note = """\n目录{DOTS}1\n"""\n',
        f"note = '''\n目录{DOTS}1\n'''\n",
        f'note = "目录{DOTS}1"\n',
        f"# 目录{DOTS}\n",
        f'note = "x" # {DOTS}\n',
        'note = """\n"' + DOTS + '"\n"""\n',
    ],
    ids=["multi-line", "multi-line literal", "string", "comment", "comment after a value", "quotes inside"],
)
def test_a_dot_leader_in_text_is_no_key(text: str) -> None:
    """On main: 'invalid TOML: a key with more than 32 dotted parts'."""
    assert loads_rubric(text + FLAG).total == Decimal("1")


@pytest.mark.parametrize(
    "line",
    [
        "a" + ".a" * 33 + " = 1",
        "[" + "a." * 33 + "a]",
        "[[" + "a." * 33 + "a]]",
        "x = { " + "a." * 33 + "a = 1 }",
        "x = { b = 2, " + "a." * 33 + "a = 1 }",
        "x = [{ " + "a." * 33 + "a = 1 }]",
        '"q".' * 33 + '"q" = 1',
        '"\u2028".' * 33 + '"\u2028" = 1',
        "a . " * 33 + "a = 1",
    ],
    ids=[
        "key",
        "header",
        "array header",
        "inline",
        "inline after a comma",
        "in an array",
        "quoted",
        "U+2028",
        "spaced",
    ],
)
def test_keys_of_more_than_32_parts_are_still_refused(line: str) -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(f'title = "t"\n{line}\n')
    assert str(excinfo.value) == "2: invalid TOML: a key with more than 32 dotted parts"


def test_a_long_key_inside_a_multiline_array() -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric("x = [\n  1.5,\n  { " + "a." * 33 + "a = 1 },\n]\n")
    assert str(excinfo.value) == "3: invalid TOML: a key with more than 32 dotted parts"


# --- messages of extends and levels --------------------------------------------------------


def test_the_base_s_items_are_not_an_array(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(
        'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\nitems = 1\n', "utf-8"
    )
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(
            'extends = "base.toml"\n[[add]]\nto = "1"\nkind = "flag"\npoints = 1\n', base_dir=tmp_path
        )
    assert str(excinfo.value) == "add[0].to: the items of '1' in the base rubric are not an array"


def test_an_override_cannot_change_an_address() -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric('extends = "district"\n[[override]]\nat = "3.1.4"\nid = "3"\n')
    assert str(excinfo.value) == (
        "override[0].id: an override cannot change an address; remove the node and add it anew"
    )
    # The same id is no change.
    same = loads_rubric('extends = "district"\n[[override]]\nat = "3.1.4"\nid = "4"\n')
    assert same == load_rubric(DISTRICT)


def test_a_negative_unit_minimum() -> None:
    with pytest.raises(RubricError) as excinfo:
        loads_rubric(FLAG + '[[levels]]\nname = "A"\nmin = 1\nunit_min = { "1" = -1 }\n')
    assert str(excinfo.value) == "levels[0].unit_min: the minimum of unit 1 must be 0 or more, got -1"


# --- linear patching and decision tables ---------------------------------------------------


def _nodes_walked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A counter of the raw nodes the extends engine visits (each visit makes a RawNode)."""
    count = [0]
    real = rawtree.RawNode

    def counting(*args: Any) -> rawtree.RawNode:
        count[0] += 1
        return real(*args)

    monkeypatch.setattr(rawtree, "RawNode", counting)
    return count


@pytest.mark.parametrize("n", [500, 2000])
def test_patches_visit_each_node_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, n: int
) -> None:
    """n items overridden, n removed, n added, in one project of n items: main walked the whole
    tree for each patch (9 000 overrides took 42 s); now each node is visited a few times."""
    items = "".join('[[units.items]]\nkind = "flag"\npoints = 1\n' for _ in range(2 * n))
    (tmp_path / "base.toml").write_text(
        f'title = "t"\ntotal = {2 * n}\n[[units]]\ntitle = "u"\n{items}', "utf-8"
    )
    removed = ", ".join(f'"1.{i}"' for i in range(n + 1, 2 * n + 1))
    patch = ['extends = "base.toml"', f"remove = [{removed}]"]
    patch += [f'[[override]]\nat = "1.{i}"\ntext = "o{i}"' for i in range(1, n + 1)]
    patch += ['[[add]]\nto = "1"\nkind = "flag"\npoints = 1'] * n
    count = _nodes_walked(monkeypatch)
    rubric = loads_rubric("\n".join(patch) + "\n", base_dir=tmp_path)
    items_after = rubric.units[0].items
    assert len(items_after) == 2 * n
    assert items_after[0].text == "o1"
    assert items_after[n].id is None  # the first added item took the first free number, n + 1
    # Walks: the index (2n + 1 nodes), the unpinning (2n + 1) and the adds learnt (n): about 5n.
    assert count[0] <= 6 * n + 10


def _cases_rule(k: int, rows: list[dict[str, bool]]) -> Cases:
    conditions = tuple(Condition(id=f"c{i}", text=f"c{i}") for i in range(k))
    return Cases(
        conditions=conditions,
        rows=tuple(Row(when=w, points=Decimal(1)) for w in rows),
    )


def _brute_force(rule: Cases) -> tuple[set[int], dict[str, bool] | None]:
    """Every combination in itertools.product order, tried against every row."""
    keys = [c.id or "" for c in rule.conditions]
    reached: set[int] = set()
    unmatched = None
    for combo in itertools.product((True, False), repeat=len(keys)):
        truth = dict(zip(keys, combo, strict=True))
        first = next(
            (i for i, r in enumerate(rule.rows) if all(truth[k] == v for k, v in r.when.items())), None
        )
        if first is None:
            unmatched = unmatched or truth
        else:
            reached.add(first)
    return reached, unmatched


@given(
    st.integers(1, 6).flatmap(
        lambda k: st.tuples(
            st.just(k),
            st.lists(
                st.dictionaries(st.sampled_from([f"c{i}" for i in range(k)]), st.booleans()), max_size=12
            ),
        )
    )
)
def test_first_rows_agrees_with_trying_every_combination(table: tuple[int, list[dict[str, bool]]]) -> None:
    k, rows = table
    rule = _cases_rule(k, rows)
    assert first_rows(rule) == _brute_force(rule)


def test_a_decision_table_costs_rows_times_conditions(monkeypatch: pytest.MonkeyPatch) -> None:
    """12 conditions, 256 rows that each need all 12 true but one: main tried 4096 combinations
    against up to 256 rows each (19 such tables took 15–27 s); counted as Python lines run."""
    rows = [{f"c{j}": j != i % 12 for j in range(12)} for i in range(256)]
    rule = _cases_rule(12, rows)
    lines = 0
    code = first_rows.__code__

    def tracer(frame: Any, event: str, arg: object) -> Any:
        nonlocal lines
        if frame.f_code.co_filename == code.co_filename:
            lines += event == "line"
            return tracer
        return None

    # Coverage measures through the same hook: hand it back, or the rest of the run goes unmeasured.
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        reached, unmatched = first_rows(rule)
    finally:
        sys.settrace(previous)
    assert reached == set(range(12))
    assert unmatched == {f"c{j}": True for j in range(12)}
    # About 10 lines for each of 256 rows × 12 conditions, and a few hundred for the set-up.
    assert lines < 10 * 256 * 12


def test_check_counts_the_problems_a_capped_list_left_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """120 empty units: 100 are listed, and the report counts all 120 (it said 101)."""
    path = tmp_path / "rubric.toml"
    path.write_text(FLAG + '[[units]]\ntitle = "e"\n' * 120, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[lines.index("问题（120）：") + 100 :] == [
        f"{path}: unit 101 e (units[100]): is empty: a unit needs projects or items",
        f"{path}: … and 20 more problems",
        "",
        "✗ 无效：120 个问题",
    ]
