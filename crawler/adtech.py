"""Which ad network / exchange serves an ad, read from the host names the ad touches.

The table (``crawler/data/adtech.yaml``) maps a registrable domain or a longer host suffix to a
network name; the first names are the shared vocabulary the demo's ground truth uses."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

from vigie.domains import host_of

TABLE_PATH = Path(__file__).parent / "data" / "adtech.yaml"


@lru_cache(maxsize=1)
def adtech_table() -> dict[str, str]:
    """host suffix -> network name."""
    raw = yaml.safe_load(TABLE_PATH.read_text(encoding="utf-8")) or {}
    table: dict[str, str] = {}
    for network, domains in raw.items():
        for domain in domains or []:
            table[str(domain).lower().strip(".")] = str(network)
    return table


@lru_cache(maxsize=65536)
def network_for_host(host: str) -> str | None:
    """The network owning ``host`` (longest suffix wins), else None."""
    host = host.lower().rstrip(".")
    table = adtech_table()
    parts = host.split(".")
    for i in range(len(parts) - 1):
        name = table.get(".".join(parts[i:]))
        if name:
            return name
    return None


def network_for_url(url: str | None) -> str | None:
    if not url or not url.startswith(("http://", "https://", "//")):
        return None
    return network_for_host(host_of(url if not url.startswith("//") else "http:" + url))


def is_adtech_url(url: str | None) -> bool:
    return network_for_url(url) is not None


def first_network(urls: Iterable[str | None]) -> str | None:
    """The network of the first URL that belongs to one (callers order URLs by evidence)."""
    for url in urls:
        name = network_for_url(url)
        if name:
            return name
    return None
