"""One demo world and one running proxy per test session: building is cheap but serving is
shared so the suite stays fast."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from demo.server import DemoWeb
from demo.world import World, build_world


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(7)


@pytest.fixture(scope="session")
def demo_web(world: World) -> Iterator[DemoWeb]:
    with DemoWeb(world) as web:
        yield web


@pytest.fixture
def client(demo_web: DemoWeb) -> Iterator[httpx.Client]:
    with httpx.Client(proxy=demo_web.proxy_url, timeout=10, follow_redirects=False) as c:
        yield c
