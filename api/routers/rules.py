"""Score a text or a URL with the rules engine and see the evidence."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from api.deps import api_user, get_db
from api.schemas import ScoreIn, ScoreOut
from api.scoring import score
from store.models import User

router = APIRouter(prefix="/rules", tags=["rules"])


@router.post("/score", response_model=ScoreOut,
             responses={422: {"description": "neither or both of text and url, or url not fetchable"}})
def score_text(body: ScoreIn, db: Session = Depends(get_db), _: User = Depends(api_user)) -> ScoreOut:
    """GARM tier per category with the rules and terms that fired."""
    return ScoreOut(**score(db, text=body.text, url=body.url, title=body.title))
