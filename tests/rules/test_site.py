"""Site verdicts: share of pages per tier, share-aware category tier, site signals, trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rules.engine import Engine, PageRecord, SiteFacts, trend


def pages(tiers: list[dict[str, str]], risk: list[float] | None = None) -> list[PageRecord]:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    return [PageRecord(url=f"http://s.example/{i}", tiers=t, risk_score=(risk or [0.0] * len(tiers))[i],
                       when=t0 + timedelta(days=i)) for i, t in enumerate(tiers)]


def test_shares_worst_and_share_aware_tier() -> None:
    e = Engine.load()
    recs = pages([{"arms": "floor"}] + [{"arms": "medium"}] * 3 + [{}] * 16)
    v = e.score_site(SiteFacts("s.example"), recs)
    assert v.pages == 20 and v.worst_tier == "floor"
    assert v.tier_share["floor"] == 0.05 and v.tier_share["medium"] == 0.15 and v.tier_share["none"] == 0.8
    # one floor page in 20 is under the 10 % share: the site tier is the one 10 % of pages reach
    assert v.tier("arms") == "medium"
    assert "4/20 pages at medium or worse" in v.categories["arms"].evidence[0].note


def test_site_signals() -> None:
    e = Engine.load()
    mfa = e.score_site(SiteFacts("buzz.example", ads_txt="absent", ad_density=18.0, ad_networks=6), [])
    assert mfa.tier("spam_harmful") == "medium"
    assert {s.rule_id for s in mfa.signals} >= {"site.mfa.density", "site.no_adstxt"}
    normal = e.score_site(SiteFacts("news.example", ads_txt="ok", ad_density=2.0, ad_networks=4), [])
    assert normal.categories == {} and normal.signals == []
    called = e.score_site(SiteFacts("x.example", called_out=3, called_out_posts=["http://m.example/1"]), [])
    ids = {s.rule_id for s in called.signals}
    assert ids == {"site.activist", "site.activist.campaign"}
    assert called.signals[0].snippets == ["http://m.example/1"]
    listed = e.score_site(SiteFacts("bad.example", domain_categories=frozenset({"agressif"})), [])
    assert listed.tier("hate_speech") == "high" and listed.worst_tier == "high"


def test_trend() -> None:
    assert trend(pages([{}] * 3)) == "unknown"
    assert trend(pages([{}] * 6, [0, 0, 0, 60, 60, 100])) == "rising"
    assert trend(pages([{}] * 6, [60, 60, 60, 0, 0, 0])) == "falling"
    assert trend(pages([{}] * 6, [10, 10, 10, 10, 10, 15])) == "stable"
