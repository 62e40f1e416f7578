"""Shared fixtures: a fresh migrated database per test, the shared third-party data, and the
PostgreSQL / Redis URLs that CI provides."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from store.db import migrate, session_factory

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout (override with VIGIE_SHARED_DATA)."""
    path = Path(os.environ.get("VIGIE_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.fail(f"shared data not found at {path}; set VIGIE_SHARED_DATA")
    return path


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "var"
    d.mkdir()
    monkeypatch.setenv("VIGIE_DATA_DIR", str(d))
    return d


@pytest.fixture
def database_url(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, migrated SQLite database for this test, also exported as VIGIE_DATABASE_URL."""
    url = f"sqlite:///{data_dir / 'vigie.db'}"
    migrate(url)
    monkeypatch.setenv("VIGIE_DATABASE_URL", url)
    return url


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    s = session_factory(database_url)()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("VIGIE_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("VIGIE_TEST_POSTGRES_URL is not set in CI")
        pytest.skip("VIGIE_TEST_POSTGRES_URL not set")
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("VIGIE_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("VIGIE_TEST_REDIS_URL is not set in CI")
        pytest.skip("VIGIE_TEST_REDIS_URL not set")
    return url
