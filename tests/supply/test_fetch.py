"""Fetch rules of ads.txt 1.1 (3.1 access and redirects, 3.2 content type, 3.6 expiry)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from supply.fetch import (
    DEFAULT_TTL,
    adstxt_urls,
    better,
    expires_at,
    follow_redirect,
    interpret_adstxt,
    interpret_sellers,
    is_text_plain,
    start_redirects,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def test_urls_use_the_root_domain_https_first() -> None:
    assert adstxt_urls("www.news.example.co.uk") == [
        "https://example.co.uk/ads.txt", "http://example.co.uk/ads.txt"]
    assert adstxt_urls("Bild.de", "app-ads.txt")[1] == "http://bild.de/app-ads.txt"


def test_redirects_inside_the_root_domain_are_followed() -> None:
    state = start_redirects("http://example.com/ads.txt")
    url, _ = follow_redirect(state, "http://example.com/ads.txt", "https://example.com/ads.txt")
    assert url == "https://example.com/ads.txt"
    url, _ = follow_redirect(state, url, "https://www.example.com/ads.txt")
    assert url is not None
    url, _ = follow_redirect(state, url, "/static/ads.txt")
    assert url == "https://www.example.com/static/ads.txt"
    assert not state.left_root and len(state.hops) == 3


def test_one_hop_outside_then_no_more() -> None:
    state = start_redirects("https://example.com/ads.txt")
    url, reason = follow_redirect(state, "https://example.com/ads.txt", "https://adstxt.manager.net/example.txt")
    assert url == "https://adstxt.manager.net/example.txt" and "one-hop" in reason
    url2, reason2 = follow_redirect(state, url, "https://adstxt.manager.net/other.txt")
    assert url2 is None and "third party" in reason2


def test_bad_redirects() -> None:
    state = start_redirects("https://example.com/ads.txt")
    assert follow_redirect(state, "https://example.com/ads.txt", "")[0] is None
    assert follow_redirect(state, "https://example.com/ads.txt", "ftp://example.com/ads.txt")[0] is None
    state = start_redirects("https://example.com/ads.txt")
    url = "https://example.com/ads.txt"
    for i in range(10):
        url, _ = follow_redirect(state, url, f"/a{i}")  # type: ignore[assignment]
    assert follow_redirect(state, url, "/again")[0] is None


def test_content_type() -> None:
    assert is_text_plain("text/plain") and is_text_plain("Text/Plain ; charset=utf-8")
    assert not is_text_plain("text/html") and not is_text_plain(None) and not is_text_plain("")


def test_interpret_statuses() -> None:
    ok = interpret_adstxt("https://a.com/ads.txt", 200, TEXT, b"a.com, 1, DIRECT", now=NOW)
    assert ok.status == "ok" and ok.expires_at == NOW + DEFAULT_TTL
    html = interpret_adstxt("https://a.com/ads.txt", 200, {"content-type": "text/html"}, b"<html>", now=NOW)
    assert html.status == "error" and "text/plain" in html.reason
    assert interpret_adstxt("u", 200, {}, b"x", now=NOW).status == "error"  # no Content-Type
    assert interpret_adstxt("u", 404, {}, b"", now=NOW).status == "absent"
    assert interpret_adstxt("u", 401, {}, b"", now=NOW).status == "restricted"
    assert interpret_adstxt("u", 500, {}, b"", now=NOW).status == "error"
    assert interpret_adstxt("u", None, {}, b"", now=NOW).status == "error"
    big = interpret_adstxt("u", 200, TEXT, b"x" * 11, now=NOW, max_bytes=10)
    assert big.status == "error" and "larger" in big.reason
    assert interpret_sellers("u", 200, {"Content-Type": "application/octet-stream"}, b"{}", now=NOW).status == "ok"
    assert interpret_sellers("u", 404, {}, b"", now=NOW).status == "absent"
    assert interpret_sellers("u", 503, {}, b"", now=NOW).status == "error"


def test_expiry_follows_http_caching() -> None:
    assert expires_at({}, NOW) == NOW + timedelta(days=7)
    assert expires_at({"Cache-Control": "public, max-age=3600"}, NOW) == NOW + timedelta(hours=1)
    assert expires_at({"cache-control": "no-cache"}, NOW) == NOW
    assert expires_at({"Expires": "Sun, 22 Nov 2026 12:00:00 GMT"}, NOW) == NOW + timedelta(days=1)
    assert expires_at({"Expires": "0"}, NOW) == NOW
    assert expires_at({"Expires": "Sun, 22 Nov 2026 12:00:00 GMT", "Cache-Control": "max-age=60"}, NOW) == (
        NOW + timedelta(minutes=1))
    assert expires_at({"Expires": "Fri, 01 Jan 2010 00:00:00 GMT"}, NOW) == NOW


def test_https_answer_wins_unless_unusable() -> None:
    ok = interpret_adstxt("https://a.com/ads.txt", 200, TEXT, b"", now=NOW)
    gone = interpret_adstxt("http://a.com/ads.txt", 404, {}, b"", now=NOW)
    err = interpret_adstxt("https://a.com/ads.txt", None, {}, b"", now=NOW)
    assert better(ok, gone) is ok
    assert better(err, gone) is gone
    assert better(None, err) is err


def test_referrals_follow_the_spec() -> None:
    from supply.fetch import referrals

    assert referrals("example.com", "ads.txt", ["divisionone.example.com", "other.org", "example.com"],
                     ["programmerA.com", "www.partner.co.uk"]) == [
        ("divisionone.example.com", "ads.txt", True),
        ("programmera.com", "ads.txt", False),
        ("partner.co.uk", "ads.txt", False)]
    # app-ads.txt: SUBDOMAIN is an ads.txt feature; INVENTORYPARTNERDOMAIN points to ads.txt only
    assert referrals("app.com", "app-ads.txt", ["x.app.com"], ["programmerA.com"]) == [
        ("programmera.com", "ads.txt", False)]
    assert adstxt_urls("divisionone.example.com", exact=True)[0] == "https://divisionone.example.com/ads.txt"
