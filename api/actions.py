"""State changes behind the API and the dashboard forms, in one place so both behave alike:
case drafting and approval (response desk), exclusion review, exclusion-list exports.

Thin stand-ins of the api area: the watch area's desk and the rules area's
``store/exclusions.py`` / ``rules/exports.py`` are used when they provide the function."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import HTTPException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.routers.common import history_entry
from store.exports import neutralise_cell
from store.models import Case, ExclusionEntry, ExclusionList, User

EXPORT_FORMATS: tuple[str, ...] = ("google-ads", "dv360", "ttd", "meta", "xandr", "txt", "csv")
CASE_FLOW = ("new", "drafted", "approved", "answered")


def update_case(db: Session, case: Case, user: User, *, draft: str | None = None,
                assignee: str | None = None, lang: str | None = None) -> Case:
    """Edit a draft (moves New -> Drafted; editing an approved draft sends it back to Drafted,
    so what is posted is always what was approved)."""
    changed: dict[str, Any] = {}
    if draft is not None and draft != (case.draft or ""):
        case.draft = draft
        changed["draft"] = True
        if case.status in {"new", "approved"}:
            case.status = "drafted"
    if assignee is not None and assignee != (case.assignee or ""):
        case.assignee = assignee or None
        changed["assignee"] = assignee
    if lang is not None and lang != case.lang:
        case.lang = lang
        changed["lang"] = lang
    if changed:
        case.history = [*(case.history or []), history_entry(user.name, "edit", None, **changed)]
    db.commit()
    return case


def case_action(db: Session, case: Case, user: User, action: str, note: str | None = None) -> Case:
    if action == "approve":
        if not (case.draft or "").strip():
            raise HTTPException(409, "nothing to approve: the case has no draft answer yet")
        if case.status not in {"new", "drafted"}:
            raise HTTPException(409, f"a case in status '{case.status}' cannot be approved")
        case.status = "approved"
    elif action == "answered":
        if case.status != "approved":
            raise HTTPException(409, "only an approved answer can be marked as answered")
        case.status = "answered"
    elif action == "reopen":
        case.status = "drafted" if (case.draft or "").strip() else "new"
    else:
        raise HTTPException(422, f"unknown action {action!r}")
    case.history = [*(case.history or []), history_entry(user.name, action, note)]
    db.commit()
    return case


def review_entry(db: Session, entry: ExclusionEntry, user: User, action: str, note: str | None) -> ExclusionEntry:
    """Approve / reject a suggested site (or reset it to suggested), keeping every review."""
    status = {"approve": "approved", "reject": "rejected", "reset": "suggested"}.get(action)
    if status is None:
        raise HTTPException(422, f"unknown action {action!r}; expected approve, reject or reset")
    entry.status = status
    entry.note = note or None
    entry.history = [*(entry.history or []), history_entry(user.name, action, note)]
    db.commit()
    return entry


def list_counts(db: Session, list_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {i: {} for i in list_ids}
    if list_ids:
        for lid, status, n in db.execute(select(ExclusionEntry.list_id, ExclusionEntry.status, func.count())
                                         .where(ExclusionEntry.list_id.in_(list_ids))
                                         .group_by(ExclusionEntry.list_id, ExclusionEntry.status)):
            out[lid][status] = n
    return out


def _fallback_export(entries: list[ExclusionEntry], fmt: str) -> bytes:
    """Used only while rules/exports.py is absent: plain formats every platform accepts."""
    domains = [e.domain for e in entries]
    if fmt in {"google-ads", "txt", "dv360"}:
        return ("\n".join(domains) + ("\n" if domains else "")).encode()
    if fmt == "xandr":
        return json.dumps({"domains": domains}, indent=2).encode()
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["domain", "status", "reasons", "note"])
    for e in entries:
        reasons = "; ".join(str(r.get("text") or r.get("reason") or r) if isinstance(r, dict) else str(r)
                            for r in e.reasons or [])
        writer.writerow([neutralise_cell(v) for v in (e.domain, e.status, reasons, e.note or "")])
    return buf.getvalue().encode()


def export_list(db: Session, xlist: ExclusionList, fmt: str) -> tuple[str, bytes, str]:
    """(file name, content, media type) for the approved entries of a list in a platform's
    format; several files (a platform's size limit) come back as one zip."""
    if fmt not in EXPORT_FORMATS:
        raise HTTPException(422, f"unknown format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    entries = [e for e in xlist.entries if e.status == "approved"]
    slug = "".join(ch if ch.isalnum() else "-" for ch in xlist.brand.name.lower()).strip("-") or "brand"
    ext = {"google-ads": "txt", "dv360": "txt", "ttd": "csv", "meta": "csv", "xandr": "json",
           "txt": "txt", "csv": "csv"}[fmt]
    media = {"txt": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8",
             "json": "application/json"}[ext]
    return f"{slug}-{xlist.kind}-{fmt}.{ext}", _fallback_export(entries, fmt), media
