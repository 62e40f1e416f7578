"""Sources against local servers serving the real API shapes: paging, a 429 with Retry-After,
a malformed item, a deleted account; repeated polls lose and double nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import ActivistAccount, ActivistPost, Brand, BrandDomain
from tests.watch.fakesocial import T0, FakeSocial, iso
from watch import service
from watch.http import HttpClient, retry_delay
from watch.sources.bluesky import byte_slice, parse_feed_item


def client(sleeps: list[float] | None = None) -> HttpClient:
    return HttpClient(retries=3, backoff=0.0, sleep=(sleeps.append if sleeps is not None else lambda s: None))


def count(s: Session, source: str | None = None) -> int:
    q = select(func.count(ActivistPost.id))
    if source:
        q = q.where(ActivistPost.source == source)
    return int(s.scalar(q) or 0)


def test_retry_delay_honours_rate_limit_headers() -> None:
    now = 1_800_000_000.0
    assert retry_delay({"Retry-After": "7"}, 0, now=now) == 7
    assert retry_delay({"x-rate-limit-reset": str(int(now) + 30)}, 0, now=now) == 30
    mastodon_now = datetime(2027, 1, 15, 8, 0, tzinfo=UTC).timestamp()
    assert retry_delay({"X-RateLimit-Reset": "2027-01-15T08:00:30.000Z"}, 0, now=mastodon_now) == 30
    assert retry_delay({}, 3, base=1.0) == 8
    assert retry_delay({"Retry-After": "100000"}, 0, cap=60) == 60
    assert retry_delay({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0, now=now) == 0


def test_mastodon_paging_429_malformed_and_repeat_polls(fake: FakeSocial, wsession: Session) -> None:
    fake.add_mastodon("giants", 95)
    acc = fake.masto["giants"]
    acc["statuses"][10] = {"id": acc["statuses"][10]["id"], "content": "<p>broken</p>"}  # no account/created_at
    fake.throttle["/api/v1/accounts/100/statuses"] = 1
    fake.retry_after = "2"
    account, _ = service.add_account(wsession, f"mastodon:{fake.url}/@giants")
    sleeps: list[float] = []
    with client(sleeps) as http:
        r1 = service.poll_account(wsession, account, http)
        assert (r1.new, r1.skipped, r1.error) == (94, 1, None)
        assert 2.0 in sleeps  # the 429's Retry-After was honoured
        assert account.state["since_id"] == acc["statuses"][0]["id"]
        r2 = service.poll_account(wsession, account, http)
        assert (r2.fetched, r2.new) == (0, 0)
        fake.add_mastodon("giants", 3, start=96)
        r3 = service.poll_account(wsession, account, http)
        assert (r3.fetched, r3.new) == (3, 3)
    wsession.commit()
    assert count(wsession, "mastodon") == 97
    ids = wsession.scalars(select(ActivistPost.external_id)).all()
    assert len(ids) == len(set(ids))
    post = wsession.scalar(select(ActivistPost).where(ActivistPost.external_id == acc["statuses"][0]["id"]))
    assert post is not None and post.text.startswith("Post 98 @acme")
    assert post.links == ["https://www.example-news.fr/a/98"]
    assert post.mentions == ["acme@127.0.0.1"] and post.engagement == 6 and post.reach == 1000
    assert account.last_error is None and account.followers == 1000


def test_mastodon_cursor_not_advanced_when_walk_is_cut(fake: FakeSocial, wsession: Session) -> None:
    fake.add_mastodon("giants", 5)
    account, _ = service.add_account(wsession, f"mastodon:{fake.url}/@giants")
    with client() as http:
        service.poll_account(wsession, account, http)
        fake.add_mastodon("giants", 100, start=6)  # 3 pages of news
        fake.throttle["/api/v1/accounts/100/statuses"] = 0
        src_pages = service.get_source("mastodon")(http, max_pages=1)
        res = src_pages.poll(account.handle, account.base_url, account.state)
        assert not res.complete and res.state["since_id"] == account.state["since_id"]
        r = service.poll_account(wsession, account, http)  # a full poll catches up
        assert r.new == 100
    assert count(wsession) == 105


def test_deleted_accounts_are_recorded_not_fatal(fake: FakeSocial, watch_db: str, wsession: Session) -> None:
    fake.add_mastodon("gone", 2)
    fake.add_mastodon("alive", 2)
    fake.gone.add("gone")
    for spec in (f"mastodon:{fake.url}/@gone", f"mastodon:{fake.url}/@alive", "bluesky:nobody.bsky.social",
                 "x:someone"):
        acc, _ = service.add_account(wsession, spec)
        if acc.source != "mastodon":
            acc.base_url = fake.url
    wsession.commit()
    reports = service.poll_all(watch_db, http=client())
    by = {r.account: r for r in reports}
    assert "account gone" in (by[f"mastodon:{fake.url}/@gone"].error or "")
    assert by[f"mastodon:{fake.url}/@alive"].new == 2
    assert "account gone" in (by["bluesky:nobody.bsky.social"].error or "")
    assert "VIGIE_X_BEARER_TOKEN" in (by["x:someone"].error or "")
    wsession.expire_all()
    errors = {a.handle: a.last_error for a in wsession.scalars(select(ActivistAccount)).all()}
    assert errors["gone@127.0.0.1"] and errors["alive@127.0.0.1"] is None


def bsky_item(i: int, *, text: str | None = None, handle: str = "giants.bsky.social", **extra: Any) -> dict[str, Any]:
    uri = f"at://did:plc:giants/app.bsky.feed.post/3k{i:04d}"
    text = text or f"Post {i}"
    item: dict[str, Any] = {"post": {
        "uri": uri, "cid": f"bafy{i}", "author": {"did": "did:plc:giants", "handle": handle},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": iso(T0 + timedelta(minutes=i)),
                   "langs": ["fr"]},
        "replyCount": 1, "repostCount": 1, "likeCount": 5, "quoteCount": 0,
        "indexedAt": iso(T0 + timedelta(minutes=i, seconds=1))}}
    item.update(extra)
    return item


def test_bluesky_facets_are_utf8_byte_offsets() -> None:
    text = "Hé 🙂 @acme.bsky.social, votre pub sur bvoltaire.fr/artic..."
    raw = text.encode()
    m0 = raw.index(b"@acme")
    l0 = raw.index(b"bvoltaire")
    item = bsky_item(1, text=text)
    item["post"]["record"]["facets"] = [
        {"index": {"byteStart": m0, "byteEnd": m0 + len(b"@acme.bsky.social")},
         "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:acme"}]},
        {"index": {"byteStart": l0, "byteEnd": len(raw)},
         "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://www.bvoltaire.fr/article-1"}]},
        {"index": {"byteStart": 0, "byteEnd": 3}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "Hé"}]},
    ]
    item["post"]["embed"] = {"$type": "app.bsky.embed.images#view", "images": [
        {"thumb": "https://cdn.example/t.jpg", "fullsize": "https://cdn.example/f.jpg", "alt": "capture"}]}
    post = parse_feed_item(item, 10)
    assert byte_slice(text, m0, m0 + 17) == "@acme.bsky.social"
    assert post.mentions == ["acme.bsky.social"]
    assert post.links == ["https://www.bvoltaire.fr/article-1"]
    assert post.media[0]["url"] == "https://cdn.example/f.jpg"
    assert post.engagement == 7 and not post.is_repost


def test_bluesky_paging_reposts_pins_and_repeat_polls(fake: FakeSocial, wsession: Session,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_BSKY_APPVIEW", fake.url)
    feed = [bsky_item(i) for i in range(120, 0, -1)]  # newest first
    feed[5] = {"post": {"uri": "at://broken"}}  # malformed
    repost = bsky_item(500, handle="other.bsky.social")
    repost["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost",
                        "by": {"did": "did:plc:giants", "handle": "giants.bsky.social"},
                        "indexedAt": iso(T0 + timedelta(minutes=121))}
    pinned = bsky_item(1)
    pinned["reason"] = {"$type": "app.bsky.feed.defs#reasonPin"}
    fake.bsky["giants.bsky.social"] = {"did": "did:plc:giants", "followers": 321, "feed": [pinned, repost, *feed]}
    fake.throttle["/xrpc/app.bsky.feed.getAuthorFeed"] = 1
    account, _ = service.add_account(wsession, "bluesky:giants.bsky.social")
    with client() as http:
        r1 = service.poll_account(wsession, account, http)
        assert (r1.new, r1.skipped) == (120, 1)  # 119 own posts + 1 repost; the pin is post 1 again
        r2 = service.poll_account(wsession, account, http)
        assert r2.new == 0
        fake.bsky["giants.bsky.social"]["feed"][1:1] = [bsky_item(i) for i in (123, 122, 121)]
        r3 = service.poll_account(wsession, account, http)
        assert r3.new == 3
    wsession.commit()
    assert count(wsession, "bluesky") == 123
    rp = wsession.scalar(select(ActivistPost).where(ActivistPost.is_repost.is_(True)))
    assert rp is not None and rp.author == "giants.bsky.social" and rp.external_id.startswith("repost:")
    assert wsession.scalar(select(func.count(ActivistPost.id)).where(ActivistPost.is_repost.is_(True))) == 1


def tweet(i: int, **over: Any) -> dict[str, Any]:
    t = {"id": str(1850000000000000000 + i), "text": f"Tweet {i} @Acme", "created_at": iso(T0 + timedelta(minutes=i)),
         "lang": "en", "public_metrics": {"retweet_count": 1, "reply_count": 2, "like_count": 3, "quote_count": 0},
         "entities": {"mentions": [{"start": 8, "end": 13, "username": "Acme"}]}}
    t.update(over)
    return t


def test_x_paging_since_id_and_token(fake: FakeSocial, wsession: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_X_BEARER_TOKEN", "test-token")
    monkeypatch.setenv("VIGIE_X_API", fake.url)
    tweets = [tweet(i) for i in range(150, 0, -1)]
    tweets[3] = {"id": "1850000000000000999"}  # malformed: no created_at
    tweets[0]["attachments"] = {"media_keys": ["3_1"]}
    tweets[0]["entities"]["urls"] = [{"url": "https://t.co/x", "expanded_url": "https://www.bvoltaire.fr/a"}]
    fake.x_users["giants"] = {"id": "42", "followers": 9000, "tweets": tweets,
                              "media": [{"media_key": "3_1", "type": "photo", "url": f"{fake.url}/img/1.png"}]}
    fake.throttle["/2/users/42/tweets"] = 1
    account, _ = service.add_account(wsession, "x:giants")
    with client() as http:
        r1 = service.poll_account(wsession, account, http)
        assert (r1.new, r1.skipped, r1.error) == (149, 1, None)
        assert service.poll_account(wsession, account, http).new == 0
        fake.x_users["giants"]["tweets"][:0] = [tweet(152), tweet(151)]
        assert service.poll_account(wsession, account, http).new == 2
    wsession.commit()
    assert count(wsession, "x") == 151
    top = wsession.scalar(select(ActivistPost).where(ActivistPost.external_id == str(1850000000000000150)))
    assert top is not None and top.links == ["https://www.bvoltaire.fr/a"] and top.mentions == ["acme"]
    assert top.media[0]["path"].startswith("evidence/posts/")


def test_rss_incremental(fake: FakeSocial, wsession: Session) -> None:
    def feed(n: int) -> str:
        items = "".join(
            f"<item><title>Alerte {i}</title><link>https://blog.example/p/{i}</link><guid>p{i}</guid>"
            f"<pubDate>Mon, 0{1 + i % 8} Nov 2026 10:00:00 +0000</pubDate>"
            f"<description>&lt;p&gt;Voir &lt;a href=\"https://www.bvoltaire.fr/x\"&gt;ici&lt;/a&gt;&lt;/p&gt;"
            f"</description></item>" for i in range(n, 0, -1))
        return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Giants blog</title>"
                f"<language>fr</language>{items}</channel></rss>")

    fake.rss["/feed.xml"] = feed(5)
    account, _ = service.add_account(wsession, f"rss:{fake.url}/feed.xml")
    with client() as http:
        assert service.poll_account(wsession, account, http).new == 5
        assert service.poll_account(wsession, account, http).new == 0
        fake.rss["/feed.xml"] = feed(7)
        assert service.poll_account(wsession, account, http).new == 2
    wsession.commit()
    post = wsession.scalar(select(ActivistPost).where(ActivistPost.source == "rss").limit(1))
    assert post is not None and post.links == ["https://www.bvoltaire.fr/x"] and post.lang == "fr"
    assert count(wsession, "rss") == 7


def test_brand_posts_are_not_activist_posts(fake: FakeSocial, wsession: Session) -> None:
    brand = Brand(name="Acme", aliases=[], handles={"mastodon": "acme@127.0.0.1"})
    brand.domains.append(BrandDomain(domain="acme.fr"))
    wsession.add(brand)
    fake.add_mastodon("acme", 2)
    account, _ = service.add_account(wsession, f"mastodon:{fake.url}/@acme")
    with client() as http:
        r = service.poll_account(wsession, account, http)
    assert r.brand_posts == 2 and r.new == 0


def test_server_errors_are_retried_with_rate_limit_reset(fake: FakeSocial, wsession: Session,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import time as _time

    monkeypatch.setenv("VIGIE_X_BEARER_TOKEN", "t")
    monkeypatch.setenv("VIGIE_X_API", fake.url)
    fake.x_users["giants"] = {"id": "42", "followers": 1, "tweets": [tweet(1)]}
    fake.throttle["/2/users/by/username/"] = 2
    fake.throttle_status = 503
    fake.throttle_headers = {"x-rate-limit-reset": str(int(_time.time()) + 3600)}
    account, _ = service.add_account(wsession, "x:giants")
    sleeps: list[float] = []
    with client(sleeps) as http:
        assert service.poll_account(wsession, account, http).new == 1
    assert sleeps == [60.0, 60.0]  # the reset is an hour away: waited, capped at max_wait
    fake.throttle["/2/users/by/username/"] = 10  # more failures than retries: an error, not a crash
    with client() as http:
        r = service.poll_account(wsession, account, http)
    assert r.error and "503" in r.error and account.last_error == r.error
