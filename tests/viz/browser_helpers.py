"""Browser-test helpers: headless Debian chromium driven by Playwright (never `playwright install`)."""

import io
from pathlib import Path

import numpy as np
from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


class Opened:
    """A page opened from file:// with everything it did recorded."""

    def __init__(self, browser, path: Path, width: int = 1280):
        self.page = browser.new_page(viewport={"width": width, "height": 1000})
        self.errors, self.requests, self.dialogs = [], [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("document.querySelectorAll('.chart .main-svg').length >= "
                                    "document.querySelectorAll('.chart').length", timeout=15000)

    def close(self):
        self.page.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def glyph_image(page, text: str) -> np.ndarray:
    """``text`` drawn in the conclusions heading's font, as a grayscale array."""
    page.evaluate("""t => { const h = document.querySelector('#conclusions h2');
        let s = document.getElementById('probe'); if (!s) { s = document.createElement('span'); s.id = 'probe';
        s.style.cssText = 'font:' + getComputedStyle(h).font + ';font-size:40px;padding:4px;background:#fff';
        h.after(s); } s.textContent = t; }""", text)
    return np.asarray(Image.open(io.BytesIO(page.locator("#probe").screenshot())).convert("L"), dtype=float)
