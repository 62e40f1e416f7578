"""The placements export writes the public keys, escapes nothing away, and defuses formulas."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from store.models import Brand, BrandDomain, Page, Placement, Site
from vigie.csvcells import neutralise_cell


def _seed(session: Session) -> None:
    site = Site(domain="news.example", aliases=[])
    brand = Brand(name="=HYPERLINK(\"x\")", aliases=[], handles={}, domains=[BrandDomain(domain="acme.com")])
    page = Page(site=site, url="http://news.example/a")
    t = datetime(2026, 1, 2, tzinfo=UTC)
    session.add_all([
        Placement(page=page, site=site, brand=brand, fingerprint="f1", advertiser_domain="acme.com",
                  ad_network="Criteo", landing_url="http://acme.com/", rendered=True, first_seen=t, last_seen=t),
        Placement(page=page, site=site, brand=None, fingerprint="f2", advertiser_domain="unknown.biz",
                  ad_network=None, landing_url=None, rendered=False, first_seen=t, last_seen=t),
    ])
    session.commit()


def test_export_jsonl_keys(session: Session) -> None:
    _seed(session)
    out = subprocess.run([sys.executable, "-m", "vigie", "export", "placements", "--format", "jsonl"],
                         capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 2
    required = {"page_url", "site", "brand", "advertiser_domain", "ad_network", "landing_url", "rendered",
                "first_seen", "last_seen"}
    assert required <= set(rows[0])
    assert rows[1]["brand"] is None and rows[1]["advertiser_domain"] == "unknown.biz"
    assert rows[0]["first_seen"].startswith("2026-01-02")


def test_export_csv_neutralises_formulas(session: Session, tmp_path: Path) -> None:
    _seed(session)
    target = tmp_path / "p.csv"
    subprocess.run([sys.executable, "-m", "vigie", "export", "placements", "--format", "csv", "--out",
                    str(target)], check=True)
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert rows[0]["brand"] == "'=HYPERLINK(\"x\")"
    assert neutralise_cell("-1") == "'-1" and neutralise_cell("ok") == "ok"
    assert neutralise_cell(3) == "3" and neutralise_cell(None) == ""
