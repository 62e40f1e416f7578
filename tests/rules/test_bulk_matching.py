"""The engine's bulk matcher (matches counted by C code, see ``Engine._scan``) gives exactly what the
straightforward loop over every automaton match gives: same per-rule counts, negations, terms,
snippet spans and accumulator order, and so the same evidence, on the demo web's pages and on
perturbed copies of them (extra negation cues, characters that fold to several, other languages)."""

from __future__ import annotations

import math
import random
from typing import Any

import ahocorasick
import pytest

from rules.engine import Engine, PageFacts, _Acc, _squeeze
from rules.garm import TIER_RANK
from rules.text import Folded, fold, fold_phrase

Ref = dict[int, dict[str, Any]]


class Reference:
    """The per-match loop, written plainly: one automaton value per key, one step per match."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        s = engine.settings
        self.window, self.max_snippets = int(s["negation_window"]), int(s["max_snippets"])
        table: dict[str, list[tuple[int, str, frozenset[str] | None, bool]]] = {}
        for i, r in enumerate(engine.rules):
            for phrase in r.phrases:
                key = fold_phrase(phrase.rstrip("*"))
                if key:
                    langs = None if "any" in r.lang else frozenset(r.lang)
                    table.setdefault(f" {key}" if phrase.endswith("*") else f" {key} ", []).append(
                        (i, phrase, langs, r.negatable and r.context is None))
        cues = {f" {fold_phrase(c)} " for c in s["negation_cues"] if fold_phrase(c)}
        self.automaton = ahocorasick.Automaton()
        for key in table.keys() | cues:
            self.automaton.add_word(key, (len(key), table.get(key, []), key in cues))
        self.automaton.make_automaton()

    def match(self, folded: Folded, where: str, accs: Ref, lang: str | None) -> None:
        if not folded.text:
            return
        text = f" {folded.text} "
        last_cue = -1
        for end, (length, entries, is_cue) in self.automaton.iter(text):
            start = end - length + 1
            for ri, phrase, langs, negatable in entries:
                if lang and langs is not None and lang not in langs:
                    continue
                acc = accs.setdefault(ri, {"hits": 0, "title_hits": 0, "negated": 0, "terms": {}, "spans": []})
                if negatable and 0 <= last_cue <= start and start - last_cue < 16 * self.window \
                        and len(text[last_cue:start].split()) < self.window:
                    acc["negated"] += 1
                    continue
                acc["title_hits" if where == "title" else "hits"] += 1
                n = acc["terms"].get(phrase, 0)
                acc["terms"][phrase] = n + 1
                if not n and len(acc["spans"]) < self.max_snippets:
                    acc["spans"].append((where, start, end - 1 if text[end] == " " else end))
            if is_cue:
                last_cue = end


def as_ref(accs: dict[int, _Acc]) -> Ref:
    return {ri: {"hits": a.hits, "title_hits": a.title_hits, "negated": a.negated, "terms": a.terms,
                 "spans": [m.span(eid) for m, eid in a.spans]} for ri, a in accs.items()}


def fired(engine: Engine, accs: Ref, folded: dict[str, Folded]) -> dict[str, list[dict[str, Any]]]:
    """Per category, the evidence of the text rules that fire, ordered as the engine orders it."""
    out: dict[str, list[dict[str, Any]]] = {}
    tw = engine._title_weight
    for ri, a in accs.items():
        r = engine.rules[ri]
        distinct, n = len(a["terms"]), a["hits"] + a["title_hits"]
        if distinct < r.min_terms or n < r.min_hits or not r.category or r.signal:
            continue
        score = r.weight * (distinct + ((tw - 1.0) if a["title_hits"] else 0.0)
                            + math.log1p(max(0.0, a["hits"] + tw * a["title_hits"] - distinct)))
        if score <= 0:
            continue
        out.setdefault(r.category, []).append({
            "rule_id": r.id, "where": "title" if a["title_hits"] and not a["hits"] else "body", "tier": r.tier,
            "score": round(score, 3), "terms": sorted(a["terms"]), "hits": n, "negated": a["negated"],
            "snippets": [] if r.context else [folded[w].snippet(s, e, engine._snippet_width)
                                              for w, s, e in a["spans"]],
            "note": ""})
    for evs in out.values():
        evs.sort(key=lambda e: (TIER_RANK[e["tier"]], -e["score"]))
    return out


def corpus() -> list[PageFacts]:
    try:
        from demo.world import build_world
    except ImportError as exc:  # pragma: no cover - only while demo/ is being written
        pytest.skip(f"demo web not importable yet: {exc}")
    from rules.html import page_facts_from_html

    world = build_world(7)
    pages = []
    for key, entry in sorted(world.routes.items()):
        r = entry() if callable(entry) else entry
        if "html" in r.content_type:
            pages.append(page_facts_from_html(f"http://{key}", r.body))
    rng = random.Random(5)
    extra = ["pas", "not", "no", "jamais", "never", "sans", "without", "n'", "œuvre", "Straße", "cœur", "  ",
             "\u00a0", "Ωmega", "…", "ﬁn", "l’", "\n", "İstanbul"]
    out = []
    for f in pages:
        words = f.text.split(" ")
        for _ in range(len(words) // 8):
            words.insert(rng.randrange(len(words) + 1), rng.choice(extra))
        title = " ".join(rng.sample(words, min(8, len(words))))
        out.append(f)
        out.append(PageFacts(url=f.url, title=title, text=" ".join(words), lang=rng.choice([None, "fr", "en", "de"])))
    return out


def test_bulk_matching_equals_per_match_loop() -> None:
    engine = Engine.load()
    ref = Reference(engine)
    pages = corpus()
    assert len(pages) > 1500
    negated = fired_rules = 0
    for f in pages:
        lang = f.lang.split("-")[0].lower() if f.lang else None
        folded = {"title": fold(_squeeze(f.title)), "body": fold(_squeeze(f.text))}
        for as_given in ({lang, None} if lang in ("fr", "en") else {lang}):  # "de": "any" rules only
            want: Ref = {}
            got: dict[int, _Acc] = {}
            for where, text in folded.items():
                ref.match(text, where, want, as_given)
                engine.match(text, where, got, as_given)
            assert list(as_ref(got).items()) == list(want.items()), f.url  # same order too
        verdict = engine.score_page(f)
        want = {}
        for where, text in folded.items():
            ref.match(text, where, want, lang if lang in ("fr", "en") else None)
        expected = fired(engine, want, folded)
        actual = {c: [e.to_dict() for e in cv.evidence if e.where in ("body", "title")]
                  for c, cv in verdict.categories.items()}
        assert {c: v for c, v in actual.items() if v} == {c: v for c, v in expected.items()
                                                           if c in verdict.categories}, f.url
        negated += sum(a["negated"] for a in want.values())
        fired_rules += sum(map(len, expected.values()))
    assert negated > 100 and fired_rules > 200  # the corpus does exercise negation and evidence
