"""The review page end to end in headless chromium (Debian's, driven by Playwright):
a planted error highlighted, decisions by click and by keyboard, persisted with their
history, a stale second reviewer shown the first one's decision, and a report's
``<script>`` shown as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import FIXTURES
from playwright.sync_api import Browser, expect, sync_playwright
from service_support import CHROMIUM, live_service, upload

PLANTED = FIXTURES / "reports" / "synthetic-2021-arithmetic-errors.txt"  # 予以公开·总计 prints 23, its parts 22


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup-system (as root)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


def test_review_flow(browser: Browser, tmp_path: Path) -> None:
    with live_service(tmp_path / "store.db") as base:
        report = upload(base, PLANTED)
        url = f"{base}/reports/{report}"
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        stale = browser.new_page()
        stale.goto(url)  # a second reviewer's page, loaded before any decision
        page.goto(url)

        # the planted error: the cell in table 三 and in the source text are flagged
        cell = page.locator('td.cell[data-path="applications.granted.total"]')
        expect(cell).to_have_text("23")
        expect(cell).to_have_class(re.compile(r"\bflag-error\b"))
        mark = page.locator('ol.source mark.primary[data-path="applications.granted.total"]')
        expect(mark).to_have_text("23")
        expect(mark).to_have_class(re.compile(r"\bsev-error\b"))
        expect(mark).to_have_class(re.compile(r"\bfocus\b"))  # the first finding is selected
        expect(mark).to_be_in_viewport()

        findings = page.locator("li.finding")
        expect(findings).to_have_count(4)
        first, second, third = findings.nth(0), findings.nth(1), findings.nth(2)
        expect(first.locator(".rule")).to_have_text("T3-ROW")

        # clicking a finding scrolls the source to its place
        third.locator(".msg").click()
        place = page.locator(f'ol.source mark[data-path="{third.get_attribute("data-place")}"]')
        expect(place).to_have_class(re.compile(r"\bfocus\b"))
        expect(place).to_be_in_viewport()

        page.fill("#reviewer", "王一")
        first.locator(".note").fill("原表如此印刷")
        first.locator("button.dismiss").click()
        expect(first.locator(".status")).to_have_text("dismissed")
        # the keyboard: j to the next finding, c to confirm it
        first.locator(".msg").click()
        page.keyboard.press("j")
        expect(second).to_have_class(re.compile(r"\bcurrent\b"))
        page.keyboard.press("c")
        expect(second.locator(".status")).to_have_text("confirmed")

        page.reload()
        findings = page.locator("li.finding")
        expect(findings.nth(0).locator(".status")).to_have_text("dismissed")
        expect(findings.nth(0).locator(".history")).to_contain_text("王一 dismiss — 原表如此印刷")
        expect(findings.nth(1).locator(".status")).to_have_text("confirmed")
        expect(findings.nth(2).locator(".status")).to_have_text("open")
        history = page.locator("ol.all-history li")
        expect(history).to_have_count(2)
        expect(history.nth(0)).to_contain_text("王一 dismiss T3-ROW")
        expect(history.nth(1)).to_contain_text("王一 confirm T3-OUTCOMES")

        # the stale page confirms what was dismissed meanwhile: not saved, and it says by whom
        stale.fill("#reviewer", "李二")
        stale_first = stale.locator("li.finding").nth(0)
        stale_first.locator("button.confirm").click()
        expect(stale_first.locator(".outcome")).to_contain_text("王一 decided “dismiss”")
        expect(stale_first.locator(".status")).to_have_text("dismissed")
        page.reload()
        expect(page.locator("ol.all-history li")).to_have_count(2)


def test_a_script_in_a_report_is_shown_as_text(browser: Browser, tmp_path: Path) -> None:
    payload = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
    text = PLANTED.read_text(encoding="utf-8").replace("一、总体情况", "一、总体情况" + payload, 1)
    with live_service(tmp_path / "store.db") as base:
        r = httpx.post(f"{base}/v1/extract", json={"name": "evil.txt", "text": text}, timeout=60)
        page = browser.new_page()
        page.goto(f"{base}/reports/{r.json()['id']}")
        expect(page.locator("ol.source")).to_contain_text(payload)
        expect(page.locator("li.finding.current")).to_have_count(1)  # the page's own script did run
        assert page.evaluate("window.pwned") is None


def test_the_api_docs_render_offline(browser: Browser, tmp_path: Path) -> None:
    with live_service(tmp_path / "store.db") as base:
        page = browser.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda req: failed.append(req.url))
        page.goto(f"{base}/docs")
        expect(page.locator(".opblock-summary-path", has_text="/v1/extract")).to_be_visible()
        assert failed == []
