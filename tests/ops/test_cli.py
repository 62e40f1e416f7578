"""`vigie schedule ...` and the job runner: jobs stored in the database, each run a subprocess
recorded as a CrawlRun with its log file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ops.scheduler import list_jobs
from store.db import session_scope
from store.models import CrawlRun, Site
from tests.ops.e2e import ROOT, runs
from vigie.cli import app

cli = CliRunner()


def vigie(*args: str) -> tuple[int, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.output


def test_python_dash_m_vigie_works() -> None:
    out = subprocess.run([sys.executable, "-m", "vigie", "schedule", "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    for command in ("list", "add", "pause", "resume", "remove", "run-now"):
        assert command in out


def test_schedule_add_list_pause_resume_remove(database_url: str) -> None:
    code, out = vigie("schedule", "add", "crawl", "--group", "news", "--cron", "0 */6 * * *", "--no-render")
    assert code == 0, out
    assert "crawl:news" in out
    code, out = vigie("schedule", "add", "watch", "--every", "5m")
    assert code == 0, out
    assert vigie("schedule", "add", "watch", "--every", "5m")[0] == 2  # same id: refused
    assert vigie("schedule", "add", "watch", "--every", "10m", "--replace")[0] == 0
    jobs = {j.id: j for j in list_jobs(database_url)}
    assert set(jobs) == {"crawl:news", "watch"}
    assert jobs["crawl:news"].kwargs == {"group": "news", "job_id": "crawl:news", "render": False}
    assert jobs["crawl:news"].next_run_time is not None and jobs["crawl:news"].next_run_time.hour % 6 == 0
    assert jobs["watch"].misfire_grace_time == 120

    assert vigie("schedule", "pause", "watch")[0] == 0
    code, out = vigie("schedule", "list")
    assert "watch" in out and "paused" in out
    assert vigie("schedule", "resume", "watch")[0] == 0
    assert not next(j for j in list_jobs(database_url) if j.id == "watch").paused
    assert vigie("schedule", "remove", "watch")[0] == 0
    assert [j.id for j in list_jobs(database_url)] == ["crawl:news"]
    code, out = vigie("schedule", "list", "--json")
    assert code == 0 and '"id": "crawl:news"' in out


@pytest.mark.parametrize("args", [
    ["crawl", "--cron", "0 * * * *"],                       # no group
    ["crawl", "--group", "x", "--cron", "61 * * * *"],      # bad cron
    ["watch", "--every", "5 minutes"],                       # bad interval
    ["watch"],                                                # no trigger
    ["watch", "--every", "5m", "--cron", "0 * * * *"],      # two triggers
    ["teleport", "--every", "5m"],                           # unknown kind
    ["command", "--every", "5m"],                            # no --args
])
def test_schedule_add_rejects_bad_input_with_exit_2(database_url: str, args: list[str]) -> None:
    code, out = vigie("schedule", "add", *args)
    assert code == 2
    assert out.startswith("error: ") and len(out.strip().splitlines()) == 1
    assert list_jobs(database_url) == []


def test_unknown_job_is_a_user_error(database_url: str) -> None:
    for action in ("pause", "resume", "remove", "run-now"):
        code, out = vigie("schedule", action, "nope")
        assert code == 2 and "no scheduled job 'nope'" in out


def test_run_now_runs_the_command_in_a_subprocess_and_records_it(database_url: str, data_dir: Path) -> None:
    assert vigie("schedule", "add", "command", "--id", "hello", "--every", "1d", "--args", "--help")[0] == 0
    assert vigie("schedule", "add", "command", "--id", "broken", "--every", "1d", "--args", "no-such-cmd")[0] == 0
    code, out = vigie("schedule", "run-now", "hello")
    assert code == 0, out
    code, out = vigie("schedule", "run-now", "broken")
    assert code == 0, out  # the job ran; its failure is recorded on the run
    ok, bad = runs(database_url, kind="command")
    assert ok.status == "finished" and ok.finished_at is not None and ok.stats["exit_code"] == 0
    assert ok.args["argv"] == ["--help"] and ok.args["job_id"] == "hello" and ok.args["pid"]
    assert ok.log_path is not None
    log = Path(ok.log_path)
    assert log.parent == data_dir / "logs" and "Usage" in log.read_text()
    assert bad.status == "failed" and bad.stats["exit_code"] == 2
    assert bad.error is not None
    assert "exit 2" in bad.error and "no-such-cmd" in bad.error  # the tail of its log


def test_a_job_already_running_elsewhere_is_not_started_twice(database_url: str) -> None:
    assert vigie("schedule", "add", "command", "--id", "hello", "--every", "1d", "--args", "--help")[0] == 0
    with session_scope(database_url) as s:  # as if `vigie serve` were running it in this very process
        s.add(CrawlRun(kind="command", status="running",
                       args={"job_id": "hello", "pid": os.getpid(), "host": socket.gethostname()}))
    code, out = vigie("schedule", "run-now", "hello")
    assert code == 2 and "already running" in out
    assert len(runs(database_url, kind="command")) == 1


def test_a_crawl_of_an_empty_group_is_recorded_as_failed(database_url: str) -> None:
    with session_scope(database_url) as s:
        s.add(Site(domain="news.example", group="news"))
    assert vigie("schedule", "add", "crawl", "--group", "sport", "--every", "1d")[0] == 0
    code, out = vigie("schedule", "run-now", "crawl:sport")
    assert code == 0, out
    (run,) = runs(database_url)
    assert run.status == "failed" and "no sites in group 'sport'" in (run.error or "")


def test_group_seeds_prefer_the_known_home_page(database_url: str) -> None:
    from ops.jobs import group_seeds
    from store.models import Page

    with session_scope(database_url) as s:
        a, b = Site(domain="a.example", group="news"), Site(domain="b.example", group="news")
        s.add_all([a, b, Site(domain="c.example", group="other")])
        s.flush()
        s.add_all([Page(url="http://www.a.example/article/1", site_id=a.id),
                   Page(url="http://www.a.example/", site_id=a.id)])
    assert group_seeds(database_url, "news") == ["http://www.a.example/", "b.example"]
    assert len(group_seeds(database_url, "all")) == 3


def test_worker_reports_an_unreachable_redis_on_one_line(database_url: str) -> None:
    code, out = vigie("worker", "--redis", "redis://127.0.0.1:1/0", "--database", database_url)
    assert code == 2 and out.startswith("error: --redis: cannot reach redis://127.0.0.1:1/0")
    code, out = vigie("worker", "--redis", "redis://127.0.0.1:1/0", "--set", "NOEQUALS")
    assert code == 2 and "--set: 'NOEQUALS' is not NAME=VALUE" in out
