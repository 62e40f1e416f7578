"""Crawl runs: progress, statistics and errors."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import api_user, get_db
from api.pagination import keyset, page_out
from api.routers.common import CURSOR_DOC, LIMIT_DOC, get_or_404
from api.schemas import CrawlRunOut, Page_
from store.models import CrawlRun, User

router = APIRouter(prefix="/crawl-runs", tags=["crawl runs"])


@router.get("", response_model=Page_[CrawlRunOut])
def list_runs(status: str | None = Query(None, max_length=20, description="e.g. running, finished, failed"),
              kind: str | None = Query(None, max_length=40),
              cursor: str | None = Query(None, max_length=2000, description=CURSOR_DOC),
              limit: int = Query(50, ge=1, le=500, description=LIMIT_DOC),
              db: Session = Depends(get_db), _: User = Depends(api_user)) -> Page_[CrawlRunOut]:
    stmt = select(CrawlRun)
    if status:
        stmt = stmt.where(CrawlRun.status == status)
    if kind:
        stmt = stmt.where(CrawlRun.kind == kind)
    stmt = keyset(stmt, CrawlRun.started_at, CrawlRun.id, desc=True, cursor=cursor, sort_name="started_at")
    rows, nxt = page_out(list(db.scalars(stmt.limit(limit + 1))), limit, "started_at",
                         lambda r: r.started_at, lambda r: r.id)
    return Page_[CrawlRunOut](items=[CrawlRunOut.model_validate(r) for r in rows], next_cursor=nxt)


@router.get("/{run_id}", response_model=CrawlRunOut, responses={404: {"description": "no such run"}})
def get_run(run_id: int = Path(...), db: Session = Depends(get_db),
            _: User = Depends(api_user)) -> CrawlRunOut:
    return CrawlRunOut.model_validate(get_or_404(db, CrawlRun, run_id, "crawl run"))
