"""The rules engine: page and site facts in, per-category GARM tiers with evidence out.

Every lexicon phrase of every rule (and every context cue) is compiled into ONE Aho-Corasick
automaton, so a page is read once whatever the number of rules: cost grows with text length,
not with the rule count. Word boundaries, negation windows and scoring are checked only on the
(few) raw matches the automaton reports."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import chain, compress, pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ahocorasick

from rules.garm import CATEGORIES, TIER_RANK, TIERS, worse
from rules.packs import DEFAULT_SETTINGS, Pack, Rule, load_packs
from rules.text import Folded, fold, fold_phrase

#: Bumped when matching or scoring semantics change, so that ``vigie score`` rescores everything
#: (the rules version is this plus the digest of every loaded pack).
ENGINE_VERSION = "1"

# --- facts in -------------------------------------------------------------------------------


@dataclass(slots=True)
class PageFacts:
    """What is known about one page. ``domain_categories`` are the list categories (UT1...) of
    its domain, looked up by the caller; ``site_context`` names contexts that hold for the whole
    site (e.g. ``news`` for a press site)."""

    url: str
    title: str = ""
    text: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    lang: str | None = None
    domain_categories: frozenset[str] = frozenset()


@dataclass
class SiteFacts:
    """What is known about one site: supply-side and activist facts, and its list categories."""

    domain: str
    ads_txt: str | None = None  # ok | absent | error | None (not fetched)
    ad_density: float | None = None  # ad slots per screen, or share of the page that is ads
    ad_networks: int | None = None  # distinct ad networks seen
    called_out: int = 0  # activist posts naming the site
    called_out_posts: list[str] = field(default_factory=list)
    domain_categories: frozenset[str] = frozenset()


@dataclass
class PageRecord:
    """One page's stored verdict, as the site roll-up needs it."""

    url: str
    tiers: dict[str, str]  # category -> tier (only categories with a risk)
    risk_score: float = 0.0
    when: datetime | None = None


# --- verdicts out ---------------------------------------------------------------------------


@dataclass(slots=True)
class Evidence:
    """Why a rule fired: which terms, how often, where, and snippets of the original text."""

    rule_id: str
    where: str  # body | title | url | domain | meta | site | pages
    tier: str
    score: float
    terms: list[str] = field(default_factory=list)
    hits: int = 0
    negated: int = 0
    snippets: list[str] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class CategoryVerdict:
    category: str
    tier: str
    score: float
    base_tier: str  # before context shifts
    shifts: list[str] = field(default_factory=list)  # e.g. ["news:-1"]
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "tier": self.tier, "score": round(self.score, 3),
                "base_tier": self.base_tier, "shifts": self.shifts,
                "evidence": [e.to_dict() for e in self.evidence]}


def _risk_points(tiers: list[str], points: dict[str, float]) -> float:
    return max((float(points.get(t, 0.0)) for t in tiers), default=0.0)


@dataclass
class PageVerdict:
    url: str
    categories: dict[str, CategoryVerdict]  # only categories with a risk
    contexts: dict[str, float]  # active contexts -> their score
    signals: list[Evidence]
    rules_version: str
    tier_points: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SETTINGS["tier_points"]))

    @property
    def worst_tier(self) -> str:
        tier = "none"
        for cv in self.categories.values():
            tier = worse(tier, cv.tier)
        return tier

    @property
    def risk_score(self) -> float:
        """0-100: the points of the worst tier, plus a little for every other risky category."""
        tiers = sorted((cv.tier for cv in self.categories.values()), key=TIER_RANK.__getitem__)
        if not tiers:
            return 0.0
        extra = sum(self.tier_points.get(t, 0.0) for t in tiers[1:]) * 0.1
        return round(min(100.0, self.tier_points.get(tiers[0], 0.0) + extra), 2)

    def tier(self, category: str) -> str:
        cv = self.categories.get(category)
        return cv.tier if cv else "none"

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "worst_tier": self.worst_tier, "risk_score": self.risk_score,
                "rules_version": self.rules_version, "contexts": self.contexts,
                "categories": {k: v.to_dict() for k, v in sorted(self.categories.items())},
                "signals": [s.to_dict() for s in self.signals]}


