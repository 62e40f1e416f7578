"""Scale-out crawling on scrapy-redis: many ``vigie worker`` processes, on any number of
machines, share one request queue and one duplicate filter in Redis and write to one database.

Keys (``P`` is the key prefix, default ``vigie``; the spider is ``placements``)::

    P:placements:start_urls       list   seeds pushed by `vigie crawl placements --distributed`
    P:placements:requests         zset   scrapy-redis request queue (scheduler)
    P:placements:dupefilter       set    scrapy-redis request fingerprints
    P:placements:inflight:WORKER  hash   requests a worker took and has not stored yet
    P:placements:inflight-seq     int    ids of in-flight entries
    P:placements:worker:WORKER    str    heartbeat, expires HEARTBEAT_TTL seconds after a worker dies
    P:placements:seeds-pending:W  list   seeds a worker took from start_urls, until they are queued
    P:placements:scheduled        set    URLs scheduled in this crawl (all workers)
    P:placements:site-pages       hash   pages scheduled per site in this crawl (--max-pages-per-site)

Plain scrapy-redis loses the requests a worker had taken when the worker dies (they are already
in the duplicate filter, so nothing schedules them again). Here a worker's pop moves the request
into its in-flight hash in the same Lua call, the store pipeline removes it once the page is
committed, and a live worker that finds the in-flight hash of a worker whose heartbeat expired
puts those requests back in the queue (atomically, so only one worker does). A page done twice
(stored, then the worker died before removing it) is harmless: page and placement writes are
upserts keyed by URL and (page, fingerprint).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urldefrag, urlsplit

import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.spiders import RedisMixin
from sqlalchemy.exc import IntegrityError, OperationalError

from crawler.attribution import domain_of
from crawler.pipelines import PlacementStorePipeline
from crawler.seeds import normalise_seed
from crawler.spiders.placements import PlacementsSpider

log = logging.getLogger(__name__)

SPIDER = "placements"
HEARTBEAT_EVERY = 3.0
HEARTBEAT_TTL = 12
POLL_EVERY = 0.5

_POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0)
if #item == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, item[1])
return {tostring(id), item[1]}
"""

_REQUEUE = """
local items = redis.call('HVALS', KEYS[2])
for _, data in ipairs(items) do redis.call('ZADD', KEYS[1], 0, data) end
redis.call('DEL', KEYS[2])
return #items
"""


_POP_SEEDS = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then
  redis.call('LTRIM', KEYS[1], #items, -1)
  redis.call('RPUSH', KEYS[2], unpack(items))
end
return items
"""

_REQUEUE_SEEDS = """
local items = redis.call('LRANGE', KEYS[2], 0, -1)
if #items > 0 then redis.call('RPUSH', KEYS[1], unpack(items)) end
redis.call('DEL', KEYS[2])
return #items
"""

_SCHEDULE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('HINCRBY', KEYS[2], ARGV[2], 1) > tonumber(ARGV[3]) then return -1 end
return 1
"""


def keys(prefix: str = "vigie", spider: str = SPIDER) -> dict[str, str]:
    base = f"{prefix}:{spider}"
    return {"start_urls": f"{base}:start_urls", "requests": f"{base}:requests",
            "dupefilter": f"{base}:dupefilter", "inflight": f"{base}:inflight:",
            "seq": f"{base}:inflight-seq", "worker": f"{base}:worker:",
            "scheduled": f"{base}:scheduled", "site_pages": f"{base}:site-pages",
            "seeds_pending": f"{base}:seeds-pending:"}


def reset_crawl(r: redis.Redis, key_prefix: str = "vigie") -> None:
    """Forget which pages the previous crawl scheduled (fingerprints, URLs, pages per site)."""
    k = keys(key_prefix)
    r.delete(k["dupefilter"], k["scheduled"], k["site_pages"])


def redis_settings(redis_url: str, *, key_prefix: str = "vigie", max_idle: int = 0) -> dict[str, Any]:
    """Scrapy settings overrides that put the scheduler and the duplicate filter in Redis.
    SCHEDULER_PERSIST: the queue outlives each worker (one worker finishing must not wipe the
    others' queue); :func:`push_seeds` starts a new crawl by clearing the old fingerprints."""
    k = keys(key_prefix)
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "ops.distributed.ReliablePriorityQueue",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": k["requests"],
        "SCHEDULER_DUPEFILTER_KEY": k["dupefilter"],
        "REDIS_START_URLS_KEY": k["start_urls"],
        "REDIS_URL": redis_url,
        "MAX_IDLE_TIME_BEFORE_CLOSE": max_idle,
        "VIGIE_REDIS_KEY_PREFIX": key_prefix,
        "JOBDIR": None,  # the queue lives in Redis, not on this machine's disk
        "ITEM_PIPELINES": {"ops.distributed.DistributedStorePipeline": 300},
    }


