"""Consume the targeted recrawl queue (``recrawl_requests``) that corroboration fills.

The pending requests, oldest first, become the seeds of ONE placement crawl
(``crawler.runner.run_placements_crawl``): a request's page when it names one (crawled alone,
depth 0), else the site's home page (depth 1, so the site's current articles are seen too).
Each request is then marked ``done`` or ``failed`` from what happened to its seed page.

The crawl runs Twisted's reactor, which cannot restart: call :func:`run_recrawls` once per
process (``vigie crawl recrawls`` is that process; the scheduler runs it as a subprocess)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import session_scope
from store.models import CrawlRun, Page, RecrawlRequest, Site, utcnow

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 100
SITE_DEPTH = 1
PAGES_PER_SITE = 20
"""Pages a site-level recrawl may visit (home + its links), as ``vigie crawl placements``."""

LEAF_URLS_SETTING = "VIGIE_RECRAWL_LEAF_URLS"
ON_PAGE_SETTING = "VIGIE_RECRAWL_ON_PAGE"
MIDDLEWARE = "store.recrawl.RecrawlMiddleware"

# a page fetched (even if not HTML) answers the request; these mean it could not be checked
_FAILED_STATUSES = {"failed", "blocked"}


@dataclass
class RecrawlPlan:
    """What one recrawl pass crawls and which request each seed answers."""

    request_ids: list[int]
    seeds: list[str]
    leaf_urls: list[str]
    depth: int
    max_pages_per_site: int
    seed_of: dict[int, str]
    rejected: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PageOutcome:
    url: str
    status: str
    error: str | None
    ads: int


@dataclass
class RecrawlReport:
    """What ``vigie crawl recrawls`` prints."""

    taken: int = 0
    done: int = 0
    failed: int = 0
    left_pending: int = 0
    crawl_run_id: int | None = None
    crawl_status: str | None = None
    crawl_stats: dict[str, Any] = field(default_factory=dict)
    failures: list[tuple[int, str, str]] = field(default_factory=list)  # (request id, target, error)


def pending_requests(session: Session, limit: int = DEFAULT_LIMIT) -> list[RecrawlRequest]:
    """The oldest pending requests first (the queue is fair to old claims)."""
    return list(session.scalars(
        select(RecrawlRequest).where(RecrawlRequest.status == "pending")
        .order_by(RecrawlRequest.requested_at, RecrawlRequest.id).limit(limit)))


def site_home(session: Session, domain: str) -> str:
    """The site's home page as Vigie already crawled it (keeps its scheme and host, like a
    group crawl), else the scheme and host of any page seen there, else ``https://DOMAIN/``."""
    urls = list(session.scalars(select(Page.url).join(Site, Page.site_id == Site.id)
                                .where(Site.domain == domain).order_by(Page.id).limit(200)))
    for url in urls:
        parts = urlsplit(url)
        if parts.path in ("", "/") and not parts.query:
            return url
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}/"
    return f"https://{domain}/"


def plan_recrawls(session: Session, requests: list[RecrawlRequest]) -> RecrawlPlan:
    """Seeds for ``requests``: deduplicated; a page also asked for as a site's home is crawled
    as the site (depth 1). A request whose URL is unusable is rejected with the reason."""
    from crawler.seeds import normalise_seed
    from vigie.domains import registrable_domain

    seed_of: dict[int, str] = {}
    rejected: dict[int, str] = {}
    site_seeds: set[str] = set()
    homes: dict[str, str] = {}
    for req in requests:
        try:
            if req.url:
                seed_of[req.id] = normalise_seed(req.url)
                continue
            if not req.site_domain:
                rejected[req.id] = "neither url nor site_domain"
                continue
            domain = req.site_domain.strip().lower()
            if domain not in homes:
                homes[domain] = normalise_seed(site_home(session, domain))
            seed_of[req.id] = homes[domain]
            site_seeds.add(homes[domain])
        except ValueError as exc:
            rejected[req.id] = f"bad URL {req.url or req.site_domain!r}: {exc}"
    seeds = list(dict.fromkeys(seed_of[r.id] for r in requests if r.id in seed_of))
    leaves = [s for s in seeds if s not in site_seeds]
    # page seeds count against their site's page cap: leave room for them besides the home's links
    per_site = Counter(registrable_domain(s) or urlsplit(s).hostname for s in leaves)
    return RecrawlPlan(request_ids=[r.id for r in requests], seeds=seeds,
                       leaf_urls=leaves if site_seeds else [],
                       depth=SITE_DEPTH if site_seeds else 0,
                       max_pages_per_site=PAGES_PER_SITE + max(per_site.values(), default=0),
                       seed_of=seed_of, rejected=rejected)


