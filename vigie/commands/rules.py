"""Rules engine commands: scoring, rule testing and linting, UT1 lists, exclusion suggestions,
review and exports. Thin: the work is in ``rules/`` (pure) and ``store/`` (database)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from rules.engine import Engine, default_engine
from vigie.commands.core import database_url, fail
from vigie.errors import UserError

RulesOpt = Annotated[list[Path] | None, typer.Option("--rules", help="Extra rule pack file or directory "
                                                     "(repeatable), on top of the shipped packs.")]


def _engine(rules: list[Path] | None) -> Engine:

    return Engine.load(rules) if rules else default_engine()


def score_cmd(
    force: Annotated[bool, typer.Option("--force", help="Rescore every page, changed or not.")] = False,
    site: Annotated[str | None, typer.Option("--site", help="Only this site (registrable domain).")] = None,
    rules: RulesOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Score pages and sites for brand-safety risk. Incremental: only pages whose content or
    rules changed since their last scoring."""
    from store.db import session_scope
    from store.scoring import score

    try:
        engine = _engine(rules)
        with session_scope(database_url()) as session:
            report = score(session, engine, force=force, site_domain=site)
    except UserError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(report.to_dict()))
        return
    tiers = ", ".join(f"{k} {v}" for k, v in report.tiers.items()) or "-"
    typer.echo(f"rules {report.rules_version}: {report.pages_scored} pages scored, {report.pages_skipped} "
               f"unchanged, {report.sites_scored} sites rolled up; worst tiers: {tiers}")


def rules_test(
    target: Annotated[str, typer.Argument(help="A URL (fetched), an HTML or text FILE, or - for stdin.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full verdict as JSON.")] = False,
    rules: RulesOpt = None,
    lang: Annotated[str | None, typer.Option("--lang", help="fr or en (default: from the page).")] = None,
    proxy: Annotated[str | None, typer.Option("--proxy", help="HTTP proxy for URLs (e.g. the demo web).")] = None,
) -> None:
    """Score one page and print each category's tier with its evidence."""
    from rules.engine import PageFacts
    from rules.html import page_facts_from_html

    try:
        engine = _engine(rules)
        if target.startswith(("http://", "https://")):
            import httpx

            try:
                r = httpx.get(target, proxy=proxy, follow_redirects=True, timeout=30)
            except httpx.HTTPError as exc:
                raise UserError(f"{target}: fetch failed ({exc})") from exc
            facts = page_facts_from_html(str(r.url), r.text)
        else:
            if target == "-":
                raw, url = sys.stdin.read(), "stdin:"
            else:
                path = Path(target)
                if not path.is_file():
                    raise UserError(f"{target}: no such file")
                raw, url = path.read_text(encoding="utf-8", errors="replace"), path.resolve().as_uri()
            looks_html = "<html" in raw[:2000].lower() or "<body" in raw[:5000].lower() or target.endswith(
                (".html", ".htm"))
            facts = page_facts_from_html(url, raw) if looks_html else PageFacts(url=url, text=raw)
        if lang:
            facts.lang = lang
        verdict = engine.score_page(facts)
    except UserError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(f"{verdict.url}: worst tier {verdict.worst_tier}, risk {verdict.risk_score} "
               f"(rules {verdict.rules_version})")
    if verdict.contexts:
        typer.echo("contexts: " + ", ".join(f"{k} ({v})" for k, v in verdict.contexts.items()))
    if not verdict.categories:
        typer.echo("no brand-safety risk found")
    for cat, cv in sorted(verdict.categories.items()):
        shifts = f" [{', '.join(cv.shifts)} from {cv.base_tier}]" if cv.shifts else ""
        typer.echo(f"- {cat}: {cv.tier} (score {cv.score}){shifts}")
        for ev in cv.evidence:
            neg = f", {ev.negated} negated" if ev.negated else ""
            typer.echo(f"    {ev.rule_id} ({ev.where}, {ev.tier}): {', '.join(ev.terms)} x{ev.hits}{neg}"
                       + (f" - {ev.note}" if ev.note else ""))
            for snip in ev.snippets:
                typer.echo(f"      \u201c{snip}\u201d")
    for sig in verdict.signals:
        typer.echo(f"signal {sig.rule_id}: {', '.join(sig.terms)}")


