"""Ad detection on static HTML: layers, nesting, empty slots, decoys, native cards, bad HTML."""

from __future__ import annotations

import pytest

from crawler.detection import Detector, parse_html
from crawler.filterlists import AdEngine

PAGE = "http://news.example/article"


def _scan(engine: AdEngine, body: str, url: str = PAGE):
    root = parse_html(body)
    assert root is not None
    return Detector(engine).scan(root, url)


def _slots(engine: AdEngine, body: str) -> dict[str | None, list[str]]:
    return {ad.slot_id: ad.layers for ad in _scan(engine, body).ads}


def test_nested_matches_collapse_to_outermost_slot(own_engine: AdEngine) -> None:
    body = """<html><body><p>Text</p>
      <div class="top"><div id="div-gpt-ad-1" class="ad-slot"><iframe id="google_ads_iframe_1"
        src="http://tpc.googlesyndication.com/safeframe/x.html" width="300" height="250"></iframe></div></div>
    </body></html>"""
    ads = _scan(own_engine, body).ads
    assert len(ads) == 1
    assert ads[0].slot_id == "div-gpt-ad-1"
    assert set(ads[0].layers) == {"element-hiding", "network"}
    assert ads[0].rule == "||googlesyndication.com^"
    assert ads[0].kind == "iframe"


def test_network_match_widens_to_the_wrapping_slot(own_engine: AdEngine) -> None:
    body = """<html><body><main><p>Story</p><div id="box-7" class="partner">
      <a href="http://ib.adnxs.com/click?id=1"><img src="http://ib.adnxs.com/img?c=1" width="300" height="250"></a>
      </div><p>More story</p></main></body></html>"""
    assert _slots(own_engine, body) == {"box-7": ["network"]}


def test_empty_slot_hidden_slot_pixel_and_tiny_ad_do_not_count(own_engine: AdEngine) -> None:
    body = """<html><body>
      <div id="div-gpt-ad-empty" class="ad-slot"></div>
      <div id="div-gpt-ad-js" class="ad-slot"><script src="http://securepubads.g.doubleclick.net/tag/js/gpt.js">
        </script></div>
      <div id="div-gpt-ad-hidden" class="ad-slot" style="display: none"><iframe
        src="http://tpc.googlesyndication.com/safeframe/h.html" width="300" height="250"></iframe></div>
      <img id="px" src="http://ib.adnxs.com/px?id=1" width="1" height="1">
      <div id="tiny" class="ad-slot"><a href="http://ib.adnxs.com/c"><img src="http://ib.adnxs.com/i" width="20"
        height="20"></a></div>
      <noscript><div class="ad-slot" id="ns"><img src="http://ib.adnxs.com/i2" width="300" height="250"></div>
      </noscript>
    </body></html>"""
    scan = _scan(own_engine, body)
    assert scan.ads == []
    assert scan.ad_scripts == ["http://securepubads.g.doubleclick.net/tag/js/gpt.js"]


def test_house_promo_styled_as_ad_slot_is_not_an_ad(own_engine: AdEngine) -> None:
    body = """<html><body><div class="ad-slot" id="promo"><a href="/subscribe">Subscribe to our paper</a>
      </div></body></html>"""
    assert _slots(own_engine, body) == {}


def test_native_widget_each_sponsored_card_is_an_ad(own_engine: AdEngine) -> None:
    body = """<html><body><div id="taboola-below-1" class="trc_related_container">
      <div class="trc_rbox_header">Sponsored <a class="trc_attribution" href="http://popup.taboola.com/">by
        Taboola</a></div>
      <div id="card-1" class="videoCube syndicatedItem"><a href="http://trc.taboola.com/c?url=http%3A%2F%2Fa.example">
        <img src="http://images.taboola.com/1.png" width="300" height="200"><span>Brand A</span></a></div>
      <div id="card-2" class="videoCube syndicatedItem"><a href="http://trc.taboola.com/c?url=http%3A%2F%2Fb.example">
        <img src="http://images.taboola.com/2.png" width="300" height="200"><span>Brand B</span></a></div>
      <div id="card-3" class="videoCube organic"><a href="/other-story">Our other story</a></div>
    </div>
    <div id="outbrain-1" class="OUTBRAIN"><div class="ob-widget">
      <div id="ob-1" class="ob-dynamic-rec-container"><a href="http://paid.outbrain.com/network/redir?p=1">
        <img src="http://images.outbrain.com/x.png" width="300" height="200"><span>Brand C</span></a></div>
      <div id="ob-2" class="ob-dynamic-rec-container"><a href="http://news.example/internal">Internal</a></div>
    </div></div></body></html>"""
    ads = _scan(own_engine, body).ads
    assert sorted(a.slot_id for a in ads if a.slot_id) == ["card-1", "card-2", "ob-1"]
    assert {a.kind for a in ads} == {"native"}
    assert {a.network_hint for a in ads} == {"Taboola", "Outbrain"}


def test_empty_js_native_container_is_not_an_ad(own_engine: AdEngine) -> None:
    body = """<html><body><div id="taboola-x" class="trc_related_container"></div>
      <script async src="http://cdn.taboola.com/libtrc/x/loader.js"></script></body></html>"""
    scan = _scan(own_engine, body)
    assert scan.ads == []
    assert scan.ad_scripts


@pytest.mark.parametrize("body", [
    "<html><body><div class='ad-slot' id='a'><iframe src='http://ad.doubleclick.net/x' width=300 height=250>",
    "<div id=ad-1 class=ad-banner><a href=http://ib.adnxs.com/c><img src=http://ib.adnxs.com/i></a><p><b><i>",
    "\x00\x01<<<>>><html<body>>><div class='ad-slot' id='z'><img src='http://ib.adnxs.com/i'></div></span></td>",
    "<table><tr><div id='ad-q' class='ad-unit'><img src='http://ib.adnxs.com/i' width=300 height=250></table>",
])
def test_malformed_html_is_tolerated(own_engine: AdEngine, body: str) -> None:
    root = parse_html(body)
    assert root is not None
    scan = Detector(own_engine).scan(root, PAGE)
    assert len(scan.ads) == 1


def test_unparseable_input_returns_none() -> None:
    assert parse_html(b"") is None
    assert parse_html("   ") is None


def test_easylist_element_hiding_and_network_layers(easylist_engine: AdEngine) -> None:
    body = """<html><body><div id="div-gpt-ad-1700-1" class="gpt"><iframe
      src="http://tpc.googlesyndication.com/safeframe/1-0-40/html/container.html" width="728" height="90"></iframe>
      </div><div id="apn-ad-3" class="ad ad-banner"><a href="http://ib.adnxs.com/click?id=1"><img
      src="http://ib.adnxs.com/img?cr=1" width="300" height="250"></a></div></body></html>"""
    ads = {a.slot_id: a for a in _scan(easylist_engine, body, "http://www.journal.fr/a").ads}
    assert set(ads) == {"div-gpt-ad-1700-1", "apn-ad-3"}
    assert "element-hiding" in ads["div-gpt-ad-1700-1"].layers and ads["div-gpt-ad-1700-1"].selector
    assert "network" in ads["apn-ad-3"].layers and ads["apn-ad-3"].rule
