"""Hostile inputs against the fast paths of #14, each checked against the full path it shortcuts.

A district office's files as they come: full-width digits, GB18030, BOMs, CRLF, formulas in
agency names, names separated by ``、`` or listed twice, NaN, Infinity, 1e400 and -0 in number
cells, odd stages, years and dates. The oracle is always the full path: `_stream_cli.FAST` off
for CSV rows, argparse for a plain ``score``, the file parsed for a shipped rubric's snapshot,
attrs' contract for `Frozen`, `gap_oracle.full_gap` for `gap`.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import pickle
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import tomli_w
from gap_oracle import full_gap

from conserv_rubric import Rubric, _fast_rows, _stream_cli, cli, load_rubric, loads_sheet, score
from conserv_rubric._compiled import compiled
from conserv_rubric._frozen import Frozen
from conserv_rubric._kinds import Leaf
from conserv_rubric._provenance import rubric_hash
from conserv_rubric._rubric_io import read_rubric
from conserv_rubric.errors import RubricError, SheetError
from conserv_rubric.gaps import gap

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "rubrics").glob("*.toml"))
#: Shipped rubrics, and rubrics with gates, ★ projects, caps, tiers, deductions and verifier-only
#: items (the two shipped ones that do not add up are left out: they do not load).
RUBRICS = [
    p
    for p in [
        *SHIPPED,
        *sorted((ROOT / "rubrics" / "variants").glob("*.toml")),
        *sorted((ROOT / "tests" / "data" / "mechanisms").glob("*.toml")),
        ROOT / "tests" / "data" / "authored-mechanisms.toml",
        ROOT / "tests" / "data" / "verifier-linear.toml",
    ]
    if p.stem not in ("jieneng-mubiao-zeren-county", "sichuan-jieshui-qiye")
]

# Cell texts by the shape of leaf they are written under: the first few are read, the rest are
# what a hand-filled sheet holds and the full path refuses or reads in its own way.
_BOOL = ["true", "false", "", " TRUE ", "ｔｒｕｅ", "是", "1", "maybe", "False"]
_NUMBER = ["1", "0", "2", "", "３", "-0", "1e400", "NaN", "Infinity", "1,000", "一", " 2 ", "2\r\n"]


def _names(leaf: Leaf) -> list[str]:
    options = list(leaf.options)
    if not options:
        return ["甲;乙", "甲、乙", "甲;甲"]
    two = options[:2]
    return [
        options[0],
        ";".join(two),
        "、".join(two),
        "；".join(two),
        " ; ".join(two),
        f"{options[0]};{options[0]}",
        f";{options[0]}",
        "\r\n".join(two),
    ]


def _pool(leaf: Leaf) -> list[str]:
    if leaf.shape == "bool":
        return _BOOL
    if leaf.shape == "count_or_names":
        return ["1", "0", *_names(leaf), *_NUMBER]
    if leaf.shape == "tier":
        return [*leaf.options, *(f"{o} 2" for o in leaf.options), "", "别的", f"{leaf.options[0]}　1"]
    return [*_NUMBER, *(str(o) for o in leaf.options)]


_AGENCIES = [
    "甲局",
    '=HYPERLINK("http://x","乙局")',
    "丙,局",
    " 丁局 ",
    "@SUM(A1)",
    "戊局;己局",
    "",
    "+1",
    "庚\r\n局",
]
_META = {
    "year": ["2024", "", "２０２４", "2024.0", "-0", "2024年", " 2024 "],
    "stage": ["", "self", "verified", "VERIFIED", "自评", " verified"],
    "date": ["2024-10-28", "", "2024/10/28", "2024-02-30", "２０２４-１０-２８", "2024-10-28T10:00"],
    "code": ["91110000", "", "=1+1", "a,b", "9111\r\n0000"],
}


#: The rubrics whose tame rows fail a gate.
_GATED = {"guangxi-jieshui-danwei", "authored-mechanisms"}


def _sheet_file(folder: Path, rubric: Rubric, *, encoding: str = "utf-8-sig") -> Path:
    """A CSV file of every leaf's column and every [sheet] column: a tame row (every pool's first
    cell), then each other cell of each pool in an otherwise tame row, a few cycling through the
    pools at once, and a row of too few cells."""
    leaves = compiled(rubric).leaves
    columns = ["agency", *_META, *leaves]
    pools = [_AGENCIES, *_META.values(), *(_pool(leaf) for leaf in leaves.values())]
    tame = [pool[0] for pool in pools]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow(tame)
    for j, pool in enumerate(pools):
        for cell in pool[1:]:
            writer.writerow([*tame[:j], cell, *tame[j + 1 :]])
    for n in range(12):
        writer.writerow(pool[(n * (j + 3) + j) % len(pool)] for j, pool in enumerate(pools))
    writer.writerow(tame[:-1])
    path = folder / f"{rubric.title[:8]}.csv"
    path.write_bytes(out.getvalue().encode(encoding, errors="replace"))
    return path


def _main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _taken(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    taken: list[int] = []
    line = _fast_rows.FastRows.line

    def counted(self: _fast_rows.FastRows, first: int, last: int, cells: list[str]) -> tuple[str, int] | None:
        found = line(self, first, last, cells)
        if found is not None:
            taken.append(first)
        return found

    monkeypatch.setattr(_fast_rows.FastRows, "line", counted)
    return taken


@pytest.mark.parametrize("path", RUBRICS, ids=lambda p: p.stem)
def test_hostile_rows_score_the_same_either_way(
    path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rubric = load_rubric(path)
    sheets = _sheet_file(tmp_path, rubric)
    taken = _taken(monkeypatch)
    results = []
    for fast in (True, False):
        monkeypatch.setattr(_stream_cli, "FAST", fast)
        results.append(_main(capsys, "score", path, sheets, "--format", "csv"))
    assert results[0] == results[1]
    # The tame rows at least went the fast way, but where they fail a gate (a ★ item at 0, a
    # figure under its threshold): the full path words that.
    assert bool(taken) is (path.stem not in _GATED)
    # The totals are those of --format json, row by row.
    code, out, err = _main(capsys, "score", path, sheets, "--format", "json")
    entries = json.loads(out)
    entries = entries if isinstance(entries, list) else [entries]
    scored = [(str(e["line"]), str(e["total"]), e["level"] or "") for e in entries if "total" in e]
    rows = list(csv.DictReader(io.StringIO(results[0][1])))
    assert [(r["line"], r["total"], r["level"]) for r in rows] == scored
    assert (code, err) == (results[0][0], results[0][2])


@pytest.mark.parametrize(
    "options",
    [["--jobs", "2"], ["--headers", "zh"], ["--bom"], ["--bom", "-o", "OUT"], ["--jobs", "2", "-o", "OUT"]],
)
def test_hostile_gb18030_rows_write_the_same_bytes_with_every_option(
    options: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = ROOT / "tests" / "data" / "mechanisms" / "district-zero-gate.toml"
    sheets = _sheet_file(tmp_path, load_rubric(path), encoding="gb18030")
    written = []
    for fast in (True, False):
        monkeypatch.setattr(_stream_cli, "FAST", fast)
        out = tmp_path / f"out-{fast}.csv"
        args = [str(out) if a == "OUT" else a for a in options]
        result = _main(capsys, "score", path, sheets, sheets, "--format", "csv", *args)
        written.append((result, out.read_bytes() if out.exists() else b""))
    assert written[0] == written[1]


def _parsed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> tuple[int, str, str]:
    """The command line's outcome when argparse reads *argv*."""
    with monkeypatch.context() as m:
        m.setattr(cli, "_plain_score", lambda _argv: None)
        return _main(capsys, *argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "district", "missing.toml"],
        ["score", "district", "folder"],
        ["score", "district", ""],
        ["score", "", "pass.toml"],
        ["score", "folder", "pass.toml"],
        ["score", "district", "@pass.toml"],
        ["score", "district", "empty.csv"],
        ["score", "district", "head.csv"],
        ["score", "district", "区 表.toml", "区 表.toml"],
        ["score", "district", "empty.csv", "head.csv", "区 表.toml"],
        ["score", "district", "—format", "csv"],  # an em dash, pasted from a document
    ],
)
def test_a_plain_score_of_odd_arguments_is_the_parsers(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "head.csv").write_bytes(b"\xef\xbb\xbfagency,2.1.1\r\n")
    (tmp_path / "区 表.toml").write_bytes((ROOT / "examples" / "district" / "pass.toml").read_bytes())
    (tmp_path / "@pass.toml").write_bytes((ROOT / "examples" / "district" / "pass.toml").read_bytes())
    monkeypatch.chdir(tmp_path)
    assert cli._plain_score(argv) is not None
    assert _main(capsys, *argv) == _parsed(capsys, monkeypatch, argv)


