"""Fixtures for API tests: the app on the test database, a seeded world, and clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from tests.api.seed import World, seed

# Loopback base URL: the session cookie is sent without TLS only to loopback hosts.
BASE = "http://127.0.0.1"


@pytest.fixture
def world(session: Session, data_dir: Path) -> World:
    return seed(session, data_dir)


@pytest.fixture
def app(database_url: str, world: World) -> FastAPI:
    return create_app(database_url)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE) as c:
        yield c


def auth(world: World, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[role]}"}
