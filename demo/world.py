"""The demo world: publishers, pages, ads, click chains, landing sites and activist posts,
generated deterministically from a seed, with the ground truth that detectors are scored
against. Everything is rendered into an in-memory route table at build time so the proxy
(``demo.server``) only looks responses up.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from demo import catalog as C
from demo.content import BYLINES, FORUM_USERS, TOPIC_TRUTH, UI, bank
from demo.png import RGB, hex_rgb, png

# --------------------------------------------------------------------------- small helpers

esc = html.escape


def js_str(value: str) -> str:
    """A JavaScript string literal that is also safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def slugify(text: str, max_len: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-")


def route_key(host: str, path: str, query: str = "") -> str:
    """Normalised lookup key: lower-case host without port, path, and the query parameters
    decoded and sorted, so percent-encoding or parameter order chosen by a client (Scrapy,
    Chromium, httpx) never makes a route miss."""
    host = host.lower().split(":", 1)[0].rstrip(".")
    path = path or "/"
    if query:
        pairs = sorted(parse_qsl(query, keep_blank_values=True))
        return f"{host}{path}?{urlencode(pairs)}"
    return f"{host}{path}"


def key_of_url(url: str) -> str:
    parts = urlsplit(url)
    return route_key(parts.hostname or "", parts.path, parts.query)


def reg_domain(host: str) -> str:
    """Registrable domain of a demo host (the demo only uses one-label public suffixes and
    .co.uk, so this avoids importing the PSL at build time)."""
    labels = host.lower().split(".")
    if len(labels) >= 3 and labels[-2] in ("co", "org") and labels[-1] == "uk":
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@dataclass(frozen=True)
class Response:
    """One HTTP response as stored in the route table."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def html_response(text: str, status: int = 200) -> Response:
    return Response(status, "text/html; charset=utf-8", text.encode("utf-8"))


def redirect(location: str, status: int = 302) -> Response:
    body = f'<html><body>Moved: <a href="{esc(location)}">{esc(location)}</a></body></html>'
    return Response(status, "text/html; charset=utf-8", body.encode(), (("Location", location),))


def json_response(data: Any, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, "application/json; charset=utf-8", body, headers)


LazyResponse = Callable[[], Response]

# --------------------------------------------------------------------------- model


@dataclass
class Brand:
    name: str
    domains: list[str]
    aliases: list[str]
    handles: dict[str, str]
    color: str
    landing_host: str
    campaigns: list[str]
    tagline: dict[str, str]
    known: bool = True
    bluesky_did: str = ""

    @property
    def domain(self) -> str:
        return self.domains[0]


@dataclass
class Page:
    url: str
    site: str
    lang: str
    title: str
    description: str
    categories: list[str]
    tier: str
    page_type: str           # home | article
    topic: str
    paragraphs: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)   # hrefs as written in the HTML


@dataclass
class Site:
    spec: C.SiteSpec
    pages: list[Page] = field(default_factory=list)
    accounts: dict[str, str] = field(default_factory=dict)   # network -> seller account id

    @property
    def domain(self) -> str:
        return self.spec.domain

    @property
    def home_url(self) -> str:
        return f"http://{self.spec.host}/"

    @property
    def categories(self) -> list[str]:
        seen: dict[str, None] = {}
        for p in self.pages:
            for c in p.categories:
                seen.setdefault(c, None)
        return list(seen)


def _token(rng: random.Random, n: int = 16) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


class World:
    """The generated demo web. Build it with :func:`build_world`."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"vigie-demo:{seed}")
        self.routes: dict[str, Response | LazyResponse] = {}
        self.sites: list[Site] = []
        self.brands: list[Brand] = []
        self.unknown: list[Brand] = []
        self.ads: list[dict[str, Any]] = []
        self.decoys: list[dict[str, Any]] = []
        self.posts: list[dict[str, Any]] = []
        self.robots_disallowed: list[str] = []
        self.hosts: set[str] = set()
        # filled by demo.social
        self.social: Any = None
        self._slot_seq = 0
        self.unused_brands: list[Brand] = []

    # ------------------------------------------------------------------ routes
    def add(self, url: str, response: Response | LazyResponse) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        self.hosts.add(host)
        self.routes[route_key(host, parts.path, parts.query)] = response

    def add_png(self, url: str, width: int, height: int, color: RGB, accent: RGB | None = None,
                header: RGB | None = None) -> None:
        def make() -> Response:
            return Response(200, "image/png", png(width, height, color, accent, header),
                            (("Cache-Control", "max-age=86400"),))
        self.add(url, make)

    def lookup(self, host: str, path: str, query: str) -> Response | None:
        """The stored response for a request, or None. Exact (normalised) URL first, then the
        same path without query (landing pages carry utm parameters)."""
        entry = self.routes.get(route_key(host, path, query))
        if entry is None and query:
            entry = self.routes.get(route_key(host, path))
        if entry is None:
            return None
        return entry() if callable(entry) else entry

    def knows_host(self, host: str) -> bool:
        return host.lower().split(":", 1)[0] in self.hosts

    # ------------------------------------------------------------------ public API
    @property
    def pages(self) -> list[Page]:
        return [p for s in self.sites for p in s.pages]

    def brands_yaml(self) -> str:
        """The brand registry in the ``vigie brands import`` YAML format (known brands only)."""
        out = []
        for b in self.brands:
            out.append(f"- name: {_yq(b.name)}")
            out.append(f"  domains: [{', '.join(b.domains)}]")
            out.append(f"  aliases: [{', '.join(_yq(a) for a in b.aliases)}]")
            hs = ", ".join(f"{k}: {_yq(v)}" for k, v in b.handles.items())
            out.append(f"  handles: {{{hs}}}")
        return "\n".join(out) + "\n"

    def sites_yaml(self) -> str:
        """The publisher registry in the ``vigie sites import`` YAML format."""
        out = []
        for s in self.sites:
            out.append(f"- domain: {s.domain}")
            out.append(f"  name: {_yq(s.spec.name)}")
            out.append(f"  aliases: [{', '.join(_yq(a) for a in s.spec.aliases)}]")
        return "\n".join(out) + "\n"

    def seed_urls(self) -> list[str]:
        return [s.home_url for s in self.sites]

    def activist_specs(self) -> list[str]:
        return [f"mastodon:http://{C.MASTODON_HOST}/@{self.social.mastodon_username}",
                f"bluesky:{self.social.bluesky_handle}"]

    def ground_truth(self) -> dict[str, Any]:
        """JSON-serialisable truth; schema in demo/README.md."""
        return {
            "seed": self.seed,
            "sites": [{"domain": s.domain, "host": s.spec.host, "name": s.spec.name, "lang": s.spec.lang,
                       "kind": s.spec.kind, "mfa": s.spec.mfa, "categories": s.categories}
                      for s in self.sites],
            "pages": [{"url": p.url, "site": p.site, "lang": p.lang, "title": p.title,
                       "page_type": p.page_type, "categories": list(p.categories), "tier": p.tier}
                      for p in self.pages],
            "brands": [{"name": b.name, "domains": list(b.domains), "landing_host": b.landing_host}
                       for b in self.brands],
            "unknown_advertisers": [{"name": b.name, "domain": b.domain} for b in self.unknown],
            "ads": [dict(a) for a in self.ads],
            "decoys": [dict(d) for d in self.decoys],
            "posts": [dict(p) for p in self.posts],
            "robots_disallowed": list(self.robots_disallowed),
        }

    def ground_truth_json(self) -> str:
        return json.dumps(self.ground_truth(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"

    def write_files(self, directory: str | Path) -> dict[str, Path]:
        """Write brands.yaml, sites.yaml, seeds.txt, activists.txt and ground_truth.json."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        files = {
            "brands": (d / "brands.yaml", self.brands_yaml()),
            "sites": (d / "sites.yaml", self.sites_yaml()),
            "seeds": (d / "seeds.txt", "\n".join(self.seed_urls()) + "\n"),
            "activists": (d / "activists.txt", "\n".join(self.activist_specs()) + "\n"),
            "ground_truth": (d / "ground_truth.json", self.ground_truth_json()),
        }
        for path, text in files.values():
            path.write_text(text, encoding="utf-8")
        return {k: v[0] for k, v in files.items()}

    # ------------------------------------------------------------------ helpers for builders
    def next_id(self) -> int:
        self._slot_seq += 1
        return self._slot_seq


def _yq(value: str) -> str:
    """YAML-quote a scalar when needed (``&``, ``:``, accents are fine quoted)."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._@-]*", value) and not value.endswith(" "):
        return value
    return json.dumps(value, ensure_ascii=False)


# =========================================================================== building


def build_world(seed: int = 7) -> World:
    """Build the whole demo web from ``seed``; same seed, byte-identical output."""
    from demo import social

    w = World(seed)
    _build_brands(w)
    for spec in C.SITES:
        _build_site(w, spec)
    for site in w.sites:
        _render_site(w, site)
    _build_landings(w)
    social.build(w)
    _build_plain_files(w)
    return w


# --------------------------------------------------------------------------- brands


def _did_for(handle: str) -> str:
    digest = hashlib.sha256(handle.encode()).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "did:plc:" + "".join(alphabet[b % 32] for b in digest[:24])


def _build_brands(w: World) -> None:
    for spec in C.BRANDS:
        mastodon = f"{spec.handle}@{spec.mastodon_instance}"
        bsky = f"{spec.handle}.bsky.social"
        b = Brand(
            name=spec.name, domains=list(spec.domains), aliases=list(spec.aliases),
            handles={"x": spec.handle, "mastodon": mastodon, "bluesky": bsky},
            color=spec.color, landing_host=("www." if spec.www else "") + spec.domains[0],
            campaigns=list(spec.campaigns), tagline={"fr": spec.tagline_fr, "en": spec.tagline_en},
            bluesky_did=_did_for(bsky))
        w.brands.append(b)
    w.unused_brands = list(w.brands)
    w.rng.shuffle(w.unused_brands)
    for u in C.UNKNOWN:
        w.unknown.append(Brand(
            name=u.name, domains=[u.domain], aliases=[], handles={}, color=u.color,
            landing_host="www." + u.domain, campaigns=[u.path],
            tagline={"fr": u.tagline_fr, "en": u.tagline_en}, known=False))


# --------------------------------------------------------------------------- sites & pages

_RISKY_UNKNOWN_SHARE = 0.18
_SAFE_UNKNOWN_SHARE = 0.05


def _article_path(spec: C.SiteSpec, slug: str, n: int, rng: random.Random) -> str:
    if spec.url_style == "dated":
        return f"/{2026}/{rng.randint(1, 10):02d}/{rng.randint(1, 28):02d}/{slug}.html"
    if spec.url_style == "forum_query":
        return f"/viewtopic.php?f={rng.randint(2, 9)}&t={1000 + n * 37 + rng.randint(0, 30)}"
    if spec.url_style == "forum_path":
        return f"/t/{slug}/{2000 + n * 53 + rng.randint(0, 40)}"
    return f"/{slug}/"


def _build_site(w: World, spec: C.SiteSpec) -> None:
    rng = random.Random(f"vigie-demo:{w.seed}:site:{spec.domain}")
    site = Site(spec)
    for net in spec.networks:
        _system, _cert, pattern = C.AD_SYSTEMS[net]
        site.accounts[net] = pattern.format(
            n16=_digits(rng, 16), n6=_digits(rng, 6), n4=_digits(rng, 4), n10=_digits(rng, 8),
            n5=_digits(rng, 5), slug=spec.domain.split(".")[0])
    # pick titles per topic without repeats inside the site
    by_topic: dict[str, list[str]] = {}
    for topic in dict.fromkeys(spec.topics):
        titles = list(bank(topic, spec.lang)["titles"])
        rng.shuffle(titles)
        by_topic[topic] = titles
    home = Page(url=site.home_url, site=spec.domain, lang=spec.lang, title=spec.name,
                description="", categories=[], tier="none", page_type="home", topic="home")
    site.pages.append(home)
    used: dict[str, int] = {}
    for n, topic in enumerate(spec.topics):
        k = used.get(topic, 0)
        used[topic] = k + 1
        titles = by_topic[topic]
        title = titles[k % len(titles)] + ("" if k < len(titles) else f" ({k // len(titles) + 1})")
        paras = list(bank(topic, spec.lang)["paras"])
        rng.shuffle(paras)
        chosen = paras[: rng.randint(3, min(5, len(paras)))]
        path = _article_path(spec, slugify(title), n, rng)
        cats, tier = TOPIC_TRUTH[topic]
        desc = chosen[0][:150].rsplit(" ", 1)[0] + "…"
        site.pages.append(Page(url=f"http://{spec.host}{path}", site=spec.domain, lang=spec.lang,
                               title=title, description=desc, categories=list(cats), tier=tier,
                               page_type="article", topic=topic, paragraphs=chosen))
    # home page truth: the teasers it shows
    from rules.garm import worse

    tier = "none"
    home_cats: dict[str, None] = {}
    for p in site.pages[1:]:
        for c in p.categories:
            home_cats.setdefault(c, None)
        tier = worse(tier, p.tier)
    home.categories = list(home_cats)
    home.tier = tier
    home.description = {"fr": f"{spec.name} : toute l'actualité et nos articles.",
                        "en": f"{spec.name}: latest stories and articles."}[spec.lang]
    w.sites.append(site)


# --------------------------------------------------------------------------- ads


_SIZES = ((300, 250), (300, 250), (728, 90), (300, 600), (320, 100))

_UNIT_KINDS: dict[str, tuple[str, ...]] = {
    C.GAM: ("gam",), C.XANDR: ("xandr",), C.CRITEO: ("criteo",), C.EQUATIV: ("equativ",),
    C.TABOOLA: ("taboola_static", "taboola_js"), C.OUTBRAIN: ("outbrain_static", "outbrain_js"),
}

_CHAINS: dict[str, tuple[tuple[str, ...], ...]] = {
    C.GAM: (("302",), ("302", "302"), ("302", "meta")),
    C.XANDR: (("302",), ("302", "js"), ("js",)),
    C.CRITEO: (("302",), ("meta",), ("302", "302")),
    C.EQUATIV: (("302",), ("meta", "302"), ("js",)),
    C.TABOOLA: (("302",), ("302", "302"), ("302", "meta")),
    C.OUTBRAIN: (("302",), ("302", "js"), ("302", "302")),
}

_DEST_PARAM = {C.GAM: "adurl", C.XANDR: "url", C.CRITEO: "dest", C.EQUATIV: "dest",
               C.TABOOLA: "url", C.OUTBRAIN: "url"}


class _PageAds:
    """Collects the ad and decoy HTML of one page while registering every route they need."""

    def __init__(self, w: World, site: Site, page: Page, rng: random.Random) -> None:
        self.w, self.site, self.page, self.rng = w, site, page, rng
        self.top: list[str] = []
        self.inline: list[str] = []
        self.side: list[str] = []
        self.bottom: list[str] = []
        self.scripts: list[str] = []   # script URLs the page includes (for tests)
        self._pending: list[tuple[str, str, Brand, str, list[str], str, str, bool]] = []
        self.native_cap = 3   # cards per native widget; lowered so ordinary pages keep 1-4 ads

    # -- advertisers ---------------------------------------------------------
    def advertiser(self) -> Brand:
        risky = self.page.tier not in ("none", "low")
        share = _RISKY_UNKNOWN_SHARE if risky else _SAFE_UNKNOWN_SHARE
        if self.rng.random() < share:
            return self.rng.choice(self.w.unknown[:2])
        unused = self.w.unused_brands
        if unused and self.rng.random() < 0.5:
            return unused.pop(0)
        return self.rng.choice(self.w.brands)

    def landing(self, brand: Brand, net: str, medium: str) -> str:
        path = self.rng.choice(brand.campaigns)
        q = urlencode({"utm_source": net.split()[0].lower(), "utm_medium": medium,
                       "utm_campaign": slugify(path) or "home", "utm_content": _token(self.rng, 8)})
        return f"http://{brand.landing_host}{path}?{q}"

    # -- click chains --------------------------------------------------------
    def chain(self, net: str, landing: str, kinds: tuple[str, ...]) -> tuple[str, bool]:
        """Register the tracker hops for ``kinds`` and return (first URL, dest-param present)."""
        r, tok = self.rng, _token(self.rng)
        with_param = r.random() < 0.7
        dest = f"&{_DEST_PARAM[net]}={quote(landing, safe='')}" if with_param else ""
        first, second = {
            C.GAM: (f"http://adclick.g.doubleclick.net/pcs/click?xai=AKAOj{tok}&sig=Cg0Ar{_token(r, 10)}{dest}",
                    f"http://ad.doubleclick.net/ddm/trackclk/N{_digits(r, 4)}.{_digits(r, 6)}/"
                    f"B{_digits(r, 8)}.{_digits(r, 9)};dc_trk_aid={_digits(r, 9)};dc_trk_cid={_digits(r, 9)}"),
            C.XANDR: (f"http://ib.adnxs.com/click?id={tok}&cr={_digits(r, 9)}{dest}",
                      f"http://secure.adnxs.com/clktrb?id={_digits(r, 9)}&t={tok}"),
            C.CRITEO: (f"http://cat.fr.eu.criteo.com/delivery/ck.php?cppv=3&cpp={tok}{dest}",
                       f"http://cat.fr.eu.criteo.com/delivery/rdr.php?id={tok}"),
            C.EQUATIV: (f"http://www8.smartadserver.com/click?imgid={_digits(r, 8)}&insid={_digits(r, 7)}"
                        f"&tok={tok}{dest}",
                        f"http://www8.smartadserver.com/clk/rdr?tok={tok}"),
            C.TABOOLA: (f"http://trc.taboola.com/vigiedemo-{self.site.domain.split('.')[0]}/log/3/click?"
                        f"pi={quote(urlsplit(self.page.url).path, safe='')}&ri={tok}{dest}",
                        f"http://trc.taboola.com/redir?ri={tok}"),
            C.OUTBRAIN: (f"http://paid.outbrain.com/network/redir?p={tok}&c={_digits(r, 8)}&v=3{dest}",
                         f"http://traffic.outbrain.com/network/trackpxl?p={tok}"),
        }[net]
        hops = [first, second][: len(kinds)]
        register_chain(self.w, hops, list(kinds), landing)
        return first, with_param

    # -- helpers -------------------------------------------------------------
    def slot_n(self) -> int:
        return self.w.next_id()

    def record(self, slot_id: str, net: str, kind: str, needs_js: bool, brand: Brand, landing: str | None,
               chain_kinds: list[str], click_url: str, creative_url: str, size: tuple[int, int],
               dest_param: bool, note: str | None = None, advertiser_domain: str | None = "") -> None:
        self.w.ads.append({
            "page_url": self.page.url, "slot_id": slot_id, "network": net, "kind": kind,
            "needs_js": needs_js, "brand": brand.name if brand.known else None,
            "advertiser_name": brand.name,
            "advertiser_domain": reg_domain(brand.landing_host) if advertiser_domain == "" else advertiser_domain,
            "landing_url": landing, "chain_kinds": chain_kinds, "click_url": click_url,
            "dest_param": dest_param, "creative_url": creative_url, "width": size[0], "height": size[1],
            "note": note,
        })

    def alt(self, brand: Brand) -> str:
        return f"{brand.name} — {brand.tagline[self.page.lang]}"

    def creative(self, url: str, brand: Brand, size: tuple[int, int]) -> None:
        self.w.add_png(url, size[0], size[1], hex_rgb(brand.color), (255, 255, 255))

    def pick_chain(self, net: str) -> tuple[str, ...]:
        return self.rng.choice(_CHAINS[net])

    # -- unit kinds ----------------------------------------------------------
    def gam(self, where: list[str], brand: Brand | None = None, hidden: bool = False) -> None:
        r = self.rng
        brand = brand or self.advertiser()
        size = r.choice(_SIZES)
        n = self.slot_n()
        slot_id = f"div-gpt-ad-{1700000000000 + n * 7919}-{n % 10}"
        if hidden:
            slot_id = f"div-gpt-ad-hidden-{n}"
        landing = self.landing(brand, C.GAM, "display")
        kinds = self.pick_chain(C.GAM)
        click, with_param = self.chain(C.GAM, landing, kinds)
        creative = f"http://tpc.googlesyndication.com/simgad/{_digits(r, 19)}"
        self.creative(creative, brand, size)
        frame = (f"http://tpc.googlesyndication.com/safeframe/1-0-40/html/container.html"
                 f"?n=0&slot={quote(slot_id)}&cb={_digits(r, 10)}")
        doc = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Advertisement</title></head>'
               f'<body style="margin:0;padding:0">'
               f'<a id="aw0" href="{esc(click)}" target="_top">'
               f'<img src="{esc(creative)}" width="{size[0]}" height="{size[1]}" alt="{esc(self.alt(brand))}" '
               f'border="0"></a></body></html>')
        self.w.add(frame, html_response(doc))
        style = ' style="display:none"' if hidden else ""
        where.append(
            f'<div id="{slot_id}" class="ad-slot gpt-ad"{style} data-ad-network="gam">'
            f'<iframe id="google_ads_iframe_{n}" title="3rd party ad content" src="{esc(frame)}" '
            f'width="{size[0]}" height="{size[1]}" frameborder="0" scrolling="no"></iframe></div>')
        if hidden:
            self.w.decoys.append({"page_url": self.page.url, "slot_id": slot_id, "why": "hidden"})
        else:
            self.record(slot_id, C.GAM, "iframe", False, brand, landing, list(kinds), click, creative,
                        size, with_param)

    def xandr(self, where: list[str], brand: Brand | None = None, special: str | None = None) -> None:
        r = self.rng
        brand = brand or self.advertiser()
        size = r.choice(((300, 250), (728, 90), (300, 250)))
        n = self.slot_n()
        slot_id = f"apn-ad-{n}"
        creative = f"http://ib.adnxs.com/img?cr={_digits(r, 9)}&s={_token(r, 8)}"
        self.creative(creative, brand, size)
        note = None
        landing: str | None
        if special == "loop":
            a = f"http://{C.LOOP_TRACKER_HOST}/r/{_token(r, 10)}?step=1"
            b = f"http://{C.LOOP_TRACKER_HOST}/r/{_token(r, 10)}?step=2"
            self.w.add(a, redirect(b))
            self.w.add(b, redirect(a))
            click, landing, kinds, with_param, note, adv = a, None, ["302", "302"], False, "redirect_loop", None
        elif special == "long":
            hops = [f"http://{C.LONG_TRACKER_HOST}/h/{i}/{_token(r, 6)}" for i in range(C.LONG_CHAIN_HOPS)]
            landing = self.landing(brand, C.XANDR, "display")
            register_chain(self.w, hops, ["302"] * len(hops), landing)
            click, kinds, with_param, note = hops[0], ["302"] * len(hops), False, "long_chain"
            adv = reg_domain(brand.landing_host)
        else:
            landing = self.landing(brand, C.XANDR, "display")
            k = self.pick_chain(C.XANDR)
            click, with_param = self.chain(C.XANDR, landing, k)
            kinds, adv = list(k), reg_domain(brand.landing_host)
        where.append(
            f'<div id="{slot_id}" class="ad-slot ad-banner">'
            f'<a href="{esc(click)}" target="_blank" rel="noopener sponsored">'
            f'<img src="{esc(creative)}" width="{size[0]}" height="{size[1]}" alt="{esc(self.alt(brand))}"></a>'
            f'</div>')
        self.record(slot_id, C.XANDR, "image", False, brand, landing, kinds, click, creative, size,
                    with_param, note=note, advertiser_domain=adv)

    def criteo(self, where: list[str]) -> None:
        r = self.rng
        brand = self.advertiser()
        size = r.choice(((300, 250), (300, 600), (728, 90)))
        n = self.slot_n()
        zone = 1500000 + n
        slot_id = f"crt-{zone}"
        landing = self.landing(brand, C.CRITEO, "retargeting")
        kinds = self.pick_chain(C.CRITEO)
        click, with_param = self.chain(C.CRITEO, landing, kinds)
        creative = f"http://static.criteo.net/images/produits/{_token(r, 12)}.png"
        self.creative(creative, brand, size)
        script = f"http://static.criteo.net/js/ld/publishertag.js?zoneid={zone}&slot={slot_id}"
        delay = r.choice((200, 350, 500, 800))
        js = (
            "(function(){\n"
            f"  var slot = document.getElementById({js_str(slot_id)});\n"
            "  if (!slot) { return; }\n"
            "  setTimeout(function(){\n"
            "    var a = document.createElement('a');\n"
            f"    a.href = {js_str(click)}; a.target = '_blank'; a.id = {js_str(slot_id + '-creative')};\n"
            "    var img = document.createElement('img');\n"
            f"    img.src = {js_str(creative)}; img.width = {size[0]}; img.height = {size[1]};\n"
            f"    img.alt = {js_str(self.alt(brand))};\n"
            "    a.appendChild(img); slot.appendChild(a);\n"
            f"  }}, {delay});\n"
            "})();\n")
        self.w.add(script, Response(200, "application/javascript; charset=utf-8", js.encode()))
        self.scripts.append(script)
        style = f"min-width:{size[0]}px;min-height:{size[1]}px"
        where.append(f'<div id="{slot_id}" class="crt-slot criteo-ad" style="{style}">'
                     f'</div><script async src="{esc(script)}"></script>')
        self.record(slot_id, C.CRITEO, "js", True, brand, landing, list(kinds), click, creative, size,
                    with_param)

    def equativ(self, where: list[str]) -> None:
        r = self.rng
        brand = self.advertiser()
        size = r.choice(((300, 250), (728, 90)))
        n = self.slot_n()
        slot_id = f"sas_{40000 + n}"
        landing = self.landing(brand, C.EQUATIV, "display")
        kinds = self.pick_chain(C.EQUATIV)
        click, with_param = self.chain(C.EQUATIV, landing, kinds)
        creative = f"http://www8.smartadserver.com/diff/{_digits(r, 4)}/{_token(r, 12)}.png"
        self.creative(creative, brand, size)
        frame = f"http://www8.smartadserver.com/h/aip?tag={slot_id}&insid={_digits(r, 7)}"
        doc = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Smart AdServer</title></head>'
               f'<body style="margin:0"><a id="sas_clk" href="{esc(click)}" target="_top">'
               f'<img src="{esc(creative)}" width="{size[0]}" height="{size[1]}" alt="{esc(self.alt(brand))}">'
               f'</a></body></html>')
        self.w.add(frame, html_response(doc))
        # the tag loader comes from Equativ's CDN (sascdn.com), the ad itself from smartadserver.com
        script = (f"http://ced.sascdn.com/tag/{_digits(r, 4)}/smart.js?siteid={_digits(r, 6)}"
                  f"&pgid={_digits(r, 7)}&fmtid={_digits(r, 5)}&tag={slot_id}")
        delay = r.choice((250, 400, 600))
        js = (
            "(function(){\n"
            f"  var slot = document.getElementById({js_str(slot_id)});\n"
            "  if (!slot) { return; }\n"
            "  setTimeout(function(){\n"
            "    var f = document.createElement('iframe');\n"
            f"    f.src = {js_str(frame)}; f.width = '{size[0]}'; f.height = '{size[1]}';\n"
            "    f.setAttribute('frameborder', '0'); f.setAttribute('scrolling', 'no');\n"
            f"    f.id = {js_str(slot_id + '_frame')};\n"
            "    slot.appendChild(f);\n"
            f"  }}, {delay});\n"
            "})();\n")
        self.w.add(script, Response(200, "application/javascript; charset=utf-8", js.encode()))
        self.scripts.append(script)
        where.append(f'<div id="{slot_id}" class="sas-slot ad-slot"></div><script src="{esc(script)}"></script>')
        self.record(slot_id, C.EQUATIV, "js", True, brand, landing, list(kinds), click, creative, size,
                    with_param)

    def _native_cards(self, net: str) -> list[tuple[str, str, str, str, Brand]]:
        """(card_id, click, image, headline, brand) for 2-4 cards, each its own ad."""
        r = self.rng
        cards = []
        for _ in range(min(r.randint(2, 3), self.native_cap)):
            brand = self.advertiser()
            n = self.slot_n()
            card_id = (f"tbl-card-{n}" if net == C.TABOOLA else f"ob-rec-{n}")
            landing = self.landing(brand, net, "native")
            kinds = self.pick_chain(net)
            click, with_param = self.chain(net, landing, kinds)
            if net == C.TABOOLA:
                img = f"http://images.taboola.com/taboola/image/fetch/f_png/{_token(r, 14)}.png"
            else:
                img = f"http://images.outbrain.com/Imaginarium/api/uuid/{_token(r, 20)}/300/200.png"
            self.w.add_png(img, 300, 200, hex_rgb(brand.color), (240, 240, 240))
            headline = brand.tagline[self.page.lang]
            cards.append((card_id, click, img, headline, brand))
            self._pending.append((card_id, net, brand, landing, list(kinds), click, img, with_param))
        return cards

    def native(self, net: str, js: bool, where: list[str]) -> None:
        self._pending = []
        r = self.rng
        cards = self._native_cards(net)
        label = UI[self.page.lang]["sponsored"]
        n = self.slot_n()
        if net == C.TABOOLA:
            container = f"taboola-below-article-thumbnails-{n}"
            inner = (f'<div class="trc_rbox_header"><span class="trc_rbox_header_span">{esc(label)}</span>'
                     f'<a class="trc_attribution" href="http://popup.taboola.com/fr/">by Taboola</a></div>'
                     + "".join(
                         f'<div id="{cid}" class="videoCube trc_spotlight_item origin-default syndicatedItem">'
                         f'<a class="item-thumbnail-href" href="{esc(click)}" target="_blank" rel="sponsored">'
                         f'<img class="thumbnailImg" src="{esc(img)}" width="300" height="200" alt="">'
                         f'<span class="video-label video-title">{esc(head)}</span>'
                         f'<span class="branding">{esc(b.name)}</span></a></div>'
                         for cid, click, img, head, b in cards))
            static_open = f'<div id="{container}" class="trc_rbox_container trc_related_container">'
        else:
            container = f"outbrain-widget-{n}"
            inner = (f'<div class="ob-widget ob-feed-layout"><div class="ob-widget-header">{esc(label)} '
                     f'<span class="ob_what">Recommended by Outbrain</span></div>'
                     + "".join(
                         f'<div id="{cid}" class="ob-dynamic-rec-container ob-recIdx-{i}">'
                         f'<a class="ob-dynamic-rec-link" href="{esc(click)}" target="_blank" rel="sponsored">'
                         f'<img class="ob-rec-image" src="{esc(img)}" width="300" height="200" alt="">'
                         f'<span class="ob-rec-text">{esc(head)}</span>'
                         f'<span class="ob-rec-source">{esc(b.name)}</span></a></div>'
                         for i, (cid, click, img, head, b) in enumerate(cards))
                     + "</div>")
            static_open = (f'<div id="{container}" class="OUTBRAIN" data-widget-id="AR_{1 + n % 4}" '
                           f'data-src="{esc(self.page.url)}">')
        if js:
            if net == C.TABOOLA:
                script = (f"http://cdn.taboola.com/libtrc/vigiedemo-network/loader.js?container={container}"
                          f"&pv={_token(r, 8)}")
            else:
                script = f"http://widgets.outbrain.com/outbrain.js?container={container}&pv={_token(r, 8)}"
            delay = r.choice((300, 500, 700))
            body = (
                "(function(){\n"
                f"  var box = document.getElementById({js_str(container)});\n"
                "  if (!box) { return; }\n"
                f"  setTimeout(function(){{ box.innerHTML = {js_str(inner)}; }}, {delay});\n"
                "})();\n")
            self.w.add(script, Response(200, "application/javascript; charset=utf-8", body.encode()))
            self.scripts.append(script)
            if net == C.TABOOLA:
                where.append(f'<div id="{container}" class="trc_related_container"></div>'
                             f'<script async src="{esc(script)}"></script>')
            else:
                where.append(f'<div id="{container}" class="OUTBRAIN" data-widget-id="AR_{1 + n % 4}" '
                             f'data-src="{esc(self.page.url)}"></div><script async src="{esc(script)}"></script>')
        else:
            where.append(static_open + inner + "</div>")
        for card_id, cnet, brand, landing, kinds, click, img, with_param in self._pending:
            self.record(card_id, cnet, "native", js, brand, landing, kinds, click, img, (300, 200), with_param)

    # -- decoys --------------------------------------------------------------
    def decoy_empty(self) -> None:
        slot_id = f"div-gpt-ad-empty-{self.slot_n()}"
        self.side.append(f'<div class="ad-slot" id="{slot_id}"></div>')
        self.w.decoys.append({"page_url": self.page.url, "slot_id": slot_id, "why": "empty_slot"})

    def decoy_hidden(self) -> None:
        self.gam(self.side, hidden=True)

    def decoy_pixel(self) -> None:
        pid = f"px-{self.slot_n()}"
        src = f"http://ib.adnxs.com/px?id={_digits(self.rng, 7)}&t=2"
        self.w.add_png(src, 1, 1, (255, 255, 255))
        self.bottom.append(f'<img id="{pid}" src="{esc(src)}" width="1" height="1" alt="" '
                           f'style="border:0;position:absolute">')
        self.w.decoys.append({"page_url": self.page.url, "slot_id": pid, "why": "tracking_pixel"})

    def decoy_tiny(self) -> None:
        r = self.rng
        brand = r.choice(self.w.brands)
        slot_id = f"ad-tiny-{self.slot_n()}"
        landing = self.landing(brand, C.XANDR, "display")
        click, _ = self.chain(C.XANDR, landing, ("302",))
        src = f"http://ib.adnxs.com/img?cr={_digits(r, 9)}&s=tiny"
        self.w.add_png(src, 20, 20, hex_rgb(brand.color))
        self.side.append(f'<div id="{slot_id}" class="ad-slot ad-mini"><a href="{esc(click)}">'
                         f'<img src="{esc(src)}" width="20" height="20" alt="{esc(brand.name)}"></a></div>')
        self.w.decoys.append({"page_url": self.page.url, "slot_id": slot_id, "why": "too_small"})


