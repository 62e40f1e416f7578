"""Vigie's data model: SQLAlchemy 2 typed ORM, one module so every table is in one place.

Portable across SQLite and PostgreSQL: JSON columns use the generic ``JSON`` type, timestamps are
timezone-aware UTC, and every uniqueness rule that dedup relies on is a real constraint.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


# --- registry -------------------------------------------------------------------------------


class Brand(Base):
    """An advertiser. ``suitability`` maps GARM category -> the lowest tier the brand excludes."""

    __tablename__ = "brands"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    handles: Mapped[dict[str, Any]] = mapped_column(default=dict)
    suitability: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    domains: Mapped[list[BrandDomain]] = relationship(
        back_populates="brand", cascade="all, delete-orphan", order_by="BrandDomain.domain"
    )


class BrandDomain(Base):
    """One registrable domain that lands on a brand; unique so a domain names one brand only."""

    __tablename__ = "brand_domains"
    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    brand: Mapped[Brand] = relationship(back_populates="domains")


class Site(Base):
    """A publisher, keyed by its registrable domain."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    group: Mapped[str | None] = mapped_column("site_group", String(100), index=True)
    worst_tier: Mapped[str | None] = mapped_column(String(10))
    risk_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Page(Base):
    """A crawled URL; ``text`` feeds the rules engine, ``content_hash``/``scored_hash`` make
    scoring incremental."""

    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="ok")
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    scored_hash: Mapped[str | None] = mapped_column(String(64))
    worst_tier: Mapped[str | None] = mapped_column(String(10), index=True)
    risk_score: Mapped[float | None] = mapped_column(Float)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    site: Mapped[Site] = relationship()


# --- crawling -------------------------------------------------------------------------------


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), default="placements")
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    filter_list_version: Mapped[str | None] = mapped_column(String(200))
    log_path: Mapped[str | None] = mapped_column(String(1024))
    error: Mapped[str | None] = mapped_column(Text)


