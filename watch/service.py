"""The store glue of the activist watch: accounts, polling, saving posts idempotently, running
understanding on them, keeping evidence images, opening cases and noticing brand replies."""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import ActivistAccount, ActivistPost, Brand, Case, Site
from vigie.config import get_settings
from vigie.errors import UserError
from watch import desk
from watch.analysis import BrandRef, PostInput, Registry, SiteRef, understand
from watch.corroboration import queue_recrawls
from watch.http import AccountGone, HttpClient, SourceError
from watch.pressure import BrandPressure, PressureConfig, Signal, pressure_by_brand
from watch.sources import RawPost, get_source, parse_spec

log = logging.getLogger("vigie.watch")

DEFAULTS_FILE = Path(__file__).parent / "defaults" / "activists.yaml"
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


# -- accounts ------------------------------------------------------------------------------


def add_account(session: Session, spec: str, *, enabled: bool = True, base_url: str | None = None) -> tuple[
        ActivistAccount, bool]:
    """Watch an account from its spec; an existing one is returned unchanged. ``(acc, created)``."""
    parsed = parse_spec(spec)
    acc = session.scalar(select(ActivistAccount).where(ActivistAccount.source == parsed.source,
                                                       ActivistAccount.handle == parsed.handle))
    if acc is not None:
        return acc, False
    acc = ActivistAccount(source=parsed.source, handle=parsed.handle, base_url=base_url or parsed.base_url,
                          enabled=enabled, state={})
    session.add(acc)
    session.flush()
    return acc, True


def default_specs() -> list[str]:
    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8")) or {}
    return [str(row["spec"]) for row in data.get("accounts") or []]


def add_defaults(session: Session) -> list[ActivistAccount]:
    """The known Sleeping Giants accounts, added disabled: the user enables them knowingly."""
    return [acc for spec in default_specs() for acc, created in [add_account(session, spec, enabled=False)]
            if created]


def find_account(session: Session, ref: str) -> ActivistAccount:
    """By id, or by spec (``bluesky:handle``)."""
    if ref.isdigit():
        acc = session.get(ActivistAccount, int(ref))
    else:
        parsed = parse_spec(ref)
        acc = session.scalar(select(ActivistAccount).where(ActivistAccount.source == parsed.source,
                                                           ActivistAccount.handle == parsed.handle))
    if acc is None:
        raise UserError(f"activist {ref!r}: not watched (see `vigie activists list`)")
    return acc


def spec_of(acc: ActivistAccount) -> str:
    if acc.source == "mastodon":
        user, _, host = acc.handle.partition("@")
        return f"mastodon:{(acc.base_url or f'https://{host}').rstrip('/')}/@{user}"
    return f"{acc.source}:{acc.handle}"


# -- registry ------------------------------------------------------------------------------


def load_registry(session: Session) -> Registry:
    brands = [BrandRef(id=b.id, name=b.name, aliases=tuple(b.aliases or []),
                       domains=tuple(d.domain for d in b.domains), handles=dict(b.handles or {}))
              for b in session.scalars(select(Brand)).all()]
    sites = [SiteRef(domain=s.domain, name=s.name, aliases=tuple(s.aliases or []), id=s.id, worst_tier=s.worst_tier)
             for s in session.scalars(select(Site)).all()]
    return Registry(brands, sites)


# -- saving posts --------------------------------------------------------------------------


@dataclass
class PollReport:
    account: str
    fetched: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    cases: int = 0
    answered: int = 0
    error: str | None = None
    recrawls: int = 0
    brand_posts: int = 0
    notes: list[str] = field(default_factory=list)


def _evidence_dir(data_dir: Path | None) -> Path:
    return (data_dir or get_settings().data_dir) / "evidence" / "posts"


def download_evidence(http: HttpClient, post: ActivistPost, data_dir: Path | None = None) -> None:
    """Keep each image of the post under ``{data_dir}/evidence/posts/``; the media entry gets
    ``path`` (relative to the data dir) or ``error``. Failures never stop the poll."""
    base = _evidence_dir(data_dir)
    media = []
    changed = False
    for i, item in enumerate(post.media or []):
        item = dict(item)
        url = item.get("url")
        if url and not item.get("path") and str(item.get("type") or "image") in ("image", "photo", "gifv", "unknown"):
            digest = hashlib.sha256(f"{post.source}:{post.external_id}:{i}".encode()).hexdigest()[:24]
            try:
                body, ctype = http.get_bytes(str(url))
                if len(body) > MAX_EVIDENCE_BYTES:
                    raise SourceError(f"image larger than {MAX_EVIDENCE_BYTES} bytes")
                ext = mimetypes.guess_extension(ctype.split(";")[0].strip()) or Path(str(url)).suffix[:6] or ".bin"
                base.mkdir(parents=True, exist_ok=True)
                target = base / f"{post.source}-{digest}{ext}"
                target.write_bytes(body)
                item["path"] = str(target.relative_to(base.parent.parent))
                item["sha256"] = hashlib.sha256(body).hexdigest()
                item.pop("error", None)
            except (SourceError, OSError) as exc:
                item["error"] = str(exc)[:300]
            changed = True
        media.append(item)
    if changed:
        post.media = media


