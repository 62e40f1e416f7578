"""Store pipeline: one transaction per page (page row, its placements, the run's running stats),
then the page is marked done in the JOBDIR journal. Upserts make a redone page harmless, which
is what makes a crawl killed with ``kill -9`` resumable with nothing lost and nothing doubled."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.items import PageItem
from store.db import migrate, session_scope
from store.models import CrawlRun
from store.placements import (
    finish_run,
    page_placements,
    reopen_run,
    start_run,
    upsert_page,
    upsert_placement,
)

log = logging.getLogger(__name__)

RUN_FILE = "vigie-run.json"


class JobJournal:
    """Append-only journal in JOBDIR of the pages scheduled and the pages stored.

    Scrapy's own JOBDIR loses the requests that were in flight when the process is killed hard;
    on resume the spider re-issues every page scheduled but not stored."""

    def __init__(self, jobdir: str | None) -> None:
        self.dir = Path(jobdir) if jobdir else None
        self.scheduled_rows: dict[str, tuple[int, str]] = {}
        self.done_urls: set[str] = set()
        self._sched = self._done = None
        if self.dir is None:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        sched_path, done_path = self.dir / "vigie-scheduled.log", self.dir / "vigie-done.log"
        if sched_path.is_file():
            for line in sched_path.read_text(encoding="utf-8", errors="replace").splitlines():
                parts = line.split("\t")
                if len(parts) == 3 and parts[1].isdigit():
                    self.scheduled_rows.setdefault(parts[0], (int(parts[1]), parts[2]))
        if done_path.is_file():
            self.done_urls = set(done_path.read_text(encoding="utf-8", errors="replace").splitlines())
        self._sched = sched_path.open("a", encoding="utf-8")
        self._done = done_path.open("a", encoding="utf-8")

    def scheduled(self, url: str, depth: int, mode: str) -> None:
        self.scheduled_rows.setdefault(url, (depth, mode))
        if self._sched is not None:
            self._sched.write(f"{url}\t{depth}\t{mode}\n")
            self._sched.flush()

    def done(self, url: str) -> None:
        self.done_urls.add(url)
        if self._done is not None:
            self._done.write(url + "\n")
            self._done.flush()

    def pending(self) -> list[tuple[str, int, str]]:
        return [(u, d, m) for u, (d, m) in self.scheduled_rows.items() if u not in self.done_urls]

    def run_id(self) -> int | None:
        if self.dir is None or not (self.dir / RUN_FILE).is_file():
            return None
        try:
            return int(json.loads((self.dir / RUN_FILE).read_text())["run_id"])
        except (ValueError, KeyError, TypeError):
            return None

    def save_run_id(self, run_id: int) -> None:
        if self.dir is not None:
            (self.dir / RUN_FILE).write_text(json.dumps({"run_id": run_id}))

    def close(self) -> None:
        for fh in (self._sched, self._done):
            if fh is not None:
                fh.close()


def _new_stats() -> dict[str, Any]:
    return {"pages": 0, "pages_ok": 0, "pages_failed": 0, "pages_not_html": 0, "pages_blocked": 0,
            "pages_rendered": 0, "ads": 0, "placements_new": 0, "placements_seen_again": 0,
            "brands": [], "unknown_advertisers": [], "failures": [], "bad_seeds": []}


class PlacementStorePipeline:
    """Writes PageItems; keeps the CrawlRun's stats current after every page."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id: int | None = None
        self.stats: dict[str, Any] = _new_stats()
        self.progress: Callable[[dict[str, Any]], None] | None = crawler.settings.get("VIGIE_PROGRESS")
        self._last_log = 0.0
        self._last_stats_write = 0.0
        self.site_ids: dict[str, int] = {}
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlacementStorePipeline:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def open_spider(self, spider: Spider | None = None) -> None:
        sp = self.spider
        migrate(sp.database_url)
        journal: JobJournal = sp.journal
        with session_scope(sp.database_url) as s:
            env_run = os.environ.get("VIGIE_CRAWL_RUN_ID", "")
            run_id = sp.run_id or journal.run_id() or (int(env_run) if env_run.isdigit() else None)
            run = reopen_run(s, run_id) if run_id else None
            if run is None:
                run = start_run(s, args=sp.run_args(), filter_list_version=sp.engine.version)
            else:
                self.stats = {**_new_stats(), **(run.stats or {})}
                if not run.filter_list_version:
                    run.filter_list_version = sp.engine.version
            self.run_id = run.id
            self.filter_list_version = run.filter_list_version
        sp.run_id = self.run_id
        journal.save_run_id(self.run_id)
        self.stats["bad_seeds"] = sorted(set(self.stats["bad_seeds"]) | {str(e) for e in sp.seed_errors})

    def process_item(self, item: PageItem, spider: Spider | None = None) -> PageItem:
        """One transaction per page. The run's counters and the site cache change only once the
        transaction committed, so a write retried after a lost race counts nothing twice."""
        sp = self.spider
        url = item["url"]
        status = item.get("status", "ok")
        ads = item.get("ads") or []
        stats = {**self.stats, "brands": list(self.stats["brands"]),
                 "unknown_advertisers": list(self.stats["unknown_advertisers"]),
                 "failures": list(self.stats["failures"])}
        brands = set(stats["brands"])
        unknown = set(stats["unknown_advertisers"])
        site_ids = dict(self.site_ids)
        with session_scope(sp.database_url) as s:
            page = upsert_page(s, url=url, status=status, http_status=item.get("http_status"),
                               title=item.get("title"), lang=item.get("lang"), text=item.get("text"),
                               error=item.get("error"), meta=item.get("meta"), site_ids=site_ids)
            existing = page_placements(s, page)
            for ad in ads:
                values = {k: v for k, v in ad.items() if k != "fingerprint"}
                values["crawl_run_id"] = self.run_id
                values["filter_list_version"] = self.filter_list_version
                _, created = upsert_placement(s, page, ad["fingerprint"], values, existing=existing)
                stats["placements_new" if created else "placements_seen_again"] += 1
                if ad.get("brand_id") is not None:
                    brands.add(ad["brand_id"])
                elif ad.get("advertiser_domain"):
                    unknown.add(ad["advertiser_domain"])
            stats["pages"] += 1
            key = {"ok": "pages_ok", "not_html": "pages_not_html", "blocked": "pages_blocked"}.get(status,
                                                                                                 "pages_failed")
            stats[key] += 1
            if item.get("rendered"):
                stats["pages_rendered"] += 1
            stats["ads"] += len(ads)
            stats["brands"] = sorted(brands)
            stats["unknown_advertisers"] = sorted(unknown)
            if status not in ("ok", "not_html") and len(stats["failures"]) < 200:
                stats["failures"].append({"url": url, "status": status, "error": item.get("error")})
            now = time.monotonic()
            if now - self._last_stats_write > 2 or stats["pages"] % 25 == 0:
                # kept current for a live view; the exact totals are written when the spider closes
                self._last_stats_write = now
                run = s.get(CrawlRun, self.run_id)
                if run is not None:
                    run.stats = dict(stats)
        self.stats = stats
        self.site_ids = site_ids
        sp.journal.done(url)
        if item.get("scheduled_url") and item["scheduled_url"] != url:
            sp.journal.done(item["scheduled_url"])
        self._report()
        return item

    def _report(self, final: bool = False) -> None:
        if self.progress is not None:
            self.progress(dict(self.stats))
        now = time.monotonic()
        if final or now - self._last_log > 5:
            self._last_log = now
            st = self.stats
            log.info("vigie progress: pages %d (%d failed) · ads %d · brands %d · unknown advertisers %d",
                     st["pages"], st["pages_failed"], st["ads"], len(st["brands"]),
                     len(st["unknown_advertisers"]))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        status = "finished" if reason == "finished" else "interrupted"
        scrapy_stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.stats["requests"] = int(scrapy_stats.get("downloader/request_count", 0))
        self.stats["ssrf_refused"] = int(scrapy_stats.get("vigie/ssrf_refused", 0))
        self.stats["auto_render"] = int(scrapy_stats.get("vigie/auto_render", 0))
        self.stats["browser_launches"] = int(scrapy_stats.get("playwright/browser_count", 0))
        self.stats["browser_restarts"] = int(scrapy_stats.get("vigie/browser_restarts", 0))
        with session_scope(self.spider.database_url) as s:
            finish_run(s, self.run_id, status=status, stats=dict(self.stats),
                       error=None if status == "finished" else reason)
        self._report(final=True)
        self.spider.journal.close()