def register_chain(w: World, hops: list[str], kinds: list[str], landing: str) -> None:
    """Tracker ``hops[i]`` forwards to ``hops[i+1]`` (or ``landing``) the way ``kinds[i]`` says:
    an HTTP 302, a meta refresh page or a JavaScript ``location`` page."""
    for i, (url, kind) in enumerate(zip(hops, kinds, strict=True)):
        nxt = hops[i + 1] if i + 1 < len(hops) else landing
        if kind == "302":
            w.add(url, redirect(nxt))
        elif kind == "meta":
            w.add(url, html_response(
                f'<!DOCTYPE html><html><head><meta charset="utf-8">'
                f'<meta http-equiv="refresh" content="0;url={esc(nxt)}"><title>Redirecting…</title></head>'
                f'<body><p>Redirecting to <a href="{esc(nxt)}">{esc(nxt)}</a></p></body></html>'))
        else:
            form = "window.location.href = " if (i + len(nxt)) % 2 else "location = "
            w.add(url, html_response(
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Loading…</title></head><body>'
                f'<script>{form}{js_str(nxt)};</script>'
                f'<noscript>Continue: {esc(nxt)}</noscript></body></html>'))


def _plan_units(site: Site, page: Page, rng: random.Random, page_index: int) -> list[str]:
    """Ad unit kinds for a page, from the site's networks."""
    kinds = [k for net in site.spec.networks for k in _UNIT_KINDS[net]]
    display = [k for k in kinds if not k.startswith(("taboola", "outbrain"))]
    natives = [k for k in kinds if k.startswith(("taboola", "outbrain"))]
    if site.spec.mfa:
        units = list(display) + list(display)
        units += natives
        return units
    n = 1 if page.page_type == "home" else rng.randint(1, 2)
    units = [rng.choice(display) for _ in range(n)] if display else []
    if natives and (page.page_type == "article" and rng.random() < 0.5):
        units.append(rng.choice(natives))
    if not units:
        units = [rng.choice(kinds)]
    return units


