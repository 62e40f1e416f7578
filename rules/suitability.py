"""Brand suitability profiles (DV360's GARM semantics) and brand exposure.

A profile maps each GARM category to the lowest tier the brand excludes:
``floor`` (floor only), ``high`` (high and above), ``medium`` (medium and above) or ``all``
(every risk tier, low included). The floor is always excluded, whatever the profile says."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rules.garm import CATEGORIES, TIER_RANK, TIERS
from vigie.errors import UserError

LEVELS = ("floor", "high", "medium", "all")
_ALIASES = {"low": "all", "floor_only": "floor", "none": "floor"}
DEFAULT_LEVEL = "floor"


def parse_profile(raw: dict[str, Any] | None, where: str = "suitability") -> dict[str, str]:
    """A stored/typed profile -> category -> level, for all 12 categories. ``default`` (or ``*``)
    sets the level of categories not named; unknown keys or levels raise UserError."""
    raw = dict(raw or {})
    default = str(raw.pop("default", raw.pop("*", DEFAULT_LEVEL))).lower()
    default = _ALIASES.get(default, default)
    if default not in LEVELS:
        raise UserError(f"{where}: field 'default': expected one of {', '.join(LEVELS)}")
    profile = dict.fromkeys(CATEGORIES, default)
    for cat, level in raw.items():
        if cat not in CATEGORIES:
            raise UserError(f"{where}: unknown GARM category {cat!r} (expected one of {', '.join(CATEGORIES)})")
        lv = _ALIASES.get(str(level).lower(), str(level).lower())
        if lv not in LEVELS:
            raise UserError(f"{where}: field '{cat}': expected one of {', '.join(LEVELS)}, got {level!r}")
        profile[cat] = lv
    return profile


def excluded_tiers(level: str) -> frozenset[str]:
    """Tiers a level excludes: floor -> {floor}; high -> {floor, high}; medium -> +medium; all -> +low."""
    level = _ALIASES.get(level, level)
    if level == "all":
        return frozenset(TIERS[:-1])
    if level not in TIER_RANK or level == "none":
        return frozenset({"floor"})
    return frozenset(t for t in TIERS[:-1] if TIER_RANK[t] <= TIER_RANK[level]) | {"floor"}


def is_excluded(profile: dict[str, str], category: str, tier: str) -> bool:
    if tier == "floor":
        return True
    return tier in excluded_tiers(profile.get(category, DEFAULT_LEVEL))


def violations(profile: dict[str, str], tiers: dict[str, str]) -> list[tuple[str, str]]:
    """(category, tier) pairs of ``tiers`` that the profile excludes, worst first."""
    out = [(c, t) for c, t in tiers.items() if t != "none" and is_excluded(profile, c, t)]
    return sorted(out, key=lambda ct: (TIER_RANK[ct[1]], ct[0]))


@dataclass
class PlacementRisk:
    """One placement as exposure needs it: where it ran and how risky that page/site is."""

    site: str
    page_url: str
    page_tiers: dict[str, str]
    site_tiers: dict[str, str] = field(default_factory=dict)
    weight: float = 1.0  # e.g. times seen


@dataclass
class Exposure:
    brand: str
    placements: int
    unsuitable: int
    share_unsuitable: float
    weighted_risk: float  # 0-100, placements weighted by the points of their excluded tiers
    by_category: dict[str, int]
    by_site: dict[str, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


_POINTS = {"floor": 100.0, "high": 60.0, "medium": 30.0, "low": 10.0, "none": 0.0}


def exposure(brand: str, profile: dict[str, str], placements: list[PlacementRisk]) -> Exposure:
    """How much of a brand's delivery ran where its profile says it should not.

    A placement is unsuitable when the page's tier, or the site's (share-aware) tier, of any
    category is excluded by the profile; its weight counts the points of the worst such tier."""
    total_w = sum(p.weight for p in placements)
    unsuitable = 0
    risk = 0.0
    by_cat: dict[str, int] = {}
    by_site: dict[str, dict[str, Any]] = {}
    for p in placements:
        merged: dict[str, str] = dict(p.site_tiers)
        for c, t in p.page_tiers.items():
            if TIER_RANK[t] < TIER_RANK.get(merged.get(c, "none"), 4):
                merged[c] = t
        bad = violations(profile, merged)
        s = by_site.setdefault(p.site, {"placements": 0, "unsuitable": 0, "categories": {}})
        s["placements"] += 1
        if bad:
            unsuitable += 1
            s["unsuitable"] += 1
            risk += p.weight * _POINTS[bad[0][1]]
            for c, t in bad:
                by_cat[c] = by_cat.get(c, 0) + 1
                s["categories"][c] = t if c not in s["categories"] else min(
                    s["categories"][c], t, key=TIER_RANK.__getitem__)
    n = len(placements)
    return Exposure(brand, n, unsuitable, round(unsuitable / n, 4) if n else 0.0,
                    round(risk / total_w, 2) if total_w else 0.0, by_cat, by_site)
