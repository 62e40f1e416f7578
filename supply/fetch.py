"""How ads.txt and sellers.json are fetched, as pure decisions (ads.txt 1.1 sections 3.1, 3.2, 3.6).

The spider does the I/O; this module says which URLs to try, whether a redirect may be followed,
what a response means and until when it stays fresh, so the rules are tested without a network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from supply.adstxt import is_domain
from vigie.domains import host_of, registrable_domain

KINDS = ("ads.txt", "app-ads.txt")
DEFAULT_TTL = timedelta(days=7)  # spec 3.6: no cache-control directive -> 7 days
ADSTXT_MAX_BYTES = 10 * 1024 * 1024
SELLERS_MAX_BYTES = 512 * 1024 * 1024
MAX_REDIRECTS = 10
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?", re.I)


def adstxt_urls(domain: str, kind: str = "ads.txt", exact: bool = False) -> list[str]:
    """The URLs to try for a site, HTTPS first (spec 3.1 prefers HTTPS data). The root domain
    is used, except for a SUBDOMAIN referral (``exact``), exempt from truncation (spec 3.5.1)."""
    root = domain.lower() if exact else (registrable_domain(domain) or domain.lower())
    return [f"https://{root}/{kind}", f"http://{root}/{kind}"]


def referrals(domain: str, kind: str, subdomains: list[str], partners: list[str]) -> list[tuple[str, str, bool]]:
    """Files a root file points to, as (domain, kind, exact): SUBDOMAIN only from an ads.txt and
    only below the root (spec 3.5.1, 5.5); INVENTORYPARTNERDOMAIN to the partner's ads.txt
    (never app-ads.txt, spec 3.5.1), one hop only (the caller does not follow referred files)."""
    root = domain.lower()
    out: list[tuple[str, str, bool]] = []
    if kind == "ads.txt":
        for sub in subdomains:
            sub = sub.lower().rstrip(".")
            if sub.endswith("." + root) and is_domain(sub):
                out.append((sub, "ads.txt", True))
    for partner in partners:
        partner = partner.lower().rstrip(".")
        if is_domain(partner) and partner != root:
            out.append((registrable_domain(partner) or partner, "ads.txt", False))
    return list(dict.fromkeys(out))


def sellers_url(ad_system: str, scheme: str = "https") -> str:
    return f"{scheme}://{ad_system.lower()}/sellers.json"


@dataclass
class RedirectState:
    """The redirects followed so far for one ads.txt URL."""

    origin_root: str
    hops: list[str] = field(default_factory=list)
    left_root: bool = False


def start_redirects(url: str) -> RedirectState:
    host = host_of(url)
    return RedirectState(origin_root=registrable_domain(host) or host)


def follow_redirect(state: RedirectState, current_url: str, location: str) -> tuple[str | None, str]:
    """Spec 3.1: any number of redirects inside the original root domain; one single hop
    outside it (delegation to a third party); a redirect from the third party is an error.
    Returns (next URL or None, reason)."""
    if not location:
        return None, "redirect without a Location header"
    target = urljoin(current_url, location.strip())
    if urlsplit(target).scheme not in ("http", "https"):
        return None, f"redirect to a non-HTTP URL {target!r}"
    if len(state.hops) >= MAX_REDIRECTS:
        return None, f"more than {MAX_REDIRECTS} redirects"
    if state.left_root:
        return None, "the third party the file was delegated to redirects again (spec 3.1: error)"
    host = host_of(target)
    inside = (registrable_domain(host) or host) == state.origin_root
    if not inside:
        state.left_root = True
    state.hops.append(target)
    return target, "inside the root domain" if inside else "one-hop delegation outside the root domain"


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header value by case-insensitive name."""
    lname = name.lower()
    for key, value in headers.items():
        if key.lower() == lname:
            return value
    return None


