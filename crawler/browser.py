"""Playwright helpers: how Chromium is launched, how a page is let to settle, which slots are
visible, and the evidence screenshots (the ad alone, and the page with the ad outlined)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-features=HttpsUpgrades", "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1366, "height": 900}
MIN_SIZE = 30


def chromium_path() -> str | None:
    """PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH, else Debian's /usr/bin/chromium, else on PATH."""
    env = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH")
    if env and Path(env).is_file():
        return env
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_options(proxy: str | None = None) -> dict[str, Any]:
    opts: dict[str, Any] = {"headless": True, "args": list(CHROMIUM_ARGS), "timeout": 30000}
    path = chromium_path()
    if path:
        opts["executable_path"] = path
    if proxy:
        opts["proxy"] = {"server": proxy, "bypass": "<-loopback>"}
    return opts


def context_kwargs(proxy: str | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"viewport": VIEWPORT, "ignore_https_errors": True,
                              "java_script_enabled": True, "service_workers": "block"}
    if proxy:
        kwargs["proxy"] = {"server": proxy, "bypass": "<-loopback>"}
    return kwargs


# JavaScript run in the page: number every element (data-vg) and measure it, so the Python side
# (which parses page.content()) can ask about any element it found.
TAG_AND_MEASURE = """
() => {
  const out = {};
  let i = 0;
  for (const el of document.querySelectorAll('body *')) {
    el.setAttribute('data-vg', String(i));
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    let visible = s.display !== 'none' && s.visibility !== 'hidden' && parseFloat(s.opacity || '1') > 0.05;
    out[i] = [Math.round(r.left + scrollX), Math.round(r.top + scrollY), Math.round(r.width),
              Math.round(r.height), visible ? 1 : 0];
    i += 1;
  }
  // an element is only visible if no ancestor hides it
  for (const el of document.querySelectorAll('body *')) {
    const p = el.parentElement && el.parentElement.getAttribute('data-vg');
    const me = el.getAttribute('data-vg');
    if (p !== null && p !== undefined && out[p] && out[p][4] === 0) out[me][4] = 0;
  }
  return out;
}
"""

DOM_SIGNATURE = """
() => [document.querySelectorAll('*').length, document.querySelectorAll('iframe,img,a').length,
       document.body ? document.body.innerText.length : 0].join(':')
"""

FRAME_SUMMARY = """
() => ({
  links: Array.from(document.querySelectorAll('a[href],area[href],[data-href],[data-click-url]'))
          .map(a => a.href || a.getAttribute('data-href') || a.getAttribute('data-click-url')).slice(0, 50),
  text: (document.body ? document.body.innerText : '').slice(0, 2000),
  alts: Array.from(document.querySelectorAll('img[alt]')).map(i => i.alt).join(' ').slice(0, 500),
  media: document.querySelectorAll('img,video,canvas,svg,a').length,
  html: document.documentElement ? document.documentElement.outerHTML.slice(0, 65536) : ''
})
"""


async def settle(page: Any, *, min_wait_ms: int = 1200, max_wait_ms: int = 8000, step_ms: int = 300) -> None:
    """Let late ads arrive: network idle (bounded), then the DOM must stop changing."""
    with contextlib.suppress(Exception):  # long-polling pages never go idle
        await page.wait_for_load_state("networkidle", timeout=max_wait_ms)
    await asyncio.sleep(min_wait_ms / 1000)
    last = None
    stable = 0
    waited = 0
    while waited < max_wait_ms and stable < 3:
        try:
            sig = await page.evaluate(DOM_SIGNATURE)
        except Exception:
            return
        stable = stable + 1 if sig == last else 0
        last = sig
        await asyncio.sleep(step_ms / 1000)
        waited += step_ms


async def evidence_shots(page: Any, vg: str, ad_path: Path, page_path: Path) -> tuple[bool, bool]:
    """A PNG of the ad element, and a PNG of the viewport around it with the ad outlined in red (the kind of
    screenshot an activist posts). The outline is removed afterwards."""
    ad_ok = page_ok = False
    ad_path.parent.mkdir(parents=True, exist_ok=True)
    handle = await page.query_selector(f'[data-vg="{vg}"]')
    if handle is None:
        return False, False
    try:
        await handle.scroll_into_view_if_needed(timeout=3000)
        await handle.screenshot(path=str(ad_path), timeout=10000)
        ad_ok = True
    except Exception:
        ad_ok = False
    try:
        await page.evaluate(
            """(vg) => { const el = document.querySelector('[data-vg="' + vg + '"]');
                 if (!el) return; el.dataset.vgOutline = el.style.outline || '';
                 el.style.outline = '5px solid #e0001b'; el.style.outlineOffset = '2px'; }""", vg)
        await page.screenshot(path=str(page_path), full_page=False, timeout=15000)
        page_ok = True
    except Exception:
        page_ok = False
    finally:
        with contextlib.suppress(Exception):
            await page.evaluate(
                """(vg) => { const el = document.querySelector('[data-vg="' + vg + '"]');
                     if (el) { el.style.outline = el.dataset.vgOutline || ''; el.style.outlineOffset = '';
                               delete el.dataset.vgOutline; } }""", vg)
    return ad_ok, page_ok
