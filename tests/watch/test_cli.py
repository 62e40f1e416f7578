"""CLI: activists add/list/enable/disable/import, watch --once, export posts, cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.watch.fakesocial import FakeSocial
from vigie.cli import app

runner = CliRunner()


def run(*args: str) -> str:
    res = runner.invoke(app, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def test_activists_commands_watch_and_export(fake: FakeSocial, watch_db: str, tmp_path: Path) -> None:
    brands = tmp_path / "brands.yaml"
    brands.write_text("- name: Acme\n  domains: [acme.fr]\n  handles: {mastodon: acme@127.0.0.1}\n", encoding="utf-8")
    from store.db import session_scope
    from store.registry import parse_brands, upsert_brands

    with session_scope(watch_db) as s:
        upsert_brands(s, parse_brands(brands))
    fake.add_mastodon("giants", 3)
    assert "added" in run("activists", "add", f"mastodon:{fake.url}/@giants")
    assert "already watched" in run("activists", "add", f"mastodon:{fake.url}/@giants")
    out = run("activists", "add", "--defaults")
    assert "default account(s) added, disabled" in out
    listing = run("activists", "list")
    assert "off x:slpng_giants " in listing and f"on  mastodon:{fake.url}/@giants" in listing
    run("activists", "enable", "x:slpng_giants")
    run("activists", "disable", "x:slpng_giants")
    out = run("watch", "--once")
    assert "new 3" in out and "cases opened 3" in out
    run("watch", "--once")
    export = tmp_path / "posts.jsonl"
    run("export", "posts", "--format", "jsonl", "--out", str(export))
    rows = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3
    assert {"post_url", "source", "author", "created_at", "brands", "sites", "tactic", "lang",
            "engagement"} <= set(rows[0])
    assert rows[0]["brands"] == ["Acme"] and rows[0]["sites"] == ["example-news.fr"]
    assert rows[0]["created_at"].endswith("+00:00")
    cases = run("cases", "list", "--status", "new")
    case_id = cases.split()[0].lstrip("#")
    assert "Acme" in cases
    assert "@giants@127.0.0.1" in run("cases", "draft", case_id, "--user", "cm")
    res = runner.invoke(app, ["cases", "approve", case_id, "--user", "v", "--role", "viewer"])
    assert res.exit_code == 2 and "may not approve" in res.output
    run("cases", "approve", case_id, "--user", "a", "--role", "analyst")
    assert "approved" in run("cases", "show", case_id)
    assert "Acme" in run("pressure")


def test_import_archive_json_and_csv(watch_db: str, tmp_path: Path) -> None:
    j = tmp_path / "a.json"
    j.write_text(json.dumps([{"id": "a1", "url": "https://x.com/g/status/1", "author": "@giants",
                              "created_at": "2026-11-01T10:00:00Z", "text": "Boulevard Voltaire ?",
                              "links": ["https://www.bvoltaire.fr/a"], "likes": 4}]), encoding="utf-8")
    assert "new 1" in run("activists", "import", str(j))
    assert "new 0, updated 1" in run("activists", "import", str(j))
    c = tmp_path / "a.csv"
    c.write_text("source,id,author,created_at,text,links,media,likes\n"
                 "x,2,giants,2026-11-02T10:00:00+01:00,Voir,https://a.example/x;https://b.example/y,,3\n",
                 encoding="utf-8")
    assert "new 1" in run("activists", "import", str(c))
    bad = tmp_path / "bad.csv"
    bad.write_text("id,author,created_at\n3,giants,yesterday\n", encoding="utf-8")
    res = runner.invoke(app, ["activists", "import", str(bad)])
    assert res.exit_code == 2 and "bad.csv:2: field 'created_at'" in res.output


@pytest.mark.parametrize("spec", ["mastodon:nobody", "myspace:tom", "rss:ftp://x", "bluesky:"])
def test_bad_specs(watch_db: str, spec: str) -> None:
    res = runner.invoke(app, ["activists", "add", spec])
    assert res.exit_code == 2 and "activist spec" in res.output
