"""RSS/Atom feeds: fetched with the shared client (proxy, retries), parsed from bytes by
feedparser. New entries are those whose id was not seen before (the last ids are kept)."""

from __future__ import annotations

import calendar
import logging
from datetime import UTC, datetime
from typing import Any

import feedparser

from watch.http import SourceError
from watch.sources.base import PollResult, Profile, RawPost, Source, html_to_text

log = logging.getLogger("vigie.watch.rss")
SEEN_KEEP = 1000


def _when(entry: Any) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    raise ValueError("entry has no date")


def parse_entry(entry: Any, feed_title: str, feed_url: str) -> RawPost:
    eid = str(entry.get("id") or entry.get("link") or "")
    if not eid:
        raise ValueError("entry has neither id nor link")
    markup = ""
    if entry.get("content"):
        markup = str(entry["content"][0].get("value") or "")
    markup = markup or str(entry.get("summary") or "")
    text, links = html_to_text(markup)
    title = str(entry.get("title") or "")
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}".strip()
    media: list[dict[str, Any]] = []
    for enc in list(entry.get("enclosures") or []) + list(entry.get("media_content") or []):
        url = enc.get("href") or enc.get("url")
        if url and str(enc.get("type") or "image").startswith("image"):
            media.append({"url": url, "type": "image", "alt": None})
    hashtags = [str(t.get("term")) for t in entry.get("tags") or [] if t.get("term")]
    return RawPost(source="rss", external_id=f"{feed_url}#{eid}", author=str(entry.get("author") or feed_title),
                   created_at=_when(entry), text=text, url=entry.get("link"),
                   lang=(entry.get("language") or None), links=links, media=media, hashtags=hashtags)


class RssSource(Source):
    name = "rss"

    def poll(self, handle: str, base_url: str | None, state: dict[str, Any]) -> PollResult:
        state = dict(state)
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = str(state["etag"])
        if state.get("modified"):
            headers["If-Modified-Since"] = str(state["modified"])
        resp = self.http.request(handle, headers=headers)
        if resp.status_code == 304:
            return PollResult(posts=[], state=state, profile=Profile(display_name=state.get("title")))
        parsed = feedparser.parse(resp.content, response_headers={k.lower(): v for k, v in resp.headers.items()})
        if parsed.get("bozo") and not parsed.entries:
            raise SourceError(f"{handle}: not an RSS/Atom feed ({parsed.get('bozo_exception')})")
        title = str(parsed.feed.get("title") or handle)
        lang = parsed.feed.get("language")
        seen = list(state.get("seen") or [])
        seen_set = set(seen)
        posts: list[RawPost] = []
        skipped = 0
        for entry in parsed.entries:
            try:
                post = parse_entry(entry, title, handle)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                skipped += 1
                log.warning("%s: skipped a malformed entry (%s)", handle, exc)
                continue
            if post.external_id in seen_set:
                continue
            post.lang = post.lang or (str(lang)[:2] if lang else None)
            posts.append(post)
        state["seen"] = list(dict.fromkeys([p.external_id for p in posts] + seen))[:SEEN_KEEP]
        state["etag"] = resp.headers.get("etag")
        state["modified"] = resp.headers.get("last-modified")
        state["title"] = title
        return PollResult(posts=posts, state=state, profile=Profile(display_name=title))
