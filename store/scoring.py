"""Database glue for the rules engine: load pages and sites, run the pure engine, store one
RiskAssessment per (page or site, category) with its evidence, and the worst tier / risk score
on Page and Site.

Incremental: a page is rescored only when its content changed (``content_hash`` differs from
``scored_hash``) or the rules changed (its assessments carry another ``rules_version``). Sites
are rolled up again when one of their pages was rescored, or when their own rows are stale."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from rules.engine import Engine, PageFacts, PageRecord, PageVerdict, SiteFacts, SiteVerdict, default_engine
from rules.garm import CATEGORIES, TIER_RANK
from rules.suitability import Exposure, PlacementRisk, exposure, parse_profile
from store.domain_lists import CategoryLookup
from store.models import ActivistPost, AdsTxtFile, Brand, Page, Placement, RiskAssessment, Site, utcnow


@dataclass
class ScoreReport:
    rules_version: str
    pages_scored: int = 0
    pages_skipped: int = 0
    sites_scored: int = 0
    tiers: dict[str, int] = field(default_factory=dict)  # pages per worst tier (scored this run)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def content_hash_of(page: Page) -> str:
    """The crawler's content hash, or one computed from title and text when it left none."""
    if page.content_hash:
        return page.content_hash
    return hashlib.sha256(f"{page.title or ''}\n{page.text or ''}".encode()).hexdigest()


def _page_facts(page: Page, lookup: CategoryLookup) -> PageFacts:
    meta = page.meta if isinstance(page.meta, dict) else {}
    return PageFacts(url=page.url, title=page.title or "", text=page.text or "",
                     meta={k: v for k, v in meta.items() if isinstance(v, str | int | float)},
                     lang=page.lang, domain_categories=lookup.for_url(page.url))


def _write_rows(session: Session, *, page_id: int | None, site_id: int | None,
                categories: dict[str, Any], version: str) -> None:
    """Replace the 12 rows (one per category, ``none`` included) of one page or site."""
    col = RiskAssessment.page_id if page_id is not None else RiskAssessment.site_id
    session.execute(delete(RiskAssessment).where(col == (page_id if page_id is not None else site_id)))
    now = utcnow()
    for cat in CATEGORIES:
        cv = categories.get(cat)
        session.add(RiskAssessment(page_id=page_id, site_id=site_id, category=cat,
                                   tier=cv.tier if cv else "none", score=cv.score if cv else 0.0,
                                   evidence=[e.to_dict() for e in cv.evidence] if cv else [],
                                   rules_version=version, assessed_at=now))


def store_page_verdict(session: Session, page: Page, verdict: PageVerdict) -> None:
    _write_rows(session, page_id=page.id, site_id=None, categories=verdict.categories,
                version=verdict.rules_version)
    page.worst_tier = verdict.worst_tier
    page.risk_score = verdict.risk_score
    page.scored_hash = content_hash_of(page)


def _stale_page_ids(session: Session, version: str, site_ids: set[int] | None) -> list[int]:
    """Pages whose content changed since scoring, or that were scored by other rules. Texts are
    only read for the (rare) pages the crawler left without a content hash."""
    q = select(Page.id, Page.content_hash, Page.scored_hash).where(Page.status == "ok", Page.text.is_not(None))
    if site_ids is not None:
        q = q.where(Page.site_id.in_(site_ids))
    old_rules = set(session.scalars(select(RiskAssessment.page_id).where(
        RiskAssessment.page_id.is_not(None),
        or_(RiskAssessment.rules_version.is_(None), RiskAssessment.rules_version != version)).distinct()))
    out, unhashed = [], []
    for pid, chash, shash in session.execute(q).tuples():
        if chash is None:
            unhashed.append(pid)
        elif shash != chash or pid in old_rules:
            out.append(pid)
    for i in range(0, len(unhashed), 500):
        for page in session.scalars(select(Page).where(Page.id.in_(unhashed[i:i + 500]))):
            if page.scored_hash != content_hash_of(page) or page.id in old_rules:
                out.append(page.id)
    return out


def site_facts(session: Session, site: Site, lookup: CategoryLookup,
               callouts: dict[str, list[str]] | None = None) -> SiteFacts:
    """Supply (ads.txt), ad load, ad networks, activist call-outs and list categories of a site."""
    adstxt = session.scalar(select(AdsTxtFile.status).where(AdsTxtFile.domain == site.domain,
                                                           AdsTxtFile.kind == "ads.txt"))
    pages = session.scalar(select(func.count(Page.id)).where(Page.site_id == site.id, Page.status == "ok")) or 0
    n_place = session.scalar(select(func.count(Placement.id)).where(Placement.site_id == site.id)) or 0
    networks = session.scalar(select(func.count(func.distinct(Placement.ad_network))).where(
        Placement.site_id == site.id, Placement.ad_network.is_not(None))) or 0
    posts = (callouts if callouts is not None else activist_callouts(session)).get(site.domain, [])
    return SiteFacts(domain=site.domain, ads_txt=adstxt if adstxt in ("ok", "absent", "error") else None,
                     ad_density=round(n_place / pages, 3) if pages and n_place else None,
                     ad_networks=networks or None, called_out=len(posts), called_out_posts=posts,
                     domain_categories=lookup.for_url(site.domain))