def connect(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


def push_seeds(redis_url: str, seeds: Iterable[str], *, key_prefix: str = "vigie",
               new_crawl: bool = True) -> int:
    """Put seed URLs or domains on the shared queue for the workers; returns how many.

    ``new_crawl``: when no crawl is under way (empty queue, nothing in flight), forget the
    fingerprints of the previous one, so a recrawl visits the pages again; pushed during a crawl,
    seeds join it."""
    k = keys(key_prefix)
    r = connect(redis_url)
    urls: list[str] = []
    for seed in seeds:
        seed = seed.strip()
        if seed and not seed.startswith("#"):
            urls.append(normalise_seed(seed))
    if new_crawl and not crawl_in_progress(r, key_prefix):
        reset_crawl(r, key_prefix)
    if urls:
        r.rpush(k["start_urls"], *urls)
    return len(urls)


def push_seed_specs(redis_url: str, specs: list[str], *, key_prefix: str = "vigie") -> tuple[int, list[Any]]:
    """For ``vigie crawl placements --distributed URL``: the same seed arguments as a local
    crawl (files and/or URLs/domains; bad lines are returned, not pushed), pushed to the
    workers' queue. Returns (seeds pushed, seed errors)."""
    from crawler.seeds import load_seeds
    from vigie.errors import UserError

    urls, errors = load_seeds(specs)
    if not urls:
        raise UserError("no usable seed" + (f" ({errors[0]})" if errors else ""))
    try:
        return push_seeds(redis_url, urls, key_prefix=key_prefix), errors
    except redis.RedisError as exc:
        raise UserError(f"--distributed: cannot reach {redis_url}: {exc}") from exc


def crawl_in_progress(r: redis.Redis, key_prefix: str = "vigie") -> bool:
    k = keys(key_prefix)
    if r.zcard(k["requests"]) or r.llen(k["start_urls"]):
        return True
    if any(r.llen(key) for key in r.scan_iter(match=k["seeds_pending"] + "*")):
        return True
    return any(r.hlen(key) for key in r.scan_iter(match=k["inflight"] + "*"))


def queue_status(redis_url: str, key_prefix: str = "vigie") -> dict[str, Any]:
    """Seeds waiting, requests queued, in flight per worker, live workers."""
    k = keys(key_prefix)
    r = connect(redis_url)
    inflight = {key.decode()[len(k["inflight"]):]: int(r.hlen(key))
                for key in r.scan_iter(match=k["inflight"] + "*")}
    workers = sorted(key.decode()[len(k["worker"]):] for key in r.scan_iter(match=k["worker"] + "*"))
    pending = sum(int(r.llen(key)) for key in r.scan_iter(match=k["seeds_pending"] + "*"))
    return {"seeds": int(r.llen(k["start_urls"])) + pending, "queued": int(r.zcard(k["requests"])),
            "seen": int(r.scard(k["dupefilter"])), "inflight": inflight, "workers": workers}


def clear(redis_url: str, key_prefix: str = "vigie") -> int:
    """Delete every key of this prefix (tests, or abandoning a crawl)."""
    r = connect(redis_url)
    found = list(r.scan_iter(match=f"{key_prefix}:*"))
    return int(r.delete(*found)) if found else 0


def recover_orphans(server: redis.Redis, k: dict[str, str], me: str = "") -> int:
    """Put back in the queue the in-flight requests of every worker whose heartbeat expired.
    One Lua call per dead worker moves its hash into the queue and deletes it, so two live
    workers recovering at once cannot both requeue the same requests."""
    back = 0
    for prefix, script, target, what in ((k["inflight"], _REQUEUE, k["requests"], "request(s)"),
                                         (k["seeds_pending"], _REQUEUE_SEEDS, k["start_urls"], "seed(s)")):
        for raw in server.scan_iter(match=prefix + "*"):
            key = raw.decode() if isinstance(raw, bytes) else str(raw)
            worker = key[len(prefix):]
            if worker == me or server.exists(k["worker"] + worker):
                continue
            n = int(server.eval(script, 2, target, key))
            if n:
                log.warning("requeued %d %s of dead worker %s", n, what, worker)
            back += n
    return back


class ReliablePriorityQueue(PriorityQueue):
    """scrapy-redis' priority queue, but a pop also records the request in this worker's
    in-flight hash (one Lua call), so a worker killed mid-page loses nothing."""

    def pop(self, timeout: int = 0) -> Any:
        spider = self.spider
        reply = self.server.eval(_POP, 3, self.key, spider.inflight_key, spider.keys["seq"])
        if not reply:
            return None
        entry_id, data = reply[0].decode(), reply[1]
        request = self._decode_request(data)
        spider.track(request.url, entry_id)
        return request


class DistributedPlacementsSpider(RedisMixin, PlacementsSpider):
    """The placements spider reading its seeds from Redis (``P:placements:start_urls``, one URL
    or domain per entry) and acknowledging each stored page."""

    name = SPIDER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("seeds", [])
        super().__init__(*args, **kwargs)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.keys = keys()
        self.inflight_key = ""
        self.seeds_pending_key = ""
        self._pending: dict[str, list[str]] = defaultdict(list)
        self._beat: Any = None
        self._poller: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DistributedPlacementsSpider:
        spider: DistributedPlacementsSpider = super().from_crawler(  # type: ignore[assignment]
            crawler, *args, **kwargs)
        spider.keys = keys(crawler.settings.get("VIGIE_REDIS_KEY_PREFIX", "vigie"), spider.name)
        spider.inflight_key = spider.keys["inflight"] + spider.worker_id
        spider.seeds_pending_key = spider.keys["seeds_pending"] + spider.worker_id
        spider.setup_redis(crawler)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def run_args(self) -> dict[str, Any]:
        return {**super().run_args(), "worker": self.worker_id, "distributed": True}

    # --- seeds ------------------------------------------------------------------------------

    def start_requests(self) -> Iterator[Any]:
        return self.next_requests()

    def pop_list_queue(self, redis_key: str, batch_size: int) -> list[bytes]:
        """Seeds move from the shared list to this worker's pending list in one Lua call, and
        stay there until their requests are in the shared queue (a dead worker's pending seeds
        go back to the list)."""
        assert self.server is not None
        return list(self.server.eval(_POP_SEEDS, 2, redis_key, self.seeds_pending_key, str(batch_size)))

    def next_requests(self) -> Iterator[Any]:
        yield from super().next_requests()
        # every request yielded has been handed to the engine (queued in Redis) by now
        if self.server is not None:
            self.server.delete(self.seeds_pending_key)

    def make_request_from_data(self, data: bytes) -> Any:
        text = data.decode(self.redis_encoding or "utf-8").strip()
        try:
            url = normalise_seed(text)
        except ValueError as exc:
            log.warning("bad seed from Redis skipped: %r (%s)", text, exc)
            return []
        request = self.seed_request(url)
        return [request] if request is not None else []

    def schedule(self, url: str, depth: int) -> Any:
        """Like the spider's, but the pages already scheduled and the pages per site are counted
        in Redis for the whole crawl, by all workers together (a worker process outlives many
        crawls; ``--max-pages-per-site`` holds for the crawl, not per worker)."""
        if self.server is None:
            return super().schedule(url, depth)
        url = urldefrag(url)[0]
        site = domain_of(url) or urlsplit(url).hostname or url
        verdict = int(self.server.eval(_SCHEDULE, 2, self.keys["scheduled"], self.keys["site_pages"], url, site,
                                       str(self.max_pages_per_site)))
        if verdict != 1:
            return None
        return self.make_page_request(url, depth)

    # --- callbacks: new requests first, the page item last -------------------------------------

    async def _requests_first(self, outputs: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The store pipeline acknowledges a page when its item is committed; the page's links
        must be in the shared queue by then, or a worker dying in between would lose them."""
        held = []
        async for out in outputs:
            if isinstance(out, Request):
                yield out
            else:
                held.append(out)
        for out in held:
            yield out

    async def parse_page(self, response: Any) -> AsyncIterator[Any]:
        async for out in self._requests_first(super().parse_page(response)):
            yield out

    async def parse_rendered(self, response: Any) -> AsyncIterator[Any]:
        async for out in self._requests_first(super().parse_rendered(response)):
            yield out

    async def page_failed(self, failure: Any) -> AsyncIterator[Any]:
        async for out in self._requests_first(super().page_failed(failure)):
            yield out

    # --- in-flight bookkeeping ------------------------------------------------------------------

    def track(self, url: str, entry_id: str) -> None:
        self._pending[url].append(entry_id)

    def ack(self, url: str) -> None:
        """The page of ``url`` is committed: drop its in-flight entries."""
        ids = self._pending.pop(url, None)
        if ids and self.server is not None:
            self.server.hdel(self.inflight_key, *ids)

    def _heartbeat(self) -> None:
        if self.server is not None:
            self.server.set(self.keys["worker"] + self.worker_id, str(time.time()), ex=HEARTBEAT_TTL)

    def _opened(self, spider: Any) -> None:
        from twisted.internet import task

        self._heartbeat()
        self._beat = task.LoopingCall(self._heartbeat)
        self._beat.start(HEARTBEAT_EVERY, now=False)
        self._poller = task.LoopingCall(self._poll)
        self._poller.start(POLL_EVERY, now=False)
        log.info("worker %s reading seeds from %s", self.worker_id, self.redis_key)

    def _poll(self) -> None:
        """An idle Scrapy engine looks for work every 5 s only; new seeds, or requests another
        worker queued, are picked up within POLL_EVERY instead."""
        if self.server is None:
            return
        try:
            if self.server.llen(self.redis_key):
                self.schedule_next_requests()
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None and self.server.zcard(self.keys["requests"]):
                slot.nextcall.schedule()
        except redis.RedisError as exc:
            log.warning("polling Redis failed: %s", exc)

    def _closed(self, spider: Any, reason: str) -> None:
        for loop in (self._beat, self._poller):
            if loop is not None and loop.running:
                loop.stop()
        if self.server is not None:
            if reason == "finished":
                self.server.delete(self.inflight_key, self.seeds_pending_key)
            self.server.delete(self.keys["worker"] + self.worker_id)

    def recover_orphans(self) -> int:
        """Requeue what dead workers had in flight; returns how many requests came back."""
        assert self.server is not None
        return recover_orphans(self.server, self.keys, self.worker_id)

    def others_busy(self) -> bool:
        assert self.server is not None
        prefix = self.keys["inflight"]
        if any(self.server.llen(k) for k in self.server.scan_iter(match=self.keys["seeds_pending"] + "*")
               if k.decode() != self.seeds_pending_key):
            return True
        return any(self.server.hlen(k) for k in self.server.scan_iter(match=prefix + "*")
                   if k.decode() != self.inflight_key)

    def spider_idle(self) -> None:
        """Idle: nothing of ours is in flight any more (leftovers, e.g. the source URL of a
        redirect, are dropped), requeue dead workers' requests, and stay open while any other
        worker may still add requests."""
        if self.server is not None:
            self.server.delete(self.inflight_key)
            self._pending.clear()
            if self.recover_orphans() or self.others_busy() or self.server.zcard(self.keys["requests"]):
                self.spider_idle_start_time = int(time.time())
        super().spider_idle()


class DistributedStorePipeline(PlacementStorePipeline):
    """The crawler's store pipeline, acknowledging each page once committed, and retrying a write
    that lost a race with another worker (two workers creating the same site row)."""

    def process_item(self, item: Any, spider: Any = None) -> Any:
        for attempt in range(3):
            try:
                result = super().process_item(item, spider)
                break
            except (IntegrityError, OperationalError) as exc:
                if attempt == 2:
                    raise
                log.info("retrying %s after a concurrent write: %s", item.get("url"), exc.__class__.__name__)
                time.sleep(0.2 * (attempt + 1))
        sp = self.spider
        if isinstance(sp, DistributedPlacementsSpider):
            sp.ack(item["url"])
            sp.spider_idle_start_time = int(time.time())  # --max-idle counts from the last page stored
        return result


def worker_settings(redis_url: str, *, proxy: str | None = None, key_prefix: str = "vigie", max_idle: int = 0,
                    extra: dict[str, Any] | None = None) -> Any:
    """The crawler's settings with the Redis scheduler and this worker's overrides."""
    from crawler.runner import crawl_settings

    overrides = redis_settings(redis_url, key_prefix=key_prefix, max_idle=max_idle)
    overrides.update(extra or {})
    jobdir = overrides.pop("JOBDIR", None)
    settings = crawl_settings(proxy=proxy, jobdir=jobdir, overrides=overrides)
    return settings


def run_worker(redis_url: str, database_url: str, *, proxy: str | None = None, key_prefix: str = "vigie",
               max_idle: int = 0, render: bool | None = None, max_pages_per_site: int | None = None,
               depth: int | None = None, allow_private: bool | None = None, evidence: bool = True,
               filter_lists: list[str] | None = None, settings: dict[str, Any] | None = None) -> None:
    """Run one worker in this process until stopped (or idle for ``max_idle`` seconds)."""
    from scrapy.crawler import CrawlerProcess

    from vigie.errors import UserError

    try:
        connect(redis_url).ping()
    except redis.RedisError as exc:
        raise UserError(f"--redis: cannot reach {redis_url}: {exc}") from exc
    from store.db import migrate

    migrate(database_url)
    process = CrawlerProcess(worker_settings(redis_url, proxy=proxy, key_prefix=key_prefix, max_idle=max_idle,
                                             extra=settings))
    kwargs: dict[str, Any] = {"database_url": database_url, "proxy": proxy, "evidence": evidence,
                              "render": {True: "1", False: "0", None: "auto"}[render]}
    if max_pages_per_site is not None:
        kwargs["max_pages_per_site"] = max_pages_per_site
    if depth is not None:
        kwargs["depth"] = depth
    if allow_private is not None:
        kwargs["allow_private"] = allow_private
    if filter_lists:
        kwargs["filter_lists"] = filter_lists
    process.crawl(DistributedPlacementsSpider, **kwargs)
    process.start()
