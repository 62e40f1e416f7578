"""Reliability, end to end on the demo web: a scheduled crawl killed with SIGKILL resumes to the
same placements; two distributed workers, one killed mid-crawl, still store every page once;
the API keeps answering while a crawl writes to SQLite; `vigie serve` restarts keep schedules
and never replay a missed job twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ops.distributed import connect, keys, push_seeds, queue_status
from ops.scheduler import add_job, job_store, list_jobs
from store.db import migrate, session_scope
from store.users import create_user, mint_token
from tests.ops.e2e import free_port, import_registry, runs, snapshot, vigie, vigie_env, wait_for

pytestmark = pytest.mark.slow


def _sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'var' / 'vigie.db'}"
    migrate(url)
    return url


def _pages(run: Any) -> int:
    return int((run.stats or {}).get("pages", 0))


def test_scheduled_crawl_killed_with_sigkill_resumes_to_the_same_placements(
        tmp_path: Path, demo_web: Any, demo_world_dir: Path, reference_crawl: dict[str, Any]) -> None:
    data_dir = tmp_path / "var"
    url = _sqlite(tmp_path)
    import_registry(url, demo_world_dir)
    add_job(url, "crawl", every="1d", job_id="crawl:demo",
            options={"seeds": str(demo_world_dir / "seeds.txt"), "render": False, "proxy": demo_web.proxy_url,
                     "allow_private": True})
    env = vigie_env(url, data_dir)
    log = tmp_path / "run-now.log"

    first = vigie("schedule", "run-now", "crawl:demo", env=env, log=log)
    run = wait_for(lambda: next((r for r in runs(url) if r.args.get("pid") and _pages(r) >= 25), None),
                   timeout=300, what="the scheduled crawl to store 25 pages")
    os.kill(run.args["pid"], signal.SIGKILL)  # the crawl process, not the job runner
    assert first.wait(timeout=60) == 0
    (killed,) = runs(url)
    assert killed.status == "interrupted" and _pages(killed) < len(reference_crawl["pages"])
    jobdir = Path(killed.args["jobdir"])
    assert jobdir.is_dir()

    second = vigie("schedule", "run-now", "crawl:demo", env=env, log=log)
    assert second.wait(timeout=600) == 0, log.read_text()[-3000:]
    (resumed,) = runs(url)  # the same run, continued
    assert resumed.id == killed.id and resumed.status == "finished", resumed.error
    assert resumed.args.get("resumes") == 1
    assert not jobdir.exists()  # finished: the next run starts afresh
    assert resumed.log_path is not None
    assert Path(resumed.log_path).read_text().count("$ ") == 2  # one log, both attempts

    got = snapshot(url)
    assert got["duplicate_pages"] == [] and got["duplicate_placements"] == []
    assert got["pages"] == reference_crawl["pages"]
    assert got["placements"] == reference_crawl["placements"]


@pytest.mark.postgres
@pytest.mark.redis
def test_two_workers_one_killed_every_page_stored_once(
        tmp_path: Path, pg_url: str, redis_url: str, redis_prefix: str, demo_web: Any, demo_world_dir: Path,
        reference_crawl: dict[str, Any]) -> None:
    import_registry(pg_url, demo_world_dir)
    seeds = (demo_world_dir / "seeds.txt").read_text().split()
    r = connect(redis_url)
    workers = []
    for i in range(2):
        env = vigie_env(pg_url, tmp_path / f"worker{i}")
        workers.append(vigie("worker", "--redis", redis_url, "--database", pg_url, "--proxy", demo_web.proxy_url,
                             "--key-prefix", redis_prefix, "--max-idle", "20", "--allow-private", "--no-render",
                             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=2",
                             "-s", "DOWNLOAD_DELAY=0.2", env=env, log=tmp_path / f"worker{i}.log"))
    # both workers are up (heartbeat) before there is any work, so both take part
    wait_for(lambda: len(list(r.scan_iter(match=keys(redis_prefix)["worker"] + "*"))) == 2, timeout=180,
             what="two live workers")
    assert push_seeds(redis_url, seeds, key_prefix=redis_prefix) == len(seeds)
    victim = workers[0]

    def victim_run() -> Any:
        return next((run for run in runs(pg_url) if f":{victim.pid}:" in str(run.args.get("worker"))
                     and _pages(run) >= 8), None)

    wait_for(victim_run, timeout=180, what="worker 0 to store 8 pages")
    in_flight = r.hlen(keys(redis_prefix)["inflight"] + str(victim_run().args["worker"]))
    print(f"worker 0 had {in_flight} request(s) in flight when killed")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    survivor = workers[1]
    assert survivor.wait(timeout=600) == 0, (tmp_path / "worker1.log").read_text()[-3000:]

    got = snapshot(pg_url)
    assert got["duplicate_pages"] == [] and got["duplicate_placements"] == []
    assert got["pages"] == reference_crawl["pages"]  # nothing lost
    assert got["placements"] == reference_crawl["placements"]
    status = queue_status(redis_url, redis_prefix)
    assert status["queued"] == 0 and status["seeds"] == 0 and not any(status["inflight"].values())
    worker_runs = runs(pg_url)
    assert len(worker_runs) == 2 and {r.args.get("distributed") for r in worker_runs} == {True}
    # whatever the killed worker had taken and not stored was requeued and done by the survivor
    survivor_log = (tmp_path / "worker1.log").read_text()
    assert in_flight == 0 or "requeued" in survivor_log


def test_api_keeps_answering_while_a_crawl_writes_to_sqlite(
        tmp_path: Path, demo_web: Any, demo_world_dir: Path) -> None:
    data_dir = tmp_path / "var"
    url = _sqlite(tmp_path)
    import_registry(url, demo_world_dir)
    with session_scope(url) as s:
        token = mint_token(s, create_user(s, "ops-test", "viewer", None), "test")
    env = vigie_env(url, data_dir)
    port = free_port()
    serve = vigie("serve", "--port", str(port), env=env, log=tmp_path / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ok(f"{base}/healthz"), timeout=60, what="vigie serve")
        crawl = vigie("crawl", "placements", "--seeds", str(demo_world_dir / "seeds.txt"), "--no-render",
                      "--proxy", demo_web.proxy_url, "--allow-private", env=env, log=tmp_path / "crawl.log")
        statuses: list[int] = []
        progress: list[int] = []
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while crawl.poll() is None:
                for path in ("/api/v1/placements?limit=100", "/api/v1/pages?limit=100", "/api/v1/crawl-runs"):
                    resp = client.get(path)
                    statuses.append(resp.status_code)
                    assert resp.status_code == 200, (path, resp.text)
                    assert "database is locked" not in resp.text
                    if path == "/api/v1/crawl-runs" and resp.json()["items"]:
                        progress.append(int(resp.json()["items"][0]["stats"].get("pages", 0)))
        assert crawl.returncode == 0, (tmp_path / "crawl.log").read_text()[-3000:]
        assert len(statuses) >= 30
        assert len(set(progress)) >= 3, progress  # the run's stats moved while it crawled (live progress)
    finally:
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 0
    assert "database is locked" not in (tmp_path / "serve.log").read_text()


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_serve_restart_keeps_schedules_and_runs_a_missed_job_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    url = _sqlite(tmp_path)
    add_job(url, "command", every="1h", job_id="hello", options={"argv": ["--help"]})
    env = vigie_env(url, data_dir, VIGIE_SCHEDULER_POLL_SECONDS="0.5")
    log = tmp_path / "serve.log"

    def serve() -> subprocess.Popen[bytes]:
        port = free_port()
        proc = vigie("serve", "--port", str(port), env=env, log=log)
        wait_for(lambda: _ok(f"http://127.0.0.1:{port}/healthz"), timeout=60, what="vigie serve")
        return proc

    def stop(proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0

    def finished() -> list[Any]:
        return [r for r in runs(url, kind="command") if r.status == "finished"]

    proc = serve()
    assert vigie("schedule", "run-now", "hello", "--queue", env=env).wait(timeout=60) == 0
    wait_for(lambda: len(finished()) == 1, timeout=60, what="the queued run")
    stop(proc)

    with job_store(url) as sched:  # three hourly runs missed while the server was down
        sched.modify_job("hello", next_run_time=datetime.now(UTC) - timedelta(hours=3, minutes=30))
    proc = serve()
    wait_for(lambda: len(finished()) == 2, timeout=60, what="the missed run")
    time.sleep(3)  # six more scheduler wake-ups: a replay of the backlog would show here
    stop(proc)
    proc = serve()
    time.sleep(3)
    stop(proc)

    assert len(runs(url, kind="command")) == 2
    (job,) = list_jobs(url)
    assert job.id == "hello" and job.next_run_time is not None and job.next_run_time > datetime.now(UTC)
    run = finished()[-1]
    assert Path(run.log_path).is_file() and "Usage" in Path(run.log_path).read_text()
    assert json.dumps(run.args)  # argv, job id and pid recorded
    assert run.args["job_id"] == "hello" and run.args["argv"] == ["--help"]


def test_stopping_serve_interrupts_a_crawl_job_cleanly_and_it_resumes(
        tmp_path: Path, demo_web: Any, demo_world_dir: Path, reference_crawl: dict[str, Any]) -> None:
    data_dir = tmp_path / "var"
    url = _sqlite(tmp_path)
    import_registry(url, demo_world_dir)
    add_job(url, "crawl", every="1d", job_id="crawl:demo",
            options={"seeds": str(demo_world_dir / "seeds.txt"), "render": False, "proxy": demo_web.proxy_url,
                     "allow_private": True})
    env = vigie_env(url, data_dir, VIGIE_SCHEDULER_POLL_SECONDS="0.5")
    port = free_port()
    serve = vigie("serve", "--port", str(port), env=env, log=tmp_path / "serve.log")
    wait_for(lambda: _ok(f"http://127.0.0.1:{port}/healthz"), timeout=60, what="vigie serve")
    assert vigie("schedule", "run-now", "crawl:demo", "--queue", env=env).wait(timeout=60) == 0
    run = wait_for(lambda: next((r for r in runs(url) if _pages(r) >= 15), None), timeout=300,
                   what="the crawl started by vigie serve")
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=90) == 0  # the crawl child was stopped and waited for
    with pytest.raises(ProcessLookupError):
        os.kill(run.args["pid"], 0)
    (stopped,) = runs(url)
    assert stopped.status == "interrupted"
    assert Path(stopped.args["jobdir"]).is_dir()

    again = vigie("schedule", "run-now", "crawl:demo", env=env, log=tmp_path / "run-now.log")
    assert again.wait(timeout=600) == 0
    (done,) = runs(url)
    assert done.id == stopped.id and done.status == "finished"
    got = snapshot(url)
    assert got["pages"] == reference_crawl["pages"]
    assert got["placements"] == reference_crawl["placements"]
