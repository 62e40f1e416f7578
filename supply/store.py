"""Store glue for the supply path: idempotent upserts of fetched files, and the loaders the
cross-checks and the supply-path export read from. Callers own the transaction
(``store.db.session_scope``), so a refetch replaces a file's records all at once or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, selectinload

from store.models import AdsTxtFile, AdsTxtRecord, Seller, SellersJsonFile
from supply.adstxt import Issue, ParseResult, Record, Variable, parse_adstxt
from supply.crosscheck import (
    DEFAULT_SHARED_THRESHOLD,
    Directory,
    Finding,
    PathRow,
    SiteFile,
    check_all,
    supply_path,
)
from supply.fetch import Outcome
from supply.sellers import SellerEntry, SellersDocument, iter_sellers

BATCH = 2000


def _cut(value: str | None, size: int) -> str | None:
    return value if value is None or len(value) <= size else value[:size]


def _aware(when: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; everything here is UTC."""
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def _fetch_issue(outcome: Outcome) -> dict[str, Any]:
    return {"line": 0, "reason": f"fetch {outcome.url}: {outcome.reason}", "text": "", "severity": "fetch"}


def save_adstxt(
    session: Session, domain: str, kind: str, outcome: Outcome, now: datetime | None = None
) -> AdsTxtFile:
    """Upsert one site's file from a fetch outcome. ok: parse and replace the records; absent
    (404): nothing declared, records dropped; error/restricted: the last good data stays
    (spec 3.1) and the failure is noted."""
    now = now or datetime.now(UTC)
    domain = domain.lower()
    row = session.scalars(
        select(AdsTxtFile).where(AdsTxtFile.domain == domain, AdsTxtFile.kind == kind)
    ).one_or_none()
    if row is None:
        row = AdsTxtFile(domain=domain, kind=kind, status=outcome.status)
        session.add(row)
    if outcome.status in ("error", "restricted"):
        if row.status == "ok":
            kept = [e for e in row.errors if e.get("severity") != "fetch"]
            row.errors = [*kept, _fetch_issue(outcome)]
            return row
        row.records.clear()
        row.variables = []
        row.errors = [_fetch_issue(outcome)]
    elif outcome.status == "absent":
        row.records.clear()
        row.variables = []
        row.errors = []
    else:
        parsed = parse_adstxt(outcome.body, domain)
        row.records.clear()
        session.flush()
        row.records.extend(
            AdsTxtRecord(
                line=r.line,
                ad_system=_cut(r.ad_system, 253) or "",
                account_id=_cut(r.account_id, 200) or "",
                relationship_=r.relationship,
                cert_id=_cut(r.cert_id, 200),
                extension=r.extension,
            )
            for r in parsed.records
        )
        row.variables = [{"line": v.line, "name": v.name, "value": v.value} for v in parsed.variables]
        row.errors = parsed.issues()
    row.status = outcome.status
    row.url = _cut(outcome.url, 2048)
    row.http_status = outcome.http_status
    row.fetched_at = now
    row.expires_at = outcome.expires_at
    return row


def save_sellers(
    session: Session, ad_system: str, outcome: Outcome, now: datetime | None = None
) -> SellersJsonFile:
    """Upsert one exchange's sellers.json. ok: stream the sellers into the table, replacing the
    old ones; absent: the exchange publishes none; error: keep what we had."""
    now = now or datetime.now(UTC)
    ad_system = ad_system.lower()
    row = session.scalars(select(SellersJsonFile).where(SellersJsonFile.ad_system == ad_system)).one_or_none()
    if row is None:
        row = SellersJsonFile(ad_system=ad_system, status=outcome.status)
        session.add(row)
    fetch_issue = {"reason": f"fetch {outcome.url}: {outcome.reason}", "severity": "fetch"}
    if outcome.status in ("error", "restricted") and row.status == "ok":
        row.errors = [*[e for e in row.errors if e.get("severity") != "fetch"], fetch_issue]
        return row
    session.execute(delete(Seller).where(Seller.ad_system == ad_system))
    row.seller_count = 0
    if outcome.status == "ok":
        doc = SellersDocument()
        row.seller_count = _insert_sellers(session, ad_system, iter_sellers(outcome.body, doc), doc, now)
        row.version = _cut(doc.version, 20)
        row.contact_email = _cut(doc.contact_email, 500)
        row.identifiers = doc.identifiers
        row.errors = ([{"reason": e, "severity": "error"} for e in doc.errors]
                      + [{"reason": w, "severity": "warning"} for w in doc.warnings])
        status = "ok" if row.seller_count or not doc.errors else "error"
    else:
        row.errors = [fetch_issue] if outcome.status != "absent" else []
        status = outcome.status
    row.status = status
    row.url = _cut(outcome.url, 2048)
    row.http_status = outcome.http_status
    row.fetched_at = now
    row.expires_at = outcome.expires_at
    return row


