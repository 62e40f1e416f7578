"""Helpers of the end-to-end operations tests: run ``vigie`` in subprocesses, snapshot what a
crawl stored, wait for conditions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from store.db import session_scope
from store.models import Brand, CrawlRun, Page, Placement
from store.registry import parse_brands, parse_sites, upsert_brands, upsert_sites

ROOT = Path(__file__).resolve().parents[2]


def vigie_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "VIGIE_DATABASE_URL": database_url, "VIGIE_DATA_DIR": str(data_dir),
           "PYTHONUNBUFFERED": "1", **extra}
    return env


def vigie(*args: str, env: dict[str, str], log: Path | None = None) -> subprocess.Popen[bytes]:
    out = log.open("ab") if log else subprocess.DEVNULL
    return subprocess.Popen([sys.executable, "-m", "vigie", *args], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT)


def wait_for(cond: Callable[[], Any], timeout: float = 120.0, every: float = 0.2, what: str = "") -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what or cond}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def import_registry(database_url: str, world_dir: Path) -> None:
    with session_scope(database_url) as s:
        upsert_brands(s, parse_brands(world_dir / "brands.yaml"))
        upsert_sites(s, parse_sites(world_dir / "sites.yaml"))


def snapshot(database_url: str) -> dict[str, Any]:
    """What a crawl stored, comparable across databases (no ids)."""
    with session_scope(database_url) as s:
        pages = sorted(s.scalars(select(Page.url)))
        rows = s.execute(select(Page.url, Placement.fingerprint, Placement.advertiser_domain, Brand.name,
                                Placement.ad_network)
                         .join(Page, Page.id == Placement.page_id)
                         .outerjoin(Brand, Brand.id == Placement.brand_id)).all()
        dup_pages = s.execute(select(Page.url).group_by(Page.url).having(func.count() > 1)).all()
        dup_placements = s.execute(select(Placement.page_id, Placement.fingerprint)
                                   .group_by(Placement.page_id, Placement.fingerprint)
                                   .having(func.count() > 1)).all()
    return {"pages": pages, "placements": sorted(tuple(r) for r in rows),
            "duplicate_pages": dup_pages, "duplicate_placements": dup_placements}


def runs(database_url: str, **where: Any) -> list[CrawlRun]:
    with session_scope(database_url) as s:
        q = select(CrawlRun).order_by(CrawlRun.id)
        for key, value in where.items():
            q = q.where(getattr(CrawlRun, key) == value)
        return list(s.scalars(q))
