"""Scoring against a real SQLite database: incremental, site roll-up, exposure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rules.engine import Engine
from store.models import ActivistPost, Brand, Page, Placement, RiskAssessment, Site
from store.scoring import brand_exposure, score
from vigie.cli import app

ARMS = "Vends fusil à pompe calibre 12 avec cartouches et munitions, armurerie fermée."
SAFE = "Le conseil municipal adopte le budget des écoles et des cantines."


def seed(session: Session) -> tuple[Site, Site, Brand]:
    bad = Site(domain="armes.example")
    good = Site(domain="ville.example")
    brand = Brand(name="Acme", suitability={"default": "high"})
    session.add_all([bad, good, brand])
    session.flush()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(4):
        session.add(Page(site_id=bad.id, url=f"http://armes.example/{i}", title="Annonce", lang="fr",
                         text=ARMS if i % 2 else SAFE, content_hash=f"h{i}", first_seen=t0 + timedelta(days=i)))
        session.add(Page(site_id=good.id, url=f"http://ville.example/{i}", title="Conseil", lang="fr",
                         text=SAFE, content_hash=f"g{i}", first_seen=t0 + timedelta(days=i)))
    session.flush()
    for p in session.scalars(select(Page)):
        session.add(Placement(page_id=p.id, site_id=p.site_id, brand_id=brand.id, fingerprint=f"f{p.id}",
                              ad_network="Criteo"))
    session.commit()
    return bad, good, brand


def test_incremental_scoring(session: Session) -> None:
    bad, good, _ = seed(session)
    engine = Engine.load()
    r1 = score(session, engine)
    session.commit()
    assert r1.pages_scored == 8 and r1.pages_skipped == 0 and r1.sites_scored == 2
    assert session.scalar(select(Page.worst_tier).where(Page.url == "http://armes.example/1")) == "high"
    assert session.scalar(select(Page.worst_tier).where(Page.url == "http://ville.example/1")) == "none"
    # 12 rows per page and per site, with evidence on the risky ones
    assert len(session.scalars(select(RiskAssessment)).all()) == (8 + 2) * 12
    row = session.scalar(select(RiskAssessment).join(Page).where(Page.url == "http://armes.example/1",
                                                                 RiskAssessment.category == "arms"))
    assert row is not None and row.tier == "high" and row.rules_version == engine.version
    assert row.evidence[0]["rule_id"] == "arms.weapons.fr" and row.evidence[0]["snippets"]
    assert session.get(Site, bad.id).worst_tier == "high"  # type: ignore[union-attr]
    assert session.get(Site, good.id).worst_tier == "none"  # type: ignore[union-attr]
    # nothing changed: nothing rescored
    r2 = score(session, engine)
    assert r2.pages_scored == 0 and r2.pages_skipped == 8 and r2.sites_scored == 0
    # one page changes: only it, and its site, are rescored
    page = session.scalar(select(Page).where(Page.url == "http://ville.example/2"))
    assert page is not None
    page.text, page.content_hash = ARMS, "changed"
    session.commit()
    r3 = score(session, engine)
    session.commit()
    assert r3.pages_scored == 1 and r3.sites_scored == 1
    assert page.worst_tier == "high" and page.scored_hash == "changed"
    # rules change: everything is rescored
    r4 = score(session, _other_rules())
    assert r4.pages_scored == 8


def _other_rules() -> Engine:
    from rules.packs import Pack, load_packs

    packs = load_packs()
    packs.append(Pack("extra", "extra.yaml", "1", {}, [], "different-digest"))
    return Engine(packs)


def test_site_rollup_share_trend_and_exposure(session: Session) -> None:
    bad, _, brand = seed(session)
    session.add(ActivistPost(source="mastodon", external_id="1", url="http://masto.example/1",
                             created_at=datetime(2026, 1, 5, tzinfo=UTC), site_domains=["armes.example"]))
    session.commit()
    score(session, Engine.load())
    session.commit()
    rows = {r.category: r for r in session.scalars(select(RiskAssessment).where(RiskAssessment.site_id == bad.id))}
    assert rows["arms"].tier == "high"
    assert "2/4 pages" in rows["arms"].evidence[0]["note"]
    exp = brand_exposure(session, brand)
    assert exp.placements == 8 and exp.unsuitable == 4  # the whole risky site is over a 'high' profile
    assert exp.by_site["armes.example"]["categories"] == {"arms": "high"}


def test_score_cli(database_url: str, session: Session) -> None:
    seed(session)
    out = CliRunner().invoke(app, ["score"])
    assert out.exit_code == 0, out.output
    assert "8 pages scored" in out.output
    out = CliRunner().invoke(app, ["score", "--json"])
    assert '"pages_scored": 0' in out.output


def test_pages_without_content_hash_are_hashed_for_incrementality(session: Session) -> None:
    site = Site(domain="nohash.example")
    session.add(site)
    session.flush()
    session.add(Page(site_id=site.id, url="http://nohash.example/", text=ARMS, lang="fr"))
    session.commit()
    engine = Engine.load()
    assert score(session, engine).pages_scored == 1
    session.commit()
    assert score(session, engine).pages_scored == 0
    page = session.scalar(select(Page).where(Page.url == "http://nohash.example/"))
    assert page is not None
    page.text = SAFE
    session.commit()
    assert score(session, engine).pages_scored == 1
    assert page.worst_tier == "none"
