"""Authentication for the API and the dashboard: argon2 password hashes, API tokens (stored
hashed), signed session cookies and CSRF tokens, role permissions, and the one-time admin that
makes a fresh install usable without ever leaving it open."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from store.models import User
from store.users import ROLES, count_users, create_user, get_user

SESSION_COOKIE = "vigie_session"
SESSION_MAX_AGE = 12 * 3600
BOOTSTRAP_ADMIN = "admin"

_HASHER = PasswordHasher()
#: A real hash to verify against when the user does not exist, so timing does not tell names.
_DUMMY_HASH = _HASHER.hash("not-a-real-password")

#: What each role may do. Reading is open to every signed-in user; the rest is by duty.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "cases": frozenset({"analyst", "admin"}),
    "exclusions": frozenset({"buyer", "admin"}),
    "suitability": frozenset({"buyer", "admin"}),
    "export": frozenset({"analyst", "buyer", "admin"}),
    "users": frozenset({"admin"}),
}


def can(user: User | None, permission: str) -> bool:
    return user is not None and user.role in PERMISSIONS.get(permission, frozenset())


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """True when ``password`` matches; constant work whether or not the user exists."""
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = get_user(session, name.strip()) if name else None
    return user if verify_password(user, password) else None


def ensure_bootstrap_admin(session: Session) -> str | None:
    """With no users at all, create ``admin`` with a random password and return that password
    (once; the caller prints it). With any user present, do nothing and return None."""
    if count_users(session) > 0:
        return None
    password = secrets.token_urlsafe(12)
    create_user(session, BOOTSTRAP_ADMIN, "admin", hash_password(password))
    session.commit()
    return password


# --- session cookies and CSRF ---------------------------------------------------------------


def load_secret_key(data_dir: Path) -> str:
    """VIGIE_SECRET_KEY, else a random key kept in ``{data_dir}/secret_key`` (mode 0600) so
    sessions survive restarts without a key ever being shipped in the code."""
    env = os.environ.get("VIGIE_SECRET_KEY")
    if env:
        return env
    path = data_dir / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


class SessionCodec:
    """Signs and checks the session cookie: ``{"uid": int | None, "csrf": str}``. Anonymous
    visitors get a session too, so the login form has a CSRF token like every other form."""

    def __init__(self, secret_key: str) -> None:
        self._s = URLSafeTimedSerializer(secret_key, salt="vigie.session")

    def dumps(self, data: dict[str, Any]) -> str:
        return self._s.dumps(data)

    def loads(self, raw: str | None) -> dict[str, Any] | None:
        if not raw or len(raw) > 4096:
            return None
        try:
            data = self._s.loads(raw, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        return data


def new_session(uid: int | None = None) -> dict[str, Any]:
    return {"uid": uid, "csrf": secrets.token_urlsafe(32)}


def csrf_ok(session_data: dict[str, Any] | None, token: str | None) -> bool:
    expected = (session_data or {}).get("csrf")
    return bool(expected and token) and hmac.compare_digest(str(expected), str(token))


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def cookie_secure(scheme: str, host: str | None) -> bool:
    """Secure unless VIGIE_COOKIE_SECURE=0, or plain http to a loopback host (local demo):
    browsers would drop a Secure cookie there and nobody could sign in."""
    setting = os.environ.get("VIGIE_COOKIE_SECURE", "auto").lower()
    if setting in {"0", "false", "no"}:
        return False
    if setting in {"1", "true", "yes"}:
        return True
    return not (scheme == "http" and (host or "").lower() in LOOPBACK_HOSTS)
