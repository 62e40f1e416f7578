"""Users and API tokens: creation and lookup shared by the CLI (`vigie users ...`), the API and
the dashboard. Hashing itself lives in ``api.auth`` so there is one place that knows the scheme;
this module only stores and finds rows."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import ApiToken, User
from vigie.errors import UserError

#: Lowest to highest. ``viewer`` reads; ``analyst`` (community manager) works cases and answers;
#: ``buyer`` reviews exclusion lists and exports; ``admin`` does everything and manages users.
ROLES: tuple[str, ...] = ("viewer", "analyst", "buyer", "admin")
TOKEN_PREFIX = "vg_"  # noqa: S105 - a visible prefix, not a secret


def token_digest(token: str) -> str:
    """SHA-256 of an API token: tokens are 256-bit random, so a fast hash is enough and lets the
    lookup be one indexed equality."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def create_user(session: Session, name: str, role: str, password_hash: str | None) -> User:
    """A new user; UserError when the name is taken, empty, or the role unknown."""
    name = name.strip()
    if not name or len(name) > 100:
        raise UserError(f"user name {name!r}: must be 1 to 100 characters")
    if role not in ROLES:
        raise UserError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if get_user(session, name) is not None:
        raise UserError(f"user {name!r} already exists")
    user = User(name=name, role=role, password_hash=password_hash)
    session.add(user)
    session.flush()
    return user


def set_password_hash(session: Session, user: User, password_hash: str) -> None:
    user.password_hash = password_hash
    session.flush()


def mint_token(session: Session, user: User, label: str | None = None) -> str:
    """A new API token for ``user``; only its digest is stored, so the caller shows it once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), label=label))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    return row.user if row is not None else None