def _read(path: Path, snapshots: bool) -> tuple[object, ...]:
    try:
        rubric, problems = read_rubric(path, snapshots=snapshots)
    except RubricError as exc:
        return ("error", [str(p) for p in exc.problems])
    return rubric, rubric_hash(rubric), [str(p) for p in problems]


def _copies(folder: Path, shipped: Path) -> Iterator[tuple[str, Path]]:
    """Copies of *shipped* under its own name: exact, and changed a little in many ways."""
    data = shipped.read_bytes()
    at = data.index(b"points = ") + len(b"points = ")
    changed = {
        "exact": data,
        "crlf": data.replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + data,
        "comment": data + b"# \xe5\xa4\x87\xe6\xb3\xa8\n",
        "no-final-newline": data.rstrip(b"\n"),
        "one-byte": data[:at] + (b"9" if data[at : at + 1] != b"9" else b"8") + data[at + 1 :],
    }
    for name, text in changed.items():
        path = folder / name / shipped.name
        path.parent.mkdir()
        path.write_bytes(text)
        yield name, path
    link = folder / "link" / shipped.name
    link.parent.mkdir()
    link.symlink_to(shipped)
    yield "link", link
    other = folder / "link" / "mine.toml"
    other.symlink_to(shipped)
    yield "link-renamed", other


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda p: p.stem)
def test_a_copy_of_a_shipped_rubric_reads_as_its_own_text(shipped: Path, tmp_path: Path) -> None:
    for name, path in _copies(tmp_path, shipped):
        got, want = _read(path, True), _read(path, False)
        assert got == want, name
        if name == "one-byte" and got[0] != "error":
            assert got[1] != _read(shipped, False)[1]  # the change is seen, not the snapshot's