def _apply(post: ActivistPost, raw: RawPost, account_id: int | None) -> None:
    post.account_id = account_id if account_id is not None else post.account_id
    post.url = raw.url
    post.author = raw.author
    post.created_at = raw.created_at
    post.text = raw.text
    post.lang = raw.lang
    post.is_repost = raw.is_repost
    post.mentions = list(raw.mentions)
    post.hashtags = list(raw.hashtags)
    post.links = list(raw.links)
    old_media = {m.get("url"): m for m in (post.media or []) if isinstance(m, dict)}
    post.media = [{**m, **{k: v for k, v in old_media.get(m.get("url"), {}).items() if k in ("path", "sha256")}}
                  for m in raw.media]
    post.engagement = raw.engagement
    post.reach = raw.reach


def analyse_post(post: ActivistPost, registry: Registry) -> None:
    u = understand(PostInput(source=post.source, text=post.text or "", mentions=post.mentions or [],
                             hashtags=post.hashtags or [], links=post.links or [],
                             media_count=len(post.media or []), lang=post.lang, author=post.author), registry)
    post.brand_ids = u.brand_ids
    post.site_domains = u.site_domains
    post.tactic = u.tactic
    post.lang = u.lang


def brand_author(registry: Registry, raw: RawPost) -> int | None:
    network = raw.source if raw.source in ("mastodon", "bluesky", "x") else "any"
    return registry.brand_for_handle(network, raw.author)


def _handle_brand_reply(session: Session, raw: RawPost, brand_id: int, activists: set[str]) -> int:
    """A brand's own post that replies to or mentions a watched activist answers the brand's
    open cases: the replied-to post's case, else every open case on that activist's posts."""
    targets = {h.lower() for h in [raw.in_reply_to_author or "", *raw.mentions] if h}
    hit = targets & activists
    if not hit and raw.in_reply_to is None:
        return 0
    q = select(Case).join(ActivistPost, Case.post_id == ActivistPost.id).where(
        Case.brand_id == brand_id, Case.status != "answered")
    cases = []
    if raw.in_reply_to:
        cases = list(session.scalars(q.where(ActivistPost.source == raw.source,
                                             ActivistPost.external_id == raw.in_reply_to)).all())
    if not cases and hit:
        cases = list(session.scalars(q.where(ActivistPost.author.in_(sorted(hit)))).all())
    for case in cases:
        desk.mark_answered(session, case.id, "vigie", f"reply by the brand's account: {raw.url or raw.external_id}")
    return len(cases)


def save_posts(session: Session, raws: Iterable[RawPost], account: ActivistAccount | None, registry: Registry,
               report: PollReport, *, http: HttpClient | None = None, data_dir: Path | None = None,
               recrawl: bool = True) -> list[ActivistPost]:
    """Upsert by (source, external_id), understand, keep evidence, open cases. Posts by a
    brand's own account are not activist posts: they can only answer cases."""
    activists = {a.handle.lower() for a in session.scalars(select(ActivistAccount)).all()}
    saved = []
    for raw in raws:
        report.fetched += 1
        if len(raw.external_id) > 500:  # the column's size; long RSS ids become a stable digest
            raw.external_id = "sha256:" + hashlib.sha256(raw.external_id.encode()).hexdigest()
        if raw.url and len(raw.url) > 2048:
            raw.url = None
        bid = brand_author(registry, raw)
        if bid is not None:
            report.brand_posts += 1
            report.answered += _handle_brand_reply(session, raw, bid, activists)
            continue
        post = session.scalar(select(ActivistPost).where(ActivistPost.source == raw.source,
                                                         ActivistPost.external_id == raw.external_id))
        created = post is None
        if post is None:
            post = ActivistPost(source=raw.source, external_id=raw.external_id)
        _apply(post, raw, account.id if account is not None else None)
        analyse_post(post, registry)
        try:
            with session.begin_nested():
                session.add(post)
                session.flush()
        except IntegrityError:
            # Another process saved it between our read and our write: update theirs.
            post = session.scalar(select(ActivistPost).where(ActivistPost.source == raw.source,
                                                             ActivistPost.external_id == raw.external_id))
            if post is None:
                raise
            _apply(post, raw, account.id if account is not None else None)
            analyse_post(post, registry)
            created = False
        if created:
            report.new += 1
        else:
            report.updated += 1
        if http is not None and post.media:
            download_evidence(http, post, data_dir)
        if not post.is_repost:
            for b in post.brand_ids or []:
                _, opened = desk.open_case(session, post, int(b))
                report.cases += int(opened)
            if created and recrawl and post.brand_ids and post.site_domains:
                report.recrawls += len(queue_recrawls(session, post))
        saved.append(post)
    session.flush()
    return saved


