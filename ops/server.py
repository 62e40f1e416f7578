"""``vigie serve``: the API, the dashboard and the scheduler in one process.

Uvicorn owns the signals: on SIGINT/SIGTERM it stops accepting requests and finishes the ones in
flight; then the scheduler stops, running job subprocesses get SIGTERM (a Scrapy crawl closes
cleanly and keeps its JOBDIR, so the next run resumes it) and are waited for.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Any

from store.db import migrate

log = logging.getLogger(__name__)


def build_app(database_url: str, scheduler: Any = None) -> Any:
    """The ASGI app of :mod:`api.app`; the scheduler (if any) is on ``app.state.scheduler`` so
    the dashboard can show the jobs."""
    from api.app import create_app

    app = create_app(database_url)
    app.state.scheduler = scheduler
    return app


def run_server(database_url: str, host: str = "127.0.0.1", port: int = 8000, with_scheduler: bool = True,
               *, data_dir: Path | None = None, log_level: str = "info",
               stop_timeout: float = 30.0) -> None:
    """Serve until interrupted. The database is migrated first, so a new PostgreSQL database or
    SQLite file works straight away."""
    import uvicorn

    from ops import jobs
    from ops.scheduler import make_scheduler

    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    migrate(database_url)
    jobs.configure(database_url=database_url, data_dir=data_dir)
    scheduler = make_scheduler(database_url) if with_scheduler else None
    app = build_app(database_url, scheduler)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level=log_level,
                                           lifespan="auto"))
    if scheduler is not None:
        scheduler.start()
        log.info("scheduler started with %d job(s)", len(scheduler.get_jobs()))
    # uvicorn handles SIGINT/SIGTERM itself, then restores the previous handlers and re-raises
    # the signal: with the default handlers that would kill the process before the scheduler and
    # its crawls are stopped. Ours note it during serving; a second signal during the clean-up
    # aborts it.
    cleaning = threading.Event()

    def on_signal(sig: int, _frame: Any) -> None:
        if cleaning.is_set():
            raise KeyboardInterrupt

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        cleaning.set()
        if scheduler is not None:
            log.info("stopping the scheduler and its running jobs")
            scheduler.pause()  # no new job starts while the running ones stop
            jobs.stop_children(timeout=stop_timeout)
            scheduler.shutdown(wait=True)  # job threads return once their child has exited
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("stopped")
