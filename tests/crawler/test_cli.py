"""The crawler's CLI commands: `vigie lists update`, and `vigie crawl placements` error handling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tests.crawler.demo_eval import ROOT
from tests.crawler.webserver import TestWeb
from vigie.cli import app

LIST = "[Adblock Plus 2.0]\n! Version: 202602020202\n||ads.example^\n"


def test_lists_update_command(data_dir: Path) -> None:
    routes = {f"127.0.0.1/l/{n}.txt": (200, {"Content-Type": "text/plain"}, LIST.encode())
              for n in ("easylist", "easyprivacy", "liste_fr")}
    with TestWeb(routes) as web:  # type: ignore[arg-type]
        result = CliRunner().invoke(app, ["lists", "update", "--base-url", f"{web.url}/l"])
    assert result.exit_code == 0, result.output
    assert "easylist: version 202602020202" in result.output
    assert (data_dir / "lists" / "liste_fr-202602020202.txt").is_file()


def test_crawl_without_usable_seed_exits_2(data_dir: Path, database_url: str, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# nothing usable\nnot a seed\n")
    env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_DATABASE_URL": database_url}
    proc = subprocess.run([sys.executable, "-c", "from vigie.cli import main; main()", "crawl", "placements",
                           "--seeds", str(seeds), "--no-render"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert "seeds.txt:2" in proc.stderr + proc.stdout


def test_bad_filter_list_exits_2(data_dir: Path, database_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_DATABASE_URL": database_url}
    proc = subprocess.run([sys.executable, "-c", "from vigie.cli import main; main()", "crawl", "placements",
                           "--seeds", "http://news.example/", "--filter-list", str(tmp_path / "nope.txt")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "nope.txt" in proc.stderr + proc.stdout
