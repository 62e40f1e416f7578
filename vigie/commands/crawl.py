"""``vigie crawl placements`` and ``vigie lists update``: thin wrappers over ``crawler``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from vigie.errors import UserError


def crawl_placements(
    more_seeds: list[str] | None = typer.Argument(None, metavar="[SEEDS]...",
                                                  help="More seed files/URLs (so `--seeds a b c` works)."),
    seeds: list[str] = typer.Option(..., "--seeds", help="Seed file(s) (one URL or domain per line, # comments) "
                                    "or URLs/domains. Repeat the flag or pass several values."),
    render: bool | None = typer.Option(None, "--render/--no-render",
                                       help="Render every page in Chromium / never. Default: render the pages "
                                            "whose static pass shows ad-tag scripts."),
    proxy: str | None = typer.Option(None, "--proxy", help="HTTP proxy for pages, click chains and the browser."),
    filter_list: list[str] | None = typer.Option(None, "--filter-list",
                                                 help="Filter list: local file (plain or .gz), URL, or a name "
                                                      "(vigie, easylist, easyprivacy, liste_fr). Repeatable. "
                                                      "Default: Vigie's own list + the downloaded lists."),
    max_pages_per_site: int = typer.Option(20, "--max-pages-per-site", min=1),
    depth: int = typer.Option(1, "--depth", min=0, help="Link depth from each seed (0 = the seed only)."),
    allow_private: bool = typer.Option(False, "--allow-private",
                                       help="Allow click-chain hops to private/loopback addresses."),
    jobdir: Path | None = typer.Option(None, "--jobdir", help="Keep the crawl state here; rerun with the same "
                                       "directory to resume after an interruption."),
    ignore_robots: bool = typer.Option(False, "--ignore-robots", help="Do not obey robots.txt (own sites only)."),
    no_evidence: bool = typer.Option(False, "--no-evidence", help="Skip screenshots of rendered ads."),
    distributed: str | None = typer.Option(None, "--distributed", metavar="redis://HOST:PORT/N",
                                           help="Push the seeds to the shared Redis queue of `vigie worker` "
                                                "processes instead of crawling here."),
) -> None:
    """Visit publisher pages, detect their ads, attribute them to brands, store placements."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from crawler.runner import run_placements_crawl
    from store.db import session_scope
    from store.models import CrawlRun

    seed_args: list[str] = []
    for value in [*seeds, *(more_seeds or [])]:
        seed_args += [v for v in value.replace(",", " ").split() if v]
    if distributed:
        from ops.distributed import push_seed_specs

        pushed, errors = push_seed_specs(distributed, seed_args)
        for error in errors:
            typer.echo(f"skipped seed: {error}")
        typer.echo(f"pushed {pushed} seeds to {distributed}; `vigie worker` processes crawl them")
        return
    console = Console(stderr=True)
    progress = Progress(TextColumn("[bold]crawling[/]"), BarColumn(), TextColumn("{task.description}"),
                        TimeElapsedColumn(), console=console, transient=True)
    task = progress.add_task("starting", total=None)

    def on_progress(stats: dict[str, Any]) -> None:
        progress.update(task, description=(
            f"pages {stats['pages']} ({stats['pages_failed']} failed) · ads {stats['ads']} · "
            f"brands {len(stats['brands'])} · unknown advertisers {len(stats['unknown_advertisers'])}"))

    with progress:
        run_id = run_placements_crawl(seed_args, render=render, proxy=proxy, filter_lists=filter_list or None,
                                      max_pages_per_site=max_pages_per_site, depth=depth,
                                      allow_private=allow_private, jobdir=jobdir, obey_robots=not ignore_robots,
                                      evidence=not no_evidence, progress=on_progress)
    from vigie.config import get_settings

    with session_scope(get_settings().database_url) as s:
        run = s.get(CrawlRun, run_id)
        if run is None:
            raise UserError(f"crawl run {run_id} not found")
        st = run.stats or {}
        typer.echo(f"crawl run {run.id} {run.status}: {st.get('pages', 0)} pages "
                   f"({st.get('pages_ok', 0)} ok, {st.get('pages_failed', 0)} failed, "
                   f"{st.get('pages_rendered', 0)} rendered), {st.get('ads', 0)} ads "
                   f"({st.get('placements_new', 0)} new placements), {len(st.get('brands', []))} brands, "
                   f"{len(st.get('unknown_advertisers', []))} unknown advertiser domains; "
                   f"filter lists {run.filter_list_version}")
        for bad in st.get("bad_seeds", []):
            typer.echo(f"skipped seed: {bad}")
        for failure in st.get("failures", [])[:10]:
            typer.echo(f"failed: {failure['url']} ({failure.get('error')})")


def lists_update(
    base_url: str | None = typer.Option(None, "--base-url", envvar="VIGIE_LISTS_BASE_URL",
                                        help="Fetch {base}/{name}.txt instead of the official hosts."),
    name: list[str] | None = typer.Option(None, "--list", help="Only these lists (easylist, easyprivacy, liste_fr)."),
    proxy: str | None = typer.Option(None, "--proxy"),
) -> None:
    """Download EasyList, EasyPrivacy and Liste FR into the data dir (versioned)."""
    from crawler.filterlists import lists_dir, update_lists

    for fl in update_lists(lists_dir(), base_url=base_url, names=name or None, proxy=proxy):
        typer.echo(f"{fl.name}: version {fl.version} ({len(fl.text.splitlines())} lines) -> {fl.source}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["crawl"].command("placements")(crawl_placements)
    groups["lists"].command("update")(lists_update)
