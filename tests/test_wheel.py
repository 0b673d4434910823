"""The built wheel carries the shipped rubrics and plans, where `conserv_rubric._shipped` looks for them.

Builds the wheel from this checkout with pip (in an isolated build environment, as users build it).
.ci/wheel-smoke goes further: it installs the wheel alone in a fresh environment and runs it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conserv_rubric._shipped import index

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_rubrics_and_plans(tmp_path: Path) -> None:
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path)]
    done = subprocess.run([*build, str(ROOT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    [wheel] = tmp_path.glob("conserv_rubric-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        members = set(archive.namelist())
        expected = {
            f"conserv_rubric/_data/{folder}/{file.relative_to(ROOT / folder).as_posix()}": file
            for folder in ("rubrics", "plans")
            for file in (ROOT / folder).rglob("*")
            if file.is_file()
        }
        assert "conserv_rubric/_data/rubrics/district.toml" in expected
        assert "conserv_rubric/_data/rubrics/variants/yy-district.toml" in expected
        assert "conserv_rubric/_data/plans/README.md" in expected
        for member, file in expected.items():
            assert member in members
            assert archive.read(member) == file.read_bytes(), member
        assert {m for m in members if m.startswith("conserv_rubric/_data/")} == set(expected)
        assert "conserv_rubric/_shipped.py" in members
        assert "conserv_rubric/py.typed" in members
        for name in ("rubric", "sheet", "district-sheet"):
            member = f"conserv_rubric/schemas/{name}.schema.json"
            assert archive.read(member) == (ROOT / "src" / member).read_bytes(), member
        snapshots = sorted((ROOT / "src" / "conserv_rubric" / "_snapshots").glob("*.json"))
        assert snapshots
        for snapshot in snapshots:
            member = f"conserv_rubric/_snapshots/{snapshot.name}"
            assert archive.read(member) == snapshot.read_bytes(), member
        archive.extractall(tmp_path / "site")
    # Unpacked as pip installs it, the package finds the same names as the checkout does.
    package = tmp_path / "site" / "conserv_rubric"
    installed = index("rubrics", package)
    assert list(installed) == list(index("rubrics"))
    assert installed["district"] == package / "_data" / "rubrics" / "district.toml"
