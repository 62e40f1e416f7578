"""Post understanding: brands, sites, tactic, language — French and English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from watch.analysis import (
    BrandRef,
    PostInput,
    Registry,
    SiteRef,
    classify_tactic,
    detect_lang,
    fold,
    understand,
)
from watch.pressure import PressureConfig, Signal, decayed_score, pressure_by_brand, spike

REG = Registry(
    [BrandRef(1, "Maison Verdier", ("Verdier",), ("maisonverdier.fr",),
              {"x": "maisonverdier", "mastodon": "maisonverdier@mastodon.demo-social.org",
               "bluesky": "maisonverdier.bsky.social"}),
     BrandRef(2, "Orange Éclat", (), ("orange-eclat.com",), {"x": "orangeeclat"}),
     BrandRef(3, "Nordvolt", ("Nord Volt",), ("nordvolt.com",), {"mastodon": "nordvolt@social.demo-pro.fr"})],
    [SiteRef("bvoltaire.fr", "Boulevard Voltaire", ("BV", "Bd Voltaire")),
     SiteRef("fdesouche.com", "Fdesouche", ()),
     SiteRef("lemonde.fr", "Le Monde", ())])


def test_fold_accents_and_apostrophes() -> None:
    assert fold("Éclat’S") == "eclat's"


def test_brands_from_mentions_names_aliases_hashtags() -> None:
    p = PostInput("mastodon", "Bonjour @maisonverdier, votre pub est là",
                  mentions=["maisonverdier@mastodon.demo-social.org"])
    assert understand(p, REG).brand_ids == [1]
    assert understand(PostInput("x", "Hey ORANGE eclat, really?"), REG).brand_ids == [2]
    assert understand(PostInput("x", "orangeade is not a brand"), REG).brand_ids == []
    assert understand(PostInput("bluesky", "Quelle honte #MaisonVerdier"), REG).brand_ids == [1]
    assert understand(PostInput("bluesky", "x", hashtags=["nordvolt"]), REG).brand_ids == [3]
    assert understand(PostInput("x", "Nord-Volt finance ça"), REG).brand_ids == [3]
    # a Mastodon mention of another account with the same local part on another instance is not the brand
    assert understand(PostInput("mastodon", "hi", mentions=["nordvolt@evil.example"]), REG).brand_ids == []


def test_sites_from_links_bare_domains_names_excluding_brand_and_network_domains() -> None:
    p = PostInput("bluesky", "@maisonverdier.bsky.social votre pub sur Boulevard Voltaire, voir https://t.co/abc "
                  "et maisonverdier.fr", mentions=["maisonverdier.bsky.social"],
                  links=["https://www.fdesouche.com/2026/11/article", "https://bsky.app/profile/x/post/1",
                         "https://web.archive.org/web/2026/https://www.lemonde.fr/a"])
    u = understand(p, REG)
    assert u.brand_ids == [1]
    assert sorted(u.site_domains) == ["bvoltaire.fr", "fdesouche.com", "lemonde.fr"]
    assert understand(PostInput("x", "Lisez fdesouche.com/ceci, pas image.png"), REG).site_domains == ["fdesouche.com"]
    assert understand(PostInput("x", "Vu sur le site de Bd Voltaire"), REG).site_domains == ["bvoltaire.fr"]


def test_tactics_fr_en() -> None:
    assert classify_tactic("Merci @Verdier d'avoir retiré vos publicités !") == "thanks"
    assert classify_tactic("Thanks for pulling your ads, well done") == "thanks"
    assert classify_tactic("Boycott tant que vous financez ce site.") == "threat"
    assert classify_tactic("We will stop buying until you act") == "threat"
    assert classify_tactic("Voici votre pub sur ce site", media_count=1) == "proof"
    assert classify_tactic("Saviez-vous que votre pub finance ce site ?") == "question"
    assert classify_tactic("Did you know your ads fund this site?") == "question"
    assert classify_tactic("Nouvel article sur notre blog") == "other"
    assert classify_tactic("Merci de retirer vos pubs de ce site ?") == "question"
    assert classify_tactic("Merci d'avoir réagi si vite, bravo") == "thanks"
    assert classify_tactic("Merci de votre réactivité !") == "thanks"
    assert classify_tactic("Read about the consequences of hate speech") == "other"


def test_language() -> None:
    assert detect_lang("Saviez-vous que votre publicité est sur ce site ?") == "fr"
    assert detect_lang("Did you know your ad is on this site?") == "en"
    assert detect_lang("whatever", "fr-FR") == "fr"


NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def test_pressure_decays_and_weights() -> None:
    cfg = PressureConfig(half_life_hours=24)
    fresh = decayed_score([Signal(1, NOW, reach=1000, engagement=10, tactic="proof")], NOW, cfg)
    old = decayed_score([Signal(1, NOW - timedelta(hours=24), reach=1000, engagement=10, tactic="proof")], NOW, cfg)
    assert abs(old - fresh / 2) < 1e-3
    risky = decayed_score([Signal(1, NOW, reach=1000, engagement=10, tactic="proof", site_tier="floor")], NOW, cfg)
    assert risky > fresh
    thanks = decayed_score([Signal(1, NOW, reach=1000, engagement=10, tactic="thanks")], NOW, cfg)
    assert thanks < fresh


def test_spike_alert_and_timeline() -> None:
    base = [NOW - timedelta(days=d, hours=3) for d in range(1, 8)]  # one a day for a week
    calm = spike([*base, NOW - timedelta(hours=1)], NOW)
    assert not calm.alert and calm.last_24h == 1
    burst = [NOW - timedelta(hours=h) for h in range(1, 9)]
    hot = spike(base + burst, NOW)
    assert hot.alert and hot.last_24h == 8 and hot.mean == 1.0
    assert not spike(base + burst, NOW, PressureConfig(spike_k=3, spike_min_mentions=20)).alert
    res = pressure_by_brand([Signal(7, t) for t in base + burst], NOW)
    assert res[7].spike.alert and res[7].posts == 15
    assert res[7].timeline[-1]["day"] == "2026-11-21" and sum(int(d["posts"]) for d in res[7].timeline) == 15
