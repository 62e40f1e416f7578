"""Supply-path commands: crawl ads.txt / sellers.json, check them, export what to block."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from vigie.config import get_settings
from vigie.errors import UserError

supply_app = typer.Typer(no_args_is_help=True, help="ads.txt / sellers.json checks (supply path).")


def _domains_from_file(path: Path) -> list[str]:
    """One domain per line (``#`` comments), or a sites YAML (a list, or ``sites:``, of
    mappings with ``domain``)."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UserError(f"{path}: invalid YAML: {exc}") from exc
        items = data.get("sites", []) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise UserError(f"{path}: expected a list of sites")
        out = []
        for n, item in enumerate(items, start=1):
            domain = item.get("domain") if isinstance(item, dict) else item
            if not isinstance(domain, str):
                raise UserError(f"{path}: site #{n}: field 'domain' missing")
            out.append(domain)
        return out
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def _normalise(values: list[str], where: str) -> list[str]:
    from vigie.domains import normalise_domain, registrable_domain

    out = []
    for value in values:
        try:
            host = normalise_domain(value)
        except ValueError as exc:
            raise UserError(f"{where}: {exc}") from exc
        out.append(registrable_domain(host) or host)
    return sorted(set(out))


def crawl_adstxt(
    domains: list[str] = typer.Argument(None, metavar="DOMAIN", help="Sites to fetch."),
    sites: Path | None = typer.Option(None, "--sites", help="File of sites: one domain a line, or sites YAML."),
    proxy: str | None = typer.Option(None, "--proxy", envvar="VIGIE_PROXY",
                                     help="HTTP forward proxy, e.g. the demo web's."),
    kind: list[str] = typer.Option(["ads.txt", "app-ads.txt"], "--kind", help="ads.txt and/or app-ads.txt."),
    sellers: bool = typer.Option(True, "--sellers/--no-sellers", help="Also fetch each ad system's sellers.json."),
    force: bool = typer.Option(False, "--force", help="Refetch even files still fresh (ads.txt 1.1 sec. 3.6)."),
) -> None:
    """Fetch /ads.txt and /app-ads.txt of sites (all registered sites by default) and the
    sellers.json of every ad system they name; store them for `vigie supply check`."""
    settings = get_settings()
    names = list(domains or [])
    if sites is not None:
        names += _domains_from_file(sites)
    if not names:
        from sqlalchemy import select

        from store.db import migrate, session_scope
        from store.models import Site

        migrate(settings.database_url)
        with session_scope(settings.database_url) as session:
            names = list(session.scalars(select(Site.domain)))
        if not names:
            raise UserError("no site given and none registered: pass DOMAIN... or --sites FILE")
    for k in kind:
        if k not in ("ads.txt", "app-ads.txt"):
            raise UserError(f"--kind: {k!r} is not ads.txt or app-ads.txt")
    results = run_adstxt_crawl(_normalise(names, "--sites" if sites else "DOMAIN"), proxy=proxy,
                               kinds=kind, sellers=sellers, force=force, database_url=settings.database_url)
    for r in sorted(results, key=lambda r: (r.get("domain", r.get("ad_system", "")), r.get("kind", "~"))):
        what = r.get("domain", r.get("ad_system"))
        extra = f"{r['records']} records, {r['errors']} errors" if "records" in r else (
            f"{r.get('sellers', 0)} sellers")
        kind_name = r.get("kind", "sellers.json")
        typer.echo(f"{what}\t{kind_name}\t{r['status']}\t{extra}\t{r.get('reason') or ''}".rstrip())


