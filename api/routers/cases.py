"""Response desk cases: one per (post, brand); drafts are edited and approved by analysts."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.actions import case_action, update_case
from api.deps import api_user, get_db, require
from api.pagination import keyset, page_out
from api.queries import resolve_brand_id
from api.routers.common import CURSOR_DOC, LIMIT_DOC, get_or_404
from api.schemas import CaseActionIn, CaseOut, CaseUpdateIn, Page_
from store.models import Case, User

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("", response_model=Page_[CaseOut])
def list_cases(status: Literal["new", "drafted", "approved", "answered"] | None = None,
               brand: str | None = Query(None, max_length=200, description="brand id or exact name"),
               cursor: str | None = Query(None, max_length=2000, description=CURSOR_DOC),
               limit: int = Query(50, ge=1, le=500, description=LIMIT_DOC),
               db: Session = Depends(get_db), _: User = Depends(api_user)) -> Page_[CaseOut]:
    """Cases, newest first."""
    stmt = select(Case)
    if status:
        stmt = stmt.where(Case.status == status)
    if brand:
        stmt = stmt.where(Case.brand_id == resolve_brand_id(db, brand))
    stmt = keyset(stmt, Case.created_at, Case.id, desc=True, cursor=cursor, sort_name="created_at")
    rows, nxt = page_out(list(db.scalars(stmt.limit(limit + 1))), limit, "created_at",
                         lambda c: c.created_at, lambda c: c.id)
    return Page_[CaseOut](items=[CaseOut.model_validate(c) for c in rows], next_cursor=nxt)


@router.get("/{case_id}", response_model=CaseOut, responses={404: {"description": "no such case"}})
def get_case(case_id: int = Path(...), db: Session = Depends(get_db),
             _: User = Depends(api_user)) -> CaseOut:
    return CaseOut.model_validate(get_or_404(db, Case, case_id, "case"))


@router.patch("/{case_id}", response_model=CaseOut,
              responses={403: {"description": "needs the analyst or admin role"}})
def patch_case(body: CaseUpdateIn, case_id: int = Path(...), db: Session = Depends(get_db),
               user: User = Depends(require("cases"))) -> CaseOut:
    """Edit the draft answer, the assignee or the answer's language."""
    case = get_or_404(db, Case, case_id, "case")
    return CaseOut.model_validate(update_case(db, case, user, draft=body.draft, assignee=body.assignee,
                                              lang=body.lang))


@router.post("/{case_id}/actions", response_model=CaseOut,
             responses={403: {"description": "needs the analyst or admin role"},
                        409: {"description": "not possible in the case's status"}})
def act_on_case(body: CaseActionIn, case_id: int = Path(...), db: Session = Depends(get_db),
                user: User = Depends(require("cases"))) -> CaseOut:
    """``draft`` an answer from the FR/EN template (facts checked against Vigie's crawls),
    ``approve`` it, mark it ``answered``, or ``reopen`` the case."""
    case = get_or_404(db, Case, case_id, "case")
    return CaseOut.model_validate(case_action(db, case, user, body.action, body.note))
