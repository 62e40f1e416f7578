"""The recrawl queue is consumed: ``vigie crawl recrawls`` crawls the pages and sites that
activist posts called out (on the demo web), marks each request done or failed, and the
scheduler can run it as the ``recrawl`` job kind."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from demo.server import DemoWeb
from demo.world import World, build_world
from ops.scheduler import list_jobs
from store.db import session_scope
from store.models import CrawlRun, Page, Placement, RecrawlRequest, Site, utcnow
from store.placements import upsert_page
from store.recrawl import plan_recrawls
from vigie.cli import app

ROOT = Path(__file__).resolve().parents[2]
cli = CliRunner()


def vigie(*args: str) -> tuple[int, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(7)


@pytest.fixture
def web(world: World) -> Iterator[DemoWeb]:
    with DemoWeb(world) as w:
        yield w


def _registry(world: World, tmp_path: Path) -> None:
    (tmp_path / "brands.yaml").write_text(world.brands_yaml(), encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(world.sites_yaml(), encoding="utf-8")
    for kind in ("brands", "sites"):
        code, out = vigie(kind, "import", str(tmp_path / f"{kind}.yaml"))
        assert code == 0, out


def _recrawls(proxy: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vigie", "crawl", "recrawls", "--proxy", proxy,
                           "--allow-private", "--no-render"], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_recrawls_consume_the_queue(world: World, web: DemoWeb, database_url: str, tmp_path: Path) -> None:
    _registry(world, tmp_path)
    truth = world.ground_truth()
    static_ads: dict[str, set[str]] = defaultdict(set)
    for ad in truth["ads"]:
        if not ad["needs_js"] and ad["brand"]:
            static_ads[ad["page_url"]].add(ad["slot_id"])
    site_b = "forum-chasse-tir.fr"  # a small site whose home shows a branded static ad
    home_b = next(p["url"] for p in truth["pages"] if p["site"] == site_b and p["page_type"] == "home")
    pages_b = {p["url"] for p in truth["pages"] if p["site"] == site_b} - set(truth["robots_disallowed"])
    page_a = next(p for p in truth["pages"] if p["page_type"] == "article" and p["site"] != site_b
                  and static_ads[p["url"]] and p["url"] not in truth["robots_disallowed"])
    unreachable = "http://no-such-host.example/claimed-article.html"
    with session_scope(database_url) as s:
        # an earlier crawl saw site B's home (its scheme and host are reused); nothing else of it
        upsert_page(s, url=home_b, status="ok", seen_at=utcnow() - timedelta(days=3))
        old = utcnow() - timedelta(hours=1)
        s.add_all([
            RecrawlRequest(url=page_a["url"] + "#comments", site_domain=page_a["site"], reason="post 1",
                           requested_at=old),
            RecrawlRequest(url=None, site_domain=site_b, reason="post 2", requested_at=old),
            RecrawlRequest(url=unreachable, site_domain="no-such-host.example", reason="post 3",
                           requested_at=old),
        ])

    result = _recrawls(web.proxy_url)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "3 taken, 2 done, 1 failed" in result.stdout, result.stdout

    with session_scope(database_url) as s:
        reqs = {r.reason: r for r in s.scalars(select(RecrawlRequest))}
        assert reqs["post 1"].status == "done" and reqs["post 1"].done_at is not None
        assert reqs["post 2"].status == "done" and reqs["post 2"].done_at is not None
        assert reqs["post 1"].error is None and reqs["post 2"].error is None
        failed = reqs["post 3"]
        assert failed.status == "failed" and failed.done_at is not None
        assert failed.error and "502" in failed.error and "crawl run" in failed.error

        def slots(url: str) -> set[str]:
            return {slot["id"] for slot in s.scalars(
                select(Placement.slot).join(Page, Page.id == Placement.page_id).where(Page.url == url))}

        # the claimed page alone (depth 0), with its ads
        assert static_ads[page_a["url"]] <= slots(page_a["url"])
        site_a_pages = set(s.scalars(select(Page.url).join(Site).where(Site.domain == page_a["site"])))
        assert site_a_pages == {page_a["url"]}
        # the site: its home and the pages it links to (depth 1), with the home's ads
        assert static_ads[home_b] <= slots(home_b)
        site_b_pages = set(s.scalars(select(Page.url).join(Site).where(Site.domain == site_b)))
        assert pages_b <= site_b_pages and all(u.startswith("http://forum-chasse-tir.fr/") for u in site_b_pages)
        run = s.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        assert run is not None and run.status == "finished"
        assert sorted(run.args["recrawl_requests"]) == sorted(r.id for r in reqs.values())
        runs_before = s.scalar(select(func.count(CrawlRun.id)))

    again = _recrawls(web.proxy_url)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "no pending recrawl requests" in again.stdout
    with session_scope(database_url) as s:
        assert s.scalar(select(func.count(CrawlRun.id))) == runs_before  # nothing crawled


def test_plan_dedupes_and_seeds_site_homes(database_url: str) -> None:
    with session_scope(database_url) as s:
        upsert_page(s, url="http://www.known.fr/", status="ok")
        upsert_page(s, url="http://other.fr/2026/a.html", status="ok")
        reqs = [
            RecrawlRequest(url="http://www.known.fr/x.html#top", site_domain="known.fr"),
            RecrawlRequest(url="http://www.known.fr/x.html", site_domain="known.fr"),
            RecrawlRequest(url=None, site_domain="known.fr"),
            RecrawlRequest(url=None, site_domain="other.fr"),
            RecrawlRequest(url=None, site_domain="never-seen.fr"),
            RecrawlRequest(url="ftp://known.fr/file", site_domain="known.fr"),
        ]
        s.add_all(reqs)
        s.flush()
        plan = plan_recrawls(s, reqs)
    assert plan.seeds == ["http://www.known.fr/x.html", "http://www.known.fr/", "http://other.fr/",
                          "https://never-seen.fr/"]
    assert plan.leaf_urls == ["http://www.known.fr/x.html"] and plan.depth == 1
    assert plan.seed_of[reqs[0].id] == plan.seed_of[reqs[1].id]
    assert set(plan.rejected) == {reqs[5].id} and "ftp" in plan.rejected[reqs[5].id]


def test_schedule_recrawl_kind(database_url: str) -> None:
    code, out = vigie("schedule", "add", "recrawl", "--every", "15m")
    assert code == 0, out
    assert "added recrawl" in out
    code, out = vigie("schedule", "add", "recrawl", "--id", "recrawl:demo", "--proxy", "http://127.0.0.1:9",
                      "--no-render", "--allow-private")  # no trigger: the kind's default, every 15 min
    assert code == 0, out
    jobs = {j.id: j for j in list_jobs(database_url)}
    assert {jobs["recrawl"].kind, jobs["recrawl:demo"].kind} == {"recrawl"}
    assert "0:15:00" in jobs["recrawl"].trigger and "0:15:00" in jobs["recrawl:demo"].trigger
    assert jobs["recrawl"].misfire_grace_time == 3600
    assert jobs["recrawl:demo"].kwargs == {"job_id": "recrawl:demo", "proxy": "http://127.0.0.1:9",
                                           "render": False, "allow_private": True}
    code, out = vigie("schedule", "list")
    assert code == 0 and "recrawl\trecrawl\t" in out and "recrawl:demo\trecrawl\t" in out
