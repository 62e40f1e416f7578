"""The community manager's response desk. Each (post, brand) is a :class:`Case` that moves
new -> drafted -> approved -> answered, with an assignee, a response deadline and a history of
``{at, user, action, note}``. Drafts come from Jinja2 templates filled with checked facts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import ActivistPost, Brand, Case, ExclusionEntry, ExclusionList, Site
from vigie.errors import UserError
from watch.corroboration import check_claim

STATUSES = ("new", "drafted", "approved", "answered")
APPROVER_ROLES = frozenset({"analyst", "admin"})
DEFAULT_DEADLINE_HOURS = 24.0
TEMPLATES_DIR = Path(__file__).parent / "templates"
_DATE_FORMAT = {"fr": "%d/%m/%Y", "en": "%Y-%m-%d"}


class PermissionDenied(UserError):
    """The user's role may not do this (approving needs analyst or admin)."""


def deadline_hours() -> float:
    raw = os.environ.get("VIGIE_CASE_DEADLINE_HOURS", "").strip()
    if not raw:
        return DEFAULT_DEADLINE_HOURS
    try:
        value = float(raw)
    except ValueError as exc:
        raise UserError(f"VIGIE_CASE_DEADLINE_HOURS: expected a number of hours, got {raw!r}") from exc
    if value <= 0:
        raise UserError("VIGIE_CASE_DEADLINE_HOURS: must be positive")
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _log(case: Case, user: str, action: str, note: str | None = None) -> None:
    # A new list, so SQLAlchemy sees the JSON column change.
    case.history = [*(case.history or []), {"at": _now().isoformat(), "user": user, "action": action,
                                            "note": note}]


def answer_lang(lang: str | None) -> str:
    """French for French posts, English otherwise (the two templates we ship)."""
    return "fr" if (lang or "").lower().startswith("fr") else "en"


def open_case(session: Session, post: ActivistPost, brand_id: int, *, hours: float | None = None,
              user: str = "vigie") -> tuple[Case, bool]:
    """The case for (post, brand), created when missing; ``(case, created)``."""
    case = session.scalar(select(Case).where(Case.post_id == post.id, Case.brand_id == brand_id))
    if case is not None:
        return case, False
    hours = deadline_hours() if hours is None else hours
    case = Case(post_id=post.id, brand_id=brand_id, status="new", lang=answer_lang(post.lang),
                deadline=_aware(post.created_at) + timedelta(hours=hours), history=[])
    _log(case, user, "opened", f"post {post.url or post.external_id}")
    session.add(case)
    session.flush()
    return case, True


def _get(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise UserError(f"case {case_id}: no such case")
    return case


@dataclass
class SiteFact:
    domain: str
    label: str
    last_seen: str | None
    excluded: bool
    screenshot_path: str | None


def is_excluded(session: Session, brand_id: int, domain: str) -> bool:
    """Is the site on the brand's exclusion list, approved?"""
    return session.scalar(
        select(ExclusionEntry.id).join(ExclusionList, ExclusionEntry.list_id == ExclusionList.id)
        .where(ExclusionList.brand_id == brand_id, ExclusionList.kind == "exclusion",
               ExclusionEntry.domain == domain, ExclusionEntry.status == "approved")) is not None


def facts(session: Session, case: Case, lang: str) -> dict[str, Any]:
    """What the draft may say, all checked against our own data."""
    post = case.post
    brand = case.brand
    sites = []
    for domain in post.site_domains or []:
        site = session.scalar(select(Site).where(Site.domain == domain))
        claim = check_claim(session, brand.id, str(domain))
        label = f"{site.name} ({domain})" if site is not None and site.name else str(domain)
        sites.append(SiteFact(domain=str(domain), label=label,
                              last_seen=(_aware(claim.last_seen).strftime(_DATE_FORMAT[lang])
                                         if claim.last_seen else None),
                              excluded=is_excluded(session, brand.id, str(domain)),
                              screenshot_path=claim.screenshot_path))
    author = post.author or ""
    handle = f"@{author.lstrip('@')}" if author else ""
    return {"brand": brand.name, "handle": handle, "sites": sites, "post_url": post.url, "lang": lang}


def _env() -> Environment:
    # Plain-text answers, not HTML: whoever shows a draft in a page escapes it there.
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=False,  # noqa: S701
                       undefined=StrictUndefined, trim_blocks=False, keep_trailing_newline=False)


