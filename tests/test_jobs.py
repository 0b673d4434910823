"""``score --jobs N``: the rows scored on N processes write the bytes of one process, errors
and exit code included; the rows in flight are bounded; progress shows on a terminal only."""

from __future__ import annotations

import contextlib
import fcntl
import io
import itertools
import os
import pty
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conserv_rubric import _stream_cli, cli, load_rubric

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the bench package

from bench import district

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = ROOT / "rubrics" / "district.toml"
PASS = ROOT / "examples" / "district" / "pass.toml"
ROWS = 1_300  # three chunks of 512 and a part


def _bad_rows(header: list[str]) -> dict[int, str]:
    """Rows that cannot be scored, by the line they replace: too few cells, an answer that is
    no answer, a line of bad UTF-8, and a blank row (no sheet, no error)."""
    flag = header.index("2.1.1")
    wrong = ["XX区第坏号单位", *["true"] * (len(header) - 1)]
    wrong[flag] = "maybe"
    return {5: "XX区短行,true", 600: ",".join(wrong), 1_030: "\udcff", 1_031: ","}


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("jobs") / "district.csv"
    text = io.StringIO()
    district.write_csv(text, ROWS)
    lines = text.getvalue().split("\n")
    for line, row in _bad_rows(lines[0].split(",")).items():
        lines[line - 1] = row
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_jobs_write_the_bytes_of_one_process(
    capsys: pytest.CaptureFixture[str], sheets: Path, fmt: str
) -> None:
    inputs = (DISTRICT, sheets, PASS, sheets)
    one = _run(capsys, "score", *inputs, "--format", fmt)
    assert one[0] == 2
    # Each copy of the file: ROWS rows below its header, three bad and one blank; the sheet once.
    cards = 2 * (ROWS - 4) + 1
    lines = one[1].splitlines()
    assert len(lines) == (1 + cards if fmt == "csv" else cards + 2 * 3)
    assert len(one[2].splitlines()) == 2 * 3
    assert one[2].splitlines()[:3] == [
        f"{sheets}:5: has 2 cells, the header has 45",
        f'{sheets}:600: answers."2.1.1": expected true or false, got a string ("maybe")',
        f"{sheets}:1030: not UTF-8 text (byte {_offset(sheets, 1_030)}); save the file as UTF-8",
    ]
    for jobs in ("2", "3"):
        assert _run(capsys, "score", *inputs, "--format", fmt, "--jobs", jobs) == one


def _offset(path: Path, line: int) -> int:
    return sum(len(row) for row in path.read_bytes().split(b"\n")[: line - 1]) + line - 1


def test_jobs_keep_the_exit_code_of_a_clean_batch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        district.write_csv(f, 700)
    one = _run(capsys, "score", DISTRICT, path, "--format", "csv")
    assert one[0] == 1  # about half the generated agencies stay below 80
    assert _run(capsys, "score", DISTRICT, path, "--format", "csv", "--jobs", "2") == one
    assert _run(capsys, "score", DISTRICT, PASS, "--format", "csv", "--jobs", "2")[0] == 0


@pytest.mark.parametrize(
    ("jobs", "message"),
    [
        ("0", "argument --jobs: expected at least 1 process, got 0"),
        ("-2", "argument --jobs: expected at least 1 process, got -2"),
        ("two", "argument --jobs: expected a whole number of processes, got 'two'"),
    ],
)
def test_jobs_below_one_are_refused(capsys: pytest.CaptureFixture[str], jobs: str, message: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["score", str(DISTRICT), str(PASS), "--format", "csv", "--jobs", jobs])
    assert exc.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"conserv-rubric score: error: {message}"


def test_jobs_need_a_streamed_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "score", DISTRICT, PASS, "--jobs", "2") == (
        2,
        "",
        "score: --jobs scores --format csv or jsonl on several processes, without --coefficients\n",
    )


def test_rows_in_flight_are_bounded(sheets: Path) -> None:
    pulled = 0

    def counted() -> Iterator[_stream_cli._Item]:
        nonlocal pulled
        for item in itertools.cycle(_stream_cli._items(sheets)):
            pulled += 1
            yield item

    rubric = load_rubric(DISTRICT)
    outcomes = _stream_cli._in_workers(2, rubric, counted(), "csv", "en")
    for _ in itertools.islice(outcomes, 3 * _stream_cli.CHUNK):
        pass
    # What was read beyond what was written: the chunks in flight, and the one being filled.
    ahead = pulled - 3 * _stream_cli.CHUNK
    assert ahead <= (2 * _stream_cli.IN_FLIGHT_PER_JOB + 1) * _stream_cli.CHUNK
    del outcomes  # the pool ends with the generator


def _terminal_stderr(monkeypatch: pytest.MonkeyPatch, *args: str | Path) -> tuple[int, str]:
    """Run the command line with standard error on a pseudo-terminal; what the terminal got."""
    leader, follower = pty.openpty()
    terminal = os.fdopen(follower, "w", encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_stream_cli, "PROGRESS_EVERY", 0.0)  # every 256 rows
    code = cli.main([str(a) for a in args])
    terminal.close()
    fcntl.fcntl(leader, fcntl.F_SETFL, os.O_NONBLOCK)
    chunks = []
    with contextlib.suppress(OSError):  # nothing more to read
        while chunk := os.read(leader, 65536):
            chunks.append(chunk)
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_progress_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sheets: Path, jobs: str
) -> None:
    code, shown = _terminal_stderr(monkeypatch, "score", DISTRICT, sheets, "--format", "csv", "--jobs", jobs)
    assert code == 2
    lines = re.findall(r"\rscored ([\d,]+) sheets \((\d+) errors\), [\d,]+ sheets/s\x1b\[K", shown)
    # Rows 256, 512 … counted with the errors among them: lines 5, 600 and 1030 hold them.
    assert lines == [("256", "1"), ("512", "1"), ("768", "2"), ("1,024", "2"), ("1,280", "3")]
    assert shown.endswith("\r\x1b[K")  # the line is cleared at the end
    assert f"\r\x1b[K{sheets}:600: " in shown  # and before an error is written
    assert capsys.readouterr().out.count("\n") == 1 + ROWS - 4


def test_no_progress_off_a_terminal(capsys: pytest.CaptureFixture[str], sheets: Path) -> None:
    monkeypatch = pytest.MonkeyPatch()
    with monkeypatch.context() as m:
        m.setattr(_stream_cli, "PROGRESS_EVERY", 0.0)
        _, _, err = _run(capsys, "score", DISTRICT, sheets, "--format", "csv")
    assert "\r" not in err
    assert "sheets/s" not in err
    assert len(err.splitlines()) == 3
