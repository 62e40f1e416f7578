"""The persistent job scheduler: APScheduler 3 with its SQLAlchemy job store in Vigie's own
database (table ``apscheduler_jobs``), so schedules survive restarts of ``vigie serve``.

Every job is coalesced (a backlog of missed runs becomes one run), limited to one instance at a
time, and has a misfire grace time (a run missed by more than that is skipped, not replayed).
Job functions are module-level callables in :mod:`ops.jobs`, stored by reference, so a stored job
still loads after an upgrade. The CLI edits the same table while the server runs; the server's
scheduler wakes every ``POLL_SECONDS`` to notice such edits.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from store.db import get_engine
from vigie.errors import UserError

JOBS_TABLE = "apscheduler_jobs"
POLL_SECONDS = 10.0
"""How often a running scheduler re-reads the job store even when no job is due, so that jobs
added, paused or triggered from another process (the CLI) are picked up."""


@dataclass(frozen=True)
class Kind:
    """A kind of job: the function that runs it and its misfire grace time in seconds."""

    func: str
    grace: int
    needs_group: bool = False
    description: str = ""
    default_every: str | None = None
    """Interval used when neither ``--cron`` nor ``--every`` is given (None: one is required)."""


KINDS: dict[str, Kind] = {
    "crawl": Kind("ops.jobs:crawl_placements", 3 * 3600, True, "placement crawl of one site group"),
    "watch": Kind("ops.jobs:poll_activists", 120, False, "poll every enabled activist account"),
    "supply": Kind("ops.jobs:refresh_supply", 6 * 3600, False, "refresh ads.txt / sellers.json"),
    "lists": Kind("ops.jobs:update_filter_lists", 6 * 3600, False, "download new filter lists"),
    "rescore": Kind("ops.jobs:rescore", 3600, False, "rescore pages and sites"),
    "recrawl": Kind("ops.jobs:recrawl", 3600, False, "recrawl pages and sites called out by activists", "15m"),
    "command": Kind("ops.jobs:run_command", 3600, False, "any `vigie` command (--args)"),
}

_EVERY = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class VigieScheduler(BackgroundScheduler):
    """A background scheduler that never sleeps longer than ``poll_seconds``, so changes written
    to the shared job store by another process are seen within that time."""

    poll_seconds: float = POLL_SECONDS
    edit_only: bool = False

    def _process_jobs(self) -> float | None:
        # APScheduler 3 runs one more round after shutdown() (its loop wakes on the shutdown
        # event and processes before re-checking the state): that round would advance a due job
        # without running it. An edit-only scheduler (the CLI's) never processes jobs at all.
        if self.edit_only or self.state != STATE_RUNNING:
            return None
        wait: float | None = super()._process_jobs()
        return self.poll_seconds if wait is None else min(wait, self.poll_seconds)


def parse_every(text: str) -> timedelta:
    """``30s``, ``5m``, ``6h``, ``1d``, ``2w`` -> a positive timedelta."""
    m = _EVERY.match(text or "")
    if not m or int(m.group(1)) == 0:
        raise UserError(f"--every: {text!r} is not a duration like 30s, 5m, 6h, 1d or 2w")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def make_trigger(cron: str | None = None, every: str | None = None) -> BaseTrigger:
    """A UTC cron trigger (5-field crontab) or an interval trigger; exactly one of the two."""
    if bool(cron) == bool(every):
        raise UserError("give exactly one of --cron 'M H DOM MON DOW' or --every 5m")
    if cron:
        try:
            return CronTrigger.from_crontab(cron, timezone=UTC)
        except ValueError as exc:
            raise UserError(f"--cron: {cron!r} is not a 5-field crontab expression ({exc})") from exc
    assert every is not None
    return IntervalTrigger(seconds=int(parse_every(every).total_seconds()), timezone=UTC)


def make_scheduler(database_url: str, *, poll_seconds: float | None = None,
                   edit_only: bool = False) -> VigieScheduler:
    """A scheduler whose default job store is the ``apscheduler_jobs`` table of the Vigie
    database (created on first start). One thread runs jobs: crawls are subprocesses anyway and
    running two heavy jobs at once on a small machine only slows both."""
    sched = VigieScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=get_engine(database_url), tablename=JOBS_TABLE)},
        executors={"default": {"type": "threadpool", "max_workers": 4}},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=UTC,
    )
    sched.poll_seconds = poll_seconds or float(os.environ.get("VIGIE_SCHEDULER_POLL_SECONDS") or POLL_SECONDS)
    sched.edit_only = edit_only
    return sched


@contextmanager
def job_store(database_url: str) -> Iterator[VigieScheduler]:
    """A scheduler started *paused* on the shared store: edits go straight to the database and
    nothing runs here (the scheduler of ``vigie serve`` runs the jobs)."""
    sched = make_scheduler(database_url, edit_only=True)
    sched.start(paused=True)
    try:
        yield sched
    finally:
        sched.shutdown(wait=False)


@dataclass
class JobInfo:
    """What ``vigie schedule list`` shows about one job."""

    id: str
    kind: str
    trigger: str
    next_run_time: datetime | None
    kwargs: dict[str, Any]
    misfire_grace_time: int | None

    @property
    def paused(self) -> bool:
        return self.next_run_time is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "trigger": self.trigger,
            "next_run_time": self.next_run_time.isoformat() if self.next_run_time else None,
            "paused": self.paused,
            "kwargs": self.kwargs,
            "misfire_grace_time": self.misfire_grace_time,
        }


def _kind_of(job: Job) -> str:
    ref = job.func_ref if isinstance(job.func_ref, str) else ""
    for name, kind in KINDS.items():
        if kind.func == ref:
            return name
    return ref


def _info(job: Job) -> JobInfo:
    return JobInfo(
        id=job.id,
        kind=_kind_of(job),
        trigger=str(job.trigger),
        next_run_time=job.next_run_time,
        kwargs=dict(job.kwargs),
        misfire_grace_time=job.misfire_grace_time,
    )


def default_job_id(kind: str, group: str | None) -> str:
    return f"{kind}:{group}" if group else kind


def add_job(
    database_url: str,
    kind: str,
    *,
    group: str | None = None,
    cron: str | None = None,
    every: str | None = None,
    job_id: str | None = None,
    grace: int | None = None,
    options: dict[str, Any] | None = None,
    replace: bool = False,
) -> JobInfo:
    """Store a recurring job. ``options`` are extra keyword arguments of the job function
    (for crawls: ``render``, ``proxy``, ``max_pages_per_site``, ``depth``, ``distributed``; for
    recrawls: ``render``, ``proxy``, ``allow_private``). A kind with a ``default_every`` needs
    no trigger."""
    spec = KINDS.get(kind)
    if spec is None:
        raise UserError(f"unknown job kind {kind!r}; one of: {', '.join(KINDS)}")
    seeds = (options or {}).get("seeds")
    if spec.needs_group and not group and not seeds:
        raise UserError(f"a {kind} job needs --group (a site group, or 'all') or --seeds FILE")
    if seeds:
        from pathlib import Path

        path = Path(seeds).expanduser().resolve()
        if not path.is_file():
            raise UserError(f"--seeds: {seeds}: no such file")
        options = {**(options or {}), "seeds": str(path)}
        group = group or None
        job_id = job_id or f"{kind}:{path.stem}"
    if kind == "command" and not (options or {}).get("argv"):
        raise UserError("a command job needs --args, e.g. --args 'lists update'")
    if not cron and not every and spec.default_every:
        every = spec.default_every
    trigger = make_trigger(cron, every)
    jid = job_id or default_job_id(kind, group)
    kwargs: dict[str, Any] = dict(options or {})
    kwargs["job_id"] = jid
    if spec.needs_group and group:
        kwargs["group"] = group
    with job_store(database_url) as sched:
        try:
            job = sched.add_job(
                spec.func,
                trigger=trigger,
                id=jid,
                name=jid,
                kwargs=kwargs,
                misfire_grace_time=grace if grace is not None else spec.grace,
                coalesce=True,
                max_instances=1,
                replace_existing=replace,
            )
        except ConflictingIdError as exc:
            raise UserError(f"job {jid!r} already exists; use --replace or remove it first") from exc
        # a paused scheduler leaves next_run_time unset until it computes it: read back the row
        return _info(sched.get_job(job.id) or job)


def list_jobs(database_url: str) -> list[JobInfo]:
    with job_store(database_url) as sched:
        return sorted((_info(j) for j in sched.get_jobs()), key=lambda i: i.id)


def get_job(database_url: str, job_id: str) -> JobInfo:
    with job_store(database_url) as sched:
        job = sched.get_job(job_id)
        if job is None:
            raise UserError(f"no scheduled job {job_id!r} (see `vigie schedule list`)")
        return _info(job)


def _edit(database_url: str, job_id: str, action: str) -> JobInfo | None:
    with job_store(database_url) as sched:
        try:
            if action == "pause":
                return _info(sched.pause_job(job_id))
            if action == "resume":
                return _info(sched.resume_job(job_id) or sched.get_job(job_id))
            if action == "trigger":
                return _info(sched.modify_job(job_id, next_run_time=datetime.now(UTC)))
            sched.remove_job(job_id)
            return None
        except JobLookupError as exc:
            raise UserError(f"no scheduled job {job_id!r} (see `vigie schedule list`)") from exc


def pause_job(database_url: str, job_id: str) -> JobInfo:
    info = _edit(database_url, job_id, "pause")
    assert info is not None
    return info


def resume_job(database_url: str, job_id: str) -> JobInfo:
    info = _edit(database_url, job_id, "resume")
    assert info is not None
    return info


def remove_job(database_url: str, job_id: str) -> None:
    _edit(database_url, job_id, "remove")


def trigger_job(database_url: str, job_id: str) -> JobInfo:
    """Ask the running scheduler (``vigie serve``) to run the job at its next wake-up, at most
    ``POLL_SECONDS`` from now; its regular schedule resumes afterwards."""
    info = _edit(database_url, job_id, "trigger")
    assert info is not None
    return info


def run_job_now(database_url: str, job_id: str) -> Any:
    """Run the job's function here, in the foreground, with its stored arguments (the regular
    schedule is untouched)."""
    with job_store(database_url) as sched:
        job = sched.get_job(job_id)
        if job is None:
            raise UserError(f"no scheduled job {job_id!r} (see `vigie schedule list`)")
        func, args, kwargs = job.func, tuple(job.args), dict(job.kwargs)
    from ops import jobs

    jobs.configure(database_url=database_url)
    return func(*args, **kwargs)
