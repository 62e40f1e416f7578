"""Exclusion (and inclusion) lists: review of suggested sites and platform exports."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from api.actions import export_list, list_counts, review_entry
from api.deps import api_user, get_db, require
from api.pagination import keyset, page_out
from api.queries import resolve_brand_id
from api.routers.common import CURSOR_DOC, LIMIT_DOC, get_or_404
from api.schemas import ExclusionEntryOut, ExclusionListOut, Page_, ReviewIn
from store.models import ExclusionEntry, ExclusionList, User

router = APIRouter(prefix="/exclusion-lists", tags=["exclusion lists"])
Format = Literal["google-ads", "dv360", "ttd", "meta", "xandr", "txt", "csv"]


def list_out(db: Session, lists: list[ExclusionList]) -> list[ExclusionListOut]:
    counts = list_counts(db, [x.id for x in lists])
    return [ExclusionListOut(id=x.id, brand_id=x.brand_id, brand=x.brand.name, kind=x.kind,
                             created_at=x.created_at, counts=counts.get(x.id, {})) for x in lists]


@router.get("", response_model=list[ExclusionListOut])
def list_lists(brand: str | None = Query(None, max_length=200, description="brand id or exact name"),
               db: Session = Depends(get_db), _: User = Depends(api_user)) -> list[ExclusionListOut]:
    stmt = select(ExclusionList).options(joinedload(ExclusionList.brand)).order_by(ExclusionList.id)
    if brand:
        stmt = stmt.where(ExclusionList.brand_id == resolve_brand_id(db, brand))
    return list_out(db, list(db.scalars(stmt)))


@router.get("/{list_id}/entries", response_model=Page_[ExclusionEntryOut])
def list_entries(list_id: int = Path(...),
                 status: Literal["suggested", "approved", "rejected", "withdrawn"] | None = None,
                 cursor: str | None = Query(None, max_length=2000, description=CURSOR_DOC),
                 limit: int = Query(100, ge=1, le=500, description=LIMIT_DOC),
                 db: Session = Depends(get_db), _: User = Depends(api_user)) -> Page_[ExclusionEntryOut]:
    get_or_404(db, ExclusionList, list_id, "exclusion list")
    stmt = select(ExclusionEntry).where(ExclusionEntry.list_id == list_id)
    if status:
        stmt = stmt.where(ExclusionEntry.status == status)
    stmt = keyset(stmt, ExclusionEntry.domain, ExclusionEntry.id, desc=False, cursor=cursor, sort_name="domain")
    rows, nxt = page_out(list(db.scalars(stmt.limit(limit + 1))), limit, "domain",
                         lambda e: e.domain, lambda e: e.id)
    return Page_[ExclusionEntryOut](items=[ExclusionEntryOut.model_validate(e) for e in rows], next_cursor=nxt)


@router.post("/entries/{entry_id}/review", response_model=ExclusionEntryOut,
             responses={403: {"description": "needs the buyer or admin role"}})
def review(body: ReviewIn, entry_id: int = Path(...), db: Session = Depends(get_db),
           user: User = Depends(require("exclusions"))) -> ExclusionEntryOut:
    """Approve or reject a suggested site with an optional note (history is kept)."""
    entry = get_or_404(db, ExclusionEntry, entry_id, "exclusion entry")
    return ExclusionEntryOut.model_validate(review_entry(db, entry, user, body.action, body.note))


@router.get("/{list_id}/export", response_class=Response,
            responses={200: {"content": {"text/plain": {}, "text/csv": {}, "application/json": {}}},
                       403: {"description": "needs the buyer or admin role"}})
def export(list_id: int = Path(...), format: Format = Query(..., description="platform format"),
           db: Session = Depends(get_db), _: User = Depends(require("exclusions"))) -> Response:
    """The approved entries in one ad platform's upload format."""
    xlist = get_or_404(db, ExclusionList, list_id, "exclusion list")
    name, content, media = export_list(db, xlist, format)
    return Response(content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
