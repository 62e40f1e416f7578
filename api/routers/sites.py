"""Publisher sites with their risk, ads.txt sellers, activist call-outs and exposed brands."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.deps import api_user, get_db
from api.pagination import keyset, page_out
from api.queries import brands_on_site, posts_naming_site, search_clause, site_assessments
from api.routers.common import CURSOR_DOC, LIMIT_DOC, get_or_404
from api.schemas import AssessmentOut, Page_, SellerOut, SiteDetailOut, SiteOut
from store.models import AdsTxtFile, AdsTxtRecord, Seller, Site, User

router = APIRouter(prefix="/sites", tags=["sites"])


def site_sellers(db: Session, domain: str, limit: int = 500) -> list[dict[str, Any]]:
    """Who sells the site: every (exchange, seller id) its ads.txt authorises, with the seller's
    name and type from the exchange's sellers.json (``supply.store.supply_path_for``)."""
    from supply.store import supply_path_for

    try:
        return [{"ad_system": r.exchange, "account_id": r.seller_id, "relationship": r.relationship,
                 "seller_name": r.seller_name, "seller_type": r.seller_type,
                 "in_sellers_json": r.in_sellers_json} for r in supply_path_for(db, domain)[:limit]]
    except DBAPIError:  # a database not yet migrated to the supply area's newest tables
        db.rollback()
    stmt = (select(AdsTxtRecord.ad_system, AdsTxtRecord.account_id, AdsTxtRecord.relationship_,
                   Seller.name, Seller.seller_type)
            .join(AdsTxtFile, AdsTxtFile.id == AdsTxtRecord.file_id)
            .outerjoin(Seller, (Seller.ad_system == AdsTxtRecord.ad_system)
                       & (Seller.seller_id == AdsTxtRecord.account_id))
            .where(AdsTxtFile.domain == domain, AdsTxtFile.status == "ok")
            .order_by(AdsTxtRecord.ad_system, AdsTxtRecord.line).limit(limit))
    return [{"ad_system": a, "account_id": acc, "relationship": rel, "seller_name": n, "seller_type": t,
             "in_sellers_json": None} for a, acc, rel, n, t in db.execute(stmt)]


@router.get("", response_model=Page_[SiteOut])
def list_sites(q: str | None = Query(None, max_length=200, description="domain or name contains"),
               tier: Literal["floor", "high", "medium", "low", "none"] | None = None,
               sort: Literal["domain", "risk"] = "domain",
               cursor: str | None = Query(None, max_length=2000, description=CURSOR_DOC),
               limit: int = Query(50, ge=1, le=500, description=LIMIT_DOC),
               db: Session = Depends(get_db), _: User = Depends(api_user)) -> Page_[SiteOut]:
    stmt = select(Site)
    clause = search_clause(Site.domain, q)
    if clause is not None:
        stmt = stmt.where(clause | search_clause(Site.name, q))
    if tier:
        stmt = stmt.where(Site.worst_tier == tier)
    if sort == "risk":
        key: Any = func.coalesce(Site.risk_score, -1.0)
        stmt = keyset(stmt, key, Site.id, desc=True, cursor=cursor, sort_name="risk")
        keyf: Any = lambda s: s.risk_score if s.risk_score is not None else -1.0  # noqa: E731
    else:
        stmt = keyset(stmt, Site.domain, Site.id, desc=False, cursor=cursor, sort_name="domain")
        keyf = lambda s: s.domain  # noqa: E731
    rows, nxt = page_out(list(db.scalars(stmt.limit(limit + 1))), limit, sort, keyf, lambda s: s.id)
    return Page_[SiteOut](items=[SiteOut.model_validate(s) for s in rows], next_cursor=nxt)


@router.get("/{site_id}", response_model=SiteDetailOut, responses={404: {"description": "no such site"}})
def get_site(site_id: int = Path(...), db: Session = Depends(get_db),
             _: User = Depends(api_user)) -> SiteDetailOut:
    site = get_or_404(db, Site, site_id, "site")
    return SiteDetailOut(
        **SiteOut.model_validate(site).model_dump(),
        assessments=[AssessmentOut.model_validate(a) for a in site_assessments(db, site.id)],
        sellers=[SellerOut(**s) for s in site_sellers(db, site.domain)],
        brands=[{"id": b["id"], "name": b["name"], "placements": b["n"]} for b in brands_on_site(db, site.id)],
        post_ids=[p.id for p in posts_naming_site(db, site.domain)],
    )
