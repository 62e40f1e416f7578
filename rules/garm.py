"""The GARM brand-safety framework's vocabulary: the 12 categories and the four risk tiers.
Every area of Vigie (rules, demo ground truth, API, dashboard, exports) uses these keys."""

from __future__ import annotations

CATEGORIES: dict[str, dict[str, str]] = {
    "adult": {"en": "Adult & explicit sexual content", "fr": "Contenu adulte et sexuellement explicite"},
    "arms": {"en": "Arms & ammunition", "fr": "Armes et munitions"},
    "crime": {"en": "Crime & harmful acts to individuals and society", "fr": "Crimes et actes nuisibles"},
    "death_injury_conflict": {"en": "Death, injury or military conflict",
                              "fr": "Mort, blessures ou conflit armé"},
    "piracy": {"en": "Online piracy", "fr": "Piratage en ligne"},
    "hate_speech": {"en": "Hate speech & acts of aggression", "fr": "Discours de haine et agressions"},
    "obscenity": {"en": "Obscenity and profanity", "fr": "Obscénité et grossièretés"},
    "drugs_alcohol_tobacco": {"en": "Illegal drugs, tobacco, e-cigarettes, vaping, alcohol",
                              "fr": "Drogues illicites, tabac, cigarette électronique, vapotage, alcool"},
    "spam_harmful": {"en": "Spam or harmful content", "fr": "Spam ou contenu nuisible"},
    "terrorism": {"en": "Terrorism", "fr": "Terrorisme"},
    "debated_social_issues": {"en": "Debated sensitive social issues",
                              "fr": "Sujets de société sensibles et débattus"},
    "misinformation": {"en": "Misinformation", "fr": "Désinformation"},
}

#: Worst first. "floor" is never suitable for any brand; "none" means no risk found.
TIERS: tuple[str, ...] = ("floor", "high", "medium", "low", "none")
TIER_RANK: dict[str, int] = {t: i for i, t in enumerate(TIERS)}


def worse(a: str, b: str) -> str:
    """The riskier of two tiers."""
    return a if TIER_RANK[a] <= TIER_RANK[b] else b
