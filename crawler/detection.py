"""Find the ads in a page's DOM, in layers, with the reason kept for each ad.

Layers: ``element-hiding`` (the filter lists' ``##`` selectors, generic and per-domain),
``network`` (the lists' network rules on every iframe/image/link URL, plus, when rendering, the
requests each frame made) and ``native`` (sponsored cards of Taboola/Outbrain-style widgets, each
card its own ad). Matches nested in one another collapse to the outermost ad element; a slot
with no creative in it (an empty, unfilled slot) is not an ad. Works on static HTML and on the
DOM a browser rendered (where the caller adds visibility and size checks)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias
from urllib.parse import urljoin

from lxml import etree, html

from crawler.adtech import network_for_url
from crawler.attribution import domain_of
from crawler.filterlists import AdEngine

Element: TypeAlias = Any  # lxml.etree._Element (lxml ships no type stubs)

REQUEST_TYPES = {"iframe": "subdocument", "frame": "subdocument", "img": "image", "embed": "object",
                 "object": "object", "video": "media", "source": "media", "a": "other", "script": "script"}
_URL_ATTR = {"iframe": "src", "frame": "src", "img": "src", "embed": "src", "object": "data",
             "video": "src", "source": "src", "a": "href", "script": "src"}
_AD_TOKEN = re.compile(
    r"(?:^|[-_\s:])(ads?|advert\w*|adv|pubs?|publicit[eé]|sponsor\w*|banner|dfp|gpt|adslot|adunit|"
    r"ad-?slot|slot|promoted|native)(?:$|[-_\s\d:])", re.I)
_SPONSORED = re.compile(r"sponsor|syndicated|promoted|paid|partner|publicit|annonce|advertorial", re.I)
_ORGANIC = re.compile(r"\borganic\b|ob-o\b|-organic", re.I)
_LABEL_TEXT = re.compile(r"^\s*(publicit[ée]|advertisement|annonce|ad|ads|sponsored|sponsoris[ée]e?|"
                         r"contenu sponsoris[ée]|pub|anzeige|werbung|\W*)\s*$", re.I)
_STOP_TAGS = {"html", "body", "main", "article", "header", "footer", "nav", "form", "table", "ul", "ol"}
_MEDIA_TAGS = {"img", "picture", "video", "svg", "object", "embed", "canvas"}


@dataclass(frozen=True)
class NativePattern:
    """A native-ad widget: its container and its cards (XPath from CSS), and who serves it."""

    network: str | None
    container: str
    card: str


NATIVE_PATTERNS: tuple[NativePattern, ...] = (
    NativePattern("Taboola", '[id^="taboola-"], .trc_related_container, .trc_rbox_container',
                  ".videoCube, .trc_spotlight_item, [data-item-id]"),
    NativePattern("Outbrain", ".OUTBRAIN, .ob-widget, .ob-smartfeed-wrapper",
                  ".ob-dynamic-rec-container, .ob-rec-link-container"),
    NativePattern("MGID", '[id^="mgid"], .mgbox', ".mgline"),
    NativePattern("Revcontent", ".rc-widget, [id^='rc-widget']", ".rc-item"),
    NativePattern("Zergnet", '[id^="zergnet-widget"]', ".zergentity"),
    NativePattern("Plista", ".plista_widget_outstream, [class*='plista_widget']",
                  ".itemLinkPET, .plista_item"),
    NativePattern(None, '[data-widget*="sponsor"], [data-native-widget], .native-widget, .sponsored-widget, '
                        '.native-ads, .sponsored-links', '[data-sponsored], .sponsored-card, .native-card, '
                  '.sponsored-item, .native-item, [data-native-card]'),
)


@dataclass
class Ad:
    """One detected ad: the outermost ad element and why it is an ad."""

    element: Element
    layers: list[str] = field(default_factory=list)
    rule: str | None = None
    selector: str | None = None
    kind: str = "display"
    network_hint: str | None = None
    matched_urls: list[str] = field(default_factory=list)

    @property
    def slot_id(self) -> str | None:
        sid = self.element.get("id")
        if sid:
            return sid
        for el in self.element.iterdescendants():
            if isinstance(el.tag, str) and el.get("id") and el.tag not in {"script", "style"}:
                return el.get("id")
        return None

    @property
    def xpath(self) -> str:
        return str(self.element.getroottree().getpath(self.element))

    def detection(self) -> dict[str, object]:
        return {"layers": self.layers, "rule": self.rule, "selector": self.selector,
                "matched_urls": self.matched_urls[:5]}

    def text(self) -> str:
        parts = [t.strip() for t in self.element.itertext() if t.strip()]
        parts += [el.get("alt", "") for el in self.element.iter("img") if el.get("alt")]
        return " ".join(parts)[:2000]

    def urls(self, base_url: str) -> dict[str, list[str]]:
        """Creative URLs by kind (iframe, image, link, script) inside the ad."""
        out: dict[str, list[str]] = {"iframe": [], "image": [], "link": [], "script": []}
        for el in self.element.iter():
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag in ("iframe", "frame"):
                key, attr = "iframe", "src"
            elif tag == "img":
                key, attr = "image", "src"
            elif tag == "a":
                key, attr = "link", "href"
            elif tag == "script":
                key, attr = "script", "src"
            else:
                continue
            value = (el.get(attr) or el.get("data-" + attr) or "").strip()
            if value and not value.startswith(("javascript:", "about:", "data:", "#", "mailto:")):
                out[key].append(urljoin(base_url, value))
        return out


@dataclass
class PageScan:
    """Everything detection learnt from a page."""

    ads: list[Ad]
    ad_scripts: list[str]  # ad-tag script URLs (they call for rendering)
    selectors_tried: int = 0


def parse_html(body: str | bytes) -> Element | None:
    """lxml's forgiving HTML parser; None when there is nothing to parse."""
    try:
        root = html.fromstring(body)
    except (etree.ParserError, ValueError):
        return None
    return root


