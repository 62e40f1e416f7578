"""``vigie demo``: the whole pipeline on the offline demo web, as a user would run it.

Each step is the real ``vigie`` command in a subprocess (the crawl needs its own Twisted reactor),
pointed at the demo web's forward proxy; the demo keeps its data apart from real data, in
``{VIGIE_DATA_DIR}/demo`` unless ``VIGIE_DATABASE_URL`` says otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func, select

from store.db import migrate, session_scope
from store.models import ActivistPost, Brand, Case, Page, Placement, Site
from vigie.config import get_settings


def _chromium() -> str | None:
    path = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH") or shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    return path if path and Path(path).exists() else None


def _step(env: dict[str, str], *args: str) -> None:
    typer.secho(f"$ vigie {' '.join(args)}", fg=typer.colors.CYAN, err=True)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "vigie", *args], env=env, check=False)
    if result.returncode != 0:
        typer.secho(f"step failed (exit {result.returncode}): vigie {' '.join(args)}", fg="red", err=True)
        raise typer.Exit(result.returncode)
    typer.echo(f"  done in {time.monotonic() - started:.1f}s", err=True)


def summary(database_url: str) -> dict[str, int]:
    with session_scope(database_url) as s:
        def count(col: object, *where: object) -> int:
            return int(s.scalar(select(func.count(col)).where(*where)) or 0)  # type: ignore[arg-type]

        return {
            "sites": count(Site.id),
            "pages": count(Page.id),
            "placements": count(Placement.id),
            "placements_with_brand": count(Placement.id, Placement.brand_id.is_not(None)),
            "brands_seen": int(s.scalar(select(func.count(func.distinct(Placement.brand_id)))) or 0),
            "brands": count(Brand.id),
            "pages_at_risk": count(Page.id, Page.worst_tier.in_(("floor", "high", "medium"))),
            "activist_posts": count(ActivistPost.id),
            "cases": count(Case.id),
        }


def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Run the pipeline, print a summary, exit.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the demo world.")] = 7,
    host: Annotated[str, typer.Option(help="Dashboard address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Dashboard port.")] = 8000,
    render: Annotated[bool | None, typer.Option(
        "--render/--no-render", help="Render every page / none (default: pages with ad tags, if Chromium is found).",
    )] = None,
) -> None:
    """Start the demo web, import its brands and sites, crawl, score, watch, then serve the dashboard."""
    from demo.catalog import BSKY_HOST
    from demo.server import DemoWeb
    from demo.world import build_world

    settings = get_settings()
    demo_dir = settings.data_dir / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("VIGIE_DATABASE_URL") or f"sqlite:///{demo_dir / 'vigie.db'}"
    migrate(database_url)
    world = build_world(seed)
    (demo_dir / "brands.yaml").write_text(world.brands_yaml(), encoding="utf-8")
    (demo_dir / "sites.yaml").write_text(world.sites_yaml(), encoding="utf-8")
    (demo_dir / "seeds.txt").write_text("\n".join(world.seed_urls()) + "\n", encoding="utf-8")
    (demo_dir / "ground_truth.json").write_text(json.dumps(world.ground_truth(), indent=1), encoding="utf-8")
    if render is None and _chromium() is None:
        render = False
        typer.secho("no Chromium found: crawling without rendering (JavaScript ads will be missed)",
                    fg="yellow", err=True)
    # default: the crawler's auto mode renders the pages whose static pass shows ad-tag scripts
    render_flag = [] if render is None else ["--render" if render else "--no-render"]

    with DemoWeb(world) as web:
        typer.echo(f"demo web (forward proxy) at {web.proxy_url}; data in {demo_dir}", err=True)
        env = {**os.environ, "VIGIE_DATA_DIR": str(demo_dir), "VIGIE_DATABASE_URL": database_url,
               "VIGIE_PROXY": web.proxy_url, "VIGIE_BSKY_APPVIEW": f"http://{BSKY_HOST}"}
        _step(env, "brands", "import", str(demo_dir / "brands.yaml"))
        _step(env, "sites", "import", str(demo_dir / "sites.yaml"))
        _step(env, "crawl", "placements", "--seeds", str(demo_dir / "seeds.txt"), "--proxy", web.proxy_url,
              "--allow-private", *render_flag)
        _step(env, "crawl", "adstxt", "--proxy", web.proxy_url)
        for spec in world.activist_specs():
            _step(env, "activists", "add", spec)
        _step(env, "watch", "--once", "--proxy", web.proxy_url)
        _step(env, "crawl", "recrawls", "--proxy", web.proxy_url, "--allow-private", "--no-render")
        _step(env, "score")
        _step(env, "exclusions", "suggest")
        figures = summary(database_url)
        typer.echo(json.dumps(figures, indent=1))
        if no_serve:
            return
        from ops.server import run_server

        shared = ("VIGIE_DATA_DIR", "VIGIE_DATABASE_URL", "VIGIE_PROXY", "VIGIE_BSKY_APPVIEW")
        os.environ.update({k: env[k] for k in shared})
        typer.secho(f"Dashboard: http://{host}:{port}/  (Ctrl-C to stop)", fg="green", bold=True)
        run_server(database_url, host=host, port=port, with_scheduler=False)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("demo")(demo)
