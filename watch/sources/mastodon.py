"""Mastodon: ``/api/v1/accounts/lookup`` then ``/api/v1/accounts/:id/statuses``, newest first,
paged by the ``Link`` header (``rel="next"`` = older) and bounded by ``since_id``."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from watch.http import AccountGone
from watch.sources.base import PollResult, Profile, RawPost, Source, html_to_text, parse_time

log = logging.getLogger("vigie.watch.mastodon")


def id_key(value: str) -> tuple[int, str]:
    """Mastodon ids are snowflake-like numeric strings: order by length, then text."""
    return (len(value), value)


def full_acct(acct: str, host: str) -> str:
    acct = acct.lstrip("@").lower()
    return acct if "@" in acct else f"{acct}@{host}"


def parse_status(status: dict[str, Any], host: str, followers: int) -> RawPost:
    """One status JSON -> RawPost (KeyError/ValueError/TypeError when malformed)."""
    sid = str(status["id"])
    account = status["account"]
    author = full_acct(str(account["acct"]), host)
    inner = status.get("reblog") or status
    is_repost = status.get("reblog") is not None
    text, links = html_to_text(str(inner.get("content") or ""))
    if inner.get("spoiler_text"):
        text = f"{inner['spoiler_text']}\n\n{text}".strip()
    card = inner.get("card") or {}
    if isinstance(card, dict) and card.get("url") and card["url"] not in links:
        links.append(str(card["url"]))
    mentions = [full_acct(str(m["acct"]), host) for m in inner.get("mentions") or []]
    by_id = {str(m.get("id")): full_acct(str(m["acct"]), host) for m in inner.get("mentions") or []}
    reply_to_account = inner.get("in_reply_to_account_id")
    reply_author = None
    if reply_to_account is not None:
        reply_author = by_id.get(str(reply_to_account))
        if reply_author is None and str(reply_to_account) == str(account.get("id")):
            reply_author = author
    media = [{"url": m.get("url") or m.get("remote_url"), "preview_url": m.get("preview_url"),
              "type": m.get("type") or "unknown", "alt": m.get("description")}
             for m in inner.get("media_attachments") or [] if isinstance(m, dict)]
    return RawPost(
        source="mastodon", external_id=sid, author=author, created_at=parse_time(status["created_at"]),
        text=text, url=status.get("url") or status.get("uri"), lang=inner.get("language"),
        is_repost=is_repost, mentions=mentions,
        hashtags=[str(t["name"]) for t in inner.get("tags") or []], links=links,
        media=[m for m in media if m["url"]],
        replies=int(inner.get("replies_count") or 0), reposts=int(inner.get("reblogs_count") or 0),
        likes=int(inner.get("favourites_count") or 0),
        reach=int(account.get("followers_count") or followers or 0),
        in_reply_to=str(inner["in_reply_to_id"]) if inner.get("in_reply_to_id") else None,
        in_reply_to_author=reply_author)


def _with_since(url: str, since: str | None) -> str:
    """The Link header's next page keeps our ``since_id`` bound (servers may drop it)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if since and not any(k == "since_id" for k, _ in query):
        query.append(("since_id", str(since)))
    return urlunsplit(parts._replace(query=urlencode(query)))


class MastodonSource(Source):
    name = "mastodon"
    page_size = 40

    def poll(self, handle: str, base_url: str | None, state: dict[str, Any]) -> PollResult:
        user, _, host = handle.partition("@")
        base = (base_url or f"https://{host}").rstrip("/")
        host = host or (urlsplit(base).hostname or "")
        state = dict(state)
        account = self.http.get_json(f"{base}/api/v1/accounts/lookup", params={"acct": user})
        if not isinstance(account, dict) or "id" not in account:
            raise AccountGone(f"{handle}: lookup returned no account")
        if account.get("suspended") or account.get("moved"):
            raise AccountGone(f"{handle}: account suspended or moved")
        profile = Profile(external_id=str(account["id"]), display_name=account.get("display_name"),
                          followers=int(account.get("followers_count") or 0))
        since = state.get("since_id")
        url: str | None = f"{base}/api/v1/accounts/{profile.external_id}/statuses"
        params: dict[str, Any] | None = {"limit": self.page_size}
        if since:
            assert params is not None
            params["since_id"] = since
        posts: list[RawPost] = []
        skipped = 0
        newest = since
        complete = False
        for _ in range(self.max_pages):
            if url is None:
                complete = True
                break
            resp = self.http.request(url, params=params)
            page = resp.json()
            if not isinstance(page, list) or not page:
                complete = True
                break
            reached = False
            for item in page:
                try:
                    sid = str(item["id"])
                    if since and id_key(sid) <= id_key(str(since)):
                        reached = True
                        continue
                    post = parse_status(item, host, profile.followers)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    skipped += 1
                    log.warning("%s: skipped a malformed status (%s: %s)", handle, type(exc).__name__, exc)
                    continue
                posts.append(post)
                if newest is None or id_key(sid) > id_key(str(newest)):
                    newest = sid
            if reached:
                complete = True
                break
            nxt = resp.links.get("next", {}).get("url")
            url, params = (_with_since(nxt, since), None) if nxt else (None, None)
        else:
            complete = url is None or not since  # first poll: backfill is bounded by max_pages
        # A first poll keeps what it could read; later polls only move the cursor when the
        # walk reached the previous cursor, so nothing in between is skipped for good.
        if (complete or not since) and newest:
            state["since_id"] = newest
        state["account_id"] = profile.external_id
        return PollResult(posts=posts, state=state, profile=profile, skipped=skipped, complete=complete)
