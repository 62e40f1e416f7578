"""Each export format parsed back the way its platform reads it; limits; formula injection."""

from __future__ import annotations

import csv
import io
import json

from rules.exports import LIMITS, ExportEntry, export, neutralise

ENTRIES = [ExportEntry("www.bad-news.example", reasons="hate_speech=high", categories=["hate_speech"]),
           ExportEntry("casino.example", reasons="=HYPERLINK(\"http://evil\")", note="@SUM(A1)"),
           ExportEntry("sub.site.example", reasons="+cmd", note="-1"),
           ExportEntry("casino.example")]


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_google_ads_one_placement_per_row_without_www() -> None:
    files = export("google-ads", ENTRIES, "Acme exclusions")
    assert list(files) == ["acme-exclusions-google-ads.csv"]
    assert rows(files["acme-exclusions-google-ads.csv"]) == [["bad-news.example"], ["casino.example"],
                                                             ["sub.site.example"]]


def test_google_ads_and_meta_split_at_documented_limits() -> None:
    many = [ExportEntry(f"site{i:06d}.example") for i in range(65_001)]
    g = export("google-ads", many, "big")
    assert list(g) == ["big-google-ads-001.csv", "big-google-ads-002.csv"]
    assert [len(rows(v)) for v in g.values()] == [65_000, 1]
    assert LIMITS["meta"] == 10_000
    m = export("meta", many[:25_000], "big")
    assert [len(rows(v)) for v in m.values()] == [10_000, 10_000, 5_000]
    assert rows(m["big-meta-blocklist-001.csv"])[0] == ["https://site000000.example"]


def test_dv360_one_url_per_line() -> None:
    (data,) = export("dv360", ENTRIES, "acme").values()
    assert data.decode().splitlines() == ["bad-news.example", "casino.example", "sub.site.example"]


def test_ttd_site_list_csv() -> None:
    (data,) = export("ttd", ENTRIES, "acme").values()
    assert [r[0] for r in rows(data)] == ["bad-news.example", "casino.example", "sub.site.example"]


def test_meta_block_list_urls() -> None:
    (data,) = export("meta", ENTRIES, "acme").values()
    assert [r for r in rows(data)] == [["https://bad-news.example"], ["https://casino.example"],
                                       ["https://sub.site.example"]]


def test_xandr_domain_list_object() -> None:
    (data,) = export("xandr", ENTRIES, "Acme exclusions").values()
    body = json.loads(data)
    dl = body["domain-list"]
    assert set(dl) == {"name", "description", "type", "domains"}
    assert dl["type"] == "domain" and dl["name"] == "Acme exclusions"
    assert dl["domains"] == ["bad-news.example", "casino.example", "sub.site.example"]


def test_txt_and_csv_with_reasons_neutralised() -> None:
    (t,) = export("txt", ENTRIES, "acme").values()
    assert t.decode().split() == ["bad-news.example", "casino.example", "sub.site.example"]
    (c,) = export("csv", ENTRIES, "acme").values()
    r = list(csv.DictReader(io.StringIO(c.decode())))
    assert [x["domain"] for x in r] == ["bad-news.example", "casino.example", "sub.site.example"]
    by = {x["domain"]: x for x in r}
    assert by["casino.example"]["reasons"] == "'=HYPERLINK(\"http://evil\")"
    assert by["casino.example"]["note"] == "'@SUM(A1)"
    assert by["sub.site.example"]["reasons"] == "'+cmd" and by["sub.site.example"]["note"] == "'-1"
    assert by["bad-news.example"]["categories"] == "hate_speech"
    for cell in (cell for row in rows(c) for cell in row):
        assert cell[:1] not in ("=", "+", "-", "@")


def test_neutralise() -> None:
    assert neutralise("=1+2") == "'=1+2" and neutralise("\tx") == "'\tx" and neutralise("ok") == "ok"
    assert neutralise(None) == ""