def _build_ads(w: World, site: Site, page: Page, index: int) -> _PageAds:
    rng = random.Random(f"vigie-demo:{w.seed}:ads:{page.url}")
    pa = _PageAds(w, site, page, rng)
    units = _plan_units(site, page, rng, index)
    if not site.spec.mfa:
        pa.native_cap = max(2, 4 - sum(not u.startswith(("taboola", "outbrain")) for u in units))
    for i, unit in enumerate(units):
        where = pa.top if i == 0 else (pa.inline if i % 2 else pa.side)
        if unit == "gam":
            pa.gam(where)
        elif unit == "xandr":
            pa.xandr(where)
        elif unit == "criteo":
            pa.criteo(where)
        elif unit == "equativ":
            pa.equativ(where)
        else:
            net = C.TABOOLA if unit.startswith("taboola") else C.OUTBRAIN
            pa.native(net, unit.endswith("_js"), pa.bottom)
    if site.spec.mfa and page.page_type == "article":
        ordinal = site.pages.index(page)
        if ordinal == 1:
            pa.xandr(pa.side, brand=w.unknown[1], special="loop")
        elif ordinal == 2:
            pa.xandr(pa.side, brand=w.unknown[2], special="long")
    g = w.next_id()
    if page.page_type == "article":
        if g % 3 == 0:
            pa.decoy_empty()
        if g % 5 == 1:
            pa.decoy_hidden()
        if g % 2 == 0:
            pa.decoy_pixel()
        if g % 7 == 3:
            pa.decoy_tiny()
    return pa


