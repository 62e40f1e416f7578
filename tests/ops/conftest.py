"""Fixtures for the operations tests: a fresh PostgreSQL database for the session (created on
the server of VIGIE_TEST_POSTGRES_URL, dropped at the end), emptied before each test; a Redis key
prefix of its own per test, deleted afterwards; the demo web as a proxy."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from store.db import get_engine, migrate


@pytest.fixture(scope="session")
def pg_session_url(postgres_url: str) -> Iterator[str]:
    """A new database ``vigie_test_<random>`` on the test server, migrated, for this session."""
    name = f"vigie_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url(pg_session_url: str, monkeypatch: pytest.MonkeyPatch, data_dir: object) -> str:
    """The session's PostgreSQL database with every table emptied, as VIGIE_DATABASE_URL."""
    engine = get_engine(pg_session_url)
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    if tables:
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    monkeypatch.setenv("VIGIE_DATABASE_URL", pg_session_url)
    return pg_session_url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """Redis keys of this test live under this prefix and are deleted afterwards."""
    from ops.distributed import clear

    prefix = f"vigietest-{uuid.uuid4().hex[:10]}"
    yield prefix
    clear(redis_url, prefix)


@pytest.fixture(scope="session")
def demo_world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """brands.yaml, sites.yaml, seeds.txt of the demo world (seed 7)."""
    from demo.world import build_world

    d = tmp_path_factory.mktemp("demo-world")
    build_world(7).write_files(d)
    return d


@pytest.fixture(scope="session")
def demo_web() -> Iterator[Any]:
    """The demo web as an HTTP forward proxy on 127.0.0.1 for this session."""
    from demo.server import DemoWeb
    from demo.world import build_world

    with DemoWeb(build_world(7)) as web:
        yield web


FAST = ["--set", "AUTOTHROTTLE_ENABLED=False"]


@pytest.fixture(scope="session")
def reference_crawl(demo_web: Any, demo_world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An uninterrupted single-machine static crawl of the demo web: what every interrupted,
    resumed or distributed crawl must end up with."""
    from tests.ops.e2e import ROOT, import_registry, snapshot

    d = tmp_path_factory.mktemp("reference")
    url = f"sqlite:///{d / 'vigie.db'}"
    migrate(url)
    import_registry(url, demo_world_dir)
    env = {**os.environ, "VIGIE_DATABASE_URL": url, "VIGIE_DATA_DIR": str(d)}
    subprocess.run([sys.executable, "-m", "crawler.runner", "--seeds", str(demo_world_dir / "seeds.txt"),
                    "--no-render", "--proxy", demo_web.proxy_url, "--allow-private", *FAST],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=600)
    snap = snapshot(url)
    assert len(snap["pages"]) > 50 and snap["placements"], "the reference crawl found nothing"
    return snap
