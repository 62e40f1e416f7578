"""Registry imports: idempotent, validated, and atomic (bad input leaves the database as it was)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Brand, BrandDomain, Site

ACME = """\
- name: Acme
  domains: [acme.com, acme.fr]
  aliases: [ACME, Acme Corp]
  handles: {x: acme, mastodon: acme@mastodon.social, bluesky: acme.bsky.social}
- name: Verdier
  domains: [https://www.maison-verdier.fr/]
"""


def vigie(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True, text=True,
                          timeout=120)


def counts(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return (session.scalar(select(func.count(Brand.id))) or 0,
            session.scalar(select(func.count(BrandDomain.id))) or 0,
            session.scalar(select(func.count(Site.id))) or 0)


def test_brand_import_is_idempotent_and_normalises(tmp_path: Path, session: Session) -> None:
    f = tmp_path / "brands.yaml"
    f.write_text(ACME)
    first = vigie("brands", "import", str(f))
    assert first.returncode == 0, first.stderr
    assert "2 created" in first.stdout
    again = vigie("brands", "import", str(f))
    assert "0 created, 2 updated" in again.stdout
    assert counts(session)[:2] == (2, 3)
    acme = session.scalar(select(Brand).where(Brand.name == "Acme"))
    assert acme is not None
    assert [d.domain for d in acme.domains] == ["acme.com", "acme.fr"]
    assert acme.handles == {"x": "acme", "mastodon": "acme@mastodon.social", "bluesky": "acme.bsky.social"}
    verdier = session.scalar(select(Brand).where(Brand.name == "Verdier"))
    assert verdier is not None and [d.domain for d in verdier.domains] == ["maison-verdier.fr"]


def test_reimport_updates_domains_and_aliases(tmp_path: Path, session: Session) -> None:
    f = tmp_path / "brands.yaml"
    f.write_text(ACME)
    vigie("brands", "import", str(f))
    f.write_text("- name: Acme\n  domains: [acme.de]\n  aliases: [Acme GmbH]\n")
    assert vigie("brands", "import", str(f)).returncode == 0
    session.expire_all()
    acme = session.scalar(select(Brand).where(Brand.name == "Acme"))
    assert acme is not None
    assert [d.domain for d in acme.domains] == ["acme.de"] and acme.aliases == ["Acme GmbH"]


@pytest.mark.parametrize(
    ("content", "suffix", "expected"),
    [
        ("- name: Good\n  domains: [good.com]\n- name: Bad\n  domains: [not a domain]\n", ".yaml",
         "brands.yaml:3: field 'domains'"),
        ("- name: Good\n  domains: [good.com]\n- domains: [x.com]\n", ".yaml", "brands.yaml:3: field 'name'"),
        ("- name: Good\n  domains: [good.com]\n  handles: {myspace: good}\n", ".yaml",
         "brands.yaml:1: field 'handles': unknown network 'myspace'"),
        ("- name: [\n", ".yaml", "brands.yaml:2: invalid YAML"),
        ("name,domains\nGood,good.com\nBad,\n", ".csv", "brands.csv:3: field 'domains'"),
        ("name,domains,colour\nGood,good.com,red\n", ".csv", "brands.csv:2: unknown field 'colour'"),
        ("- name: A\n  domains: [same.com]\n- name: B\n  domains: [same.com]\n", ".yaml",
         "brands.yaml:3: field 'domains': same.com is also given to brand 'A'"),
    ],
)
def test_bad_brand_file_names_location_and_changes_nothing(
    tmp_path: Path, session: Session, content: str, suffix: str, expected: str
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(ACME)
    vigie("brands", "import", str(good))
    before = counts(session)
    bad = tmp_path / f"brands{suffix}"
    bad.write_text(content)
    result = vigie("brands", "import", str(bad))
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert counts(session) == before


def test_domain_owned_by_another_brand_is_refused_atomically(tmp_path: Path, session: Session) -> None:
    f = tmp_path / "brands.yaml"
    f.write_text(ACME)
    vigie("brands", "import", str(f))
    before = counts(session)
    f.write_text("- name: Zed\n  domains: [zed.com]\n- name: Thief\n  domains: [acme.com]\n")
    result = vigie("brands", "import", str(f))
    assert result.returncode == 2 and "acme.com already belongs to brand 'Acme'" in result.stderr
    assert counts(session) == before


def test_sites_import_yaml_and_csv(tmp_path: Path, session: Session) -> None:
    y = tmp_path / "sites.yaml"
    y.write_text("- domain: www.bvoltaire.example\n  name: Boulevard Example\n  aliases: [BE]\n")
    c = tmp_path / "sites.csv"
    c.write_text("domain,name,aliases,group\nnews.example.org,News,N1;N2,news\n")
    assert vigie("sites", "import", str(y)).returncode == 0
    assert vigie("sites", "import", str(c)).returncode == 0
    assert vigie("sites", "import", str(c)).returncode == 0
    sites = {s.domain: s for s in session.scalars(select(Site))}
    assert set(sites) == {"bvoltaire.example", "news.example.org"}
    assert sites["news.example.org"].aliases == ["N1", "N2"] and sites["news.example.org"].group == "news"
    bad = tmp_path / "bad.csv"
    bad.write_text("domain,name\nok.example,OK\n,Missing\n")
    result = vigie("sites", "import", str(bad))
    assert result.returncode == 2 and "bad.csv:3: field 'domain': required" in result.stderr
    assert counts(session)[2] == 2


def test_missing_and_non_utf8_files(tmp_path: Path, database_url: str) -> None:
    assert "no such file" in vigie("brands", "import", str(tmp_path / "nope.yaml")).stderr
    f = tmp_path / "latin1.csv"
    f.write_bytes("name,domains\nCaf\xe9,cafe.fr\n".encode("latin-1"))
    assert "not UTF-8" in vigie("brands", "import", str(f)).stderr
