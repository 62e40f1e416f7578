"""Job functions of the scheduler. Each runs a ``vigie`` command in a SUBPROCESS, so a crawl that
leaks memory, crashes or hangs never takes the API and the scheduler down with it, and records a
:class:`~store.models.CrawlRun` (kind, status, stats, log file under ``{data_dir}/logs/``) that the
dashboard lists while the job runs.

These are module-level callables: the job store keeps a reference (``ops.jobs:crawl_placements``),
not pickled code. They read the database URL and data dir configured by :func:`configure` (done
by ``vigie serve``), else the environment (``vigie.config.get_settings``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from store.db import session_scope
from store.models import CrawlRun, Page, Site
from vigie.config import get_settings

log = logging.getLogger(__name__)

RUN_ID_ENV = "VIGIE_CRAWL_RUN_ID"
"""Given to the child so that ``vigie crawl placements`` can update the run the scheduler
created (stats while it crawls) instead of creating a second one."""

RUN_FILE = "vigie-run.json"
"""Where the crawler's store pipeline looks for the run to continue (``crawler.pipelines``)."""

COMMANDS: dict[str, list[str]] = {
    "watch": ["watch", "--once"],
    "supply": ["crawl", "adstxt"],
    "lists": ["lists", "update"],
    "rescore": ["score"],
    "recrawl": ["crawl", "recrawls"],
}
"""The ``vigie`` command each non-crawl job kind runs (a ``command`` job runs any)."""

LOG_TAIL = 2000


@dataclass(frozen=True)
class JobContext:
    database_url: str
    data_dir: Path


_context: JobContext | None = None
_children: dict[int, subprocess.Popen[bytes]] = {}
_children_lock = threading.Lock()
_stopping = threading.Event()


def configure(database_url: str | None = None, data_dir: Path | None = None) -> JobContext:
    """Set the database and data dir that jobs of this process use (``vigie serve`` calls it)."""
    global _context
    settings = get_settings()
    _context = JobContext(database_url or settings.database_url, Path(data_dir or settings.data_dir))
    _stopping.clear()
    return _context


def context() -> JobContext:
    return _context or configure()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "job"


def vigie_argv(*args: str) -> list[str]:
    """How to start the ``vigie`` CLI from this interpreter (works without the entry point)."""
    return [sys.executable, "-m", "vigie", *args]


def _start_run(ctx: JobContext, kind: str, args: dict[str, Any]) -> tuple[int, Path]:
    logs = ctx.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with session_scope(ctx.database_url) as s:
        run = CrawlRun(kind=kind, status="running", args=args, stats={})
        s.add(run)
        s.flush()
        run_id = run.id
        log_path = logs / f"{_safe(args.get('job_id') or kind)}-{stamp}-run{run_id}.log"
        run.log_path = str(log_path)
    return run_id, log_path


def _log_path_of(ctx: JobContext, run_id: int, kind: str, args: dict[str, Any]) -> Path:
    with session_scope(ctx.database_url) as s:
        run = s.get(CrawlRun, run_id)
        if run is not None and run.log_path:
            return Path(run.log_path)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = ctx.data_dir / "logs" / f"{_safe(args.get('job_id') or kind)}-{stamp}-run{run_id}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        if run is not None:
            run.log_path = str(path)
        return path


def _finish_run(ctx: JobContext, run_id: int, status: str, error: str | None = None,
                stats: dict[str, Any] | None = None) -> None:
    """Close the run; a status the child already set (``finished``/``failed``) is kept, its
    stats are merged, not overwritten."""
    with session_scope(ctx.database_url) as s:
        run = s.get(CrawlRun, run_id)
        if run is None:
            return
        s.refresh(run)
        if run.status in (None, "running") or status in ("interrupted", "failed"):
            run.status = status
        run.stats = {**(run.stats or {}), **(stats or {})}
        run.finished_at = run.finished_at or datetime.now(UTC)
        if error:
            run.error = error


def _tail(path: Path, size: int = LOG_TAIL) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - size))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def running_instance(ctx: JobContext, job_id: str) -> int | None:
    """The run of ``job_id`` still going in another process of this machine (e.g. `vigie
    schedule run-now` while `vigie serve` runs it), so a job never runs twice at once;
    ``max_instances=1`` only covers one scheduler."""
    with session_scope(ctx.database_url) as s:
        candidates = list(s.scalars(select(CrawlRun).where(CrawlRun.status == "running")
                                    .order_by(CrawlRun.id.desc()).limit(200)))
    for run in candidates:
        args = run.args or {}
        if args.get("job_id") != job_id or not args.get("pid"):
            continue
        if args.get("host") != socket.gethostname():
            continue  # another machine's process: not ours to judge
        try:
            os.kill(int(args["pid"]), 0)
        except (ProcessLookupError, PermissionError, ValueError):
            continue
        return run.id
    return None


class AlreadyRunning(Exception):
    """The job is running in another process; this run was skipped."""


