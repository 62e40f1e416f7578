"""Who am I (for scripts checking their token)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.auth import PERMISSIONS
from api.deps import api_user
from api.schemas import MeOut
from store.models import User

router = APIRouter(tags=["users"])


@router.get("/me", response_model=MeOut)
def me(user: User = Depends(api_user)) -> MeOut:
    return MeOut(id=user.id, name=user.name, role=user.role,
                 permissions=sorted(p for p, roles in PERMISSIONS.items() if user.role in roles))