class RecrawlMiddleware:
    """Scrapy downloader middleware of a recrawl pass (enabled only there).

    The placement spider has one link depth for the whole crawl; a requested page must be
    checked alone, so its request is given the crawl's last depth (no links followed) while
    site homes keep depth 0. It also reports every stored page to the ``ON_PAGE`` callback, so
    each recrawl request learns what happened to its seed (redirects included)."""

    def __init__(self, leaf_urls: list[str], on_page: Callable[[Mapping[str, Any]], None] | None) -> None:
        self.leaf_urls = set(leaf_urls)
        self.on_page = on_page

    @classmethod
    def from_crawler(cls, crawler: Any) -> RecrawlMiddleware:
        from scrapy import signals

        mw = cls(list(crawler.settings.getlist(LEAF_URLS_SETTING)), crawler.settings.get(ON_PAGE_SETTING))
        crawler.signals.connect(mw.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(mw.item_error, signal=signals.item_error)
        return mw

    def process_request(self, request: Any, spider: Any = None) -> None:
        meta = request.meta
        if meta.get("vigie_url") in self.leaf_urls and "vigie_depth" in meta:
            meta["vigie_depth"] = max(int(meta["vigie_depth"]), int(getattr(spider, "depth", SITE_DEPTH)))
        return None

    def item_scraped(self, item: Any, **_: Any) -> None:
        if self.on_page is not None:
            self.on_page(dict(item))

    def item_error(self, item: Any, failure: Any = None, **_: Any) -> None:
        if self.on_page is not None:
            error = failure.getErrorMessage() if failure is not None else "not stored"
            self.on_page({**dict(item), "status": "failed", "error": f"not stored: {error}"[:500], "ads": []})


def crawl_overrides(plan: RecrawlPlan, on_page: Callable[[Mapping[str, Any]], None]) -> dict[str, Any]:
    """Scrapy settings that add :class:`RecrawlMiddleware` to the crawler's own middlewares
    (a ``cmdline`` dict replaces the project's, so they are merged here)."""
    import crawler.settings as crawl_settings

    return {"DOWNLOADER_MIDDLEWARES": {**crawl_settings.DOWNLOADER_MIDDLEWARES, MIDDLEWARE: 40},
            LEAF_URLS_SETTING: list(plan.leaf_urls), ON_PAGE_SETTING: on_page}


def settle(session: Session, plan: RecrawlPlan, outcomes: Mapping[str, PageOutcome], run: CrawlRun | None,
           report: RecrawlReport) -> None:
    """Mark each request of ``plan`` done or failed from its seed's outcome. A seed the crawl
    never reached stays pending when the crawl was interrupted (the next pass takes it)."""
    now = utcnow()
    interrupted = run is None or run.status != "finished"
    run_note = f" (crawl run {run.id})" if run is not None else ""
    for req_id in plan.request_ids:
        req = session.get(RecrawlRequest, req_id)
        if req is None or req.status != "pending":
            continue
        target = req.url or req.site_domain or "?"
        error: str | None
        if req_id in plan.rejected:
            error = plan.rejected[req_id]
        else:
            outcome = outcomes.get(plan.seed_of[req_id])
            if outcome is None:
                if interrupted:
                    report.left_pending += 1
                    continue
                error = f"{plan.seed_of[req_id]} was not crawled{run_note}"
            elif outcome.status in _FAILED_STATUSES:
                error = f"{outcome.url}: {outcome.error or outcome.status}{run_note}"
            else:
                error = None
        req.done_at = now
        if error is None:
            req.status, req.error = "done", None
            report.done += 1
        else:
            req.status, req.error = "failed", error[:2000]
            report.failed += 1
            report.failures.append((req_id, target, error))


def run_recrawls(database_url: str, *, proxy: str | None = None, render: bool | None = None,
                 limit: int = DEFAULT_LIMIT, allow_private: bool = False,
                 crawl: Callable[..., int] | None = None) -> RecrawlReport:
    """One pass over the queue: take up to ``limit`` pending requests, crawl them in one crawl,
    settle them. Returns a report (``taken == 0``: nothing was pending, nothing crawled)."""
    report = RecrawlReport()
    with session_scope(database_url) as s:
        requests = pending_requests(s, limit)
        if not requests:
            return report
        plan = plan_recrawls(s, requests)
    report.taken = len(plan.request_ids)
    outcomes: dict[str, PageOutcome] = {}

    def on_page(item: Mapping[str, Any]) -> None:
        # a plain function, not a bound method: Scrapy deep-copies its settings, functions stay shared
        outcome = PageOutcome(url=str(item.get("url")), status=str(item.get("status") or "ok"),
                              error=item.get("error"), ads=len(item.get("ads") or []))
        for key in (item.get("scheduled_url"), item.get("url")):
            if key:
                outcomes.setdefault(str(key), outcome)

    run_id: int | None = None
    if plan.seeds:
        if crawl is None:
            from crawler.runner import run_placements_crawl

            crawl = run_placements_crawl
        run_id = crawl(plan.seeds, render=render, proxy=proxy, max_pages_per_site=plan.max_pages_per_site,
                       depth=plan.depth, database_url=database_url, allow_private=allow_private,
                       settings_overrides=crawl_overrides(plan, on_page))
    with session_scope(database_url) as s:
        run = s.get(CrawlRun, run_id) if run_id is not None else None
        if run is not None:
            # the link from the crawl to the requests it answered (the requests name it in errors)
            run.args = {**(run.args or {}), "recrawl_requests": plan.request_ids}
            report.crawl_run_id, report.crawl_status, report.crawl_stats = run.id, run.status, dict(run.stats or {})
        settle(s, plan, outcomes, run, report)
    log.info("recrawl: %d requests, %d done, %d failed, %d left pending (crawl run %s)", report.taken,
             report.done, report.failed, report.left_pending, report.crawl_run_id)
    return report
