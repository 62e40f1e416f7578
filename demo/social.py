"""Activist feeds of the demo web in the real Mastodon and Bluesky API shapes.

Two fictional accounts, Sleeping-Giants style, tag brands whose ads really appear on risky
demo pages. Posts are composed from segments (text, mention, link, hashtag) so the Mastodon
HTML, the Bluesky text and its facets (UTF-8 *byte* offsets) and the ground truth all come
from the same source and cannot disagree.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlencode

from demo import catalog as C
from demo.png import hex_rgb, png

if TYPE_CHECKING:
    from demo.world import Brand, Response, World

MASTO = C.MASTODON_HOST
BSKY = C.BSKY_HOST
ACTIVIST_MASTODON = "veille_giants"
ACTIVIST_BSKY = "veillegiants.bsky.social"
OTHER_MASTODON = "collectif_vigilance"
OTHER_BSKY = "collectifvigilance.bsky.social"
N_POSTS = 30

CATEGORY_PHRASE: dict[str, dict[str, str]] = {
    "hate_speech": {"fr": "des propos haineux qui traitent des migrants de « vermine »",
                    "en": "hate speech calling migrants “vermin”"},
    "misinformation": {"fr": "des fausses infos complotistes sur les vaccins et la 5G",
                       "en": "vaccine and 5G conspiracy theories"},
    "arms": {"fr": "des petites annonces de vente d'armes et de munitions",
             "en": "gun and ammo sales"},
    "drugs_alcohol_tobacco": {"fr": "des annonces pour acheter de la drogue",
                              "en": "ads for buying drugs"},
    "piracy": {"fr": "des films piratés en streaming", "en": "pirated films"},
    "adult": {"fr": "du contenu pornographique", "en": "explicit porn"},
    "terrorism": {"fr": "de la propagande terroriste", "en": "terrorist propaganda"},
    "crime": {"fr": "des tutos d'arnaques et de faux papiers", "en": "scam and fake-ID tutorials"},
    "obscenity": {"fr": "des torrents d'injures", "en": "streams of profanity"},
    "spam_harmful": {"fr": "des pièges à clics « made for advertising »",
                     "en": "a made-for-advertising clickbait farm"},
    "debated_social_issues": {"fr": "des tribunes polémiques", "en": "polemical op-eds"},
}

HASHTAGS = {"fr": ["StopFinancerLaHaine", "VosPubsIci", "BoycottÉclairé"],
            "en": ["StopFundingHate", "YourAdIsHere", "BrandSafety"]}

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "proof": {
        "fr": ["🚨 {B}, votre publicité est ici, sur une page qui publie {C} : {S} 📸 Capture ci-jointe. "
               "Est-ce vraiment ça, vos valeurs ? {H}",
               "Votre pub est ici {B} 👇 sur {SN}, un site qui diffuse {C}. Preuve en image. {S} {H}"],
        "en": ["🚨 Hey {B}, your ad is here, right next to {C}: {S} 📸 Screenshot attached. "
               "Is this what your brand stands for? {H}",
               "Your ad is here {B} 👇 on {SN}, a site pushing {C}. Proof attached. {S} {H}"],
    },
    "question": {
        "fr": ["Bonjour {B} 👋 Saviez-vous que vos publicités financent {SN} ({SD}) ? On y trouve {C}. {H}",
               "{B} {B2} : savez-vous où s'affichent vos pubs ? Sur {SD}, avec {C}. "
               "Vous êtes au courant ? 🤔 {H}"],
        "en": ["Hi {B} 👋 did you know you fund {SN} ({SD})? It publishes {C}. {H}",
               "{B} {B2}: do you know where your ads run? On {SD}, next to {C}. Did you know? 🤔 {H}"],
    },
    "threat": {
        "fr": ["Tant que {BN} financera {SN}, nous appellerons au boycott. 🛑 Rejoignez-nous : {H} {H2}",
               "Dernier rappel {B} : retirez vos pubs de {SD} ou nous lancerons le boycott de {BN} ✊ {H}"],
        "en": ["As long as {BN} keeps funding {SN}, we will call for a boycott. 🛑 Join us: {H} {H2}",
               "Final reminder {B}: pull your ads from {SD} or we boycott {BN} ✊ {H}"],
    },
    "thanks": {
        "fr": ["Merci {B} d'avoir retiré vos publicités de {SN} ! 🙏💚 Une marque qui écoute. {H}"],
        "en": ["Thank you {B} for pulling your ads from {SN}! 🙏💚 A brand that listens. {H}"],
    },
    "other": {
        "fr": ["Rappel : chaque annonceur peut vérifier où s'affichent ses pubs. Notre guide pour "
               "les équipes marketing arrive bientôt ✨ {H}",
               "Nous avons repéré que {SN} change de régie publicitaire. On surveille 👀 {H}"],
        "en": ["Reminder: every advertiser can check where their ads appear. Our guide for marketing "
               "teams is coming soon ✨ {H}",
               "We spotted {SN} switching ad networks. Watching closely 👀 {H}"],
    },
}

TACTIC_PLAN = ["proof"] * 10 + ["question"] * 7 + ["threat"] * 5 + ["thanks"] * 4 + ["other"] * 4

# --------------------------------------------------------------------------- segments


@dataclass
class Seg:
    text: str
    kind: str = "text"          # text | mention | link | tag
    target: str = ""            # mention: brand name; link: URL; tag: tag
    brand: Brand | None = None


@dataclass
class Draft:
    """One post before it is rendered for a platform."""

    tactic: str
    lang: str
    segs_fn: Any                 # platform -> list[Seg]
    brands: list[str]
    sites: list[str]
    image: tuple[str, str, str] | None  # (site colour, brand colour, alt text)
    created: datetime
    reply_to_brand: Brand | None = None
    repost: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _short_link(url: str) -> str:
    bare = url.split("://", 1)[1]
    return bare if len(bare) <= 30 else bare[:27] + "..."


def _segments(template: str, values: dict[str, list[Seg]]) -> list[Seg]:
    out: list[Seg] = []
    pos = 0
    for m in re.finditer(r"\{(B2|BN|B|SN|SD|S|C|H2|H)\}", template):
        if m.start() > pos:
            out.append(Seg(template[pos:m.start()]))
        out.extend(values[m.group(1)])
        pos = m.end()
    if pos < len(template):
        out.append(Seg(template[pos:]))
    return out


def _mention(brand: Brand, platform: str) -> Seg:
    if platform == "mastodon":
        return Seg("@" + brand.handles["mastodon"], "mention", brand.name, brand)
    return Seg("@" + brand.handles["bluesky"], "mention", brand.name, brand)


def _hashtag(tag: str) -> Seg:
    return Seg("#" + tag, "tag", tag)


def _mastodon_id(t: datetime, seq: int) -> str:
    return str((int(t.timestamp() * 1000) << 16) + seq)


def _tid(t: datetime, clock: int) -> str:
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    v = (int(t.timestamp() * 1_000_000) << 10) | (clock & 0x3FF)
    out = ""
    for _ in range(13):
        out = alphabet[v & 31] + out
        v >>= 5
    return out


def _cid(data: str) -> str:
    digest = hashlib.sha256(data.encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _did(handle: str) -> str:
    from demo.world import _did_for

    return _did_for(handle)


# --------------------------------------------------------------------------- model


class Social:
    """Feeds and lookup tables, answered by :meth:`handle`."""

    def __init__(self) -> None:
        self.mastodon_username = ACTIVIST_MASTODON
        self.bluesky_handle = ACTIVIST_BSKY
        self.mastodon_accounts: dict[str, dict[str, Any]] = {}   # acct (local: username) -> account
        self.mastodon_by_id: dict[str, dict[str, Any]] = {}
        self.statuses: list[dict[str, Any]] = []                 # activist's, newest first
        self.bsky_profiles: dict[str, dict[str, Any]] = {}       # handle and did -> profile
        self.feed: list[dict[str, Any]] = []                     # activist's, newest first
        self.feed_sort: list[str] = []                           # sort key per feed item

    # ------------------------------------------------------------------ Mastodon API
    def handle(self, host: str, path: str, query: str) -> Response | None:
        from demo.world import html_response, json_response

        q = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        if host == MASTO:
            if path == "/api/v1/accounts/lookup":
                acct = q.get("acct", "").lstrip("@")
                if acct.endswith("@" + MASTO):
                    acct = acct[: -len(MASTO) - 1]
                acc = self.mastodon_accounts.get(acct)
                return json_response(acc) if acc else json_response({"error": "Record not found"}, 404)
            m = re.fullmatch(r"/api/v1/accounts/(\d+)(/statuses)?", path)
            if m:
                acc = self.mastodon_by_id.get(m.group(1))
                if acc is None:
                    return json_response({"error": "Record not found"}, 404)
                if not m.group(2):
                    return json_response(acc)
                return self._statuses(acc, q)
            if path == "/api/v1/instance":
                return json_response({"uri": MASTO, "title": "Demo Social", "version": "4.3.0",
                                      "languages": ["fr", "en"], "description": "Vigie demo instance"})
            m = re.fullmatch(r"/@([A-Za-z0-9_]+)(?:/(\d+))?", path)
            if m and m.group(1) in self.mastodon_accounts:
                acc = self.mastodon_accounts[m.group(1)]
                return html_response(
                    f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{acc["display_name"]} '
                    f'(@{acc["acct"]}@{MASTO})</title><link rel="alternate" type="application/activity+json" '
                    f'href="{acc["uri"]}"></head><body><h1>{acc["display_name"]}</h1></body></html>')
            return None
        if host == BSKY:
            if path == "/xrpc/app.bsky.actor.getProfile":
                prof = self.bsky_profiles.get(q.get("actor", "").lstrip("@").lower())
                if prof is None:
                    return json_response({"error": "InvalidRequest", "message": "Profile not found"}, 400)
                return json_response(prof)
            if path == "/xrpc/com.atproto.identity.resolveHandle":
                prof = self.bsky_profiles.get(q.get("handle", "").lower())
                if prof is None:
                    return json_response({"error": "InvalidRequest", "message": "Unable to resolve handle"}, 400)
                return json_response({"did": prof["did"]})
            if path == "/xrpc/app.bsky.feed.getAuthorFeed":
                return self._author_feed(q)
            return None
        return None

    def _statuses(self, acc: dict[str, Any], q: dict[str, str]) -> Response:
        from demo.world import json_response

        if acc["username"] != ACTIVIST_MASTODON or q.get("pinned") == "true":
            return json_response([])
        try:
            limit = max(1, min(40, int(q.get("limit", "20"))))
        except ValueError:
            return json_response({"error": "limit must be an integer"}, 422)
        items = self.statuses
        if q.get("exclude_replies") in ("true", "1"):
            items = [s for s in items if not s["in_reply_to_id"] or s["in_reply_to_account_id"] == acc["id"]]
        if q.get("exclude_reblogs") in ("true", "1"):
            items = [s for s in items if s["reblog"] is None]
        if q.get("only_media") in ("true", "1"):
            items = [s for s in items if s["media_attachments"]]
        if "max_id" in q:
            items = [s for s in items if int(s["id"]) < int(q["max_id"])]
        if "since_id" in q:
            items = [s for s in items if int(s["id"]) > int(q["since_id"])]
        if "min_id" in q:
            newer = [s for s in items if int(s["id"]) > int(q["min_id"])]
            page = newer[-limit:]          # the ones immediately newer than min_id
        else:
            page = items[:limit]
        headers: tuple[tuple[str, str], ...] = ()
        if page:
            keep = {k: v for k, v in q.items() if k in ("exclude_replies", "exclude_reblogs", "only_media")}
            base = f"http://{MASTO}/api/v1/accounts/{acc['id']}/statuses?"
            nxt = base + urlencode({**keep, "limit": limit, "max_id": page[-1]["id"]})
            prev = base + urlencode({**keep, "limit": limit, "min_id": page[0]["id"]})
            headers = (("Link", f'<{nxt}>; rel="next", <{prev}>; rel="prev"'),)
        return json_response(page, headers=headers)

    def _author_feed(self, q: dict[str, str]) -> Response:
        from demo.world import json_response

        actor = q.get("actor", "").lstrip("@").lower()
        prof = self.bsky_profiles.get(actor)
        if prof is None:
            return json_response({"error": "InvalidRequest", "message": "Profile not found"}, 400)
        if prof["handle"] != ACTIVIST_BSKY:
            return json_response({"feed": []})
        try:
            limit = max(1, min(100, int(q.get("limit", "50"))))
        except ValueError:
            return json_response({"error": "InvalidRequest", "message": "limit must be an integer"}, 400)
        pairs = list(zip(self.feed, self.feed_sort, strict=True))
        filt = q.get("filter", "posts_with_replies")
        if filt == "posts_no_replies":
            pairs = [(f, s) for f, s in pairs if "reply" not in f]
        elif filt == "posts_with_media":
            pairs = [(f, s) for f, s in pairs if "reason" not in f and "embed" in f["post"]]
        cursor = q.get("cursor")
        if cursor:
            pairs = [(f, s) for f, s in pairs if s < cursor]
        page = pairs[:limit]
        out: dict[str, Any] = {"feed": [f for f, _ in page]}
        if len(pairs) > limit:
            out["cursor"] = page[-1][1]
        return json_response(out)


# --------------------------------------------------------------------------- building


def _mastodon_account(username: str, host: str, display: str, note: str, seq: int,
                      created: datetime, statuses: int, w: World) -> dict[str, Any]:
    local = host == MASTO
    acc_id = str(109_000_000_000_000_000 + seq * 7_919_113)
    avatar = f"http://{C.MASTODON_FILES_HOST}/accounts/avatars/{acc_id[:3]}/{acc_id[3:6]}/original/{username}.png"
    if local:
        w.add_png(avatar, 64, 64, (40, 40, 40), (200, 200, 200))
    return {
        "id": acc_id, "username": username, "acct": username if local else f"{username}@{host}",
        "display_name": display, "locked": False, "bot": False, "discoverable": True, "group": False,
        "created_at": _iso(created), "note": f"<p>{note}</p>", "url": f"http://{host}/@{username}",
        "uri": f"http://{host}/users/{username}", "avatar": avatar, "avatar_static": avatar,
        "header": "", "header_static": "", "followers_count": 1000 + seq * 37, "following_count": 120,
        "statuses_count": statuses, "last_status_at": None, "emojis": [], "fields": [],
    }


def _bsky_profile(handle: str, display: str, description: str, w: World, posts: int) -> dict[str, Any]:
    did = _did(handle)
    avatar = f"http://{C.BSKY_CDN_HOST}/img/avatar/plain/{did}/{_cid('avatar' + did)}@png"
    w.add_png(avatar, 64, 64, (20, 60, 120), (230, 230, 230))
    return {"did": did, "handle": handle, "displayName": display, "description": description,
            "avatar": avatar, "followersCount": 2400, "followsCount": 150, "postsCount": posts,
            "indexedAt": "2026-01-01T00:00:00.000Z", "labels": []}


def _author_view(prof: dict[str, Any]) -> dict[str, Any]:
    return {"did": prof["did"], "handle": prof["handle"], "displayName": prof["displayName"],
            "avatar": prof["avatar"], "labels": []}


def build(w: World) -> None:
    """Compose the posts of both activist accounts and register the API/media routes."""
    rng = random.Random(f"vigie-demo:{w.seed}:social")
    soc = Social()
    w.social = soc
    w.hosts.update({MASTO, BSKY, C.MASTODON_FILES_HOST, C.BSKY_CDN_HOST})
    base_time = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

    # accounts -------------------------------------------------------------
    activist = _mastodon_account(ACTIVIST_MASTODON, MASTO, "Veille Giants 🦉",
                                 "Nous montrons aux marques où s'affichent leurs pubs. We show brands where "
                                 "their ads run.", 1, base_time - timedelta(days=400), N_POSTS, w)
    other = _mastodon_account(OTHER_MASTODON, MASTO, "Collectif Vigilance Pub",
                              "Collectif pour une publicité responsable.", 2, base_time - timedelta(days=300), 120, w)
    for acc in (activist, other):
        soc.mastodon_accounts[acc["username"]] = acc
        soc.mastodon_by_id[acc["id"]] = acc
    brand_accounts: dict[str, dict[str, Any]] = {}
    for i, b in enumerate(w.brands):
        user, host = b.handles["mastodon"].split("@", 1)
        acc = _mastodon_account(user, host, b.name, f"Compte officiel de {b.name}", 10 + i,
                                base_time - timedelta(days=900), 300, w)
        brand_accounts[b.name] = acc
        # remote accounts are known to the instance too, under their full acct
        soc.mastodon_accounts[acc["acct"]] = acc
        soc.mastodon_by_id[acc["id"]] = acc
    bprof = _bsky_profile(ACTIVIST_BSKY, "Veille Giants 🦉", "Vos pubs financent-elles la haine ? "
                          "Do your ads fund hate?", w, N_POSTS)
    oprof = _bsky_profile(OTHER_BSKY, "Collectif Vigilance", "Pour une pub responsable.", w, 80)
    brand_profiles: dict[str, dict[str, Any]] = {}
    for p in (bprof, oprof):
        soc.bsky_profiles[p["handle"]] = p
        soc.bsky_profiles[p["did"]] = p
    for b in w.brands:
        p = _bsky_profile(b.handles["bluesky"], b.name, f"Official account of {b.name}", w, 500)
        brand_profiles[b.name] = p
        soc.bsky_profiles[p["handle"]] = p
        soc.bsky_profiles[p["did"]] = p

    # what to call out: (brand, page) pairs where the ad really is ---------------------------
    pages = {p.url: p for p in w.pages}
    sites = {s.domain: s for s in w.sites}
    brands = {b.name: b for b in w.brands}
    pairs: list[tuple[Brand, str]] = []
    seen: set[tuple[str, str]] = set()
    for ad in w.ads:
        page = pages[ad["page_url"]]
        if ad["brand"] and page.tier in ("floor", "high", "medium") and page.page_type == "article":
            key = (ad["brand"], ad["page_url"])
            if key not in seen:
                seen.add(key)
                pairs.append((brands[ad["brand"]], ad["page_url"]))
    rng.shuffle(pairs)

    for platform in ("mastodon", "bluesky"):
        plan = list(TACTIC_PLAN)
        rng.shuffle(plan)
        drafts: list[Draft] = []
        t = base_time + timedelta(hours=3 if platform == "bluesky" else 0)
        offset = 0 if platform == "mastodon" else 11
        for i, tactic in enumerate(plan):
            t = t + timedelta(hours=rng.randint(9, 30), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
            lang = "fr" if rng.random() < (0.7 if platform == "mastodon" else 0.5) else "en"
            brand, page_url = pairs[(i + offset) % len(pairs)]
            page = pages[page_url]
            site = sites[page.site]
            templates = TEMPLATES[tactic][lang]
            template = templates[i % len(templates)]
            brand2 = None
            if "{B2}" in template:
                others = [b for b, u in pairs if pages[u].site == site.domain and b.name != brand.name]
                brand2 = others[0] if others else next(b for b in w.brands if b.name != brand.name)
            cat = next((c for c in page.categories if c in CATEGORY_PHRASE), "spam_harmful")
            tags = HASHTAGS[lang]
            site_name = site.spec.name if rng.random() < 0.6 else rng.choice(site.spec.aliases)
            drafts.append(_draft(tactic, lang, template, brand, brand2, page_url, site_name, site.domain,
                                 CATEGORY_PHRASE[cat][lang], tags[i % len(tags)], tags[(i + 1) % len(tags)],
                                 site.spec.color, t))
        # a few replies to brand accounts, and two reposts of another collective
        for j in (4, 13, 22):
            if drafts[j].brands:
                drafts[j].reply_to_brand = brands[drafts[j].brands[0]]
        for j in (8, 19):
            drafts[j].repost = True
        if platform == "mastodon":
            _render_mastodon(w, soc, drafts, activist, other, brand_accounts)
        else:
            _render_bluesky(w, soc, drafts, bprof, oprof, brand_profiles)


def _draft(tactic: str, lang: str, template: str, brand: Brand, brand2: Brand | None, page_url: str,
           site_name: str, site_domain: str, cat_phrase: str, tag1: str, tag2: str, site_color: str,
           created: datetime) -> Draft:
    uses = set(re.findall(r"\{(\w+)\}", template))

    def segs(platform: str) -> list[Seg]:
        values: dict[str, list[Seg]] = {
            "B": [_mention(brand, platform)],
            "B2": [_mention(brand2, platform)] if brand2 else [],
            "BN": [Seg(brand.name)],
            "S": [Seg(page_url, "link", page_url)],
            "SN": [Seg(f"« {site_name} »" if lang == "fr" else site_name)],
            "SD": [Seg(site_domain)],
            "C": [Seg(cat_phrase)],
            "H": [_hashtag(tag1)],
            "H2": [_hashtag(tag2)],
        }
        return _segments(template, values)

    names: list[str] = []
    if uses & {"B", "BN"}:
        names.append(brand.name)
    if "B2" in uses and brand2:
        names.append(brand2.name)
    site_list = [site_domain] if uses & {"S", "SN", "SD"} else []
    image = None
    if tactic == "proof":
        alt = ({"fr": f"Capture d'écran : publicité {brand.name} sur {site_domain}",
                "en": f"Screenshot: {brand.name} ad on {site_domain}"})[lang]
        image = (site_color, brand.color, alt)
    return Draft(tactic, lang, segs, names, site_list, image, created)


def _esc(s: str) -> str:
    import html

    return html.escape(s, quote=True)


def _render_mastodon(w: World, soc: Social, drafts: list[Draft], activist: dict[str, Any],
                     other: dict[str, Any], brand_accounts: dict[str, dict[str, Any]]) -> None:
    statuses: list[dict[str, Any]] = []
    for seq, d in enumerate(drafts):
        sid = _mastodon_id(d.created, seq)
        author = other if d.repost else activist
        inner_id = _mastodon_id(d.created - timedelta(minutes=40), 500 + seq)
        status_id = inner_id if d.repost else sid
        html_parts: list[str] = []
        mentions: list[dict[str, Any]] = []
        tags: list[dict[str, Any]] = []
        for s in d.segs_fn("mastodon"):
            if s.kind == "mention" and s.brand is not None:
                acc = brand_accounts[s.brand.name]
                html_parts.append(f'<span class="h-card" translate="no"><a href="{acc["url"]}" '
                                  f'class="u-url mention">@<span>{acc["username"]}</span></a></span>')
                mentions.append({"id": acc["id"], "username": acc["username"], "url": acc["url"],
                                 "acct": acc["acct"]})
            elif s.kind == "link":
                bare = s.target.split("://", 1)[1]
                vis, rest = bare[:30], bare[30:]
                html_parts.append(
                    f'<a href="{_esc(s.target)}" target="_blank" rel="nofollow noopener noreferrer" '
                    f'translate="no"><span class="invisible">http://</span><span class="'
                    f'{"ellipsis" if rest else ""}">{_esc(vis)}</span><span class="invisible">{_esc(rest)}</span></a>')
            elif s.kind == "tag":
                tag = s.target
                html_parts.append(f'<a href="http://{MASTO}/tags/{quote(tag)}" class="mention hashtag" rel="tag">'
                                  f'#<span>{_esc(tag)}</span></a>')
                tags.append({"name": tag.lower(), "url": f"http://{MASTO}/tags/{quote(tag.lower())}"})
            else:
                html_parts.append(_esc(s.text))
        media: list[dict[str, Any]] = []
        if d.image:
            tok = hashlib.sha1(f"{w.seed}:{status_id}".encode()).hexdigest()[:16]  # noqa: S324 - not security
            p = f"http://{C.MASTODON_FILES_HOST}/media_attachments/files/{status_id[:3]}/{status_id[3:6]}/{status_id[6:9]}"
            url, prev = f"{p}/original/{tok}.png", f"{p}/small/{tok}.png"
            site_rgb, brand_rgb = hex_rgb(d.image[0]), hex_rgb(d.image[1])
            w.add_png(url, 640, 400, (245, 245, 245), brand_rgb, site_rgb)
            w.add_png(prev, 320, 200, (245, 245, 245), brand_rgb, site_rgb)
            media.append({"id": str(int(status_id) + 1), "type": "image", "url": url, "preview_url": prev,
                          "remote_url": None, "text_url": None, "description": d.image[2],
                          "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH",
                          "meta": {"original": {"width": 640, "height": 400, "size": "640x400", "aspect": 1.6},
                                   "small": {"width": 320, "height": 200, "size": "320x200", "aspect": 1.6}}})
        reply_acc = brand_accounts[d.reply_to_brand.name] if d.reply_to_brand else None
        status = {
            "id": status_id, "created_at": _iso(d.created - timedelta(minutes=40) if d.repost else d.created),
            "in_reply_to_id": (str(int(reply_acc["id"]) * 3 + seq) if reply_acc else None),
            "in_reply_to_account_id": reply_acc["id"] if reply_acc else None,
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": d.lang,
            "uri": f"{author['uri']}/statuses/{status_id}", "url": f"{author['url']}/{status_id}",
            "replies_count": (seq * 7) % 11, "reblogs_count": (seq * 13) % 40, "favourites_count": (seq * 29) % 90,
            "edited_at": None, "content": "<p>" + "".join(html_parts) + "</p>", "reblog": None,
            "application": None, "account": author, "media_attachments": media, "mentions": mentions,
            "tags": tags, "emojis": [], "card": None, "poll": None,
        }
        if d.repost:
            outer = {**status, "id": sid, "created_at": _iso(d.created), "in_reply_to_id": None,
                     "in_reply_to_account_id": None, "uri": f"{activist['uri']}/statuses/{sid}/activity",
                     "url": f"{activist['url']}/{sid}", "content": "", "account": activist,
                     "media_attachments": [], "mentions": [], "tags": [], "reblog": status, "language": None,
                     "replies_count": 0, "reblogs_count": 0, "favourites_count": 0}
            status = outer
        statuses.append(status)
        w.posts.append({
            "source": "mastodon", "url": status["url"], "external_id": status["id"],
            "author": f"{ACTIVIST_MASTODON}@{MASTO}", "brands": list(d.brands), "sites": list(d.sites),
            "tactic": d.tactic, "lang": d.lang, "created_at": status["created_at"],
            "reply": reply_acc is not None, "repost": d.repost, "has_image": bool(media),
            "original_author": f"{OTHER_MASTODON}@{MASTO}" if d.repost else None,
        })
        w.add(str(status["url"]), _status_page(status))
    statuses.sort(key=lambda s: int(s["id"]), reverse=True)
    soc.statuses = statuses
    last = statuses[0]["created_at"][:10] if statuses else None
    activist["last_status_at"] = last


def _status_page(status: dict[str, Any]) -> Response:
    from demo.world import html_response

    name = _esc(status["account"]["display_name"])
    return html_response(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head>'
                         f'<body>{status["content"] or ""}</body></html>')


def _render_bluesky(w: World, soc: Social, drafts: list[Draft], prof: dict[str, Any], other: dict[str, Any],
                    brand_profiles: dict[str, dict[str, Any]]) -> None:
    items: list[tuple[str, dict[str, Any]]] = []
    for seq, d in enumerate(drafts):
        author = other if d.repost else prof
        created = d.created - timedelta(minutes=55) if d.repost else d.created
        text_parts: list[str] = []
        facets: list[dict[str, Any]] = []
        nbytes = 0
        for s in d.segs_fn("bluesky"):
            shown = _short_link(s.target) if s.kind == "link" else s.text
            start = nbytes
            nbytes += len(shown.encode("utf-8"))
            text_parts.append(shown)
            feature: dict[str, Any] | None = None
            if s.kind == "mention" and s.brand is not None:
                feature = {"$type": "app.bsky.richtext.facet#mention", "did": brand_profiles[s.brand.name]["did"]}
            elif s.kind == "link":
                feature = {"$type": "app.bsky.richtext.facet#link", "uri": s.target}
            elif s.kind == "tag":
                feature = {"$type": "app.bsky.richtext.facet#tag", "tag": s.target}
            if feature:
                facets.append({"$type": "app.bsky.richtext.facet",
                               "index": {"byteStart": start, "byteEnd": nbytes}, "features": [feature]})
        text = "".join(text_parts)
        rkey = _tid(created, seq)
        uri = f"at://{author['did']}/app.bsky.feed.post/{rkey}"
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _iso(created),
                                  "langs": [d.lang]}
        if facets:
            record["facets"] = facets
        post: dict[str, Any] = {"uri": uri, "cid": "", "author": _author_view(author), "record": record,
                                "replyCount": seq % 5, "repostCount": (seq * 3) % 17, "likeCount": (seq * 11) % 60,
                                "quoteCount": 0, "indexedAt": _iso(created + timedelta(seconds=2)), "labels": []}
        if d.image:
            img_cid = _cid(f"img:{w.seed}:{uri}")
            site_rgb, brand_rgb = hex_rgb(d.image[0]), hex_rgb(d.image[1])
            full = f"http://{C.BSKY_CDN_HOST}/img/feed_fullsize/plain/{author['did']}/{img_cid}@png"
            thumb = f"http://{C.BSKY_CDN_HOST}/img/feed_thumbnail/plain/{author['did']}/{img_cid}@png"
            w.add_png(full, 640, 400, (245, 245, 245), brand_rgb, site_rgb)
            w.add_png(thumb, 320, 200, (245, 245, 245), brand_rgb, site_rgb)
            size = len(png(640, 400, (245, 245, 245), brand_rgb, site_rgb))
            record["embed"] = {"$type": "app.bsky.embed.images", "images": [{
                "alt": d.image[2], "image": {"$type": "blob", "ref": {"$link": img_cid}, "mimeType": "image/png",
                                             "size": size},
                "aspectRatio": {"width": 640, "height": 400}}]}
            post["embed"] = {"$type": "app.bsky.embed.images#view",
                             "images": [{"thumb": thumb, "fullsize": full, "alt": d.image[2],
                                         "aspectRatio": {"width": 640, "height": 400}}]}
        item: dict[str, Any] = {"post": post}
        if d.reply_to_brand:
            bp = brand_profiles[d.reply_to_brand.name]
            parent_uri = f"at://{bp['did']}/app.bsky.feed.post/{_tid(created - timedelta(hours=5), 900 + seq)}"
            parent_cid = _cid(parent_uri)
            ref = {"uri": parent_uri, "cid": parent_cid}
            record["reply"] = {"root": ref, "parent": ref}
            parent_view = {"$type": "app.bsky.feed.defs#postView", "uri": parent_uri, "cid": parent_cid,
                           "author": _author_view(bp),
                           "record": {"$type": "app.bsky.feed.post", "text": "Découvrez notre nouvelle offre ✨",
                                      "createdAt": _iso(created - timedelta(hours=5)), "langs": ["fr"]},
                           "replyCount": 3, "repostCount": 1, "likeCount": 12, "quoteCount": 0,
                           "indexedAt": _iso(created - timedelta(hours=5)), "labels": []}
            item["reply"] = {"root": parent_view, "parent": parent_view}
        post["cid"] = _cid(f"{uri}:{text}")
        sort_at = _iso(d.created)
        if d.repost:
            item["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost", "by": _author_view(prof),
                              "indexedAt": sort_at}
        items.append((sort_at, item))
        web = f"https://bsky.app/profile/{author['handle']}/post/{rkey}"
        w.posts.append({
            "source": "bluesky", "url": web, "external_id": uri, "author": ACTIVIST_BSKY,
            "brands": list(d.brands), "sites": list(d.sites), "tactic": d.tactic, "lang": d.lang,
            "created_at": sort_at, "reply": d.reply_to_brand is not None, "repost": d.repost,
            "has_image": d.image is not None,
            "original_author": OTHER_BSKY if d.repost else None,
        })
    items.sort(key=lambda x: x[0], reverse=True)
    soc.feed = [i for _, i in items]
    soc.feed_sort = [s for s, _ in items]