@pytest.mark.parametrize("path", RUBRICS, ids=lambda p: p.stem)
def test_model_objects_pickle_copy_evolve_and_hash_as_values(path: Path) -> None:
    rubric = load_rubric(path)
    again = read_rubric(path, snapshots=False)[0]
    copies = [again, pickle.loads(pickle.dumps(rubric)), copy.deepcopy(rubric), copy.copy(rubric)]
    copies.append(attrs.evolve(rubric))
    for other in copies:
        assert other == rubric
        assert hash(other) == hash(rubric)
        assert repr(other) == repr(rubric)
        assert attrs.asdict(other) == attrs.asdict(rubric)
    assert len({rubric, *copies}) == 1
    assert {rubric: 1}[copies[1]] == 1
    assert attrs.evolve(rubric, title=rubric.title + "x") != rubric


@attrs.frozen(kw_only=True, repr=False, eq=False)
class _A(Frozen):
    x: int
    y: Decimal = attrs.field(default=Decimal(0), hash=False)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class _B(Frozen):
    x: int
    y: Decimal = attrs.field(default=Decimal(0), hash=False)


def test_equal_fields_of_different_classes_are_not_equal() -> None:
    a, b = _A(x=1), _B(x=1)
    assert a != b
    assert not a == b  # noqa: SIM201 - == itself, not only !=
    assert len({a, b}) == 2
    assert a == _A(x=1, y=Decimal("0.00"))  # Decimal equality, as attrs compares fields
    assert hash(a) == hash(_A(x=1, y=Decimal(5)))  # y takes no part in the hash
    assert a != _A(x=1, y=Decimal(5))
    assert pickle.loads(pickle.dumps(a)) == a
    assert repr(attrs.evolve(b, x=2)) == "_B(x=2, y=Decimal('0'))"


