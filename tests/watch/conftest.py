"""Watch test fixtures: the fake social APIs and a database that also has tables newer than the
shared migration (until the lead regenerates it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from store.db import session_factory
from tests.watch.fakesocial import FakeSocial


@pytest.fixture
def watch_db(database_url: str) -> str:
    return database_url


@pytest.fixture
def wsession(watch_db: str) -> Iterator[Session]:
    s = session_factory(watch_db)()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def fake() -> Iterator[FakeSocial]:
    with FakeSocial() as f:
        yield f