# -- polling -------------------------------------------------------------------------------


def poll_account(session: Session, acc: ActivistAccount, http: HttpClient, registry: Registry | None = None,
                 data_dir: Path | None = None) -> PollReport:
    """One incremental poll. Source errors end up in ``last_error``; a gone account too."""
    report = PollReport(account=spec_of(acc))
    registry = registry or load_registry(session)
    try:
        source = get_source(acc.source)(http)
        result = source.poll(acc.handle, acc.base_url, dict(acc.state or {}))
    except AccountGone as exc:
        acc.last_error = f"account gone: {exc}"
        report.error = acc.last_error
        acc.last_polled_at = datetime.now(UTC)
        return report
    except (SourceError, KeyError, ValueError, TypeError) as exc:
        acc.last_error = str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
        report.error = acc.last_error
        acc.last_polled_at = datetime.now(UTC)
        return report
    save_posts(session, result.posts, acc, registry, report, http=http, data_dir=data_dir)
    report.skipped = result.skipped
    acc.state = result.state
    acc.display_name = result.profile.display_name or acc.display_name
    acc.followers = result.profile.followers or acc.followers
    acc.last_polled_at = datetime.now(UTC)
    acc.last_error = (f"{result.skipped} malformed item(s) skipped" if result.skipped else None)
    if not result.complete:
        report.notes.append("partial poll: cursor kept, next poll resumes")
    session.flush()
    return report


def check_threads(session: Session, http: HttpClient, *, max_cases: int = 50, window_days: float = 14.0,
                  registry: Registry | None = None) -> int:
    """Look under the activist's post for the brand's reply (Mastodon ``statuses/:id/context``,
    Bluesky ``getPostThread``) for open cases of the last ``window_days``, newest first; answers
    found mark cases answered.
    A thread that cannot be read is skipped: watching the brand's account works too."""
    from watch.sources.bluesky import appview_url, parse_feed_item
    from watch.sources.mastodon import parse_status

    registry = registry or load_registry(session)
    activists = {a.handle.lower() for a in session.scalars(select(ActivistAccount)).all()}
    rows = session.execute(
        select(Case, ActivistPost, ActivistAccount)
        .join(ActivistPost, Case.post_id == ActivistPost.id)
        .join(ActivistAccount, ActivistPost.account_id == ActivistAccount.id)
        .where(Case.status != "answered", ActivistPost.source.in_(("mastodon", "bluesky")),
               ActivistPost.is_repost.is_(False),
               ActivistPost.created_at >= datetime.now(UTC) - timedelta(days=window_days))
        .order_by(ActivistPost.created_at.desc()).limit(max_cases)).all()
    answered = 0
    seen_posts: set[int] = set()
    for case, post, acc in rows:
        if post.id in seen_posts or case.status == "answered":
            continue
        seen_posts.add(post.id)
        replies: list[RawPost] = []
        try:
            if post.source == "mastodon":
                host = acc.handle.partition("@")[2]
                base = (acc.base_url or f"https://{host}").rstrip("/")
                ctx = http.get_json(f"{base}/api/v1/statuses/{post.external_id}/context")
                for item in (ctx or {}).get("descendants") or []:
                    try:
                        replies.append(parse_status(item, host, 0))
                    except (KeyError, TypeError, ValueError, AttributeError):
                        continue
            else:
                data = http.get_json(f"{appview_url(acc.base_url)}/xrpc/app.bsky.feed.getPostThread",
                                     params={"uri": post.external_id, "depth": 1, "parentHeight": 0})
                for reply in ((data or {}).get("thread") or {}).get("replies") or []:
                    try:
                        raw = parse_feed_item({"post": reply["post"]}, 0)
                    except (KeyError, TypeError, ValueError, AttributeError):
                        continue
                    raw.in_reply_to_author = raw.in_reply_to_author or (post.author or "").lower()
                    replies.append(raw)
        except SourceError as exc:
            log.debug("thread of %s not readable: %s", post.url, exc)
            continue
        for raw in replies:
            bid = brand_author(registry, raw)
            if bid is not None:
                answered += _handle_brand_reply(session, raw, bid, activists)
    session.flush()
    return answered


