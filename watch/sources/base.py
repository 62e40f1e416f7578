"""What every source returns, and the ``SOURCE:WHO`` account spec parser."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html

from vigie.errors import UserError
from watch.http import HttpClient

log = logging.getLogger("vigie.watch.sources")

SOURCES = ("mastodon", "bluesky", "x", "rss")


@dataclass
class RawPost:
    """A post as the network gave it, before understanding. ``mentions`` are handles as the
    network writes them (Mastodon ``user@host``, Bluesky ``name.bsky.social``, X ``username``)."""

    source: str
    external_id: str
    author: str
    created_at: datetime
    text: str
    url: str | None = None
    lang: str | None = None
    is_repost: bool = False
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    media: list[dict[str, Any]] = field(default_factory=list)
    replies: int = 0
    reposts: int = 0
    likes: int = 0
    reach: int = 0
    in_reply_to: str | None = None
    in_reply_to_author: str | None = None

    @property
    def engagement(self) -> int:
        return self.replies + self.reposts + self.likes


@dataclass
class Profile:
    external_id: str | None = None
    display_name: str | None = None
    followers: int = 0


@dataclass
class PollResult:
    posts: list[RawPost]
    state: dict[str, Any]
    profile: Profile
    skipped: int = 0
    complete: bool = True


class Source:
    """Base class; subclasses implement :meth:`poll`."""

    name = ""

    def __init__(self, http: HttpClient, *, max_pages: int = 10) -> None:
        self.http = http
        self.max_pages = max_pages

    def poll(self, handle: str, base_url: str | None, state: dict[str, Any]) -> PollResult:
        raise NotImplementedError


@dataclass
class Spec:
    source: str
    handle: str
    base_url: str | None


_MASTO_URL = re.compile(r"^(https?://[^/]+)/@([^/@\s]+)(?:@([^/\s]+))?/?$")


def parse_spec(spec: str) -> Spec:
    """``mastodon:https://mstdn.social/@name`` (or ``mastodon:name@host``), ``bluesky:HANDLE``,
    ``x:USERNAME``, ``rss:URL``."""
    kind, sep, rest = spec.strip().partition(":")
    kind, rest = kind.lower().strip(), rest.strip()
    if not sep or not rest:
        raise UserError(f"activist spec {spec!r}: expected SOURCE:WHO, e.g. bluesky:name.bsky.social")
    if kind == "mastodon":
        m = _MASTO_URL.match(rest)
        if m:
            base, user, host = m.groups()
            if host and host != urlsplit(base).hostname:
                base = f"{urlsplit(base).scheme}://{host}"
            return Spec("mastodon", f"{user}@{urlsplit(base).hostname}".lower(), base)
        user, _, host = rest.lstrip("@").partition("@")
        if not user or not host:
            raise UserError(f"activist spec {spec!r}: expected mastodon:https://HOST/@USER or mastodon:USER@HOST")
        return Spec("mastodon", f"{user}@{host}".lower(), f"https://{host}")
    if kind in ("bluesky", "bsky"):
        return Spec("bluesky", rest.lstrip("@").lower(), None)
    if kind in ("x", "twitter"):
        handle = rest.lstrip("@")
        if "/" in handle:
            handle = handle.rstrip("/").rsplit("/", 1)[-1]
        return Spec("x", handle, None)
    if kind == "rss":
        if not rest.startswith(("http://", "https://")):
            raise UserError(f"activist spec {spec!r}: rss needs an http(s) URL")
        return Spec("rss", rest, None)
    raise UserError(f"activist spec {spec!r}: unknown source {kind!r} (expected one of {', '.join(SOURCES)})")


def parse_time(value: Any) -> datetime:
    """ISO 8601 (``Z`` accepted) -> aware UTC datetime; ValueError when absent or invalid."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"bad timestamp {value!r}")
    dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def html_to_text(markup: str) -> tuple[str, list[str]]:
    """Visible text of a post's HTML (paragraphs and ``<br>`` kept as line breaks) and the
    hrefs of its plain links (mention and hashtag links left out)."""
    if not markup or not markup.strip():
        return "", []
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (ValueError, lxml_html.etree.ParserError):
        return markup, []
    links: list[str] = []
    for a in root.iter("a"):
        classes = (a.get("class") or "").split()
        rel = (a.get("rel") or "").split()
        href = a.get("href") or ""
        if "mention" in classes or "hashtag" in classes or "tag" in rel:
            continue
        if href.startswith(("http://", "https://")):
            links.append(href)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for p in root.iter("p"):
        p.tail = "\n\n" + (p.tail or "")
    text = root.text_content()
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, links
