"""Scrapy settings of the placement crawler (``scrapy.cfg`` -> ``crawler.settings``).

Polite by default: robots.txt obeyed, AutoThrottle on, a few requests per domain at a time,
size limits, timeouts and retries. The Playwright download handler is installed for both schemes
but only requests with ``meta["playwright"]`` go through the browser."""

from __future__ import annotations

import os

from crawler.browser import launch_options

BOT_NAME = "vigie"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 "
              "Vigie/0.1 (+https://github.com/vigie-project/vigie; brand-safety crawler)")
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "Vigie"

CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = os.environ.get("VIGIE_CRAWL_LOG_LEVEL", "INFO")
DEPTH_PRIORITY = 1  # breadth first: home pages before deep pages
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = launch_options(os.environ.get("VIGIE_CRAWL_PROXY") or None)
# no PLAYWRIGHT_MAX_CONTEXTS: contexts are recycled (below), and a cap could deadlock a draining
# context against pages waiting for a new one
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = int(os.environ.get("VIGIE_MAX_PAGES_PER_CONTEXT", "6"))
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30000
PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER = True
# a context is closed and replaced after this many pages so memory stays flat on long crawls
VIGIE_PAGES_PER_CONTEXT = int(os.environ.get("VIGIE_PAGES_PER_CONTEXT", "40"))
# the browser process itself is closed and relaunched after this many pages (0 = never): Chromium
# keeps growing even with its contexts closed. Pages of the next browser wait until every page of
# the current one is closed, then the browser is closed and the handler launches a new one
# (needs PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER)
VIGIE_PAGES_PER_BROWSER = int(os.environ.get("VIGIE_PAGES_PER_BROWSER", "200"))
# follow: resolve every click chain hop by hop (evidence); param: trust a tracker's destination
# parameter when there is one and fetch nothing (faster on big crawls)
VIGIE_CLICK_CHAINS = os.environ.get("VIGIE_CLICK_CHAINS", "follow")

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ProxyMiddleware": 90,
    "crawler.middlewares.SsrfGuardMiddleware": 95,
    "crawler.middlewares.BrowserContextMiddleware": 960,
}
ITEM_PIPELINES = {
    "crawler.pipelines.PlacementStorePipeline": 300,
}
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
