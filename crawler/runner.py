"""Run a placement crawl in this process (the CLI and ``vigie demo`` use it).

Scrapy's Twisted reactor cannot be restarted within one process: call this once per process
(tests run it in a subprocess: ``python -m crawler.runner --seeds ...`` takes the CLI's flags)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crawler.browser import chromium_path, launch_options
from crawler.filterlists import resolve_lists
from crawler.seeds import load_seeds
from store.db import migrate
from vigie.config import get_settings
from vigie.errors import UserError

log = logging.getLogger(__name__)


def crawl_settings(*, proxy: str | None = None, jobdir: str | Path | None = None,
                   obey_robots: bool = True, overrides: dict[str, Any] | None = None) -> Any:
    from scrapy.settings import Settings

    import crawler.settings as module

    settings = Settings()
    settings.setmodule(module, priority="project")
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(proxy), priority="cmdline")
    settings.set("ROBOTSTXT_OBEY", obey_robots, priority="cmdline")
    # in-process runs (CLI, `vigie demo`) show a progress bar and a summary: Scrapy stays quiet
    settings.set("LOG_LEVEL", os.environ.get("VIGIE_CRAWL_LOG_LEVEL", "WARNING"), priority="cmdline")
    if jobdir:
        settings.set("JOBDIR", str(jobdir), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_placements_crawl(seeds: list[str] | str, *, render: bool | None = None, proxy: str | None = None,
                         filter_lists: list[str] | None = None, max_pages_per_site: int = 20, depth: int = 1,
                         database_url: str | None = None, allow_private: bool = False,
                         jobdir: str | Path | None = None, obey_robots: bool = True, evidence: bool = True,
                         settings_overrides: dict[str, Any] | None = None,
                         progress: Callable[[dict[str, Any]], None] | None = None) -> int:
    """Crawl ``seeds`` (URLs, domains or seed files) and store placements; returns the CrawlRun id.

    ``render``: True = every page in Chromium, False = never, None = when the static pass sees
    ad-tag scripts. Bad input (no usable seed, unreadable filter list) raises ``UserError``."""
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.placements import PlacementsSpider

    urls, errors = load_seeds(seeds)  # the spider reports the bad lines (log + CrawlRun.stats)
    if not urls:
        raise UserError("no usable seed" + (f" ({errors[0]})" if errors else ""))
    resolve_lists(filter_lists or None, proxy=proxy)  # fail early on a bad --filter-list
    if render is True and chromium_path() is None:
        raise UserError("--render needs Chromium: install it (apt-get install chromium) or set "
                        "PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH")
    database_url = database_url or get_settings().database_url
    migrate(database_url)
    overrides = dict(settings_overrides or {})
    if progress is not None:
        overrides["VIGIE_PROGRESS"] = progress
    if render is False or chromium_path() is None:
        # no browser needed: skip the Playwright handler (its driver costs a second at start)
        overrides.setdefault("DOWNLOAD_HANDLERS", {})
    settings = crawl_settings(proxy=proxy, jobdir=jobdir, obey_robots=obey_robots, overrides=overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PlacementsSpider)
    process.crawl(crawler, seeds=seeds, render={True: "1", False: "0", None: "auto"}[render], proxy=proxy,
                  filter_lists=filter_lists or None, max_pages_per_site=max_pages_per_site, depth=depth,
                  allow_private=allow_private, database_url=database_url, evidence=evidence)
    process.start()
    spider = crawler.spider
    run_id = getattr(spider, "run_id", None)
    if run_id is None:
        raise UserError("the crawl did not start (see the log above)")
    return int(run_id)


def main(argv: list[str] | None = None) -> int:
    """``python -m crawler.runner --seeds ... [flags]``: the CLI command without Typer."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m crawler.runner")
    p.add_argument("--seeds", nargs="+", required=True)
    p.add_argument("--render", dest="render", action="store_const", const=True, default=None)
    p.add_argument("--no-render", dest="render", action="store_const", const=False)
    p.add_argument("--proxy")
    p.add_argument("--filter-list", action="append")
    p.add_argument("--max-pages-per-site", type=int, default=20)
    p.add_argument("--depth", type=int, default=1)
    p.add_argument("--allow-private", action="store_true")
    p.add_argument("--ignore-robots", action="store_true")
    p.add_argument("--no-evidence", action="store_true")
    p.add_argument("--jobdir")
    p.add_argument("--set", action="append", default=[], help="Scrapy setting NAME=VALUE")
    args = p.parse_args(argv)
    overrides = dict(s.split("=", 1) for s in args.set)
    try:
        run_id = run_placements_crawl(args.seeds, render=args.render, proxy=args.proxy,
                                      filter_lists=args.filter_list, max_pages_per_site=args.max_pages_per_site,
                                      depth=args.depth, allow_private=args.allow_private, jobdir=args.jobdir,
                                      obey_robots=not args.ignore_robots, evidence=not args.no_evidence,
                                      settings_overrides=overrides)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"crawl run {run_id}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    sys.exit(main())