def activist_callouts(session: Session) -> dict[str, list[str]]:
    """Registrable domain -> URLs (or ids) of the activist posts that name it."""
    out: dict[str, list[str]] = defaultdict(list)
    for url, ext, domains in session.execute(select(ActivistPost.url, ActivistPost.external_id,
                                                    ActivistPost.site_domains)).tuples():
        for d in domains or []:
            out[str(d).lower()].append(url or ext)
    return dict(out)


def page_records(session: Session, site_id: int) -> list[PageRecord]:
    rows = session.execute(select(Page.id, Page.url, Page.risk_score, Page.first_seen, RiskAssessment.category,
                                  RiskAssessment.tier)
                           .join(RiskAssessment, RiskAssessment.page_id == Page.id, isouter=True)
                           .where(Page.site_id == site_id, Page.scored_hash.is_not(None))).tuples()
    recs: dict[int, PageRecord] = {}
    for pid, url, risk, first_seen, cat, tier in rows:
        rec = recs.get(pid)
        if rec is None:
            rec = recs[pid] = PageRecord(url=url, tiers={}, risk_score=risk or 0.0, when=first_seen)
        if cat and tier and tier != "none":
            rec.tiers[cat] = tier
    return list(recs.values())


def score_site(session: Session, site: Site, engine: Engine, lookup: CategoryLookup,
               callouts: dict[str, list[str]] | None = None) -> SiteVerdict:
    verdict = engine.score_site(site_facts(session, site, lookup, callouts), page_records(session, site.id))
    _write_rows(session, page_id=None, site_id=site.id, categories=verdict.categories,
                version=verdict.rules_version)
    site.worst_tier = verdict.worst_tier
    site.risk_score = verdict.risk_score
    return verdict


def score(session: Session, engine: Engine | None = None, *, force: bool = False,
          site_domain: str | None = None, batch: int = 200) -> ScoreReport:
    """Score what changed (everything with ``force``); commit is the caller's."""
    engine = engine or default_engine()
    lookup = CategoryLookup(session)
    report = ScoreReport(engine.version)
    site_ids: set[int] | None = None
    if site_domain:
        sid = session.scalar(select(Site.id).where(Site.domain == site_domain))
        site_ids = {sid} if sid else set()
    if force:
        q = select(Page.id).where(Page.status == "ok", Page.text.is_not(None))
        if site_ids is not None:
            q = q.where(Page.site_id.in_(site_ids))
        stale = list(session.scalars(q))
    else:
        stale = _stale_page_ids(session, engine.version, site_ids)
    total_q = select(func.count(Page.id)).where(Page.status == "ok", Page.text.is_not(None))
    if site_ids is not None:
        total_q = total_q.where(Page.site_id.in_(site_ids))
    report.pages_skipped = (session.scalar(total_q) or 0) - len(stale)
    touched_sites: set[int] = set()
    tiers: dict[str, int] = defaultdict(int)
    for i in range(0, len(stale), batch):
        for page in session.scalars(select(Page).where(Page.id.in_(stale[i:i + batch]))):
            verdict = engine.score_page(_page_facts(page, lookup))
            store_page_verdict(session, page, verdict)
            tiers[verdict.worst_tier] += 1
            touched_sites.add(page.site_id)
            report.pages_scored += 1
        session.flush()
    # sites: those with rescored pages, plus any whose own rows are missing or stale
    sq = select(Site)
    if site_ids is not None:
        sq = sq.where(Site.id.in_(site_ids))
    fresh = set(session.scalars(select(RiskAssessment.site_id).where(
        RiskAssessment.site_id.is_not(None), RiskAssessment.rules_version == engine.version).distinct()))
    callouts = activist_callouts(session)
    for site in session.scalars(sq):
        if force or site.id in touched_sites or site.id not in fresh:
            score_site(session, site, engine, lookup, callouts)
            report.sites_scored += 1
    session.flush()
    report.tiers = dict(sorted(tiers.items(), key=lambda kv: TIER_RANK[kv[0]]))
    return report


def site_tiers(session: Session) -> dict[int, dict[str, str]]:
    """Site id -> category -> stored site-level tier (risky categories only)."""
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for sid, cat, tier in session.execute(select(RiskAssessment.site_id, RiskAssessment.category,
                                                 RiskAssessment.tier).where(
            RiskAssessment.site_id.is_not(None), RiskAssessment.tier != "none")).tuples():
        if sid is not None:
            out[sid][cat] = tier
    return dict(out)


def brand_exposure(session: Session, brand: Brand) -> Exposure:
    """The brand's placements weighted by the stored page and site risk under its profile."""
    profile = parse_profile(brand.suitability, f"brand {brand.name!r} suitability")
    stiers = site_tiers(session)
    page_tiers: dict[int, dict[str, str]] = defaultdict(dict)
    rows = session.execute(select(Placement.page_id, Placement.site_id, Page.url, Site.domain)
                           .join(Page, Page.id == Placement.page_id).join(Site, Site.id == Placement.site_id)
                           .where(Placement.brand_id == brand.id)).tuples().all()
    page_ids = {r[0] for r in rows}
    if page_ids:
        for pid, cat, tier in session.execute(select(RiskAssessment.page_id, RiskAssessment.category,
                                                     RiskAssessment.tier).where(
                RiskAssessment.page_id.in_(page_ids), RiskAssessment.tier != "none")).tuples():
            if pid is not None:
                page_tiers[pid][cat] = tier
    placements = [PlacementRisk(site=domain, page_url=url, page_tiers=page_tiers.get(pid, {}),
                                site_tiers=stiers.get(sid, {})) for pid, sid, url, domain in rows]
    return exposure(brand.name, profile, placements)