def _is_el(el: object) -> bool:
    return isinstance(getattr(el, "tag", None), str)


def _in_noscript(el: Element) -> bool:
    return any(a.tag == "noscript" for a in el.iterancestors())


def _inline_hidden(el: Element) -> bool:
    """Hidden by its own markup (``hidden``, ``display:none``...) or an ancestor's."""
    for node in (el, *el.iterancestors()):
        style = (node.get("style") or "").replace(" ", "").lower()
        if node.get("hidden") is not None or "display:none" in style or "visibility:hidden" in style:
            return True
        if node.get("aria-hidden") == "true" and node.tag not in ("body", "html"):
            return True
    return False


def _tiny(el: Element) -> bool:
    for attr in ("width", "height"):
        value = (el.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < 30:
            return True
    return False


def _ancestors_set(el: Element) -> set[Element]:
    return set(el.iterancestors())


def has_creative(el: Element, base_url: str,
                 frame_has_content: Callable[[Element], bool] | None = None) -> bool:
    """Whether a slot holds something a reader sees: a filled iframe, an image, a video, a
    link with text or a background image. An empty ``<div>`` or a bare ad-tag script does not."""
    for d in el.iter():
        if not _is_el(d) or d.tag in {"script", "style", "noscript"} or _in_noscript(d):
            continue
        tag = d.tag
        if tag in ("iframe", "frame"):
            src = (d.get("src") or "").strip()
            if (d.get("srcdoc") or (src and not src.startswith(("about:", "javascript:")))) and not _tiny(d):
                return True
            if frame_has_content is not None and frame_has_content(d) and not _tiny(d):
                return True
        elif tag in _MEDIA_TAGS:
            if tag == "img" and not (d.get("src") or d.get("srcset") or d.get("data-src")):
                continue
            if not _tiny(d):
                return True
        elif tag == "a" and (d.get("href") or "").strip() and "".join(d.itertext()).strip():
            return True
        if "background-image" in (d.get("style") or "") and "url(" in (d.get("style") or ""):
            return True
    return False


def _offsite_or_adtech(el: Element, page_domain: str | None, base_url: str) -> bool:
    """Something in the element points away from the publisher (off-site link, an iframe, an
    ad-tech URL): separates real ads from house promos styled like ad slots."""
    for d in el.iter("a", "iframe", "img", "frame"):
        if d.tag in ("iframe", "frame"):
            return True
        value = (d.get("href") if d.tag == "a" else d.get("src")) or ""
        if not value.strip() or value.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base_url, value.strip())
        if network_for_url(url):
            return True
        if d.tag == "a":
            dom = domain_of(url)
            if dom and dom != page_domain:
                return True
    return False


