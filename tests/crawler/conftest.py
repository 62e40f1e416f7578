"""Crawler fixtures: the adblock engines are built once per test session (EasyList takes time)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.filterlists import AdEngine, load_list


@pytest.fixture(scope="session")
def own_engine() -> AdEngine:
    return AdEngine([load_list("vigie")])


@pytest.fixture(scope="session")
def easylist_engine(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> AdEngine:
    """EasyList + EasyPrivacy from ../shared/data, cached serialized like a real crawl does."""
    cache = tmp_path_factory.mktemp("engines")
    return AdEngine([load_list(str(shared_data / "easylist.txt.gz")),
                     load_list(str(shared_data / "easyprivacy.txt.gz"))], cache)
