"""Screenshot the top of a report for the README: ``python tools/screenshot.py REPORT.html OUT.png``.

Headless Debian Chromium through Playwright (never ``playwright install``), a 1280 × 900 viewport, after
the charts have drawn. The docs' report screenshots are made with it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main(report: str, out: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(Path(report).resolve().as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.splitlines()[0])
    main(sys.argv[1], sys.argv[2])