@dataclass
class SiteVerdict:
    domain: str
    pages: int
    tier_share: dict[str, float]  # share of pages whose worst tier is each tier
    category_share: dict[str, dict[str, float]]  # category -> tier -> share of pages at that tier
    categories: dict[str, CategoryVerdict]  # site-level tier per category (share-aware)
    worst_tier: str  # worst tier of any page or site-level rule
    trend: str  # rising | falling | stable | unknown
    signals: list[Evidence]
    risk_score: float
    rules_version: str

    def tier(self, category: str) -> str:
        cv = self.categories.get(category)
        return cv.tier if cv else "none"

    def to_dict(self) -> dict[str, Any]:
        return {"domain": self.domain, "pages": self.pages, "tier_share": self.tier_share,
                "category_share": self.category_share, "worst_tier": self.worst_tier,
                "trend": self.trend, "risk_score": self.risk_score, "rules_version": self.rules_version,
                "categories": {k: v.to_dict() for k, v in sorted(self.categories.items())},
                "signals": [s.to_dict() for s in self.signals]}


# --- the engine -----------------------------------------------------------------------------


_WS_RUN = re.compile(r"[ \t\u00a0\u202f]{2,}")


def _squeeze(text: str) -> str:
    """Runs of spaces within a line -> one space, so that phrases match across them; a cheap
    no-op for text without runs. Line breaks are kept: a phrase does not span two lines."""
    if "  " in text or "\t" in text or "\u00a0" in text:
        return _WS_RUN.sub(" ", text)
    return text


def shift_tier(tier: str, shift: int) -> str:
    """Move a risk tier by ``shift`` steps (negative = less severe), staying within floor..low."""
    if tier == "none" or shift == 0:
        return tier
    rank = TIER_RANK[tier] - shift
    return TIERS[min(max(rank, 0), TIER_RANK["low"])]


#: Language of each slot of an automaton value's entries: None = every entry (no page language),
#: "fr"/"en" = entries for that language or any, "" = only the entries for any language.
_SLOT_LANGS: tuple[str | None, ...] = (None, "fr", "en", "")


def _lang_slot(lang: str | None) -> int:
    """The slot of ``_SLOT_LANGS`` for a page language (any other language: "any" rules only)."""
    if not lang:
        return 0
    return 1 if lang == "fr" else 2 if lang == "en" else 3


def _evidence_order(e: Evidence) -> tuple[int, float]:
    return TIER_RANK[e.tier], -e.score


def _context_shift(own: dict[str, int], default: dict[str, int],
                   contexts: dict[str, float]) -> tuple[int, list[str]]:
    """A rule's tier shift under the page's active contexts (the strongest lowering and raising
    both count) and the ``context:+n`` labels of the contexts that move it."""
    shifts = [own.get(c, default.get(c, 0)) for c in contexts]
    shift = (max(shifts, default=0) if any(s > 0 for s in shifts) else 0) + min(min(shifts, default=0), 0)
    return shift, [f"{c}:{v:+d}" for c, v in zip(contexts, shifts, strict=True) if v]


@dataclass(slots=True)
class _Acc:
    """Per-rule match accumulator for one page."""

    hits: int = 0
    title_hits: int = 0
    negated: int = 0
    terms: dict[str, int] = field(default_factory=dict)
    spans: list[tuple[_Matches, int]] = field(default_factory=list)  # (pass, entry id) per snippet


