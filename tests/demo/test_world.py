"""The generated world: deterministic, big enough, and its ground truth consistent."""

from __future__ import annotations

import json
from collections import Counter

import yaml

from demo.world import World, build_world, key_of_url
from rules.garm import CATEGORIES, TIERS
from vigie.domains import registrable_domain


def _bodies(w: World) -> dict[str, bytes]:
    out = {}
    for key, entry in w.routes.items():
        resp = entry() if callable(entry) else entry
        out[key] = resp.body
    return out


def test_same_seed_gives_identical_world() -> None:
    a, b = build_world(7), build_world(7)
    assert a.ground_truth_json() == b.ground_truth_json()
    assert a.brands_yaml() == b.brands_yaml() and a.sites_yaml() == b.sites_yaml()
    assert _bodies(a) == _bodies(b)


def test_different_seed_differs() -> None:
    a, b = build_world(7), build_world(8)
    assert a.ground_truth()["ads"] != b.ground_truth()["ads"]
    assert b.ground_truth()["seed"] == 8


def test_counts(world: World) -> None:
    gt = world.ground_truth()
    langs = Counter(s["lang"] for s in gt["sites"])
    assert len(gt["sites"]) >= 14 and langs["fr"] >= 5 and langs["en"] >= 5
    assert {s["kind"] for s in gt["sites"]} == {"news", "blog", "forum"}
    landing_brands = {a["brand"] for a in gt["ads"] if a["brand"]}
    assert len(landing_brands) >= 15
    assert {a["kind"] for a in gt["ads"]} == {"iframe", "js", "native", "image"}
    assert {k for a in gt["ads"] for k in a["chain_kinds"]} == {"302", "meta", "js"}
    assert {a["network"] for a in gt["ads"]} == {
        "Google Ad Manager", "Criteo", "Xandr", "Taboola", "Outbrain", "Equativ"}
    assert any(a["kind"] == "native" and a["needs_js"] for a in gt["ads"])
    assert any(a["kind"] == "native" and not a["needs_js"] for a in gt["ads"])
    assert any(a["brand"] is None for a in gt["ads"])
    assert {d["why"] for d in gt["decoys"]} >= {"empty_slot", "hidden", "tracking_pixel", "too_small",
                                                  "internal_links"}
    assert any(a["note"] == "redirect_loop" for a in gt["ads"])
    assert len(gt["robots_disallowed"]) == 1
    by_source = Counter(p["source"] for p in gt["posts"])
    assert by_source["mastodon"] >= 25 and by_source["bluesky"] >= 25
    assert {p["tactic"] for p in gt["posts"]} == {"proof", "question", "threat", "thanks", "other"}
    assert {p["lang"] for p in gt["posts"]} == {"fr", "en"}


def test_categories_and_tiers_use_shared_vocabulary(world: World) -> None:
    gt = world.ground_truth()
    cats = {c for p in gt["pages"] for c in p["categories"]}
    assert cats <= set(CATEGORIES)
    assert {"hate_speech", "misinformation", "adult", "arms", "drugs_alcohol_tobacco", "piracy",
            "terrorism", "crime", "obscenity", "death_injury_conflict", "debated_social_issues",
            "spam_harmful"} <= cats
    assert {p["tier"] for p in gt["pages"]} <= set(TIERS)
    assert any(not p["categories"] and p["page_type"] == "article" for p in gt["pages"])


def test_slot_ids_unique_and_ads_consistent(world: World) -> None:
    gt = world.ground_truth()
    ids = [a["slot_id"] for a in gt["ads"]] + [d["slot_id"] for d in gt["decoys"]]
    assert len(ids) == len(set(ids))
    pages = {p["url"] for p in gt["pages"]}
    brands = {b.name: b for b in world.brands}
    for ad in gt["ads"]:
        assert ad["page_url"] in pages
        if ad["brand"]:
            assert ad["advertiser_domain"] in brands[ad["brand"]].domains
        if ad["landing_url"]:
            assert registrable_domain(ad["landing_url"]) == ad["advertiser_domain"]
        assert len(ad["chain_kinds"]) >= 1


def test_registry_yaml_parses(world: World) -> None:
    brands = yaml.safe_load(world.brands_yaml())
    assert len(brands) >= 16
    assert all({"name", "domains", "aliases", "handles"} <= set(b) for b in brands)
    assert {b["name"] for b in brands} == {b.name for b in world.brands}
    assert "Quill & Oak" in {b["name"] for b in brands}
    sites = yaml.safe_load(world.sites_yaml())
    assert {s["domain"] for s in sites} == {s.domain for s in world.sites}
    assert "Patriote Éveillé" in {s["name"] for s in sites}
    unknown = {u.domain for u in world.unknown}
    assert not unknown & {d for b in brands for d in b["domains"]}


def test_posts_point_at_real_placements(world: World) -> None:
    gt = world.ground_truth()
    placed = {(a["brand"], registrable_domain(a["page_url"])) for a in gt["ads"] if a["brand"]}
    pairs = [(b, s) for p in gt["posts"] for b in p["brands"][:1] for s in p["sites"]]
    assert pairs
    consistent = sum((b, s) in placed for b, s in pairs)
    assert consistent / len(pairs) >= 0.8


def test_ground_truth_is_json_and_every_page_is_routed(world: World) -> None:
    gt = json.loads(world.ground_truth_json())
    for p in gt["pages"]:
        assert key_of_url(p["url"]) in world.routes
    assert world.seed_urls() == [f"http://{s['host']}/" for s in gt["sites"]]


def test_world_is_identical_across_processes_and_hash_seeds() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import hashlib\n"
        "from demo.world import build_world\n"
        "w = build_world(7)\n"
        "h = hashlib.sha256(w.ground_truth_json().encode())\n"
        "for k in sorted(w.routes):\n"
        "    e = w.routes[k]\n"
        "    h.update(k.encode()); h.update((e() if callable(e) else e).body)\n"
        "print(h.hexdigest())\n")
    root = Path(__file__).resolve().parents[2]
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True,
                             text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1
