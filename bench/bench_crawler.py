"""Placement crawler benchmark. Prints, in one run:

1. static pages/s of the placement spider vs a bare Scrapy spider fetching the same demo pages
   through the same demo proxy with the same politeness settings (the bare rate is the baseline;
   aim: placement >= half of it);
2. rendered pages/min (Chromium, evidence screenshots on);
3. ad-request matching speed, microseconds per request (median, p99), on the real-request sample
   in ../shared/data: adblock-rust (EasyList + EasyPrivacy) vs adblockparser (pure Python; without
   re2 it is far too slow on the full lists, so it gets a subset of rules, said in the output).

Run: ``.venv/bin/python bench/bench_crawler.py`` (``--render-pages N``, ``--parser-rules N``,
``--skip-render``). Crawls run in subprocesses (Twisted's reactor cannot restart)."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("VIGIE_SHARED_DATA", ROOT.parent / "shared" / "data"))

ROUNDS = 5
COMMON_SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "32",
                   "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "ROBOTSTXT_OBEY": "False", "LOG_LEVEL": "WARNING"}


def bare_worker(urls_file: str, proxy: str) -> None:
    """Subprocess: a spider that only fetches the pages (the baseline)."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = Path(urls_file).read_text().split()

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            for _ in range(ROUNDS):  # several rounds: 107 pages alone take too little time to time
                for url in urls:
                    yield scrapy.Request(url, meta={"proxy": proxy}, dont_filter=True)

        def parse(self, response: Any) -> None:
            return None

    process = CrawlerProcess({**COMMON_SETTINGS, "TELNETCONSOLE_ENABLED": False,
                              "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"})
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(json.dumps({"pages": stats.get("response_received_count", 0),
                      "seconds": stats.get("elapsed_time_seconds", 0.0)}))


def _placement_run(urls: list[str], proxy: str, render: bool, tmp: Path,
                   chains: str = "follow") -> tuple[int, float, int]:
    from sqlalchemy import select

    from store.db import session_scope
    from store.models import CrawlRun

    data = tmp / f"{'render' if render else 'static'}-{chains}"
    data.mkdir()
    seeds = data / "seeds.txt"
    seeds.write_text("\n".join(urls))
    db = f"sqlite:///{data / 'vigie.db'}"
    args = [sys.executable, "-m", "crawler.runner", "--seeds", str(seeds), "--proxy", proxy, "--allow-private",
            "--depth", "0", "--max-pages-per-site", "1000", "--render" if render else "--no-render",
            "--ignore-robots"]
    for k, v in COMMON_SETTINGS.items():
        if k != "ROBOTSTXT_OBEY":
            args += ["--set", f"{k}={v}"]
    args += ["--set", f"VIGIE_CLICK_CHAINS={chains}"]
    env = {**os.environ, "VIGIE_DATA_DIR": str(data), "VIGIE_DATABASE_URL": db, "VIGIE_CRAWL_LOG_LEVEL": "WARNING"}
    subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True)
    with session_scope(db) as s:
        run = s.scalars(select(CrawlRun)).one()
        assert run.finished_at is not None
        seconds = (run.finished_at - run.started_at).total_seconds()
        return int(run.stats["pages"]), seconds, int(run.stats.get("requests", 0))


