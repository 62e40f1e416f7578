"""Activist posts that tag brands and call out sites."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import api_user, get_db
from api.pagination import keyset, page_out
from api.queries import as_utc, resolve_brand_id
from api.routers.common import CURSOR_DOC, LIMIT_DOC, get_or_404
from api.schemas import Page_, PostOut
from store.models import ActivistPost, Case, User

router = APIRouter(prefix="/posts", tags=["posts"])


@router.get("", response_model=Page_[PostOut])
def list_posts(brand: str | None = Query(None, max_length=200, description="brand id or exact name "
                                                                           "(posts with a case for it)"),
               source: Literal["mastodon", "bluesky", "x", "rss", "archive"] | None = None,
               tactic: Literal["proof", "question", "threat", "thanks", "other"] | None = None,
               since: datetime | None = Query(None, description="created at or after"),
               until: datetime | None = Query(None, description="created at or before"),
               cursor: str | None = Query(None, max_length=2000, description=CURSOR_DOC),
               limit: int = Query(50, ge=1, le=500, description=LIMIT_DOC),
               db: Session = Depends(get_db), _: User = Depends(api_user)) -> Page_[PostOut]:
    """Posts, newest first. The brand filter uses the response desk's cases (one per post and
    brand), which the watch area creates for every tagged brand."""
    stmt = select(ActivistPost)
    if brand:
        stmt = stmt.where(ActivistPost.id.in_(select(Case.post_id).where(
            Case.brand_id == resolve_brand_id(db, brand))))
    if source:
        stmt = stmt.where(ActivistPost.source == source)
    if tactic:
        stmt = stmt.where(ActivistPost.tactic == tactic)
    if since:
        stmt = stmt.where(ActivistPost.created_at >= as_utc(since))
    if until:
        stmt = stmt.where(ActivistPost.created_at <= as_utc(until))
    stmt = keyset(stmt, ActivistPost.created_at, ActivistPost.id, desc=True, cursor=cursor,
                  sort_name="created_at")
    rows, nxt = page_out(list(db.scalars(stmt.limit(limit + 1))), limit, "created_at",
                         lambda p: p.created_at, lambda p: p.id)
    return Page_[PostOut](items=[PostOut.model_validate(p) for p in rows], next_cursor=nxt)


@router.get("/{post_id}", response_model=PostOut, responses={404: {"description": "no such post"}})
def get_post(post_id: int = Path(...), db: Session = Depends(get_db),
             _: User = Depends(api_user)) -> PostOut:
    return PostOut.model_validate(get_or_404(db, ActivistPost, post_id, "post"))
