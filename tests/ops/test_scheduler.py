"""The scheduler keeps its jobs in Vigie's database: a restart keeps schedules and a backlog of
missed runs becomes one run (coalesce), or none past the misfire grace time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import inspect

from ops.scheduler import JOBS_TABLE, job_store, list_jobs, make_scheduler
from store.db import get_engine

COUNT = "tests.ops.jobfuncs:count"


def runs(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def wait_for(cond: Callable[[], bool], timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def schedule_hourly(url: str, counter: Path, *, coalesce: bool = True, grace: int = 6 * 3600) -> None:
    with job_store(url) as sched:
        sched.add_job(COUNT, IntervalTrigger(hours=1, timezone=UTC), id="hourly", kwargs={"path": str(counter)},
                      coalesce=coalesce, misfire_grace_time=grace, max_instances=1)


def simulate_downtime(url: str, hours: float) -> None:
    """As if the server had been down: the job's next run lies ``hours`` in the past."""
    with job_store(url) as sched:
        sched.modify_job("hourly", next_run_time=datetime.now(UTC) - timedelta(hours=hours))


def run_scheduler_for(url: str, seconds: float, until: Callable[[], bool] | None = None) -> None:
    sched = make_scheduler(url, poll_seconds=0.1)
    sched.start()
    try:
        if until is not None:
            assert wait_for(until), "the job never ran"
        time.sleep(seconds)  # several more wake-ups: a second run would happen here
    finally:
        sched.shutdown(wait=True)


def test_job_store_is_a_table_of_the_vigie_database(database_url: str, tmp_path: Path) -> None:
    schedule_hourly(database_url, tmp_path / "runs.txt")
    assert JOBS_TABLE in inspect(get_engine(database_url)).get_table_names()
    assert [j.id for j in list_jobs(database_url)] == ["hourly"]


def test_restart_runs_a_missed_job_once_and_keeps_the_schedule(database_url: str, tmp_path: Path) -> None:
    counter = tmp_path / "runs.txt"
    schedule_hourly(database_url, counter)
    run_scheduler_for(database_url, 0.5)  # first life: nothing due yet
    assert runs(counter) == 0

    simulate_downtime(database_url, hours=3.5)  # three runs missed while stopped
    run_scheduler_for(database_url, 1.0, until=lambda: runs(counter) >= 1)
    assert runs(counter) == 1

    (info,) = list_jobs(database_url)
    assert info.next_run_time is not None and info.next_run_time > datetime.now(UTC)
    run_scheduler_for(database_url, 1.0)  # another restart: nothing is replayed
    assert runs(counter) == 1


def test_without_coalescing_the_backlog_would_replay(database_url: str, tmp_path: Path) -> None:
    """The contrast that shows the test above measures something: coalesce=False replays."""
    counter = tmp_path / "runs.txt"
    schedule_hourly(database_url, counter, coalesce=False)
    simulate_downtime(database_url, hours=3.5)
    run_scheduler_for(database_url, 1.0, until=lambda: runs(counter) >= 3)
    assert runs(counter) >= 3


def test_a_run_missed_by_more_than_the_grace_time_is_skipped(database_url: str, tmp_path: Path) -> None:
    counter = tmp_path / "runs.txt"
    schedule_hourly(database_url, counter, grace=60)
    simulate_downtime(database_url, hours=0.5)  # missed by 30 min, grace 1 min
    run_scheduler_for(database_url, 1.0)
    assert runs(counter) == 0
    (info,) = list_jobs(database_url)
    assert info.next_run_time is not None and info.next_run_time > datetime.now(UTC)


def test_a_paused_job_does_not_run_and_resumes(database_url: str, tmp_path: Path) -> None:
    from ops.scheduler import pause_job, resume_job

    counter = tmp_path / "runs.txt"
    schedule_hourly(database_url, counter)
    pause_job(database_url, "hourly")
    run_scheduler_for(database_url, 0.5)
    assert runs(counter) == 0
    info = resume_job(database_url, "hourly")
    assert info.next_run_time is not None


def test_a_running_scheduler_sees_jobs_added_by_another_process(database_url: str, tmp_path: Path) -> None:
    """The CLI writes to the table while `vigie serve` runs; the server picks it up."""
    counter = tmp_path / "runs.txt"
    sched = make_scheduler(database_url, poll_seconds=0.1)
    sched.start()
    try:
        schedule_hourly(database_url, counter)
        simulate_downtime(database_url, hours=0.1)
        assert wait_for(lambda: runs(counter) == 1)
    finally:
        sched.shutdown(wait=True)


@pytest.mark.parametrize(("cron", "every"), [("0 */6 * * *", None), (None, "5m")])
def test_triggers(cron: str | None, every: str | None) -> None:
    from ops.scheduler import make_trigger

    trig = make_trigger(cron, every)
    now = datetime(2026, 1, 1, 1, 2, tzinfo=UTC)
    first = trig.get_next_fire_time(None, now)
    assert first is not None
    second = trig.get_next_fire_time(first, first + timedelta(seconds=1))
    if cron:
        assert (first, second) == (datetime(2026, 1, 1, 6, 0, tzinfo=UTC), datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    else:
        assert second - first == timedelta(minutes=5)
