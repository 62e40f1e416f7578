"""Read queries shared by the API and the dashboard, written for large tables: filters that
use the placements indexes, keyset pagination, and batch look-ups instead of per-row queries.

Thin stand-ins for other areas' functions live here until those areas ship them (noted where)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import HTTPException
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from api.pagination import keyset, page_out
from rules.garm import CATEGORIES, TIER_RANK, TIERS
from store.models import (
    ActivistPost,
    Brand,
    Case,
    CrawlRun,
    Page,
    Placement,
    RiskAssessment,
    Site,
)

AT_RISK_TIERS: tuple[str, ...] = ("floor", "high", "medium")
RISK_TIERS: tuple[str, ...] = ("floor", "high", "medium", "low")
PLACEMENT_SORTS = {"last_seen": Placement.last_seen, "first_seen": Placement.first_seen}
MAX_LIMIT = 500


def as_utc(value: datetime | None) -> datetime | None:
    """Aware datetimes in UTC; naive ones are taken as UTC already (SQLite returns them so)."""
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def tiers_at_least(tier: str) -> list[str]:
    """``medium`` -> floor, high, medium: that tier or worse."""
    return [t for t in TIERS if t != "none" and TIER_RANK[t] <= TIER_RANK[tier]]


@dataclass
class PlacementFilter:
    brand: str | None = None
    site: str | None = None
    category: str | None = None
    tier: str | None = None
    min_tier: str | None = None
    network: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    unknown_brand: bool | None = None

    def validate(self) -> None:
        if self.category and self.category not in CATEGORIES:
            raise HTTPException(422, f"unknown category {self.category!r}; expected one of "
                                     f"{', '.join(CATEGORIES)}")
        for name in ("tier", "min_tier"):
            value = getattr(self, name)
            if value and value not in TIERS:
                raise HTTPException(422, f"unknown {name} {value!r}; expected one of {', '.join(TIERS)}")


def resolve_brand_id(db: Session, brand: str) -> int | None:
    """A brand given by id or by exact name; -1 (matches nothing) when unknown."""
    if brand.isascii() and brand.isdigit():
        return int(brand) if len(brand) < 18 else -1
    found = db.scalar(select(Brand.id).where(Brand.name == brand))
    return found if found is not None else -1


def resolve_site_id(db: Session, site: str) -> int:
    if site.isascii() and site.isdigit():
        return int(site) if len(site) < 18 else -1
    found = db.scalar(select(Site.id).where(Site.domain == site.strip().lower().removeprefix("www.")))
    return found if found is not None else -1


def placement_select() -> Select[Any]:
    return (
        select(Placement.id, Placement.page_id, Placement.site_id, Placement.brand_id,
               Placement.advertiser_domain, Placement.ad_network, Placement.creative_url,
               Placement.landing_url, Placement.click_chain, Placement.slot, Placement.ad_text,
               Placement.screenshot_path, Placement.page_screenshot_path, Placement.rendered,
               Placement.first_seen, Placement.last_seen, Placement.crawl_run_id,
               Placement.filter_list_version,
               Page.url.label("page_url"), Page.title.label("page_title"),
               Page.worst_tier.label("tier"), Site.domain.label("site"), Brand.name.label("brand"))
        .join(Page, Page.id == Placement.page_id)
        .join(Site, Site.id == Placement.site_id)
        .outerjoin(Brand, Brand.id == Placement.brand_id)
    )


def apply_placement_filter(db: Session, stmt: Select[Any], f: PlacementFilter) -> Select[Any]:
    f.validate()
    if f.brand:
        stmt = stmt.where(Placement.brand_id == resolve_brand_id(db, f.brand))
    if f.unknown_brand is True:
        stmt = stmt.where(Placement.brand_id.is_(None))
    elif f.unknown_brand is False:
        stmt = stmt.where(Placement.brand_id.is_not(None))
    if f.site:
        stmt = stmt.where(Placement.site_id == resolve_site_id(db, f.site))
    if f.network:
        stmt = stmt.where(Placement.ad_network == f.network)
    if f.since:
        stmt = stmt.where(Placement.last_seen >= as_utc(f.since))
    if f.until:
        stmt = stmt.where(Placement.first_seen <= as_utc(f.until))
    # Tiers are common values: comparing through coalesce() keeps the planner from driving the
    # query by the pages.worst_tier index (then sorting every match); it walks placements in
    # sort order instead and stops after one page of rows.
    if f.tier:
        stmt = stmt.where(func.coalesce(Page.worst_tier, "") == f.tier)
    if f.min_tier:
        stmt = stmt.where(func.coalesce(Page.worst_tier, "").in_(tiers_at_least(f.min_tier)))
    if f.category:
        risky = select(RiskAssessment.page_id).where(RiskAssessment.category == f.category,
                                                     RiskAssessment.tier.in_(RISK_TIERS))
        if _rare_category(db, f.category):
            stmt = stmt.where(Placement.page_id.in_(risky))  # few pages: start from them
        else:
            stmt = stmt.where(exists().where(  # many pages: walk placements, probe each page
                RiskAssessment.page_id == Placement.page_id, RiskAssessment.category == f.category,
                RiskAssessment.tier.in_(RISK_TIERS)))
    return stmt


RARE_CATEGORY_PAGES = 1000


def _rare_category(db: Session, category: str) -> bool:
    """Whether few pages carry ``category`` (a bounded index count, never the whole table)."""
    sub = (select(RiskAssessment.id).where(RiskAssessment.category == category)
           .limit(RARE_CATEGORY_PAGES + 1).subquery())
    return int(db.scalar(select(func.count()).select_from(sub)) or 0) <= RARE_CATEGORY_PAGES


def page_categories(db: Session, page_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Risky categories of each page, worst first, in one query for the whole result page."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not page_ids:
        return out
    rows = db.execute(select(RiskAssessment.page_id, RiskAssessment.category, RiskAssessment.tier,
                             RiskAssessment.score)
                      .where(RiskAssessment.page_id.in_(set(page_ids)),
                             RiskAssessment.tier.in_(RISK_TIERS)))
    for pid, cat, tier, score in rows:
        if pid is not None:
            out[pid].append({"category": cat, "tier": tier, "score": score})
    for cats in out.values():
        cats.sort(key=lambda c: (TIER_RANK.get(c["tier"], 9), c["category"]))
    return out


def list_placements(db: Session, f: PlacementFilter, *, sort: str = "last_seen", order: str = "desc",
                    cursor: str | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], str | None]:
    if sort not in PLACEMENT_SORTS:
        raise HTTPException(422, f"unknown sort {sort!r}; expected one of {', '.join(PLACEMENT_SORTS)}")
    limit = max(1, min(limit, MAX_LIMIT))
    stmt = apply_placement_filter(db, placement_select(), f)
    stmt = keyset(stmt, PLACEMENT_SORTS[sort], Placement.id, desc=order == "desc", cursor=cursor,
                  sort_name=f"{sort}:{order}").limit(limit + 1)
    rows = [dict(r._mapping) for r in db.execute(stmt)]
    rows, nxt = page_out(rows, limit, f"{sort}:{order}", lambda r: r[sort], lambda r: r["id"])
    cats = page_categories(db, [r["page_id"] for r in rows])
    for r in rows:
        r["categories"] = cats.get(r["page_id"], [])
    return rows, nxt


def iter_placements(db: Session, f: PlacementFilter, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every matching placement, newest first, in keyset batches (constant memory)."""
    cursor: str | None = None
    while True:
        rows, cursor = list_placements(db, f, cursor=cursor, limit=batch)
        yield from rows
        if cursor is None:
            return


