"""Foundation commands: the brand and site registries and the placements export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from store.db import migrate, session_scope
from store.exports import PLACEMENT_KEYS, placement_rows, to_csv, to_jsonl
from store.registry import parse_brands, parse_sites, upsert_brands, upsert_sites
from vigie.config import get_settings
from vigie.errors import UserError


def fail(message: str) -> None:
    """Print a user error on one line and exit 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def database_url(explicit: str | None = None) -> str:
    """The database (``explicit``, else VIGIE_DATABASE_URL), migrated to the newest schema."""
    url = explicit or get_settings().database_url
    migrate(url)
    return url


def import_brands(file: Annotated[Path, typer.Argument(help="YAML or CSV file of brands.")]) -> None:
    """Import or update brands (name, domains, aliases, social handles). Idempotent."""
    try:
        specs = parse_brands(file)
        with session_scope(database_url()) as session:
            result = upsert_brands(session, specs)
    except UserError as exc:
        fail(str(exc))
    typer.echo(f"brands: {result.created} created, {result.updated} updated")


def import_sites(file: Annotated[Path, typer.Argument(help="YAML or CSV file of publisher sites.")]) -> None:
    """Import or update publisher sites (domain, name, aliases, group). Idempotent."""
    try:
        specs = parse_sites(file)
        with session_scope(database_url()) as session:
            result = upsert_sites(session, specs)
    except UserError as exc:
        fail(str(exc))
    typer.echo(f"sites: {result.created} created, {result.updated} updated")


def export_placements(
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: stdout).")] = None,
) -> None:
    """Every placement: page, site, brand (null if unknown), advertiser, network, landing, dates."""
    if fmt not in ("jsonl", "csv"):
        fail(f"--format: unknown format {fmt!r} (expected jsonl or csv)")
    with session_scope(database_url()) as session:
        rows = placement_rows(session)
        chunks = to_jsonl(rows) if fmt == "jsonl" else to_csv(rows, PLACEMENT_KEYS)
        stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            for chunk in chunks:
                stream.write(chunk)
        finally:
            if out:
                stream.close()


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["brands"].command("import")(import_brands)
    groups["sites"].command("import")(import_sites)
    groups["export"].command("placements")(export_placements)
