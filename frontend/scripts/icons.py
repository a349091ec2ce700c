"""Render the app icons (public/icons/*.png) from icons/livehub.svg with Debian's Chromium.

Run after changing the SVG: `../.venv/bin/python scripts/icons.py` in frontend/; the PNGs are
committed (the build does not need a browser).
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent.parent
SVG = (HERE / "icons" / "livehub.svg").read_text()

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    for size in (192, 512):
        page = browser.new_page(viewport={"width": size, "height": size})
        page.set_content(f"<style>html,body{{margin:0}}svg{{display:block;width:{size}px;height:{size}px}}</style>{SVG}")
        page.screenshot(path=str(HERE / "public" / "icons" / f"livehub-{size}.png"))
        page.close()
    browser.close()
