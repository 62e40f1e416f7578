"""Placement upserts: a recrawl moves last_seen, never duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Page, Placement
from store.placements import placement_fingerprint, start_run, upsert_page, upsert_placement


def test_recrawl_moves_last_seen_without_duplicates(session: Session) -> None:
    run = start_run(session, args={}, filter_list_version="vigie-ads@1")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    t1 = t0 + timedelta(days=3)
    fp = placement_fingerprint("http://news.example/", "div-gpt-ad-1", "acme.fr")
    for seen in (t0, t1):
        page = upsert_page(session, url="http://news.example/", status="ok", http_status=200, title="News",
                           text="hello", seen_at=seen)
        upsert_placement(session, page, fp, {"advertiser_domain": "acme.fr", "slot": {"id": "div-gpt-ad-1"},
                                             "crawl_run_id": run.id, "filter_list_version": "vigie-ads@1",
                                             "screenshot_path": "ab/x.png" if seen == t0 else None},
                         seen_at=seen)
        session.commit()
    assert session.scalar(select(func.count(Placement.id))) == 1
    assert session.scalar(select(func.count(Page.id))) == 1
    placement = session.scalars(select(Placement)).one()
    assert placement.first_seen.replace(tzinfo=UTC) == t0
    assert placement.last_seen.replace(tzinfo=UTC) == t1
    assert placement.screenshot_path == "ab/x.png"  # a static recrawl does not erase the evidence
    assert placement.page.site.domain == "news.example"


def test_failed_page_keeps_its_last_good_text(session: Session) -> None:
    upsert_page(session, url="http://news.example/a", status="ok", http_status=200, text="good text")
    page = upsert_page(session, url="http://news.example/a", status="failed", error="HTTP 500", http_status=500)
    session.commit()
    assert page.status == "failed" and page.error == "HTTP 500" and page.text == "good text"