class _Matches:
    """One text's matches, kept so that a snippet's span is found only for the rules that fire."""

    __slots__ = ("_first", "_key_len", "counts", "eid_key", "folded", "hits", "kids", "negated", "per_hit",
                 "rule_order", "text", "where")

    def __init__(self, engine: Engine, folded: Folded, where: str, text: str, hits: list[tuple[int, int]],
                 kids: list[int], per_hit: list[tuple[int, ...]]) -> None:
        self.folded, self.where, self.text = folded, where, text
        self.hits, self.kids, self.per_hit = hits, kids, per_hit
        self._key_len, self.eid_key = engine._key_len, engine._eid_key
        self._first: dict[int, int] | None = None
        self.counts: dict[int, int] = {}  # entry id -> counted matches
        self.negated: dict[int, int] = {}  # entry id -> negated matches
        self.rule_order: list[int] = []  # only when some matches are negated (see Engine._scan)

    def span(self, eid: int) -> tuple[str, int, int]:
        """Where entry ``eid`` was first counted: (where, start, end) in the folded text."""
        return (self.where, *self.spans([eid])[0])

    def spans(self, eids: list[int]) -> list[tuple[int, int]]:
        """Each entry's first counted match: its key's first match, unless negated there."""
        kids, per_hit, hits, text, key_len, eid_key = (self.kids, self.per_hit, self.hits, self.text,
                                                       self._key_len, self.eid_key)
        if self._first is None:  # key id -> index of its first match
            self._first = dict(zip(reversed(kids), range(len(kids) - 1, -1, -1), strict=True))
        first = self._first
        out = []
        for eid in eids:
            kid = eid_key[eid]
            j = first[kid]
            while eid not in per_hit[j]:
                j = kids.index(kid, j + 1)
            end = hits[j][0]
            out.append((end - key_len[kid] + 1, end - 1 if text[end] == " " else end))
        return out