def run_adstxt_crawl(
    domains: list[str], proxy: str | None, kinds: list[str], sellers: bool, force: bool, database_url: str
) -> list[dict[str, Any]]:
    """Run the ``adstxt`` spider in this process with explicit settings (no project settings
    needed) and return the stored items' summaries."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.adstxt import SETTINGS, AdsTxtSpider

    collected: list[dict[str, Any]] = []
    process = CrawlerProcess(settings={**SETTINGS, "VIGIE_DATABASE_URL": database_url,
                                       "LOG_LEVEL": "WARNING"})
    crawler = process.create_crawler(AdsTxtSpider)

    def on_item(item: dict[str, Any], **_: Any) -> None:
        collected.append(item)

    crawler.signals.connect(on_item, signal=signals.item_scraped)  # weak ref: on_item lives until return
    process.crawl(crawler, sites=domains, proxy=proxy, kinds=kinds, sellers="1" if sellers else "0",
                  force="1" if force else "0")
    process.start()
    return collected


def supply_check(
    site: str | None = typer.Option(None, "--site", help="Only this site's findings."),
    shared_threshold: int = typer.Option(3, "--shared-threshold", min=2,
                                         help="Unrelated owners sharing a DIRECT account to flag it."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Cross-check stored ads.txt files against sellers.json: malformed lines, sellers missing
    from sellers.json, DIRECT entries of INTERMEDIARY sellers, OWNERDOMAIN mismatches, DIRECT
    accounts shared by unrelated sites."""
    from store.db import migrate, session_scope
    from supply.store import findings

    if fmt not in ("table", "json"):
        raise UserError(f"--format: {fmt!r} is not table or json")
    settings = get_settings()
    migrate(settings.database_url)
    domain = _normalise([site], "--site")[0] if site else None
    with session_scope(settings.database_url) as session:
        found = findings(session, shared_threshold, domain)
    if fmt == "json":
        typer.echo(json.dumps([f.as_dict() for f in found], indent=2, ensure_ascii=False))
        return
    for f in found:
        typer.echo("\t".join([f.kind, f.site, f"{f.file}:{f.line}", f.ad_system or "-", f.account_id or "-",
                              f.detail]))
    typer.echo(f"{len(found)} finding(s)", err=True)


def supply_parse(
    path: Path = typer.Argument(..., help="A local ads.txt / app-ads.txt file."),
    domain: str | None = typer.Option(None, "--domain", help="Where it is served (checks SUBDOMAIN)."),
) -> None:
    """Parse a local ads.txt and print records, variables and issues as JSON."""
    from supply.adstxt import parse_adstxt

    if not path.is_file():
        raise UserError(f"{path}: no such file")
    result = parse_adstxt(path.read_bytes(), domain)
    typer.echo(json.dumps({
        "records": [[r.line, r.ad_system, r.account_id, r.relationship, r.cert_id] for r in result.records],
        "variables": [[v.line, v.name, v.value] for v in result.variables],
        "placeholder": result.placeholder,
        "issues": result.issues(),
    }, indent=1, ensure_ascii=False))


def export_supply_path(
    site: str = typer.Option(..., "--site", help="The flagged site."),
    fmt: str = typer.Option("csv", "--format", help="csv or json."),
    out: Path | None = typer.Option(None, "--out", help="File to write (default: standard output)."),
) -> None:
    """The (exchange, seller id, seller name, relationship) pairs that sell a site, to block them
    at the exchange too."""
    from store.db import migrate, session_scope
    from supply.crosscheck import path_csv, path_json
    from supply.store import known_file, supply_path_for

    if fmt not in ("csv", "json"):
        raise UserError(f"--format: {fmt!r} is not csv or json")
    domain = _normalise([site], "--site")[0]
    settings = get_settings()
    migrate(settings.database_url)
    with session_scope(settings.database_url) as session:
        if known_file(session, domain) is None:
            raise UserError(f"--site: no ads.txt stored for {domain}; run `vigie crawl adstxt {domain}` first")
        rows = supply_path_for(session, domain)
    text = path_csv(rows) if fmt == "csv" else path_json(domain, rows) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{len(rows)} row(s) written to {out}", err=True)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["crawl"].command("adstxt")(crawl_adstxt)
    groups["export"].command("supply-path")(export_supply_path)
    supply_app.command("check")(supply_check)
    supply_app.command("parse")(supply_parse)
    app.add_typer(supply_app, name="supply")
