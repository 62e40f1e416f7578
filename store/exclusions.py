"""Exclusion and inclusion lists per brand in the database: refresh suggestions from stored
site verdicts and activist call-outs, review them (approve / reject with a note, history kept),
add entries by hand, and collect the entries to export."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rules.exclusions import SiteRisk, reason_text, suggest_exclusions, suggest_inclusions
from rules.exports import ExportEntry
from rules.suitability import parse_profile
from store.models import Brand, ExclusionEntry, ExclusionList, Page, Placement, RiskAssessment, Site, utcnow
from store.scoring import activist_callouts
from vigie.domains import normalise_domain
from vigie.errors import UserError

KINDS = ("exclusion", "inclusion")
ACTIONS = {"approve": "approved", "reject": "rejected", "reset": "suggested"}


@dataclass
class RefreshReport:
    brand: str
    kind: str
    added: int = 0
    updated: int = 0
    withdrawn: int = 0
    entries: list[dict[str, Any]] = field(default_factory=list)


def get_brand(session: Session, name: str) -> Brand:
    brand = session.scalar(select(Brand).where(func.lower(Brand.name) == name.strip().lower()))
    if brand is None:
        raise UserError(f"brand {name!r}: not found (import it with `vigie brands import`)")
    return brand


def get_list(session: Session, brand: Brand, kind: str = "exclusion") -> ExclusionList:
    if kind not in KINDS:
        raise UserError(f"kind {kind!r}: expected one of {', '.join(KINDS)}")
    lst = session.scalar(select(ExclusionList).where(ExclusionList.brand_id == brand.id, ExclusionList.kind == kind))
    if lst is None:
        lst = ExclusionList(brand_id=brand.id, kind=kind)
        session.add(lst)
        session.flush()
    return lst


def site_risks(session: Session, brand: Brand | None = None) -> list[SiteRisk]:
    """Every scored site with its stored site-level tiers, evidence notes, call-outs and the
    brand's placements there."""
    callouts = activist_callouts(session)
    risks: dict[int, SiteRisk] = {}
    for site in session.scalars(select(Site)):
        posts = callouts.get(site.domain, [])
        risks[site.id] = SiteRisk(domain=site.domain, tiers={}, called_out=len(posts), posts=posts)
    for sid, cat, tier, evidence in session.execute(select(
            RiskAssessment.site_id, RiskAssessment.category, RiskAssessment.tier, RiskAssessment.evidence).where(
            RiskAssessment.site_id.is_not(None), RiskAssessment.tier != "none")).tuples():
        if sid in risks:
            risks[sid].tiers[cat] = tier
            notes = [str(e.get("note") or e.get("rule_id")) for e in evidence or [] if isinstance(e, dict)]
            risks[sid].notes[cat] = "; ".join(n for n in notes if n)
    for sid, n in session.execute(select(Page.site_id, func.count(Page.id)).where(
            Page.scored_hash.is_not(None)).group_by(Page.site_id)).tuples():
        if sid in risks:
            risks[sid].pages = n
    if brand is not None:
        for sid, n in session.execute(select(Placement.site_id, func.count(Placement.id)).where(
                Placement.brand_id == brand.id).group_by(Placement.site_id)).tuples():
            if sid in risks:
                risks[sid].placements = n
    return list(risks.values())


def _event(action: str, note: str | None, user: str) -> dict[str, Any]:
    return {"at": utcnow().isoformat(), "user": user, "action": action, "note": note or ""}


