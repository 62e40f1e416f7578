"""Matching semantics: word boundaries, case/accent folding, negation, context, evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.engine import Engine, PageFacts, shift_tier
from rules.packs import load_packs
from rules.text import fold

PACK = """\
pack: t
settings:
  negation_window: 3
rules:
  - id: t.gun
    category: arms
    tier: high
    phrases: [gun, fusil à pompe]
  - id: t.terror
    category: terrorism
    tier: high
    phrases: [attentat, terroris*]
  - id: t.weak
    category: crime
    tier: medium
    min_terms: 2
    phrases: [theft, burglary, pickpocket]
  - id: t.porn
    category: adult
    tier: floor
    negatable: false
    contexts: {news: 0}
    phrases: [porn]
  - id: t.news
    context: news
    min_hits: 2
    phrases: [selon, a déclaré, reporters]
  - id: t.howto
    context: howto
    min_hits: 2
    phrases: [how to, step]
  - id: t.url
    category: piracy
    tier: high
    url_patterns: ['/torrents?/']
  - id: t.dom
    category: hate_speech
    tier: high
    domain_categories: [agressif]
  - id: t.meta
    category: adult
    tier: floor
    meta: {rating: [adult]}
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    d: Path = tmp_path_factory.mktemp("packs")
    (d / "t.yaml").write_text(PACK, encoding="utf-8")
    return Engine(load_packs([d], shipped=False))


def tier(engine: Engine, text: str, cat: str, **kw: object) -> str:
    return engine.score_page(PageFacts(url=str(kw.pop("url", "http://x.test/a")), text=text, **kw)).tier(cat)  # type: ignore[arg-type]


def test_word_boundaries(engine: Engine) -> None:
    assert tier(engine, "He bought a gun.", "arms") == "high"
    assert tier(engine, "The show has begun; a gunner and guns.", "arms") == "none"
    assert tier(engine, "gun", "arms") == "high"  # at both ends of the text
    assert tier(engine, "(gun)", "arms") == "high"


def test_case_and_accent_folding_and_multiword(engine: Engine) -> None:
    assert tier(engine, "Un FUSIL A POMPE calibre 12", "arms") == "high"
    assert tier(engine, "un fusil   à\u00a0pompe", "arms") == "high"  # whitespace runs and nbsp
    assert tier(engine, "Un fusil à pompe", "arms") == "high"
    assert tier(engine, "L'ATTENTAT de la gare", "terrorism") == "high"
    assert tier(engine, "Attentât", "terrorism") == "high"


def test_prefix_terms(engine: Engine) -> None:
    assert tier(engine, "Les terroristes ont fui", "terrorism") == "high"
    assert tier(engine, "terrorisme", "terrorism") == "high"
    assert tier(engine, "antiterrorisme", "terrorism") == "none"  # left boundary still applies


def test_negation(engine: Engine) -> None:
    assert tier(engine, "This is not a gun.", "arms") == "none"
    assert tier(engine, "Il ne s'agit pas d'un attentat.", "terrorism") == "none"
    assert tier(engine, "Sans attentat ni victime.", "terrorism") == "none"
    assert tier(engine, "No gun here, but later: a gun.", "arms") == "high"  # the second is not negated
    assert tier(engine, "This is not porn at all.", "adult") == "floor"  # rule opted out of negation
    v = engine.score_page(PageFacts(url="http://x.test/", text="not a gun"))
    assert v.categories == {}


def test_min_terms(engine: Engine) -> None:
    assert tier(engine, "theft theft theft", "crime") == "none"
    assert tier(engine, "theft and burglary", "crime") == "medium"


def test_context_lowers_and_raises(engine: Engine) -> None:
    news = "Selon la police, un attentat a eu lieu, a déclaré le préfet."
    v = engine.score_page(PageFacts(url="http://x.test/", text=news))
    assert v.contexts.get("news")
    assert v.categories["terrorism"].base_tier == "high" and v.tier("terrorism") == "medium"
    assert "news:-1" in v.categories["terrorism"].shifts
    howto = "How to do it, step by step: buy a gun. Next step."
    assert tier(engine, howto, "arms") == "floor"
    # a rule can opt out of a context shift
    assert tier(engine, "porn. Selon X, a déclaré Y.", "adult") == "floor"


