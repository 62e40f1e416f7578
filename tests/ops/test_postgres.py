"""The core store paths on PostgreSQL 15: same models, same migrations, same dedup rules, and the
API's list queries (SQLite runs them everywhere else). The scheduler's job store too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from demo.world import build_world
from store.db import get_engine, migrate, session_factory, session_scope
from store.models import Base, Brand, BrandDomain, Page, Placement, Site
from store.placements import upsert_page, upsert_placement
from store.registry import parse_brands, parse_sites, upsert_brands, upsert_sites

pytestmark = pytest.mark.postgres


def test_migrate_creates_every_table_and_is_idempotent(pg_url: str) -> None:
    engine = get_engine(pg_url)
    assert engine.dialect.name == "postgresql"
    migrate(pg_url)  # second time: nothing to do
    names = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= names
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        server = conn.execute(text("SHOW server_version")).scalar_one()
    assert version
    assert int(server.split(".")[0]) >= 15
    uniques = {u["name"] for u in inspect(engine).get_unique_constraints("placements")}
    assert "uq_placement_page_fingerprint" in uniques


def test_registry_import_updates_instead_of_duplicating(pg_url: str, tmp_path: Path) -> None:
    world = build_world(7)
    (tmp_path / "brands.yaml").write_text(world.brands_yaml(), encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(world.sites_yaml(), encoding="utf-8")
    brands, sites = parse_brands(tmp_path / "brands.yaml"), parse_sites(tmp_path / "sites.yaml")
    with session_scope(pg_url) as s:
        first = (upsert_brands(s, brands), upsert_sites(s, sites))
    with session_scope(pg_url) as s:
        second = (upsert_brands(s, brands), upsert_sites(s, sites))
    assert (first[0].created, first[1].created) == (len(brands), len(sites))
    assert (second[0].created, second[1].created) == (0, 0)
    with session_scope(pg_url) as s:
        assert s.scalar(select(func.count(Brand.id))) == len(brands)
        assert s.scalar(select(func.count(Site.id))) == len(sites)
        assert s.scalar(select(func.count(BrandDomain.id))) == sum(len(b.domains) for b in brands)


def test_placement_upsert_dedups_on_postgres(pg_url: str) -> None:
    url = "http://www.example-news.fr/article/1"
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(3):
        with session_scope(pg_url) as s:
            page = upsert_page(s, url=url, status="ok", title="Article", text=f"text {i}",
                               seen_at=t0 + timedelta(hours=i))
            _, created = upsert_placement(s, page, "f" * 64, {"advertiser_domain": "acme.example",
                                                               "ad_network": "Criteo"},
                                          seen_at=t0 + timedelta(hours=i))
            assert created is (i == 0)
    with session_scope(pg_url) as s:
        (placement,) = s.scalars(select(Placement)).all()
        assert placement.first_seen == t0 and placement.last_seen == t0 + timedelta(hours=2)
        assert s.scalar(select(func.count(Page.id))) == 1
        page_id, site_id = placement.page_id, placement.site_id
    # the database itself refuses a second row for the same (page, fingerprint) and the same URL
    with pytest.raises(IntegrityError), session_scope(pg_url) as s:
        s.add(Placement(page_id=page_id, site_id=site_id, fingerprint="f" * 64))
    with pytest.raises(IntegrityError), session_scope(pg_url) as s:
        s.add(Page(url=url, site_id=site_id))


def test_api_list_queries_on_postgres(pg_url: str, data_dir: Path) -> None:
    from api.app import create_app
    from tests.api.seed import seed

    with session_factory(pg_url)() as session:
        world = seed(session, data_dir)
        session.commit()
    with session_scope(pg_url) as s:
        expected = s.scalar(select(func.count(Placement.id)))
    assert expected
    headers = {"Authorization": f"Bearer {world.tokens['viewer']}"}
    with TestClient(create_app(pg_url), base_url="http://127.0.0.1") as client:
        got, cursor = [], None
        while True:
            params: dict[str, str | int] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            resp = client.get("/api/v1/placements", params=params, headers=headers)
            assert resp.status_code == 200, resp.text
            body = resp.json()
            got += body["items"]
            cursor = body.get("next_cursor")
            if not cursor:
                break
        assert len(got) == expected
        assert len({p["id"] for p in got}) == expected  # keyset pagination: no row twice
        for path in ("/api/v1/sites", "/api/v1/pages", "/api/v1/crawl-runs", "/api/v1/brands"):
            resp = client.get(path, headers=headers)
            assert resp.status_code in (200, 404), (path, resp.text)
            if resp.status_code == 200:
                assert "items" in resp.json()


def test_scheduler_job_store_on_postgres(pg_url: str, tmp_path: Path) -> None:
    from tests.ops.test_scheduler import run_scheduler_for, runs, schedule_hourly, simulate_downtime

    counter = tmp_path / "runs.txt"
    schedule_hourly(pg_url, counter)
    simulate_downtime(pg_url, hours=2.5)
    run_scheduler_for(pg_url, 1.0, until=lambda: runs(counter) >= 1)
    run_scheduler_for(pg_url, 0.5)
    assert runs(counter) == 1
    assert "apscheduler_jobs" in inspect(get_engine(pg_url)).get_table_names()
