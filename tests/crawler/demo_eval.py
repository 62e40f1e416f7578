"""Scoring helpers shared by the crawler tests and ``bench/bench_crawler.py``: import the demo
world's registry, run a placement crawl in a subprocess (Twisted's reactor cannot restart in one
process), and score stored placements against the demo's ground truth."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from store.db import migrate, session_scope
from store.models import Brand, Placement
from store.registry import parse_brands, parse_sites, upsert_brands, upsert_sites

ROOT = Path(__file__).resolve().parents[2]


def import_registry(world: Any, database_url: str, tmp: Path) -> None:
    migrate(database_url)
    brands = tmp / "brands.yaml"
    sites = tmp / "sites.yaml"
    brands.write_text(world.brands_yaml(), encoding="utf-8")
    sites.write_text(world.sites_yaml(), encoding="utf-8")
    with session_scope(database_url) as s:
        upsert_brands(s, parse_brands(brands))
        upsert_sites(s, parse_sites(sites))


def run_crawl(args: list[str], *, data_dir: Path, database_url: str, timeout: float = 900,
              check: bool = True) -> subprocess.CompletedProcess[str]:
    """``python -m crawler.runner ARGS`` with this test's data dir and database."""
    env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_DATABASE_URL": database_url,
           "VIGIE_CRAWL_LOG_LEVEL": os.environ.get("VIGIE_CRAWL_LOG_LEVEL", "WARNING")}
    proc = subprocess.run([sys.executable, "-m", "crawler.runner", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"crawl failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return proc


@dataclass
class Score:
    detected: int
    truth: int
    true_positives: int
    brand_correct: int
    false_positives: list[tuple[str, str | None]]
    missed: list[tuple[str, str]]

    @property
    def precision(self) -> float:
        return self.true_positives / self.detected if self.detected else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.truth if self.truth else 0.0

    @property
    def brand_accuracy(self) -> float:
        return self.brand_correct / self.true_positives if self.true_positives else 0.0

    def line(self, label: str) -> str:
        return (f"[{label}] precision {self.precision:.3f} ({self.true_positives}/{self.detected}) "
                f"recall {self.recall:.3f} ({self.true_positives}/{self.truth}) "
                f"brand {self.brand_accuracy:.3f} ({self.brand_correct}/{self.true_positives})")


def score(ground_truth: dict[str, Any], database_url: str, *, static_only: bool = False) -> Score:
    """Detected = stored placements (page URL, slot id); truth = the demo's ads (only those that
    need no JavaScript when ``static_only``). Decoys that were detected count as false positives."""
    truth = {(a["page_url"], a["slot_id"]): a for a in ground_truth["ads"]
             if not (static_only and a["needs_js"])}
    all_truth = {(a["page_url"], a["slot_id"]) for a in ground_truth["ads"]}
    crawled_pages = set()
    with session_scope(database_url) as s:
        names = {b.id: b.name for b in s.scalars(select(Brand))}
        rows = [(p.page.url, (p.slot or {}).get("id"), names.get(p.brand_id) if p.brand_id else None)
                for p in s.scalars(select(Placement))]
        from store.models import Page

        crawled_pages = {p.url for p in s.scalars(select(Page))}
    detected: dict[tuple[str, str | None], str | None] = {}
    for url, slot, brand in rows:
        detected[(url, slot)] = brand
    tp = [k for k in detected if k in truth]
    # in static scoring a detected JS ad is not a false positive, just outside the measured set
    fps = [k for k in detected if k not in truth and not (static_only and k in all_truth)]
    brand_ok = sum(1 for k in tp if detected[k] == truth[k]["brand"])
    missed = [k for k in truth if k not in detected and k[0] in crawled_pages]
    uncrawled = [k for k in truth if k[0] not in crawled_pages]
    measured_truth = len(truth) - len(uncrawled) if uncrawled else len(truth)
    return Score(detected=len(tp) + len(fps), truth=measured_truth, true_positives=len(tp),
                 brand_correct=brand_ok, false_positives=fps, missed=missed + uncrawled)
