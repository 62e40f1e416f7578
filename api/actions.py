"""State changes behind the API and the dashboard forms, in one place so both behave alike.
They delegate to the areas that own the rules: the response desk to ``watch.desk`` and
exclusion reviews and exports to ``store.exclusions`` / ``rules.exports``; this module only
turns their errors into HTTP answers."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.routers.common import history_entry
from rules import exports as rule_exports
from store import exclusions as store_exclusions
from store.models import Case, ExclusionEntry, ExclusionList, User
from vigie.errors import UserError
from watch import desk

EXPORT_FORMATS: tuple[str, ...] = tuple(rule_exports.FORMATS)
CASE_ACTIONS = ("draft", "approve", "answered", "reopen")


@contextmanager
def as_http(status: int = 409) -> Iterator[None]:
    """The areas raise UserError with a clear message; the API answers it as JSON."""
    try:
        yield
    except desk.PermissionDenied as exc:
        raise HTTPException(403, str(exc)) from exc
    except UserError as exc:
        raise HTTPException(status, str(exc)) from exc


def update_case(db: Session, case: Case, user: User, *, draft: str | None = None,
                assignee: str | None = None, lang: str | None = None) -> Case:
    """Edit the draft (an approved draft that changes must be approved again), the assignee
    or the answer's language."""
    with as_http():
        if lang is not None and lang != case.lang:
            case.lang = lang
            case.history = [*(case.history or []), history_entry(user.name, "language", lang)]
        if draft is not None and draft.strip() and draft.strip() != (case.draft or "").strip():
            desk.edit(db, case.id, user.name, draft)
        if assignee is not None and (assignee or None) != case.assignee:
            desk.assign(db, case.id, user.name, assignee or None)
    db.commit()
    return case


def case_action(db: Session, case: Case, user: User, action: str, note: str | None = None) -> Case:
    """``draft`` fills the FR/EN answer template with checked facts; ``approve`` (analyst or
    admin) a drafted answer; ``answered`` once posted; ``reopen`` goes back to editing."""
    with as_http():
        if action == "draft":
            desk.draft(db, case.id, user.name, case.lang)
        elif action == "approve":
            desk.approve(db, case.id, user.name, user.role, note)
        elif action == "answered":
            if case.status != "approved":
                raise HTTPException(409, f"case {case.id}: only an approved answer can be marked answered")
            desk.mark_answered(db, case.id, user.name, note)
        elif action == "reopen":
            case.status = "drafted" if (case.draft or "").strip() else "new"
            case.history = [*(case.history or []), history_entry(user.name, "reopened", note)]
        else:
            raise HTTPException(422, f"unknown action {action!r}; expected one of {', '.join(CASE_ACTIONS)}")
    db.commit()
    return case


def review_entry(db: Session, entry: ExclusionEntry, user: User, action: str, note: str | None) -> ExclusionEntry:
    """Approve / reject a suggested site (or reset it to suggested); every review is kept."""
    if action not in store_exclusions.ACTIONS:
        raise HTTPException(422, f"unknown action {action!r}; expected approve, reject or reset")
    xlist = entry.exclusion_list
    with as_http(422):
        try:
            store_exclusions.review(db, xlist.brand, entry.domain, action, note=note, user=user.name, kind=xlist.kind)
        except UserError:  # a stored domain the normaliser refuses: review the row itself
            entry.status = store_exclusions.ACTIONS[action]
            entry.note = note
            entry.history = [*(entry.history or []), history_entry(user.name, action, note)]
    db.commit()
    db.refresh(entry)
    return entry


def list_counts(db: Session, list_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {i: {} for i in list_ids}
    if list_ids:
        for lid, status, n in db.execute(select(ExclusionEntry.list_id, ExclusionEntry.status, func.count())
                                         .where(ExclusionEntry.list_id.in_(list_ids))
                                         .group_by(ExclusionEntry.list_id, ExclusionEntry.status)):
            out[lid][status] = n
    return out


MEDIA = {"csv": "text/csv; charset=utf-8", "txt": "text/plain; charset=utf-8", "json": "application/json",
         "zip": "application/zip"}


def export_list(db: Session, xlist: ExclusionList, fmt: str) -> tuple[str, bytes, str]:
    """(file name, content, media type) of the list's approved entries in one platform's
    format (``rules.exports``); when the platform's size limit splits it, one zip of the files."""
    if fmt not in EXPORT_FORMATS:
        raise HTTPException(422, f"unknown format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    entries = store_exclusions.entries(db, xlist.brand, xlist.kind)
    files: dict[str, Any] = rule_exports.export(fmt, entries, f"{xlist.brand.name} {xlist.kind}")
    if len(files) == 1:
        name, content = next(iter(files.items()))
        return name, content, MEDIA.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    stem = next(iter(files)).rsplit("-", 1)[0]
    return f"{stem}.zip", buf.getvalue(), MEDIA["zip"]
