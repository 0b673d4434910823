"""``score RUBRIC SHEET…`` without options is read without argparse (`conserv_rubric.cli._plain_score`):
exactly as the parser reads it, and any other command line is left to the parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from conserv_rubric import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "district", "examples/district/pass.toml"],
        ["score", "my.toml", "a.toml", "b.csv", "c.json"],
        ["score", "district", ""],
        ["score", "区.toml", "表 1.toml"],
    ],
)
def test_a_plain_score_reads_what_the_parser_reads(argv: list[str]) -> None:
    plain = cli._plain_score(argv)
    parsed = cli._parser("score").parse_args(argv)
    assert plain is not None
    assert sorted(vars(plain)) == sorted(vars(parsed))
    # The parser's own parser object is the one thing a plain score has not: it only words a
    # usage error of the CSV options, which a command line without options cannot have.
    assert plain.csv_parser is None
    assert {k: v for k, v in vars(plain).items() if k != "csv_parser"} == {
        k: v for k, v in vars(parsed).items() if k != "csv_parser"
    }


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["score"],
        ["score", "district"],
        ["score", "-h"],
        ["score", "district", "a.toml", "--format", "json"],
        ["score", "district", "a.toml", "-o", "out.txt"],
        ["score", "district", "--", "a.toml"],
        ["score", "district", "-"],
        ["score", "--root=.", "district", "a.toml"],
        ["check", "district", "a.toml"],
        ["gap", "district", "a.toml"],
    ],
)
def test_anything_else_is_left_to_the_parser(argv: list[str]) -> None:
    assert cli._plain_score(argv) is None


def test_a_plain_score_scores(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert cli.main(["score", "district", "examples/district/pass.toml"]) == cli.OK
    plain = capsys.readouterr()
    assert cli.main(["score", "district", "examples/district/pass.toml", "--format", "text"]) == cli.OK
    assert capsys.readouterr() == plain
    assert "总分" in plain.out
