"""HTML -> PageFacts: title, visible text, <meta> name/content pairs and language. Pure (lxml)."""

from __future__ import annotations

from typing import Any

import lxml.html

from rules.engine import PageFacts

_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "head"}
# page furniture that talks about *other* pages (menus, related links, sidebars): its words must
# not score this page
_BOILERPLATE_TAGS = {"nav", "aside", "footer"}
_BOILERPLATE_TOKENS = {"related", "sidebar", "menu", "breadcrumb", "breadcrumbs", "share", "newsletter",
                       "cookie", "cookies", "recommended", "trending", "popular", "widget"}
_BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th", "section", "article",
          "header", "footer", "aside", "nav", "blockquote", "pre", "dd", "dt", "figcaption", "main"}


def page_facts_from_html(url: str, html: str | bytes, *, skip_ads: bool = True,
                         skip_boilerplate: bool = True) -> PageFacts:
    """Visible text without scripts/styles and, by default, without ad slots (an ad's words must
    not score the page) and without page furniture (menus, related links, sidebars, footers)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    if not html.strip():
        return PageFacts(url=url)
    return page_facts_from_tree(url, lxml.html.document_fromstring(html), skip_ads=skip_ads,
                                skip_boilerplate=skip_boilerplate)


def page_facts_from_tree(url: str, doc: Any, *, skip_ads: bool = True, skip_boilerplate: bool = True) -> PageFacts:
    """The same from an already parsed lxml document (the crawler parses each page once)."""
    title = " ".join((doc.findtext(".//title") or "").split())
    meta: dict[str, Any] = {}
    for m in doc.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("http-equiv") or "").strip().lower()
        if key and m.get("content") is not None:
            meta[key] = m.get("content", "").strip()
    lang = doc.get("lang") or meta.get("language") or meta.get("og:locale")
    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            if el.tail:
                parts.append(el.tail)
            return
        if tag and ((skip_ads and _looks_like_ad(el)) or (skip_boilerplate and _is_boilerplate(el, tag))):
            if el.tail:
                parts.append(el.tail)
            return
        if tag in _BLOCK:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    body = doc.find("body")
    walk(body if body is not None else doc)
    text = "\n".join(" ".join(line.split()) for line in "".join(parts).splitlines() if line.strip())
    return PageFacts(url=url, title=title, text=text, meta=meta,
                     lang=str(lang).replace("_", "-").split("-")[0].lower() if lang else None)


def _looks_like_ad(el: Any) -> bool:
    attrs = " ".join(str(el.get(a) or "") for a in ("class", "id", "data-ad-slot", "data-ad")).lower()
    if el.get("data-ad-slot") is not None or el.get("data-ad") is not None:
        return True
    tokens = set(attrs.replace("_", "-").replace(" ", "-").split("-"))
    return bool(tokens & {"ad", "ads", "advert", "adslot", "adsbygoogle", "sponsored", "taboola", "outbrain"})


def _is_boilerplate(el: Any, tag: str) -> bool:
    if tag in _BOILERPLATE_TAGS:
        return True
    attrs = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('role') or ''}".lower()
    if not attrs.strip():
        return False
    tokens = set(attrs.replace("_", "-").replace(" ", "-").split("-"))
    return bool(tokens & _BOILERPLATE_TOKENS) or "navigation" in tokens or "complementary" in tokens
