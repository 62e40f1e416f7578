"""Bluesky through a public AppView: ``app.bsky.actor.getProfile`` then
``app.bsky.feed.getAuthorFeed`` (newest first, ``cursor`` for older pages). Facet offsets are
UTF-8 byte offsets into the post text, so mentions are cut from the encoded bytes."""

from __future__ import annotations

import logging
import os
from typing import Any

from watch.http import AccountGone, SourceError
from watch.sources.base import PollResult, Profile, RawPost, Source, parse_time

log = logging.getLogger("vigie.watch.bluesky")

DEFAULT_APPVIEW = "https://public.api.bsky.app"
GONE_ERRORS = ("AccountTakedown", "AccountDeactivated", "ActorNotFound", "NotFound", "not found",
               "Profile not found", "BlockedActor")
SEEN_KEEP = 300


def appview_url(base_url: str | None = None) -> str:
    return (base_url or os.environ.get("VIGIE_BSKY_APPVIEW") or DEFAULT_APPVIEW).rstrip("/")


def byte_slice(text: str, start: int, end: int) -> str:
    """The characters between two UTF-8 byte offsets (facets index bytes, not code points)."""
    data = text.encode("utf-8")
    return data[max(0, start):max(0, end)].decode("utf-8", errors="ignore")


def post_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rstrip('/').rsplit('/', 1)[-1]}"


def _images(embed: Any) -> list[dict[str, Any]]:
    """Image views of an embed, looking inside recordWithMedia too."""
    if not isinstance(embed, dict):
        return []
    kind = str(embed.get("$type") or "")
    if kind.startswith("app.bsky.embed.images"):
        return [{"url": i.get("fullsize") or i.get("thumb"), "preview_url": i.get("thumb"), "type": "image",
                 "alt": i.get("alt")} for i in embed.get("images") or [] if isinstance(i, dict)]
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return _images(embed.get("media"))
    if kind.startswith("app.bsky.embed.video"):
        return [{"url": embed.get("thumbnail"), "preview_url": embed.get("thumbnail"), "type": "video",
                 "alt": embed.get("alt")}]
    return []


def _external(embed: Any) -> list[str]:
    if not isinstance(embed, dict):
        return []
    kind = str(embed.get("$type") or "")
    if kind.startswith("app.bsky.embed.external") and isinstance(embed.get("external"), dict):
        uri = embed["external"].get("uri")
        return [str(uri)] if uri else []
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return _external(embed.get("media"))
    return []


def parse_feed_item(item: dict[str, Any], followers: int) -> RawPost:
    """One FeedViewPost -> RawPost (KeyError/ValueError/TypeError when malformed)."""
    post = item["post"]
    record = post["record"]
    author = post["author"]
    text = str(record.get("text") or "")
    uri = str(post["uri"])
    mentions: list[str] = []
    links: list[str] = []
    hashtags: list[str] = []
    for facet in record.get("facets") or []:
        index = facet.get("index") or {}
        start, end = int(index.get("byteStart", 0)), int(index.get("byteEnd", 0))
        for feature in facet.get("features") or []:
            kind = str(feature.get("$type") or "")
            if kind.endswith("#mention"):
                handle = byte_slice(text, start, end).strip().lstrip("@").lower()
                mentions.append(handle or str(feature.get("did")))
            elif kind.endswith("#link") and feature.get("uri"):
                links.append(str(feature["uri"]))
            elif kind.endswith("#tag") and feature.get("tag"):
                hashtags.append(str(feature["tag"]).lstrip("#"))
    embed = post.get("embed")
    for link in _external(embed):
        if link not in links:
            links.append(link)
    reason = item.get("reason") or {}
    is_repost = str(reason.get("$type") or "").endswith("#reasonRepost")
    if is_repost:
        by = reason["by"]
        external_id = f"repost:{by.get('did') or by['handle']}:{uri}"
        who = str(by["handle"]).lower()
        created = parse_time(reason.get("indexedAt") or post.get("indexedAt"))
    else:
        external_id = uri
        who = str(author["handle"]).lower()
        created = parse_time(record["createdAt"])
    reply = record.get("reply") or {}
    parent = (item.get("reply") or {}).get("parent") or {}
    langs = record.get("langs") or []
    return RawPost(
        source="bluesky", external_id=external_id, author=who, created_at=created, text=text,
        url=post_url(str(author["handle"]), uri), lang=(str(langs[0]) if langs else None),
        is_repost=is_repost, mentions=list(dict.fromkeys(mentions)), hashtags=list(dict.fromkeys(hashtags)),
        links=list(dict.fromkeys(links)), media=[m for m in _images(embed) if m.get("url")],
        replies=int(post.get("replyCount") or 0),
        reposts=int(post.get("repostCount") or 0) + int(post.get("quoteCount") or 0),
        likes=int(post.get("likeCount") or 0), reach=followers,
        in_reply_to=(reply.get("parent") or {}).get("uri"),
        in_reply_to_author=(str((parent.get("author") or {}).get("handle") or "").lower() or None))


