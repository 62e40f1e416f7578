"""Page-level GARM category detection on the demo web's labelled pages: macro-F1 >= 0.90.

Pages are fetched through the demo web's HTTP proxy, turned into facts the same way
``vigie rules test URL`` does, and scored with the shipped packs only."""

from __future__ import annotations

from typing import Any

import pytest

from rules.engine import Engine
from rules.garm import CATEGORIES
from rules.html import page_facts_from_html


def evaluate(seed: int = 7) -> dict[str, Any]:
    """Per-category precision/recall/F1 and the macro-F1 over the 12 categories, plus errors."""
    import httpx

    from demo.server import DemoWeb
    from demo.world import build_world

    world = build_world(seed)
    truth = world.ground_truth()["pages"]
    engine = Engine.load()
    tp = dict.fromkeys(CATEGORIES, 0)
    fp = dict.fromkeys(CATEGORIES, 0)
    fn = dict.fromkeys(CATEGORIES, 0)
    errors = []
    tier_hits = tier_total = 0
    with DemoWeb(world) as web, httpx.Client(proxy=web.proxy_url, timeout=10) as client:
        for page in truth:
            r = client.get(page["url"])
            facts = page_facts_from_html(page["url"], r.text)
            verdict = engine.score_page(facts)
            got, want = set(verdict.categories), set(page["categories"])
            for c in CATEGORIES:
                tp[c] += c in got and c in want
                fp[c] += c in got and c not in want
                fn[c] += c not in got and c in want
            if page["page_type"] == "article":  # home pages carry their teasers' union
                tier_total += 1
                tier_hits += verdict.worst_tier == page["tier"]
            if got != want:
                errors.append({"url": page["url"], "missed": sorted(want - got), "extra": sorted(got - want)})
    per = {}
    for c in CATEGORIES:
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 1.0
        r_ = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 1.0
        per[c] = {"precision": round(p, 3), "recall": round(r_, 3),
                  "f1": round(2 * p * r_ / (p + r_), 3) if p + r_ else 0.0, "support": tp[c] + fn[c]}
    macro = sum(v["f1"] for v in per.values()) / len(per)
    return {"pages": len(truth), "macro_f1": round(macro, 4), "per_category": per, "errors": errors,
            "tier_agreement": round(tier_hits / tier_total, 4) if tier_total else 0.0}


def test_demo_macro_f1() -> None:
    try:
        import demo.server
        import demo.world  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only while demo/ is being written
        pytest.skip(f"demo web not importable yet: {exc}")
    result = evaluate(7)
    print(f"\ndemo web seed 7: {result['pages']} pages, page-level category macro-F1 = {result['macro_f1']:.4f}")
    for c, v in result["per_category"].items():
        print(f"  {c:24s} P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f} n={v['support']}")
    for e in result["errors"]:
        print(f"  miss {e['missed']} extra {e['extra']} {e['url']}")
    print(f"  worst tier equal to the labelled tier on {result['tier_agreement']:.0%} of article pages")
    assert result["macro_f1"] >= 0.90
    assert result["tier_agreement"] >= 0.80
