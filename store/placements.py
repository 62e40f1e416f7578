"""Placement store: idempotent upserts of crawled pages and the ads seen on them.

Writes are keyed so that repeating them changes nothing but ``last_seen``: a page by its URL, a
placement by (page, fingerprint). A recrawl, or a crawl resumed after a kill that redoes a page,
therefore moves ``last_seen`` instead of adding rows. One transaction per page."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import CrawlRun, Page, Placement, utcnow
from store.registry import get_or_create_site
from vigie.domains import host_of, registrable_domain


def placement_fingerprint(page_url: str, slot_key: str, identity: str) -> str:
    """Same page + same slot + same advertiser (or creative) = the same placement."""
    raw = "\x1f".join((page_url, slot_key, identity))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def start_run(session: Session, *, args: dict[str, Any], filter_list_version: str | None,
              kind: str = "placements") -> CrawlRun:
    run = CrawlRun(kind=kind, status="running", args=args, stats={},
                   filter_list_version=filter_list_version)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run_id: int, *, status: str, stats: dict[str, Any],
               error: str | None = None) -> None:
    run = session.get(CrawlRun, run_id)
    if run is None:
        return
    run.status = status
    run.stats = stats
    run.error = error
    run.finished_at = utcnow()


def reopen_run(session: Session, run_id: int) -> CrawlRun | None:
    """A resumed crawl (same JOBDIR) keeps writing into its run."""
    run = session.get(CrawlRun, run_id)
    if run is not None:
        run.status = "running"
        run.finished_at = None
    return run


def upsert_page(session: Session, *, url: str, status: str, http_status: int | None = None,
                title: str | None = None, lang: str | None = None, text: str | None = None,
                error: str | None = None, meta: dict[str, Any] | None = None,
                seen_at: datetime | None = None, site_ids: dict[str, int] | None = None) -> Page:
    """The page row for ``url``, created or refreshed. ``site_ids`` (domain -> site id) is a
    caller-kept cache that spares a query per page on long crawls."""
    seen_at = seen_at or utcnow()
    page = session.scalar(select(Page).where(Page.url == url))
    if page is None:
        domain = registrable_domain(url) or host_of(url).removeprefix("www.") or url
        site_id = site_ids.get(domain) if site_ids is not None else None
        if site_id is None:
            site_id = get_or_create_site(session, domain).id
            if site_ids is not None:
                site_ids[domain] = site_id
        page = Page(url=url, site_id=site_id, first_seen=seen_at, meta={})
        session.add(page)
    page.last_seen = seen_at
    page.status = status
    page.http_status = http_status
    page.error = error
    if status == "ok":
        page.title = title
        page.lang = lang
        if text is not None:
            new_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if new_hash != page.content_hash:
                page.text = text
                page.content_hash = new_hash
        if meta:
            page.meta = {**(page.meta or {}), **meta}
    session.flush()
    return page


_PLACEMENT_FIELDS = ("brand_id", "advertiser_domain", "ad_network", "creative_url", "click_chain",
                     "landing_url", "slot", "detection", "ad_text", "screenshot_path",
                     "page_screenshot_path", "rendered", "crawl_run_id", "filter_list_version")


def page_placements(session: Session, page: Page) -> dict[str, Placement]:
    """fingerprint -> placement of one page (one query for all of a page's upserts)."""
    if page.id is None:
        return {}
    return {p.fingerprint: p for p in session.scalars(select(Placement).where(Placement.page_id == page.id))}


def upsert_placement(session: Session, page: Page, fingerprint: str, values: dict[str, Any],
                     seen_at: datetime | None = None,
                     existing: dict[str, Placement] | None = None) -> tuple[Placement, bool]:
    """(placement, created). An existing one keeps ``first_seen`` and takes the new details;
    evidence paths are only replaced by new ones, never blanked by a static recrawl.
    ``existing``: the page's placements from ``page_placements`` (saves a query per ad)."""
    seen_at = seen_at or utcnow()
    if existing is not None:
        placement = existing.get(fingerprint)
    else:
        placement = session.scalar(select(Placement).where(Placement.page_id == page.id,
                                                           Placement.fingerprint == fingerprint))
    created = placement is None
    if placement is None:
        placement = Placement(page_id=page.id, site_id=page.site_id, fingerprint=fingerprint,
                              first_seen=seen_at)
        session.add(placement)
        if existing is not None:
            existing[fingerprint] = placement
    for key in _PLACEMENT_FIELDS:
        if key not in values:
            continue
        if key in ("screenshot_path", "page_screenshot_path") and not values[key]:
            continue
        setattr(placement, key, values[key])
    placement.last_seen = seen_at
    return placement, created


def run_counts(session: Session, run_id: int) -> dict[str, int]:
    """Distinct placements, brands and unknown advertisers written by one run."""
    q = select(func.count(Placement.id), func.count(func.distinct(Placement.brand_id)),
               func.count(func.distinct(Placement.advertiser_domain))).where(Placement.crawl_run_id == run_id)
    placements, brands, advertisers = session.execute(q).one()
    return {"placements": placements, "brands": brands, "advertiser_domains": advertisers}
