"""Who an ad is for, without clicking it (a real click costs the advertiser money).

Candidate click URLs come from the creative and its iframes; click trackers often carry the
destination in a parameter (``adurl=``, ``url=``, ``dest=``...). Redirect chains are followed
hop by hop without running ad JavaScript: HTTP 3xx, ``<meta http-equiv=refresh>``, and simple
``location = "..."`` scripts, at most 10 hops. The landing page's registrable domain maps to a
brand through the registry (domains first, then the brand's aliases in the ad text); an unknown
advertiser domain is kept for triage. A guard refuses hops to private and loopback addresses
(server-side request forgery through a malicious ad) unless the user allows them."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from lxml import etree, html

from crawler.adtech import network_for_url
from vigie.domains import host_of, registrable_domain

MAX_HOPS = 10
DEST_PARAMS = ("adurl", "url", "dest", "destination", "dest_url", "desturl", "u", "redirect", "redirect_url",
               "redirecturl", "redir", "clickurl", "click_url", "clicktag", "landing", "landingurl", "lp",
               "target", "to", "goto", "next", "r", "rurl", "ru")
_META_REFRESH = re.compile(r"""^\s*\d*\s*[;,]?\s*(?:url\s*=\s*)?['"]?([^'"]+)['"]?\s*$""", re.I)
_JS_LOCATION = [
    re.compile(r"""(?:window\.|document\.|top\.|self\.|parent\.)?location(?:\.href)?\s*=\s*(['"])(.+?)\1"""),
    re.compile(r"""(?:window\.|document\.|top\.|self\.)?location\.(?:replace|assign)\(\s*(['"])(.+?)\1\s*\)"""),
]


@dataclass
class Fetched:
    """One hop's response, as the resolver needs it."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""
    error: str | None = None


Fetch = Callable[[str], Awaitable[Fetched]]


@dataclass
class Chain:
    """A resolved click chain: every hop with how we got there, and where it ended."""

    hops: list[dict[str, Any]] = field(default_factory=list)
    landing_url: str | None = None
    error: str | None = None

    @property
    def landing_domain(self) -> str | None:
        return domain_of(self.landing_url)


def domain_of(url: str | None) -> str | None:
    """The registrable domain of a URL, or its host when the suffix is not public (``.example``,
    ``.test``, IP addresses): such names still identify a site in tests and intranets."""
    if not url:
        return None
    dom = registrable_domain(url)
    if dom:
        return dom
    host = host_of(url)
    if host.startswith("www."):
        host = host[4:]
    return host or None


# --- candidates ------------------------------------------------------------------------------


def destination_param(url: str) -> str | None:
    """The absolute http(s) URL a click tracker carries in its query, if any (nested ones too)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    params = parse_qsl(parts.query, keep_blank_values=False) + parse_qsl(parts.fragment)
    by_name = {k.lower(): v for k, v in params}
    for name in DEST_PARAMS:
        value = by_name.get(name)
        if not value:
            continue
        value = value.strip()
        for _ in range(2):
            if value.lower().startswith(("http%3a", "https%3a")):
                value = unquote(value)
        if value.lower().startswith(("http://", "https://")):
            return destination_param(value) or value if network_for_url(value) else value
    return None


def _clean(url: str | None, base: str) -> str | None:
    if not url:
        return None
    url = url.strip()
    if not url or url.startswith(("javascript:", "about:", "data:", "#", "mailto:", "tel:")):
        return None
    full = urljoin(base, url)
    return full if full.startswith(("http://", "https://")) else None


def click_urls_in(root: etree._Element, base_url: str) -> list[str]:
    """Click candidates in a creative: links, ``data-*`` click attributes, ``onclick`` URLs,
    in document order, deduplicated."""
    out: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        values = []
        if el.tag in ("a", "area"):
            values.append(el.get("href"))
        for key in ("data-href", "data-click-url", "data-clickurl", "data-url", "data-landing", "data-dest"):
            values.append(el.get(key))
        onclick = el.get("onclick") or ""
        m = re.search(r"""(https?://[^'"\s)]+)""", onclick)
        if m:
            values.append(m.group(1))
        for value in values:
            url = _clean(value, base_url)
            if url and url not in out:
                out.append(url)
    return out


def parse_creative(body: bytes | str, base_url: str) -> tuple[list[str], list[str], str]:
    """A creative document (an ad iframe's HTML) -> (click URLs, nested iframe URLs, text)."""
    try:
        root = html.fromstring(body)
    except (etree.ParserError, ValueError):
        return [], [], ""
    base = root.find(".//base[@href]")
    if base is not None:
        base_url = urljoin(base_url, base.get("href", ""))
    frames = [u for u in (_clean(f.get("src"), base_url) for f in root.iter("iframe", "frame")) if u]
    text = " ".join(t.strip() for t in root.xpath("//body//text()[not(ancestor::script) and "
                                                  "not(ancestor::style)]") if str(t).strip())
    alts = " ".join(img.get("alt", "") for img in root.iter("img") if img.get("alt"))
    urls = click_urls_in(root, base_url)
    # a creative that is itself a redirect (meta refresh / location script) names its click URL too
    nxt = next_hop_from_body(body if isinstance(body, bytes) else body.encode(), base_url)
    if nxt and nxt[0] not in urls:
        urls.append(nxt[0])
    return urls, frames, f"{text} {alts}".strip()[:2000]


def rank_candidates(urls: Iterable[str], page_domain: str | None) -> list[str]:
    """Best first: click trackers carrying a destination, ad-tech click URLs, then any link
    leaving the publisher. Links back to the publisher are dropped."""
    scored = []
    for i, url in enumerate(dict.fromkeys(urls)):
        dom = domain_of(url)
        if not dom or dom == page_domain:
            continue
        score = 0 if destination_param(url) else 1 if network_for_url(url) else 2
        scored.append((score, i, url))
    return [u for _, _, u in sorted(scored)]


# --- hops ------------------------------------------------------------------------------------


def next_hop_from_body(body: bytes, base_url: str) -> tuple[str, str] | None:
    """A meta refresh or a one-line ``location`` script in a small HTML body (not executed)."""
    if not body:
        return None
    head = body[:65536]
    try:
        text = head.decode("utf-8", "replace")
    except Exception:
        return None
    try:
        root = html.fromstring(text)
    except (etree.ParserError, ValueError):
        root = None
    if root is not None:
        for meta in root.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "refresh":
                m = _META_REFRESH.match(meta.get("content") or "")
                if m:
                    url = _clean(m.group(1), base_url)
                    if url:
                        return url, "meta-refresh"
        scripts = " ".join(s.text or "" for s in root.iter("script") if not s.get("src"))
    else:
        scripts = text
    for pattern in _JS_LOCATION:
        m = pattern.search(scripts)
        if m:
            url = _clean(m.group(2).replace("\\/", "/"), base_url)
            if url:
                return url, "js-location"
    return None


def next_hop(resp: Fetched) -> tuple[str, str] | None:
    if 300 <= resp.status < 400:
        loc = resp.headers.get("location")
        if loc:
            url = _clean(loc, resp.url)
            if url:
                return url, f"http-{resp.status}"
        return None
    if resp.status == 200:
        ctype = resp.headers.get("content-type", "text/html").lower()
        if "html" in ctype or not ctype:
            return next_hop_from_body(resp.body, resp.url)
    return None


# --- SSRF guard ------------------------------------------------------------------------------


def _private_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified)


