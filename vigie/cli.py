"""The ``vigie`` command. Each area registers its commands from ``vigie/commands/<area>.py``
so that the CLI, the API and the dashboard all call the same functions underneath."""

from __future__ import annotations

import typer

from vigie.commands import areas
from vigie.errors import UserError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Vigie: where your ads land, who is calling you out, and what to block.",
)
GROUPS: dict[str, typer.Typer] = {
    "brands": typer.Typer(no_args_is_help=True, help="The advertisers you watch."),
    "sites": typer.Typer(no_args_is_help=True, help="Publisher sites."),
    "crawl": typer.Typer(no_args_is_help=True, help="Visit sites and record what they show."),
    "export": typer.Typer(no_args_is_help=True, help="Write data out for other tools."),
    "lists": typer.Typer(no_args_is_help=True, help="Filter lists and domain category lists."),
}
for name, group in GROUPS.items():
    app.add_typer(group, name=name)
for register in areas():
    register(app, GROUPS)


def main() -> None:
    """Entry point: a ``UserError`` anywhere becomes one line on stderr and exit status 2."""
    try:
        app()
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