def run_subprocess(kind: str, argv: list[str], *, job_id: str | None = None,
                   extra_env: dict[str, str] | None = None, record: dict[str, Any] | None = None,
                   ctx: JobContext | None = None, run_id: int | None = None,
                   jobdir: Path | None = None) -> int:
    """Run ``vigie ARGV`` as a child process, logging to a file and recording a CrawlRun.
    Returns the run id. Runs are ``finished`` (exit 0), ``failed`` or ``interrupted`` (stopped
    by ``vigie serve`` shutting down, or killed).

    ``run_id``: continue that run (a resumed crawl appends to its log). ``jobdir``: the crawl's
    JOBDIR; the run id is written there (``vigie-run.json``) so that the crawler's store
    pipeline updates this run's stats page by page instead of creating a run of its own."""
    ctx = ctx or context()
    args = {"job_id": job_id, "argv": argv, **(record or {})}
    if job_id and (other := running_instance(ctx, job_id)) is not None:
        log.warning("job %s: run %s is still going; not starting another", job_id, other)
        raise AlreadyRunning(f"job {job_id} is already running (crawl run {other})")
    if run_id is None:
        run_id, log_path = _start_run(ctx, kind, args)
    else:
        log_path = _log_path_of(ctx, run_id, kind, args)
    if jobdir is not None:
        (jobdir / RUN_FILE).write_text(json.dumps({"run_id": run_id}), encoding="utf-8")
    env = {
        **os.environ,
        "VIGIE_DATABASE_URL": ctx.database_url,
        "VIGIE_DATA_DIR": str(ctx.data_dir),
        RUN_ID_ENV: str(run_id),
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    cmd = vigie_argv(*argv)
    log.info("job %s: run %s: %s (log %s)", job_id or kind, run_id, shlex.join(cmd), log_path)
    with log_path.open("ab") as out:
        out.write(f"$ {shlex.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=os.getcwd(), start_new_session=True)
        with _children_lock:
            _children[proc.pid] = proc
        with session_scope(ctx.database_url) as s:
            run = s.get(CrawlRun, run_id)
            if run is not None:
                run.args = {**run.args, "pid": proc.pid, "host": socket.gethostname()}
        try:
            code = proc.wait()
        finally:
            with _children_lock:
                _children.pop(proc.pid, None)
    stats = {"exit_code": code}
    if code == 0:
        _finish_run(ctx, run_id, "finished", stats=stats)
    elif _stopping.is_set() or code < 0:
        _finish_run(ctx, run_id, "interrupted", f"stopped (exit {code}); resumes on the next run",
                    stats=stats)
    else:
        _finish_run(ctx, run_id, "failed", f"exit {code}: ...{_tail(log_path)}", stats=stats)
    return run_id


def stop_children(timeout: float = 30.0) -> None:
    """Ask running job processes to stop (SIGTERM: Scrapy closes cleanly and keeps its JOBDIR),
    then kill what is left. Called by ``vigie serve`` on shutdown."""
    _stopping.set()
    with _children_lock:
        procs = list(_children.values())
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


# --- job functions ------------------------------------------------------------------------


def group_seeds(database_url: str, group: str | None) -> list[str]:
    """One seed per site of the group (``all`` or None: every site): the home page already
    crawled for it when there is one (keeps its scheme and host), else ``https://DOMAIN/``."""
    with session_scope(database_url) as s:
        q = select(Site.id, Site.domain).order_by(Site.domain)
        if group and group != "all":
            q = q.where(Site.group == group)
        sites = list(s.execute(q))
        homes: dict[int, str] = {}
        if sites:
            rows = s.execute(select(Page.site_id, Page.url).where(Page.site_id.in_([i for i, _ in sites])))
            for site_id, url in rows:
                parts = urlsplit(url)
                if parts.path in ("", "/") and not parts.query:
                    homes.setdefault(site_id, url)
        return [homes.get(site_id, domain) for site_id, domain in sites]


def crawl_argv(seeds_file: Path, *, render: bool | None = None, proxy: str | None = None,
               max_pages_per_site: int | None = None, depth: int | None = None,
               filter_lists: list[str] | None = None, allow_private: bool = False,
               extra_args: list[str] | None = None) -> list[str]:
    argv = ["crawl", "placements", "--seeds", str(seeds_file)]
    if render is not None:
        argv.append("--render" if render else "--no-render")
    if proxy:
        argv += ["--proxy", proxy]
    if max_pages_per_site is not None:
        argv += ["--max-pages-per-site", str(max_pages_per_site)]
    if depth is not None:
        argv += ["--depth", str(depth)]
    for fl in filter_lists or []:
        argv += ["--filter-list", fl]
    if allow_private:
        argv.append("--allow-private")
    return argv + list(extra_args or [])


def _resumable_run(ctx: JobContext, jobdir: Path) -> int | None:
    """The run an interrupted crawl of this job left in its JOBDIR, if it did not finish."""
    try:
        run_id = int(json.loads((jobdir / RUN_FILE).read_text())["run_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    with session_scope(ctx.database_url) as s:
        run = s.get(CrawlRun, run_id)
        if run is None or run.status == "finished":
            return None
        run.status = "running"
        run.finished_at = None
        run.args = {**(run.args or {}), "resumes": int((run.args or {}).get("resumes", 0)) + 1}
        return run_id


def crawl_placements(group: str | None = None, *, job_id: str | None = None, seeds: str | None = None,
                     render: bool | None = None, proxy: str | None = None,
                     max_pages_per_site: int | None = None, depth: int | None = None,
                     filter_lists: list[str] | None = None, allow_private: bool = False,
                     distributed: str | None = None, key_prefix: str = "vigie",
                     extra_args: list[str] | None = None) -> int | None:
    """Crawl one site group (or the URLs of a ``seeds`` file). Returns the CrawlRun id.

    Each job has its own Scrapy JOBDIR under ``{data_dir}/jobs/``: a crawl that was interrupted
    (server stopped, machine rebooted, process killed) resumes on the next run, in the same
    CrawlRun, with nothing lost and nothing doubled; a crawl that finished removes it so the next
    run starts afresh. With ``distributed`` (a Redis URL) the seeds go to the shared queue of the
    ``vigie worker`` processes instead."""
    ctx = context()
    jid = job_id or f"crawl:{group or 'all'}"
    if (other := running_instance(ctx, jid)) is not None:
        raise AlreadyRunning(f"job {jid} is already running (crawl run {other})")
    if seeds:
        seed_list = [line.strip() for line in Path(seeds).read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.lstrip().startswith("#")]
    else:
        seed_list = group_seeds(ctx.database_url, group)
    record: dict[str, Any] = {"group": group, "seeds_file": seeds, "sites": len(seed_list)}
    if not seed_list:
        run_id, _ = _start_run(ctx, "placements", {"job_id": jid, **record})
        _finish_run(ctx, run_id, "failed", f"no sites in group {group!r}" if not seeds else f"no seed in {seeds}")
        return run_id
    if distributed:
        from ops.distributed import push_seeds

        run_id, _ = _start_run(ctx, "placements", {"job_id": jid, "distributed": True, **record})
        pushed = push_seeds(distributed, seed_list, key_prefix=key_prefix)
        _finish_run(ctx, run_id, "queued", stats={"seeds_pushed": pushed})
        return run_id
    runs = ctx.data_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    seeds_file = runs / f"{_safe(jid)}-seeds.txt"
    seeds_file.write_text("".join(f"{u}\n" for u in seed_list), encoding="utf-8")
    jobdir = ctx.data_dir / "jobs" / _safe(jid)
    run_id_resumed = _resumable_run(ctx, jobdir) if jobdir.is_dir() else None
    if run_id_resumed is None:
        shutil.rmtree(jobdir, ignore_errors=True)
    jobdir.mkdir(parents=True, exist_ok=True)
    argv = crawl_argv(seeds_file, render=render, proxy=proxy, max_pages_per_site=max_pages_per_site,
                      depth=depth, filter_lists=filter_lists, allow_private=allow_private,
                      extra_args=[*(extra_args or []), "--jobdir", str(jobdir)])
    run_id = run_subprocess("placements", argv, job_id=jid, run_id=run_id_resumed,
                            record={**record, "jobdir": str(jobdir)}, jobdir=jobdir)
    with session_scope(ctx.database_url) as s:
        run = s.get(CrawlRun, run_id)
        status = run.status if run else None
    if status == "finished":
        shutil.rmtree(jobdir, ignore_errors=True)
    return run_id


def _command(kind: str, job_id: str | None) -> int:
    return run_subprocess(kind, COMMANDS[kind], job_id=job_id or kind)


def poll_activists(*, job_id: str | None = None) -> int:
    """Poll every enabled activist account once (``vigie watch --once``)."""
    return _command("watch", job_id)


def refresh_supply(*, job_id: str | None = None) -> int:
    """Refresh the ads.txt / app-ads.txt of known sites and the sellers.json they point to."""
    return _command("supply", job_id)


def update_filter_lists(*, job_id: str | None = None) -> int:
    """Download new versions of the filter lists (``vigie lists update``)."""
    return _command("lists", job_id)


def rescore(*, job_id: str | None = None) -> int:
    """Rescore what changed (``vigie score``, incremental)."""
    return _command("rescore", job_id)


def recrawl(*, job_id: str | None = None, proxy: str | None = None, render: bool | None = None,
            allow_private: bool = False, limit: int | None = None) -> int:
    """Consume the targeted recrawl queue (``vigie crawl recrawls``): the pages and sites that
    activist posts called out, in one crawl. Without ``proxy`` the child inherits VIGIE_PROXY."""
    argv = list(COMMANDS["recrawl"])
    if proxy:
        argv += ["--proxy", proxy]
    if render is not None:
        argv.append("--render" if render else "--no-render")
    if allow_private:
        argv.append("--allow-private")
    if limit is not None:
        argv += ["--limit", str(limit)]
    return run_subprocess("recrawl", argv, job_id=job_id or "recrawl")


def run_command(*, argv: list[str], job_id: str | None = None) -> int:
    """Any ``vigie`` command, e.g. ``["export", "placements", "--format", "jsonl", "--out", F]``."""
    return run_subprocess("command", list(argv), job_id=job_id)
