"""Score pasted text or a URL with the rules engine (``rules.engine``) for the Rules page and
``POST /api/v1/rules/score``. A URL already crawled is scored from the stored text; otherwise
it is fetched once (http/https only, public addresses only, 2 MB cap) so the API cannot be used
to reach internal services."""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Page

MAX_FETCH = 2_000_000
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)


def _public_host(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_multicast:
            return False
    return True


def fetch_text(url: str) -> tuple[str, str]:
    """(title, visible text) of a public http(s) page; 422 with the reason when it cannot be."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise HTTPException(422, "url must be an http:// or https:// address")
    import os

    proxied = bool(os.environ.get("HTTP_PROXY") or os.environ.get("http_proxy"))
    if not proxied and not _public_host(parts.hostname):
        raise HTTPException(422, f"{parts.hostname} is not a public address; only public pages are fetched")
    try:
        with httpx.Client(timeout=10, follow_redirects=False) as client, client.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise HTTPException(422, f"{url} answered HTTP {resp.status_code}")
            body = b""
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) > MAX_FETCH:
                    break
    except httpx.HTTPError as exc:
        raise HTTPException(422, f"could not fetch {url}: {exc.__class__.__name__}") from exc
    html = body.decode("utf-8", "replace")
    m = _TITLE.search(html)
    title = _TAGS.sub(" ", m.group(1)).strip() if m else ""
    return title, re.sub(r"\s+", " ", _TAGS.sub(" ", html))


def score(db: Session, *, text: str | None, url: str | None, title: str | None = None) -> dict[str, Any]:
    """{worst_tier, categories: [{category, tier, score, evidence}], source}."""
    try:
        from rules.engine import PageFacts, default_engine
    except ImportError as exc:  # the rules area ships it; say so rather than fail obscurely
        raise HTTPException(503, "the rules engine is not available in this installation") from exc
    if bool(text) == bool(url):
        raise HTTPException(422, "give exactly one of 'text' or 'url'")
    source = "text"
    lang = None
    if url:
        page = db.scalar(select(Page).where(Page.url == url))
        if page is not None and page.text:
            title, text, lang, source = page.title or "", page.text, page.lang, "stored page"
        else:
            title, text = fetch_text(url)
            source = "fetched"
    facts = PageFacts(url=url or "", title=title or "", text=text or "", lang=lang)
    verdict = default_engine().score_page(facts)
    cats = sorted(verdict.categories.values(), key=lambda cv: (-cv.score, cv.category))
    return {"worst_tier": verdict.worst_tier, "source": source,
            "categories": [{"category": cv.category, "tier": cv.tier, "score": round(cv.score, 3),
                            "evidence": [e.to_dict() for e in cv.evidence]} for cv in cats]}
