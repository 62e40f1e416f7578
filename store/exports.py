"""Row streams for file exports, shared by the CLI and the API so both write the same keys."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from store.models import Placement
from vigie.csvcells import neutralise_cell

PLACEMENT_KEYS = (
    "page_url", "site", "brand", "advertiser_domain", "ad_network", "landing_url", "rendered",
    "first_seen", "last_seen", "creative_url", "click_chain", "slot_id", "screenshot_path",
    "filter_list_version", "crawl_run_id",
)


def placement_rows(session: Session, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every placement as a flat dict, streamed in id order with bounded memory."""
    last_id = 0
    while True:
        rows = session.scalars(
            select(Placement).options(joinedload(Placement.page), joinedload(Placement.site),
                                      joinedload(Placement.brand))
            .where(Placement.id > last_id).order_by(Placement.id).limit(batch)
        ).all()
        if not rows:
            return
        for p in rows:
            yield {
                "page_url": p.page.url,
                "site": p.site.domain,
                "brand": p.brand.name if p.brand else None,
                "advertiser_domain": p.advertiser_domain,
                "ad_network": p.ad_network,
                "landing_url": p.landing_url,
                "rendered": p.rendered,
                "first_seen": p.first_seen.isoformat(),
                "last_seen": p.last_seen.isoformat(),
                "creative_url": p.creative_url,
                "click_chain": p.click_chain,
                "slot_id": (p.slot or {}).get("id"),
                "screenshot_path": p.screenshot_path,
                "filter_list_version": p.filter_list_version,
                "crawl_run_id": p.crawl_run_id,
            }
        last_id = rows[-1].id
        session.expunge_all()


def to_jsonl(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, default=str) + "\n"


def to_csv(rows: Iterable[dict[str, Any]], keys: tuple[str, ...]) -> Iterator[str]:
    """CSV text chunks; lists become JSON and every cell is neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(keys)
    for row in rows:
        writer.writerow([neutralise_cell(json.dumps(v) if isinstance(v, list | dict) else
                                         ("" if v is None else v)) for v in (row.get(k) for k in keys)])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()
