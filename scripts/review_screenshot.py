"""Take docs/review-page.png: the review page on a real fixture, in headless chromium.

    .venv/bin/python scripts/review_screenshot.py [REPORT] [-o docs/review-page.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from service_support import CHROMIUM, live_service, upload  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    planted = ROOT / "eval/fixtures/reports/synthetic-2021-arithmetic-errors.txt"
    ap.add_argument("report", nargs="?", default=str(planted))
    ap.add_argument("-o", "--output", default=str(ROOT / "docs/review-page.png"))
    ap.add_argument("--finding", type=int, default=0, help="which finding to select (0-based)")
    ap.add_argument("--scroll", help="then scroll this CSS selector into view (e.g. 'table.applications')")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, live_service(Path(tmp) / "store.db") as base:
        report_id = upload(base, Path(args.report))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
            page.goto(f"{base}/reports/{report_id}")
            page.fill("#reviewer", "张审核")
            for _ in range(args.finding):
                page.keyboard.press("j")
            if args.scroll:
                page.locator(args.scroll).first.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            page.wait_for_load_state("networkidle")  # page images of a PDF, rendered on request
            page.screenshot(path=args.output)
            browser.close()
    sys.stdout.write(f"wrote {args.output}\n")


if __name__ == "__main__":
    main()