def get_placement(db: Session, placement_id: int) -> dict[str, Any] | None:
    row = db.execute(placement_select().where(Placement.id == placement_id)).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["categories"] = page_categories(db, [out["page_id"]]).get(out["page_id"], [])
    return out


# --- overview -------------------------------------------------------------------------------


def exposures_at_risk_by_brand(db: Session, days: int = 30) -> list[dict[str, Any]]:
    """Per brand, placements seen in the last ``days`` on pages at medium risk or worse.
    Bounded by the ``last_seen`` window so the overview never counts the whole table."""
    since = datetime.now(UTC) - timedelta(days=days)
    stmt = (select(Brand.id, Brand.name, func.count(Placement.id).label("n"),
                   func.count(func.distinct(Placement.site_id)).label("sites"))
            .join(Placement, Placement.brand_id == Brand.id)
            .join(Page, Page.id == Placement.page_id)
            .where(Placement.last_seen >= since, Page.worst_tier.in_(AT_RISK_TIERS))
            .group_by(Brand.id, Brand.name).order_by(func.count(Placement.id).desc()).limit(20))
    return [dict(r._mapping) for r in db.execute(stmt)]


def riskiest_sites(db: Session, limit: int = 10) -> list[Site]:
    return list(db.scalars(select(Site).where(Site.risk_score.is_not(None))
                           .order_by(Site.risk_score.desc(), Site.id).limit(limit)))


def latest_runs(db: Session, limit: int = 5) -> list[CrawlRun]:
    return list(db.scalars(select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
                           .limit(limit)))


# --- posts and pressure (watch/ computes the pressure; this shapes it for display) ----------


def posts_for_brand(db: Session, brand_id: int, days: int = 90, limit: int = 2000) -> list[ActivistPost]:
    """Posts tagging a brand: its cases, plus ``brand_ids`` matched in Python on a bounded
    recent window (a JSON list, not portable to filter in SQL)."""
    since = datetime.now(UTC) - timedelta(days=days)
    posts = db.scalars(select(ActivistPost).where(ActivistPost.created_at >= since)
                       .order_by(ActivistPost.created_at.desc()).limit(limit)).all()
    case_ids = set(db.scalars(select(Case.post_id).where(Case.brand_id == brand_id)))
    return [p for p in posts if p.id in case_ids or brand_id in (p.brand_ids or [])]


