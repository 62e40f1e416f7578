"""The proxy serves the world: pages, ad markup, click chains, files, social APIs."""

from __future__ import annotations

import re
import socket
import struct
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from demo.server import DemoWeb
from demo.world import World
from vigie.domains import registrable_domain

from .follow import follow

SCRIPT_RE = re.compile(r'<script[^>]+src="([^"]+)"')


def test_pages_carry_lang_title_description(world: World, client: httpx.Client) -> None:
    for page in world.pages:
        r = client.get(page.url)
        assert r.status_code == 200, page.url
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert int(r.headers["content-length"]) == len(r.content)
        assert f'<html lang="{page.lang}">' in r.text
        assert "<title>" in r.text and 'name="description"' in r.text


def test_every_ad_and_decoy_slot_is_in_its_page(world: World, client: httpx.Client) -> None:
    import html

    gt = world.ground_truth()
    cache: dict[str, str] = {}

    def text_of(url: str) -> str:
        if url not in cache:
            body = client.get(url).text
            for src in SCRIPT_RE.findall(body):
                body += client.get(html.unescape(src)).text
            cache[url] = body
        return cache[url]

    for ad in gt["ads"]:
        page = text_of(ad["page_url"])
        assert f'"{ad["slot_id"]}"' in page or f"\\\"{ad['slot_id']}\\\"" in page, ad
    for d in gt["decoys"]:
        assert f'id="{d["slot_id"]}"' in text_of(d["page_url"]), d


def test_static_ad_slots_are_in_raw_html(world: World, client: httpx.Client) -> None:
    for ad in world.ground_truth()["ads"]:
        if not ad["needs_js"]:
            assert f'id="{ad["slot_id"]}"' in client.get(ad["page_url"]).text


def test_click_chains_end_on_landing_pages(world: World, client: httpx.Client) -> None:
    brands = {b.name: b for b in world.brands}
    for ad in world.ground_truth()["ads"]:
        final, resp, kinds, looped = follow(client, ad["click_url"])
        if ad["note"] == "redirect_loop":
            assert looped and ad["landing_url"] is None
            continue
        assert not looped, ad
        assert kinds == ad["chain_kinds"], ad
        assert final == ad["landing_url"]
        assert resp.status_code == 200
        assert registrable_domain(final) == ad["advertiser_domain"]
        if ad["brand"]:
            assert ad["advertiser_domain"] in brands[ad["brand"]].domains
            assert f"<title>{ad['brand'].replace('&', '&amp;')}" in resp.text


def test_dest_param_names_landing_when_present(world: World) -> None:
    from urllib.parse import parse_qs, urlsplit

    with_param = [a for a in world.ground_truth()["ads"] if a["dest_param"]]
    assert with_param and len(with_param) < len(world.ground_truth()["ads"])
    for ad in with_param:
        q = parse_qs(urlsplit(ad["click_url"]).query)
        dests = [v[0] for k, v in q.items() if k in ("adurl", "url", "dest")]
        assert dests == [ad["landing_url"]]


def test_creatives_are_real_pngs_of_slot_size(world: World, client: httpx.Client) -> None:
    for ad in world.ground_truth()["ads"][:40]:
        r = client.get(ad["creative_url"])
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        assert r.content[:8] == b"\x89PNG\r\n\x1a\n"
        w, h = struct.unpack(">II", r.content[16:24])
        assert (w, h) == (ad["width"], ad["height"])


def test_robots_and_ads_txt(world: World, client: httpx.Client) -> None:
    disallowed = world.ground_truth()["robots_disallowed"]
    for site in world.sites:
        robots = client.get(f"http://{site.spec.host}/robots.txt")
        assert robots.status_code == 200 and robots.text.startswith("User-agent: *")
        ads = client.get(f"http://{site.spec.host}/ads.txt")
        # demo.supply (when present) plants faults: missing files, redirects...
        assert ads.status_code in (200, 301, 302, 404)
        assert "," in ads.text or ads.status_code != 200
    (url,) = disallowed
    host = url.split("/")[2]
    assert "Disallow: /membres/" in client.get(f"http://{host}/robots.txt").text
    assert client.get(url).status_code == 200


def test_unknown_host_is_502_and_unknown_path_404(client: httpx.Client) -> None:
    r = client.get("http://www.example.com/")
    assert r.status_code == 502 and "does not serve host" in r.text
    assert client.get("http://patriote-eveille.fr/no-such-page").status_code == 404


def test_connect_is_refused(demo_web: DemoWeb) -> None:
    with socket.create_connection((demo_web.host, demo_web.port), timeout=5) as s:
        s.sendall(b"CONNECT patriote-eveille.fr:443 HTTP/1.1\r\nHost: patriote-eveille.fr:443\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 405")


def test_origin_form_uses_host_header(demo_web: DemoWeb, world: World) -> None:
    r = httpx.get(f"{demo_web.proxy_url}/", headers={"Host": "patriote-eveille.fr"})
    assert r.status_code == 200 and "Patriote" in r.text


def test_www_redirect_and_keep_alive(client: httpx.Client) -> None:
    r = client.get("http://dailyharbor.co.uk/")
    assert r.status_code == 301 and r.headers["location"] == "http://www.dailyharbor.co.uk/"
    for _ in range(5):
        assert client.get("http://www.dailyharbor.co.uk/").status_code == 200


def test_concurrent_requests(world: World, demo_web: DemoWeb) -> None:
    urls = [p.url for p in world.pages] * 2

    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    with httpx.Client(proxy=demo_web.proxy_url, timeout=10, limits=limits) as c, \
            ThreadPoolExecutor(max_workers=16) as pool:
        assert set(pool.map(lambda u: c.get(u).status_code, urls)) == {200}


@pytest.mark.parametrize("seed", [3, 11])
def test_other_seeds_serve_consistently(seed: int) -> None:
    from demo.world import build_world

    w = build_world(seed)
    with DemoWeb(w) as web, httpx.Client(proxy=web.proxy_url, timeout=10) as c:
        for ad in w.ground_truth()["ads"][::9]:
            final, resp, _kinds, _looped = follow(c, ad["click_url"])
            if ad["landing_url"]:
                assert final == ad["landing_url"] and resp.status_code == 200
