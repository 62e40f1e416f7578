"""Pydantic models at the API's edge: what goes out (``*Out``) and what comes in (``*In``).
Responses never expose internal fields such as password or token hashes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored in UTC); always answer with an explicit zone."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


UTCDateTime = Annotated[datetime, AfterValidator(_utc)]

T = TypeVar("T")

TierName = Literal["floor", "high", "medium", "low", "none"]
#: The GARM category keys of ``rules.garm.CATEGORIES`` (a test checks they agree).
CategoryName = Literal["adult", "arms", "crime", "death_injury_conflict", "piracy", "hate_speech", "obscenity",
                       "drugs_alcohol_tobacco", "spam_harmful", "terrorism", "debated_social_issues",
                       "misinformation"]


class ErrorOut(BaseModel):
    detail: Any = Field(description="A clear message, or for 422 the list of invalid fields")


class Page_(BaseModel, Generic[T]):
    """One page of results; pass ``next_cursor`` back as ``cursor`` for the next one
    (null at the end)."""

    items: list[T]
    next_cursor: str | None = None


class Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class MeOut(Orm):
    id: int
    name: str
    role: str
    permissions: list[str]


class BrandOut(Orm):
    id: int
    name: str
    domains: list[str] = []
    aliases: list[Any] = []
    handles: dict[str, Any] = {}
    suitability: dict[str, Any] = {}


class SuitabilityIn(BaseModel):
    """GARM category -> the lowest tier the brand excludes (``floor`` = floor only, ``high`` =
    high and above, ``medium`` = medium and above, ``all`` = every risk tier), as DV360 does;
    ``default`` sets the categories not named (floor when absent)."""

    suitability: dict[str, Literal["floor", "high", "medium", "all"]]


class SiteOut(Orm):
    id: int
    domain: str
    name: str | None = None
    aliases: list[Any] = []
    group: str | None = None
    worst_tier: str | None = None
    risk_score: float | None = None


class AssessmentOut(Orm):
    category: str
    tier: str
    score: float
    evidence: list[Any] = []
    rules_version: str | None = None
    assessed_at: UTCDateTime | None = None


class SellerOut(BaseModel):
    ad_system: str
    account_id: str
    relationship: str
    seller_name: str | None = None
    seller_type: str | None = None
    in_sellers_json: bool | None = Field(default=None, description="null: the exchange's sellers.json was not read")


class SiteDetailOut(SiteOut):
    assessments: list[AssessmentOut] = []
    sellers: list[SellerOut] = []
    brands: list[dict[str, Any]] = []
    post_ids: list[int] = []


class PageOut(Orm):
    id: int
    site_id: int
    url: str
    title: str | None = None
    lang: str | None = None
    status: str
    worst_tier: str | None = None
    risk_score: float | None = None
    first_seen: UTCDateTime
    last_seen: UTCDateTime


class PageDetailOut(PageOut):
    assessments: list[AssessmentOut] = []


class CategoryOut(BaseModel):
    category: str
    tier: str
    score: float


class PlacementOut(BaseModel):
    id: int
    page_id: int
    page_url: str
    page_title: str | None = None
    site_id: int
    site: str
    brand_id: int | None = None
    brand: str | None = None
    advertiser_domain: str | None = None
    ad_network: str | None = None
    creative_url: str | None = None
    landing_url: str | None = None
    click_chain: list[Any] = []
    slot: dict[str, Any] = {}
    tier: str | None = None
    categories: list[CategoryOut] = []
    rendered: bool
    screenshot_path: str | None = None
    page_screenshot_path: str | None = None
    first_seen: UTCDateTime
    last_seen: UTCDateTime
    crawl_run_id: int | None = None
    filter_list_version: str | None = None


class PostOut(Orm):
    id: int
    source: str
    external_id: str
    url: str | None = None
    author: str | None = None
    created_at: UTCDateTime
    text: str
    lang: str | None = None
    tactic: str | None = None
    is_repost: bool
    mentions: list[Any] = []
    hashtags: list[Any] = []
    links: list[Any] = []
    engagement: int
    reach: int
    brand_ids: list[Any] = []
    site_domains: list[Any] = []


class CaseOut(Orm):
    id: int
    post_id: int
    brand_id: int
    status: str
    assignee: str | None = None
    deadline: UTCDateTime | None = None
    lang: str
    draft: str | None = None
    history: list[Any] = []
    created_at: UTCDateTime
    updated_at: UTCDateTime


class CaseUpdateIn(BaseModel):
    draft: str | None = Field(default=None, max_length=10_000)
    assignee: str | None = Field(default=None, max_length=200)
    lang: Literal["fr", "en"] | None = None


class CaseActionIn(BaseModel):
    action: Literal["draft", "approve", "answered", "reopen"]
    note: str | None = Field(default=None, max_length=2000)


class ExclusionEntryOut(Orm):
    id: int
    list_id: int
    domain: str
    reasons: list[Any] = []
    status: str
    note: str | None = None
    history: list[Any] = []
    updated_at: UTCDateTime


class ExclusionListOut(Orm):
    id: int
    brand_id: int
    brand: str
    kind: str
    created_at: UTCDateTime
    counts: dict[str, int] = {}


class ReviewIn(BaseModel):
    action: Literal["approve", "reject", "reset"]
    note: str | None = Field(default=None, max_length=2000)


class CrawlRunOut(Orm):
    id: int
    kind: str
    status: str
    started_at: UTCDateTime
    finished_at: UTCDateTime | None = None
    args: dict[str, Any] = {}
    stats: dict[str, Any] = {}
    filter_list_version: str | None = None
    error: str | None = None


class ScoreIn(BaseModel):
    """Exactly one of ``text`` or ``url`` (http or https)."""

    text: str | None = Field(default=None, max_length=2_000_000)
    url: str | None = Field(default=None, max_length=2048)
    title: str | None = Field(default=None, max_length=2000)


class ScoreCategoryOut(BaseModel):
    category: str
    tier: str
    score: float
    evidence: list[Any] = []


class ScoreOut(BaseModel):
    worst_tier: str
    categories: list[ScoreCategoryOut]
    source: str
