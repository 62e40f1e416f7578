"""UT1 category lists: import from the real lists in ../shared/data/ut1, look-ups, scoring."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rules.engine import Engine, PageFacts
from rules.ut1 import category_from_name, lookup_keys, parse_entries
from store.domain_lists import CategoryLookup, import_ut1
from store.models import DomainCategory, Page, Site
from store.scoring import score
from vigie.cli import app


def _first_domain(path: Path) -> str:
    for line in gzip.decompress(path.read_bytes()).decode().splitlines():
        if line.strip() and not line[0].isdigit() and "/" not in line:
            return line.strip()
    raise AssertionError(path)


def test_parse_and_keys() -> None:
    assert category_from_name("agressif.txt.gz") == "agressif"
    assert list(parse_entries(["# c", "", "WWW.Example.COM", "http://x.example/a/b/", "bad host!"])) == [
        "example.com", "x.example/a/b"]
    assert lookup_keys("http://www.a.b.example.co.uk/x") == ["a.b.example.co.uk", "b.example.co.uk", "example.co.uk"]
    assert lookup_keys("http://10.0.0.1/x") == ["10.0.0.1"]


def test_import_real_lists_and_lookup(session: Session, shared_data: Path, tmp_path: Path) -> None:
    ut1 = shared_data / "ut1"
    small = tmp_path / "ut1"
    small.mkdir()
    for name in ("agressif", "warez", "press", "adult_urls", "gambling"):
        (small / f"{name}.txt.gz").write_bytes((ut1 / f"{name}.txt.gz").read_bytes())
    report = import_ut1(session, small)
    session.commit()
    expected = {name: len(set(parse_entries(gzip.decompress((ut1 / f"{name}.txt.gz").read_bytes())
                                            .decode().splitlines())))
                for name in ("agressif", "warez", "press", "adult_urls", "gambling")}
    assert report.categories == expected
    assert report.categories["gambling"] > 30_000
    # re-import replaces, never duplicates
    import_ut1(session, small / "agressif.txt.gz")
    session.commit()
    n = session.scalar(select(func.count()).select_from(DomainCategory).where(DomainCategory.category == "agressif"))
    assert n == expected["agressif"]
    lookup = CategoryLookup(session)
    warez = _first_domain(ut1 / "warez.txt.gz")
    assert "warez" in lookup.for_url(f"http://www.{warez}/film/1")
    assert lookup.for_url("http://nothing-here.example/") == frozenset()
    # URL-prefix entries (adult_urls) cover only their path
    entry = next(e for e in parse_entries(gzip.decompress((ut1 / "adult_urls.txt.gz").read_bytes()).decode()
                                          .splitlines()) if "/" in e)
    host, path = entry.split("/", 1)
    assert "adult_urls" in lookup.for_url(f"http://{host}/{path}/page")
    assert "adult_urls" not in lookup.for_url(f"http://{host}/elsewhere-{path}")
    # the engine maps the list category to GARM
    v = Engine.load().score_page(PageFacts(url=f"http://{warez}/",
                                           domain_categories=lookup.for_url(f"http://{warez}/")))
    assert v.tier("piracy") == "floor"  # GARM puts piracy in the floor
    assert v.categories["piracy"].evidence[0].rule_id == "ut1.warez"


def test_import_tarball_layout_and_scoring(session: Session, shared_data: Path, tmp_path: Path) -> None:
    data = gzip.decompress((shared_data / "ut1" / "agressif.txt.gz").read_bytes())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("blacklists/agressif/domains")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    archive = tmp_path / "blacklists.tar.gz"
    archive.write_bytes(buf.getvalue())
    report = import_ut1(session, archive)
    assert set(report.categories) == {"agressif"}
    domain = _first_domain(shared_data / "ut1" / "agressif.txt.gz")
    site = Site(domain=domain)
    session.add(site)
    session.flush()
    session.add(Page(site_id=site.id, url=f"http://{domain}/", text="Bienvenue.", content_hash="x"))
    session.commit()
    score(session, Engine.load())
    session.commit()
    assert session.get(Site, site.id).worst_tier == "high"  # type: ignore[union-attr]


def test_cli_import_and_errors(database_url: str, shared_data: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["lists", "import-ut1", str(shared_data / "ut1" / "sect.txt.gz")])
    assert out.exit_code == 0, out.output
    assert "sect" in out.output
    bad = CliRunner().invoke(app, ["lists", "import-ut1", str(tmp_path / "missing")])
    assert bad.exit_code == 2 and "no such file" in bad.output
