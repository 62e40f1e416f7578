"""CLI: argument checking and the export written through the store (no network)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from supply.fetch import Outcome
from supply.store import save_adstxt, save_sellers
from vigie.cli import app
from vigie.errors import UserError

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "supply-path", "--site", "nowhere.com"], "no ads.txt stored for nowhere.com"),
        (["export", "supply-path", "--site", "not a domain"], "--site: not a domain name"),
        (["export", "supply-path", "--site", "a.com", "--format", "xml"], "--format"),
        (["supply", "check", "--format", "xml"], "--format"),
        (["crawl", "adstxt", "a.com", "--kind", "robots.txt"], "--kind"),
        (["crawl", "adstxt"], "no site given and none registered"),
        (["crawl", "adstxt", "--sites", "/nonexistent/sites.txt"], "no such file"),
    ],
)
def test_bad_input_is_a_user_error(session: Session, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert isinstance(result.exception, UserError), result.output
    assert message in str(result.exception)


def test_sites_yaml_file(tmp_path: Path) -> None:
    from vigie.commands.supply import _domains_from_file

    path = tmp_path / "sites.yaml"
    path.write_text("sites:\n  - domain: a.com\n    name: A\n  - domain: www.b.fr\n")
    assert _domains_from_file(path) == ["a.com", "www.b.fr"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: no domain\n")
    with pytest.raises(UserError, match="site #1: field 'domain' missing"):
        _domains_from_file(bad)


def test_check_and_export(session: Session, tmp_path: Path) -> None:
    s = session
    save_adstxt(s, "bad.com", "ads.txt", Outcome("ok", "https://bad.com/ads.txt", 200, body=(
        b"ssp.com, =HYPERLINK(1), DIRECT\nssp.com, 2, DIRECT\nssp.com, -3, RESELLER\n")))
    save_sellers(s, "ssp.com", Outcome("ok", "https://ssp.com/sellers.json", 200, body=json.dumps({
        "version": "1.0", "sellers": [
            {"seller_id": "=HYPERLINK(1)", "seller_type": "PUBLISHER", "name": "@evil", "domain": "bad.com"},
            {"seller_id": "2", "seller_type": "INTERMEDIARY", "name": "Mid Co", "domain": "mid.com"}]}).encode()))
    s.commit()

    result = runner.invoke(app, ["supply", "check"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(k, site, where) for k, site, where, *_ in lines] == [
        ("direct_intermediary", "bad.com", "ads.txt:2"), ("missing_seller", "bad.com", "ads.txt:3")]
    assert json.loads(runner.invoke(app, ["supply", "check", "--format", "json", "--site", "www.bad.com"]).stdout)

    out = tmp_path / "path.csv"
    result = runner.invoke(app, ["export", "supply-path", "--site", "https://www.bad.com/", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[1][:5] == ["ssp.com", "'-3", "", "", "RESELLER"]
    assert rows[2][:5] == ["ssp.com", "2", "Mid Co", "INTERMEDIARY", "DIRECT"]
    assert rows[3][:5] == ["ssp.com", "'=HYPERLINK(1)", "'@evil", "PUBLISHER", "DIRECT"]
