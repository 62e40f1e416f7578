"""Domain names: registrable domain (eTLD+1) with the public suffix list snapshot bundled in
tldextract, so nothing is downloaded at run time."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


def host_of(url: str) -> str:
    """The lower-cased host of a URL, or of a bare domain written without a scheme."""
    if "://" not in url:
        url = "http://" + url.lstrip("/")
    return (urlsplit(url.strip()).hostname or "").rstrip(".").lower()


@lru_cache(maxsize=65536)
def registrable_domain(url_or_host: str) -> str | None:
    """``https://www.news.example.co.uk/x`` -> ``example.co.uk``; None when there is none."""
    host = host_of(url_or_host) if ("/" in url_or_host or ":" in url_or_host) else url_or_host.lower()
    host = host.strip().rstrip(".")
    if not host:
        return None
    ext = _EXTRACT(host)
    if not ext.suffix or not ext.domain:
        return None
    return f"{ext.domain}.{ext.suffix}"


def normalise_domain(value: str) -> str:
    """A user-typed domain (maybe a URL, maybe ``www.``) -> its host; ValueError when invalid."""
    host = host_of(value)
    if host.startswith("www."):
        host = host[4:]
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"not a domain name: {value!r}") from exc
    if not _DOMAIN_RE.match(host):
        raise ValueError(f"not a domain name: {value!r}")
    return host
