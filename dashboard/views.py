"""The dashboard: server-rendered pages for brand managers, community managers and media
buyers, mounted in the API's app. Works without JavaScript; every form carries a CSRF token;
Jinja2 autoescaping is on everywhere and links built from crawled data are kept only when
they are http(s)."""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path as FsPath
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.actions import EXPORT_FORMATS, case_action, export_list, list_counts, review_entry, update_case
from api.auth import (
    PERMISSIONS,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    authenticate,
    can,
    cookie_secure,
    csrf_ok,
    new_session,
)
from api.deps import ctx, get_db, resolve_user, session_data
from api.queries import (
    PlacementFilter,
    brand_timeline,
    brands_on_site,
    evidence_snippets,
    exposures_at_risk_by_brand,
    get_placement,
    latest_runs,
    list_placements,
    posts_naming_site,
    pressure_spikes,
    riskiest_sites,
    search_clause,
    site_assessments,
    site_page_assessments,
)
from api.routers.common import get_or_404
from api.routers.sites import site_sellers
from api.scoring import score
from dashboard.i18n import LANG_COOKIE, LANGS, category_label, detect_lang, tier_label, translator
from rules.exclusions import reason_text as rules_reason_text
from rules.garm import CATEGORIES, TIERS
from store.models import (
    Brand,
    Case,
    CrawlRun,
    ExclusionEntry,
    ExclusionList,
    Placement,
    Site,
    User,
)

HERE = FsPath(__file__).parent
NETWORKS: tuple[str, ...] = ("Google Ad Manager", "Criteo", "Xandr", "Taboola", "Outbrain", "Equativ")
EVIDENCE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
SUITABILITY_CHOICES = ("floor", "high", "medium", "all")  # rules.suitability.LEVELS


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


# --- templating -----------------------------------------------------------------------------


def safe_href(url: Any) -> str | None:
    """A URL from crawled or posted data, usable in ``href`` only if it is http(s)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def fmt_dt(value: Any, with_time: bool = True) -> str:
    """UTC, to the minute; ISO strings (history entries) are parsed first."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return "—" if value is None else str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")


def reason_text(reason: Any) -> str:
    """One exclusion reason as text, worded as the rules area words it."""
    if isinstance(reason, dict):
        try:
            return rules_reason_text([reason])
        except (KeyError, TypeError):
            return ", ".join(f"{k}: {v}" for k, v in reason.items())
    return str(reason)


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["href"] = safe_href
    env.filters["dt"] = fmt_dt
    env.filters["reason"] = reason_text
    env.filters["urlencode_q"] = lambda d: urlencode({k: v for k, v in d.items() if v not in (None, "")})
    return env


TEMPLATES = Jinja2Templates(env=_env())


