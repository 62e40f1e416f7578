"""Post understanding, pure: which brands a post tags, which sites it calls out, its tactic and
language. No database and no network: callers pass the registry in as :class:`Registry`.

Matching folds case and accents (``Élysée`` = ``elysee``), uses word boundaries so ``Orange``
does not match ``orangeade``, and compares domains as registrable domains."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from vigie.domains import registrable_domain

TACTICS = ("proof", "question", "threat", "thanks", "other")

#: Domains that are never "the site called out": social networks, their CDNs and link
#: shorteners, archive/petition hosts (the archived page's own URL is unwrapped instead).
PLATFORM_DOMAINS = frozenset({
    "bsky.app", "bsky.social", "bsky.network", "x.com", "twitter.com", "t.co", "twimg.com", "facebook.com",
    "fb.com", "fb.me", "instagram.com", "threads.net", "youtube.com", "youtu.be", "tiktok.com", "linkedin.com",
    "lnkd.in", "bit.ly", "ow.ly", "buff.ly", "tinyurl.com", "goo.gl", "linktr.ee", "mastodon.social",
    "mstdn.social", "joinmastodon.org", "archive.org", "archive.ph", "archive.today", "archive.is",
    "change.org", "wikipedia.org", "giphy.com", "imgur.com", "cdn.bsky.app",
})

_WORD = r"[0-9a-z_]"
_URL_RE = re.compile(r"https?://[^\s<>\"')\]]+", re.I)
_BARE_DOMAIN_RE = re.compile(
    r"(?<![@\w.\-/])((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?:/[^\s<>\"')\]]*)?(?![\w\-])", re.I)
_HASHTAG_RE = re.compile(r"(?<![\w&])#(\w{2,})", re.U)
_MENTION_RE = re.compile(r"(?<![\w/])@([\w.\-]+(?:@[\w.\-]+)?)", re.U)
_ARCHIVED_RE = re.compile(r"^https?://(?:web\.)?archive\.org/web/[^/]+/(.+)$", re.I)


def fold(text: str) -> str:
    """Case- and accent-insensitive form; typographic apostrophes and dashes made ASCII."""
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def squash(text: str) -> str:
    """Folded letters and digits only: ``Maison Verdier`` -> ``maisonverdier`` (hashtag form)."""
    return re.sub(r"[\W_]+", "", fold(text))


def _phrase_re(phrases: Iterable[str]) -> re.Pattern[str] | None:
    alts = sorted({re.escape(fold(p).strip()) for p in phrases if p and len(p.strip()) >= 2}, key=len, reverse=True)
    if not alts:
        return None
    alts = [a.replace(r"\ ", r"[\s\-']+") for a in alts]
    return re.compile(rf"(?<!{_WORD})(?:{'|'.join(alts)})(?!{_WORD})")


def normalise_handle(network: str, handle: str) -> str:
    """Registry or mention handle -> comparable form: ``@User@Host`` -> ``user@host``;
    ``https://host/@user`` -> ``user@host``; Bluesky/X handles lower-cased, no ``@``."""
    h = handle.strip()
    if h.startswith(("http://", "https://")):
        parts = urlsplit(h)
        path = parts.path.strip("/")
        if path.startswith("@"):
            user = path[1:].split("/")[0]
            return fold(user if "@" in user else f"{user}@{parts.hostname or ''}")
        if network == "bluesky" and path.startswith("profile/"):
            return fold(path.split("/")[1])
        return fold(path.split("/")[-1].lstrip("@"))
    return fold(h.lstrip("@"))


@dataclass(frozen=True)
class BrandRef:
    id: int
    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    handles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteRef:
    domain: str
    name: str | None = None
    aliases: tuple[str, ...] = ()
    id: int | None = None
    worst_tier: str | None = None


