"""Exclusion suggestions, review with history, inclusion lists and the export command."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rules.exclusions import SiteRisk, suggest_exclusions, suggest_inclusions
from rules.suitability import parse_profile
from store.exclusions import add, entries, get_brand, get_list, refresh, review
from store.models import ActivistPost, Brand, Page, Site
from store.scoring import score
from vigie.cli import app

HATE = "Ces migrants sont une vermine, des parasites, une race inférieure. Le grand remplacement."
DRUGS = "Cocaïne et cannabis livrés par mon dealer ; de la beuh et du shit."
SAFE = "Le conseil municipal adopte le budget des écoles."


def test_pure_suggestions_follow_profile_and_callouts() -> None:
    sites = [SiteRisk("hate.example", {"hate_speech": "floor"}, pages=5),
             SiteRisk("beer.example", {"drugs_alcohol_tobacco": "medium"}, pages=5),
             SiteRisk("clean.example", {}, pages=5),
             SiteRisk("called.example", {}, pages=5, called_out=2, posts=["http://m.example/1"]),
             SiteRisk("tiny.example", {}, pages=1)]
    strict = parse_profile({"default": "medium"})
    lax = parse_profile({})
    assert [s.domain for s in suggest_exclusions(strict, sites)] == ["hate.example", "beer.example",
                                                                     "called.example"]
    lax_s = suggest_exclusions(lax, sites)
    assert [s.domain for s in lax_s] == ["hate.example", "called.example"]
    assert lax_s[0].reasons[0] == {"type": "category", "category": "hate_speech", "tier": "floor",
                                   "profile": "floor", "note": ""}
    assert lax_s[1].reasons[0]["type"] == "activist" and lax_s[1].reasons[0]["posts"] == 2
    assert [s.domain for s in suggest_inclusions(strict, sites)] == ["clean.example"]
    assert [s.domain for s in suggest_inclusions(lax, sites)] == ["clean.example", "beer.example"]  # cleanest first


def seed(session: Session) -> Brand:
    brand = Brand(name="Acme", suitability={"default": "high", "drugs_alcohol_tobacco": "floor"})
    session.add(brand)
    for domain, text in (("haine.example", HATE), ("drogue.example", DRUGS), ("ville.example", SAFE),
                         ("=cmd.example", SAFE)):
        site = Site(domain=domain)
        session.add(site)
        session.flush()
        for i in range(3):
            session.add(Page(site_id=site.id, url=f"http://{domain}/{i}", text=text, lang="fr", content_hash=str(i)))
    session.add(ActivistPost(source="mastodon", external_id="9", url="http://masto.example/@sg/9",
                             created_at=datetime(2026, 3, 1, tzinfo=UTC), site_domains=["ville.example"]))
    session.commit()
    score(session)
    session.commit()
    return brand


def test_refresh_review_history(session: Session) -> None:
    brand = seed(session)
    r = refresh(session, brand)
    session.commit()
    assert {e["domain"] for e in r.entries} == {"haine.example", "ville.example"}  # drugs allowed up to high
    lst = get_list(session, brand)
    by = {e.domain: e for e in lst.entries}
    assert by["haine.example"].reasons[0]["category"] == "hate_speech"
    assert by["ville.example"].reasons[0]["type"] == "activist"
    assert by["haine.example"].history[0]["action"] == "suggested"
    review(session, brand, "haine.example", "approve", note="clear hate speech", user="alice")
    review(session, brand, "www.ville.example", "reject", note="one post, old", user="bob")
    session.commit()
    assert by["haine.example"].status == "approved" and by["ville.example"].status == "rejected"
    assert [h["action"] for h in by["ville.example"].history] == ["suggested", "reject"]
    last = by["ville.example"].history[-1]
    assert last["user"] == "bob" and last["note"] == "one post, old"
    # a second refresh keeps the decisions
    r2 = refresh(session, brand)
    session.commit()
    assert r2.added == 0 and by["haine.example"].status == "approved" and by["ville.example"].status == "rejected"
    add(session, brand, "https://www.manual.example/path", note="client request", user="carol")
    session.commit()
    assert {e.domain for e in entries(session, brand)} == {"haine.example", "manual.example"}
    # inclusion list
    ri = refresh(session, brand, "inclusion")
    assert {e["domain"] for e in ri.entries} == {"drogue.example", "=cmd.example"}


def test_export_command_writes_parsable_files(database_url: str, session: Session, tmp_path: Path) -> None:
    brand = seed(session)
    refresh(session, brand)
    refresh(session, brand, "inclusion")
    session.commit()
    runner = CliRunner()
    res = runner.invoke(app, ["exclusions", "approve", "--brand", "acme", "haine.example", "--note", "ok"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    for fmt in ("google-ads", "dv360", "ttd", "meta", "xandr", "txt", "csv"):
        res = runner.invoke(app, ["export", "exclusions", "--brand", "Acme", "--format", fmt, "--out", str(out)])
        assert res.exit_code == 0, res.output
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    assert files["acme-exclusions-google-ads.csv"].decode().split() == ["haine.example"]
    assert json.loads(files["acme-exclusions-xandr-domain-list.json"])["domain-list"]["domains"] == ["haine.example"]
    rows = list(csv.DictReader(io.StringIO(files["acme-exclusions.csv"].decode())))
    assert rows[0]["domain"] == "haine.example" and rows[0]["status"] == "approved"
    assert "hate_speech" in rows[0]["reasons"]
    # inclusion list, suggested entries included; a domain cell starting with = is neutralised
    res = runner.invoke(app, ["export", "exclusions", "--brand", "Acme", "--format", "csv", "--kind", "inclusion",
                              "--include-suggested"])
    assert res.exit_code == 0
    cells = [row[0] for row in csv.reader(io.StringIO(res.stdout))]
    assert "'=cmd.example" in cells and "drogue.example" in cells
    bad = runner.invoke(app, ["export", "exclusions", "--brand", "Nobody", "--format", "txt"])
    assert bad.exit_code == 2 and "Nobody" in bad.output
    assert get_brand(session, "ACME").name == "Acme"