def lang_of(request: Request) -> str:
    return detect_lang(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def current_session(request: Request) -> dict[str, Any]:
    """The visitor's session, created (with a fresh CSRF token) on the first visit."""
    data = session_data(request)
    if data is None:
        data = new_session()
        request.state.vigie_session = data
        request.state.session_dirty = True
    return data


def write_session(request: Request, response: Response, data: dict[str, Any]) -> None:
    response.set_cookie(SESSION_COOKIE, ctx(request).codec.dumps(data), max_age=SESSION_MAX_AGE,
                        path="/", httponly=True, samesite="lax",
                        secure=cookie_secure(request.url.scheme, request.url.hostname))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    sess = current_session(request)
    user: User | None = getattr(request.state, "user", None)
    response = TEMPLATES.TemplateResponse(request, template, {
        "_": translator(lang), "lang": lang, "langs": LANGS, "user": user, "csrf": sess["csrf"],
        "can": lambda perm: can(user, perm), "cat_label": lambda k: category_label(k, lang),
        "tier_label": lambda t: tier_label(t, lang), "categories": list(CATEGORIES), "tiers": TIERS,
        "path": request.url.path, "path_qs": _path_qs(request), **context,
    }, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    if getattr(request.state, "session_dirty", False):
        write_session(request, response, sess)
    return response


def _path_qs(request: Request) -> str:
    return request.url.path + (("?" + request.url.query) if request.url.query else "")


def page_user(request: Request, db: Session = Depends(get_db)) -> User:
    """The signed-in user of a dashboard page; anyone else goes to the login page."""
    user = resolve_user(request, db)
    if user is None:
        raise LoginRequired(_path_qs(request))
    request.state.user = user
    return user


def needs(permission: str) -> Callable[..., User]:
    def check(user: User = Depends(page_user)) -> User:
        if not can(user, permission):
            raise HTTPException(403, "Your role does not allow this action.")
        return user

    return check


async def check_csrf(request: Request) -> None:
    """Every dashboard form posts the session's CSRF token; anything else is refused."""
    form = await request.form()
    token = form.get("csrf_token")
    if not csrf_ok(session_data(request), token if isinstance(token, str) else None):
        raise HTTPException(403, "CSRF token missing or invalid; reload the page and try again.")


def safe_next(value: str | None) -> str:
    """Only same-site relative paths, so the login form cannot redirect elsewhere."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


router = APIRouter(include_in_schema=False)


# --- sign in / out, language ----------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=safe_next(next), error=False)


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def login(request: Request, username: str = Form(..., max_length=100), password: str = Form(..., max_length=1000),
          next: str = Form("/"), db: Session = Depends(get_db)) -> Response:
    user = authenticate(db, username, password)
    if user is None:
        return render(request, "login.html", status_code=401, next=safe_next(next), error=True)
    response = RedirectResponse(safe_next(next), status_code=303)
    write_session(request, response, new_session(user.id))  # a new session id: no fixation
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    write_session(request, response, new_session())
    return response


@router.get("/lang/{code}")
def switch_lang(request: Request, code: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, path="/", httponly=True, samesite="lax",
                            secure=cookie_secure(request.url.scheme, request.url.hostname))
    return response


# --- overview -------------------------------------------------------------------------------


OVERVIEW_TTL = 60.0
_overview_cache: dict[tuple[str, str], tuple[float, Any]] = {}


def cached(request: Request, key: str, compute: Callable[[], Any]) -> Any:
    """Aggregates over the whole placements table (exposures at risk per brand) take seconds
    on millions of rows; the overview shows them at most a minute old instead of recounting
    on every visit."""
    now = time.monotonic()
    ck = (ctx(request).database_url, key)
    hit = _overview_cache.get(ck)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    _overview_cache[ck] = (now + OVERVIEW_TTL, value)
    return value


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, db: Session = Depends(get_db), user: User = Depends(page_user)) -> HTMLResponse:
    open_cases = db.scalar(select(func.count()).select_from(Case).where(Case.status.in_(["new", "drafted"])))
    return render(request, "overview.html", at_risk=cached(request, "at_risk", lambda: exposures_at_risk_by_brand(db)),
                  sites=riskiest_sites(db), spikes=cached(request, "spikes", lambda: pressure_spikes(db)),
                  runs=latest_runs(db), open_cases=open_cases or 0)


# --- exposures ------------------------------------------------------------------------------


def _parse_day(value: str | None, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        d = date.fromisoformat(value[:10])
    except ValueError as exc:
        raise HTTPException(422, f"invalid date {value!r}; use YYYY-MM-DD") from exc
    dt = datetime.combine(d, datetime.min.time(), UTC)
    return dt + timedelta(days=1) - timedelta(microseconds=1) if end else dt


def _opt(value: str | None, allowed: Any) -> str | None:
    return value if value and value in allowed else None


@router.get("/exposures", response_class=HTMLResponse)
def exposures(request: Request, brand: str | None = Query(None, max_length=200),
              site: str | None = Query(None, max_length=253), category: str | None = None,
              tier: str | None = None, min_tier: str | None = None, network: str | None = None,
              since: str | None = None, until: str | None = None,
              cursor: str | None = Query(None, max_length=2000),
              db: Session = Depends(get_db), user: User = Depends(page_user)) -> HTMLResponse:
    f = PlacementFilter(brand=brand or None, site=(site or "").strip() or None,
                        category=_opt(category, CATEGORIES), tier=_opt(tier, TIERS),
                        min_tier=_opt(min_tier, TIERS), network=network or None,
                        since=_parse_day(since), until=_parse_day(until, end=True))
    rows, nxt = list_placements(db, f, cursor=cursor or None, limit=50)
    params = {"brand": brand, "site": site, "category": f.category, "tier": f.tier, "min_tier": f.min_tier,
              "network": network, "since": since, "until": until}
    brands = db.execute(select(Brand.id, Brand.name).order_by(Brand.name)).all()
    return render(request, "exposures.html", rows=rows, next_cursor=nxt, params=params, brands=brands,
                  networks=NETWORKS, first_page=not cursor)


def _slot_box(slot: dict[str, Any] | None) -> tuple[float, float, float, float] | None:
    """The ad's rectangle on the page screenshot, from whatever keys the crawler stored."""
    if not isinstance(slot, dict):
        return None
    for key in ("box", "rect", "bbox", "bounding_box"):
        inner = slot.get(key)
        if isinstance(inner, list | tuple) and len(inner) == 4:
            try:
                x, y, w, h = (float(v) for v in inner)
            except (TypeError, ValueError):
                return None
            return (x, y, w, h) if w > 0 and h > 0 else None
        if isinstance(inner, dict):
            slot = inner
            break
    try:
        x = float(slot.get("x", slot.get("left")))  # type: ignore[arg-type]
        y = float(slot.get("y", slot.get("top")))  # type: ignore[arg-type]
        w = float(slot.get("width", slot.get("w")))  # type: ignore[arg-type]
        h = float(slot.get("height", slot.get("h")))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return (x, y, w, h) if w > 0 and h > 0 else None


def evidence_file(request: Request, rel: str | None) -> FsPath | None:
    """A stored evidence path -> the file inside ``{VIGIE_DATA_DIR}/evidence``, or None when it
    is missing or would point outside it (``..``, absolute paths elsewhere, symlinks out)."""
    if not rel:
        return None
    root = ctx(request).evidence_dir.resolve()
    raw = FsPath(rel)
    if raw.is_absolute():
        candidate = raw.resolve()
    else:
        parts = raw.parts[1:] if raw.parts[:1] == ("evidence",) else raw.parts
        candidate = root.joinpath(*parts).resolve() if parts else root
    if not candidate.is_relative_to(root) or candidate == root or not candidate.is_file():
        return None
    if candidate.suffix.lower() not in EVIDENCE_TYPES:
        return None
    return candidate


def evidence_url(request: Request, rel: str | None) -> str | None:
    path = evidence_file(request, rel)
    if path is None:
        return None
    return "/evidence/" + quote(path.relative_to(ctx(request).evidence_dir.resolve()).as_posix())


def image_size(path: FsPath) -> tuple[int, int] | None:
    """Width and height of a PNG (from its IHDR) so the SVG overlay uses the image's own
    coordinates; None for other formats."""
    try:
        with path.open("rb") as fh:
            head = fh.read(24)
    except OSError:
        return None
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
        w, h = struct.unpack(">II", head[16:24])
        return (w, h) if w and h else None
    return None


@router.get("/exposures/{placement_id}", response_class=HTMLResponse)
def exposure(request: Request, placement_id: int, db: Session = Depends(get_db),
             user: User = Depends(page_user)) -> HTMLResponse:
    row = get_placement(db, placement_id) if 0 < placement_id < 2**62 else None
    if row is None:
        raise HTTPException(404, "Not found")
    page_shot = evidence_file(request, row.get("page_screenshot_path"))
    size = image_size(page_shot) if page_shot else None
    box = _slot_box(row.get("slot"))
    return render(request, "exposure.html", p=row,
                  page_shot=evidence_url(request, row.get("page_screenshot_path")),
                  ad_shot=evidence_url(request, row.get("screenshot_path")), size=size,
                  box=box if size else None)


@router.get("/evidence/{rel:path}")
def evidence(request: Request, rel: str, user: User = Depends(page_user)) -> Response:
    path = evidence_file(request, rel)
    if path is None:
        raise HTTPException(404, "Not found")
    return FileResponse(path, media_type=EVIDENCE_TYPES[path.suffix.lower()],
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600",
                                 "Content-Security-Policy": "default-src 'none'"})


# --- sites ----------------------------------------------------------------------------------


@router.get("/sites", response_class=HTMLResponse)
def sites(request: Request, q: str | None = Query(None, max_length=200), db: Session = Depends(get_db),
          user: User = Depends(page_user)) -> HTMLResponse:
    stmt = select(Site).order_by(func.coalesce(Site.risk_score, -1.0).desc(), Site.domain).limit(500)
    clause = search_clause(Site.domain, q)
    if clause is not None:
        stmt = stmt.where(clause | search_clause(Site.name, q))
    return render(request, "sites.html", sites=list(db.scalars(stmt)), q=q or "")


@router.get("/sites/{site_id}", response_class=HTMLResponse)
def site_detail(request: Request, site_id: int, db: Session = Depends(get_db),
                user: User = Depends(page_user)) -> HTMLResponse:
    site = get_or_404(db, Site, site_id, "site")
    page_verdicts: dict[str, list[dict[str, Any]]] = {}
    for ra, pg in site_page_assessments(db, site.id):
        items = page_verdicts.setdefault(ra.category, [])
        if len(items) < 3:
            items.append({"tier": ra.tier, "url": pg.url, "title": pg.title, "page_id": pg.id,
                          "snippets": evidence_snippets(ra.evidence, limit=2)})
    site_verdicts = [{"category": a.category, "tier": a.tier, "score": a.score,
                      "snippets": evidence_snippets(a.evidence, limit=2)} for a in site_assessments(db, site.id)]
    return render(request, "site.html", site=site, site_verdicts=site_verdicts, page_verdicts=page_verdicts,
                  sellers=site_sellers(db, site.domain), posts=posts_naming_site(db, site.domain),
                  brands=brands_on_site(db, site.id))


# --- brands ---------------------------------------------------------------------------------


@router.get("/brands", response_class=HTMLResponse)
def brands(request: Request, db: Session = Depends(get_db), user: User = Depends(page_user)) -> HTMLResponse:
    rows = db.scalars(select(Brand).options(selectinload(Brand.domains)).order_by(Brand.name)).all()
    open_cases = dict(db.execute(select(Case.brand_id, func.count()).where(Case.status.in_(["new", "drafted"]))
                                 .group_by(Case.brand_id)).tuples().all())
    return render(request, "brands.html", brands=rows, open_cases=open_cases)


def timeline_svg(counts: list[int], spikes: list[bool], days: list[datetime]) -> dict[str, Any]:
    """Geometry for the server-rendered pressure chart (bars per day, spikes marked)."""
    width, height, pad = 600, 160, 24
    top = max([*counts, 1])
    bw = (width - 2 * pad) / max(len(counts), 1)
    bars = []
    for i, (c, s) in enumerate(zip(counts, spikes, strict=True)):
        h = (height - 2 * pad) * c / top
        bars.append({"x": round(pad + i * bw + 1, 1), "y": round(height - pad - h, 1), "w": round(bw - 2, 1),
                     "h": round(h, 1), "count": c, "spike": s, "day": days[i].strftime("%Y-%m-%d")})
    return {"width": width, "height": height, "pad": pad, "bars": bars, "top": top,
            "first": days[0].strftime("%d/%m") if days else "", "last": days[-1].strftime("%d/%m") if days else ""}


@router.get("/brands/{brand_id}", response_class=HTMLResponse)
def brand_detail(request: Request, brand_id: int, saved: bool = False, db: Session = Depends(get_db),
                 user: User = Depends(page_user)) -> HTMLResponse:
    brand = get_or_404(db, Brand, brand_id, "brand")
    tl = brand_timeline(db, brand.id, days=30)
    cases = db.scalars(select(Case).options(joinedload(Case.post)).where(Case.brand_id == brand.id)
                       .order_by(Case.created_at.desc()).limit(50)).all()
    suggestions = db.scalars(select(ExclusionEntry).join(ExclusionList)
                             .where(ExclusionList.brand_id == brand.id, ExclusionEntry.status == "suggested")
                             .order_by(ExclusionEntry.domain).limit(100)).all()
    at_risk, _ = list_placements(db, PlacementFilter(brand=str(brand.id), min_tier="medium"), limit=10)
    return render(request, "brand.html", brand=brand, chart=timeline_svg(tl.counts, tl.spikes, tl.days),
                  pressure=tl,
                  cases=cases, suggestions=suggestions, at_risk=at_risk, saved=saved,
                  choices=SUITABILITY_CHOICES)


@router.post("/brands/{brand_id}/suitability", dependencies=[Depends(check_csrf)])
async def brand_suitability(request: Request, brand_id: int, db: Session = Depends(get_db),
                            user: User = Depends(needs("suitability"))) -> Response:
    brand = get_or_404(db, Brand, brand_id, "brand")
    form = await request.form()
    profile = {}
    for cat in CATEGORIES:
        value = form.get(f"cat_{cat}")
        if isinstance(value, str) and value in SUITABILITY_CHOICES:
            profile[cat] = value
    brand.suitability = profile
    db.commit()
    return RedirectResponse(f"/brands/{brand.id}?saved=1", status_code=303)


# --- response desk --------------------------------------------------------------------------


@router.get("/desk", response_class=HTMLResponse)
def desk(request: Request, status: str | None = None, db: Session = Depends(get_db),
         user: User = Depends(page_user)) -> HTMLResponse:
    stmt = (select(Case).options(joinedload(Case.post), joinedload(Case.brand))
            .order_by(sql_case((Case.deadline.is_(None), 1), else_=0), Case.deadline, Case.id).limit(300))
    if status in {"new", "drafted", "approved", "answered"}:
        stmt = stmt.where(Case.status == status)
    else:
        stmt = stmt.where(Case.status.in_(["new", "drafted", "approved"]))
    return render(request, "desk.html", cases=db.scalars(stmt).all(), status=status or "",
                  now=datetime.now(UTC).replace(tzinfo=None))


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


@router.get("/desk/{case_id}", response_class=HTMLResponse)
def case_detail(request: Request, case_id: int, db: Session = Depends(get_db),
                user: User = Depends(page_user)) -> HTMLResponse:
    case = get_or_404(db, Case, case_id, "case")
    seen = []
    for domain in (case.post.site_domains or [])[:5]:
        rows, _ = list_placements(db, PlacementFilter(brand=str(case.brand_id), site=str(domain)), limit=3)
        seen.append({"domain": domain, "rows": rows})
    deadline = _naive_utc(case.deadline)
    overdue = deadline is not None and deadline < datetime.now(UTC).replace(tzinfo=None) \
        and case.status in {"new", "drafted"}
    return render(request, "case.html", case=case, seen=seen, overdue=overdue)


@router.post("/desk/{case_id}/draft", dependencies=[Depends(check_csrf)])
def case_draft(request: Request, case_id: int, draft: str = Form("", max_length=10_000),
               lang: str = Form("fr"), assignee: str = Form("", max_length=200),
               db: Session = Depends(get_db), user: User = Depends(needs("cases"))) -> Response:
    case = get_or_404(db, Case, case_id, "case")
    update_case(db, case, user, draft=draft.replace("\r\n", "\n"), assignee=assignee.strip(),
                lang=lang if lang in {"fr", "en"} else None)
    return RedirectResponse(f"/desk/{case.id}", status_code=303)


@router.post("/desk/{case_id}/action", dependencies=[Depends(check_csrf)])
def case_act(request: Request, case_id: int, action: str = Form(...), note: str = Form("", max_length=2000),
             db: Session = Depends(get_db), user: User = Depends(needs("cases"))) -> Response:
    case = get_or_404(db, Case, case_id, "case")
    case_action(db, case, user, action, note or None)
    return RedirectResponse(f"/desk/{case.id}", status_code=303)


# --- exclusion lists ------------------------------------------------------------------------


@router.get("/exclusions", response_class=HTMLResponse)
def exclusions(request: Request, brand: int | None = None, status: str | None = "suggested",
               db: Session = Depends(get_db), user: User = Depends(page_user)) -> HTMLResponse:
    stmt = select(ExclusionList).options(joinedload(ExclusionList.brand)).order_by(ExclusionList.id)
    if brand:
        stmt = stmt.where(ExclusionList.brand_id == brand)
    lists = db.scalars(stmt).all()
    st = status if status in {"suggested", "approved", "rejected"} else None
    entries: dict[int, list[ExclusionEntry]] = {}
    for xl in lists:
        q = select(ExclusionEntry).where(ExclusionEntry.list_id == xl.id)
        if st:
            q = q.where(ExclusionEntry.status == st)
        entries[xl.id] = list(db.scalars(q.order_by(ExclusionEntry.domain).limit(500)))
    counts = list_counts(db, [x.id for x in lists])
    return render(request, "exclusions.html", lists=lists, entries=entries, counts=counts,
                  status=st or "", formats=EXPORT_FORMATS, brand=brand)


@router.post("/exclusions/entries/{entry_id}/review", dependencies=[Depends(check_csrf)])
def exclusion_review(request: Request, entry_id: int, action: str = Form(...),
                     note: str = Form("", max_length=2000), next: str = Form("/exclusions"),
                     db: Session = Depends(get_db), user: User = Depends(needs("exclusions"))) -> Response:
    entry = get_or_404(db, ExclusionEntry, entry_id, "exclusion entry")
    review_entry(db, entry, user, action, note.strip() or None)
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/exclusions/{list_id}/download")
def exclusion_download(request: Request, list_id: int, format: str, db: Session = Depends(get_db),
                       user: User = Depends(needs("exclusions"))) -> Response:
    xlist = get_or_404(db, ExclusionList, list_id, "exclusion list")
    name, content, media = export_list(db, xlist, format)
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- crawl runs -----------------------------------------------------------------------------


@router.get("/crawl-runs", response_class=HTMLResponse)
def crawl_runs(request: Request, db: Session = Depends(get_db), user: User = Depends(page_user)) -> HTMLResponse:
    runs = db.scalars(select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(100)).all()
    return render(request, "crawl_runs.html", runs=runs, refresh=any(r.status == "running" for r in runs))


@router.get("/crawl-runs/{run_id}", response_class=HTMLResponse)
def crawl_run(request: Request, run_id: int, db: Session = Depends(get_db),
              user: User = Depends(page_user)) -> HTMLResponse:
    run = get_or_404(db, CrawlRun, run_id, "crawl run")
    placements = db.scalar(select(func.count()).select_from(Placement).where(Placement.crawl_run_id == run.id))
    return render(request, "crawl_run.html", run=run, placements=placements or 0,
                  refresh=run.status == "running")


# --- rules ----------------------------------------------------------------------------------


@router.get("/rules", response_class=HTMLResponse)
def rules_form(request: Request, user: User = Depends(page_user)) -> HTMLResponse:
    return render(request, "rules.html", result=None, text="", url="", error=None)


@router.post("/rules", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def rules_score(request: Request, text: str = Form("", max_length=2_000_000), url: str = Form("", max_length=2048),
                db: Session = Depends(get_db), user: User = Depends(page_user)) -> HTMLResponse:
    text, url = text.strip(), url.strip()
    try:
        result = score(db, text=text or None, url=None if text else (url or None))
        error = None
    except HTTPException as exc:
        result, error = None, str(exc.detail)
    return render(request, "rules.html", result=result, text=text, url=url, error=error,
                  status_code=200 if error is None else 422)


# --- API docs (server-rendered: no third-party JS) ------------------------------------------


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request, user: User = Depends(page_user)) -> HTMLResponse:
    schema = request.app.openapi()
    ops = []
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            ops.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "description": op.get("description", ""), "tag": (op.get("tags") or [""])[0],
                        "params": [{"name": p.get("name"), "in": p.get("in"), "required": p.get("required", False),
                                    "description": p.get("description", "")} for p in op.get("parameters", [])]})
    return render(request, "docs.html", ops=ops, title=schema.get("info", {}).get("title", "API"),
                  description=schema.get("info", {}).get("description", ""), permissions=PERMISSIONS)


# --- mounting and errors --------------------------------------------------------------------


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/openapi.json"


def mount(app: FastAPI) -> None:
    """Add the dashboard's routes, static files and HTML error pages to ``app``."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login?" + urlencode({"next": safe_next(exc.next_url)}), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        title = {403: "Not allowed", 404: "Not found"}.get(exc.status_code, "Error")
        return render(request, "error.html", status_code=exc.status_code, title=title, message=str(exc.detail))

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        return response

