"""Scale-out on scrapy-redis: seeds pushed to the shared queue, requests taken by a worker kept
in its in-flight hash until stored, and requeued when the worker dies."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request

from ops.distributed import (
    ReliablePriorityQueue,
    connect,
    crawl_in_progress,
    keys,
    push_seeds,
    queue_status,
    recover_orphans,
    redis_settings,
)


def test_redis_settings_put_scheduler_and_dupefilter_in_redis() -> None:
    s = redis_settings("redis://127.0.0.1:6379/3", key_prefix="acme", max_idle=7)
    assert s["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert s["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert s["SCHEDULER_PERSIST"] is True  # one worker finishing must not wipe the others' queue
    assert s["REDIS_URL"] == "redis://127.0.0.1:6379/3"
    assert s["REDIS_START_URLS_KEY"] == "acme:placements:start_urls"
    assert s["SCHEDULER_QUEUE_KEY"] == "acme:placements:requests"
    assert s["MAX_IDLE_TIME_BEFORE_CLOSE"] == 7


@pytest.mark.redis
def test_push_seeds_normalises_and_starts_a_new_crawl(redis_url: str, redis_prefix: str) -> None:
    r = connect(redis_url)
    k = keys(redis_prefix)
    r.sadd(k["dupefilter"], "old-fingerprint")
    r.sadd(k["scheduled"], "http://www.site-a.fr/")
    r.hset(k["site_pages"], "site-a.fr", 20)
    n = push_seeds(redis_url, ["http://www.site-a.fr/", "site-b.fr", "# comment", ""], key_prefix=redis_prefix)
    assert n == 2
    assert r.lrange(k["start_urls"], 0, -1) == [b"http://www.site-a.fr/", b"https://site-b.fr/"]
    assert r.scard(k["dupefilter"]) == 0  # no crawl was running: the old crawl's state goes
    assert not r.exists(k["scheduled"]) and not r.exists(k["site_pages"])
    r.sadd(k["dupefilter"], "current")
    push_seeds(redis_url, ["site-c.fr"], key_prefix=redis_prefix)  # joins the crawl under way
    assert r.scard(k["dupefilter"]) == 1
    assert crawl_in_progress(r, redis_prefix)
    assert queue_status(redis_url, redis_prefix)["seeds"] == 3


class _FakeSpider(SimpleNamespace):
    def track(self, url: str, entry_id: str) -> None:
        self.pending.setdefault(url, []).append(entry_id)


def _queue(redis_url: str, prefix: str, worker: str) -> tuple[ReliablePriorityQueue, _FakeSpider]:
    k = keys(prefix)
    spider = _FakeSpider(name="placements", keys=k, inflight_key=k["inflight"] + worker, pending={})
    return ReliablePriorityQueue(connect(redis_url), spider, k["requests"]), spider


@pytest.mark.redis
def test_a_dead_workers_requests_come_back_once(redis_url: str, redis_prefix: str) -> None:
    r = connect(redis_url)
    k = keys(redis_prefix)
    dead, dead_spider = _queue(redis_url, redis_prefix, "dead")
    for i in range(3):
        dead.push(Request(f"http://site.example/{i}", priority=-i))
    taken = [dead.pop(), dead.pop()]
    assert [t.url for t in taken] == ["http://site.example/0", "http://site.example/1"]
    assert r.hlen(k["inflight"] + "dead") == 2 and len(dead) == 1
    assert set(dead_spider.pending) == {"http://site.example/0", "http://site.example/1"}

    # a live worker (heartbeat present) is left alone
    r.set(k["worker"] + "alive", "1", ex=30)
    alive, _ = _queue(redis_url, redis_prefix, "alive")
    alive.pop()
    assert recover_orphans(r, k, "other") == 2  # only the dead worker's two
    assert r.hlen(k["inflight"] + "alive") == 1
    assert not r.exists(k["inflight"] + "dead")
    assert recover_orphans(r, k, "other") == 0  # recovered once, not twice
    survivor, _ = _queue(redis_url, redis_prefix, "survivor")
    urls = sorted(req.url for req in iter(survivor.pop, None))
    assert urls == ["http://site.example/0", "http://site.example/1"]


@pytest.mark.redis
def test_seeds_taken_by_a_dead_worker_go_back_to_the_list(redis_url: str, redis_prefix: str) -> None:
    from ops.distributed import _POP_SEEDS

    r = connect(redis_url)
    k = keys(redis_prefix)
    push_seeds(redis_url, ["a.fr", "b.fr", "c.fr"], key_prefix=redis_prefix)
    taken = r.eval(_POP_SEEDS, 2, k["start_urls"], k["seeds_pending"] + "dead", "2")
    assert taken == [b"https://a.fr/", b"https://b.fr/"]
    assert r.lrange(k["start_urls"], 0, -1) == [b"https://c.fr/"]
    assert queue_status(redis_url, redis_prefix)["seeds"] == 3  # pending seeds still count
    assert recover_orphans(r, k, "other") == 2
    assert sorted(r.lrange(k["start_urls"], 0, -1)) == [b"https://a.fr/", b"https://b.fr/", b"https://c.fr/"]
    assert not r.exists(k["seeds_pending"] + "dead")


@pytest.mark.redis
def test_pages_per_site_are_counted_for_the_crawl_across_workers(redis_url: str, redis_prefix: str) -> None:
    from ops.distributed import _SCHEDULE

    r = connect(redis_url)
    k = keys(redis_prefix)

    def schedule(url: str, site: str) -> int:  # what each worker's spider asks before a request
        return int(r.eval(_SCHEDULE, 2, k["scheduled"], k["site_pages"], url, site, "2"))

    assert schedule("http://a.fr/1", "a.fr") == 1
    assert schedule("http://a.fr/1", "a.fr") == 0  # already scheduled (by any worker)
    assert schedule("http://a.fr/2", "a.fr") == 1
    assert schedule("http://a.fr/3", "a.fr") == -1  # the site reached its 2 pages
    assert schedule("http://b.fr/1", "b.fr") == 1


def test_cli_crawl_distributed_pushes_seeds(redis_url: str, tmp_path: Path) -> None:
    """`vigie crawl placements --distributed URL` queues the seeds for the workers, reporting bad lines."""
    import subprocess
    import sys

    import redis as redis_lib

    url = redis_url.rsplit("/", 1)[0] + "/14"  # a database of its own: the CLI uses the default key prefix
    client = redis_lib.Redis.from_url(url)
    client.flushdb()
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# demo\nhttp://www.site-a.fr/\nsite-b.fr\nnot a seed\n")
    try:
        result = subprocess.run([sys.executable, "-m", "vigie", "crawl", "placements", "--seeds", str(seeds),
                                 "--distributed", url], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "pushed 2 seeds" in result.stdout
        assert "seeds.txt:4" in result.stdout
        raw: list[bytes] = client.lrange("vigie:placements:start_urls", 0, -1)  # type: ignore[assignment]
        queued = [v.decode() for v in raw]
        assert len(queued) == 2 and any("site-a.fr" in q for q in queued) and any("site-b.fr" in q for q in queued)
    finally:
        client.flushdb()