def posts_naming_site(db: Session, domain: str, limit: int = 50) -> list[ActivistPost]:
    posts = db.scalars(select(ActivistPost).order_by(ActivistPost.created_at.desc()).limit(5000)).all()
    return [p for p in posts if domain in (p.site_domains or [])][:limit]


@dataclass
class Timeline:
    days: list[datetime] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    spikes: list[bool] = field(default_factory=list)
    score: float = 0.0
    alert: bool = False


def brand_timeline(db: Session, brand_id: int, days: int = 30, now: datetime | None = None) -> Timeline:
    """The last ``days`` days of posts naming the brand (``watch.service.brand_pressure``), with
    today's bar flagged when watch/ raises a spike alert."""
    from watch.service import brand_pressure

    now = now or datetime.now(UTC)
    bp = brand_pressure(db, now).get(brand_id)
    start = (now - timedelta(days=days - 1)).date()
    counts = [0] * days
    for day in (bp.timeline if bp else []):
        idx = (date.fromisoformat(day["day"]) - start).days
        if 0 <= idx < days:
            counts[idx] += int(day["posts"])
    alert = bool(bp and bp.spike.alert)
    spikes = [False] * days
    if alert:
        spikes[-1] = True
    return Timeline([datetime.combine(start + timedelta(days=i), datetime.min.time(), UTC) for i in range(days)],
                    counts, spikes, bp.score if bp else 0.0, alert)


def pressure_spikes(db: Session) -> list[dict[str, Any]]:
    """Brands under a spike alert right now, and the most pressured brands (watch/'s score)."""
    from watch.service import brand_pressure

    pressure = brand_pressure(db)
    if not pressure:
        return []
    names = {i: n for i, n in db.execute(select(Brand.id, Brand.name).where(Brand.id.in_(list(pressure))))}
    rows: list[dict[str, Any]] = [{"brand_id": bid, "brand": names.get(bid, f"#{bid}"), "last_24h": bp.last_24h,
             "mean_7d": round(bp.spike.mean, 2), "score": round(bp.score, 1), "alert": bp.spike.alert}
            for bid, bp in pressure.items()]
    return sorted(rows, key=lambda r: (not r["alert"], -float(r["score"])))[:10]


_SNIPPET_WS = re.compile(r"\s+")


def evidence_snippets(evidence: list[Any], limit: int = 3) -> list[dict[str, str]]:
    """Evidence items of a risk assessment reduced to (rule, terms, snippet) for display;
    tolerant of whatever shape rules/ stores."""
    out = []
    for item in evidence or []:
        if not isinstance(item, dict):
            out.append({"rule": "", "terms": "", "snippet": str(item)[:300]})
            continue
        terms = item.get("terms") or item.get("matched") or item.get("term") or ""
        if isinstance(terms, list):
            terms = ", ".join(str(t) for t in terms)
        snippet = item.get("snippet") or item.get("snippets") or item.get("context") or ""
        if isinstance(snippet, list):
            snippet = " … ".join(str(s) for s in snippet)
        out.append({"rule": str(item.get("rule") or item.get("rule_id") or ""), "terms": str(terms),
                    "snippet": _SNIPPET_WS.sub(" ", str(snippet))[:300]})
        if len(out) >= limit:
            break
    return out


def site_assessments(db: Session, site_id: int) -> list[RiskAssessment]:
    rows = list(db.scalars(select(RiskAssessment).where(RiskAssessment.site_id == site_id)))
    rows.sort(key=lambda r: (TIER_RANK.get(r.tier, 9), r.category))
    return rows


def site_page_assessments(db: Session, site_id: int, limit: int = 200) -> list[tuple[RiskAssessment, Page]]:
    """Page-level verdicts on a site's pages (risky ones), worst first, for evidence snippets."""
    stmt = (select(RiskAssessment, Page).join(Page, Page.id == RiskAssessment.page_id)
            .where(Page.site_id == site_id, RiskAssessment.tier.in_(RISK_TIERS)).limit(limit))
    rows = [(ra, pg) for ra, pg in db.execute(stmt).tuples()]
    rows.sort(key=lambda r: (TIER_RANK.get(r[0].tier, 9), -r[0].score))
    return rows


def brands_on_site(db: Session, site_id: int) -> list[dict[str, Any]]:
    stmt = (select(Brand.id, Brand.name, func.count(Placement.id).label("n"),
                   func.max(Placement.last_seen).label("last_seen"))
            .join(Placement, Placement.brand_id == Brand.id).where(Placement.site_id == site_id)
            .group_by(Brand.id, Brand.name).order_by(func.count(Placement.id).desc()).limit(100))
    return [dict(r._mapping) for r in db.execute(stmt)]


def search_clause(col: Any, q: str | None) -> Any:
    if not q:
        return None
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return col.ilike(like, escape="\\")


