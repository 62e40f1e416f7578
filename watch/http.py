"""One HTTP client for every source: retries with backoff on 429/5xx and transport errors,
honouring the servers' own rate-limit headers, and an optional forward proxy so the offline
demo web (and a corporate proxy) work without code changes."""

from __future__ import annotations

import email.utils
import logging
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

log = logging.getLogger("vigie.watch.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "Vigie/0.1 (+https://github.com/vigie; brand-safety activist watch)"


class SourceError(Exception):
    """A source could not be read (after retries); recorded on the account, never fatal."""

    def __init__(self, message: str, *, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class AccountGone(SourceError):
    """The account does not exist or was deleted/suspended (404/410)."""


def proxy_from_env(proxy: str | None = None) -> str | None:
    """``--proxy`` wins over ``VIGIE_PROXY``; empty means a direct connection."""
    return proxy or os.environ.get("VIGIE_PROXY") or None


def retry_delay(headers: Mapping[str, str], attempt: int, *, base: float = 1.0, cap: float = 60.0,
                now: float | None = None) -> float:
    """Seconds to wait before the next attempt.

    ``Retry-After`` (seconds or an HTTP date), Mastodon's ``X-RateLimit-Reset`` (ISO 8601) and
    X's ``x-rate-limit-reset`` (epoch seconds) are honoured; otherwise exponential backoff.
    The result is capped so a misconfigured server cannot park the watcher for hours.
    """
    now = time.time() if now is None else now
    lower = {k.lower(): v for k, v in headers.items()}
    wait: float | None = None
    value = lower.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            wait = float(value)
        else:
            try:
                when = email.utils.parsedate_to_datetime(value)
                wait = when.timestamp() - now
            except (TypeError, ValueError):
                wait = None
    if wait is None:
        reset = lower.get("x-ratelimit-reset") or lower.get("x-rate-limit-reset")
        if reset:
            reset = reset.strip()
            try:
                if reset.replace(".", "", 1).isdigit():
                    wait = float(reset) - now
                else:
                    dt = datetime.fromisoformat(reset.replace("Z", "+00:00"))
                    if dt.tzinfo is None:
                        dt = dt.replace(tzinfo=UTC)
                    wait = dt.timestamp() - now
            except ValueError:
                wait = None
    if wait is None:
        wait = base * (2 ** attempt)
    return max(0.0, min(wait, cap))


class HttpClient:
    """``get_json``/``get_bytes`` with retries; 404/410 raise :class:`AccountGone`."""

    def __init__(self, *, proxy: str | None = None, timeout: float = 20.0, retries: int = 4,
                 backoff: float = 1.0, max_wait: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep,
                 headers: Mapping[str, str] | None = None) -> None:
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self._client = httpx.Client(proxy=proxy_from_env(proxy), timeout=timeout, follow_redirects=True,
                                    headers={"User-Agent": USER_AGENT, **(headers or {})})

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, url: str, *, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None) -> httpx.Response:
        last: str = ""
        for attempt in range(self.retries + 1):
            try:
                resp = self._client.get(url, params=params, headers=headers)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
                if attempt < self.retries:
                    self.sleep(min(self.backoff * (2 ** attempt), self.max_wait))
                    continue
                raise SourceError(f"GET {url}: {last}") from exc
            if resp.status_code in RETRY_STATUSES and attempt < self.retries:
                wait = retry_delay(resp.headers, attempt, base=self.backoff, cap=self.max_wait)
                log.info("GET %s -> %s, retrying in %.1fs", url, resp.status_code, wait)
                self.sleep(wait)
                continue
            if resp.status_code in (404, 410):
                raise AccountGone(f"GET {url}: HTTP {resp.status_code}", status=resp.status_code,
                                  body=resp.text[:500])
            if resp.status_code >= 400:
                raise SourceError(f"GET {url}: HTTP {resp.status_code} {resp.text[:200]!r}",
                                  status=resp.status_code, body=resp.text[:2000])
            return resp
        raise SourceError(f"GET {url}: gave up after {self.retries + 1} attempts ({last})")

    def get_json(self, url: str, *, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> Any:
        resp = self.request(url, params=params, headers=headers)
        try:
            return resp.json()
        except ValueError as exc:
            raise SourceError(f"GET {url}: not JSON ({exc})") from exc

    def get_bytes(self, url: str) -> tuple[bytes, str]:
        resp = self.request(url)
        return resp.content, resp.headers.get("content-type", "")
