"""Browser recycling on a rendered crawl: with ``VIGIE_PAGES_PER_BROWSER=3`` the Chromium process
is closed and relaunched every 3 pages, no page in flight is lost (each is stored with its ad and
its evidence screenshots), and at most one browser process is alive at any time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from store.db import migrate, session_scope
from store.models import CrawlRun, Page, Placement
from tests.crawler.demo_eval import ROOT
from tests.crawler.webserver import Route, TestWeb, html, redirect

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e221bc330000000049454e44ae426082")
SITES = ("pub1.example", "pub2.example")
PAGES_PER_SITE = 5


def _routes() -> dict[str, Route]:
    routes: dict[str, Route] = {"www.acme.example/lp": html("<html><body>Acme</body></html>")}
    for site in SITES:
        for i in range(PAGES_PER_SITE):
            slot = f"ad-{site.split('.')[0]}-{i}"
            click = f"ib.adnxs.com/click?id={slot}&url=http%3A%2F%2Fwww.acme.example%2Flp"
            routes[f"{site}/p{i}"] = html(
                f"<html><head><title>{site} {i}</title></head><body><h1>Page {i}</h1>"
                f"<div id='{slot}' class='ad ad-banner'><a href='http://{click}'>"
                f"<img src='http://ib.adnxs.com/img?cr={slot}' width='300' height='250' alt='acme'></a></div>"
                "<p>article text</p></body></html>")
            routes[click] = redirect("http://www.acme.example/lp")
            routes[f"ib.adnxs.com/img?cr={slot}"] = (200, {"Content-Type": "image/png"}, PNG)
    return routes


def _chromium_processes(root_pid: int) -> tuple[set[int], int]:
    """Chromium processes under ``root_pid``: (browser main processes, all chromium processes)."""
    parents: dict[int, int] = {}
    cmdlines: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            raw = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        cmdlines[int(entry.name)] = [c.decode("utf-8", "replace") for c in raw if c]

    def under_root(pid: int) -> bool:
        for _ in range(50):
            if pid == root_pid:
                return True
            pid = parents.get(pid, 0)
            if pid <= 1:
                return False
        return False

    mains: set[int] = set()
    count = 0
    for pid, cmd in cmdlines.items():
        if not cmd or "chromium" not in Path(cmd[0]).name or not under_root(pid):
            continue
        count += 1
        if "--remote-debugging-pipe" in cmd and not any(c.startswith("--type=") for c in cmd):
            mains.add(pid)
    return mains, count


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts Chromium processes in /proc")
def test_render_crawl_recycles_the_browser(tmp_path: Path, data_dir: Path, database_url: str) -> None:
    migrate(database_url)
    urls = [f"http://{site}/p{i}" for site in SITES for i in range(PAGES_PER_SITE)]
    with TestWeb(_routes()) as web:
        env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_DATABASE_URL": database_url,
               "VIGIE_CRAWL_LOG_LEVEL": "WARNING"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.runner", "--seeds", *urls, "--proxy", web.url, "--render",
             "--depth", "0", "--set", "VIGIE_PAGES_PER_BROWSER=3", "--set", "VIGIE_PAGES_PER_CONTEXT=2"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen: set[int] = set()
        live_browsers: list[int] = []
        live_chromium: list[int] = []
        deadline = time.monotonic() + 180
        while proc.poll() is None and time.monotonic() < deadline:
            mains, count = _chromium_processes(proc.pid)
            seen |= mains
            live_browsers.append(len(mains))
            live_chromium.append(count)
            time.sleep(0.2)
        if proc.poll() is None:
            proc.kill()
        out, err = proc.communicate()
        assert proc.returncode == 0, f"{out[-2000:]}\n{err[-4000:]}"

    with session_scope(database_url) as s:
        pages = {p.url: p for p in s.scalars(select(Page))}
        placements = list(s.scalars(select(Placement)))
        run = s.scalars(select(CrawlRun)).one()
        stats = dict(run.stats or {})
        # every page, in flight or not when its browser was due for a restart, is stored whole
        assert sorted(pages) == sorted(urls)
        assert all(p.status == "ok" for p in pages.values()), [(p.url, p.status, p.error) for p in pages.values()]
        by_page = {p.page_id: p for p in placements}
        assert len(placements) == len(urls) and len(by_page) == len(urls)
        for p in placements:
            assert p.rendered and p.slot["id"].startswith("ad-")
            assert p.advertiser_domain == "acme.example"
            assert p.screenshot_path and p.page_screenshot_path  # the page was alive for its evidence
    assert stats["pages_rendered"] == len(urls)
    # 10 pages, 3 per browser: 4 browsers, i.e. 3 restarts; the processes seen agree
    assert stats["browser_restarts"] == 3
    assert stats["browser_launches"] == 4
    assert len(seen) == stats["browser_launches"]
    # never two browsers at once (the old one is gone before the new one starts) ...
    assert max(live_browsers) == 1
    # ... and the process count does not grow from one browser generation to the next
    assert max(live_chromium[len(live_chromium) // 2:]) <= max(live_chromium[: len(live_chromium) // 2]) + 2
    print(f"\nbrowsers seen: {len(seen)}, samples: {len(live_chromium)}, "
          f"chromium processes max first half {max(live_chromium[: len(live_chromium) // 2])}, "
          f"second half {max(live_chromium[len(live_chromium) // 2:])}")
