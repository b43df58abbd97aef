#!/usr/bin/env python3
"""docs/img/html-view.png: the HTML view of a concordance, as a notebook shows it.

Renders ``letter.kwic("peace")`` (the embedded letter) in headless Chromium,
Debian's /usr/bin/chromium driven by Playwright (no browser download), as
tests/test_html_render.py does, and saves a screenshot of the table for the
README and the docs. Run it again when the HTML view changes:

    python tools/docs_screenshot.py
"""

from pathlib import Path

from playwright import sync_api

import kwiq

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "img" / "html-view.png"
# Jupyter's own font stack and a white cell, so the picture looks like a notebook's output.
PAGE = """<!DOCTYPE html><html><head><meta charset='utf-8'><style>
body {{ margin: 12px; background: white;
       font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; font-size: 14px; }}
</style></head><body>{table}</body></html>"""


def main() -> None:
    conc = kwiq.sample().kwic("peace")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 900, "height": 400}, device_scale_factor=1)
        page.set_content(PAGE.format(table=conc._repr_html_()))
        page.locator("table.kwiq-concordance").screenshot(path=str(OUTPUT))
        browser.close()
    print(f"{OUTPUT}: {OUTPUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
