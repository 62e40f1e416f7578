"""Downloader middlewares: route every request through ``--proxy`` (robots.txt too), and refuse
sub-resource and click-chain requests to private or loopback addresses (SSRF guard)."""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.attribution import ssrf_refusal


class ProxyMiddleware:
    """Sets ``meta["proxy"]`` from the spider's ``proxy`` on every non-browser request."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        mw = cls()
        mw.crawler = crawler
        return mw

    crawler: Crawler

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        proxy = getattr(spider, "proxy", None)
        if proxy and "proxy" not in request.meta and not request.meta.get("playwright"):
            request.meta["proxy"] = proxy


class SsrfGuardMiddleware:
    """Requests marked ``meta["vigie_guard"]`` (ad iframes, click chains, and the redirects
    they lead to) may not reach private or loopback addresses unless ``allow_private``."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SsrfGuardMiddleware:
        mw = cls()
        mw.crawler = crawler
        return mw

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        if not request.meta.get("vigie_guard"):
            return None
        spider = spider or self.crawler.spider
        refusal = ssrf_refusal(request.url, allow_private=bool(getattr(spider, "allow_private", False)),
                               resolve=not getattr(spider, "proxy", None))
        if refusal:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("vigie/ssrf_refused")
            raise IgnoreRequest(f"SSRF guard: {refusal}")
        return None


class BrowserContextMiddleware:
    """Names the Playwright context of each rendered page at download time (see
    ``PlacementsSpider.acquire_context``); old contexts are closed once drained. When the browser
    is due for a restart, the page waits here until the old browser's pages are all closed."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserContextMiddleware:
        mw = cls()
        mw.crawler = crawler
        return mw

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        if request.meta.get("playwright") and "playwright_context" not in request.meta:
            acquire = getattr(spider, "acquire_context", None)
            if acquire is not None:
                request.meta["playwright_context"] = await acquire()
                return
            assign = getattr(spider, "assign_context", None)
            if assign is not None:
                request.meta["playwright_context"] = assign()