def crawl_bench(render_pages: int, skip_render: bool) -> None:
    from demo.server import DemoWeb
    from demo.world import build_world

    world = build_world(7)
    urls = [p.url for p in world.pages]
    with DemoWeb(world) as web, tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        urls_file = tmp / "urls.txt"
        urls_file.write_text("\n".join(urls))
        out = subprocess.run([sys.executable, __file__, "--bare-worker", str(urls_file), web.proxy_url], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        bare = json.loads(out)
        bare_rate = bare["pages"] / bare["seconds"]
        print(f"static crawl, {len(urls)} demo pages ({len(world.ground_truth()['ads'])} ads), demo proxy, "
              f"AutoThrottle off, robots off, 32 concurrent / 8 per host:")
        print(f"  bare Scrapy spider (fetch only, {ROUNDS} rounds): {bare_rate:.1f} pages/s "
              f"({bare['pages']} pages in {bare['seconds']:.2f} s)")
        for chains, what in (("follow", "detection + ad iframe fetches + every click chain hop by hop"),
                             ("param", "same, but a tracker's destination parameter is trusted without fetching")):
            pages, seconds, requests = _placement_run(urls, web.proxy_url, False, tmp, chains)
            rate = pages / seconds
            print(f"  placement spider, VIGIE_CLICK_CHAINS={chains} ({what}): {rate:.1f} pages/s "
                  f"({pages} pages in {seconds:.2f} s) -> {rate / bare_rate:.2f}x of the bare rate; "
                  f"{requests} requests ({requests / max(1, pages):.1f} per page), {requests / seconds:.0f} "
                  f"requests/s vs the bare spider's {bare_rate:.0f}")
        if not skip_render:
            subset = urls[:render_pages]
            rpages, rseconds, _ = _placement_run(subset, web.proxy_url, True, tmp)
            print(f"rendered crawl (Chromium, settle + visibility + 2 screenshots per ad): "
                  f"{rpages / rseconds * 60:.1f} pages/min ({rpages} pages in {rseconds:.1f} s)")


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def matching_bench(parser_rules: int) -> None:
    from crawler.filterlists import AdEngine, load_list

    with gzip.open(SHARED / "requests" / "matching-test-requests.json.gz", "rt") as fh:
        requests = json.load(fh)
    lists = [load_list(str(SHARED / "easylist.txt.gz")), load_list(str(SHARED / "easyprivacy.txt.gz"))]
    t0 = time.perf_counter()
    engine = AdEngine(lists)
    build = time.perf_counter() - t0
    cold = []
    for req in requests:  # first pass: adblock-rust compiles regex rules lazily
        t = time.perf_counter_ns()
        engine.check(req["url"], req["sourceUrl"], req["type"])
        cold.append((time.perf_counter_ns() - t) / 1000)
    timings = []
    blocked = 0
    for req in requests:
        t = time.perf_counter_ns()
        hit = engine.check(req["url"], req["sourceUrl"], req["type"])
        timings.append((time.perf_counter_ns() - t) / 1000)
        blocked += hit is not None
    print(f"matching, {len(requests)} real requests, adblock-rust (EasyList+EasyPrivacy, engine built in "
          f"{build:.1f} s, rule text kept for the evidence): median {statistics.median(timings):.2f} us, "
          f"p99 {_pct(timings, 99):.2f} us per request warm ({blocked} blocked); first pass median "
          f"{statistics.median(cold):.2f} us, p99 {_pct(cold, 99):.2f} us")

    from adblockparser import AdblockRules

    rules = [line for fl in lists for line in fl.text.splitlines()
             if line and not line.startswith(("!", "[")) and "##" not in line and "#@#" not in line
             and "#?#" not in line and "#$#" not in line]
    subset = rules[:parser_rules]
    t0 = time.perf_counter()
    parser = AdblockRules(subset, use_re2=False, skip_unsupported_rules=True)
    pbuild = time.perf_counter() - t0
    ptimings = []
    pblocked = 0
    sample = requests[:2000]
    from urllib.parse import urlsplit

    for req in sample:
        host = urlsplit(req["url"]).hostname or ""
        src = urlsplit(req["sourceUrl"]).hostname or ""
        opts = {req["type"] if req["type"] != "subdocument" else "subdocument": True, "domain": src,
                "third-party": bool(src) and not host.endswith(src)}
        t = time.perf_counter_ns()
        pblocked += parser.should_block(req["url"], opts)
        ptimings.append((time.perf_counter_ns() - t) / 1000)
    print(f"matching, adblockparser (re2 absent, so only the first {len(subset)} of {len(rules)} network rules; "
          f"{len(sample)} requests; built in {pbuild:.1f} s): median {statistics.median(ptimings):.1f} us, "
          f"p99 {_pct(ptimings, 99):.1f} us per request ({pblocked} blocked) -> adblock-rust is "
          f"{statistics.median(ptimings) / statistics.median(timings):.0f}x faster at the median, with "
          f"{len(rules) // max(1, len(subset))}x more rules")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--bare-worker":
        bare_worker(sys.argv[2], sys.argv[3])
        return
    p = argparse.ArgumentParser()
    p.add_argument("--render-pages", type=int, default=40)
    p.add_argument("--parser-rules", type=int, default=5000)
    p.add_argument("--skip-render", action="store_true")
    p.add_argument("--skip-crawl", action="store_true")
    args = p.parse_args()
    if not args.skip_crawl:
        crawl_bench(args.render_pages, args.skip_render)
    matching_bench(args.parser_rules)


if __name__ == "__main__":
    main()