def ssrf_refusal(url: str, *, allow_private: bool = False, resolve: bool = True) -> str | None:
    """Why a hop must not be fetched, or None. IP literals and ``localhost`` are always checked;
    other names are resolved only when ``resolve`` (no proxy: behind a proxy, the proxy resolves)."""
    if allow_private:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return "invalid URL"
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme!r} not allowed"
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "no host"
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is a loopback name"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is None and re.fullmatch(r"(0x[0-9a-f]*|\d+)(\.(0x[0-9a-f]*|\d+)){0,3}", host):
        try:  # 0x7f.1, 2130706433 and other forms browsers accept
            ip = ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            ip = None
    if ip is not None:
        return f"{host} is a private or loopback address" if _private_ip(ip) else None
    if resolve:
        try:
            infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                       type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return None  # unresolvable: the fetch fails on its own
        for info in infos:
            addr = ipaddress.ip_address(info[4][0])
            if _private_ip(addr):
                return f"{host} resolves to private address {addr}"
    return None


async def resolve_chain(start: str, fetch: Fetch, *, allow_private: bool = False, resolve_dns: bool = True,
                        max_hops: int = MAX_HOPS,
                        guard: Callable[[str], Awaitable[str | None]] | None = None) -> Chain:
    """Follow ``start`` hop by hop (no JavaScript is run). Stops at the first page that does
    not redirect (the landing page), at a loop, at ``max_hops``, at an error or at the guard;
    when it stops early the tracker's destination parameter, if any, gives the landing URL."""
    chain = Chain()
    url = start
    via = "click"
    seen: set[str] = set()
    for _ in range(max_hops + 1):
        if url in seen:
            chain.error = "redirect loop"
            break
        seen.add(url)
        refusal = await guard(url) if guard else ssrf_refusal(url, allow_private=allow_private,
                                                              resolve=resolve_dns)
        if refusal:
            chain.hops.append({"url": url, "via": via, "refused": refusal})
            chain.error = f"refused: {refusal}"
            break
        resp = await fetch(url)
        hop: dict[str, Any] = {"url": url, "via": via, "status": resp.status}
        if resp.error:
            hop["error"] = resp.error
            chain.hops.append(hop)
            chain.error = resp.error
            break
        chain.hops.append(hop)
        nxt = next_hop(resp)
        if nxt is None:
            if 200 <= resp.status < 300:
                chain.landing_url = resp.url
            else:
                chain.error = f"HTTP {resp.status}"
            break
        url, via = nxt
    else:
        chain.error = f"more than {max_hops} hops"
    if chain.landing_url is None:
        for hop in reversed(chain.hops):
            dest = destination_param(hop["url"])
            if dest:
                chain.landing_url = dest
                chain.hops.append({"url": dest, "via": "param", "status": None})
                break
    if chain.landing_url and network_for_url(chain.landing_url):
        # ended on an ad server (a blank creative or a dead tracker): not an advertiser
        dest = destination_param(chain.landing_url)
        chain.landing_url = dest
    return chain