class Placement(Base):
    """One ad seen in one slot of one page. ``fingerprint`` identifies the same ad across
    recrawls so that a recrawl moves ``last_seen`` instead of adding a row."""

    __tablename__ = "placements"
    __table_args__ = (
        UniqueConstraint("page_id", "fingerprint", name="uq_placement_page_fingerprint"),
        Index("ix_placements_brand_last_seen", "brand_id", "last_seen"),
        Index("ix_placements_site_last_seen", "site_id", "last_seen"),
        Index("ix_placements_last_seen_id", "last_seen", "id"),
        # api/dashboard: network filter and first_seen sort walk these in keyset order
        Index("ix_placements_network_last_seen", "ad_network", "last_seen"),
        Index("ix_placements_first_seen_id", "first_seen", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="SET NULL"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    advertiser_domain: Mapped[str | None] = mapped_column(String(253), index=True)
    ad_network: Mapped[str | None] = mapped_column(String(100), index=True)
    creative_url: Mapped[str | None] = mapped_column(Text)
    click_chain: Mapped[list[Any]] = mapped_column(default=list)
    landing_url: Mapped[str | None] = mapped_column(Text)
    slot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detection: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ad_text: Mapped[str | None] = mapped_column(Text)
    screenshot_path: Mapped[str | None] = mapped_column(String(1024))
    page_screenshot_path: Mapped[str | None] = mapped_column(String(1024))
    rendered: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    filter_list_version: Mapped[str | None] = mapped_column(String(200))

    page: Mapped[Page] = relationship()
    site: Mapped[Site] = relationship()
    brand: Mapped[Brand | None] = relationship()


# --- risk -----------------------------------------------------------------------------------


class RiskAssessment(Base):
    """One GARM category's verdict for a page or a site, with the evidence behind every point."""

    __tablename__ = "risk_assessments"
    __table_args__ = (
        UniqueConstraint("page_id", "category", name="uq_risk_page_category"),
        UniqueConstraint("site_id", "category", name="uq_risk_site_category"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    tier: Mapped[str] = mapped_column(String(10))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    rules_version: Mapped[str | None] = mapped_column(String(64))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DomainCategory(Base):
    """One entry of a domain category list (UT1...): a domain, or a ``host/path`` URL prefix.
    The rules engine maps list categories to GARM categories (``rules/packs/20_lists_sites.yaml``)."""

    __tablename__ = "domain_categories"
    __table_args__ = (UniqueConstraint("source", "category", "domain", name="uq_domain_category_entry"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(512), index=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(40), default="ut1")
    list_version: Mapped[str | None] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExclusionList(Base):
    __tablename__ = "exclusion_lists"
    __table_args__ = (UniqueConstraint("brand_id", "kind", name="uq_exclusion_list_brand_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="exclusion")  # or "inclusion"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    entries: Mapped[list[ExclusionEntry]] = relationship(
        back_populates="exclusion_list", cascade="all, delete-orphan", order_by="ExclusionEntry.domain"
    )
    brand: Mapped[Brand] = relationship()


class ExclusionEntry(Base):
    """A suggested site; ``status`` is suggested / approved / rejected, ``history`` keeps every
    review as ``{at, user, action, note}``."""

    __tablename__ = "exclusion_entries"
    __table_args__ = (UniqueConstraint("list_id", "domain", name="uq_exclusion_entry_list_domain"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("exclusion_lists.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(253))
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="suggested")
    note: Mapped[str | None] = mapped_column(Text)
    history: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    exclusion_list: Mapped[ExclusionList] = relationship(back_populates="entries")


# --- activists ------------------------------------------------------------------------------


class ActivistAccount(Base):
    """A watched account; ``state`` keeps the source's cursor (since_id, cursor, etag...)."""

    __tablename__ = "activist_accounts"
    __table_args__ = (UniqueConstraint("source", "handle", name="uq_activist_source_handle"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # mastodon | bluesky | x | rss | archive
    handle: Mapped[str] = mapped_column(String(500))
    base_url: Mapped[str | None] = mapped_column(String(500))
    display_name: Mapped[str | None] = mapped_column(String(200))
    followers: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_polled_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)


class ActivistPost(Base):
    __tablename__ = "activist_posts"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_post_source_external"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("activist_accounts.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2048))
    author: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str | None] = mapped_column(String(16))
    tactic: Mapped[str | None] = mapped_column(String(20))
    is_repost: Mapped[bool] = mapped_column(Boolean, default=False)
    mentions: Mapped[list[Any]] = mapped_column(default=list)
    hashtags: Mapped[list[Any]] = mapped_column(default=list)
    links: Mapped[list[Any]] = mapped_column(default=list)
    media: Mapped[list[Any]] = mapped_column(default=list)
    engagement: Mapped[int] = mapped_column(Integer, default=0)
    reach: Mapped[int] = mapped_column(Integer, default=0)
    brand_ids: Mapped[list[Any]] = mapped_column(default=list)
    site_domains: Mapped[list[Any]] = mapped_column(default=list)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class Case(Base):
    """Response desk: one (post, brand) pair, New -> Drafted -> Approved -> Answered."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("post_id", "brand_id", name="uq_case_post_brand"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("activist_posts.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    assignee: Mapped[str | None] = mapped_column(String(200))
    deadline: Mapped[datetime | None] = mapped_column()
    lang: Mapped[str] = mapped_column(String(8), default="fr")
    draft: Mapped[str | None] = mapped_column(Text)
    history: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    post: Mapped[ActivistPost] = relationship()
    brand: Mapped[Brand] = relationship()


class RecrawlRequest(Base):
    """A targeted recrawl asked for by another area (e.g. an activist post claims an ad was on
    this page): the crawler/scheduler takes ``pending`` rows, then sets ``done`` or ``failed``."""

    __tablename__ = "recrawl_requests"
    __table_args__ = (Index("ix_recrawl_status_requested", "status", "requested_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    site_domain: Mapped[str | None] = mapped_column(String(253), index=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("activist_posts.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | done | failed
    done_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)


# --- supply path ----------------------------------------------------------------------------


class AdsTxtFile(Base):
    """The last fetch of one site's ads.txt or app-ads.txt, with spec variables and errors."""

    __tablename__ = "adstxt_files"
    __table_args__ = (UniqueConstraint("domain", "kind", name="uq_adstxt_domain_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(253))
    kind: Mapped[str] = mapped_column(String(20), default="ads.txt")
    url: Mapped[str | None] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(20))  # ok | absent | error
    http_status: Mapped[int | None] = mapped_column(Integer)
    variables: Mapped[list[Any]] = mapped_column(default=list)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    records: Mapped[list[AdsTxtRecord]] = relationship(
        back_populates="file", cascade="all, delete-orphan", order_by="AdsTxtRecord.line"
    )


class AdsTxtRecord(Base):
    __tablename__ = "adstxt_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("adstxt_files.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    ad_system: Mapped[str] = mapped_column(String(253), index=True)
    account_id: Mapped[str] = mapped_column(String(200), index=True)
    relationship_: Mapped[str] = mapped_column("relationship", String(10))
    cert_id: Mapped[str | None] = mapped_column(String(200))
    extension: Mapped[str | None] = mapped_column(Text)
    file: Mapped[AdsTxtFile] = relationship(back_populates="records")


class Seller(Base):
    """One entry of an ad system's sellers.json."""

    __tablename__ = "sellers"
    __table_args__ = (UniqueConstraint("ad_system", "seller_id", name="uq_seller_system_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ad_system: Mapped[str] = mapped_column(String(253))
    seller_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(500))
    domain: Mapped[str | None] = mapped_column(String(253))
    seller_type: Mapped[str | None] = mapped_column(String(20))
    is_confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    is_passthrough: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class SellersJsonFile(Base):
    """The last fetch of one ad system's sellers.json: without an ``ok`` one, its sellers are
    unknown, so no seller can be called missing from it."""

    __tablename__ = "sellers_json_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    ad_system: Mapped[str] = mapped_column(String(253), unique=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(20))  # ok | absent | error
    http_status: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(500))
    identifiers: Mapped[list[Any]] = mapped_column(default=list)
    seller_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()


# --- people ---------------------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # viewer | analyst | buyer | admin
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship()