class Detector:
    """Runs the layers against one DOM with one engine."""

    def __init__(self, engine: AdEngine) -> None:
        self.engine = engine

    def scan(self, root: Element, page_url: str, *, rendered: bool = False,
             frame_rules: dict[Element, tuple[str, str]] | None = None,
             frame_has_content: Callable[[Element], bool] | None = None) -> PageScan:
        """Detect ads. ``frame_rules`` (rendering) names iframes whose frame made a request a
        network rule blocks: element -> (rule, url)."""
        base_url = page_url
        base = root.find(".//base[@href]")
        if base is not None:
            base_url = urljoin(page_url, base.get("href", ""))
        page_domain = domain_of(page_url)
        hits: dict[Element, Ad] = {}
        ad_scripts: list[str] = []

        def hit(el: Element, layer: str, rule: str | None = None, selector: str | None = None,
                url: str | None = None) -> None:
            ad = hits.get(el)
            if ad is None:
                ad = hits[el] = Ad(element=el)
            if layer not in ad.layers:
                ad.layers.append(layer)
            ad.rule = ad.rule or rule
            ad.selector = ad.selector or selector
            if url and url not in ad.matched_urls:
                ad.matched_urls.append(url)

        # 1. element hiding
        classes: set[str] = set()
        ids: set[str] = set()
        for el in root.iter():
            if not _is_el(el):
                continue
            cls = el.get("class")
            if cls:
                classes.update(cls.split())
            if el.get("id"):
                ids.add(el.get("id", ""))
        selectors = self.engine.cosmetic_selectors(page_url, classes, ids)
        for selector in selectors:
            xp = self.engine.compiled(selector)
            if xp is None:
                continue
            try:
                matched = xp(root)
            except etree.XPathError:
                continue
            if isinstance(matched, list):
                for el in matched:
                    if _is_el(el) and el.tag not in ("html", "body", "head"):
                        hit(el, "element-hiding", selector=selector)

        # 2. network rules on the URLs in the DOM
        for el in root.iter(*_URL_ATTR):
            if _in_noscript(el):
                continue
            raw = (el.get(_URL_ATTR[el.tag]) or "").strip()
            if not raw or raw.startswith(("javascript:", "about:", "data:", "#", "mailto:")):
                continue
            url = urljoin(base_url, raw)
            if not url.startswith(("http://", "https://")):
                continue
            rule = self.engine.check(url, page_url, REQUEST_TYPES[el.tag])
            if rule is None:
                continue
            if el.tag == "script":
                ad_scripts.append(url)
                continue
            if el.tag == "img" and _tiny(el):
                continue  # tracking pixel
            hit(el, "network", rule=rule, url=url)
        for el, (rule, url) in (frame_rules or {}).items():
            hit(el, "network", rule=rule, url=url)

        # 3. native widgets: every sponsored card is its own ad
        native_cards: dict[Element, tuple[str | None, str]] = {}
        native_containers: set[Element] = set()
        for pattern in NATIVE_PATTERNS:
            cxp = self.engine.compiled(pattern.container)
            kxp = self.engine.compiled(pattern.card)
            if cxp is None or kxp is None:
                continue
            for container in cxp(root):
                if not _is_el(container) or container in native_containers:
                    continue
                native_containers.add(container)
                for card in kxp(container):
                    if self._sponsored_card(card, page_domain, base_url):
                        native_cards.setdefault(card, (pattern.network, pattern.container))

        # collapse: cards stay cards; other hits go to their outermost matched ancestor
        ads: list[Ad] = []
        card_set = set(native_cards)
        card_ancestors: set[Element] = set()
        for card in card_set:
            card_ancestors |= _ancestors_set(card)
        for card, (network, selector) in native_cards.items():
            if any(a in card_set for a in card.iterancestors()):
                continue
            ad = Ad(element=card, layers=["native"], selector=selector, kind="native", network_hint=network)
            for el, other in hits.items():
                if el is card or card in _ancestors_set(el) or el in card_ancestors:
                    for layer in other.layers:
                        if layer not in ad.layers:
                            ad.layers.append(layer)
                    ad.rule = ad.rule or other.rule
                    ad.matched_urls += [u for u in other.matched_urls if u not in ad.matched_urls]
            ads.append(ad)

        remaining = {el: ad for el, ad in hits.items()
                     if el not in card_set and el not in card_ancestors
                     and el not in native_containers
                     and not any(a in card_set or a in native_containers for a in el.iterancestors())}
        outer: dict[Element, Ad] = {}
        for el, ad in remaining.items():
            top = el
            for anc in el.iterancestors():
                if anc in remaining:
                    top = anc
            target = outer.setdefault(top, Ad(element=top))
            for layer in ad.layers:
                if layer not in target.layers:
                    target.layers.append(layer)
            if top is el or target.rule is None:
                target.rule = target.rule or ad.rule
            target.selector = target.selector or ad.selector
            target.matched_urls += [u for u in ad.matched_urls if u not in target.matched_urls]

        for el, ad in outer.items():
            if _in_noscript(el) or (not rendered and _inline_hidden(el)):
                continue
            if not has_creative(el, base_url, frame_has_content):
                continue
            if ad.layers == ["element-hiding"] and not _offsite_or_adtech(el, page_domain, base_url):
                continue  # a house promo or an empty-looking box styled like a slot
            ad.element = self._climb(el, set(outer) - {el}, card_set)
            ad.kind = self._kind(ad.element)
            ads.append(ad)
        # two hits climbing to the same wrapper are one ad
        seen: dict[Element, Ad] = {}
        for ad in ads:
            prev = seen.get(ad.element)
            if prev is None:
                seen[ad.element] = ad
            else:
                prev.layers += [x for x in ad.layers if x not in prev.layers]
                prev.matched_urls += [u for u in ad.matched_urls if u not in prev.matched_urls]
        final = [ad for ad in seen.values()
                 if not any(a in seen for a in ad.element.iterancestors()) or ad.kind == "native"]
        return PageScan(ads=final, ad_scripts=ad_scripts, selectors_tried=len(selectors))

    @staticmethod
    def _sponsored_card(card: Element, page_domain: str | None, base_url: str) -> bool:
        marker = " ".join(filter(None, [card.get("class"), card.get("data-type"),
                                        card.get("data-item-type")]))
        if _ORGANIC.search(marker):
            return False
        if _SPONSORED.search(marker) or card.get("data-sponsored") not in (None, "false", "0"):
            return True
        for a in card.iter("a"):
            href = (a.get("href") or "").strip()
            if href.startswith(("http://", "https://", "//")):
                dom = domain_of(urljoin(base_url, href))
                if dom and dom != page_domain:
                    return True
        return False

    @staticmethod
    def _kind(el: Element) -> str:
        if any(True for _ in el.iter("iframe", "frame")):
            return "iframe"
        if any(True for _ in el.iter("img", "picture", "video")):
            return "image"
        return "text"

    @staticmethod
    def _climb(el: Element, others: set[Element], cards: set[Element]) -> Element:
        """Widen a match to the slot that wraps only it (``<div id="slot">`` around the matched
        iframe or the ``<a><img></a>`` a tag injected), so the reported slot is the outermost ad
        element. Climbs through pure wrappers only: into one with an id, into an anonymous one,
        or into an ad-named one while the current element has no id of its own."""
        current = el
        while True:
            parent = current.getparent()
            if parent is None or not _is_el(parent) or parent.tag in _STOP_TAGS:
                return current
            if parent in others or parent in cards:
                return current
            if not Detector._pure_wrapper(parent, current):
                return current
            ident = f"{parent.get('class', '')}".strip()
            adish = bool(_AD_TOKEN.search(f"{parent.get('id', '')} {ident}".replace("_", "-"))) or any(
                k.startswith("data-ad") for k in parent.attrib)
            if parent.get("id") or (not ident) or (adish and not current.get("id")):
                current = parent
                continue
            return current

    @staticmethod
    def _pure_wrapper(parent: Element, child: Element) -> bool:
        """``parent`` holds nothing a reader sees besides ``child`` (scripts and ad labels aside)."""
        own_text = (parent.text or "").strip() + "".join((c.tail or "").strip() for c in parent)
        if own_text and not _LABEL_TEXT.match(own_text):
            return False
        for sib in parent:
            if sib is child or not _is_el(sib) or sib.tag in ("script", "style", "noscript", "br"):
                continue
            if any(True for _ in sib.iter("a", "img", "iframe", "video", "picture", "p", "li")):
                return False
            sib_text = "".join(sib.itertext()).strip()
            if sib_text and not _LABEL_TEXT.match(sib_text):
                return False
        return True


def iter_ad_urls(ads: Iterable[Ad], base_url: str) -> Iterable[str]:
    for ad in ads:
        for urls in ad.urls(base_url).values():
            yield from urls
