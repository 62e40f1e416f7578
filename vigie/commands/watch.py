"""Activist watch and response desk commands: ``vigie activists ...``, ``vigie watch``,
``vigie export posts``, ``vigie cases ...`` and ``vigie pressure``. Thin: the work is in
``watch.service`` and ``watch.desk``."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from vigie.commands.core import database_url
from vigie.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])


def _user_errors(fn: F) -> F:
    """UserError -> one line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc

    return wrapper  # type: ignore[return-value]


def _print_report(r: Any) -> None:
    line = (f"{r.account}: fetched {r.fetched}, new {r.new}, updated {r.updated}, skipped {r.skipped}, "
            f"cases opened {r.cases}, answered {r.answered}, recrawls queued {r.recrawls}")
    if r.error:
        line += f" | ERROR {r.error}"
    for note in r.notes:
        line += f" | {note}"
    typer.echo(line)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    activists = typer.Typer(no_args_is_help=True, help="Activist accounts to watch (Mastodon, Bluesky, X, RSS).")
    cases = typer.Typer(no_args_is_help=True, help="Response desk: one case per (post, brand).")
    app.add_typer(activists, name="activists")
    app.add_typer(cases, name="cases")

    @activists.command("add")
    @_user_errors
    def activists_add(
        specs: list[str] = typer.Argument(None, help="mastodon:https://HOST/@USER | bluesky:HANDLE | "
                                                  "x:USERNAME | rss:URL (several allowed)"),
        defaults: bool = typer.Option(False, "--defaults", help="Add the known Sleeping Giants accounts, disabled."),
        disabled: bool = typer.Option(False, "--disabled", help="Add it without polling it yet."),
        base_url: str = typer.Option(None, "--base-url", help="API base URL (Mastodon instance, AppView, X API)."),
    ) -> None:
        """Watch an activist account."""
        import os

        from store.db import session_scope
        from watch import service
        from watch.sources.x import X_SETUP_HELP

        if not specs and not defaults:
            raise UserError("give a SPEC (e.g. bluesky:name.bsky.social) or --defaults")
        with session_scope(database_url()) as s:
            if defaults:
                added = service.add_defaults(s)
                typer.echo(f"{len(added)} default account(s) added, disabled; "
                           "enable with `vigie activists enable SPEC`")
            for spec in specs or []:
                acc, created = service.add_account(s, spec, enabled=not disabled, base_url=base_url)
                typer.echo(f"{'added' if created else 'already watched'}: #{acc.id} {service.spec_of(acc)}"
                           f"{'' if acc.enabled else ' (disabled)'}")
                if acc.source == "x" and not os.environ.get("VIGIE_X_BEARER_TOKEN"):
                    typer.echo(f"note: {X_SETUP_HELP}", err=True)

    @activists.command("list")
    @_user_errors
    def activists_list(as_json: bool = typer.Option(False, "--json", help="JSON lines.")) -> None:
        """Watched accounts, their state and last error."""
        from sqlalchemy import select

        from store.db import session_scope
        from store.models import ActivistAccount
        from watch import service

        with session_scope(database_url()) as s:
            for a in s.scalars(select(ActivistAccount).order_by(ActivistAccount.id)).all():
                row = {"id": a.id, "spec": service.spec_of(a), "enabled": a.enabled, "followers": a.followers,
                       "last_polled_at": a.last_polled_at.isoformat() if a.last_polled_at else None,
                       "last_error": a.last_error}
                if as_json:
                    typer.echo(json.dumps(row, ensure_ascii=False))
                else:
                    state = "on " if a.enabled else "off"
                    typer.echo(f"#{a.id:<4} {state} {row['spec']:<55} followers={a.followers} "
                               f"polled={row['last_polled_at'] or '-'}"
                               + (f" error={a.last_error}" if a.last_error else ""))

    def _set_enabled(ref: str, value: bool) -> None:
        from store.db import session_scope
        from watch import service

        with session_scope(database_url()) as s:
            acc = service.find_account(s, ref)
            acc.enabled = value
            typer.echo(f"{'enabled' if value else 'disabled'}: #{acc.id} {service.spec_of(acc)}")

    @activists.command("enable")
    @_user_errors
    def activists_enable(ref: str = typer.Argument(..., help="Account id or SPEC.")) -> None:
        """Start polling an account."""
        _set_enabled(ref, True)

    @activists.command("disable")
    @_user_errors
    def activists_disable(ref: str = typer.Argument(..., help="Account id or SPEC.")) -> None:
        """Stop polling an account (its posts stay)."""
        _set_enabled(ref, False)

    @activists.command("import")
    @_user_errors
    def activists_import(
        path: Path = typer.Argument(..., help="JSON list, JSON lines or CSV of archived posts."),
    ) -> None:
        """Import archived posts (see docs/watch.md for the columns)."""
        from store.db import session_scope
        from watch import service

        with session_scope(database_url()) as s:
            _print_report(service.import_archive(s, path))

    @app.command("watch")
    @_user_errors
    def watch_cmd(
        once: bool = typer.Option(False, "--once", help="Poll every enabled account once, then exit."),
        interval: float = typer.Option(300.0, "--interval", min=5.0, help="Seconds between polls."),
        proxy: str = typer.Option(None, "--proxy", envvar="VIGIE_PROXY", help="HTTP proxy URL for every request."),
    ) -> None:
        """Poll the watched activist accounts for new posts."""
        from watch import service

        url = database_url()
        if once:
            for r in service.poll_all(url, proxy=proxy):
                _print_report(r)
            return
        try:
            def show(reports: list[Any]) -> None:
                for r in reports:
                    _print_report(r)

            service.watch_loop(url, interval=interval, proxy=proxy, on_reports=show)
        except KeyboardInterrupt:
            typer.echo("stopped")

    @groups["export"].command("posts")
    @_user_errors
    def export_posts(
        fmt: str = typer.Option("jsonl", "--format", help="Only jsonl."),
        out: Path = typer.Option(None, "--out", help="File to write (default: standard output)."),
    ) -> None:
        """Activist posts with their brands, sites, tactic, language and engagement."""
        from store.db import session_scope
        from watch import service

        if fmt != "jsonl":
            raise UserError(f"--format: {fmt!r} is not supported (expected jsonl)")
        with session_scope(database_url()) as s:
            data = service.export_posts_jsonl(s)
        if out is None:
            sys.stdout.write(data)
        else:
            out.write_text(data, encoding="utf-8")
            typer.echo(f"{data.count(chr(10))} post(s) written to {out}", err=True)

    @app.command("pressure")
    @_user_errors
    def pressure_cmd(
        half_life: float = typer.Option(48.0, "--half-life", min=0.1, help="Hours for a post's weight to halve."),
        k: float = typer.Option(3.0, "--k", help="Spike when last 24 h > 7-day mean + k standard deviations."),
        as_json: bool = typer.Option(False, "--json", help="Full JSON with daily timelines."),
    ) -> None:
        """Campaign pressure per brand, with spike alerts."""
        from dataclasses import asdict

        from store.db import session_scope
        from store.models import Brand
        from watch import service
        from watch.pressure import PressureConfig

        with session_scope(database_url()) as s:
            res = service.brand_pressure(s, cfg=PressureConfig(half_life_hours=half_life, spike_k=k))
            names = {b.id: b.name for b in s.query(Brand).all()}
        for bp in sorted(res.values(), key=lambda x: -x.score):
            if as_json:
                typer.echo(json.dumps({"brand": names.get(bp.brand_id), **asdict(bp)}, ensure_ascii=False))
            else:
                typer.echo(f"{names.get(bp.brand_id, bp.brand_id)!s:<30} score={bp.score:<10} posts={bp.posts:<4} "
                           f"24h={bp.last_24h}{'  SPIKE' if bp.spike.alert else ''}")

    # -- cases ---------------------------------------------------------------------------

    def _case_line(c: Any) -> str:
        return (f"#{c.id:<5} {c.status:<9} {c.brand.name:<25} {c.post.source}:{c.post.author or '?':<25} "
                f"tactic={c.post.tactic} deadline={c.deadline.isoformat() if c.deadline else '-'}"
                f" assignee={c.assignee or '-'}")

    @cases.command("list")
    @_user_errors
    def cases_list(status: str = typer.Option(None, "--status", help="new | drafted | approved | answered"),
                   brand: str = typer.Option(None, "--brand", help="Brand name.")) -> None:
        """Cases, earliest deadline first."""
        from store.db import session_scope
        from watch import desk

        with session_scope(database_url()) as s:
            for c in desk.list_cases(s, status=status, brand=brand):
                typer.echo(_case_line(c))

    @cases.command("show")
    @_user_errors
    def cases_show(case_id: int) -> None:
        """A case with its post, corroboration, draft and history."""
        from store.db import session_scope
        from store.models import Case
        from watch.corroboration import check_claim

        with session_scope(database_url()) as s:
            c = s.get(Case, case_id)
            if c is None:
                raise UserError(f"case {case_id}: no such case")
            typer.echo(_case_line(c))
            typer.echo(f"post: {c.post.url}\n{c.post.text}\n")
            for dom in c.post.site_domains or []:
                claim = check_claim(s, c.brand_id, str(dom))
                seen = "not seen by our crawls"
                if claim.seen and claim.last_seen:
                    seen = (f"seen {claim.placements}x, last {claim.last_seen:%Y-%m-%d}, "
                            f"screenshot {claim.screenshot_path or '-'}")
                typer.echo(f"claim {c.brand.name} on {dom}: {seen}")
            typer.echo(f"\ndraft ({c.lang}):\n{c.draft or '-'}\n")
            for h in c.history or []:
                typer.echo(f"{h.get('at')} {h.get('user')} {h.get('action')} {h.get('note') or ''}")

    @cases.command("draft")
    @_user_errors
    def cases_draft(case_id: int, user: str = typer.Option(..., "--user"),
                    lang: str = typer.Option(None, "--lang", help="fr | en (default: the post's language)")) -> None:
        """Draft the answer from the French or English template."""
        from store.db import session_scope
        from watch import desk

        with session_scope(database_url()) as s:
            typer.echo(desk.draft(s, case_id, user, lang).draft)

    @cases.command("edit")
    @_user_errors
    def cases_edit(case_id: int, user: str = typer.Option(..., "--user"),
                   text: str = typer.Option(None, "--text"), file: Path = typer.Option(None, "--file")) -> None:
        """Replace the draft (needs approving again)."""
        from store.db import session_scope
        from watch import desk

        body = text if text is not None else (file.read_text(encoding="utf-8") if file else None)
        if body is None:
            raise UserError("give --text or --file")
        with session_scope(database_url()) as s:
            desk.edit(s, case_id, user, body)
            typer.echo(f"case {case_id}: draft updated")

    @cases.command("assign")
    @_user_errors
    def cases_assign(case_id: int, assignee: str, user: str = typer.Option(..., "--user")) -> None:
        """Give the case to someone."""
        from store.db import session_scope
        from watch import desk

        with session_scope(database_url()) as s:
            desk.assign(s, case_id, user, assignee)
            typer.echo(f"case {case_id}: assigned to {assignee}")

    @cases.command("approve")
    @_user_errors
    def cases_approve(case_id: int, user: str = typer.Option(..., "--user"),
                      role: str = typer.Option(..., "--role", help="analyst or admin may approve"),
                      note: str = typer.Option(None, "--note")) -> None:
        """Approve the drafted answer."""
        from store.db import session_scope
        from watch import desk

        with session_scope(database_url()) as s:
            desk.approve(s, case_id, user, role, note)
            typer.echo(f"case {case_id}: approved")

    @cases.command("answered")
    @_user_errors
    def cases_answered(case_id: int, user: str = typer.Option(..., "--user"),
                       note: str = typer.Option(None, "--note")) -> None:
        """Mark the case answered by hand (a brand reply seen by a poll does it too)."""
        from store.db import session_scope
        from watch import desk

        with session_scope(database_url()) as s:
            desk.mark_answered(s, case_id, user, note)
            typer.echo(f"case {case_id}: answered")
