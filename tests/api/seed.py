"""Test data written straight through the models: brands, sites, pages with verdicts,
placements with a real PNG screenshot, activist posts, cases, exclusion entries, crawl runs and
users of every role. Shared by the API and dashboard tests."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from api.auth import hash_password
from store.models import (
    ActivistPost,
    AdsTxtFile,
    AdsTxtRecord,
    Brand,
    BrandDomain,
    Case,
    CrawlRun,
    ExclusionEntry,
    ExclusionList,
    Page,
    Placement,
    RiskAssessment,
    Seller,
    SellersJsonFile,
    Site,
)
from store.users import create_user, mint_token

PASSWORD = "correct horse battery staple"
XSS = "<script>alert(1)</script>"


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One argon2 hash for every seeded user: hashing is deliberately slow."""
    return hash_password(PASSWORD)


def png(width: int, height: int, box: tuple[int, int, int, int] | None = None) -> bytes:
    """A real RGB PNG: light grey page with a blue block where the ad is."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            inside = box is not None and box[0] <= x < box[0] + box[2] and box[1] <= y < box[1] + box[3]
            row += bytes((40, 90, 200) if inside else (235, 235, 235))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


@dataclass
class World:
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def seed(session: Session, data_dir: Path, *, xss: bool = False) -> World:
    """A small, deterministic world. With ``xss``, a page title, a post and a brand name carry
    a ``<script>`` payload (and a javascript: URL) to prove the UI escapes them."""
    w = World()
    now = datetime.now(UTC).replace(microsecond=0)
    for role in ("viewer", "analyst", "buyer", "admin"):
        user = create_user(session, role, role, password_hash())
        w.tokens[role] = mint_token(session, user, "tests")

    acme = Brand(name="Acme" + (XSS if xss else ""), aliases=["ACME"], handles={"x": "acme"}, suitability={})
    acme.domains.append(BrandDomain(domain="acme.example"))
    zen = Brand(name="Zenbank", aliases=[], handles={}, suitability={"hate_speech": "high"})
    zen.domains.append(BrandDomain(domain="zenbank.example"))
    session.add_all([acme, zen])
    hate = Site(domain="hate-news.example", name="Hate News", aliases=[], worst_tier="high", risk_score=80.0)
    safe = Site(domain="good-news.example", name="Good News", aliases=[], worst_tier="none", risk_score=0.0)
    session.add_all([hate, safe])
    session.flush()

    run = CrawlRun(kind="placements", status="finished", started_at=now - timedelta(hours=3),
                   finished_at=now - timedelta(hours=2), stats={"pages_total": 10, "pages_done": 10})
    running = CrawlRun(kind="placements", status="running", started_at=now - timedelta(minutes=5),
                       stats={"pages_total": 20, "pages_done": 7})
    session.add_all([run, running])
    session.flush()

    evidence = data_dir / "evidence"
    (evidence / "run1").mkdir(parents=True, exist_ok=True)
    (evidence / "run1" / "page.png").write_bytes(png(200, 150, (120, 20, 60, 50)))
    (evidence / "run1" / "ad.png").write_bytes(png(60, 50, (0, 0, 60, 50)))
    (data_dir / "secret.png").write_bytes(png(2, 2))  # outside evidence/: must never be served

    title = "Ils nous envahissent " + (XSS if xss else "")
    p1 = Page(site_id=hate.id, url="http://hate-news.example/article-1", title=title, lang="fr",
              text="texte haineux", worst_tier="high", risk_score=80.0)
    p2 = Page(site_id=safe.id, url="http://good-news.example/sport", title="Match report", lang="en",
              text="football", worst_tier="none", risk_score=0.0)
    p3 = Page(site_id=hate.id, url="javascript:alert(2)", title="bad link", lang="fr", worst_tier="medium")
    session.add_all([p1, p2, p3])
    session.flush()
    session.add_all([
        RiskAssessment(page_id=p1.id, category="hate_speech", tier="high", score=0.9,
                       evidence=[{"rule_id": "hate.fr.1", "terms": ["envahissent"],
                                  "snippets": ["… ils nous envahissent …"]}]),
        RiskAssessment(page_id=p1.id, category="misinformation", tier="medium", score=0.5, evidence=[]),
        RiskAssessment(site_id=hate.id, category="hate_speech", tier="high", score=0.8, evidence=[]),
        RiskAssessment(page_id=p2.id, category="adult", tier="none", score=0.0, evidence=[]),
    ])
    pl = []
    for i in range(60):  # enough rows for two pages of 50 in the dashboard
        page, site, brand = (p1, hate, acme) if i % 2 == 0 else (p2, safe, zen)
        pl.append(Placement(page_id=page.id, site_id=site.id, brand_id=brand.id, fingerprint=f"fp{i}",
                            advertiser_domain="acme.example" if brand is acme else "zenbank.example",
                            ad_network="Criteo" if i % 3 else "Google Ad Manager",
                            creative_url=f"http://cdn.criteo.example/c{i}.png",
                            landing_url="javascript:alert(3)" if (xss and i == 0) else "https://acme.example/",
                            click_chain=["http://click.criteo.example/r", "https://acme.example/"],
                            slot={"id": f"slot{i}", "x": 120, "y": 20, "width": 60, "height": 50},
                            screenshot_path="run1/ad.png", page_screenshot_path="evidence/run1/page.png",
                            rendered=True, first_seen=now - timedelta(days=10, minutes=i),
                            last_seen=now - timedelta(minutes=i), crawl_run_id=run.id))
    pl.append(Placement(page_id=p3.id, site_id=hate.id, brand_id=None, fingerprint="unknown",
                        advertiser_domain="=cmd|' /C calc'!A0", ad_network="Xandr",
                        screenshot_path="../secret.png", first_seen=now - timedelta(days=1),
                        last_seen=now - timedelta(hours=5), crawl_run_id=run.id))
    session.add_all(pl)

    post_text = "@acme pourquoi financez-vous hate-news.example ? " + (XSS if xss else "")
    post = ActivistPost(source="mastodon", external_id="111", url="https://mastodon.example/@sg/111",
                        author="sleeping_giants_fr", created_at=now - timedelta(hours=2), text=post_text,
                        lang="fr", tactic="proof", mentions=["acme"], brand_ids=[acme.id],
                        site_domains=["hate-news.example"], engagement=120, reach=50000)
    post2 = ActivistPost(source="bluesky", external_id="222", url="javascript:alert(4)", author="giants.bsky",
                         created_at=now - timedelta(days=3), text="@zenbank on good-news.example?", lang="en",
                         tactic="question", brand_ids=[zen.id], site_domains=["good-news.example"])
    session.add_all([post, post2])
    session.flush()
    case = Case(post_id=post.id, brand_id=acme.id, status="new", deadline=now + timedelta(hours=4), lang="fr")
    case2 = Case(post_id=post2.id, brand_id=zen.id, status="new", deadline=now - timedelta(hours=1), lang="en")
    session.add_all([case, case2])

    xl = ExclusionList(brand_id=acme.id, kind="exclusion")
    xl.entries.append(ExclusionEntry(domain="hate-news.example", status="suggested",
                                     reasons=[{"type": "category", "category": "hate_speech", "tier": "high",
                                              "profile": "high", "note": "over the brand's profile"}]))
    xl.entries.append(ExclusionEntry(domain="=evil.example", status="approved",
                                     reasons=[{"type": "manual", "note": "csv test"}]))
    session.add(xl)

    f = AdsTxtFile(domain="hate-news.example", kind="ads.txt", status="ok")
    f.records.append(AdsTxtRecord(line=1, ad_system="criteo.com", account_id="B-1234", relationship_="DIRECT"))
    session.add(f)
    session.add(Seller(ad_system="criteo.com", seller_id="B-1234", name="Hate News SAS", seller_type="PUBLISHER"))
    session.add(SellersJsonFile(ad_system="criteo.com", status="ok", seller_count=1))
    session.commit()
    w.ids.update(acme=acme.id, zen=zen.id, hate=hate.id, safe=safe.id, page1=p1.id, case=case.id,
                 case2=case2.id, list=xl.id, entry=xl.entries[0].id if xl.entries[0].domain == "hate-news.example"
                 else xl.entries[1].id, run=run.id, running=running.id, post=post.id,
                 placement=pl[0].id, unknown=pl[-1].id)
    return w
