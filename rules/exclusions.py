"""Exclusion (and inclusion) suggestions for one brand: pure decisions with their reasons.

A site is suggested for exclusion when its site-level tier in some category is excluded by the
brand's suitability profile, or when activists called it out; every reason says which. A site
is suggested for inclusion when it has enough scored pages, no category over the profile and no
call-out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rules.garm import TIER_RANK
from rules.suitability import violations


@dataclass
class SiteRisk:
    """A site as the suggestion step sees it (built by the caller from stored verdicts)."""

    domain: str
    tiers: dict[str, str]  # category -> site-level tier
    pages: int = 0
    notes: dict[str, str] = field(default_factory=dict)  # category -> evidence note
    called_out: int = 0
    posts: list[str] = field(default_factory=list)  # activist post URLs naming the site
    placements: int = 0  # this brand's placements seen on the site


@dataclass
class Suggestion:
    domain: str
    kind: str  # exclusion | inclusion
    reasons: list[dict[str, Any]]
    priority: float  # higher first: worse tier, more call-outs, more of the brand's placements


def suggest_exclusions(profile: dict[str, str], sites: list[SiteRisk], *,
                       min_callouts: int = 1) -> list[Suggestion]:
    out: list[Suggestion] = []
    for s in sites:
        reasons: list[dict[str, Any]] = []
        for cat, tier in violations(profile, s.tiers):
            reasons.append({"type": "category", "category": cat, "tier": tier,
                            "profile": profile.get(cat, "floor"), "note": s.notes.get(cat, "")})
        if s.called_out >= min_callouts:
            reasons.append({"type": "activist", "posts": s.called_out, "urls": s.posts[:5],
                            "note": f"called out by {s.called_out} activist post(s)"})
        if not reasons:
            continue
        worst = min((TIER_RANK[r["tier"]] for r in reasons if r["type"] == "category"), default=4)
        priority = (4 - worst) * 10 + min(s.called_out, 10) * 3 + min(s.placements, 100) * 0.1
        out.append(Suggestion(s.domain, "exclusion", reasons, round(priority, 2)))
    return sorted(out, key=lambda x: (-x.priority, x.domain))


def suggest_inclusions(profile: dict[str, str], sites: list[SiteRisk], *, min_pages: int = 3) -> list[Suggestion]:
    out: list[Suggestion] = []
    for s in sites:
        if s.pages < min_pages or s.called_out or violations(profile, s.tiers):
            continue
        worst = min((TIER_RANK[t] for t in s.tiers.values()), default=4)
        reasons = [{"type": "clean", "pages": s.pages,
                    "note": f"{s.pages} scored pages, none over the brand's profile"}]
        out.append(Suggestion(s.domain, "inclusion", reasons, round(worst * 10 + min(s.pages, 50) * 0.1, 2)))
    return sorted(out, key=lambda x: (-x.priority, x.domain))


def reason_text(reasons: list[dict[str, Any]]) -> str:
    """One line per entry for CSV exports and terminals."""
    parts = []
    for r in reasons:
        if r.get("type") == "category":
            parts.append(f"{r['category']}={r['tier']} (profile {r.get('profile', 'floor')})"
                         + (f": {r['note']}" if r.get("note") else ""))
        else:
            parts.append(str(r.get("note") or r.get("type")))
    return "; ".join(parts)
