"""Click-chain resolution, destination parameters, the SSRF guard and brand mapping."""

from __future__ import annotations

import asyncio

import pytest

from crawler.attribution import (
    BrandMatcher,
    Fetched,
    destination_param,
    next_hop_from_body,
    rank_candidates,
    resolve_chain,
    ssrf_refusal,
)


def _fetcher(routes: dict[str, Fetched]):
    calls: list[str] = []

    async def fetch(url: str) -> Fetched:
        calls.append(url)
        return routes.get(url) or Fetched(url=url, status=404, headers={})

    return fetch, calls


def test_destination_params_are_decoded() -> None:
    assert destination_param("https://adclick.g.doubleclick.net/pcs/click?xai=1&adurl=https%3A%2F%2Fwww.acme.fr%2Fp"
                             ) == "https://www.acme.fr/p"
    assert destination_param("http://t.example/c?dest=http://brand.example/x&x=1") == "http://brand.example/x"
    assert destination_param("http://t.example/c?u=https%253A%252F%252Fb.example%252F") == "https://b.example/"
    assert destination_param("http://t.example/c?id=3") is None


def test_meta_refresh_and_location_scripts_are_read_not_run() -> None:
    meta = b'<html><head><meta http-equiv="Refresh" content="0; URL=\'/next\'"></head></html>'
    assert next_hop_from_body(meta, "http://t.example/a") == ("http://t.example/next", "meta-refresh")
    for script in ('window.location.href = "http://b.example/";', "location='http://b.example/'",
                   'location.replace("http://b.example/")', 'top.location = "http://b.example/"'):
        body = f"<html><body><script>{script}</script></body></html>".encode()
        assert next_hop_from_body(body, "http://t.example/") == ("http://b.example/", "js-location")
    assert next_hop_from_body(b"<html><body>plain page</body></html>", "http://t.example/") is None


def test_chain_302_meta_js_to_landing() -> None:
    routes = {
        "http://t1.example/c": Fetched("http://t1.example/c", 302, {"location": "http://t2.example/m"}),
        "http://t2.example/m": Fetched("http://t2.example/m", 200, {"content-type": "text/html"},
                                       b'<meta http-equiv="refresh" content="0;url=http://t3.example/j">'),
        "http://t3.example/j": Fetched("http://t3.example/j", 200, {"content-type": "text/html"},
                                       b'<script>location = "http://www.acme.example/lp?x=1";</script>'),
        "http://www.acme.example/lp?x=1": Fetched("http://www.acme.example/lp?x=1", 200,
                                                  {"content-type": "text/html"}, b"<html>Acme</html>"),
    }
    fetch, _ = _fetcher(routes)
    chain = asyncio.run(resolve_chain("http://t1.example/c", fetch, allow_private=True))
    assert chain.landing_url == "http://www.acme.example/lp?x=1"
    assert [h["via"] for h in chain.hops] == ["click", "http-302", "meta-refresh", "js-location"]
    assert chain.landing_domain == "acme.example"


def test_redirect_loop_stops_and_falls_back_to_destination_param() -> None:
    routes = {
        "http://loop.example/a?adurl=http%3A%2F%2Fbrand.example%2F": Fetched(
            "http://loop.example/a?adurl=http%3A%2F%2Fbrand.example%2F", 302, {"location": "http://loop.example/b"}),
        "http://loop.example/b": Fetched("http://loop.example/b", 302, {
            "location": "http://loop.example/a?adurl=http%3A%2F%2Fbrand.example%2F"}),
    }
    fetch, calls = _fetcher(routes)
    chain = asyncio.run(resolve_chain("http://loop.example/a?adurl=http%3A%2F%2Fbrand.example%2F", fetch,
                                      allow_private=True))
    assert chain.error == "redirect loop"
    assert len(calls) == 2
    assert chain.landing_url == "http://brand.example/"


def test_pure_loop_has_no_landing_and_long_chain_is_capped() -> None:
    routes = {"http://l.example/1": Fetched("http://l.example/1", 302, {"location": "http://l.example/2"}),
              "http://l.example/2": Fetched("http://l.example/2", 302, {"location": "http://l.example/1"})}
    fetch, _ = _fetcher(routes)
    chain = asyncio.run(resolve_chain("http://l.example/1", fetch, allow_private=True))
    assert chain.landing_url is None and chain.error == "redirect loop"
    long_routes = {f"http://h.example/{i}": Fetched(f"http://h.example/{i}", 302,
                                                    {"location": f"http://h.example/{i + 1}"}) for i in range(30)}
    fetch, calls = _fetcher(long_routes)
    chain = asyncio.run(resolve_chain("http://h.example/0", fetch, allow_private=True))
    assert chain.landing_url is None and "hops" in (chain.error or "")
    assert len(calls) == 11


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://localhost:8080/", "http://[::1]/",
                                 "http://10.1.2.3/", "http://192.168.0.1/", "http://169.254.169.254/latest/",
                                 "http://2130706433/", "http://0x7f.1/", "http://[::ffff:127.0.0.1]/",
                                 "http://foo.localhost/", "file:///etc/passwd"])
def test_ssrf_guard_refuses_private_targets(url: str) -> None:
    assert ssrf_refusal(url, allow_private=False, resolve=False) is not None
    assert ssrf_refusal(url, allow_private=True) is None


def test_ssrf_guard_resolves_names_only_without_proxy() -> None:
    assert ssrf_refusal("http://localhost./", resolve=False) is not None
    assert ssrf_refusal("http://93.184.216.34/", resolve=False) is None
    assert ssrf_refusal("http://brand.example/", resolve=False) is None


def test_chain_hop_to_loopback_is_refused_without_fetching() -> None:
    routes = {"http://t.example/c": Fetched("http://t.example/c", 302, {"location": "http://127.0.0.1:9/admin"})}
    fetch, calls = _fetcher(routes)
    chain = asyncio.run(resolve_chain("http://t.example/c", fetch, allow_private=False, resolve_dns=False))
    assert calls == ["http://t.example/c"]
    assert chain.hops[-1]["refused"]
    assert chain.landing_url is None


def test_candidates_rank_trackers_with_destination_first() -> None:
    ranked = rank_candidates(["http://news.example/other", "http://brand.example/",
                              "http://ib.adnxs.com/click?id=1",
                              "http://adclick.g.doubleclick.net/pcs/click?adurl=http%3A%2F%2Fb.example%2F"],
                             "news.example")
    assert ranked[0].startswith("http://adclick.g.doubleclick.net")
    assert ranked[1].startswith("http://ib.adnxs.com")
    assert "http://news.example/other" not in ranked


def test_brand_matcher_domain_then_alias() -> None:
    m = BrandMatcher(by_domain={"acme.fr": 1, "shop.bolt.co.uk": 2}, aliases=[("Acme", 1), ("NordVolt", 3)])
    assert m.match("http://www.acme.fr/promo", None) == (1, "domain")
    assert m.match("http://shop.bolt.co.uk/x", None) == (2, "domain")
    assert m.match("http://unknown.example/", "Roulez avec NordVolt !") == (3, "alias")
    assert m.match("http://unknown.example/", "nothing here") == (None, None)
    assert m.match(None, "Acmeville") == (None, None)  # whole words only
