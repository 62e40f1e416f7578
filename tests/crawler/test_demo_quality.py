"""Detection and attribution quality against the demo web's ground truth, with the project's
own list and with the real EasyList from ../shared/data. Prints the figures (run with -s)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from store.db import session_scope
from store.models import CrawlRun, Placement
from tests.crawler.demo_eval import import_registry, run_crawl, score

demo_world = pytest.importorskip("demo.world")
demo_server = pytest.importorskip("demo.server")


@pytest.fixture(scope="module")
def world() -> Any:
    return demo_world.build_world(7)


@pytest.fixture(scope="module")
def demo_web(world: Any) -> Iterator[Any]:
    with demo_server.DemoWeb(world) as web:
        yield web


def _crawl(world: Any, demo_web: Any, tmp_path: Path, mode: str, filter_list: str) -> str:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    db = f"sqlite:///{data_dir / 'vigie.db'}"
    import_registry(world, db, tmp_path)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join(world.seed_urls()) + "\n")
    run_crawl(["--seeds", str(seeds), "--proxy", demo_web.proxy_url, "--allow-private", f"--{mode}",
               "--filter-list", filter_list, "--max-pages-per-site", "60", "--depth", "2"],
              data_dir=data_dir, database_url=db, timeout=1500)
    return db


def _lists(shared_data: Path) -> dict[str, str]:
    return {"own": "vigie", "easylist": str(shared_data / "easylist.txt.gz")}


@pytest.mark.slow
@pytest.mark.parametrize("which", ["own", "easylist"])
def test_static_mode_quality(world: Any, demo_web: Any, tmp_path: Path, shared_data: Path, which: str) -> None:
    db = _crawl(world, demo_web, tmp_path, "no-render", _lists(shared_data)[which])
    result = score(world.ground_truth(), db, static_only=True)
    print("\n" + result.line(f"static/{which}"))
    assert result.precision >= 0.97, result.false_positives[:10]
    assert result.recall >= 0.95, result.missed[:10]
    assert result.brand_accuracy >= 0.97
    with session_scope(db) as s:
        run = s.scalars(select(CrawlRun)).one()
        assert all(p.filter_list_version == run.filter_list_version for p in s.scalars(select(Placement)))
        assert all(not p.rendered for p in s.scalars(select(Placement)))


@pytest.mark.slow
@pytest.mark.parametrize("which", ["own", "easylist"])
def test_render_mode_quality(world: Any, demo_web: Any, tmp_path: Path, shared_data: Path, which: str) -> None:
    db = _crawl(world, demo_web, tmp_path, "render", _lists(shared_data)[which])
    result = score(world.ground_truth(), db)
    print("\n" + result.line(f"render/{which}"))
    assert result.precision >= 0.97, result.false_positives[:10]
    assert result.recall >= 0.97, result.missed[:10]
    assert result.brand_accuracy >= 0.97
    evidence = tmp_path / "var" / "evidence"
    with session_scope(db) as s:
        placements = list(s.scalars(select(Placement)))
        assert placements and all(p.rendered for p in placements)
        with_shots = [p for p in placements if p.screenshot_path and p.page_screenshot_path]
        assert len(with_shots) >= 0.95 * len(placements)
        for p in with_shots[:20]:
            for rel in (p.screenshot_path, p.page_screenshot_path):
                assert rel is not None
                assert (evidence / rel).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert all(p.slot.get("width", 0) >= 30 and p.slot.get("height", 0) >= 30 for p in placements)