def is_text_plain(content_type: str | None) -> bool:
    """Spec 3.2: the Content-Type must be text/plain (parameters such as charset allowed)."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == "text/plain"


def expires_at(headers: Mapping[str, str], now: datetime | None = None) -> datetime:
    """When a fetched file must be re-checked (spec 3.6): Cache-Control max-age wins over
    Expires (RFC 9111); no-store / no-cache mean now; nothing -> 7 days."""
    now = now or datetime.now(UTC)
    cache_control = header(headers, "Cache-Control") or ""
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return now
    match = _MAX_AGE.search(cache_control)
    if match:
        return now + timedelta(seconds=min(int(match.group(1)), 365 * 86400))
    expires = header(headers, "Expires")
    if expires:
        try:
            when = parsedate_to_datetime(expires.strip())
        except (TypeError, ValueError, IndexError):
            return now  # RFC 9111: an invalid Expires means already expired
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(when, now)
    return now + DEFAULT_TTL


@dataclass
class Outcome:
    """What one fetch means. ``status``: ok (parse ``body``), absent (404: nothing declared),
    restricted (401), error (keep the last good data, spec 3.1)."""

    status: str
    url: str
    http_status: int | None
    body: bytes = b""
    reason: str = ""
    expires_at: datetime | None = None
    redirects: list[str] = field(default_factory=list)


def interpret_adstxt(
    url: str,
    http_status: int | None,
    headers: Mapping[str, str],
    body: bytes,
    redirects: list[str] | None = None,
    now: datetime | None = None,
    max_bytes: int = ADSTXT_MAX_BYTES,
) -> Outcome:
    """Turn a final (non-redirect) response into an :class:`Outcome`."""
    now = now or datetime.now(UTC)
    hops = list(redirects or [])
    if http_status is None:
        return Outcome("error", url, None, reason="no response", redirects=hops)
    if http_status == 404:
        return Outcome("absent", url, 404, reason="404: no declarations",
                       expires_at=expires_at(headers, now), redirects=hops)
    if http_status == 401:
        return Outcome("restricted", url, 401, reason="401: restricted, contact the site", redirects=hops)
    if not 200 <= http_status < 300:
        return Outcome("error", url, http_status, reason=f"HTTP {http_status}", redirects=hops)
    content_type = header(headers, "Content-Type")
    if not is_text_plain(content_type):
        return Outcome("error", url, http_status, redirects=hops,
                       reason=f"Content-Type {content_type or 'missing'!s} is not text/plain (spec 3.2)")
    if len(body) > max_bytes:
        return Outcome("error", url, http_status, redirects=hops,
                       reason=f"larger than {max_bytes} bytes")
    return Outcome("ok", url, http_status, body=body, expires_at=expires_at(headers, now), redirects=hops)


def better(first: Outcome | None, second: Outcome) -> Outcome:
    """HTTPS is tried first; its answer stands unless it gave nothing usable (spec 3.1)."""
    if first is None:
        return second
    rank = {"ok": 0, "absent": 1, "restricted": 2, "error": 3}
    if rank[first.status] == rank[second.status] and first.http_status is None:
        return second  # two failures: keep the one where a server answered, it says more
    return first if rank[first.status] <= rank[second.status] else second


def interpret_sellers(
    url: str,
    http_status: int | None,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime | None = None,
    max_bytes: int = SELLERS_MAX_BYTES,
) -> Outcome:
    """A sellers.json response: 2xx is read whatever its Content-Type (many exchanges send
    text/plain or octet-stream), 404 means the exchange publishes none."""
    now = now or datetime.now(UTC)
    if http_status is None:
        return Outcome("error", url, None, reason="no response")
    if http_status == 404:
        return Outcome("absent", url, 404, reason="404: no sellers.json", expires_at=expires_at(headers, now))
    if not 200 <= http_status < 300:
        return Outcome("error", url, http_status, reason=f"HTTP {http_status}")
    if len(body) > max_bytes:
        return Outcome("error", url, http_status, reason=f"larger than {max_bytes} bytes")
    return Outcome("ok", url, http_status, body=body, expires_at=expires_at(headers, now))