#: Answers as a caller's dict gives them, typed: the plan's checks refuse most of the odd ones.
_TYPED: dict[str, list[Any]] = {
    "bool": [True, False, 1, "true", "是", 1.0],
    "count": [0, 1, 2, 1.0, True, "2", "３", Decimal("-0")],
    "number": [0, 1, 2, Decimal("0.5"), 0.5, "1", -0.0, Decimal("1e400"), Decimal("NaN"), float("inf")],
}


def _typed(leaf: Leaf) -> list[Any]:
    if leaf.shape == "count_or_names":
        options = list(leaf.options)
        return [
            *_TYPED["count"],
            *([options[:1], options[:2], tuple(options[:2]), "、".join(options[:2])] if options else []),
        ]
    if leaf.shape == "tier":
        return [*leaf.options, {"tier": leaf.options[0]}, 2]
    return _TYPED.get(leaf.shape, _TYPED["number"] + list(leaf.options))


def _cards(rubric: Rubric) -> Iterator[Any]:
    leaves = list(compiled(rubric).leaves.items())
    for n in range(60):
        answers = {}
        for j, (address, leaf) in enumerate(leaves):
            pool = _typed(leaf)
            if (n + j) % 4:
                answers[address] = pool[0 if n % 3 == 0 else (n * (j + 2) + j) % len(pool)]
        for stage in (None, *rubric.stages):
            try:
                if stage is None:
                    yield score(rubric, answers)
                else:
                    plain = {k: v for k, v in answers.items() if isinstance(v, bool | int | str | list)}
                    doc = {"sheet": {"agency": "甲局", "stage": stage}, "answers": plain}
                    yield score(rubric, loads_sheet(tomli_w.dumps(doc)))
            except SheetError:
                continue


@pytest.mark.parametrize("path", RUBRICS, ids=lambda p: p.stem)
def test_gap_of_hostile_cards_is_the_full_recomputation(path: Path) -> None:
    rubric = load_rubric(path)
    count = 0
    for card in _cards(rubric):
        assert gap(card) == full_gap(card)
        count += 1
    assert count > 20


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "RUBRIC", "SHEET", "--format", "csv"],
        ["score", "RUBRIC", "SHEET", "--format", "json"],
        ["score", "RUBRIC", "SHEET"],
        ["check", "RUBRIC"],
        ["gap", "RUBRIC", "SHEET"],
        ["diff", "RUBRIC", "SHEET", "SHEET"],
        ["template", "RUBRIC", "--format", "xlsx"],
    ],
)
def test_an_output_that_names_the_rubric_is_refused_and_the_rubric_kept(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The rubric is read before -o is opened, so the command ran and left the rubric overwritten.
    rubric = tmp_path / "mine.toml"
    rubric.write_bytes((ROOT / "rubrics" / "district.toml").read_bytes())
    sheet = tmp_path / "sheet.toml"
    sheet.write_bytes((ROOT / "examples" / "district" / "pass.toml").read_bytes())
    before = rubric.read_bytes()
    output = tmp_path / "." / "mine.toml"
    args = [rubric if a == "RUBRIC" else sheet if a == "SHEET" else a for a in argv]
    code, out, err = _main(capsys, *args, "-o", output)
    assert (code, out) == (2, "")
    assert err == f"{output}: -o names the input {rubric}: writing the report there would erase it first\n"
    assert rubric.read_bytes() == before


def test_an_output_that_names_a_sheet_of_gap_is_refused_and_the_sheet_kept(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.toml"
    sheet.write_bytes((ROOT / "examples" / "district" / "pass.toml").read_bytes())
    before = sheet.read_bytes()
    code, out, err = _main(capsys, "gap", "district", sheet, "-o", sheet)
    assert (code, out) == (2, "")
    assert err == f"{sheet}: -o names the input {sheet}: writing the report there would erase it first\n"
    assert sheet.read_bytes() == before
