"""``adstxt`` spider: each site's /ads.txt and /app-ads.txt (HTTPS then HTTP, redirects judged by
the ads.txt 1.1 rules in ``supply.fetch``), then ``/sellers.json`` of every ad system seen.

Self-contained: its pipeline and settings are in ``custom_settings``, so it runs the same through
``scrapy crawl adstxt``, ``scrapy runspider`` or ``vigie crawl adstxt``. Arguments (``-a``):
``sites`` (comma-separated domains), ``sites_file``, ``proxy``, ``kinds``, ``sellers`` (0/1),
``force`` (0/1: ignore the cache expiry), ``follow`` (0/1: SUBDOMAIN and INVENTORYPARTNERDOMAIN
referrals, one hop)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from supply.adstxt import parse_adstxt
from supply.fetch import (
    ADSTXT_MAX_BYTES,
    KINDS,
    REDIRECT_STATUSES,
    SELLERS_MAX_BYTES,
    Outcome,
    adstxt_urls,
    better,
    follow_redirect,
    interpret_adstxt,
    interpret_sellers,
    referrals,
    sellers_url,
    start_redirects,
)
from vigie.domains import registrable_domain

SETTINGS: dict[str, Any] = {
    "ITEM_PIPELINES": {"supply.pipeline.SupplyPipeline": 300},
    # plain HTTP even when the project routes downloads through Playwright: text files need no browser
    "DOWNLOAD_HANDLERS": {
        "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
        "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
    },
    "REDIRECT_ENABLED": False,  # every redirect goes through supply.fetch.follow_redirect
    "ROBOTSTXT_OBEY": False,
    "HTTPERROR_ALLOW_ALL": True,
    "COOKIES_ENABLED": False,
    "RETRY_TIMES": 1,
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": SELLERS_MAX_BYTES,
    "DOWNLOAD_WARNSIZE": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "TELNETCONSOLE_ENABLED": False,
    "USER_AGENT": "Vigie-adstxt/0.1 (+https://github.com/vigie; brand-safety supply-path check)",
}


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


class AdsTxtSpider(scrapy.Spider):
    name = "adstxt"
    custom_settings = SETTINGS

    def __init__(
        self,
        sites: str | list[str] = "",
        sites_file: str | None = None,
        proxy: str | None = None,
        kinds: str | list[str] = ",".join(KINDS),
        sellers: str | bool = "1",
        force: str | bool = "0",
        skip: list[str] | None = None,
        skip_sellers: list[str] | None = None,
        follow: str | bool = "1",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        names = sites.split(",") if isinstance(sites, str) else list(sites)
        if sites_file:
            for line in Path(sites_file).read_text(encoding="utf-8").splitlines():
                names.append(line.split("#", 1)[0])
        # sites are known by their root domain, where their ads.txt lives (spec 3.1)
        self.sites = sorted({registrable_domain(n.strip().lower()) or n.strip().lower()
                             for n in names if n.strip()})
        self.proxy = proxy or None
        self.kinds = [k.strip() for k in (kinds.split(",") if isinstance(kinds, str) else kinds) if k.strip()]
        self.fetch_sellers = _truthy(sellers)
        self.force = _truthy(force)
        # "domain|kind" keys and ad systems still fresh in the store (spec 3.6); None: ask the store
        self.skip: set[str] | None = set(skip) if skip is not None else None
        self.skip_sellers: set[str] | None = set(skip_sellers) if skip_sellers is not None else None
        self.sellers_requested: set[str] = set()
        self.files_requested: set[tuple[str, str]] = set()
        self.follow = _truthy(follow)

    def _request(
        self, url: str, callback: Any, errback: Any, meta: dict[str, Any], maxsize: int
    ) -> scrapy.Request:
        meta = dict(meta, download_maxsize=maxsize, handle_httpstatus_all=True, dont_redirect=True)
        if meta.get("rest"):
            meta["dont_retry"] = True  # a fallback URL (http after https) is tried instead
        if self.proxy:
            meta["proxy"] = self.proxy
        return scrapy.Request(url, callback=callback, errback=errback, meta=meta, dont_filter=True)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.start_requests():
            yield request

    def _load_fresh(self) -> None:
        if self.force or (self.skip is not None and self.skip_sellers is not None):
            return
        from store.db import migrate, session_scope
        from supply.store import fresh, fresh_sellers
        from vigie.config import get_settings

        url = self.settings.get("VIGIE_DATABASE_URL") or get_settings().database_url
        migrate(url)
        with session_scope(url) as session:
            if self.skip is None:
                self.skip = {f"{d}|{k}" for k in self.kinds for d in fresh(session, k)}
            if self.skip_sellers is None:
                self.skip_sellers = fresh_sellers(session)

    def start_requests(self) -> Iterator[scrapy.Request]:
        self._load_fresh()
        for domain in self.sites:
            for kind in self.kinds:
                if not self.force and f"{domain}|{kind}" in (self.skip or ()):
                    self.logger.info("%s/%s still fresh, not refetched", domain, kind)
                    continue
                self.files_requested.add((domain, kind))
                yield self._adstxt_request(domain, kind, adstxt_urls(domain, kind), None)

    # --- ads.txt ----------------------------------------------------------------------------

    def _adstxt_request(
        self, domain: str, kind: str, urls: list[str], best: Outcome | None, referred: bool = False
    ) -> scrapy.Request:
        url, rest = urls[0], urls[1:]
        meta = {"domain": domain, "kind": kind, "rest": rest, "best": best, "redirects": start_redirects(url),
                "referred": referred}
        return self._request(url, self.parse_adstxt, self.adstxt_failed, meta, ADSTXT_MAX_BYTES)

    def parse_adstxt(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        if response.status in REDIRECT_STATUSES:
            target, reason = follow_redirect(
                meta["redirects"], response.url, (response.headers.get("Location") or b"").decode("latin-1")
            )
            if target is not None:
                self.logger.info("%s -> %s (%s)", response.url, target, reason)
                mine = {k: meta[k] for k in ("domain", "kind", "rest", "best", "redirects", "referred")}
                yield self._request(target, self.parse_adstxt, self.adstxt_failed, mine, ADSTXT_MAX_BYTES)
                return
            outcome = Outcome("error", response.url, response.status, reason=reason,
                              redirects=list(meta["redirects"].hops))
        else:
            outcome = interpret_adstxt(response.url, response.status, _headers(response), response.body,
                                       meta["redirects"].hops)
        yield from self._adstxt_done(meta, outcome)

    def adstxt_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        outcome = Outcome("error", request.url, None, reason=failure.getErrorMessage() or repr(failure.value))
        yield from self._adstxt_done(request.meta, outcome)

    def _adstxt_done(self, meta: dict[str, Any], outcome: Outcome) -> Iterator[Any]:
        best = better(meta["best"], outcome)
        if best.status != "ok" and meta["rest"]:
            yield self._adstxt_request(meta["domain"], meta["kind"], meta["rest"], best, meta["referred"])
            return
        yield {"item": "adstxt", "domain": meta["domain"], "kind": meta["kind"], "outcome": best}
        if best.status != "ok":
            return
        parsed = parse_adstxt(best.body, meta["domain"])
        if self.follow and not meta["referred"]:  # one hop: referred files are not followed
            for domain, kind, exact in referrals(meta["domain"], meta["kind"], parsed.subdomains,
                                                 parsed.inventory_partner_domains):
                if (domain, kind) in self.files_requested:
                    continue
                self.files_requested.add((domain, kind))
                yield self._adstxt_request(domain, kind, adstxt_urls(domain, kind, exact), None, True)
        if self.fetch_sellers:
            for system in sorted({r.ad_system for r in parsed.authorised}):
                fresh = not self.force and system in (self.skip_sellers or ())
                if system in self.sellers_requested or fresh:
                    continue
                self.sellers_requested.add(system)
                urls = [sellers_url(system, "https"), sellers_url(system, "http")]
                yield self._sellers_request(system, urls, None, 0)

    # --- sellers.json -----------------------------------------------------------------------

    def _sellers_request(
        self, system: str, urls: list[str], best: Outcome | None, hops: int
    ) -> scrapy.Request:
        meta = {"ad_system": system, "rest": urls[1:], "best": best, "hops": hops}
        return self._request(urls[0], self.parse_sellers, self.sellers_failed, meta, SELLERS_MAX_BYTES)

    def parse_sellers(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        location = (response.headers.get("Location") or b"").decode("latin-1")
        if response.status in REDIRECT_STATUSES and location and meta["hops"] < 5:
            yield self._sellers_request(meta["ad_system"], [response.urljoin(location), *meta["rest"]],
                                        meta["best"], meta["hops"] + 1)
            return
        outcome = interpret_sellers(response.url, response.status, _headers(response), response.body)
        yield from self._sellers_done(meta, outcome)

    def sellers_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        outcome = Outcome("error", request.url, None, reason=failure.getErrorMessage() or repr(failure.value))
        yield from self._sellers_done(request.meta, outcome)

    def _sellers_done(self, meta: dict[str, Any], outcome: Outcome) -> Iterator[Any]:
        best = better(meta["best"], outcome)
        if best.status != "ok" and meta["rest"]:
            yield self._sellers_request(meta["ad_system"], meta["rest"], best, 0)
            return
        yield {"item": "sellers", "ad_system": meta["ad_system"], "outcome": best}
