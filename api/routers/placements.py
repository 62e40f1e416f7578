"""Placements (exposures): which brand's ad was seen on which page, filterable, sortable,
keyset-paginated, and exportable as a CSV or JSONL stream."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from api.deps import api_user, ctx, get_db, require
from api.queries import PlacementFilter, get_placement, iter_placements, list_placements
from api.routers.common import CURSOR_DOC, LIMIT_DOC
from api.schemas import CategoryName, Page_, PlacementOut
from store.models import User
from vigie.csvcells import neutralise_cell

router = APIRouter(prefix="/placements", tags=["placements"])
Tier = Literal["floor", "high", "medium", "low", "none"]

EXPORT_KEYS = ("id", "page_url", "page_title", "site", "brand", "advertiser_domain", "ad_network",
               "tier", "categories", "landing_url", "creative_url", "rendered", "first_seen",
               "last_seen", "screenshot_path", "crawl_run_id")


def placement_filter(
    brand: str | None = Query(None, max_length=200, description="brand id or exact name"),
    site: str | None = Query(None, max_length=253, description="site id or registrable domain"),
    category: CategoryName | None = Query(None, description="page has a risk in this GARM category"),
    tier: Tier | None = Query(None, description="page's worst tier is exactly this"),
    min_tier: Tier | None = Query(None, description="page's worst tier is this or worse"),
    network: str | None = Query(None, max_length=100, description="ad network, e.g. 'Criteo'"),
    since: datetime | None = Query(None, description="last seen at or after (ISO 8601)"),
    until: datetime | None = Query(None, description="first seen at or before (ISO 8601)"),
    unknown_brand: bool | None = Query(None, description="true: only ads of unknown advertisers"),
) -> PlacementFilter:
    return PlacementFilter(brand=brand, site=site, category=category, tier=tier, min_tier=min_tier,
                           network=network, since=since, until=until, unknown_brand=unknown_brand)


@router.get("", response_model=Page_[PlacementOut])
def list_(f: PlacementFilter = Depends(placement_filter),
          sort: Literal["last_seen", "first_seen"] = "last_seen",
          order: Literal["desc", "asc"] = "desc",
          cursor: str | None = Query(None, max_length=2000, description=CURSOR_DOC),
          limit: int = Query(50, ge=1, le=500, description=LIMIT_DOC),
          db: Session = Depends(get_db), _: User = Depends(api_user)) -> Page_[PlacementOut]:
    rows, nxt = list_placements(db, f, sort=sort, order=order, cursor=cursor, limit=limit)
    return Page_[PlacementOut](items=[PlacementOut(**r) for r in rows], next_cursor=nxt)


def export_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def export_stream(request: Request, f: PlacementFilter, fmt: str) -> Iterator[str]:
    """Rows rendered one by one from keyset batches, in a session of its own because the
    request's session is closed once the response starts streaming."""
    import csv
    import io

    session = ctx(request).sessions()
    try:
        if fmt == "csv":
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow(EXPORT_KEYS)
            for row in iter_placements(session, f):
                row["categories"] = [c["category"] for c in row["categories"]]
                writer.writerow([neutralise_cell(export_cell(row.get(k))) for k in EXPORT_KEYS])
                if buf.tell() > 64_000:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
            yield buf.getvalue()
        else:
            for row in iter_placements(session, f):
                row["categories"] = [c["category"] for c in row["categories"]]
                yield json.dumps({k: row.get(k) for k in EXPORT_KEYS}, ensure_ascii=False, default=str) + "\n"
    finally:
        session.close()


@router.get("/export", responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}},
                                  403: {"description": "viewers may not export"}},
            response_class=StreamingResponse)
def export(request: Request, f: PlacementFilter = Depends(placement_filter),
           format: Literal["csv", "jsonl"] = "jsonl", db: Session = Depends(get_db),
           _: User = Depends(require("export"))) -> StreamingResponse:
    """Every matching placement, streamed (no size limit, constant memory)."""
    f.validate()
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    name = f"placements.{format}"
    return StreamingResponse(export_stream(request, f, format), media_type=media,
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{placement_id}", response_model=PlacementOut,
            responses={404: {"description": "no such placement"}})
def get_(placement_id: int = Path(...), db: Session = Depends(get_db),
         _: User = Depends(api_user)) -> PlacementOut:
    row = get_placement(db, placement_id) if 0 < placement_id < 2**62 else None
    if row is None:
        raise HTTPException(404, f"placement {placement_id} not found")
    return PlacementOut(**row)
