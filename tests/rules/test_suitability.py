"""DV360 GARM suitability semantics and brand exposure."""

from __future__ import annotations

import pytest

from rules.garm import CATEGORIES
from rules.suitability import PlacementRisk, excluded_tiers, exposure, is_excluded, parse_profile, violations
from vigie.errors import UserError


def test_levels_exclude_tiers_and_above() -> None:
    assert excluded_tiers("floor") == {"floor"}
    assert excluded_tiers("high") == {"floor", "high"}
    assert excluded_tiers("medium") == {"floor", "high", "medium"}
    assert excluded_tiers("all") == {"floor", "high", "medium", "low"}


def test_floor_always_excluded_and_defaults() -> None:
    p = parse_profile({})
    assert set(p) == set(CATEGORIES) and set(p.values()) == {"floor"}
    assert is_excluded(p, "adult", "floor")
    assert not is_excluded(p, "adult", "high")
    p = parse_profile({"default": "medium", "adult": "all"})
    assert is_excluded(p, "arms", "medium") and not is_excluded(p, "arms", "low")
    assert is_excluded(p, "adult", "low")
    assert violations(p, {"arms": "low", "adult": "low", "crime": "high"}) == [("crime", "high"), ("adult", "low")]


def test_bad_profile_is_a_user_error() -> None:
    with pytest.raises(UserError, match="gambling"):
        parse_profile({"gambling": "high"})
    with pytest.raises(UserError, match="'arms'"):
        parse_profile({"arms": "severe"})


def test_exposure_weights_by_worst_excluded_tier() -> None:
    profile = parse_profile({"default": "high"})
    placements = [
        PlacementRisk("a.test", "http://a.test/1", {"arms": "high"}),
        PlacementRisk("a.test", "http://a.test/2", {}),
        PlacementRisk("b.test", "http://b.test/1", {"arms": "medium"}, site_tiers={"adult": "floor"}),
        PlacementRisk("c.test", "http://c.test/1", {"crime": "medium"}),
    ]
    e = exposure("Acme", profile, placements)
    assert e.placements == 4 and e.unsuitable == 2 and e.share_unsuitable == 0.5
    assert e.weighted_risk == (60 + 100) / 4
    assert e.by_site["b.test"]["categories"] == {"adult": "floor"}
    assert e.by_category == {"arms": 1, "adult": 1}
