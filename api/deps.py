"""FastAPI dependencies shared by the API and the dashboard: a database session per request,
the current user (API token or session cookie), and role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from api.auth import SESSION_COOKIE, SessionCodec, can, csrf_ok
from store.models import User
from store.users import user_for_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class AppContext:
    """What every request needs, kept on ``app.state.ctx`` so tests can build several apps."""

    database_url: str
    sessions: sessionmaker[Session]
    codec: SessionCodec
    data_dir: Path

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"


def ctx(request: Request) -> AppContext:
    c: AppContext = request.app.state.ctx
    return c


def get_db(request: Request) -> Iterator[Session]:
    session = ctx(request).sessions()
    try:
        yield session
    finally:
        session.close()


def session_data(request: Request) -> dict[str, Any] | None:
    """The verified session cookie's content, cached on the request."""
    if not hasattr(request.state, "vigie_session"):
        request.state.vigie_session = ctx(request).codec.loads(request.cookies.get(SESSION_COOKIE))
    data: dict[str, Any] | None = request.state.vigie_session
    return data


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def resolve_user(request: Request, db: Session) -> User | None:
    """The user behind an API token, else behind the session cookie; None when neither."""
    token = _bearer(request)
    if token is not None:
        return user_for_token(db, token)
    data = session_data(request)
    uid = data.get("uid") if data else None
    return db.get(User, uid) if isinstance(uid, int) else None


def api_user(request: Request, db: Session = Depends(get_db)) -> User:
    """API caller: 401 without valid credentials. Cookie-authenticated writes must carry the
    session's CSRF token in ``X-CSRF-Token`` (token-authenticated scripts need not)."""
    user = resolve_user(request, db)
    if user is None:
        raise HTTPException(401, "authentication required: send 'Authorization: Bearer TOKEN' "
                                 "(mint one with 'vigie users token NAME')",
                            headers={"WWW-Authenticate": "Bearer"})
    if (_bearer(request) is None and request.method not in SAFE_METHODS
            and not csrf_ok(session_data(request), request.headers.get("x-csrf-token"))):
        raise HTTPException(403, "CSRF token missing or invalid")
    return user


def require(permission: str) -> Callable[..., User]:
    """A dependency that lets through users whose role has ``permission``, else 403."""

    def check(user: User = Depends(api_user)) -> User:
        if not can(user, permission):
            raise HTTPException(403, f"your role '{user.role}' may not do this (needs '{permission}')")
        return user

    return check
