"""X API v2: ``/2/users/by/username/:u`` then ``/2/users/:id/tweets`` with ``since_id`` and
``pagination_token``. Needs ``VIGIE_X_BEARER_TOKEN``; without it the account gets a clear error."""

from __future__ import annotations

import logging
import os
from typing import Any

from watch.http import AccountGone, SourceError
from watch.sources.base import PollResult, Profile, RawPost, Source, parse_time

log = logging.getLogger("vigie.watch.x")

DEFAULT_API = "https://api.x.com"
X_SETUP_HELP = ("X needs an API bearer token: set VIGIE_X_BEARER_TOKEN (X developer portal, "
            "project app, 'Bearer Token'); X accounts are skipped until then")
TWEET_FIELDS = ("created_at,entities,attachments,public_metrics,lang,referenced_tweets,"
                "in_reply_to_user_id,author_id,conversation_id")


def api_url(base_url: str | None = None) -> str:
    return (base_url or os.environ.get("VIGIE_X_API") or DEFAULT_API).rstrip("/")


def parse_tweet(tweet: dict[str, Any], username: str, followers: int, media_by_key: dict[str, Any],
                users_by_id: dict[str, str]) -> RawPost:
    tid = str(tweet["id"])
    entities = tweet.get("entities") or {}
    metrics = tweet.get("public_metrics") or {}
    refs = {str(r.get("type")): str(r.get("id")) for r in tweet.get("referenced_tweets") or []}
    links = [str(u.get("unwound_url") or u.get("expanded_url") or u.get("url"))
             for u in entities.get("urls") or [] if u.get("expanded_url") or u.get("url")]
    media = []
    for key in (tweet.get("attachments") or {}).get("media_keys") or []:
        m = media_by_key.get(str(key)) or {}
        url = m.get("url") or m.get("preview_image_url")
        if url:
            media.append({"url": url, "preview_url": m.get("preview_image_url"), "type": m.get("type", "photo"),
                          "alt": m.get("alt_text")})
    # X lists a photo's own t.co link among the urls; it is not a called-out site.
    links = [u for u in links if "/photo/" not in u and "/video/" not in u]
    reply_user = tweet.get("in_reply_to_user_id")
    return RawPost(
        source="x", external_id=tid, author=username, created_at=parse_time(tweet["created_at"]),
        text=str(tweet.get("text") or ""), url=f"https://x.com/{username}/status/{tid}", lang=tweet.get("lang"),
        is_repost="retweeted" in refs,
        mentions=[str(m["username"]).lower() for m in entities.get("mentions") or [] if m.get("username")],
        hashtags=[str(h["tag"]) for h in entities.get("hashtags") or [] if h.get("tag")],
        links=list(dict.fromkeys(links)), media=media,
        replies=int(metrics.get("reply_count") or 0),
        reposts=int(metrics.get("retweet_count") or 0) + int(metrics.get("quote_count") or 0),
        likes=int(metrics.get("like_count") or 0), reach=followers,
        in_reply_to=refs.get("replied_to"),
        in_reply_to_author=users_by_id.get(str(reply_user)) if reply_user else None)


class XSource(Source):
    name = "x"

    def poll(self, handle: str, base_url: str | None, state: dict[str, Any]) -> PollResult:
        token = os.environ.get("VIGIE_X_BEARER_TOKEN", "").strip()
        if not token:
            raise SourceError(X_SETUP_HELP)
        base = api_url(base_url)
        auth = {"Authorization": f"Bearer {token}"}
        state = dict(state)
        data = self.http.get_json(f"{base}/2/users/by/username/{handle}",
                                  params={"user.fields": "public_metrics,name"}, headers=auth)
        user = data.get("data") if isinstance(data, dict) else None
        if not isinstance(user, dict) or not user.get("id"):
            detail = (data.get("errors") or [{}])[0].get("detail", "") if isinstance(data, dict) else ""
            raise AccountGone(f"x:{handle}: no such user {detail}".strip())
        profile = Profile(external_id=str(user["id"]), display_name=user.get("name"),
                          followers=int((user.get("public_metrics") or {}).get("followers_count") or 0))
        since = state.get("since_id")
        posts: list[RawPost] = []
        skipped = 0
        newest = since
        token_page: str | None = None
        complete = False
        for _ in range(self.max_pages):
            params: dict[str, Any] = {"max_results": 100, "tweet.fields": TWEET_FIELDS,
                                      "expansions": "attachments.media_keys,in_reply_to_user_id",
                                      "media.fields": "url,preview_image_url,type,alt_text",
                                      "user.fields": "username"}
            if since:
                params["since_id"] = since
            if token_page:
                params["pagination_token"] = token_page
            page = self.http.get_json(f"{base}/2/users/{profile.external_id}/tweets", params=params, headers=auth)
            if not isinstance(page, dict):
                break
            includes = page.get("includes") or {}
            media_by_key = {str(m.get("media_key")): m for m in includes.get("media") or [] if isinstance(m, dict)}
            users_by_id = {str(u.get("id")): str(u.get("username")).lower()
                           for u in includes.get("users") or [] if isinstance(u, dict)}
            for item in page.get("data") or []:
                try:
                    post = parse_tweet(item, handle, profile.followers, media_by_key, users_by_id)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    skipped += 1
                    log.warning("x:%s: skipped a malformed tweet (%s: %s)", handle, type(exc).__name__, exc)
                    continue
                posts.append(post)
                if newest is None or (len(post.external_id), post.external_id) > (len(str(newest)), str(newest)):
                    newest = post.external_id
            token_page = (page.get("meta") or {}).get("next_token")
            if not token_page:
                complete = True
                break
        if (complete or not since) and newest:
            state["since_id"] = newest
        state["user_id"] = profile.external_id
        return PollResult(posts=posts, state=state, profile=profile, skipped=skipped, complete=complete)