def render_answer(context: dict[str, Any], lang: str) -> str:
    text = _env().get_template(f"answer_{answer_lang(lang)}.j2").render(**context)
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def draft(session: Session, case_id: int, user: str, lang: str | None = None) -> Case:
    """Fill the template for the case (French for French posts) and move it to ``drafted``."""
    case = _get(session, case_id)
    if case.status == "answered":
        raise UserError(f"case {case_id}: already answered")
    lang = answer_lang(lang or case.lang)
    case.lang = lang
    case.draft = render_answer(facts(session, case, lang), lang)
    case.status = "drafted"
    _log(case, user, "drafted", f"template answer_{lang}")
    session.flush()
    return case


def edit(session: Session, case_id: int, user: str, text: str) -> Case:
    """Replace the draft; an approved draft that changes needs approving again."""
    case = _get(session, case_id)
    if case.status == "answered":
        raise UserError(f"case {case_id}: already answered")
    if not text.strip():
        raise UserError(f"case {case_id}: the answer is empty")
    case.draft = text.strip()
    case.status = "drafted"
    _log(case, user, "edited")
    session.flush()
    return case


def assign(session: Session, case_id: int, user: str, assignee: str | None) -> Case:
    case = _get(session, case_id)
    case.assignee = assignee or None
    _log(case, user, "assigned", assignee or "(nobody)")
    session.flush()
    return case


def approve(session: Session, case_id: int, user: str, role: str, note: str | None = None) -> Case:
    """Only analysts and admins approve; only a drafted answer can be approved."""
    case = _get(session, case_id)
    if role not in APPROVER_ROLES:
        raise PermissionDenied(f"case {case_id}: user {user!r} with role {role!r} may not approve "
                               f"(needs {' or '.join(sorted(APPROVER_ROLES))})")
    if case.status != "drafted" or not case.draft:
        raise UserError(f"case {case_id}: only a drafted answer can be approved (status is {case.status})")
    case.status = "approved"
    _log(case, user, "approved", note)
    session.flush()
    return case


def mark_answered(session: Session, case_id: int, user: str, note: str | None = None) -> Case:
    case = _get(session, case_id)
    if case.status != "answered":
        case.status = "answered"
        _log(case, user, "answered", note)
        session.flush()
    return case


def overdue(session: Session, now: datetime | None = None) -> list[Case]:
    now = now or _now()
    cases = session.scalars(select(Case).where(Case.status != "answered").order_by(Case.deadline)).all()
    return [c for c in cases if c.deadline is not None and _aware(c.deadline) < now]


def list_cases(session: Session, status: str | None = None, brand: str | None = None) -> list[Case]:
    q = select(Case).order_by(Case.deadline, Case.id)
    if status:
        if status not in STATUSES:
            raise UserError(f"--status: expected one of {', '.join(STATUSES)}")
        q = q.where(Case.status == status)
    if brand:
        q = q.join(Brand, Case.brand_id == Brand.id).where(Brand.name == brand)
    return list(session.scalars(q).all())


def case_dict(session: Session, case: Case) -> dict[str, Any]:
    """A JSON-ready view of a case for the API and the dashboard: the post, what our crawls saw
    for each claimed site, the draft and the history."""
    from watch.corroboration import check_claim

    post = case.post
    return {
        "id": case.id, "status": case.status, "brand": {"id": case.brand_id, "name": case.brand.name},
        "assignee": case.assignee, "deadline": _aware(case.deadline).isoformat() if case.deadline else None,
        "lang": case.lang, "draft": case.draft, "history": list(case.history or []),
        "post": {"id": post.id, "url": post.url, "source": post.source, "author": post.author,
                 "created_at": _aware(post.created_at).isoformat(), "text": post.text, "tactic": post.tactic,
                 "lang": post.lang, "engagement": post.engagement, "reach": post.reach,
                 "sites": list(post.site_domains or []),
                 "evidence": [m.get("path") for m in post.media or [] if m.get("path")]},
        "claims": [check_claim(session, case.brand_id, str(d)).as_dict() for d in post.site_domains or []],
        "excluded": {str(d): is_excluded(session, case.brand_id, str(d)) for d in post.site_domains or []},
    }