class Registry:
    """Brands and sites, with the matchers built once for many posts."""

    def __init__(self, brands: Sequence[BrandRef], sites: Sequence[SiteRef]) -> None:
        self.brands = {b.id: b for b in brands}
        self.sites = {s.domain: s for s in sites}
        self.brand_domains: dict[str, int] = {}
        self._handles: dict[str, int] = {}  # "network:handle" and bare-handle keys
        self._local_handles: dict[str, set[int]] = {}
        self._hostless: dict[str, set[int]] = {}
        self._hashtags: dict[str, int] = {}
        names: dict[str, int] = {}
        for b in brands:
            for d in b.domains:
                rd = registrable_domain(d) or d
                self.brand_domains[rd] = b.id
            for network, handle in (b.handles or {}).items():
                if not handle:
                    continue
                h = normalise_handle(network, str(handle))
                self._handles[f"{network}:{h}"] = b.id
                self._handles.setdefault(h, b.id)
                local = h.split("@")[0]
                self._local_handles.setdefault(local, set()).add(b.id)
                if "@" not in h and network != "bluesky":
                    self._hostless.setdefault(f"{network}:{local}", set()).add(b.id)
                    self._hostless.setdefault(f"any:{local}", set()).add(b.id)
                if network == "bluesky" and "." in local:
                    self._local_handles.setdefault(local.split(".")[0], set()).add(b.id)
            for label in (b.name, *b.aliases):
                if label and label.strip():
                    names[fold(label).strip()] = b.id
                    sq = squash(label)
                    if len(sq) >= 3:
                        self._hashtags.setdefault(sq, b.id)
        self._brand_names = names
        self._brand_re = _phrase_re(names)
        site_names: dict[str, str] = {}
        for s in sites:
            for site_label in (s.name, *s.aliases):
                if site_label and site_label.strip() and len(squash(site_label)) >= 3:
                    site_names[fold(site_label).strip()] = s.domain
        self._site_names = site_names
        self._site_re = _phrase_re(site_names)

    # -- brands ----------------------------------------------------------------------------

    def brand_for_handle(self, network: str, handle: str) -> int | None:
        h = normalise_handle(network, handle)
        found = self._handles.get(f"{network}:{h}") or self._handles.get(h)
        if found is not None:
            return found
        local, _, host = h.partition("@")
        # ``@name`` written without an instance may be any brand's account of that name; a full
        # ``name@host`` only matches a registry handle given without its host.
        if host:
            ids = self._hostless.get(f"{network if network == 'mastodon' else 'any'}:{local}") or set()
        else:
            ids = self._local_handles.get(local) or set()
        return next(iter(ids)) if len(ids) == 1 else None

    def brands_in_text(self, text: str) -> list[int]:
        if self._brand_re is None or not text:
            return []
        out = []
        for m in self._brand_re.finditer(fold(text)):
            key = re.sub(r"[\s\-']+", " ", m.group(0))
            bid = self._brand_names.get(m.group(0))
            if bid is None:
                loose = self._lookup_loose(self._brand_names, key)
                bid = loose if isinstance(loose, int) else None
            if bid is not None:
                out.append(bid)
        return out

    def brand_for_hashtag(self, tag: str) -> int | None:
        return self._hashtags.get(squash(tag))

    # -- sites -----------------------------------------------------------------------------

    def sites_in_text(self, text: str) -> list[str]:
        if self._site_re is None or not text:
            return []
        out = []
        for m in self._site_re.finditer(fold(text)):
            key = re.sub(r"[\s\-']+", " ", m.group(0))
            dom = self._site_names.get(m.group(0))
            if dom is None:
                loose = self._lookup_loose(self._site_names, key)
                dom = loose if isinstance(loose, str) else None
            if dom is not None:
                out.append(dom)
        return out

    @staticmethod
    def _lookup_loose(table: Mapping[str, object], key: str) -> object | None:
        for name, value in table.items():
            if re.sub(r"[\s\-']+", " ", name) == key:
                return value
        return None


@dataclass
class PostInput:
    """What understanding needs from a post, whatever its source."""

    source: str
    text: str
    mentions: Sequence[str] = ()
    hashtags: Sequence[str] = ()
    links: Sequence[str] = ()
    media_count: int = 0
    lang: str | None = None
    author: str | None = None


@dataclass
class Understanding:
    brand_ids: list[int]
    site_domains: list[str]
    tactic: str
    lang: str