def _sort_at(item: dict[str, Any]) -> str:
    reason = item.get("reason") or {}
    if not reason.get("indexedAt"):
        post = item.get("post") or {}
        raw = post.get("indexedAt") or (post.get("record") or {}).get("createdAt")
        if not raw:
            return ""
        return parse_time(raw).isoformat()
    return parse_time(reason["indexedAt"]).isoformat()


class BlueskySource(Source):
    name = "bluesky"
    page_size = 50

    def poll(self, handle: str, base_url: str | None, state: dict[str, Any]) -> PollResult:
        base = appview_url(base_url)
        state = dict(state)
        try:
            prof = self.http.get_json(f"{base}/xrpc/app.bsky.actor.getProfile", params={"actor": handle})
        except SourceError as exc:
            if exc.status == 400 and any(g in exc.body for g in GONE_ERRORS):
                raise AccountGone(f"{handle}: {exc.body[:200]}", status=400, body=exc.body) from exc
            raise
        if not isinstance(prof, dict) or not prof.get("did"):
            raise AccountGone(f"{handle}: getProfile returned no account")
        profile = Profile(external_id=str(prof["did"]), display_name=prof.get("displayName"),
                          followers=int(prof.get("followersCount") or 0))
        since = state.get("since")
        seen = list(state.get("seen") or [])
        seen_set = set(seen)
        posts: list[RawPost] = []
        skipped = 0
        newest = since
        cursor: str | None = None
        complete = False
        for _ in range(self.max_pages):
            params: dict[str, Any] = {"actor": profile.external_id, "limit": self.page_size}
            if cursor:
                params["cursor"] = cursor
            page = self.http.get_json(f"{base}/xrpc/app.bsky.feed.getAuthorFeed", params=params)
            feed = page.get("feed") if isinstance(page, dict) else None
            if not isinstance(feed, list) or not feed:
                complete = True
                break
            reached = False
            for item in feed:
                try:
                    pinned = str((item.get("reason") or {}).get("$type") or "").endswith("#reasonPin")
                    at = _sort_at(item)
                    if since and at and at < since and not pinned:
                        reached = True
                        continue
                    post = parse_feed_item(item, profile.followers)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    skipped += 1
                    log.warning("%s: skipped a malformed feed item (%s: %s)", handle, type(exc).__name__, exc)
                    continue
                if post.external_id in seen_set:
                    continue
                posts.append(post)
                if not pinned and at and (newest is None or at > newest):
                    newest = at
            cursor = page.get("cursor")
            if reached or not cursor:
                complete = True
                break
        if complete or not since:
            if newest:
                state["since"] = newest
            seen = [p.external_id for p in posts] + seen
            state["seen"] = list(dict.fromkeys(seen))[:SEEN_KEEP]
        state["did"] = profile.external_id
        return PollResult(posts=posts, state=state, profile=profile, skipped=skipped, complete=complete)
