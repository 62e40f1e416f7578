"""Store glue: idempotent upserts, atomic replacement on refetch, last good data kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import AdsTxtFile, AdsTxtRecord, Seller, SellersJsonFile
from supply.fetch import Outcome
from supply.store import (
    findings,
    fresh,
    fresh_sellers,
    load_directories,
    load_site_files,
    save_adstxt,
    save_sellers,
    supply_path_for,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def ok(body: str, url: str = "https://site.com/ads.txt") -> Outcome:
    return Outcome("ok", url, 200, body=body.encode(), expires_at=NOW + timedelta(days=7))


def sellers_body(*entries: tuple[str, str, str]) -> bytes:
    return json.dumps({"version": "1.0", "sellers": [
        {"seller_id": i, "seller_type": t, "name": f"n{i}", "domain": d} for i, t, d in entries]}).encode()


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_save_is_idempotent_and_refetch_replaces(session: Session) -> None:
    s = session
    body = "OWNERDOMAIN=site.com\nssp.com, 1, DIRECT\nssp.com, 2, RESELLER\nbroken\n"
    for _ in range(2):
        save_adstxt(s, "Site.com", "ads.txt", ok(body), NOW)
        s.commit()
    assert count(s, AdsTxtFile) == 1 and count(s, AdsTxtRecord) == 2
    row = s.scalars(select(AdsTxtFile)).one()
    assert row.domain == "site.com" and row.status == "ok" and row.http_status == 200
    assert row.variables == [{"line": 1, "name": "OWNERDOMAIN", "value": "site.com"}]
    assert [e["line"] for e in row.errors if e["severity"] == "error"] == [4]

    save_adstxt(s, "site.com", "ads.txt", ok("ssp.com, 3, RESELLER\n"), NOW)
    s.commit()
    assert [(r.account_id, r.line) for r in s.scalars(select(AdsTxtRecord))] == [("3", 1)]
    save_adstxt(s, "site.com", "app-ads.txt", ok("ssp.com, 4, DIRECT\n"), NOW)
    s.commit()
    assert count(s, AdsTxtFile) == 2 and count(s, AdsTxtRecord) == 2


def test_errors_keep_the_last_good_data_and_404_clears(session: Session) -> None:
    s = session
    save_adstxt(s, "site.com", "ads.txt", ok("ssp.com, 1, DIRECT\n"), NOW)
    s.commit()
    save_adstxt(s, "site.com", "ads.txt", Outcome("error", "https://site.com/ads.txt", 500, reason="HTTP 500"))
    s.commit()
    row = s.scalars(select(AdsTxtFile)).one()
    assert row.status == "ok" and len(row.records) == 1
    assert row.errors[-1]["severity"] == "fetch" and "HTTP 500" in row.errors[-1]["reason"]
    save_adstxt(s, "site.com", "ads.txt", Outcome("absent", "https://site.com/ads.txt", 404))
    s.commit()
    s.refresh(row)
    assert row.status == "absent" and row.records == [] and count(s, AdsTxtRecord) == 0
    save_adstxt(s, "new.com", "ads.txt", Outcome("error", "https://new.com/ads.txt", None, reason="timeout"))
    s.commit()
    assert s.scalars(select(AdsTxtFile).where(AdsTxtFile.domain == "new.com")).one().status == "error"


def test_a_failed_transaction_keeps_the_old_records(database_url: str, session: Session) -> None:
    from store.db import session_scope

    with session_scope(database_url) as s:
        save_adstxt(s, "site.com", "ads.txt", ok("ssp.com, 1, DIRECT\nssp.com, 2, DIRECT\n"), NOW)
    with pytest.raises(RuntimeError), session_scope(database_url) as s:
        save_adstxt(s, "site.com", "ads.txt", ok("ssp.com, 9, DIRECT\n"), NOW)
        s.flush()
        raise RuntimeError("crash mid-way")
    with session_scope(database_url) as s:
        assert sorted(r.account_id for r in s.scalars(select(AdsTxtRecord))) == ["1", "2"]


def test_sellers_upsert(session: Session) -> None:
    s = session
    body = sellers_body(("1", "PUBLISHER", "site.com"), ("2", "INTERMEDIARY", "r.com"), ("1", "BOTH", "dup.com"))
    for _ in range(2):
        save_sellers(s, "SSP.com", Outcome("ok", "https://ssp.com/sellers.json", 200, body=body,
                                           expires_at=NOW + timedelta(days=1)), NOW)
        s.commit()
    f = s.scalars(select(SellersJsonFile)).one()
    assert (f.ad_system, f.status, f.seller_count, f.version) == ("ssp.com", "ok", 2, "1.0")
    assert count(s, Seller) == 2
    assert any("listed twice" in e["reason"] for e in f.errors)
    save_sellers(s, "ssp.com", Outcome("error", "https://ssp.com/sellers.json", 503, reason="HTTP 503"))
    s.commit()
    assert count(s, Seller) == 2 and f.status == "ok"
    save_sellers(s, "ssp.com", Outcome("ok", "u", 200, body=b'{"sellers": [{"seller_id": "7", "seller_type'))
    s.commit()
    assert f.status == "error" and count(s, Seller) == 0
    save_sellers(s, "ssp.com", Outcome("ok", "u", 200, body=sellers_body(("3", "PUBLISHER", "x.com"))))
    s.commit()
    assert f.status == "ok" and [x.seller_id for x in s.scalars(select(Seller))] == ["3"]


def test_loaders_findings_and_path(session: Session) -> None:
    s = session
    save_adstxt(s, "site.com", "ads.txt", ok("ssp.com, 1, DIRECT\nssp.com, 2, DIRECT\nssp.com, 9, RESELLER\nx\n"),
                NOW)
    save_adstxt(s, "gone.com", "ads.txt", Outcome("absent", "https://gone.com/ads.txt", 404,
                                                  expires_at=NOW + timedelta(days=7)), NOW)
    save_sellers(s, "ssp.com", Outcome("ok", "u", 200, body=sellers_body(
        ("1", "PUBLISHER", "site.com"), ("2", "INTERMEDIARY", "r.com")), expires_at=NOW + timedelta(days=1)), NOW)
    s.commit()
    assert [f.site for f in load_site_files(s)] == ["site.com"]
    assert set(load_directories(s)["ssp.com"].sellers) == {"1", "2"}
    assert [(f.kind, f.line) for f in findings(s)] == [
        ("direct_intermediary", 2), ("missing_seller", 3), ("malformed_line", 4)]
    assert findings(s, site="other.com") == []
    rows = supply_path_for(s, "site.com")
    assert [(r.seller_id, r.seller_name, r.in_sellers_json) for r in rows] == [
        ("1", "n1", True), ("2", "n2", True), ("9", None, False)]
    assert fresh(s, "ads.txt", NOW) == {"site.com", "gone.com"}
    assert fresh(s, "ads.txt", NOW + timedelta(days=8)) == set()
    assert fresh_sellers(s, NOW) == {"ssp.com"}
