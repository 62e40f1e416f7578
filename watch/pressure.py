"""Campaign pressure on each brand, pure: a time-decayed score, a spike alert and a daily
timeline, computed from :class:`Signal` values (one per post and tagged brand)."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

TACTIC_WEIGHTS: dict[str, float] = {"threat": 1.5, "proof": 1.3, "question": 1.0, "other": 0.7, "thanks": 0.2}
#: Calling a brand out beside a floor-tier site hurts more than beside a low-risk one.
TIER_WEIGHTS: dict[str, float] = {"floor": 2.0, "high": 1.6, "medium": 1.25, "low": 1.0, "none": 0.9}


@dataclass(frozen=True)
class Signal:
    brand_id: int
    at: datetime
    reach: int = 0
    engagement: int = 0
    tactic: str = "other"
    site_tier: str | None = None
    is_repost: bool = False


@dataclass
class PressureConfig:
    half_life_hours: float = 48.0
    spike_k: float = 3.0
    spike_min_mentions: int = 3
    baseline_days: int = 7
    tactic_weights: Mapping[str, float] = field(default_factory=lambda: dict(TACTIC_WEIGHTS))
    tier_weights: Mapping[str, float] = field(default_factory=lambda: dict(TIER_WEIGHTS))


@dataclass
class Spike:
    alert: bool
    last_24h: int
    mean: float
    std: float
    threshold: float


@dataclass
class BrandPressure:
    brand_id: int
    score: float
    posts: int
    last_24h: int
    spike: Spike
    timeline: list[dict[str, Any]]


def post_weight(sig: Signal, cfg: PressureConfig) -> float:
    """Undecayed weight of one post: audience (log reach), reactions (log engagement),
    tactic and the called-out site's risk tier. A repost counts for half."""
    w = (1.0 + math.log10(1 + max(sig.reach, 0))) * (1.0 + math.log10(1 + max(sig.engagement, 0)))
    w *= cfg.tactic_weights.get(sig.tactic, 1.0)
    w *= cfg.tier_weights.get(sig.site_tier or "none", 1.0)
    return w * (0.5 if sig.is_repost else 1.0)


def decayed_score(signals: Iterable[Signal], now: datetime, cfg: PressureConfig | None = None) -> float:
    cfg = cfg or PressureConfig()
    total = 0.0
    for sig in signals:
        age_h = max(0.0, (now - sig.at).total_seconds() / 3600.0)
        total += post_weight(sig, cfg) * 0.5 ** (age_h / cfg.half_life_hours)
    return round(total, 4)


def spike(times: Iterable[datetime], now: datetime, cfg: PressureConfig | None = None) -> Spike:
    """Mentions in the last 24 h against the daily counts of the ``baseline_days`` before:
    alert when above mean + k * std (and at least ``spike_min_mentions``, so one post on a
    silent brand is no spike)."""
    cfg = cfg or PressureConfig()
    last = 0
    days = [0] * cfg.baseline_days
    for t in times:
        age = now - t
        if age < timedelta(0):
            continue
        if age <= timedelta(hours=24):
            last += 1
            continue
        idx = int((age - timedelta(hours=24)) / timedelta(hours=24))
        if idx < cfg.baseline_days:
            days[idx] += 1
    mean = statistics.fmean(days) if days else 0.0
    std = statistics.pstdev(days) if len(days) > 1 else 0.0
    threshold = mean + cfg.spike_k * std
    return Spike(alert=last > threshold and last >= cfg.spike_min_mentions, last_24h=last, mean=round(mean, 4),
                 std=round(std, 4), threshold=round(threshold, 4))


def timeline(signals: Iterable[Signal], cfg: PressureConfig | None = None) -> list[dict[str, Any]]:
    """Per day (UTC): posts, reach, engagement and undecayed weight, oldest day first."""
    cfg = cfg or PressureConfig()
    days: dict[date, dict[str, float]] = defaultdict(lambda: {"posts": 0, "reach": 0, "engagement": 0, "weight": 0.0})
    for sig in signals:
        d = days[sig.at.date()]
        d["posts"] += 1
        d["reach"] += sig.reach
        d["engagement"] += sig.engagement
        d["weight"] += post_weight(sig, cfg)
    return [{"day": day.isoformat(), "posts": int(v["posts"]), "reach": int(v["reach"]),
             "engagement": int(v["engagement"]), "weight": round(v["weight"], 4)}
            for day, v in sorted(days.items())]


def pressure_by_brand(signals: Iterable[Signal], now: datetime,
                      cfg: PressureConfig | None = None) -> dict[int, BrandPressure]:
    cfg = cfg or PressureConfig()
    by_brand: dict[int, list[Signal]] = defaultdict(list)
    for sig in signals:
        if sig.at <= now:
            by_brand[sig.brand_id].append(sig)
    out = {}
    for bid, sigs in by_brand.items():
        sp = spike([s.at for s in sigs], now, cfg)
        out[bid] = BrandPressure(brand_id=bid, score=decayed_score(sigs, now, cfg), posts=len(sigs),
                                 last_24h=sp.last_24h, spike=sp, timeline=timeline(sigs, cfg))
    return out
