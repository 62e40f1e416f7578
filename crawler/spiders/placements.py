"""The placement spider: visits publisher pages, finds the ads, names their brands.

Thin on purpose: detection lives in ``crawler.detection``, attribution in
``crawler.attribution``, browser work in ``crawler.browser``, storage in the pipeline. Request
generation is in overridable methods (``start_requests``, ``seed_request``,
``make_page_request``, ``follow_links``) so a scale-out mixin (scrapy-redis) can take over the
queue. Arguments (``scrapy crawl placements -a NAME=VALUE``): ``seeds`` (file(s) and/or URLs,
comma-separated), ``render`` (1 / 0 / auto), ``proxy``, ``filter_lists`` (comma-separated paths,
URLs or names), ``max_pages_per_site``, ``depth``, ``allow_private`` (1/0), ``database_url``,
``evidence`` (1/0)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import browser
from crawler.adtech import first_network, network_for_url
from crawler.attribution import (
    BrandMatcher,
    Chain,
    Fetched,
    destination_param,
    domain_of,
    load_brand_matcher,
    parse_creative,
    rank_candidates,
    resolve_chain,
    ssrf_refusal,
)
from crawler.detection import Ad, Detector, parse_html
from crawler.filterlists import AdEngine, get_engine, lists_dir, resolve_lists
from crawler.items import PageItem
from crawler.pipelines import JobJournal
from crawler.seeds import SeedError, load_seeds
from rules.html import page_facts_from_tree
from store.db import session_scope
from store.placements import placement_fingerprint
from vigie.config import get_settings

log = logging.getLogger(__name__)

_SKIP_EXT = re.compile(r"\.(jpe?g|png|gif|webp|svg|ico|css|js|json|xml|pdf|zip|gz|mp[34]|avi|mov|woff2?|ttf|"
                       r"exe|dmg|apk|rss|atom)$", re.I)
_TRUE = {"1", "true", "yes", "on"}
SUB_MAXSIZE = 2 * 1024 * 1024
# a browser restart waits at most this long for the old browser's pages to close; past it the
# restart is skipped (logged, ``vigie/browser_recycle_skipped``) rather than killing live pages
BROWSER_DRAIN_TIMEOUT = 300.0


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in _TRUE


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[,\s]+", value) if v]
    return [str(v) for v in value]


class PlacementsSpider(scrapy.Spider):
    name = "placements"

    def __init__(self, seeds: Any = None, render: Any = "auto", proxy: str | None = None,
                 filter_lists: Any = None, filter_list: Any = None, max_pages_per_site: Any = 20,
                 depth: Any = 1, allow_private: Any = False, database_url: str | None = None,
                 run_id: Any = None, evidence: Any = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if seeds is None:
            raise ValueError("the placements spider needs seeds: -a seeds=FILE_OR_URLS")
        self.seed_urls, self.seed_errors = load_seeds(seeds if isinstance(seeds, str) else list(seeds))
        for err in self.seed_errors:
            log.warning("bad seed line skipped: %s", err)
        render_s = str(render).strip().lower()
        self.render_mode = "always" if render_s in _TRUE else "never" if render_s in {"0", "false", "no",
                                                                                   "off"} else "auto"
        self.proxy = proxy or None
        self.allow_private = _flag(allow_private)
        self.max_pages_per_site = int(max_pages_per_site)
        self.depth = int(depth)
        self.evidence = _flag(evidence)
        settings = get_settings()
        self.database_url = database_url or settings.database_url
        self.evidence_dir = settings.evidence_dir
        self.run_id: int | None = int(run_id) if run_id not in (None, "", "None") else None
        self.list_sources = _as_list(filter_lists) + _as_list(filter_list)
        lists = resolve_lists(self.list_sources or None, proxy=self.proxy)
        self.engine: AdEngine = get_engine(lists, lists_dir() / "engines")
        self.detector = Detector(self.engine)
        self.browser_ok = browser.chromium_path() is not None
        if self.render_mode == "always" and not self.browser_ok:
            raise ValueError("rendering needs Chromium: install it or set PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH")
        self._matcher: BrandMatcher | None = None
        self.journal = JobJournal(None)
        self.site_counts: Counter[str] = Counter()
        self.seen_urls: set[str] = set()
        self.pages_per_context = 40
        self.pages_per_browser = 200
        self.click_chains = "follow"
        self._ctx_assigned: Counter[str] = Counter()
        self._ctx_done: Counter[str] = Counter()
        self._render_count = 0
        # browser recycling: generation number, pages given to it, pages not closed yet, and the
        # browsers / contexts those pages lived in (closed once drained)
        self._browser_gen = 0
        self._gen_pages = 0
        self._live_pages = 0
        self._gen_browsers: dict[int, Any] = {}
        self._contexts: dict[str, Any] = {}
        self._recycling: asyncio.Future[None] | None = None
        self._page_requests: dict[Any, list[tuple[str, str, Any]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PlacementsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.journal = JobJournal(crawler.settings.get("JOBDIR"))
        spider.pages_per_context = crawler.settings.getint("VIGIE_PAGES_PER_CONTEXT", 40)
        spider.pages_per_browser = max(0, crawler.settings.getint("VIGIE_PAGES_PER_BROWSER", 200))
        if spider.pages_per_browser and not crawler.settings.getbool("PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER", True):
            log.warning("VIGIE_PAGES_PER_BROWSER ignored: PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER is off, "
                        "a closed browser would not be relaunched")
            spider.pages_per_browser = 0
        # "follow" (default): resolve every click chain hop by hop, the chain is evidence;
        # "param": when a tracker names its destination, take it without fetching (faster)
        spider.click_chains = crawler.settings.get("VIGIE_CLICK_CHAINS", "follow")
        for url, (_, _) in spider.journal.scheduled_rows.items():
            spider.seen_urls.add(url)
            dom = domain_of(url)
            if dom:
                spider.site_counts[dom] += 1
        return spider

    def run_args(self) -> dict[str, Any]:
        return {"seeds": self.seed_urls[:500], "render": self.render_mode, "proxy": self.proxy,
                "filter_lists": self.list_sources, "max_pages_per_site": self.max_pages_per_site,
                "depth": self.depth, "allow_private": self.allow_private}

    @property
    def matcher(self) -> BrandMatcher:
        if self._matcher is None:
            with session_scope(self.database_url) as s:
                self._matcher = load_brand_matcher(s)
        return self._matcher

    # --- request generation (overridable) --------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        """Pages a killed run had scheduled but not stored, then the seeds."""
        for url, depth, mode in self.journal.pending():
            yield self.make_page_request(url, depth, render=(mode == "render") or None, dont_filter=True)
        for url in self.seed_urls:
            request = self.seed_request(url)
            if request is not None:
                yield request

    def seed_request(self, url: str) -> scrapy.Request | None:
        return self.schedule(url, 0)

    def schedule(self, url: str, depth: int) -> scrapy.Request | None:
        """A page request unless seen already or its site reached ``max_pages_per_site``."""
        url = urldefrag(url)[0]
        if url in self.seen_urls:
            return None
        site = domain_of(url) or urlsplit(url).hostname or url
        if self.site_counts[site] >= self.max_pages_per_site:
            return None
        self.seen_urls.add(url)
        self.site_counts[site] += 1
        render = self.render_mode == "always"
        self.journal.scheduled(url, depth, "render" if render else "static")
        return self.make_page_request(url, depth)

    def make_page_request(self, url: str, depth: int, render: bool | None = None,
                          dont_filter: bool = False, **meta: Any) -> scrapy.Request:
        if render is None:
            render = self.render_mode == "always"
        # dont_filter: the spider dedupes pages itself (``schedule``, the JOBDIR journal), and a
        # redirect loop must run into REDIRECT_MAX_TIMES (-> recorded as failed) instead of
        # vanishing silently in the duplicate filter
        base_meta = {"vigie_depth": depth, "vigie_url": url, **meta}
        if not render:
            return scrapy.Request(url, callback=self.parse_page, errback=self.page_failed, meta=base_meta,
                                  dont_filter=True, priority=-depth)
        return scrapy.Request(url, callback=self.parse_rendered, errback=self.page_failed, dont_filter=True,
                              priority=-depth, meta={
                                  **base_meta, "playwright": True, "playwright_include_page": True,
                                  "playwright_context_kwargs": browser.context_kwargs(self.proxy),
                                  "playwright_page_goto_kwargs": {"wait_until": "load"},
                                  "playwright_page_event_handlers": {"request": "_on_browser_request"},
                                  "vigie_render": True})

    def follow_links(self, root: Any, page_url: str, depth: int) -> Iterable[scrapy.Request]:
        """Same-site links, breadth first, up to ``depth`` and ``max_pages_per_site``."""
        if depth >= self.depth:
            return
        site = domain_of(page_url)
        for a in root.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
                continue
            url = urldefrag(urljoin(page_url, href))[0]
            if not url.startswith(("http://", "https://")) or domain_of(url) != site:
                continue
            if _SKIP_EXT.search(urlsplit(url).path) or (a.get("rel") == "nofollow" and network_for_url(url)):
                continue
            request = self.schedule(url, depth + 1)
            if request is not None:
                yield request

    # --- static pages --------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        depth = int(response.meta.get("vigie_depth", 0))
        if not isinstance(response, TextResponse) or not self._is_html(response):
            yield self._response_item(response, "not_html", response.status,
                                  error=f"not HTML: {(response.headers.get('Content-Type') or b'').decode('latin-1')}")
            return
        root = parse_html(response.body)
        if root is None:
            yield self._response_item(response, "failed", response.status, error="unparseable HTML")
            return
        scan = self.detector.scan(root, response.url)
        links = list(self.follow_links(root, response.url, depth))
        if (self.render_mode == "auto" and scan.ad_scripts and self.browser_ok
                and not response.meta.get("vigie_no_render")):
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("vigie/auto_render")
            yield self.make_page_request(response.url, depth, render=True, dont_filter=True, vigie_auto=True)
        else:
            ads = await asyncio.gather(*(self.attribute(ad, response.url, rendered=False) for ad in scan.ads))
            yield self._response_item(response, "ok", response.status, root=root, ads=list(ads),
                                  meta={"ad_scripts": scan.ad_scripts[:20]})
        for request in links:
            yield request

    @staticmethod
    def _is_html(response: Response) -> bool:
        ctype = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
        if not ctype:
            return b"<html" in response.body[:2048].lower() or b"<!doctype html" in response.body[:2048].lower()
        return "html" in ctype

    # --- rendered pages ------------------------------------------------------------------

    async def _on_browser_request(self, request: Any) -> None:
        """Every request a rendered page makes, with the frame it came from."""
        try:
            frame = request.frame
            page = frame.page
        except Exception:
            return
        self._page_requests.setdefault(page, []).append((request.url, request.resource_type, frame))

    async def parse_rendered(self, response: Response) -> AsyncIterator[Any]:
        page = response.meta["playwright_page"]
        depth = int(response.meta.get("vigie_depth", 0))
        context = response.meta.get("playwright_context", "")
        try:
            await browser.settle(page)
            boxes: dict[str, list[int]] = await page.evaluate(browser.TAG_AND_MEASURE)
            frame_infos, frame_vg = await self._frames(page)
            requests = self._page_requests.pop(page, [])
            content = await page.content()
            root = parse_html(content)
            if root is None:
                yield self._response_item(response, "failed", response.status, error="unparseable DOM")
                return
            by_vg = {el.get("data-vg"): el for el in root.iter() if isinstance(el.tag, str) and el.get("data-vg")}
            frame_rules: dict[Any, tuple[str, str]] = {}
            for url, rtype, frame in requests:
                vg = frame_vg.get(frame)
                if vg is None or vg not in by_vg or by_vg[vg] in frame_rules:
                    continue
                rule = self.engine.check(url, response.url, _resource_type(rtype))
                if rule:
                    frame_rules[by_vg[vg]] = (rule, url)

            def frame_has_content(el: Any) -> bool:
                info = frame_infos.get(el.get("data-vg"))
                return bool(info and (info["media"] or info["text"].strip()))

            scan = self.detector.scan(root, response.url, rendered=True, frame_rules=frame_rules,
                                      frame_has_content=frame_has_content)
            visible = []
            for ad in scan.ads:
                box = boxes.get(ad.element.get("data-vg") or "")
                if box and box[4] and box[2] >= browser.MIN_SIZE and box[3] >= browser.MIN_SIZE:
                    visible.append((ad, box))
            records = await asyncio.gather(*(self.attribute(ad, response.url, rendered=True,
                                                            frame_infos=frame_infos, box=box)
                                             for ad, box in visible))
            if self.evidence:
                for (ad, _), record in zip(visible, records, strict=True):
                    await self._evidence(page, ad, record, response.url)
            for record in records:
                record["slot"].pop("vg", None)
            yield self._response_item(response, "ok", response.status, root=root, ads=list(records),
                                  rendered=True, meta={"ad_scripts": scan.ad_scripts[:20],
                                                       "requests": len(requests)})
            if self.render_mode == "always":
                for request in self.follow_links(root, response.url, depth):
                    yield request
        finally:
            self._page_requests.pop(page, None)
            await self._close_page(page, context)

    async def _frames(self, page: Any) -> tuple[dict[str, dict[str, Any]], dict[Any, str]]:
        """vg of the top iframe -> what its frames hold (links, text, media), and frame -> vg."""
        main = page.main_frame
        infos: dict[str, dict[str, Any]] = {}
        frame_vg: dict[Any, str] = {}
        for frame in page.frames:
            if frame is main:
                continue
            top = frame
            while top.parent_frame is not None and top.parent_frame is not main:
                top = top.parent_frame
            try:
                handle = await asyncio.wait_for(top.frame_element(), 5)
                vg = await handle.get_attribute("data-vg")
            except Exception as exc:  # a detached frame
                log.debug("frame element unavailable: %s", exc)
                continue
            if vg is None:
                continue
            frame_vg[frame] = vg
            info = infos.setdefault(vg, {"links": [], "text": "", "media": 0, "urls": [], "html": []})
            info["urls"].append(frame.url)
            try:
                summary = await asyncio.wait_for(frame.evaluate(browser.FRAME_SUMMARY), 5)
            except Exception as exc:
                log.debug("frame %s unreadable: %s", frame.url, exc)
                continue
            info["links"] += [u for u in summary.get("links", []) if u and u not in info["links"]]
            info["text"] = (info["text"] + " " + summary.get("text", "") + " " + summary.get("alts", "")).strip()
            info["media"] += int(summary.get("media", 0))
            info["html"].append((frame.url, summary.get("html", "")))
        return infos, frame_vg

    def _context_name(self) -> str:
        """The context the next page goes to: a new one every ``VIGIE_PAGES_PER_CONTEXT`` pages,
        and never one of an older browser generation."""
        return f"vigie-{self._browser_gen}-{self._gen_pages // max(1, self.pages_per_context)}"

    def assign_context(self) -> str:
        """The browser context for a page about to be downloaded (``BrowserContextMiddleware``).
        Assigned at download time, not at scheduling time, so an old context only waits for pages
        already in flight. Does not wait for a browser restart: see ``acquire_context``."""
        context = self._context_name()
        self._gen_pages += 1
        self._render_count += 1
        self._live_pages += 1
        self._ctx_assigned[context] += 1
        return context

    async def acquire_context(self) -> str:
        """``assign_context``, but once the browser has been given ``VIGIE_PAGES_PER_BROWSER``
        pages, wait until all of them are closed, close the browser and let scrapy-playwright
        launch a new one (its ``PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER`` mechanism) for this
        page. In-flight pages are never cut short; Chromium's memory stays flat."""
        while self.pages_per_browser and self._gen_pages >= self.pages_per_browser:
            if self._recycling is None:
                self._recycling = asyncio.ensure_future(self._recycle_browser())
            await asyncio.shield(self._recycling)
        return self.assign_context()

    async def _recycle_browser(self) -> None:
        """Drain the current browser generation, close its browser(s), start the next one."""
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + BROWSER_DRAIN_TIMEOUT
            while self._live_pages > 0 and loop.time() < deadline:
                await asyncio.sleep(0.05)
            if self._live_pages > 0:
                log.warning("browser restart skipped: %d page(s) still open after %.0f s",
                            self._live_pages, BROWSER_DRAIN_TIMEOUT)
                self._inc_stat("vigie/browser_recycle_skipped")
                return
            contexts, self._contexts = list(self._contexts.values()), {}
            for ctx in contexts:  # contexts before their browser
                try:
                    await ctx.close()
                except Exception as exc:
                    log.debug("closing context: %s", exc)
            browsers, self._gen_browsers = list(self._gen_browsers.values()), {}
            for old in browsers:
                await self._close_browser(old)
        except Exception as exc:  # never stall the crawl on a failed restart
            log.warning("browser restart failed: %s", exc)
        finally:
            self._browser_gen += 1
            self._gen_pages = 0
            self._recycling = None

    async def _close_browser(self, old: Any) -> None:
        """Close a drained browser, then wait (bounded) until the download handler has let go of
        it, so the next page makes the handler launch a fresh one instead of using a dead one."""
        try:
            await old.close()
        except Exception as exc:
            log.debug("closing browser: %s", exc)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while any(getattr(h, "browser", None) is old for h in self._download_handlers()) and loop.time() < deadline:
            await asyncio.sleep(0.02)
        self._inc_stat("vigie/browser_restarts")
        log.info("browser closed after %d pages (generation %d); the next page launches a new one",
                 self.pages_per_browser, self._browser_gen)

    def _download_handlers(self) -> list[Any]:
        engine = getattr(self.crawler, "engine", None)
        handlers = getattr(getattr(getattr(engine, "downloader", None), "handlers", None), "_handlers", None)
        return list(handlers.values()) if isinstance(handlers, dict) else []

    def _inc_stat(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    async def _close_page(self, page: Any, context: str) -> None:
        """Close the page, then its context once all of that context's pages are done and a newer
        context has taken over (recycling keeps browser memory flat). Called exactly once for
        every page that got a context, even one whose download failed before a page existed:
        a browser restart waits for these."""
        ctx = None
        if page is not None:
            try:
                ctx = page.context
                if ctx is not None:
                    browser_ = ctx.browser
                    if browser_ is not None:
                        self._gen_browsers.setdefault(id(browser_), browser_)
                await page.close()
            except Exception as exc:
                log.debug("closing page: %s", exc)
        if not context or context not in self._ctx_assigned:
            return
        if ctx is not None:
            self._contexts.setdefault(context, ctx)
        self._ctx_done[context] += 1
        try:
            gen_full = bool(self.pages_per_browser) and self._gen_pages >= self.pages_per_browser
            current = None if gen_full else self._context_name()
            if context != current and self._ctx_done[context] >= self._ctx_assigned[context]:
                ctx = self._contexts.pop(context, None)
                if ctx is not None:
                    try:
                        await ctx.close()
                        log.debug("closed browser context %s", context)
                    except Exception as exc:
                        log.debug("closing context %s: %s", context, exc)
        finally:
            self._live_pages -= 1

    async def _evidence(self, page: Any, ad: Ad, record: dict[str, Any], page_url: str) -> None:
        vg = record["slot"].get("vg")
        if not vg:
            return
        page_key = hashlib.sha1(page_url.encode()).hexdigest()[:16]  # noqa: S324 - a file name
        rel_ad = Path(page_key[:2]) / f"{page_key}-{record['fingerprint'][:16]}-ad.png"
        rel_page = Path(page_key[:2]) / f"{page_key}-{record['fingerprint'][:16]}-page.png"
        ad_ok, page_ok = await browser.evidence_shots(page, vg, self.evidence_dir / rel_ad,
                                                      self.evidence_dir / rel_page)
        record["screenshot_path"] = rel_ad.as_posix() if ad_ok else None
        record["page_screenshot_path"] = rel_page.as_posix() if page_ok else None

    # --- failures -------------------------------------------------------------------------

    async def page_failed(self, failure: Failure) -> AsyncIterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        page = request.meta.get("playwright_page")
        if page is not None:
            self._page_requests.pop(page, None)
        if request.meta.get("playwright"):
            await self._close_page(page, request.meta.get("playwright_context", ""))
        depth = int(request.meta.get("vigie_depth", 0))
        if request.meta.get("vigie_render") and request.meta.get("vigie_auto"):
            log.warning("rendering %s failed (%s); keeping the static pass", request.url, failure.value)
            yield self.make_page_request(request.url, depth, render=False, dont_filter=True, vigie_no_render=True)
            return
        status, http_status = "failed", None
        if failure.check(HttpError):
            http_status = failure.value.response.status  # type: ignore[union-attr]
            error = f"HTTP {http_status}"
        elif failure.check(IgnoreRequest):
            error = str(failure.value) or "ignored"
            status = "blocked" if "robots" in error.lower() else "failed"
        else:
            error = f"{failure.type.__name__ if failure.type else 'error'}: {failure.getErrorMessage()}"[:500]
        log.info("page failed: %s (%s)", request.url, error)
        yield self._page_item(request.meta.get("vigie_url") or request.url, status, http_status, error=error)

    # --- attribution ------------------------------------------------------------------------

    async def _fetch(self, url: str) -> Fetched:
        """One hop, through Scrapy (proxy, timeouts, guard); redirects are not followed here."""
        request = scrapy.Request(url, dont_filter=True, meta={
            "dont_redirect": True, "handle_httpstatus_all": True, "dont_obey_robotstxt": True,
            "vigie_guard": True, "download_maxsize": SUB_MAXSIZE, "download_timeout": 15,
            "max_retry_times": 1})
        try:
            assert self.crawler.engine is not None
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest as exc:
            return Fetched(url=url, status=0, headers={}, error=f"refused: {exc}")
        except Exception as exc:
            return Fetched(url=url, status=0, headers={}, error=f"{type(exc).__name__}: {exc}"[:300])
        headers = {k.decode("latin-1").lower(): (response.headers.get(k) or b"").decode("latin-1")
                   for k in response.headers}
        return Fetched(url=response.url, status=response.status, headers=headers, body=response.body)

    async def _guard(self, url: str) -> str | None:
        if self.allow_private:
            return None
        return await asyncio.to_thread(ssrf_refusal, url, allow_private=False, resolve=not self.proxy)

    async def _creative_docs(self, iframe_urls: list[str]) -> tuple[list[str], str, list[str]]:
        """Static mode: fetch the ad's iframe documents (two levels) for click URLs and text."""
        links: list[str] = []
        texts: list[str] = []
        fetched: list[str] = []
        queue = [(u, 0) for u in iframe_urls[:3]]
        while queue and len(fetched) < 6:
            url, level = queue.pop(0)
            if url in fetched:
                continue
            fetched.append(url)
            resp = await self._fetch(url)
            if resp.error or not resp.body:
                continue
            if 300 <= resp.status < 400 and resp.headers.get("location"):
                queue.append((urljoin(url, resp.headers["location"]), level))
                continue
            urls, frames, text = parse_creative(resp.body, resp.url)
            links += [u for u in urls if u not in links]
            texts.append(text)
            if level < 2:
                queue += [(f, level + 1) for f in frames[:2]]
        return links, " ".join(texts), fetched

    async def attribute(self, ad: Ad, page_url: str, *, rendered: bool,
                        frame_infos: dict[str, dict[str, Any]] | None = None,
                        box: list[int] | None = None) -> dict[str, Any]:
        """An ad -> its placement record: click chain, landing page, brand, network, slot."""
        urls = ad.urls(page_url)
        candidates = list(urls["link"])
        text = ad.text()
        frame_urls: list[str] = []
        if rendered and frame_infos is not None:
            for el in ad.element.iter("iframe", "frame"):
                info = frame_infos.get(el.get("data-vg") or "")
                if info:
                    candidates += info["links"]
                    text = f"{text} {info['text']}".strip()
                    frame_urls += info["urls"]
                    for doc_url, doc in info["html"]:
                        more, _, _ = parse_creative(doc, doc_url)
                        candidates += more
        elif urls["iframe"]:
            more, more_text, frame_urls = await self._creative_docs(urls["iframe"])
            candidates += more
            text = f"{text} {more_text}".strip()
        page_domain = domain_of(page_url)
        chain = None
        for candidate in rank_candidates(candidates, page_domain)[:3]:
            dest = destination_param(candidate) if self.click_chains == "param" else None
            if dest:  # the tracker names the destination: trust it, fetch nothing
                chain = Chain(hops=[{"url": candidate, "via": "click", "status": None},
                                    {"url": dest, "via": "param", "status": None}], landing_url=dest)
                break
            chain = await resolve_chain(candidate, self._fetch, allow_private=self.allow_private,
                                        resolve_dns=not self.proxy, guard=self._guard)
            if chain.landing_domain and chain.landing_domain != page_domain:
                break
        landing = chain.landing_url if chain else None
        advertiser = domain_of(landing) if landing else None
        if advertiser == page_domain or (landing and network_for_url(landing)):
            advertiser = None
        brand_id, brand_via = self.matcher.match(landing if advertiser else None, text)
        creative = next(iter(urls["iframe"] + frame_urls + urls["image"] + ad.matched_urls), None)
        hop_urls = [h["url"] for h in (chain.hops if chain else [])]
        network = ad.network_hint or first_network(
            [*ad.matched_urls, *urls["iframe"], *frame_urls, *urls["script"], *urls["image"], *candidates,
             *hop_urls])
        slot_key = ad.slot_id or ad.xpath
        identity = advertiser or (f"brand:{brand_id}" if brand_id else None) or _strip_query(creative) or ""
        fingerprint = placement_fingerprint(page_url, slot_key, identity)
        slot: dict[str, Any] = {"id": ad.slot_id, "xpath": ad.xpath, "tag": ad.element.tag,
                                "class": ad.element.get("class"), "kind": ad.kind}
        if box:
            slot.update({"x": box[0], "y": box[1], "width": box[2], "height": box[3]})
        if rendered:
            slot["vg"] = ad.element.get("data-vg")
        detection = ad.detection()
        if brand_via:
            detection["brand_via"] = brand_via
        if chain and chain.error:
            detection["chain_error"] = chain.error
        return {"fingerprint": fingerprint, "brand_id": brand_id, "advertiser_domain": advertiser,
                "ad_network": network, "creative_url": creative, "click_chain": chain.hops if chain else [],
                "landing_url": landing, "slot": slot, "detection": detection, "ad_text": text[:2000] or None,
                "rendered": rendered, "screenshot_path": None, "page_screenshot_path": None}

    # --- items --------------------------------------------------------------------------------

    def _response_item(self, response: Response, status: str, http_status: int | None,
                       **kwargs: Any) -> PageItem:
        return self._page_item(response.url, status, http_status, scheduled_url=response.meta.get("vigie_url"),
                               **kwargs)

    def _page_item(self, url: str, status: str, http_status: int | None, *, root: Any = None,
                   ads: list[dict[str, Any]] | None = None, error: str | None = None,
                   rendered: bool = False, meta: dict[str, Any] | None = None,
                   scheduled_url: str | None = None) -> PageItem:
        title = lang = text = None
        if root is not None:
            title_el = root.find(".//title")
            title = (title_el.text or "").strip()[:500] if title_el is not None else None
            lang = (root.get("lang") or "").strip()[:16] or None
            # the article's own words only: ads and page furniture must not score the page
            text = page_facts_from_tree(url, root).text[:200_000]
        return PageItem(url=url, status=status, http_status=http_status, title=title, lang=lang, text=text,
                        error=error, rendered=rendered, ads=ads or [], meta=meta or {},
                        scheduled_url=scheduled_url)


def _strip_query(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def _resource_type(playwright_type: str) -> str:
    return {"document": "subdocument", "fetch": "xmlhttprequest", "xhr": "xmlhttprequest",
            "eventsource": "other", "websocket": "websocket", "manifest": "other",
            "texttrack": "media"}.get(playwright_type, playwright_type)


__all__ = ["PlacementsSpider", "SeedError"]
