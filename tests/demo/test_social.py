"""Activist feeds in the Mastodon and Bluesky API shapes: paging, facets, ground truth."""

from __future__ import annotations

import re

import httpx

from demo.world import World

MASTO = "http://mastodon.demo-social.org"
BSKY = "http://appview.demo-bsky.org"


def _lookup(client: httpx.Client, acct: str = "veille_giants") -> dict:
    r = client.get(f"{MASTO}/api/v1/accounts/lookup", params={"acct": acct})
    assert r.status_code == 200
    return r.json()


def _next_link(resp: httpx.Response) -> str | None:
    m = re.search(r'<([^>]+)>; rel="next"', resp.headers.get("link", ""))
    return m.group(1) if m else None


def test_mastodon_link_paging_returns_every_status_once(world: World, client: httpx.Client) -> None:
    acc = _lookup(client, "veille_giants@mastodon.demo-social.org")
    url: str | None = f"{MASTO}/api/v1/accounts/{acc['id']}/statuses?limit=7"
    ids: list[str] = []
    while url:
        r = client.get(url)
        assert r.status_code == 200
        page = r.json()
        if not page:
            break
        assert len(page) <= 7
        ids += [s["id"] for s in page]
        url = _next_link(r)
    truth = [p["external_id"] for p in world.ground_truth()["posts"] if p["source"] == "mastodon"]
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(truth)
    assert ids == sorted(ids, key=int, reverse=True)


def test_mastodon_status_shape_and_filters(world: World, client: httpx.Client) -> None:
    acc = _lookup(client)
    base = f"{MASTO}/api/v1/accounts/{acc['id']}/statuses"
    statuses = client.get(base, params={"limit": 40}).json()
    assert len(statuses) == 30
    keys = {"id", "created_at", "url", "uri", "content", "account", "mentions", "tags", "media_attachments",
            "replies_count", "reblogs_count", "favourites_count", "language", "reblog", "in_reply_to_id"}
    assert all(keys <= set(s) for s in statuses)
    own = [s for s in statuses if s["reblog"] is None]
    assert any(s["mentions"] for s in own) and any(s["tags"] for s in own)
    media = [m for s in own for m in s["media_attachments"]]
    assert media and all(m["type"] == "image" and m["description"] for m in media)
    img = client.get(media[0]["url"])
    assert img.status_code == 200 and img.content.startswith(b"\x89PNG")
    reblogs = [s for s in statuses if s["reblog"]]
    assert reblogs and all(s["reblog"]["account"]["username"] == "collectif_vigilance" for s in reblogs)
    no_replies = client.get(base, params={"limit": 40, "exclude_replies": "true"}).json()
    assert len(no_replies) < len(statuses)
    assert all(s["in_reply_to_id"] is None for s in no_replies)
    # since_id / min_id: newer than a given status
    middle = statuses[10]["id"]
    newer = client.get(base, params={"limit": 40, "since_id": middle}).json()
    assert [s["id"] for s in newer] == [s["id"] for s in statuses[:10]]
    near = client.get(base, params={"limit": 3, "min_id": middle}).json()
    assert [s["id"] for s in near] == [s["id"] for s in statuses[7:10]]
    assert client.get(f"{MASTO}/api/v1/accounts/lookup", params={"acct": "nobody"}).status_code == 404
    for b in world.brands:
        found = client.get(f"{MASTO}/api/v1/accounts/lookup", params={"acct": b.handles["mastodon"]})
        assert found.status_code == 200 and found.json()["display_name"] == b.name
        assert client.get(f"{MASTO}/api/v1/accounts/{found.json()['id']}/statuses").json() == []


def test_mastodon_mentions_resolve_brand_handles(world: World, client: httpx.Client) -> None:
    acc = _lookup(client)
    statuses = client.get(f"{MASTO}/api/v1/accounts/{acc['id']}/statuses", params={"limit": 40}).json()
    handles = {b.handles["mastodon"] for b in world.brands}
    for s in statuses:
        for m in s["mentions"]:
            full = m["acct"] if "@" in m["acct"] else f"{m['acct']}@mastodon.demo-social.org"
            assert full in handles
            assert f'href="{m["url"]}"' in s["content"]