def poll_all(database_url: str, *, proxy: str | None = None, data_dir: Path | None = None,
             http: HttpClient | None = None, only: Iterable[int] | None = None,
             threads: bool = True) -> list[PollReport]:
    """Poll every enabled account, one transaction each so one bad account spoils nothing."""
    from store.db import session_scope

    own = http is None
    client = http or HttpClient(proxy=proxy)
    reports = []
    try:
        with session_scope(database_url) as s:
            ids = [a.id for a in s.scalars(select(ActivistAccount).where(ActivistAccount.enabled.is_(True))
                                            .order_by(ActivistAccount.id)).all()]
        if only is not None:
            wanted = set(only)
            ids = [i for i in ids if i in wanted]
        for acc_id in ids:
            with session_scope(database_url) as s:
                acc = s.get(ActivistAccount, acc_id)
                if acc is None:
                    continue
                reports.append(poll_account(s, acc, client, data_dir=data_dir))
        if threads:
            with session_scope(database_url) as s:
                answered = check_threads(s, client)
                if answered:
                    reports.append(PollReport(account="threads", answered=answered))
    finally:
        if own:
            client.close()
    return reports


def watch_loop(database_url: str, *, interval: float, proxy: str | None = None,
               on_reports: Callable[[list[PollReport]], None] | None = None,
               stop: Callable[[], bool] = lambda: False) -> None:
    with HttpClient(proxy=proxy) as client:
        while not stop():
            try:
                reports = poll_all(database_url, http=client)
            except Exception:  # a long-running watcher logs and tries again next round
                log.exception("watch round failed")
                reports = []
            if on_reports:
                on_reports(reports)
            deadline = time.monotonic() + interval
            while time.monotonic() < deadline and not stop():
                time.sleep(min(1.0, interval))


def import_archive(session: Session, path: Path) -> PollReport:
    from watch.sources.archive import read_archive

    posts = read_archive(path)
    report = PollReport(account=f"archive:{path.name}")
    save_posts(session, posts, None, load_registry(session), report)
    return report


# -- outputs -------------------------------------------------------------------------------


def post_record(post: ActivistPost, brand_names: dict[int, str]) -> dict[str, Any]:
    created = post.created_at if post.created_at.tzinfo else post.created_at.replace(tzinfo=UTC)
    return {"post_url": post.url, "source": post.source, "external_id": post.external_id, "author": post.author,
            "created_at": created.isoformat(),
            "brands": [brand_names.get(int(b), str(b)) for b in post.brand_ids or []],
            "sites": list(post.site_domains or []), "tactic": post.tactic, "lang": post.lang,
            "engagement": post.engagement, "reach": post.reach, "is_repost": post.is_repost, "text": post.text,
            "evidence": [m.get("path") for m in post.media or [] if m.get("path")]}


def export_posts_jsonl(session: Session) -> str:
    names = {b.id: b.name for b in session.scalars(select(Brand)).all()}
    lines = [json.dumps(post_record(p, names), ensure_ascii=False)
             for p in session.scalars(select(ActivistPost).order_by(ActivistPost.created_at, ActivistPost.id)).all()]
    return "".join(line + "\n" for line in lines)


def brand_pressure(session: Session, now: datetime | None = None,
                   cfg: PressureConfig | None = None) -> dict[int, BrandPressure]:
    now = now or datetime.now(UTC)
    cfg = cfg or PressureConfig()
    tiers = {s.domain: s.worst_tier for s in session.scalars(select(Site)).all()}
    horizon = now - timedelta(days=cfg.baseline_days + 30)
    signals = []
    for p in session.scalars(select(ActivistPost).where(ActivistPost.created_at >= horizon)).all():
        at = p.created_at if p.created_at.tzinfo else p.created_at.replace(tzinfo=UTC)
        site_tiers = [tiers.get(str(d)) for d in p.site_domains or []]
        worst = _worst([t for t in site_tiers if t])
        for b in p.brand_ids or []:
            signals.append(Signal(brand_id=int(b), at=at, reach=p.reach, engagement=p.engagement,
                                  tactic=p.tactic or "other", site_tier=worst, is_repost=p.is_repost))
    return pressure_by_brand(signals, now, cfg)


def _worst(tiers: list[str]) -> str | None:
    from rules.garm import TIER_RANK

    known = [t for t in tiers if t in TIER_RANK]
    return min(known, key=lambda t: TIER_RANK[t]) if known else None
