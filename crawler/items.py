"""Items the placement spider yields: one per crawled page, with the ads found on it.

Plain ``dict`` fields (JSON-friendly) so items and the requests carrying them pickle into
JOBDIR queues."""

from __future__ import annotations

from typing import Any

import scrapy


class PageItem(scrapy.Item):
    """A crawled page: ``status`` is ok / failed / not_html / blocked; ``ads`` holds
    ``AdRecord`` dicts (see ``crawler.spiders.placements``)."""

    url = scrapy.Field()
    status = scrapy.Field()
    http_status = scrapy.Field()
    title = scrapy.Field()
    lang = scrapy.Field()
    text = scrapy.Field()
    error = scrapy.Field()
    rendered = scrapy.Field()
    ads = scrapy.Field()
    meta = scrapy.Field()
    scheduled_url = scrapy.Field()  # the URL the spider scheduled, when a redirect changed it


def ad_record(**values: Any) -> dict[str, Any]:
    """An ad as stored on a placement (keys are Placement columns plus ``fingerprint``)."""
    return dict(values)
