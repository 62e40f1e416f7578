"""Cross-checks and the supply-path export on small hand-made inputs."""

from __future__ import annotations

import csv
import io
import json

from supply.adstxt import parse_adstxt
from supply.crosscheck import (
    Directory,
    SiteFile,
    check_all,
    check_site,
    neutralise,
    path_csv,
    path_json,
    shared_accounts,
    supply_path,
)
from supply.sellers import SellerEntry


def directory(system: str, *entries: tuple[str, str, str | None]) -> Directory:
    return Directory.of(system, [SellerEntry(seller_id=i, seller_type=t, name=f"name-{i}", domain=d)
                                 for i, t, d in entries])


DIRS = {
    "ssp.com": directory("ssp.com", ("1", "PUBLISHER", "site.com"), ("2", "INTERMEDIARY", "reseller.com"),
                         ("3", "PUBLISHER", "other.com"), ("4", "BOTH", "both.com"),
                         ("5", "PUBLISHER", "www.site.com")),
}


def site(domain: str, text: str) -> SiteFile:
    return SiteFile(domain, parse_adstxt(text, domain))


def kinds(findings) -> list[tuple[str, int]]:
    return [(f.kind, f.line) for f in findings]


def test_each_kind() -> None:
    f = site("site.com", "\n".join([
        "ssp.com, 1, DIRECT",        # fine
        "ssp.com, 2, DIRECT",        # DIRECT but INTERMEDIARY
        "ssp.com, 2, RESELLER",      # fine
        "ssp.com, 3, DIRECT",        # PUBLISHER of other.com
        "ssp.com, 4, DIRECT",        # BOTH: no owner check
        "ssp.com, 5, DIRECT",        # www.site.com: same registrable domain
        "ssp.com, 99, RESELLER",     # missing
        "unknown.com, 1, DIRECT",    # no sellers.json read for it: nothing to say
        "bad line",
    ]))
    assert kinds(check_site(f, DIRS)) == [("malformed_line", 9), ("direct_intermediary", 2),
                                          ("ownerdomain_mismatch", 4), ("missing_seller", 7)]


def test_ownerdomain_variable_is_the_reference() -> None:
    owned = site("news.fr", "OWNERDOMAIN=other.com\nssp.com, 3, DIRECT\nssp.com, 1, DIRECT\n")
    assert kinds(check_site(owned, DIRS)) == [("ownerdomain_mismatch", 3)]
    confidential = Directory.of("ssp.com", [SellerEntry("3", "PUBLISHER", domain="x.com", is_confidential=True)])
    assert check_site(site("a.com", "ssp.com, 3, DIRECT"), {"ssp.com": confidential}) == []


def test_placeholder_has_nothing_to_check() -> None:
    f = site("a.com", "placeholder.example.com, placeholder, DIRECT, placeholder")
    assert check_site(f, {"placeholder.example.com": Directory("placeholder.example.com")}) == []


def test_shared_accounts_need_unrelated_owners() -> None:
    files = [site(f"s{i}.com", "ssp.com, 42, DIRECT\nssp.com, 7, RESELLER") for i in range(3)]
    found = shared_accounts(files, threshold=3)
    assert sorted(f.site for f in found) == ["s0.com", "s1.com", "s2.com"]
    assert {(f.ad_system, f.account_id, f.line) for f in found} == {("ssp.com", "42", 1)}
    assert shared_accounts(files, threshold=4) == []
    # same OWNERDOMAIN, or same MANAGERDOMAIN: one owner group, not flagged
    group = [site(f"g{i}.com", "OWNERDOMAIN=group.com\nssp.com, 42, DIRECT") for i in range(5)]
    assert shared_accounts(group, 2) == []
    managed = [site(f"m{i}.com", f"MANAGERDOMAIN=sales.com\nOWNERDOMAIN=o{i}.com\nssp.com, 42, DIRECT")
               for i in range(5)]
    assert shared_accounts(managed, 2) == []
    assert len(shared_accounts(group + files[:1], 2)) == 6


def test_check_all_sorted() -> None:
    files = [site("b.com", "x"), site("a.com", "ssp.com, 99, DIRECT")]
    assert [(f.site, f.kind) for f in check_all(files, DIRS)] == [("a.com", "missing_seller"),
                                                                 ("b.com", "malformed_line")]


def test_supply_path_and_exports() -> None:
    f = site("site.com", "ssp.com, 1, DIRECT\nssp.com, 2, RESELLER\nssp.com, 2, RESELLER\n"
                         "ssp.com, 99, DIRECT\nother.com, =cmd, RESELLER\n")
    rows = supply_path([f], DIRS)
    assert [(r.exchange, r.seller_id, r.seller_name, r.relationship, r.in_sellers_json) for r in rows] == [
        ("other.com", "=cmd", None, "RESELLER", None),
        ("ssp.com", "1", "name-1", "DIRECT", True),
        ("ssp.com", "2", "name-2", "RESELLER", True),
        ("ssp.com", "99", None, "DIRECT", False),
    ]
    table = list(csv.reader(io.StringIO(path_csv(rows))))
    assert table[0][:5] == ["exchange", "seller_id", "seller_name", "seller_type", "relationship"]
    assert table[1][1] == "'=cmd"
    data = json.loads(path_json("site.com", rows))
    assert data["site"] == "site.com" and data["supply_path"][1]["seller_name"] == "name-1"


def test_neutralise() -> None:
    assert [neutralise(v) for v in ("=1+1", "+x", "-x", "@x", "ok", None, 3)] == [
        "'=1+1", "'+x", "'-x", "'@x", "ok", "", "3"]
