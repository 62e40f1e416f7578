"""End-to-end static crawls against local servers (in a subprocess: Twisted's reactor cannot
restart in one process): bad pages, non-HTML, 10 MB, redirect loops, robots.txt, an unreachable
site, the SSRF guard, recrawl dedup and kill -9 + resume."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from store.db import migrate, session_scope
from store.models import CrawlRun, Page, Placement
from tests.crawler.demo_eval import ROOT, run_crawl
from tests.crawler.webserver import TestWeb, html, redirect

AD = ('<div id="{id}" class="ad ad-banner"><a href="http://ib.adnxs.com/click?id={id}&url=http%3A%2F%2F'
      'www.{brand}.example%2Flp"><img src="http://ib.adnxs.com/img?cr={id}" width="300" height="250" '
      'alt="{brand}"></a></div>')


def ad(slot: str, brand: str = "acme") -> str:
    return AD.format(id=slot, brand=brand)


def site_routes() -> dict[str, Any]:
    big_filler = "<p>" + ("lorem ipsum dolor sit amet " * 40) + "</p>\n"
    big = ("<html><body><h1>Big</h1>" + big_filler * (10 * 1024 * 1024 // len(big_filler) + 1)
           + ad("ad-big") + "</body></html>")
    return {
        "pub.example/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /members/\n"),
        "pub.example/": html(
            "<html lang='fr'><head><title>Pub</title></head><body><h1>Accueil</h1>"
            + ad("ad-home")
            + "<a href='/malformed'>m</a> <a href='/document'>pdf</a> <a href='/image'>img</a> <a href='/big'>big</a>"
              " <a href='/loop1'>loop</a> <a href='/broken'>broken</a> <a href='/members/list'>members</a>"
              " <a href='/ssrf'>ssrf</a> <a href='/chainloop'>chain loop</a>"
              " <a href='http://elsewhere.example/'>other site</a></body></html>"),
        "pub.example/malformed": html("<html><body><div><p>unclosed <b><i>tags " + ad("ad-malformed")
                                      + "<table><tr><td>cell</div></span>\x00</body"),
        "pub.example/document": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 binary \x00\x01"),
        "pub.example/image": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        "pub.example/big": (200, {"Content-Type": "text/html"}, big.encode()),
        "pub.example/loop1": redirect("http://pub.example/loop2"),
        "pub.example/loop2": redirect("http://pub.example/loop1"),
        "pub.example/broken": html("<html><body>oops</body></html>", status=500),
        "pub.example/members/list": html("<html><body>secret members" + ad("ad-members") + "</body></html>"),
        "pub.example/ssrf": html(
            "<html><body><div id='ad-ssrf' class='ad-banner'><a href='http://ib.adnxs.com/click?id=evil'>"
            "<img src='http://ib.adnxs.com/img?cr=evil' width='300' height='250'></a></div></body></html>"),
        "ib.adnxs.com/click?id=evil": redirect("http://127.0.0.1:9/internal-admin"),
        "127.0.0.1/internal-admin": html("<html><body>internal admin</body></html>"),
        "pub.example/chainloop": html(
            "<html><body><div id='ad-loop' class='ad-banner'><a href='http://go.loop.example/a'>"
            "<img src='http://ib.adnxs.com/img?cr=loop' width='300' height='250'></a></div></body></html>"),
        "go.loop.example/a": redirect("http://go.loop.example/b"),
        "go.loop.example/b": redirect("http://go.loop.example/a"),
        "ib.adnxs.com/click?id=ad-home&url=http%3A%2F%2Fwww.acme.example%2Flp": redirect("http://t.example/m"),
        "t.example/m": html('<meta http-equiv="refresh" content="0;url=http://www.acme.example/lp">'),
        "www.acme.example/lp": html("<html><body>Acme</body></html>"),
    }


@pytest.fixture
def web() -> Iterator[TestWeb]:
    with TestWeb(site_routes()) as server:
        yield server


def _pages(url: str) -> dict[str, Page]:
    with session_scope(url) as s:
        return {p.url: p for p in s.scalars(select(Page))}


def _placements(url: str) -> list[Placement]:
    with session_scope(url) as s:
        return list(s.scalars(select(Placement)))


def test_static_crawl_survives_bad_pages(web: TestWeb, data_dir: Path, database_url: str, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# publishers\nhttp://pub.example/\nthis is not a url\n\n")
    run_crawl(["--seeds", str(seeds), "--proxy", web.url, "--no-render", "--depth", "1"],
              data_dir=data_dir, database_url=database_url)
    pages = _pages(database_url)
    assert pages["http://pub.example/"].status == "ok"
    assert pages["http://pub.example/malformed"].status == "ok"
    assert pages["http://pub.example/document"].status == "not_html"
    assert pages["http://pub.example/image"].status == "not_html"
    assert pages["http://pub.example/big"].status == "ok"
    assert pages["http://pub.example/broken"].status == "failed"
    assert pages["http://pub.example/broken"].http_status == 500
    assert pages["http://pub.example/loop1"].status == "failed"
    assert "redirect" in (pages["http://pub.example/loop1"].error or "")
    assert pages["http://pub.example/members/list"].status == "blocked"  # robots.txt
    assert "http://elsewhere.example/" not in pages  # other sites are not followed
    slots = {p.slot["id"]: p for p in _placements(database_url)}
    assert set(slots) == {"ad-home", "ad-malformed", "ad-big", "ad-ssrf", "ad-loop"}
    home = slots["ad-home"]
    assert home.landing_url == "http://www.acme.example/lp" and home.advertiser_domain == "acme.example"
    assert [h["via"] for h in home.click_chain] == ["click", "http-302", "meta-refresh"]
    assert home.ad_network == "Xandr" and home.rendered is False
    assert home.detection["layers"] and home.filter_list_version and home.filter_list_version.startswith("vigie-ads@")
    loop = slots["ad-loop"]
    assert loop.landing_url is None and loop.detection["chain_error"] == "redirect loop"
    ssrf = slots["ad-ssrf"]
    assert ssrf.landing_url is None and "refused" in ssrf.click_chain[-1]
    assert not any("internal-admin" in h for h in web.hits)
    with session_scope(database_url) as s:
        run = s.scalars(select(CrawlRun)).one()
        assert run.status == "finished"
        assert any("seeds.txt:3" in bad for bad in run.stats["bad_seeds"])
        assert run.stats["pages_failed"] >= 2 and run.stats["ads"] == 5
        assert run.filter_list_version == home.filter_list_version


def test_allow_private_lets_the_chain_through(web: TestWeb, data_dir: Path, database_url: str) -> None:
    run_crawl(["--seeds", "http://pub.example/ssrf", "--proxy", web.url, "--no-render", "--depth", "0",
               "--allow-private"], data_dir=data_dir, database_url=database_url)
    (placement,) = _placements(database_url)
    assert placement.landing_url == "http://127.0.0.1:9/internal-admin"
    assert "127.0.0.1/internal-admin" in web.hits


def test_recrawl_does_not_duplicate(web: TestWeb, data_dir: Path, database_url: str) -> None:
    args = ["--seeds", "http://pub.example/", "--proxy", web.url, "--no-render", "--depth", "0"]
    run_crawl(args, data_dir=data_dir, database_url=database_url)
    first = {p.fingerprint: (p.first_seen, p.last_seen) for p in _placements(database_url)}
    time.sleep(1.1)
    run_crawl(args, data_dir=data_dir, database_url=database_url)
    second = {p.fingerprint: (p.first_seen, p.last_seen) for p in _placements(database_url)}
    assert set(first) == set(second) and len(second) == 1
    for fp, (first_seen, last_seen) in second.items():
        assert first_seen == first[fp][0] and last_seen > first[fp][1]
    with session_scope(database_url) as s:
        assert s.scalar(select(func.count(CrawlRun.id))) == 2
        assert s.scalar(select(func.count(Page.id))) == 1


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return int(port)


def test_unreachable_site_is_recorded_and_the_crawl_goes_on(data_dir: Path, database_url: str,
                                                            tmp_path: Path) -> None:
    with TestWeb({"127.0.0.1/": html("<html><body>" + ad("ad-up") + "</body></html>")}) as up:
        dead = f"http://127.0.0.1:{_closed_port()}/"
        run_crawl(["--seeds", dead, f"{up.url}/", "--no-render", "--depth", "0",
                   "--set", "RETRY_TIMES=0"], data_dir=data_dir, database_url=database_url)
    pages = _pages(database_url)
    assert pages[dead].status == "failed" and "refused" in (pages[dead].error or "").lower()
    assert pages[f"{up.url}/"].status == "ok"
    assert [p.slot["id"] for p in _placements(database_url)] == ["ad-up"]


def test_invalid_seeds_only_is_a_user_error(data_dir: Path, database_url: str, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("not a url\nftp://x.example/\n")
    proc = run_crawl(["--seeds", str(seeds)], data_dir=data_dir, database_url=database_url, check=False)
    assert proc.returncode == 2
    assert "seeds.txt:1" in proc.stderr


# --- kill -9 and resume --------------------------------------------------------------------


def _slow_site(n_pages: int) -> dict[str, Any]:
    routes: dict[str, Any] = {}
    links = "".join(f"<a href='/p{i}'>p{i}</a> " for i in range(n_pages))
    routes["slow.example/"] = html(f"<html><body>{ad('ad-root')}{links}</body></html>")
    for i in range(n_pages):
        def page(i: int = i) -> tuple[int, dict[str, str], bytes]:
            time.sleep(0.15)
            return html(f"<html><body><p>page {i}</p>{ad(f'ad-{i}', f'brand{i % 5}')}</body></html>")
        routes[f"slow.example/p{i}"] = page
    return routes


def _snapshot(url: str) -> set[tuple[str, str]]:
    with session_scope(url) as s:
        return {(p.page.url, p.fingerprint) for p in s.scalars(select(Placement))}


@pytest.mark.slow
def test_kill_9_and_resume_loses_nothing_and_doubles_nothing(tmp_path: Path, data_dir: Path,
                                                             database_url: str) -> None:
    n = 40
    with TestWeb(_slow_site(n)) as web:
        base = ["--seeds", "http://slow.example/", "--proxy", web.url, "--no-render", "--depth", "1",
                "--max-pages-per-site", "100", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                "--set", "AUTOTHROTTLE_ENABLED=False"]
        # reference: an uninterrupted crawl into its own database
        ref_db = f"sqlite:///{tmp_path / 'ref.db'}"
        migrate(ref_db)
        run_crawl(base, data_dir=data_dir, database_url=ref_db)
        reference = _snapshot(ref_db)
        assert len(reference) == n + 1

        jobdir = tmp_path / "job"
        env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_DATABASE_URL": database_url,
               "VIGIE_CRAWL_LOG_LEVEL": "WARNING"}
        proc = subprocess.Popen([sys.executable, "-m", "crawler.runner", *base, "--jobdir", str(jobdir)],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        stored = 0
        while time.monotonic() < deadline:
            time.sleep(0.2)
            with session_scope(database_url) as s:
                stored = s.scalar(select(func.count(Page.id))) or 0
            if stored >= 8 or proc.poll() is not None:
                break
        assert proc.poll() is None, "the crawl ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        partial = _snapshot(database_url)
        assert 0 < len(partial) < len(reference)

        run_crawl([*base, "--jobdir", str(jobdir)], data_dir=data_dir, database_url=database_url)
        resumed = _snapshot(database_url)
    assert resumed == reference
    with session_scope(database_url) as s:
        assert s.scalar(select(func.count(Placement.id))) == len(reference)
        assert s.scalar(select(func.count(Page.id))) == n + 1
        runs = list(s.scalars(select(CrawlRun)))
        assert len(runs) == 1 and runs[0].status == "finished"  # the resumed crawl kept its run