def _unwrap(url: str) -> str:
    m = _ARCHIVED_RE.match(url.strip())
    return unquote(m.group(1)) if m else url


def _own_domains(post: PostInput) -> set[str]:
    """The social network's own domains for this post (its instance, its mention hosts)."""
    own = set()
    for value in (post.author or "", *post.mentions):
        if "@" in value:
            rd = registrable_domain(value.rsplit("@", 1)[1])
            if rd:
                own.add(rd)
    if post.source == "bluesky":
        for value in post.mentions:
            rd = registrable_domain(value)
            if rd:
                own.add(rd)
    return own


def tag_brands(post: PostInput, registry: Registry) -> list[int]:
    """Brands the post tags: mentions matched to handles on that network, ``@handle`` written
    in the text, brand names/aliases in the text, hashtags in the hashtag form of a name."""
    found: list[int] = []
    network = post.source if post.source in ("mastodon", "bluesky", "x") else "any"
    mentions = list(post.mentions)
    if not mentions or network == "any":
        mentions += [m.rstrip(".") for m in _MENTION_RE.findall(post.text or "")]
    for mention in mentions:
        bid = registry.brand_for_handle(network, mention)
        if bid is not None:
            found.append(bid)
    found += registry.brands_in_text(post.text)
    tags = list(post.hashtags) + _HASHTAG_RE.findall(post.text or "")
    for tag in tags:
        bid = registry.brand_for_hashtag(tag)
        if bid is not None:
            found.append(bid)
    return list(dict.fromkeys(found))


def called_out_sites(post: PostInput, registry: Registry, brand_ids: Iterable[int] = ()) -> list[str]:
    """Registrable domains the post points at: links (archive links unwrapped), bare domains in
    the text, registered site names and aliases. The brands' own domains and the social
    networks' domains are left out."""
    excluded = set(PLATFORM_DOMAINS) | _own_domains(post) | set(registry.brand_domains)
    found: list[str] = []
    urls = [*post.links, *_URL_RE.findall(post.text or "")]
    for url in urls:
        rd = registrable_domain(_unwrap(url.rstrip(".,;:!?")))
        if rd:
            found.append(rd)
    text_wo_urls = _URL_RE.sub(" ", post.text or "")
    for m in _BARE_DOMAIN_RE.finditer(text_wo_urls):
        candidate = m.group(1).lower().rstrip(".")
        rd = registrable_domain(candidate)
        if rd and (rd in registry.sites or _looks_like_site(candidate)):
            found.append(rd)
    found += registry.sites_in_text(post.text)
    out = [d for d in dict.fromkeys(found) if d not in excluded]
    return out


_FILE_SUFFIXES = {"png", "jpg", "jpeg", "gif", "webp", "pdf", "html", "htm", "php", "txt", "mp4", "svg", "js",
                  "css", "json", "xml", "csv", "md", "py", "zip", "doc", "docx", "xls", "xlsx", "ppt", "sh"}


def _looks_like_site(host: str) -> bool:
    """A bare ``word.tld`` written in text is a site unless it looks like a file name."""
    return host.rsplit(".", 1)[-1] not in _FILE_SUFFIXES


# -- tactic and language -------------------------------------------------------------------

