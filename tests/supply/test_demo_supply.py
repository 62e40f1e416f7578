"""The demo web's planted supply-path faults: the cross-checks find all of them and nothing else,
first on the files as generated, then end to end through the demo proxy, the spider and the CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from demo.supply import supply_files, supply_truth
from supply.adstxt import parse_adstxt
from supply.crosscheck import Directory, SiteFile, check_all
from supply.sellers import parse_sellers
from tests.supply.fakeworld import FakeWorld

ROOT = Path(__file__).resolve().parents[2]


def key(f: Any) -> tuple:
    if isinstance(f, dict):
        return (f["kind"], f["site"], f["file"], f["line"], f["ad_system"], f["account_id"])
    return (f.kind, f.site, f.file, f.line, f.ad_system, f.account_id)


def check_files(files: dict) -> list:
    """Read the generated files the way the spider would (404 -> nothing, 301 -> its target)."""
    site_files, dirs = [], {}
    for (host, path), (status, headers, body) in sorted(files.items()):
        if path == "/sellers.json" and status == 200:
            doc = parse_sellers(body)
            assert doc.ok, (host, doc.errors)
            dirs[host] = Directory.of(host, doc.sellers)
        elif path in ("/ads.txt", "/app-ads.txt"):
            if status == 301:
                target = headers["Location"].split(host, 1)[1]
                status, headers, body = files[(host, target)]
            if status == 200:
                assert headers["Content-Type"].startswith("text/plain")
                site_files.append(SiteFile(host, parse_adstxt(body, host), path.lstrip("/")))
    return check_all(site_files, dirs)


def real_world() -> Any:
    world = pytest.importorskip("demo.world")
    return world.build_world(7)


@pytest.mark.parametrize("make_world", [FakeWorld, real_world], ids=["contract-world", "demo-world"])
def test_generated_files_have_exactly_the_planted_faults(make_world: Any) -> None:
    world = make_world()
    truth = supply_truth(world)
    found = check_files(supply_files(world))
    assert sorted(map(key, found)) == sorted(map(key, truth["faults"]))
    kinds = {f["kind"] for f in truth["faults"]}
    assert kinds == {"malformed_line", "missing_seller", "direct_intermediary", "ownerdomain_mismatch",
                     "shared_account"}
    assert all(len(v) == 1 for v in truth["scenarios"].values())
    assert supply_files(world) == supply_files(world)  # deterministic


def test_scenarios_are_served_as_described() -> None:
    world = FakeWorld()
    files, truth = supply_files(world), supply_truth(world)
    (absent,) = truth["scenarios"]["absent"]
    assert files[(absent, "/ads.txt")][0] == 404
    (moved,) = truth["scenarios"]["redirect"]
    status, headers, _ = files[(moved, "/ads.txt")]
    assert status == 301 and headers["Location"] == f"http://{moved}/ads/ads.txt"
    (placeholder,) = truth["scenarios"]["placeholder"]
    assert parse_adstxt(files[(placeholder, "/ads.txt")][2]).placeholder
    (crlf,) = truth["scenarios"]["crlf"]
    body = files[(crlf, "/ads.txt")][2]
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
    assert files[(truth["app_ads_site"], "/app-ads.txt")][0] == 200
    assert {h for (h, p) in files if p == "/sellers.json"} == set(truth["sellers_hosts"])


def test_small_world_plants_what_fits() -> None:
    world = FakeWorld(n_sites=4)
    truth = supply_truth(world)
    assert "shared_account" not in {f["kind"] for f in truth["faults"]}
    assert sorted(map(key, check_files(supply_files(world)))) == sorted(map(key, truth["faults"]))


# --- end to end: demo proxy -> spider -> store -> CLI ------------------------------------------


def run_vigie(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from vigie.cli import main; main()", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_crawl_check_and_export_through_the_demo_web(
    database_url: str, session: Session, tmp_path: Path
) -> None:
    server = pytest.importorskip("demo.server")
    from store.models import AdsTxtFile, SellersJsonFile
    from vigie.cli import app

    world = real_world()
    truth = supply_truth(world)
    sites_file = tmp_path / "sites.txt"
    sites_file.write_text("# demo sites\n" + "\n".join(s["domain"] for s in world.ground_truth()["sites"]) + "\n")
    env = dict(os.environ, VIGIE_DATABASE_URL=database_url)
    with server.DemoWeb(world) as web:
        done = run_vigie("crawl", "adstxt", "--sites", str(sites_file), "--proxy", web.proxy_url, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        lines = [line.split("\t") for line in done.stdout.splitlines()]
        assert len(lines) == 2 * len(world.ground_truth()["sites"]) + len(truth["sellers_hosts"])
        assert "ERROR" not in done.stderr, done.stderr[-3000:]
        # second run: everything is fresh (Cache-Control max-age), nothing is refetched
        again = run_vigie("crawl", "adstxt", "--sites", str(sites_file), "--proxy", web.proxy_url, env=env)
        assert again.returncode == 0 and again.stdout.strip() == "", again.stdout

    s = session
    files = {(f.domain, f.kind): f for f in s.scalars(select(AdsTxtFile))}
    (absent,) = truth["scenarios"]["absent"]
    assert files[(absent, "ads.txt")].status == "absent"
    (moved,) = truth["scenarios"]["redirect"]
    assert files[(moved, "ads.txt")].status == "ok" and files[(moved, "ads.txt")].url == (
        f"http://{moved}/ads/ads.txt")
    (placeholder,) = truth["scenarios"]["placeholder"]
    assert [r.ad_system for r in files[(placeholder, "ads.txt")].records] == ["placeholder.example.com"]
    (crlf,) = truth["scenarios"]["crlf"]
    assert files[(crlf, "ads.txt")].status == "ok" and len(files[(crlf, "ads.txt")].records) >= 2
    assert files[(truth["app_ads_site"], "app-ads.txt")].status == "ok"
    sellers = {f.ad_system: f for f in s.scalars(select(SellersJsonFile))}
    assert sorted(sellers) == truth["sellers_hosts"]
    assert all(f.status == "ok" and (f.url or "").startswith("http://") for f in sellers.values())

    runner = CliRunner()
    result = runner.invoke(app, ["supply", "check", "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert sorted(map(key, found)) == sorted(map(key, truth["faults"]))

    flagged = next(f["site"] for f in truth["faults"] if f["kind"] == "direct_intermediary")
    out = tmp_path / "path.csv"
    result = runner.invoke(app, ["export", "supply-path", "--site", flagged, "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {"exchange", "seller_id", "seller_name", "relationship"} <= set(rows[0])
    assert {(r["exchange"], r["seller_id"], r["relationship"]) for r in rows} >= {
        ("appnexus.com", "7001", "DIRECT"), ("appnexus.com", "7001", "RESELLER")}
    assert all(r["in_sellers_json"] == "True" for r in rows)
    result = runner.invoke(app, ["export", "supply-path", "--site", flagged, "--format", "json"])
    assert json.loads(result.stdout)["site"] == flagged