# --------------------------------------------------------------------------- rendering


def _rel_href(site: Site, target: Page, i: int) -> str:
    """Mix absolute and relative links, as real sites do."""
    parts = urlsplit(target.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return target.url if i % 3 == 0 else path


def _render_site(w: World, site: Site) -> None:
    spec = site.spec
    ui = UI[spec.lang]
    articles = site.pages[1:]
    rng = random.Random(f"vigie-demo:{w.seed}:render:{spec.domain}")
    members_url = f"http://{spec.host}/membres/liste" if spec.domain == "forum-libre-expression.fr" else None
    for idx, page in enumerate(site.pages):
        pa = _build_ads(w, site, page, idx)
        if page.page_type == "home":
            items = []
            for i, a in enumerate(articles):
                href = _rel_href(site, a, i)
                page.links.append(href)
                teaser = a.paragraphs[0].split(". ")[0].rstrip(".") + "."
                items.append(f'<li class="teaser"><h2><a href="{esc(href)}">{esc(a.title)}</a></h2>'
                             f'<p>{esc(teaser)}</p><a class="more" href="{esc(href)}">{esc(ui["read"])}</a></li>')
            body = f'<section class="latest"><ul>{"".join(items)}</ul></section>'
            if members_url:
                page.links.append("/membres/liste")
                body += f'<p class="members"><a href="/membres/liste">{esc(ui["members"])}</a></p>'
            h1 = f'<h1 class="site-title">{esc(spec.name)}</h1>'
        else:
            h1 = f"<h1>{esc(page.title)}</h1>"
            if spec.kind == "forum":
                users = FORUM_USERS[spec.lang]
                posts = []
                for i, para in enumerate(page.paragraphs):
                    user = users[(idx + i) % len(users)]
                    posts.append(f'<div class="post" id="p{1000 * idx + i}"><div class="author">{esc(user)}</div>'
                                 f'<div class="content"><p>{esc(para)}</p></div>'
                                 f'<a class="reply" href="#p{1000 * idx + i}">{esc(ui["reply"])}</a></div>')
                    if i == 0 and pa.inline:
                        posts.append("".join(pa.inline))
                body = '<div class="topic">' + "".join(posts) + "</div>"
            else:
                author = BYLINES[spec.lang][(idx + rng.randint(0, 4)) % 5]
                paras = [f"<p>{esc(x)}</p>" for x in page.paragraphs]
                if pa.inline:
                    paras.insert(1, "".join(pa.inline))
                body = (f'<p class="byline">{esc(ui["by"])} {esc(author)}</p>'
                        f'<div class="article-body">{"".join(paras)}</div>')
            # related links (same site only): a decoy for naive "link lists" detectors
            others = [a for a in articles if a is not page]
            rng.shuffle(others)
            rel_id = f"related-{w.next_id()}"
            rel_items = []
            for i, a in enumerate(others[:3]):
                href = _rel_href(site, a, i + 1)
                page.links.append(href)
                rel_items.append(f'<li><a href="{esc(href)}">{esc(a.title)}</a></li>')
            body += (f'<aside id="{rel_id}" class="related"><h2>{esc(ui["related"])}</h2>'
                     f'<ul>{"".join(rel_items)}</ul></aside>')
            w.decoys.append({"page_url": page.url, "slot_id": rel_id, "why": "internal_links"})
        if pa.inline and page.page_type == "home":
            body += "".join(pa.inline)
        page.links.insert(0, "/")
        nav = f'<nav><a href="/">{esc(ui["home"])}</a> · <a href="/contact">{esc(ui["contact"])}</a></nav>'
        doc = f"""<!DOCTYPE html>
<html lang="{spec.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(page.title if page.page_type == "home" else page.title + " | " + spec.name)}</title>
<meta name="description" content="{esc(page.description)}">
<link rel="canonical" href="{esc(page.url)}">
<style>body{{font-family:Georgia,serif;max-width:1100px;margin:0 auto;color:#222}}
header{{background:{spec.color};color:#fff;padding:12px}} header a{{color:#fff}}
.layout{{display:flex;gap:24px}} main{{flex:1}} .sidebar{{width:300px}}
.ad-slot,.crt-slot,.sas-slot{{margin:12px 0}} .post{{border-bottom:1px solid #ddd;padding:8px}}</style>
</head>
<body>
<header><a class="logo" href="/">{esc(spec.name)}</a> {nav}</header>
<div class="top-banner">{"".join(pa.top)}</div>
<div class="layout">
<main>
{h1}
{body}
<div class="below-article">{"".join(pa.bottom)}</div>
</main>
<div class="sidebar">{"".join(pa.side)}</div>
</div>
<footer><p>© 2026 {esc(spec.name)} — {esc(ui["rights"])}</p></footer>
</body>
</html>
"""
        w.add(page.url, html_response(doc))
    if members_url:
        w.robots_disallowed.append(members_url)
        w.add(members_url, html_response(
            '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Membres</title></head>'
            '<body><h1>Liste des membres</h1><p>Réservé aux membres connectés.</p>'
            '<a href="/">Accueil</a></body></html>'))
    w.add(f"http://{spec.host}/contact", html_response(
        f'<!DOCTYPE html><html lang="{spec.lang}"><head><meta charset="utf-8"><title>{esc(ui["contact"])} | '
        f'{esc(spec.name)}</title></head><body><h1>{esc(ui["contact"])}</h1>'
        f'<p>contact@{esc(spec.domain)}</p><a href="/">{esc(ui["home"])}</a></body></html>'))
    if spec.host.startswith("www."):
        w.add(f"http://{spec.domain}/", redirect(site.home_url, 301))


# --------------------------------------------------------------------------- landing sites


def _build_landings(w: World) -> None:
    for b in w.brands + w.unknown:
        lang = "fr" if any(d.endswith(".fr") for d in b.domains) else "en"
        for path in [*b.campaigns, "/"]:
            title = f"{b.name} — {b.tagline[lang]}" if path != "/" else b.name
            doc = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{esc(title)}</title>'
                   f'<meta name="description" content="{esc(b.tagline[lang])}"></head>'
                   f'<body style="font-family:sans-serif"><header style="background:{b.color};color:#fff;'
                   f'padding:16px"><strong>{esc(b.name)}</strong></header><main><h1>{esc(b.tagline[lang])}</h1>'
                   f'<p><a href="/">{esc(b.name)}</a></p></main></body></html>')
            w.add(f"http://{b.landing_host}{path}", html_response(doc))
        for d in b.domains:
            for host in (d, "www." + d):
                if host != b.landing_host:
                    w.add(f"http://{host}/", redirect(f"http://{b.landing_host}/", 301))
    # the loop tracker's advertiser is never reached but its domain still answers
    return None


