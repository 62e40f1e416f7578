"""Crawled pages and their per-category verdicts."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from api.deps import api_user, get_db
from api.pagination import keyset, page_out
from api.queries import RISK_TIERS, resolve_site_id
from api.routers.common import CURSOR_DOC, LIMIT_DOC, get_or_404
from api.schemas import AssessmentOut, CategoryName, Page_, PageDetailOut, PageOut
from store.models import Page, RiskAssessment, User

router = APIRouter(prefix="/pages", tags=["pages"])


@router.get("", response_model=Page_[PageOut])
def list_pages(site: str | None = Query(None, max_length=253, description="site id or domain"),
               tier: Literal["floor", "high", "medium", "low", "none"] | None = None,
               category: CategoryName | None = Query(None, description="GARM category with a risk"),
               cursor: str | None = Query(None, max_length=2000, description=CURSOR_DOC),
               limit: int = Query(50, ge=1, le=500, description=LIMIT_DOC),
               db: Session = Depends(get_db), _: User = Depends(api_user)) -> Page_[PageOut]:
    """Pages, most recently seen first."""
    stmt = select(Page)
    if site:
        stmt = stmt.where(Page.site_id == resolve_site_id(db, site))
    if tier:
        stmt = stmt.where(Page.worst_tier == tier)
    if category:
        stmt = stmt.where(exists().where(RiskAssessment.page_id == Page.id,
                                         RiskAssessment.category == category,
                                         RiskAssessment.tier.in_(RISK_TIERS)))
    stmt = keyset(stmt, Page.last_seen, Page.id, desc=True, cursor=cursor, sort_name="last_seen")
    rows, nxt = page_out(list(db.scalars(stmt.limit(limit + 1))), limit, "last_seen",
                         lambda p: p.last_seen, lambda p: p.id)
    return Page_[PageOut](items=[PageOut.model_validate(p) for p in rows], next_cursor=nxt)


@router.get("/{page_id}", response_model=PageDetailOut, responses={404: {"description": "no such page"}})
def get_page(page_id: int = Path(...), db: Session = Depends(get_db),
             _: User = Depends(api_user)) -> PageDetailOut:
    page = get_or_404(db, Page, page_id, "page")
    ras = db.scalars(select(RiskAssessment).where(RiskAssessment.page_id == page.id)
                     .order_by(RiskAssessment.category)).all()
    return PageDetailOut(**PageOut.model_validate(page).model_dump(),
                         assessments=[AssessmentOut.model_validate(a) for a in ras])
