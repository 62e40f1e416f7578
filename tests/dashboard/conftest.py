"""Dashboard fixtures: a seeded world (with ``<script>`` payloads when asked) and clients
signed in as each role through the real login form."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from tests.api.seed import PASSWORD, World, seed

BASE = "http://127.0.0.1"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


@pytest.fixture
def world(session: Session, data_dir: Path) -> World:
    return seed(session, data_dir, xss=True)


@pytest.fixture
def app(database_url: str, world: World) -> FastAPI:
    return create_app(database_url)


@pytest.fixture
def login(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        c = TestClient(app, base_url=BASE, headers={"Accept-Language": "en"})
        c.__enter__()
        clients.append(c)
        r = c.post("/login", data={"username": role, "password": PASSWORD, "csrf_token": csrf_of(c.get("/login").text)},
                   follow_redirects=False)
        assert r.status_code == 303, r.text
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)