# --------------------------------------------------------------------------- robots, ads.txt


def ads_txt_for(site: Site) -> str:
    """A simple valid ads.txt: DIRECT for each network the site uses, plus one RESELLER."""
    lines = [f"# ads.txt for {site.domain}", f"contact=adops@{site.domain}"]
    for net in site.spec.networks:
        system, cert, _ = C.AD_SYSTEMS[net]
        fields = [system, site.accounts[net], "DIRECT"] + ([cert] if cert else [])
        lines.append(", ".join(fields))
    if C.XANDR in site.spec.networks:
        lines.append(f"appnexus.com, {site.accounts[C.XANDR]}1, RESELLER, f5ab79cb980f11d1")
    return "\n".join(lines) + "\n"


def _sellers_json(w: World, net: str) -> dict[str, Any]:
    system = C.AD_SYSTEMS[net][0]
    sellers = [{"seller_id": s.accounts[net], "name": s.spec.name, "domain": s.domain,
                "seller_type": "PUBLISHER"} for s in w.sites if net in s.accounts]
    return {"version": "1.0", "contact_email": f"sellers@{system}", "sellers": sellers}


def _build_plain_files(w: World) -> None:
    for s in w.sites:
        robots = "User-agent: *\n"
        if any(u.startswith(f"http://{s.spec.host}/membres/") for u in w.robots_disallowed):
            robots += "Disallow: /membres/\n"
        robots += "Allow: /\n"
        w.add(f"http://{s.spec.host}/robots.txt", Response(200, "text/plain; charset=utf-8", robots.encode()))
        body = ads_txt_for(s).encode()
        w.add(f"http://{s.spec.host}/ads.txt", Response(200, "text/plain; charset=utf-8", body))
        if s.spec.host != s.domain:
            w.add(f"http://{s.domain}/ads.txt", Response(200, "text/plain; charset=utf-8", body))
            w.add(f"http://{s.domain}/robots.txt", Response(200, "text/plain; charset=utf-8", robots.encode()))
    for net, host in C.SELLERS_HOSTS.items():
        w.add(f"http://{host}/sellers.json", json_response(_sellers_json(w, net)))