def _insert_sellers(
    session: Session, ad_system: str, sellers: Iterable[SellerEntry], doc: SellersDocument, now: datetime
) -> int:
    seen: set[str] = set()
    batch: list[dict[str, Any]] = []
    count = 0
    for s in sellers:
        seller_id = _cut(s.seller_id, 200) or ""
        if seller_id in seen:
            doc.warn(f"sellers[{s.index}]: seller_id {seller_id!r} listed twice, first kept")
            continue
        seen.add(seller_id)
        batch.append({
            "ad_system": ad_system, "seller_id": seller_id, "name": _cut(s.name, 500),
            "domain": _cut(s.domain, 253), "seller_type": s.seller_type,
            "is_confidential": s.is_confidential, "is_passthrough": s.is_passthrough, "fetched_at": now,
        })
        if len(batch) >= BATCH:
            session.execute(insert(Seller), batch)
            count += len(batch)
            batch = []
    if batch:
        session.execute(insert(Seller), batch)
        count += len(batch)
    return count


# --- loading --------------------------------------------------------------------------------


def fresh(session: Session, kind: str, now: datetime | None = None) -> set[str]:
    """Domains whose file of this kind is still fresh (spec 3.6): no need to refetch."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(AdsTxtFile.domain, AdsTxtFile.expires_at, AdsTxtFile.status).where(AdsTxtFile.kind == kind)
    )
    return {d for d, exp, status in rows if status in ("ok", "absent") and exp and (_aware(exp) or now) > now}


def fresh_sellers(session: Session, now: datetime | None = None) -> set[str]:
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(SellersJsonFile.ad_system, SellersJsonFile.expires_at, SellersJsonFile.status)
    )
    return {a for a, exp, status in rows if status in ("ok", "absent") and exp and (_aware(exp) or now) > now}


def _site_file(row: AdsTxtFile) -> SiteFile:
    parsed = ParseResult(
        records=[Record(r.line, r.ad_system, r.account_id, r.relationship_, r.cert_id, r.extension)
                 for r in row.records],
        variables=[Variable(int(v["line"]), str(v["name"]), str(v["value"])) for v in row.variables],
        errors=[Issue(int(e["line"]), str(e["reason"]), str(e.get("text", "")))
                for e in row.errors if e.get("severity") == "error"],
        warnings=[Issue(int(e["line"]), str(e["reason"]), str(e.get("text", "")))
                  for e in row.errors if e.get("severity") == "warning"],
    )
    return SiteFile(site=row.domain, parsed=parsed, kind=row.kind)


def load_site_files(session: Session, domains: Iterable[str] | None = None) -> list[SiteFile]:
    """Every stored file that was read (status ok), optionally for some sites only."""
    query = select(AdsTxtFile).where(AdsTxtFile.status == "ok").options(selectinload(AdsTxtFile.records))
    if domains is not None:
        query = query.where(AdsTxtFile.domain.in_([d.lower() for d in domains]))
    return [_site_file(row) for row in session.scalars(query.order_by(AdsTxtFile.domain, AdsTxtFile.kind))]


def load_directories(session: Session, ad_systems: Iterable[str] | None = None) -> dict[str, Directory]:
    """The sellers of every exchange whose sellers.json was read."""
    query = select(SellersJsonFile.ad_system).where(SellersJsonFile.status == "ok")
    if ad_systems is not None:
        query = query.where(SellersJsonFile.ad_system.in_(sorted({a.lower() for a in ad_systems})))
    systems = list(session.scalars(query))
    out = {a: Directory(a) for a in systems}
    if not systems:
        return out
    for s in session.scalars(select(Seller).where(Seller.ad_system.in_(systems))):
        out[s.ad_system].sellers[s.seller_id] = SellerEntry(
            seller_id=s.seller_id, seller_type=s.seller_type, name=s.name, domain=s.domain,
            is_confidential=s.is_confidential, is_passthrough=s.is_passthrough,
        )
    return out


def findings(session: Session, shared_threshold: int = DEFAULT_SHARED_THRESHOLD,
             site: str | None = None) -> list[Finding]:
    """All cross-check findings over the store (shared accounts need every site), optionally
    narrowed to one site afterwards."""
    files = load_site_files(session)
    found = check_all(files, load_directories(session), shared_threshold)
    return [f for f in found if site is None or f.site == site.lower()]


def supply_path_for(session: Session, domain: str) -> list[PathRow]:
    files = load_site_files(session, [domain])
    systems = {r.ad_system for f in files for r in f.parsed.authorised}
    return supply_path(files, load_directories(session, systems))


def known_file(session: Session, domain: str) -> AdsTxtFile | None:
    return session.scalars(
        select(AdsTxtFile).where(AdsTxtFile.domain == domain.lower()).order_by(AdsTxtFile.kind)
    ).first()
