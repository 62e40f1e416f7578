"""Operations commands: ``vigie serve``, ``vigie schedule ...`` and ``vigie worker``."""

from __future__ import annotations

import json
import shlex
from typing import Annotated

import typer

from vigie.commands.core import database_url, fail
from vigie.config import get_settings
from vigie.errors import UserError

schedule_app = typer.Typer(no_args_is_help=True, help="Recurring jobs run by `vigie serve`.")




DatabaseOpt = Annotated[
    str | None, typer.Option("--database", help="Database URL (default: VIGIE_DATABASE_URL).")
]


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="Serve the API and dashboard only (extra replicas).")
    ] = False,
    database: DatabaseOpt = None,
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning...")] = "info",
) -> None:
    """Serve the API and the dashboard, and run the scheduled jobs, in one process."""
    from ops.server import run_server

    try:
        run_server(database or get_settings().database_url, host, port, with_scheduler=not no_scheduler,
                   log_level=log_level)
    except UserError as exc:
        fail(str(exc))


def schedule_list(
    database: DatabaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the scheduled jobs with their trigger and next run (UTC)."""
    from ops.scheduler import list_jobs

    infos = list_jobs(database_url(database))
    if as_json:
        for info in infos:
            typer.echo(json.dumps(info.as_dict(), sort_keys=True))
        return
    if not infos:
        typer.echo("no scheduled jobs (add one with `vigie schedule add`)")
        return
    for info in infos:
        nxt = "paused" if info.paused else info.next_run_time.isoformat()  # type: ignore[union-attr]
        typer.echo(f"{info.id}\t{info.kind}\t{info.trigger}\tnext: {nxt}")


def schedule_add(
    kind: Annotated[str, typer.Argument(help="crawl, watch, supply, lists, rescore, recrawl or command.")],
    group: Annotated[str | None, typer.Option("--group", help="Site group to crawl ('all': every site).")] = None,
    cron: Annotated[str | None, typer.Option("--cron", help="5-field crontab, UTC: '0 */6 * * *'.")] = None,
    every: Annotated[str | None, typer.Option("--every", help="Interval: 30s, 5m, 6h, 1d, 2w "
                                              "(recrawl: default 15m).")] = None,
    job_id: Annotated[str | None, typer.Option("--id", help="Job id (default: KIND or crawl:GROUP).")] = None,
    grace: Annotated[
        int | None, typer.Option("--grace", help="Misfire grace, seconds: a run missed by more is skipped.")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a job with the same id.")] = False,
    seeds: Annotated[str | None, typer.Option("--seeds", help="Crawl: a seeds file instead of a group.")] = None,
    render: Annotated[bool | None, typer.Option("--render/--no-render", help="Crawl: render pages.")] = None,
    proxy: Annotated[str | None, typer.Option("--proxy", help="Crawl: HTTP proxy URL.")] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Crawl: click chains may reach private addresses.")
    ] = False,
    max_pages_per_site: Annotated[int | None, typer.Option("--max-pages-per-site", help="Crawl.")] = None,
    depth: Annotated[int | None, typer.Option("--depth", help="Crawl: link depth.")] = None,
    distributed: Annotated[
        str | None, typer.Option("--distributed", help="Crawl: push seeds to this Redis for `vigie worker`s.")
    ] = None,
    args: Annotated[str | None, typer.Option("--args", help="command: the vigie command line to run.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Add a recurring job, e.g. `vigie schedule add crawl --group news --cron "0 */6 * * *"`."""
    from ops.scheduler import add_job

    options: dict[str, object] = {}
    if kind == "crawl":
        for key, value in (("seeds", seeds), ("render", render), ("proxy", proxy),
                           ("max_pages_per_site", max_pages_per_site), ("depth", depth),
                           ("distributed", distributed), ("allow_private", allow_private or None)):
            if value is not None:
                options[key] = value
    if kind == "recrawl":
        for key, value in (("render", render), ("proxy", proxy), ("allow_private", allow_private or None)):
            if value is not None:
                options[key] = value
    if args:
        options["argv"] = shlex.split(args)
    try:
        info = add_job(database_url(database), kind, group=group, cron=cron, every=every, job_id=job_id,
                       grace=grace, options=options, replace=replace)
    except UserError as exc:
        fail(str(exc))
    nxt = info.next_run_time.isoformat() if info.next_run_time else "paused"
    typer.echo(f"added {info.id}: {info.trigger}, next run {nxt}")


def _one(action: str, job_id: str, database: str | None) -> None:
    from ops import scheduler

    try:
        url = database_url(database)
        if action == "pause":
            scheduler.pause_job(url, job_id)
            typer.echo(f"paused {job_id}")
        elif action == "resume":
            info = scheduler.resume_job(url, job_id)
            typer.echo(f"resumed {job_id}, next run {info.next_run_time.isoformat() if info.next_run_time else '-'}")
        elif action == "remove":
            scheduler.remove_job(url, job_id)
            typer.echo(f"removed {job_id}")
    except UserError as exc:
        fail(str(exc))


JobIdArg = Annotated[str, typer.Argument(help="Job id, as `vigie schedule list` shows it.")]


def schedule_pause(job_id: JobIdArg, database: DatabaseOpt = None) -> None:
    """Pause a job (it keeps its schedule; no run until resumed)."""
    _one("pause", job_id, database)


def schedule_resume(job_id: JobIdArg, database: DatabaseOpt = None) -> None:
    """Resume a paused job from its next regular time."""
    _one("resume", job_id, database)


def schedule_remove(job_id: JobIdArg, database: DatabaseOpt = None) -> None:
    """Delete a job."""
    _one("remove", job_id, database)


def schedule_run_now(
    job_id: JobIdArg,
    queue: Annotated[
        bool, typer.Option("--queue", help="Let the running `vigie serve` run it (within 10 s) instead.")
    ] = False,
    database: DatabaseOpt = None,
) -> None:
    """Run a job now, here in the foreground (or, with --queue, in `vigie serve`)."""
    from ops import scheduler
    from ops.jobs import AlreadyRunning

    try:
        url = database_url(database)
        if queue:
            scheduler.trigger_job(url, job_id)
            typer.echo(f"queued {job_id}: `vigie serve` runs it at its next wake-up")
            return
        result = scheduler.run_job_now(url, job_id)
    except (UserError, AlreadyRunning) as exc:
        fail(str(exc))
    typer.echo(f"ran {job_id}: crawl run {result}" if isinstance(result, int) else f"ran {job_id}")


def worker(
    redis: Annotated[str, typer.Option("--redis", help="Shared Redis: redis://HOST:PORT/N.")],
    database: Annotated[
        str | None, typer.Option("--database", help="Shared database URL (default: VIGIE_DATABASE_URL).")
    ] = None,
    proxy: Annotated[str | None, typer.Option("--proxy", help="HTTP proxy for every request.")] = None,
    key_prefix: Annotated[str, typer.Option("--key-prefix", help="Prefix of the Redis keys.")] = "vigie",
    max_idle: Annotated[
        int, typer.Option("--max-idle", help="Exit after this many idle seconds (0: run forever).")
    ] = 0,
    render: Annotated[bool | None, typer.Option("--render/--no-render", help="Render pages.")] = None,
    max_pages_per_site: Annotated[int | None, typer.Option("--max-pages-per-site")] = None,
    depth: Annotated[int | None, typer.Option("--depth")] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Let click chains reach private addresses (demo, tests).")
    ] = False,
    setting: Annotated[
        list[str] | None, typer.Option("--set", "-s", help="Scrapy setting NAME=VALUE (repeatable).")
    ] = None,
) -> None:
    """Run a crawler that takes its work from the shared Redis queue and writes to the shared
    database; start as many as you like, on as many machines."""
    from ops.distributed import run_worker

    try:
        url = database or get_settings().database_url
        extra: dict[str, str] = {}
        for item in setting or []:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise UserError(f"--set: {item!r} is not NAME=VALUE")
            extra[name.strip()] = value
        run_worker(redis, url, proxy=proxy, key_prefix=key_prefix, max_idle=max_idle, render=render,
                   max_pages_per_site=max_pages_per_site, depth=depth, allow_private=allow_private or None,
                   settings=extra)
    except UserError as exc:
        fail(str(exc))


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("serve")(serve)
    app.command("worker")(worker)
    schedule_app.command("list")(schedule_list)
    schedule_app.command("add")(schedule_add)
    schedule_app.command("pause")(schedule_pause)
    schedule_app.command("resume")(schedule_resume)
    schedule_app.command("remove")(schedule_remove)
    schedule_app.command("run-now")(schedule_run_now)
    app.add_typer(schedule_app, name="schedule")
