"""Brands: the registry, each brand's suitability profile (editable by buyers)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.deps import api_user, get_db, require
from api.pagination import keyset, page_out
from api.queries import search_clause
from api.routers.common import CURSOR_DOC, LIMIT_DOC, get_or_404
from api.schemas import BrandOut, Page_, SuitabilityIn
from rules.garm import CATEGORIES
from store.models import Brand, User

router = APIRouter(prefix="/brands", tags=["brands"])


def brand_out(b: Brand) -> BrandOut:
    return BrandOut(id=b.id, name=b.name, domains=[d.domain for d in b.domains], aliases=b.aliases or [],
                    handles=b.handles or {}, suitability=b.suitability or {})


@router.get("", response_model=Page_[BrandOut])
def list_brands(q: str | None = Query(None, max_length=200, description="name contains"),
                cursor: str | None = Query(None, max_length=2000, description=CURSOR_DOC),
                limit: int = Query(50, ge=1, le=500, description=LIMIT_DOC),
                db: Session = Depends(get_db), _: User = Depends(api_user)) -> Page_[BrandOut]:
    stmt = select(Brand).options(selectinload(Brand.domains))
    clause = search_clause(Brand.name, q)
    if clause is not None:
        stmt = stmt.where(clause)
    stmt = keyset(stmt, Brand.name, Brand.id, desc=False, cursor=cursor, sort_name="name").limit(limit + 1)
    rows, nxt = page_out(list(db.scalars(stmt)), limit, "name", lambda b: b.name, lambda b: b.id)
    return Page_[BrandOut](items=[brand_out(b) for b in rows], next_cursor=nxt)


@router.get("/{brand_id}", response_model=BrandOut, responses={404: {"description": "no such brand"}})
def get_brand(brand_id: int = Path(...), db: Session = Depends(get_db),
              _: User = Depends(api_user)) -> BrandOut:
    return brand_out(get_or_404(db, Brand, brand_id, "brand"))


@router.put("/{brand_id}/suitability", response_model=BrandOut,
            responses={403: {"description": "needs the buyer or admin role"}})
def put_suitability(body: SuitabilityIn, brand_id: int = Path(...), db: Session = Depends(get_db),
                    _: User = Depends(require("suitability"))) -> BrandOut:
    """Replace the brand's suitability profile (category -> lowest excluded tier)."""
    unknown = sorted(set(body.suitability) - set(CATEGORIES) - {"default"})
    if unknown:
        raise HTTPException(422, f"unknown GARM category {unknown[0]!r}; expected one of "
                                 f"{', '.join(CATEGORIES)}")
    brand = get_or_404(db, Brand, brand_id, "brand")
    brand.suitability = dict(body.suitability)
    db.commit()
    return brand_out(brand)
