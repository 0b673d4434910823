"""Regenerate the screenshots of the HTML reports in docs/images/ from the shipped examples.

Run from anywhere, with the ci group installed and Debian's Chromium (as for the browser tests)::

    pip install --group ci -e . && python docs/screenshots.py

The pages are written by the command line itself (``--format html -o``), from
examples/district/pass.toml (the scorecard), examples/district/fail.toml (the gap page) and
examples/district-year/ with plans/district.toml (the dashboard), then opened in headless
Chromium; each screenshot is the top of its page at a desktop width.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
IMAGES: Final = ROOT / "docs" / "images"
sys.path.insert(0, str(ROOT / "tests"))

from browser import launch, visit  # noqa: E402 - found through the path set just above
from playwright.sync_api import sync_playwright  # noqa: E402 - the ci group's

from conserv_rubric import cli  # noqa: E402 - after the path, like the imports above

EXAMPLES: Final = ROOT / "examples"
#: Each screenshot: its file, and the command line that writes its page.
SHOTS: Final = {
    "scorecard.png": ["score", "district", str(EXAMPLES / "district" / "pass.toml")],
    "gap.png": ["gap", "district", str(EXAMPLES / "district" / "fail.toml")],
    "dashboard.png": [
        "rollup",
        "district",
        str(EXAMPLES / "district-year" / "sheets"),
        "--plan",
        str(ROOT / "plans" / "district.toml"),
        "--roster",
        str(EXAMPLES / "district-year" / "roster.csv"),
    ],
}
VIEWPORT: Final = {"width": 1000, "height": 760}


def main() -> int:
    """Write every screenshot of `SHOTS`; return 1 if a page did not load cleanly."""
    IMAGES.mkdir(exist_ok=True)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        context = launch(playwright, Path(tmp) / "profile", viewport=VIEWPORT)
        for name, args in SHOTS.items():
            page_file = Path(tmp) / name.replace(".png", ".html")
            code = cli.main([*args, "--format", "html", "-o", str(page_file)])
            seen = visit(context, page_file)
            if seen.errors or seen.requests != [page_file.as_uri()] or code == 3:
                print(f"{name}: {seen.errors or seen.requests}", file=sys.stderr)
                failed = 1
            seen.page.screenshot(path=str(IMAGES / name))
            print(f"wrote {(IMAGES / name).relative_to(ROOT)}")
        context.close()
    return failed


if __name__ == "__main__":
    sys.exit(main())