def test_url_domain_meta(engine: Engine) -> None:
    assert tier(engine, "", "piracy", url="http://x.test/torrents/123") == "high"
    assert tier(engine, "", "hate_speech", domain_categories=frozenset({"agressif"})) == "high"
    assert tier(engine, "", "adult", meta={"rating": "Adult"}) == "floor"


def test_title_weighs_more(engine: Engine) -> None:
    body = engine.score_page(PageFacts(url="http://x.test/", text="a gun"))
    title = engine.score_page(PageFacts(url="http://x.test/", title="A gun", text=""))
    assert title.categories["arms"].score > body.categories["arms"].score


def test_evidence_quotes_original_text(engine: Engine) -> None:
    text = "Intro. Un FUSIL À POMPE et un fusil à pompe, puis un gun. Fin."
    v = engine.score_page(PageFacts(url="http://x.test/", text=text))
    ev = v.categories["arms"].evidence[0]
    assert ev.rule_id == "t.gun" and ev.terms == ["fusil à pompe", "gun"] and ev.hits == 3
    # one snippet per distinct term, at its first occurrence, quoting the original text
    assert len(ev.snippets) == 2
    assert "Un [FUSIL À POMPE] et" in ev.snippets[0] and "un [gun]" in ev.snippets[1]


def test_fold_keeps_offsets_when_length_changes() -> None:
    f = fold("Straße Œuvre ÉTÉ attentat")
    assert f.text == "strasse oeuvre ete attentat"
    i = f.text.index("attentat")
    assert f.snippet(i, i + 8, 0) == "…[attentat]"
    j = f.text.index("oeuvre")
    assert "[Œuvre]" in f.snippet(j, j + 6, 3)


def test_shift_tier_bounds() -> None:
    assert shift_tier("floor", 1) == "floor"
    assert shift_tier("low", -1) == "low"
    assert shift_tier("high", -1) == "medium"
    assert shift_tier("none", 1) == "none"


def test_shipped_packs_fr_en_examples() -> None:
    e = Engine.load()
    v = e.score_page(PageFacts(url="http://x.test/", lang="fr", title="Vends fusil à pompe",
                               text="Fusil à pompe calibre 12 avec cartouches et munitions."))
    assert v.tier("arms") in ("high", "floor")
    v = e.score_page(PageFacts(url="http://x.test/", lang="en", text="The council approved new cycle lanes."))
    assert v.categories == {}


@given(st.text(alphabet="aÉéœŒßﬁ…’ \u0301\u00a0x.,Кд", max_size=30),
       st.text(alphabet="aÉéœŒßﬁ…’ \u0301\u00a0x.,Кд", max_size=30))
def test_snippet_offsets_map_back_to_the_original(before: str, after: str) -> None:
    text = f"{before} zzq {after}"
    f = fold(text)
    i = f.text.index(" zzq ") + 1
    assert f.snippet(i, i + 3, 0).strip("…").replace("\n", " ") == "[zzq]"


@pytest.mark.parametrize("lang,text", [
    ("en", "The striker's shot hit the post before the attack broke down; the captain is back from injury "
           "and the manager praised the defence after a tense derby."),
    ("en", "Our reviewer tested the new laptop: the battery died after nine hours, which kills the competition "
           "on price. Not bad for a machine this thin."),
    ("fr", "Le conseil municipal a voté le budget : la nouvelle ligne de tramway desservira la gare, "
           "selon l'adjointe chargée des transports."),
    ("fr", "Menés à la pause, les locaux ont renversé la situation ; côté blessés, le capitaine fera son retour "
           "lundi. L'attaque a été efficace en seconde période."),
    ("fr", "Une tarte aux pommes : préchauffez le four, étalez la pâte et disposez les pommes en rosace."),
])
def test_ordinary_text_has_no_risk(lang: str, text: str) -> None:
    v = Engine.load().score_page(PageFacts(url="http://x.test/", text=text, lang=lang))
    assert v.categories == {}, v.to_dict()["categories"]