def rules_lint(directory: Annotated[Path, typer.Argument(help="Rule pack directory or file.")]) -> None:
    """Validate rule packs: every problem as file:line: rule id: message; exit 2 if any."""
    from rules.packs import lint_dir, pack_files

    errors = lint_dir(directory)
    for e in errors:
        typer.echo(str(e), err=True)
    if errors:
        raise typer.Exit(2)
    n = len(pack_files(directory)) if directory.is_dir() else 1
    typer.echo(f"{directory}: {n} pack(s) OK")


def import_ut1(
    source: Annotated[str, typer.Argument(help="UT1 directory, list file (.txt/.txt.gz), tarball, or URL.")],
    category: Annotated[list[str] | None, typer.Option("--category", help="Only these categories.")] = None,
) -> None:
    """Import Université Toulouse Capitole category lists (domains used by the rule packs)."""
    from store.db import session_scope
    from store.domain_lists import fetch, import_ut1
    from vigie.config import get_settings

    try:
        remote = source.startswith(("http://", "https://"))
        path = fetch(source, get_settings().lists_dir) if remote else Path(source)
        with session_scope(database_url()) as session:
            report = import_ut1(session, path, category)
    except UserError as exc:
        fail(str(exc))
    total = sum(report.categories.values())
    typer.echo(f"ut1: {total} entries in {len(report.categories)} categories ("
               + ", ".join(f"{k} {v}" for k, v in sorted(report.categories.items())) + ")")


BrandOpt = Annotated[str, typer.Option("--brand", help="Brand name.")]
KindOpt = Annotated[str, typer.Option("--kind", help="exclusion or inclusion.")]


