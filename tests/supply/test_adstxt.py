"""ads.txt 1.1 parser: the spec's worked examples, real files, and every malformed-line case."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from supply.adstxt import parse_adstxt

SPEC_EXAMPLES = [
    "4.1-single-direct", "4.2-single-reseller", "4.3-multiple", "4.4-contact", "4.5-subdomain-child",
    "4.5-subdomain-root", "4.6-inventorypartner-app", "4.6-inventorypartner-partner", "4.7-ownerdomain",
    "4.8-managerdomain", "4.9-placeholder",
]

# An independent, deliberately naive definition of a valid record line, to cross-check counts:
# comment and extension cut, then "domain, id, DIRECT|RESELLER[, cert]" with an optional final comma.
_NAIVE_RECORD = re.compile(
    r"\s*[a-z0-9_.-]+\.[a-z0-9_-]+\s*,\s*[^,\s]+\s*,\s*(direct|reseller)\s*(,\s*[^,\s=]*\s*)?,?\s*", re.I
)


def naive_count(data: bytes) -> int:
    count = 0
    for line in re.split(rb"\r\n|\r|\n", data):
        text = line.decode("utf-8", "replace").split("#")[0].split(";")[0]
        if _NAIVE_RECORD.fullmatch(text):
            count += 1
    return count


@pytest.mark.parametrize("name", SPEC_EXAMPLES)
def test_spec_examples_parse_as_the_spec_says(shared_data: Path, name: str) -> None:
    folder = shared_data / "adstxt" / "spec-examples"
    expected = json.loads((folder / f"{name}.expected.json").read_text())
    result = parse_adstxt((folder / f"{name}.txt").read_bytes(), expected["served_for"].split(" ")[0])
    got = [[r.ad_system, r.account_id, r.relationship, r.cert_id] for r in result.records]
    assert got == expected["records"]
    assert [[v.name, v.value] for v in result.variables] == expected["variables"]
    assert result.errors == []
    assert result.placeholder is bool(expected.get("placeholder", False))


def test_spec_examples_all_present(shared_data: Path) -> None:
    folder = shared_data / "adstxt" / "spec-examples"
    assert sorted(p.stem for p in folder.glob("*.txt")) == sorted(SPEC_EXAMPLES)


def test_spec_variables_are_interpreted(shared_data: Path) -> None:
    folder = shared_data / "adstxt" / "spec-examples"
    manager = parse_adstxt((folder / "4.8-managerdomain.txt").read_bytes())
    assert manager.owner_domain == "mediacompany.com"
    assert manager.manager_domains == [("yellowmediamanager.com", "FR"), ("bluemediamanager.com", "US")]
    assert [r.line for r in manager.records] == [5]  # the whitespace-only line 4 still counts
    root = parse_adstxt((folder / "4.5-subdomain-root.txt").read_bytes(), "example.com")
    assert root.subdomains == ["divisionone.example.com"] and root.warnings == []
    contact = parse_adstxt((folder / "4.4-contact.txt").read_bytes())
    assert contact.contacts == ["adops@example.com", "http://example.com/contact-us"]
    app = parse_adstxt((folder / "4.6-inventorypartner-app.txt").read_bytes())
    assert app.inventory_partner_domains == ["programmera.com"]
    placeholder = parse_adstxt((folder / "4.9-placeholder.txt").read_bytes())
    assert placeholder.placeholder and placeholder.authorised == []


# (file, records, variables, errors) measured once; naive_count cross-checks the records.
REAL_FILES = [
    ("bild.de.ads.txt", 133, 6, 0),
    ("kaufda.de.ads.txt", 1, 0, 0),
    ("clever-tanken.de.ads.txt", 4, 2, 0),
    ("allwomenstalk.com.ads.txt", 319, 0, 1),
    ("herzberatung.de.ads.txt", 643, 2, 0),
    ("motorsport.com.ads.txt", 704, 2, 2),
    ("transfermarkt.de.ads.txt", 2047, 2, 9),
    ("funke_bdf_goka.ads.txt", 12, 0, 0),
    ("adtechnology.axelspringer.com.ads.txt", 0, 2, 0),
    ("app-ads/bild.de.app-ads.txt", 57, 6, 0),
    ("app-ads/politico.com.app-ads.txt", 15, 0, 0),
]


@pytest.mark.parametrize(("name", "records", "variables", "errors"), REAL_FILES)
def test_real_files_counts(shared_data: Path, name: str, records: int, variables: int, errors: int) -> None:
    data = (shared_data / "adstxt" / name).read_bytes()
    result = parse_adstxt(data)
    assert len(result.records) == records == naive_count(data)
    assert len(result.variables) == variables
    assert len(result.errors) == errors


def test_every_real_file_matches_the_naive_count(shared_data: Path) -> None:
    folder = shared_data / "adstxt"
    files = sorted(folder.glob("*.txt")) + sorted(folder.glob("app-ads/*.txt"))
    assert len(files) == 55
    total = 0
    for path in files:
        data = path.read_bytes()
        result = parse_adstxt(data)
        assert len(result.records) == naive_count(data), path.name
        for err in result.errors:  # every error points at a real, non-blank line
            line = re.split(rb"\r\n|\r|\n", data)[err.line - 1]
            assert line.strip(), (path.name, err)
        total += len(result.records)
    assert total == 11_453


def test_real_file_fields(shared_data: Path) -> None:
    bild = parse_adstxt((shared_data / "adstxt" / "bild.de.ads.txt").read_bytes(), "bild.de")
    assert bild.owner_domain == "axelspringer.com"
    assert bild.manager_domains == [("mediaimpact.de", None)]
    assert bild.subdomains == ["spiele.bild.de", "app-spiele.bild.de", "toralarm.bild.de", "sportbild.bild.de"]
    first = bild.records[0]
    assert (first.line, first.ad_system, first.account_id, first.relationship, first.cert_id) == (
        10, "google.com", "pub-7776457540158914", "DIRECT", "f08c47fec0942fa0")
    assert (bild.records[1].ad_system, bild.records[1].cert_id) == ("outbrain.com", None)

    awt = parse_adstxt((shared_data / "adstxt" / "allwomenstalk.com.ads.txt").read_bytes())
    (err,) = awt.errors
    assert err.line == 266 and "DIRECT/RESELLER" in err.reason
    indexx = next(r for r in awt.records if r.ad_system == "indexexchange.com" and r.account_id == "191973")
    assert indexx.cert_id == "50b1c356f2c5c8fc"  # the "#33Across ..." comment is cut

    herz = parse_adstxt((shared_data / "adstxt" / "herzberatung.de.ads.txt").read_bytes())
    assert herz.inventory_partner_domains == ["yieldlove.com"]

    tm = parse_adstxt((shared_data / "adstxt" / "transfermarkt.de.ads.txt").read_bytes())
    by_line = {e.line: e.reason for e in tm.errors}
    assert "RESELLERe1a5b5b6e3255540" in by_line[136]
    assert "whitespace" in by_line[334]
    assert by_line[380].startswith("not a record")


def test_iab_crawler_test_files_keep_unknown_variables(shared_data: Path) -> None:
    folder = shared_data / "adstxt" / "iab_adstxtcrawler"
    red = parse_adstxt((folder / "mvpd_red_com_ads.txt").read_bytes(), "mvpd_red.com")
    assert [(r.ad_system, r.account_id, r.relationship, r.cert_id) for r in red.records] == [
        ("green_ssp.com", "34354", "DIRECT", "2f5732fd30df865f"),
        ("violet_ssp.com", "19253", "DIRECT", "943daa6c342aa0bf"),
    ]
    assert [(v.name, v.value) for v in red.variables] == [
        ("CONTENTPRODUCERDOMAIN", "content_blue.com"), ("CONTENTPRODUCERDOMAIN", "content_yellow.com")]
    assert red.errors == []
    reasons = [w.reason for w in red.warnings]
    assert sum("unknown variable CONTENTPRODUCERDOMAIN" in r for r in reasons) == 2
    assert sum("'_'" in r for r in reasons) == 2  # underscores are not RFC 1123 host names
    blue = parse_adstxt((folder / "content_blue_com_ads.txt").read_bytes())
    assert [(v.name, v.value) for v in blue.variables] == [("CONTENTDISTRIBUTORDOMAIN", "mvpd_red.com")]
    assert len(blue.records) == 2


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_line_endings_and_bom(eol: str) -> None:
    text = eol.join(["# c", "a.com, 1, direct", "", "b.com, 2, Reseller, abc", "contact=x@y.z"]) + eol
    for data in (text, text.encode(), b"\xef\xbb\xbf" + text.encode(), "\ufeff" + text):
        result = parse_adstxt(data)
        assert [(r.line, r.ad_system, r.relationship) for r in result.records] == [
            (2, "a.com", "DIRECT"), (4, "b.com", "RESELLER")]
        assert [(v.line, v.name) for v in result.variables] == [(5, "CONTACT")]
        assert result.errors == [] and result.line_count == 5


def test_whitespace_case_extension_and_comments() -> None:
    result = parse_adstxt(
        "\t Example.COM ,\tpub-1 ,  direct , TAG1 ; ext=1;more # comment, with, commas\n"
        "b.com,2,RESELLER;\n"
        "OwnerDomain = Owner.example.com \n"
    )
    a, b = result.records
    assert (a.ad_system, a.account_id, a.relationship, a.cert_id, a.extension) == (
        "example.com", "pub-1", "DIRECT", "TAG1", "ext=1;more")
    assert b.extension == "" and b.cert_id is None
    assert result.owner_domain == "owner.example.com"
    assert result.variables[0].name == "OWNERDOMAIN"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("google.com pub-1 DIRECT", "not a record"),
        ("google.com, pub-1", "not a record"),
        ("google.com, , DIRECT", "field #2"),
        ("google.com, pub 1, DIRECT", "field #2"),
        (", pub-1, DIRECT", "field #1"),
        ("http://google.com, pub-1, DIRECT", "field #1"),
        ("google, pub-1, DIRECT", "field #1"),
        ("google.com, pub-1, DIRCT", "field #3"),
        ("google.com, pub-1, ", "field #3"),
        ("google.com, pub-1, DIRECT, a b", "field #4"),
        ("google.com, pub-1, DIRECT, abcownerdomain=x.com", "field #4"),
        ("a.com, 1, DIRECT, c, extra", "5 fields"),
        ("sub domain=x.com", "not a variable"),
        ("contact=", "no value"),
        ("<html><body>", "not a record"),
        ("a.com, 1, DIRECT\x00", "NUL"),
    ],
)
def test_malformed_lines_are_reported_with_line_and_reason(line: str, reason: str) -> None:
    result = parse_adstxt(f"# first\na.com, 1, DIRECT\n{line}\nb.com, 2, RESELLER\n")
    assert [r.ad_system for r in result.records] == ["a.com", "b.com"]
    (err,) = result.errors
    assert err.line == 3 and reason in err.reason


def test_warnings_do_not_drop_lines() -> None:
    result = parse_adstxt(
        "a.com, 1, DIRECT,\n"            # trailing comma
        "a.com, 1, DIRECT\n"             # duplicate
        "OWNERDOMAIN=one.com\nOWNERDOMAIN=two.com\n"
        "MANAGERDOMAIN=m.com, FRA\n"
        "SUBDOMAIN=other.org\n"
        "FUTUREVAR=whatever\n"
        "placeholder.example.com, placeholder, DIRECT, placeholder\n",
        "site.com",
    )
    assert len(result.records) == 3 and result.errors == []
    reasons = " | ".join(f"{w.line}:{w.reason}" for w in result.warnings)
    for expected in ("1:trailing comma", "2:duplicate of line 1", "4:more than one OWNERDOMAIN",
                     "5:MANAGERDOMAIN country 'FRA'", "6:SUBDOMAIN 'other.org' is not below site.com",
                     "7:unknown variable FUTUREVAR", "8:placeholder record next to real records"):
        assert expected in reasons
    assert result.owner_domain == "one.com"


def test_empty_and_odd_inputs_never_raise() -> None:
    assert parse_adstxt(b"").records == []
    assert "deprecated" in parse_adstxt("").warnings[0].reason
    latin = parse_adstxt("a.com, caf\xe9, DIRECT\n".encode("latin-1"))
    assert latin.records[0].account_id == "caf\xe9"
    assert "Latin-1" in latin.warnings[0].reason
    utf16 = parse_adstxt("\ufeffa.com, 1, DIRECT\n".encode("utf-16"))
    assert utf16.records[0].ad_system == "a.com"
    many = parse_adstxt("junk\n" * 5000)
    assert len(many.errors) == 1000 and many.line_count == 5000
