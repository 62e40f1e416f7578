"""Real Chromium through the demo proxy: JS tags inject their ads after load, iframes render."""

from __future__ import annotations

import os

import pytest

from demo.server import DemoWeb
from demo.world import World

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-features=HttpsUpgrades"]


@pytest.mark.slow
def test_chromium_renders_js_ads_and_native_cards(world: World, demo_web: DemoWeb) -> None:
    from playwright.sync_api import sync_playwright

    exe = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH", "/usr/bin/chromium")
    if not os.path.exists(exe):
        pytest.skip(f"no Chromium at {exe}")
    gt = world.ground_truth()
    mfa = next(s for s in gt["sites"] if s["mfa"])
    page_url = next(p["url"] for p in gt["pages"] if p["site"] == mfa["domain"] and p["page_type"] == "article")
    ads = [a for a in gt["ads"] if a["page_url"] == page_url]
    assert {a["kind"] for a in ads} == {"iframe", "js", "native", "image"}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=ARGS, proxy={"server": demo_web.proxy_url})
        try:
            page = browser.new_page()
            resp = page.goto(page_url, wait_until="load")
            assert resp is not None and resp.status == 200
            page.wait_for_timeout(1200)
            for ad in ads:
                el = page.query_selector(f'[id="{ad["slot_id"]}"]')
                assert el is not None, ad["slot_id"]
                if ad["kind"] == "js":
                    assert el.query_selector("a, iframe") is not None, ad["slot_id"]
                box = el.bounding_box()
                assert box and box["width"] >= 30 and box["height"] >= 30, ad["slot_id"]
            # the GAM iframe document loaded and holds the brand's creative
            frames = [f for f in page.frames if "googlesyndication.com" in f.url]
            assert frames and frames[0].query_selector("a img") is not None
        finally:
            browser.close()


@pytest.mark.slow
def test_chromium_follows_click_chains_to_landing_pages(world: World, demo_web: DemoWeb) -> None:
    from playwright.sync_api import sync_playwright

    exe = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH", "/usr/bin/chromium")
    if not os.path.exists(exe):
        pytest.skip(f"no Chromium at {exe}")
    ads = world.ground_truth()["ads"]
    picks = []
    for kinds in (["302", "meta"], ["302", "js"], ["js"], ["meta", "302"]):
        picks.append(next(a for a in ads if a["chain_kinds"] == kinds))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=ARGS, proxy={"server": demo_web.proxy_url})
        try:
            page = browser.new_page()
            for ad in picks:
                page.goto(ad["click_url"])
                page.wait_for_url(ad["landing_url"], timeout=10_000)
                assert page.title().startswith(ad["advertiser_name"])
        finally:
            browser.close()
