"""Scrapy item pipeline of the ``adstxt`` spider: each fetched file is stored in its own
transaction, so one bad file never loses the others and a refetch replaces a file at once."""

from __future__ import annotations

from typing import Any

from store.db import migrate, session_scope
from supply.fetch import Outcome
from supply.store import save_adstxt, save_sellers
from vigie.config import get_settings


class SupplyPipeline:
    """Writes ``{"item": "adstxt"|"sellers", ...}`` dict items of the adstxt spider."""

    def __init__(self, database_url: str, stats: Any = None) -> None:
        self.database_url = database_url
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> SupplyPipeline:
        url = crawler.settings.get("VIGIE_DATABASE_URL") or get_settings().database_url
        return cls(url, crawler.stats)

    def open_spider(self, spider: Any = None) -> None:
        migrate(self.database_url)

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        outcome: Outcome = item["outcome"]
        with session_scope(self.database_url) as session:
            if item["item"] == "adstxt":
                row = save_adstxt(session, item["domain"], item["kind"], outcome)
                summary = {"records": len(row.records), "errors": sum(
                    1 for e in row.errors if e.get("severity") == "error")}
            else:
                srow = save_sellers(session, item["ad_system"], outcome)
                summary = {"sellers": srow.seller_count}
        if self.stats is not None:
            self.stats.inc_value(f"supply/{item['item']}/{outcome.status}")
        return {k: v for k, v in item.items() if k != "outcome"} | {
            "status": outcome.status, "url": outcome.url, "http_status": outcome.http_status,
            "reason": outcome.reason, **summary,
        }
