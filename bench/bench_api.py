"""Benchmark: the placements API and the dashboard's Exposures page on 1,000,000 placements in
SQLite, with filters, next to a naive baseline measured in the same run on the same data.

    .venv/bin/python bench/bench_api.py [--placements 1000000] [--requests 200] [--keep DIR]

The database is seeded quickly (plain ``executemany`` in batches) into a temporary folder.
Each scenario is requested N times through the real ASGI app (FastAPI + auth + Pydantic +
Jinja2) with randomised filter values; p50 and p95 are printed per scenario. The baseline is
what a first version would do: OFFSET pagination at the same depth plus a COUNT(*) of the
matching rows for a "page X of Y" display, served through the same app, filters and schemas.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NETWORKS = ["Google Ad Manager", "Criteo", "Xandr", "Taboola", "Outbrain", "Equativ"]
CATEGORIES = ["adult", "arms", "crime", "death_injury_conflict", "piracy", "hate_speech", "obscenity",
              "drugs_alcohol_tobacco", "spam_harmful", "terrorism", "debated_social_issues", "misinformation"]
TIER_WEIGHTS = [("none", 60), ("low", 15), ("medium", 12), ("high", 10), ("floor", 3)]
N_BRANDS, N_SITES = 40, 2000


def ts(dt: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME storage format (so range filters compare correctly)."""
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(url: str, n_placements: int, n_pages: int, rng: random.Random) -> dict[str, Any]:
    from sqlalchemy import text

    from store.db import get_engine
    from store.models import Base

    engine = get_engine(url)
    Base.metadata.create_all(engine)
    now = datetime.now(UTC).replace(tzinfo=None)
    raw = engine.raw_connection()
    cur = raw.cursor()
    cur.execute("PRAGMA synchronous=OFF")
    cur.executemany("INSERT INTO brands (id, name, aliases, handles, suitability, created_at, updated_at) "
                    "VALUES (?, ?, '[]', '{}', '{}', ?, ?)",
                    [(i, f"Brand {i:02d}", ts(now), ts(now)) for i in range(1, N_BRANDS + 1)])
    tiers = [t for t, w in TIER_WEIGHTS for _ in range(w)]
    site_tier = {i: rng.choice(tiers) for i in range(1, N_SITES + 1)}
    cur.executemany("INSERT INTO sites (id, domain, name, aliases, worst_tier, risk_score, created_at) "
                    "VALUES (?, ?, ?, '[]', ?, ?, ?)",
                    [(i, f"site{i}.example", f"Site {i}", site_tier[i], rng.random() * 100, ts(now))
                     for i in range(1, N_SITES + 1)])
    pages, ras, page_site = [], [], {}
    for i in range(1, n_pages + 1):
        site = rng.randint(1, N_SITES)
        tier = rng.choice(tiers)
        page_site[i] = site
        pages.append((i, site, f"http://site{site}.example/p/{i}", f"Page {i}", "fr", tier, ts(now), ts(now)))
        if tier != "none":
            for cat in rng.sample(CATEGORIES, rng.choice((1, 1, 2))):
                ras.append((i, cat, tier, 0.5, ts(now)))
    cur.executemany("INSERT INTO pages (id, site_id, url, title, lang, meta, status, worst_tier, first_seen, "
                    "last_seen) VALUES (?, ?, ?, ?, ?, '{}', 'ok', ?, ?, ?)", pages)
    cur.executemany("INSERT INTO risk_assessments (page_id, category, tier, score, evidence, assessed_at) "
                    "VALUES (?, ?, ?, ?, '[]', ?)", ras)
    cur.execute("INSERT INTO crawl_runs (id, kind, status, started_at, args, stats) "
                "VALUES (1, 'placements', 'finished', ?, '{}', '{}')", (ts(now),))
    batch: list[tuple[Any, ...]] = []
    sql = ("INSERT INTO placements (id, page_id, site_id, brand_id, fingerprint, advertiser_domain, ad_network, "
           "creative_url, click_chain, landing_url, slot, detection, rendered, first_seen, last_seen, crawl_run_id)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, '{}', '{}', 1, ?, ?, 1)")
    span = 90 * 86400
    for i in range(1, n_placements + 1):
        page = rng.randint(1, n_pages)
        brand = rng.randint(1, N_BRANDS) if rng.random() > 0.1 else None
        last = now - timedelta(seconds=rng.randint(0, span))
        first = last - timedelta(seconds=rng.randint(0, 30 * 86400))
        batch.append((i, page, page_site[page], brand, f"fp{i}", f"brand{brand or 0}.example",
                      NETWORKS[i % len(NETWORKS)], f"http://cdn.example/{i}.png", f"https://brand{brand}.example/",
                      ts(first), ts(last)))
        if len(batch) >= 50_000:
            cur.executemany(sql, batch)
            batch.clear()
    if batch:
        cur.executemany(sql, batch)
    raw.commit()
    cur.execute("ANALYZE")
    raw.commit()
    raw.close()
    with engine.connect() as c:
        counts = {t: c.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                  for t in ("placements", "pages", "risk_assessments")}
    return {"now": now, "counts": counts}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def add_baseline_routes(app: Any) -> None:
    """The naive version, for comparison only: OFFSET pagination + COUNT(*) of matching rows,
    same filters, same response schema, same auth."""
    from fastapi import Depends, Query
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from api.deps import api_user, get_db
    from api.queries import apply_placement_filter, page_categories, placement_select
    from api.routers.placements import placement_filter
    from api.schemas import PlacementOut
    from store.models import Placement, User

    @app.get("/bench/offset-placements")
    def offset_placements(f: Any = Depends(placement_filter), page: int = Query(1, ge=1), limit: int = 50,
                          db: Session = Depends(get_db), _: User = Depends(api_user)) -> dict[str, Any]:
        stmt = apply_placement_filter(db, placement_select(), f)
        total = db.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = [dict(r._mapping) for r in db.execute(stmt.order_by(Placement.last_seen.desc(), Placement.id.desc())
                                                     .offset((page - 1) * limit).limit(limit))]
        cats = page_categories(db, [r["page_id"] for r in rows])
        for r in rows:
            r["categories"] = cats.get(r["page_id"], [])
        return {"total": total, "items": [PlacementOut(**r).model_dump(mode="json") for r in rows]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--placements", type=int, default=1_000_000)
    ap.add_argument("--pages", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=200, help="requests per scenario")
    ap.add_argument("--baseline-requests", type=int, default=30, help="requests per baseline scenario")
    ap.add_argument("--keep", type=Path, help="keep the database in this folder (reused when present)")
    args = ap.parse_args()
    rng = random.Random(42)

    work = args.keep or Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["VIGIE_DATA_DIR"] = str(work)
    os.environ["VIGIE_COOKIE_SECURE"] = "0"
    db_path = work / "bench.db"
    url = f"sqlite:///{db_path}"
    from sqlalchemy import select

    from api.app import create_app
    from api.auth import hash_password
    from store.db import session_factory
    from store.models import User
    from store.users import create_user, mint_token

    t0 = time.perf_counter()
    fresh = not db_path.exists()
    if fresh:
        info = seed(url, args.placements, args.pages, rng)
        print(f"seeded {info['counts']} in {time.perf_counter() - t0:.1f} s ({db_path})")
    with session_factory(url)() as s:
        if s.scalar(select(User).where(User.name == "bench")) is None:
            create_user(s, "bench", "admin", hash_password("bench-password"))
        user = s.scalar(select(User).where(User.name == "bench"))
        assert user is not None
        token = mint_token(s, user, "bench")
        s.commit()

    from fastapi.testclient import TestClient

    app = create_app(url)
    add_baseline_routes(app)
    client = TestClient(app, base_url="http://127.0.0.1")
    client.__enter__()
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/login", data={"username": "bench", "password": "bench-password", "csrf_token": csrf},
                       follow_redirects=False).status_code == 303
    api_headers = {"Authorization": f"Bearer {token}"}
    now = datetime.now(UTC)

    def walk_cursors(params: dict[str, Any], depth: int) -> list[str]:
        """Cursors of pages 2..depth+1 (fetched before timing, like a user clicking 'next')."""
        out, cursor = [], None
        for _ in range(depth):
            r = client.get("/api/v1/placements", params={**params, **({"cursor": cursor} if cursor else {})},
                           headers=api_headers).json()
            cursor = r["next_cursor"]
            if not cursor:
                break
            out.append(cursor)
        return out

    deep_params = {"brand": "7"}
    deep_cursors = walk_cursors(deep_params, 100)

    Scenario = tuple[str, Callable[[], dict[str, Any]], str, str]
    r = random.Random(7)
    scenarios: list[Scenario] = [
        ("no filter, first page", lambda: {}, "api", "/api/v1/placements"),
        ("brand", lambda: {"brand": str(r.randint(1, N_BRANDS))}, "api", "/api/v1/placements"),
        ("brand by name", lambda: {"brand": f"Brand {r.randint(1, N_BRANDS):02d}"}, "api", "/api/v1/placements"),
        ("site", lambda: {"site": f"site{r.randint(1, N_SITES)}.example"}, "api", "/api/v1/placements"),
        ("network", lambda: {"network": r.choice(NETWORKS)}, "api", "/api/v1/placements"),
        ("tier = high", lambda: {"tier": "high"}, "api", "/api/v1/placements"),
        ("min_tier medium + brand", lambda: {"min_tier": "medium", "brand": str(r.randint(1, N_BRANDS))}, "api",
         "/api/v1/placements"),
        ("category", lambda: {"category": r.choice(CATEGORIES)}, "api", "/api/v1/placements"),
        ("category + brand", lambda: {"category": r.choice(CATEGORIES), "brand": str(r.randint(1, N_BRANDS))},
         "api", "/api/v1/placements"),
        ("date range 7 days", lambda: {"since": (now - timedelta(days=r.randint(8, 80))).isoformat(),
                                        "until": (now - timedelta(days=r.randint(0, 7))).isoformat()},
         "api", "/api/v1/placements"),
        ("brand, pages 2-101 (cursor)", lambda: {**deep_params, "cursor": r.choice(deep_cursors)}, "api",
         "/api/v1/placements"),
        ("brand", lambda: {"brand": str(r.randint(1, N_BRANDS))}, "page", "/exposures"),
        ("category + network", lambda: {"category": r.choice(CATEGORIES), "network": r.choice(NETWORKS)},
         "page", "/exposures"),
        ("no filter", lambda: {}, "page", "/exposures"),
        ("overview (aggregates cached 60 s)", lambda: {}, "page", "/"),
    ]
    baselines: list[Scenario] = [
        ("BASELINE no filter, first page", lambda: {}, "api", "/bench/offset-placements"),
        ("BASELINE brand", lambda: {"brand": str(r.randint(1, N_BRANDS))}, "api", "/bench/offset-placements"),
        ("BASELINE category", lambda: {"category": r.choice(CATEGORIES)}, "api", "/bench/offset-placements"),
        ("BASELINE brand, pages 2-101 (offset)", lambda: {**deep_params, "page": r.randint(2, 101)}, "api",
         "/bench/offset-placements"),
    ]

    def measure(s: Scenario, n: int) -> tuple[float, float, float, float, float]:
        name, params, kind, path = s
        headers = api_headers if kind == "api" else {}
        for _ in range(3):  # warm-up
            client.get(path, params=params(), headers=headers)
        times, cpu = [], []
        for _ in range(n):
            p = params()
            t, c = time.perf_counter(), time.process_time()
            resp = client.get(path, params=p, headers=headers)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            if resp.status_code != 200:
                raise SystemExit(f"{name}: HTTP {resp.status_code} {resp.text[:200]}")
        return (statistics.median(times), percentile(times, 95), max(times), statistics.median(cpu),
                percentile(cpu, 95))

    print(f"\n{args.placements:,} placements, {args.requests} requests per scenario "
          f"({args.baseline_requests} per baseline), milliseconds through the ASGI app; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("wall = latency seen by the client; cpu = CPU time the process spent (what contention "
          "from other processes does not inflate)\n")
    line = f"{'scenario':40} {'wall p50':>9} {'wall p95':>9} {'max':>8} {'cpu p50':>8} {'cpu p95':>8}"
    print(line)
    print("-" * len(line))
    worst = worst_cpu = 0.0

    def show(label: str, m: tuple[float, float, float, float, float]) -> None:
        print(f"{label:40} {m[0]:9.1f} {m[1]:9.1f} {m[2]:8.1f} {m[3]:8.1f} {m[4]:8.1f}", flush=True)

    for sc in scenarios:
        m = measure(sc, args.requests)
        worst, worst_cpu = max(worst, m[1]), max(worst_cpu, m[4])
        show(f"{sc[2]}: {sc[0]}", m)
    print("-" * len(line))
    for sc in baselines:
        show(sc[0], measure(sc, args.baseline_requests))
    print("-" * len(line))
    print(f"worst p95 of Vigie's scenarios: wall {worst:.1f} ms, cpu {worst_cpu:.1f} ms (target < 150 ms); "
          f"load average now {os.getloadavg()[0]:.1f}")
    client.__exit__(None, None, None)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
