"""Accuracy on the demo web's activist feeds, fetched through its forward proxy: tagged-brand
and called-out-site micro-F1 over (post, brand) and (post, site) pairs, tactic accuracy.
Run ``pytest tests/watch/test_demo_accuracy.py -s`` to see the figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import ActivistAccount, ActivistPost, Brand, Case
from store.registry import parse_brands, parse_sites, upsert_brands, upsert_sites
from watch import service
from watch.http import HttpClient

demo_world = pytest.importorskip("demo.world")
demo_server = pytest.importorskip("demo.server")


def micro_f1(truth: set[tuple[str, str]], found: set[tuple[str, str]]) -> tuple[float, float, float]:
    tp = len(truth & found)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@pytest.fixture(scope="module")
def world() -> Any:
    return demo_world.build_world(7)


@pytest.fixture
def web(world: Any) -> Iterator[Any]:
    with demo_server.DemoWeb(world) as w:
        yield w


@pytest.mark.slow
def test_demo_feed_accuracy(world: Any, web: Any, watch_db: str, wsession: Session, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_BSKY_APPVIEW", "http://appview.demo-bsky.org")
    (tmp_path / "brands.yaml").write_text(world.brands_yaml(), encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(world.sites_yaml(), encoding="utf-8")
    upsert_brands(wsession, parse_brands(tmp_path / "brands.yaml"))
    upsert_sites(wsession, parse_sites(tmp_path / "sites.yaml"))
    for spec in world.activist_specs():
        service.add_account(wsession, spec)
    wsession.commit()

    with HttpClient(proxy=web.proxy_url, retries=2, backoff=0.0) as http:
        first = service.poll_all(watch_db, http=http)
        again = service.poll_all(watch_db, http=http)
    assert all(r.error is None for r in first), [r.error for r in first]
    assert sum(r.new for r in again) == 0

    wsession.expire_all()
    names = {b.id: b.name for b in wsession.scalars(select(Brand)).all()}
    posts = {p.url: p for p in wsession.scalars(select(ActivistPost)).all()}
    truth_posts = world.ground_truth()["posts"]
    assert len(posts) == len(truth_posts), "every demo post fetched exactly once"

    t_brands: set[tuple[str, str]] = set()
    f_brands: set[tuple[str, str]] = set()
    t_sites: set[tuple[str, str]] = set()
    f_sites: set[tuple[str, str]] = set()
    tactic_ok = 0
    misses: list[str] = []
    for gt in truth_posts:
        post = posts[gt["url"]]
        key = gt["url"]
        t_brands |= {(key, b) for b in gt["brands"]}
        f_brands |= {(key, names[int(b)]) for b in post.brand_ids}
        t_sites |= {(key, s) for s in gt["sites"]}
        f_sites |= {(key, s) for s in post.site_domains}
        tactic_ok += post.tactic == gt["tactic"]
        if (post.tactic != gt["tactic"] or sorted(gt["brands"]) != sorted(names[int(b)] for b in post.brand_ids)
                or sorted(gt["sites"]) != sorted(post.site_domains)):
            misses.append(f"{gt['source']} truth={gt['brands']} {gt['sites']} {gt['tactic']} | got="
                          f"{[names[int(b)] for b in post.brand_ids]} {post.site_domains} {post.tactic} | "
                          f"{post.text[:140]!r}")
    bp, br, bf = micro_f1(t_brands, f_brands)
    sp, sr, sf = micro_f1(t_sites, f_sites)
    acc = tactic_ok / len(truth_posts)
    print(f"\ndemo seed 7, {len(truth_posts)} posts: brands P={bp:.3f} R={br:.3f} F1={bf:.3f} | "
          f"sites P={sp:.3f} R={sr:.3f} F1={sf:.3f} | tactic accuracy={acc:.3f}")
    for m in misses:
        print("  miss:", m)
    assert bf >= 0.95 and sf >= 0.95 and acc >= 0.90

    # evidence images were downloaded through the proxy; errors none
    shots = [m for p in posts.values() for m in p.media or []]
    assert shots and all(m.get("path") for m in shots)
    assert wsession.scalar(select(Case).limit(1)) is not None
    assert all(a.last_error is None for a in wsession.scalars(select(ActivistAccount)).all())