def _feed(client: httpx.Client, limit: int = 7, **extra: str) -> list[dict]:
    items: list[dict] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"actor": "veillegiants.bsky.social", "limit": limit, **extra}
        if cursor:
            params["cursor"] = cursor
        r = client.get(f"{BSKY}/xrpc/app.bsky.feed.getAuthorFeed", params=params)
        assert r.status_code == 200
        data = r.json()
        assert len(data["feed"]) <= limit
        items += data["feed"]
        cursor = data.get("cursor")
        if not cursor:
            return items


def test_bluesky_cursor_paging_returns_every_post_once(world: World, client: httpx.Client) -> None:
    items = _feed(client)
    uris = [i["post"]["uri"] for i in items]
    truth = [p["external_id"] for p in world.ground_truth()["posts"] if p["source"] == "bluesky"]
    assert len(uris) == len(set(uris)) and sorted(uris) == sorted(truth)
    assert any("reason" in i for i in items)
    no_replies = _feed(client, 50, filter="posts_no_replies")
    assert len(no_replies) < len(items) and not any("reply" in i for i in no_replies)


def test_bluesky_facets_slice_utf8_bytes(world: World, client: httpx.Client) -> None:
    dids = {b.bluesky_did: b.handles["bluesky"] for b in world.brands}
    seen = set()
    for item in _feed(client, 100):
        rec = item["post"]["record"]
        raw = rec["text"].encode("utf-8")
        for facet in rec.get("facets", []):
            piece = raw[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode("utf-8")
            feat = facet["features"][0]
            seen.add(feat["$type"])
            if feat["$type"].endswith("#mention"):
                assert piece == "@" + dids[feat["did"]]
            elif feat["$type"].endswith("#tag"):
                assert piece == "#" + feat["tag"]
            else:
                assert feat["uri"].startswith("http://")
                assert feat["uri"].split("://", 1)[1].startswith(piece.rstrip("."))
    assert seen == {"app.bsky.richtext.facet#mention", "app.bsky.richtext.facet#link",
                    "app.bsky.richtext.facet#tag"}
    # multi-byte characters occur before facets, so byte and character offsets differ
    assert any(len(i["post"]["record"]["text"]) != len(i["post"]["record"]["text"].encode())
               for i in _feed(client, 100))


def test_bluesky_profiles_and_images(world: World, client: httpx.Client) -> None:
    prof = client.get(f"{BSKY}/xrpc/app.bsky.actor.getProfile", params={"actor": "veillegiants.bsky.social"})
    assert prof.status_code == 200 and prof.json()["did"].startswith("did:plc:")
    brand = world.brands[0]
    r = client.get(f"{BSKY}/xrpc/app.bsky.actor.getProfile", params={"actor": brand.handles["bluesky"]})
    assert r.json()["did"] == brand.bluesky_did
    r = client.get(f"{BSKY}/xrpc/com.atproto.identity.resolveHandle", params={"handle": brand.handles["bluesky"]})
    assert r.json() == {"did": brand.bluesky_did}
    bad = client.get(f"{BSKY}/xrpc/app.bsky.actor.getProfile", params={"actor": "nobody.bsky.social"})
    assert bad.status_code == 400
    embeds = [i["post"]["embed"] for i in _feed(client, 100) if "embed" in i["post"]]
    assert embeds and embeds[0]["$type"] == "app.bsky.embed.images#view"
    img = client.get(embeds[0]["images"][0]["fullsize"])
    assert img.status_code == 200 and img.content.startswith(b"\x89PNG")


def test_post_truth_matches_text(world: World, client: httpx.Client) -> None:
    items = {i["post"]["uri"]: i for i in _feed(client, 100)}
    brands = {b.name: b for b in world.brands}
    for p in world.ground_truth()["posts"]:
        if p["source"] != "bluesky":
            continue
        text = items[p["external_id"]]["post"]["record"]["text"]
        for name in p["brands"]:
            b = brands[name]
            assert name in text or b.handles["bluesky"] in text