class Engine:
    """Compiled rule packs. Build once (``Engine.load()``), score many pages."""

    def __init__(self, packs: list[Pack]):
        self.packs = packs
        self.settings: dict[str, Any] = {**DEFAULT_SETTINGS}
        for p in packs:
            for k, v in p.settings.items():
                self.settings[k] = {**self.settings[k], **v} if isinstance(v, dict) else v
        self.rules: list[Rule] = [r for p in packs for r in p.rules]
        self._title_weight = float(self.settings["title_weight"])
        self.version = hashlib.sha256((ENGINE_VERSION + "".join(p.digest for p in packs)).encode()).hexdigest()[:16]
        self.negation_cues = frozenset(fold_phrase(c) for c in self.settings["negation_cues"])
        self._window = int(self.settings["negation_window"])
        self._max_snippets = int(self.settings["max_snippets"])
        self._snippet_width = int(self.settings["snippet_width"])
        self._automaton = ahocorasick.Automaton()
        # keys are " phrase " (" phrase" for a prefix term): the folded text has spaces for every
        # non-word character and is padded, so only whole-word matches are ever reported. Negation
        # cues go into the same automaton, so negation windows cost no extra pass.
        table: dict[str, list[tuple[int, str, frozenset[str] | None, bool]]] = {}
        for i, r in enumerate(self.rules):
            for phrase in r.phrases:
                prefix = phrase.endswith("*")
                key = fold_phrase(phrase.rstrip("*"))
                if key:
                    langs = None if "any" in r.lang else frozenset(r.lang)
                    table.setdefault(f" {key}" if prefix else f" {key} ", []).append(
                        (i, phrase, langs, r.negatable and r.context is None))
        self.n_terms = len(table)
        cue_keys = {f" {c} " for c in self.negation_cues if c}
        # Matching is done in bulk (see match()): the automaton's value for a key is a key id; the
        # tables below give, per id, its length and, per language slot (see _lang_slot), the ids of
        # its entries (one per rule and phrase), split into negatable and not.
        self._key_len: list[int] = []
        self._cue_ids: set[int] = set()
        self._eid_rule: list[int] = []
        self._eid_phrase: list[str] = []
        self._eid_key: list[int] = []
        eid_of: dict[tuple[int, str], int] = {}
        self._key_eids: tuple[list[tuple[int, ...]], ...] = tuple([] for _ in _SLOT_LANGS)
        self._key_neg: tuple[list[tuple[int, ...]], ...] = tuple([] for _ in _SLOT_LANGS)
        self._key_keep: tuple[list[tuple[int, ...]], ...] = tuple([] for _ in _SLOT_LANGS)
        for kid, key in enumerate(sorted(table.keys() | cue_keys)):
            self._automaton.add_word(key, kid)
            self._key_len.append(len(key))
            if key in cue_keys:
                self._cue_ids.add(kid)
            entries = []
            for ri, phrase, langs, negatable in table.get(key, ()):
                eid = eid_of.get((ri, phrase))
                if eid is None:
                    eid = eid_of[ri, phrase] = len(self._eid_rule)
                    self._eid_rule.append(ri)
                    self._eid_phrase.append(phrase)
                    self._eid_key.append(kid)
                entries.append((eid, langs, negatable))
            for slot, slot_lang in enumerate(_SLOT_LANGS):
                kept = [(eid, neg) for eid, langs, neg in entries
                        if slot_lang is None or langs is None or slot_lang in langs]
                self._key_eids[slot].append(tuple(eid for eid, _ in kept))
                self._key_neg[slot].append(tuple(eid for eid, neg in kept if neg))
                self._key_keep[slot].append(tuple(eid for eid, neg in kept if not neg))
        self._max_key_len = max(self._key_len, default=0)
        # per slot and key id: the key's length if some of its entries are negatable, else 0
        self._neg_len = tuple([n if neg else 0 for n, neg in zip(self._key_len, negs, strict=True)]
                              for negs in self._key_neg)
        self._shift_cache: dict[tuple[tuple[tuple[str, int], ...], tuple[str, ...], str], tuple[str, list[str]]] = {}
        self._min_terms = [max(r.min_terms, 1) for r in self.rules]  # no rule fires without a term
        if table:
            self._automaton.make_automaton()
        self._by_kind: dict[str, list[int]] = {}
        for i, r in enumerate(self.rules):
            self._by_kind.setdefault(r.kind, []).append(i)

    @classmethod
    def load(cls, extra: list[Path] | None = None, *, shipped: bool = True) -> Engine:
        """The shipped packs plus any user packs (files or directories)."""
        return cls(load_packs(extra, shipped=shipped))

    # -- matching ------------------------------------------------------------------------

    def match(self, folded: Folded, where: str, accs: dict[int, _Acc], lang: str | None) -> None:
        """Feed the automaton's matches in ``folded`` (one pass) into per-rule accumulators."""
        matches = self._scan(folded, where, lang)
        if matches is not None:
            self._accumulate(matches, accs)

    def _scan(self, folded: Folded, where: str, lang: str | None) -> _Matches | None:
        """One pass of the automaton over ``folded``, negation applied, entries counted.

        Speed: the matches are listed, mapped to their entries and counted by C code (``map``,
        ``chain``, ``Counter``); Python only loops over the negation cues' windows, not over
        every match."""
        if not folded.text or not self.n_terms:
            return None
        text = f" {folded.text} "
        hits: list[tuple[int, int]] = list(self._automaton.iter(text))  # (end, key id), by end
        if not hits:
            return None
        slot = _lang_slot(lang)
        kids = list(map(itemgetter(1), hits))
        per_hit = list(map(self._key_eids[slot].__getitem__, kids))  # the entries each match counts for
        m = _Matches(self, folded, where, text, hits, kids, per_hit)
        if not self._cue_ids.isdisjoint(kids):
            raw = per_hit.copy()
            negated = self._negations(text, hits, kids, per_hit, slot)
            if negated:
                m.negated = Counter(chain.from_iterable(negated.values()))
                # rules in the order they are first met, negated or not (accumulators are made so)
                m.rule_order = list(dict.fromkeys(map(self._eid_rule.__getitem__, chain.from_iterable(raw))))
        # entry id -> matches, in the order of each entry's first counted match (Counter keeps it)
        m.counts = Counter(chain.from_iterable(per_hit))
        return m

    def _accumulate(self, m: _Matches, accs: dict[int, _Acc], only: set[int] | None = None) -> None:
        """Add one pass's counts to the accumulators of its rules (of the rules in ``only``)."""
        eid_rule, eid_phrase = self._eid_rule, self._eid_phrase
        order = m.rule_order if only is None else compress(m.rule_order, map(only.__contains__, m.rule_order))
        for ri in order:
            if ri not in accs:
                accs[ri] = _Acc()
        max_snippets = self._max_snippets
        in_title = m.where == "title"
        counts: Iterable[tuple[int, int]] = m.counts.items()
        if only is not None:  # the other rules' entries are skipped by C code
            counts = compress(counts, map(only.__contains__, map(eid_rule.__getitem__, m.counts)))
        for eid, n in counts:
            ri = eid_rule[eid]
            acc = accs.get(ri)
            if acc is None:
                acc = accs[ri] = _Acc()
            if in_title:
                acc.title_hits += n
            else:
                acc.hits += n
            phrase = eid_phrase[eid]
            terms = acc.terms
            if phrase in terms:
                terms[phrase] += n
            else:
                terms[phrase] = n
                if len(acc.spans) < max_snippets:  # a snippet for each distinct term
                    acc.spans.append((m, eid))
        for eid, n in m.negated.items():
            ri = eid_rule[eid]
            acc = accs.get(ri)
            if acc is None:
                if only is not None and ri not in only:
                    continue
                acc = accs[ri] = _Acc()
            acc.negated += n

    def _negations(self, text: str, hits: list[tuple[int, int]], kids: list[int],
                   per_hit: list[tuple[int, ...]], slot: int) -> dict[int, tuple[int, ...]]:
        """Matches of negatable entries within ``negation_window`` words after a negation cue:
        match index -> the entries it does not count for (``per_hit`` is updated to the others).
        A match is judged against the last cue met before it, in match order."""
        window = self._window
        reach = 16 * window
        bound = reach + self._max_key_len - 1  # a match ending this far after a cue starts beyond reach
        neg_len, key_neg, key_keep = self._neg_len[slot], self._key_neg[slot], self._key_keep[slot]
        cues = list(compress(range(len(hits)), map(self._cue_ids.__contains__, kids)))
        cues.append(len(hits) - 1)
        out: dict[int, tuple[int, ...]] = {}
        for ci, stop in pairwise(cues):
            last_cue = hits[ci][0]  # the cue key's trailing space
            too_far = last_cue + bound
            for j in range(ci + 1, stop + 1):  # up to the next cue itself (judged before it counts)
                end, kid = hits[j]
                if end >= too_far:
                    break
                length = neg_len[kid]
                if length:  # some entries are negatable
                    start = end - length + 1  # the key's leading space
                    if (last_cue <= start and start - last_cue < reach
                            and len(text[last_cue:start].split()) < window):
                        out[j] = key_neg[kid]
                        per_hit[j] = key_keep[kid]
        return out

    def _rule_score(self, rule: Rule, acc: _Acc) -> float:
        tw = self._title_weight
        hits = acc.hits + tw * acc.title_hits
        distinct = len(acc.terms)
        if distinct < rule.min_terms or acc.hits + acc.title_hits < rule.min_hits:
            return 0.0
        extra = max(0.0, hits - distinct)
        title_bonus = (tw - 1.0) if acc.title_hits else 0.0
        return rule.weight * (distinct + title_bonus + math.log1p(extra))

    # -- pages -----------------------------------------------------------------------------

    def score_page(self, facts: PageFacts) -> PageVerdict:
        """One page's verdict: every category's tier and score, with the evidence for each."""
        lang = (facts.lang or "").split("-")[0].lower() or None
        if lang not in ("fr", "en"):
            lang = None
        accs: dict[int, _Acc] = {}
        folded = {"title": fold(_squeeze(facts.title or "")), "body": fold(_squeeze(facts.text or ""))}
        scans = [m for where, f in folded.items() if (m := self._scan(f, where, lang)) is not None]
        if scans:
            # only rules with enough distinct terms can fire: the others' matches are not added up
            eid_rule, min_terms = self._eid_rule, self._min_terms
            distinct = Counter(map(eid_rule.__getitem__, set().union(*(m.counts.keys() for m in scans))))
            can_fire = {ri for ri, n in distinct.items() if n >= min_terms[ri]}
            for m in scans:
                self._accumulate(m, accs, can_fire)
        rules = self.rules
        fired: list[tuple[Rule, Evidence]] = []
        # snippets are cut after the loop, all of a text at once: (evidence's list, its matches)
        pending: list[tuple[list[str], list[tuple[_Matches, int]]]] = []
        rule_score = self._rule_score
        for ri, acc in accs.items():
            rule = rules[ri]
            score = rule_score(rule, acc)
            if score <= 0:
                continue
            snippets: list[str] = []
            if acc.spans and not rule.context:
                pending.append((snippets, acc.spans))
            where = "title" if acc.title_hits and not acc.hits else "body"
            fired.append((rule, Evidence(rule.id, where, rule.tier, round(score, 3),
                                         terms=sorted(acc.terms), hits=acc.hits + acc.title_hits,
                                         negated=acc.negated, snippets=snippets)))
        if pending:
            refs = list(chain.from_iterable(r for _, r in pending))
            cut: dict[tuple[_Matches, int], str] = {}
            for m in {m for m, _ in refs}:
                mine = [ref for ref in refs if ref[0] is m]
                cut.update(zip(mine, m.folded.snippets(m.spans([eid for _, eid in mine]), self._snippet_width),
                               strict=True))
            for snippets, r in pending:
                snippets.extend(map(cut.__getitem__, r))
        fired.extend(self._fact_rules(facts))
        return self._verdict(facts.url, fired)

    def _fact_rules(self, facts: PageFacts) -> list[tuple[Rule, Evidence]]:
        """URL pattern, domain-list and metadata rules (no text matching)."""
        out: list[tuple[Rule, Evidence]] = []
        parts = urlsplit(facts.url)
        path = parts.path + (("?" + parts.query) if parts.query else "")
        for ri in self._by_kind.get("url_patterns", []):
            r = self.rules[ri]
            found = [m.group(0) for p in r.url_patterns if (m := p.search(path))]
            if found:
                out.append((r, Evidence(r.id, "url", r.tier, r.weight, terms=found, hits=len(found),
                                        snippets=[facts.url])))
        if facts.domain_categories:
            for ri in self._by_kind.get("domain_categories", []):
                r = self.rules[ri]
                found = sorted(set(r.domain_categories) & facts.domain_categories)
                if found:
                    out.append((r, Evidence(r.id, "domain", r.tier, r.weight * 3, terms=found,
                                            hits=len(found), note="domain list category")))
        if facts.meta:
            meta = {str(k).lower(): fold(str(v)).text for k, v in facts.meta.items()
                    if isinstance(v, str | int | float)}
            for ri in self._by_kind.get("meta", []):
                r = self.rules[ri]
                found = [f"{k}={v}" for k, vals in r.meta.items() if k in meta
                         for v in vals if fold(v).text in meta[k]]
                if found:
                    out.append((r, Evidence(r.id, "meta", r.tier, r.weight * 2, terms=found,
                                            hits=len(found))))
        return out

    def _verdict(self, url: str, fired: list[tuple[Rule, Evidence]]) -> PageVerdict:
        contexts: dict[str, float] = {}
        for rule, ev in fired:
            if rule.context:
                contexts[rule.context] = contexts.get(rule.context, 0.0) + ev.score
        default_shifts: dict[str, int] = self.settings["contexts"]
        score_tiers: dict[str, float] = self.settings["score_tiers"]
        cats: dict[str, CategoryVerdict] = {}
        signals: list[Evidence] = []
        # a rule's shifted tier depends only on its tier, its own ``contexts`` overrides and the
        # page's contexts: computed once per (overrides, contexts, tier) for all pages
        shift_cache = self._shift_cache
        page_contexts = tuple(contexts)
        shift_labels: dict[str, set[str]] = {}  # category -> labels of the shifts that moved a tier
        rank = TIER_RANK
        for rule, ev in fired:
            if rule.signal:
                signals.append(ev)
                continue
            category = rule.category
            if not category:
                continue
            cv = cats.get(category)
            if cv is None:
                cv = cats[category] = CategoryVerdict(category, "none", 0.0, "none")
            cv.evidence.append(ev)
            cv.score += ev.score
            tier = rule.tier
            if rank[tier] < rank[cv.base_tier]:
                cv.base_tier = tier
            if page_contexts:
                key = (tuple(rule.contexts.items()) if rule.contexts else (), page_contexts, tier)
                found = shift_cache.get(key)
                if found is None:
                    shift, labels = _context_shift(rule.contexts, default_shifts, contexts)
                    found = shift_cache[key] = (shift_tier(tier, shift), labels if shift else [])
                tier, labels = found
                if labels:
                    shift_labels.setdefault(category, set()).update(labels)
            if rank[tier] < rank[cv.tier]:
                cv.tier = tier
        for category, moved_by in shift_labels.items():
            cats[category].shifts = sorted(moved_by)
        for cv in cats.values():
            if score_tiers:
                for tier in ("floor", "high", "medium", "low"):
                    if tier in score_tiers and cv.score >= float(score_tiers[tier]):
                        cv.tier = worse(cv.tier, tier)
                        break
            cv.score = round(cv.score, 3)
            if len(cv.evidence) > 1:
                cv.evidence.sort(key=_evidence_order)
        cats = {k: v for k, v in cats.items() if v.tier != "none"}
        return PageVerdict(url, cats, {k: round(v, 3) for k, v in contexts.items()}, signals, self.version,
                           dict(self.settings["tier_points"]))

    # -- sites -----------------------------------------------------------------------------

    def site_rules(self, facts: SiteFacts) -> list[tuple[Rule, Evidence]]:
        """Site-signal rules (ads.txt, ad density, ad networks, activist call-outs) and domain lists."""
        out: list[tuple[Rule, Evidence]] = []
        for ri in self._by_kind.get("site", []):
            r = self.rules[ri]
            conds: list[tuple[bool | None, str]] = []
            s = r.site
            if "ads_txt" in s:
                conds.append((None if facts.ads_txt is None else facts.ads_txt == s["ads_txt"],
                              f"ads.txt {facts.ads_txt}"))
            if "ad_density_gte" in s:
                conds.append((None if facts.ad_density is None else facts.ad_density >= s["ad_density_gte"],
                              f"ad density {facts.ad_density}"))
            if "ad_networks_gte" in s:
                conds.append((None if facts.ad_networks is None else facts.ad_networks >= s["ad_networks_gte"],
                              f"{facts.ad_networks} ad networks"))
            if "called_out_gte" in s:
                conds.append((facts.called_out >= s["called_out_gte"],
                              f"called out by {facts.called_out} activist posts"))
            values = [c for c, _ in conds]
            ok = any(v is True for v in values) if s.get("mode") == "any" else (
                bool(values) and all(v is True for v in values))
            if ok:
                notes = [t for v, t in conds if v]
                out.append((r, Evidence(r.id, "site", r.tier, r.weight * 3, terms=notes, hits=len(notes),
                                        snippets=list(facts.called_out_posts[:3]) if "called_out_gte" in s
                                        else [], note="; ".join(notes))))
        if facts.domain_categories:
            out.extend(self._fact_rules(PageFacts(url=f"http://{facts.domain}/",
                                                  domain_categories=facts.domain_categories)))
        return out

    def score_site(self, facts: SiteFacts, pages: list[PageRecord]) -> SiteVerdict:
        """Roll page verdicts up to the site, add site-level rules, and compute the trend."""
        n = len(pages)
        min_share = float(self.settings["site_min_share"])
        tier_counts: Counter[str] = Counter()
        cat_counts: dict[str, Counter[str]] = {}
        for p in pages:
            worst = "none"
            for cat, tier in p.tiers.items():
                worst = worse(worst, tier)
                cat_counts.setdefault(cat, Counter())[tier] += 1
            tier_counts[worst] += 1
        tier_share = {t: round(tier_counts[t] / n, 4) if n else 0.0 for t in TIERS}
        category_share = {c: {t: round(cnt[t] / n, 4) for t in TIERS if cnt[t]} for c, cnt in cat_counts.items()}
        cats: dict[str, CategoryVerdict] = {}
        worst_tier = "none"
        for cat, cnt in cat_counts.items():
            cumulative = 0
            for t in TIERS[:-1]:
                cumulative += cnt[t]
                worst_tier = worse(worst_tier, t) if cnt[t] else worst_tier
                if n and cumulative / n >= min_share:
                    ev = Evidence("site.pages", "pages", t, round(cumulative / n * 100, 2), hits=cumulative,
                                  note=f"{cumulative}/{n} pages at {t} or worse")
                    cats[cat] = CategoryVerdict(cat, t, ev.score, t, evidence=[ev])
                    break
        site_fired = self.site_rules(facts)
        signals: list[Evidence] = []
        for rule, ev in site_fired:
            if rule.signal:
                signals.append(ev)
            if rule.category:
                cv = cats.get(rule.category)
                if cv is None:
                    cv = cats[rule.category] = CategoryVerdict(rule.category, "none", 0.0, "none")
                cv.tier = worse(cv.tier, rule.tier)
                cv.base_tier = worse(cv.base_tier, rule.tier)
                cv.score = round(cv.score + ev.score, 3)
                cv.evidence.append(ev)
                worst_tier = worse(worst_tier, rule.tier)
        points: dict[str, float] = self.settings["tier_points"]
        mean = sum(p.risk_score for p in pages) / n if n else 0.0
        risk = max(mean, _risk_points([cv.tier for cv in cats.values()], points) * 0.5,
                   _risk_points([ev.tier for r, ev in site_fired if r.category], points))
        return SiteVerdict(facts.domain, n, tier_share, category_share, cats, worst_tier,
                           trend(pages), signals, round(min(risk, 100.0), 2), self.version)


def trend(pages: list[PageRecord], min_pages: int = 4, delta: float = 10.0) -> str:
    """Recent half of the dated pages vs the older half: rising, falling or stable risk."""
    dated = sorted((p for p in pages if p.when is not None), key=lambda p: p.when)  # type: ignore[arg-type,return-value]
    if len(dated) < min_pages:
        return "unknown"
    half = len(dated) // 2
    older = sum(p.risk_score for p in dated[:half]) / half
    recent = sum(p.risk_score for p in dated[half:]) / (len(dated) - half)
    if recent - older >= delta:
        return "rising"
    if older - recent >= delta:
        return "falling"
    return "stable"


_DEFAULT: Engine | None = None


def default_engine() -> Engine:
    """The shipped packs, compiled once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Engine.load()
    return _DEFAULT


__all__ = ["CATEGORIES", "CategoryVerdict", "Engine", "Evidence", "PageFacts", "PageRecord", "PageVerdict",
           "SiteFacts", "SiteVerdict", "default_engine", "shift_tier", "trend"]
