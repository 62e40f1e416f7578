"""End-to-end flows in Debian's Chromium (Playwright, sync API) against the real app served by
uvicorn on 127.0.0.1: sign in, filter exposures, open the evidence, approve an exclusion and
download the Google Ads file, draft and approve a French answer. Every page is screenshotted
into ``test-artifacts/dashboard/``."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright
from sqlalchemy.orm import Session

from api.app import create_app
from tests.api.seed import PASSWORD, World, seed

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-features=HttpsUpgrades"]

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(database_url: str) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(database_url), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    exe = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH", "/usr/bin/chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def sign_in(page: Page, base: str, user: str, lang: str = "en") -> None:
    page.goto(f"{base}/lang/{lang}?next=/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("header .who strong")).to_have_text(user)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_dialogs(page: Page, seen: list[str]) -> None:
    """Record (and dismiss) any alert(): an injected script that ran would show one."""

    def on_dialog(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)


def test_main_flows_in_chromium(database_url: str, session: Session, data_dir: Path, browser: Browser,
                                tmp_path: Path) -> None:
    world: World = seed(session, data_dir)
    dialogs: list[str] = []
    for base in serve(database_url):
        ctx = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900},
                                  locale="en-GB")
        page = ctx.new_page()
        no_dialogs(page, dialogs)

        # signed out: the login page, whatever is asked for
        page.goto(f"{base}/exposures")
        expect(page).to_have_url(re.compile(r"/login\?next="))
        shot(page, "01-login")

        # the buyer: overview, filter exposures, open the evidence
        sign_in(page, base, "buyer")
        page.goto(base + "/")
        expect(page.locator("h1")).to_have_text("Overview")
        shot(page, "02-overview")
        page.goto(base + "/exposures")
        expect(page.locator("a.evidence-link")).to_have_count(50)
        page.select_option("select[name=category]", "hate_speech")
        page.select_option("select[name=network]", "Criteo")
        page.click("form.filters button[type=submit]")
        expect(page).to_have_url(re.compile(r"category=hate_speech"))
        rows = page.locator("table.exposures tbody tr")
        expect(rows).to_have_count(20)
        for i in range(3):
            expect(rows.nth(i)).to_contain_text("hate-news.example")
            expect(rows.nth(i)).to_contain_text("Criteo")
        shot(page, "03-exposures-filtered")
        page.locator("a.evidence-link").first.click()
        expect(page.locator("svg.shot rect.ad-outline")).to_have_count(1)
        loaded = page.evaluate("() => Promise.all([...document.querySelectorAll('img.ad-shot')].map("
                               "i => i.decode().then(() => i.naturalWidth)))")
        assert loaded == [60]
        shot(page, "04-exposure-evidence")
        with page.expect_response(re.compile(r"/evidence/run1/page\.png$")) as resp:
            page.locator("figcaption a").first.click()
        assert resp.value.status == 200 and resp.value.headers["content-type"] == "image/png"
        page.go_back()

        page.goto(f"{base}/sites/{world.ids['hate']}")
        expect(page.locator("body")).to_contain_text("B-1234")
        shot(page, "05-site")
        page.goto(f"{base}/brands/{world.ids['acme']}")
        expect(page.locator("svg.chart rect.bar")).to_have_count(30)
        page.select_option("#cat_hate_speech", "medium")
        page.click("form[action$='/suitability'] button[type=submit]")
        expect(page.locator("p.ok")).to_be_visible()
        expect(page.locator("#cat_hate_speech")).to_have_value("medium")
        shot(page, "06-brand")

        # approve the exclusion suggestion, then download the Google Ads file
        page.goto(base + "/exclusions")
        row = page.locator(f"#entry-{world.ids['entry']}")
        row.locator("input[name=note]").fill("Vu sur 3 captures")
        shot(page, "07-exclusions-review")
        row.locator("button[value=approve]").click()
        page.goto(base + "/exclusions?status=approved")
        expect(page.locator(f"#entry-{world.ids['entry']}")).to_contain_text("Vu sur 3 captures")
        with page.expect_download() as dl:
            page.locator("a[data-format='google-ads']").first.click()
        target = tmp_path / dl.value.suggested_filename
        dl.value.save_as(target)
        assert dl.value.suggested_filename.endswith(".csv")  # Google Ads bulk upload: one placement per row
        assert "hate-news.example" in target.read_text(encoding="utf-8").split()
        shot(page, "08-exclusions-approved")

        page.goto(base + "/crawl-runs")
        expect(page.locator("meta[http-equiv=refresh]")).to_have_count(1)
        shot(page, "09-crawl-runs")
        page.goto(base + "/rules")
        page.fill("textarea[name=text]", "Un article sur le football.")
        page.click("form[action='/rules'] button[type=submit]")
        expect(page.locator("section.result")).to_be_visible()
        shot(page, "10-rules")
        page.goto(base + "/docs")
        shot(page, "11-api-docs")
        ctx.close()

        # the community manager, in French: draft and approve the answer
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        no_dialogs(page, dialogs)
        sign_in(page, base, "analyst", lang="fr")
        page.goto(base + "/desk")
        expect(page.locator("h1")).to_have_text("Cellule de réponse")
        shot(page, "12-desk-fr")
        page.click(f"a[href='/desk/{world.ids['case']}']")
        page.click("text=Rédiger depuis le modèle")  # the French template, filled with checked facts
        expect(page.locator("h1 .status")).to_have_text("rédigé")
        expect(page.locator("textarea[name=draft]")).to_contain_text("hate-news.example")
        answer = page.locator("textarea[name=draft]").input_value() + "\nNous avons demandé le retrait immédiat."
        page.fill("textarea[name=draft]", answer)
        page.click("form[action$='/draft'] button[type=submit]")
        expect(page.locator("h1 .status")).to_have_text("rédigé")
        page.click("text=Approuver la réponse")
        expect(page.locator("h1 .status")).to_have_text("approuvé")
        expect(page.locator("textarea[name=draft]")).to_have_value(answer)
        expect(page.locator("ol.history")).to_contain_text("approve")
        shot(page, "13-case-approved-fr")
        ctx.close()
    assert dialogs == []


def test_injected_script_never_runs(database_url: str, session: Session, data_dir: Path, browser: Browser) -> None:
    world = seed(session, data_dir, xss=True)
    dialogs: list[str] = []
    for base in serve(database_url):
        page = browser.new_page()
        no_dialogs(page, dialogs)
        sign_in(page, base, "admin")
        for path in ["/", "/exposures", f"/exposures/{world.ids['placement']}", f"/sites/{world.ids['hate']}",
                     "/brands", f"/brands/{world.ids['acme']}", "/desk", f"/desk/{world.ids['case']}",
                     "/exclusions"]:
            page.goto(base + path)
            assert page.locator("script").count() == 0, path
        expect(page.locator("h2").first).to_contain_text("<script>alert(1)</script>")  # shown as text
        page.goto(f"{base}/exposures/{world.ids['placement']}")
        shot(page, "14-escaped-script")
        page.close()
    assert dialogs == []