def export_exclusions(
    brand: BrandOpt,
    fmt: Annotated[str, typer.Option("--format", help="google-ads, dv360, ttd, meta, xandr, txt or csv.")],
    out: Annotated[Path | None, typer.Option("--out", help="Directory for the file(s) (default: stdout).")] = None,
    kind: KindOpt = "exclusion",
    include_suggested: Annotated[bool, typer.Option("--include-suggested",
                                                    help="Also export entries not reviewed yet.")] = False,
) -> None:
    """Write the brand's approved exclusion (or inclusion) list in an ad platform's format;
    split into several files where the platform's per-list limit requires."""
    from rules.exports import FORMATS, export
    from store.db import session_scope
    from store.exclusions import entries, get_brand

    if fmt not in FORMATS:
        fail(f"--format: unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    statuses = ("approved", "suggested") if include_suggested else ("approved",)
    try:
        with session_scope(database_url()) as session:
            b = get_brand(session, brand)
            rows = entries(session, b, kind, statuses)
            name = f"{b.name} {kind}s"
    except UserError as exc:
        fail(str(exc))
    files = export(fmt, rows, name)
    if out is None:
        for data in files.values():
            sys.stdout.write(data.decode("utf-8"))
        return
    out.mkdir(parents=True, exist_ok=True)
    for fn, data in files.items():
        (out / fn).write_bytes(data)
        typer.echo(str(out / fn))
    typer.echo(f"{len(rows)} domains in {len(files)} file(s)", err=True)


def exclusions_suggest(
    brand: Annotated[str | None, typer.Option("--brand", help="Brand name (default: every brand).")] = None,
    kind: KindOpt = "exclusion",
    min_callouts: Annotated[int, typer.Option("--min-callouts", help="Activist posts that suffice.")] = 1,
    min_pages: Annotated[int, typer.Option("--min-pages", help="Scored pages needed for inclusion.")] = 3,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Refresh suggestions from the stored verdicts and activist call-outs (one brand, or all)."""
    from sqlalchemy import select

    from store.db import session_scope
    from store.exclusions import get_brand, refresh
    from store.models import Brand

    reports = []
    try:
        with session_scope(database_url()) as session:
            brands = [get_brand(session, brand)] if brand else list(session.scalars(select(Brand).order_by(Brand.name)))
            for b in brands:
                reports.append(refresh(session, b, kind, min_callouts=min_callouts, min_pages=min_pages))
    except UserError as exc:
        fail(str(exc))
    for report in reports:
        if as_json:
            typer.echo(json.dumps(report.__dict__, ensure_ascii=False))
            continue
        typer.echo(f"{report.brand} {kind}: {report.added} new, {report.updated} updated, "
                   f"{report.withdrawn} withdrawn")
        for e in report.entries:
            typer.echo(f"  [{e['status']}] {e['domain']}: {e['reasons']}")


def exclusions_list(
    brand: BrandOpt,
    kind: KindOpt = "exclusion",
    status: Annotated[str | None, typer.Option("--status", help="suggested, approved, rejected, withdrawn.")] = None,
) -> None:
    """Print the brand's list with each entry's status, reasons and last review."""
    from rules.exclusions import reason_text
    from store.db import session_scope
    from store.exclusions import get_brand, get_list

    try:
        with session_scope(database_url()) as session:
            lst = get_list(session, get_brand(session, brand), kind)
            for e in lst.entries:
                if status and e.status != status:
                    continue
                last = e.history[-1] if e.history else {}
                typer.echo(f"[{e.status}] {e.domain}: {reason_text(e.reasons or [])}"
                           + (f" | {last.get('action')} by {last.get('user')}: {last.get('note')}" if last else ""))
    except UserError as exc:
        fail(str(exc))


def _review(action: str) -> Callable[..., None]:
    def cmd(
        brand: BrandOpt,
        domain: Annotated[str, typer.Argument(help="Site domain.")],
        note: Annotated[str | None, typer.Option("--note", help="Why (kept in the history).")] = None,
        user: Annotated[str, typer.Option("--user", help="Reviewer name.")] = "cli",
        kind: KindOpt = "exclusion",
    ) -> None:
        from store.db import session_scope
        from store.exclusions import get_brand, review

        try:
            with session_scope(database_url()) as session:
                entry = review(session, get_brand(session, brand), domain, action, note=note, user=user,
                               kind=kind)
                typer.echo(f"{entry.domain}: {entry.status}")
        except UserError as exc:
            fail(str(exc))

    cmd.__doc__ = {"approve": "Approve a suggested site (it will be exported).",
                   "reject": "Reject a suggested site, with a note (kept in the history).",
                   "reset": "Put a reviewed site back to suggested."}[action]
    return cmd


def exclusions_add(
    brand: BrandOpt,
    domain: Annotated[str, typer.Argument(help="Site domain.")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    user: Annotated[str, typer.Option("--user")] = "cli",
    kind: KindOpt = "exclusion",
) -> None:
    """Add a site by hand (approved at once)."""
    from store.db import session_scope
    from store.exclusions import add, get_brand

    try:
        with session_scope(database_url()) as session:
            entry = add(session, get_brand(session, brand), domain, kind=kind, note=note, user=user)
            typer.echo(f"{entry.domain}: {entry.status}")
    except UserError as exc:
        fail(str(exc))


def exclusions_exposure(brand: BrandOpt, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The brand's placements weighted by page and site risk under its suitability profile."""
    from store.db import session_scope
    from store.exclusions import get_brand
    from store.scoring import brand_exposure

    try:
        with session_scope(database_url()) as session:
            exp = brand_exposure(session, get_brand(session, brand))
    except UserError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(exp.to_dict()))
        return
    typer.echo(f"{exp.brand}: {exp.unsuitable}/{exp.placements} placements unsuitable "
               f"({exp.share_unsuitable:.0%}), weighted risk {exp.weighted_risk}")
    for site, s in sorted(exp.by_site.items(), key=lambda kv: -kv[1]["unsuitable"]):
        if s["unsuitable"]:
            cats = ", ".join(f"{c}={t}" for c, t in s["categories"].items())
            typer.echo(f"  {site}: {s['unsuitable']}/{s['placements']} ({cats})")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    app.command("score")(score_cmd)
    rules_app = typer.Typer(no_args_is_help=True, help="Brand-safety rule packs.")
    rules_app.command("test")(rules_test)
    rules_app.command("lint")(rules_lint)
    app.add_typer(rules_app, name="rules")
    groups["lists"].command("import-ut1")(import_ut1)
    groups["export"].command("exclusions")(export_exclusions)
    excl = typer.Typer(no_args_is_help=True, help="Exclusion and inclusion lists per brand: suggest, review.")
    excl.command("suggest")(exclusions_suggest)
    excl.command("list")(exclusions_list)
    for action in ("approve", "reject", "reset"):
        excl.command(action)(_review(action))
    excl.command("add")(exclusions_add)
    excl.command("exposure")(exclusions_exposure)
    app.add_typer(excl, name="exclusions")