# --- brands ----------------------------------------------------------------------------------


@dataclass
class BrandMatcher:
    """Landing domain -> brand id through ``BrandDomain``, else a brand alias in the ad text."""

    by_domain: dict[str, int]
    aliases: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._alias_res = [(re.compile(r"(?<!\w)" + re.escape(a) + r"(?!\w)", re.I), b)
                           for a, b in sorted(self.aliases, key=lambda x: -len(x[0])) if len(a) >= 3]

    def by_landing(self, url_or_domain: str | None) -> int | None:
        if not url_or_domain:
            return None
        dom = domain_of(url_or_domain) if "/" in url_or_domain else url_or_domain
        if dom is None:
            return None
        if dom in self.by_domain:
            return self.by_domain[dom]
        host = host_of(url_or_domain)
        while "." in host:  # brand domains registered as sub-domains (shop.brand.co.uk)
            if host in self.by_domain:
                return self.by_domain[host]
            host = host.split(".", 1)[1]
        return None

    def by_text(self, text: str | None) -> int | None:
        if not text:
            return None
        for regex, brand_id in self._alias_res:
            if regex.search(text):
                return brand_id
        return None

    def match(self, landing_url: str | None, text: str | None) -> tuple[int | None, str | None]:
        brand = self.by_landing(landing_url)
        if brand is not None:
            return brand, "domain"
        brand = self.by_text(text)
        if brand is not None:
            return brand, "alias"
        return None, None


def load_brand_matcher(session: Any) -> BrandMatcher:
    from sqlalchemy import select

    from store.models import Brand
    from store.registry import brand_by_domain

    aliases: list[tuple[str, int]] = []
    for brand in session.scalars(select(Brand)):
        for alias in [brand.name, *(brand.aliases or [])]:
            if isinstance(alias, str) and alias.strip():
                aliases.append((alias.strip(), brand.id))
    return BrandMatcher(by_domain=brand_by_domain(session), aliases=aliases)
