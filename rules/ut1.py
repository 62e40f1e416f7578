"""UT1 (Université Toulouse Capitole) category lists: entry parsing and lookup keys. Pure.

Each list is one domain per line (``<category>/domains``), or ``host/path`` URL prefixes
(``<category>/urls``). Which GARM category a UT1 category means is decided by the rule packs
(``rules/packs/20_lists_sites.yaml``); ``GARM_MAPPING`` documents the shipped choice."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from vigie.domains import registrable_domain

GARM_MAPPING: dict[str, str] = {
    "adult": "adult (floor)", "adult_urls": "adult (floor)", "mixed_adult": "adult (high)",
    "agressif": "hate_speech (high)", "drogue": "drugs_alcohol_tobacco (high)", "hacking": "crime (medium)",
    "dangerous_material": "arms (high)", "warez": "piracy (floor)",
    "malware": "spam_harmful (floor)", "phishing": "spam_harmful (floor)", "cryptojacking": "spam_harmful (floor)",
    "fakenews": "misinformation (high)", "sect": "debated_social_issues (medium)",
    "gambling": "spam_harmful (low) + gambling signal", "press": "news context (lowers tiers)",
}

_CAT_RE = re.compile(r"^[a-z0-9_-]{1,64}$")
_HOST_RE = re.compile(r"^[a-z0-9_.-]+$")


def category_from_name(name: str) -> str | None:
    """``agressif.txt.gz`` / ``agressif`` -> ``agressif``; ``adult/urls`` -> ``adult_urls``."""
    base = name.strip().lower().split("/")[-1]
    for suffix in (".gz", ".txt", ".lst"):
        base = base.removesuffix(suffix)
    return base if _CAT_RE.match(base) else None


def parse_entries(lines: Iterable[str]) -> Iterator[str]:
    """Normalised entries: lower-case, no scheme, no ``www.``, comments and junk skipped."""
    for raw in lines:
        line = raw.strip().lower()
        if not line or line.startswith("#"):
            continue
        if "://" in line:
            parts = urlsplit(line)
            line = (parts.hostname or "") + parts.path
        line = line.removeprefix("www.").rstrip("/")
        host, _, path = line.partition("/")
        if not host or not _HOST_RE.match(host) or len(line) > 512:
            continue
        yield f"{host}/{path}" if path else host


def lookup_keys(url_or_host: str) -> list[str]:
    """Entries that would cover a page: its host, each parent domain down to the registrable
    domain (UT1 lists registrable domains and subdomains)."""
    host = url_or_host
    if "/" in url_or_host or ":" in url_or_host:
        host = urlsplit(url_or_host if "://" in url_or_host else "http://" + url_or_host).hostname or ""
    host = host.lower().rstrip(".").removeprefix("www.")
    if not host:
        return []
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    reg = registrable_domain(host) or host
    keys = []
    labels = host.split(".")
    for i in range(len(labels)):
        cand = ".".join(labels[i:])
        keys.append(cand)
        if cand == reg:
            break
    return keys


def url_prefix_matches(url: str, entry: str) -> bool:
    """Does a ``host/path`` entry cover this URL (same host, path prefix on a segment)?"""
    parts = urlsplit(url if "://" in url else "http://" + url)
    here = (parts.hostname or "").removeprefix("www.") + parts.path
    return here == entry or here.startswith(entry.rstrip("/") + "/") or here.startswith(entry + "?")
