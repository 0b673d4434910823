"""What the benchmark scripts share: the machine they ran on, child processes timed whole, medians."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import attrs

MIB: Final = 1024 * 1024


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo``, or the platform's word for it."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cores() -> int:
    """The processors this process may run on (what ``nproc`` prints)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def machine() -> str:
    """One line about the machine: cores, CPU, Python and the load average now."""
    return (
        f"machine: nproc {cores()}, {cpu_model()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}; "
        f"load average {load_average()}"
    )


def cli() -> list[str]:
    """The command that runs ``conserv-rubric`` with this interpreter's installation."""
    beside = Path(sys.executable).with_name("conserv-rubric")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("conserv-rubric")
    if found is not None:
        return [found]
    return [sys.executable, "-m", "conserv_rubric"]


def child_env() -> dict[str, str]:
    """This environment, with bytecode caching on, so that start-up is measured as users see it."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@attrs.frozen
class Child:
    """A finished child process: wall seconds, its own peak resident memory, exit code, stderr."""

    wall: float
    peak_rss: int
    returncode: int
    stderr: str

    def refusal(self) -> str | None:
        """What the child said when it exited with 2 (a usage or input error), else None."""
        if self.returncode != 2:  # 0 or 1: scored (1 says an agency did not reach the level)
            return None
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[0] if lines else "exit status 2 and nothing on stderr"


def run_child(argv: Sequence[str], stdout: str = os.devnull) -> Child:
    """Run *argv* with its output to *stdout*, timed as a whole; its own peak RSS from ``wait4``.

    ``getrusage(RUSAGE_CHILDREN)`` would give the largest of all children so far; ``wait4`` gives
    this child's alone.
    """
    with (
        open(stdout, "wb") as out,
        tempfile.TemporaryFile() as err,
    ):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=child_env())
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return Child(wall, usage.ru_maxrss * 1024, proc.returncode, text)


@attrs.frozen
class Spread:
    """The median of some figures, with their minimum and maximum."""

    median: float
    min: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        """The spread of *values* (at least one)."""
        return cls(statistics.median(values), min(values), max(values))


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows of cells as aligned text: the first column to the left, the others to the right."""
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(max(map(len, rows)))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=False))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