_THANKS = _phrase_re([
    "merci", "mercis", "thank you", "thanks", "bravo", "felicitations", "well done", "kudos", "bonne nouvelle",
    "good news", "a retire", "ont retire", "avez retire", "retire ses publicites", "retire vos publicites",
    "n'apparait plus", "n'apparaissent plus", "ne finance plus", "ne financez plus", "a quitte", "ont quitte",
    "pulled out", "pulled its ads", "pulled their ads", "pulled your ads", "removed its ads", "removed their ads",
    "no longer advertis", "no longer funds", "stopped advertising", "has blocked", "a bloque", "avoir bloque",
    "pour votre reactivite", "for acting", "for your quick",
])
_THREAT = _phrase_re([
    "boycott", "boycotter", "boycottons", "boycottez", "nous boycotterons", "on boycotte",
    "ne plus acheter", "n'achete plus", "n'acheterons plus", "nous cesserons", "cesserons d'acheter",
    "arreter d'acheter", "tant que vous", "sinon nous", "sinon on", "dernier avertissement", "dernier rappel",
    "ultimatum", "we will boycott", "we'll boycott", "stop buying", "stop shopping", "until you", "or we will",
    "or else", "last warning", "final warning", "we will keep", "nous continuerons", "on continuera",
    "vos clients sauront", "your customers will", "face the consequences", "en subir les consequences",
    "nous le ferons savoir", "unfollow",
    "desabonnez", "desabonnons", "cancel my", "resilier", "resilie",
])
_QUESTION = _phrase_re([
    "saviez-vous", "savez-vous", "le saviez-vous", "etes-vous au courant", "etes vous au courant",
    "est-ce normal", "est-ce voulu", "est-ce que", "pourquoi", "voulez-vous", "cautionnez-vous",
    "assumez-vous", "comptez-vous", "allez-vous", "did you know", "are you aware", "do you know", "is this",
    "why do", "why does", "why are", "do you support", "are you ok with", "do you endorse", "will you",
    "is it normal",
])
# Without an attached image, only an explicit mention of a screenshot makes a post "proof":
# "we spotted ..." alone is an observation, not evidence.
_PROOF = _phrase_re([
    "capture d'ecran", "captures d'ecran", "capture ci-jointe", "captures ci-jointes", "screenshot",
    "screenshots", "screen ci-joint", "preuve en image", "preuves en image", "proof attached", "en piece jointe",
    "see attached", "voir la capture", "see the screenshot",
])

_FR_WORDS = frozenset({
    "le", "la", "les", "des", "du", "de", "un", "une", "et", "est", "sur", "pour", "vous", "votre",
    "vos", "nous", "que", "qui", "pas", "ne", "avec", "dans", "ce", "cette", "sont", "au", "aux", "ou",
    "mais", "plus", "merci", "pub", "publicite", "site"
})
_EN_WORDS = frozenset({
    "the", "a", "an", "and", "is", "are", "on", "for", "you", "your", "we", "that", "who", "not",
    "with", "in", "this", "these", "to", "of", "ad", "ads", "thanks", "site", "it", "be", "do", "did"
})


def detect_lang(text: str, hint: str | None = None) -> str:
    """The network's language tag when given (``fr-FR`` -> ``fr``), else French/English by
    stop words; English when nothing decides."""
    if hint:
        return hint.split("-")[0].split("_")[0].lower()[:8]
    words = re.findall(r"[a-z']+", fold(text))
    fr = sum(1 for w in words if w in _FR_WORDS or w.startswith(("l'", "d'", "qu'", "n'", "c'")))
    en = sum(1 for w in words if w in _EN_WORDS)
    return "fr" if fr > en else "en"


_POLITE_PLEASE = re.compile(r"\bmerci (?:de (?!nous avoir|m'avoir|vous avoir|votre|vos|ta|ton|tes)|d'(?!avoir))")


def classify_tactic(text: str, media_count: int = 0) -> str:
    """``thanks`` (a brand pulled out), ``threat`` (boycott, ultimatum), ``proof`` (a screenshot
    shown as evidence), ``question`` (asking the brand whether it knows), else ``other``.
    Cue phrases are checked in that order: a thank-you quoting the old screenshot is still thanks."""
    folded = fold(text or "")
    # "Merci de retirer vos pubs" is French for "please remove your ads": a demand, not thanks.
    polite = _POLITE_PLEASE.sub(" ", folded)
    if _THANKS is not None and _THANKS.search(polite):
        return "thanks"
    if _THREAT is not None and _THREAT.search(folded):
        return "threat"
    if media_count > 0:
        return "proof"
    if _PROOF is not None and _PROOF.search(folded):
        return "proof"
    if "?" in folded or (_QUESTION is not None and _QUESTION.search(folded)):
        return "question"
    return "other"


def understand(post: PostInput, registry: Registry) -> Understanding:
    brands = tag_brands(post, registry)
    sites = called_out_sites(post, registry, brands)
    return Understanding(brand_ids=brands, site_domains=sites, tactic=classify_tactic(post.text, post.media_count),
                         lang=detect_lang(post.text, post.lang))
