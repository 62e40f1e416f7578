"""Small helpers shared by the routers."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import HTTPException
from sqlalchemy.orm import Session

T = TypeVar("T")

LIMIT_DOC = "page size (1-500)"
CURSOR_DOC = "opaque cursor from the previous page's next_cursor"


def get_or_404(db: Session, model: type[T], obj_id: int, what: str) -> T:
    if obj_id < 1 or obj_id > 2**62:
        raise HTTPException(404, f"{what} {obj_id} not found")
    obj = db.get(model, obj_id)
    if obj is None:
        raise HTTPException(404, f"{what} {obj_id} not found")
    return obj


def clamp_id(value: int) -> int:
    """Ids outside SQLite's 64-bit range would raise in the driver; they match nothing."""
    return value if -(2**62) < value < 2**62 else -1


def history_entry(user: str, action: str, note: str | None = None, **extra: Any) -> dict[str, Any]:
    from datetime import UTC, datetime

    return {"at": datetime.now(UTC).isoformat(), "user": user, "action": action, "note": note, **extra}