def refresh(session: Session, brand: Brand, kind: str = "exclusion", *, min_callouts: int = 1,
            min_pages: int = 3, user: str = "vigie") -> RefreshReport:
    """Bring the brand's list up to date with the current verdicts. Reviewed entries keep their
    decision (their reasons are refreshed); pending suggestions that no longer apply are withdrawn."""
    profile = parse_profile(brand.suitability, f"brand {brand.name!r} suitability")
    risks = site_risks(session, brand)
    sugg = (suggest_exclusions(profile, risks, min_callouts=min_callouts) if kind == "exclusion"
            else suggest_inclusions(profile, risks, min_pages=min_pages))
    lst = get_list(session, brand, kind)
    by_domain = {e.domain: e for e in lst.entries}
    report = RefreshReport(brand.name, kind)
    wanted = set()
    for s in sugg:
        wanted.add(s.domain)
        entry = by_domain.get(s.domain)
        if entry is None:
            entry = ExclusionEntry(domain=s.domain, reasons=s.reasons, status="suggested",
                                   history=[_event("suggested", reason_text(s.reasons), user)])
            lst.entries.append(entry)
            report.added += 1
        else:
            if entry.reasons != s.reasons:
                entry.reasons = s.reasons
                entry.history = [*entry.history, _event("reasons_updated", reason_text(s.reasons), user)]
                report.updated += 1
            if entry.status == "withdrawn":
                entry.status = "suggested"
                entry.history = [*entry.history, _event("suggested", reason_text(s.reasons), user)]
        report.entries.append({"domain": s.domain, "status": entry.status, "priority": s.priority,
                               "reasons": reason_text(s.reasons)})
    for entry in lst.entries:
        if entry.domain not in wanted and entry.status == "suggested" and not _is_manual(entry):
            entry.status = "withdrawn"
            entry.history = [*entry.history, _event("withdrawn", "no longer over the profile", user)]
            report.withdrawn += 1
    session.flush()
    return report


def _is_manual(entry: ExclusionEntry) -> bool:
    return any(isinstance(h, dict) and h.get("action") == "added" for h in entry.history or [])


def _find_entry(session: Session, brand: Brand, domain: str,
                kind: str) -> tuple[ExclusionList, str, ExclusionEntry | None]:
    """The brand's list, the normalised domain, and that domain's entry if the list has one."""
    try:
        d = normalise_domain(domain)
    except ValueError as exc:
        raise UserError(f"domain: {exc}") from exc
    lst = get_list(session, brand, kind)
    return lst, d, next((e for e in lst.entries if e.domain == d), None)


def review(session: Session, brand: Brand, domain: str, action: str, *, note: str | None = None,
           user: str = "cli", kind: str = "exclusion") -> ExclusionEntry:
    """approve / reject / reset one entry; every review is appended to its history."""
    if action not in ACTIONS:
        raise UserError(f"action {action!r}: expected one of {', '.join(ACTIONS)}")
    _, d, entry = _find_entry(session, brand, domain, kind)
    if entry is None:
        raise UserError(f"{d}: not in {brand.name}'s {kind} list (run `vigie exclusions suggest` "
                        "or `vigie exclusions add`)")
    entry.status = ACTIONS[action]
    entry.note = note
    entry.history = [*entry.history, _event(action, note, user)]
    session.flush()
    return entry


def add(session: Session, brand: Brand, domain: str, *, kind: str = "exclusion", note: str | None = None,
        user: str = "cli") -> ExclusionEntry:
    """Add a site by hand (approved at once)."""
    lst, d, entry = _find_entry(session, brand, domain, kind)
    if entry is None:
        entry = ExclusionEntry(domain=d, reasons=[{"type": "manual", "note": note or "added by hand"}],
                               status="approved", note=note, history=[])
        lst.entries.append(entry)
    else:
        entry.status = "approved"
        entry.note = note
    entry.history = [*entry.history, _event("added", note, user)]
    session.flush()
    return entry


def entries(session: Session, brand: Brand, kind: str = "exclusion",
            statuses: tuple[str, ...] = ("approved",)) -> list[ExportEntry]:
    lst = get_list(session, brand, kind)
    out = []
    for e in lst.entries:
        if e.status not in statuses:
            continue
        cats = sorted({str(r.get("category")) for r in e.reasons or [] if isinstance(r, dict) and r.get("category")})
        out.append(ExportEntry(domain=e.domain, status=e.status, reasons=reason_text(e.reasons or []),
                               categories=cats, note=e.note or ""))
    return out
