"""``vigie crawl recrawls``: consume the targeted recrawl queue that corroboration fills
(thin wrapper over ``store.recrawl``; one crawl per process, like ``vigie crawl placements``)."""

from __future__ import annotations

import typer


def crawl_recrawls(
    proxy: str | None = typer.Option(None, "--proxy", envvar="VIGIE_PROXY",
                                     help="HTTP proxy for pages, click chains and the browser."),
    render: bool | None = typer.Option(None, "--render/--no-render",
                                       help="Render every page in Chromium / never. Default: render the pages "
                                            "whose static pass shows ad-tag scripts."),
    limit: int = typer.Option(100, "--limit", min=1, help="Take at most this many pending requests, oldest first."),
    allow_private: bool = typer.Option(False, "--allow-private",
                                       help="Allow click-chain hops to private/loopback addresses (demo, tests)."),
) -> None:
    """Recrawl the pages and sites that activist posts called out (pending recrawl requests)."""
    from store.db import migrate
    from store.recrawl import run_recrawls
    from vigie.config import get_settings

    database_url = get_settings().database_url
    migrate(database_url)
    report = run_recrawls(database_url, proxy=proxy or None, render=render, limit=limit,
                          allow_private=allow_private)
    if report.taken == 0:
        typer.echo("no pending recrawl requests")
        return
    if report.crawl_run_id is not None:
        st = report.crawl_stats
        typer.echo(f"crawl run {report.crawl_run_id} {report.crawl_status}: {st.get('pages', 0)} pages "
                   f"({st.get('pages_ok', 0)} ok, {st.get('pages_failed', 0)} failed), {st.get('ads', 0)} ads "
                   f"({st.get('placements_new', 0)} new placements)")
    line = f"recrawl requests: {report.taken} taken, {report.done} done, {report.failed} failed"
    if report.left_pending:
        line += f", {report.left_pending} left pending (crawl interrupted)"
    typer.echo(line)
    for req_id, target, error in report.failures[:20]:
        typer.echo(f"failed: request {req_id} {target}: {error}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["crawl"].command("recrawls")(crawl_recrawls)
