"""French and English interface strings. Templates write the English text and ``_()`` gives
the French when the interface is in French; the language comes from the ``vigie_lang`` cookie
(set by the switch) or else the browser's Accept-Language."""

from __future__ import annotations

from collections.abc import Callable

from rules.garm import CATEGORIES

LANGS: tuple[str, ...] = ("fr", "en")
LANG_COOKIE = "vigie_lang"

FR: dict[str, str] = {
    "Overview": "Vue d'ensemble",
    "Exposures": "Expositions",
    "Exposure": "Exposition",
    "Sites": "Sites",
    "Site": "Site",
    "Brands": "Marques",
    "Brand": "Marque",
    "Response desk": "Cellule de réponse",
    "Exclusion lists": "Listes d'exclusion",
    "Crawl runs": "Collectes",
    "Crawl run": "Collecte",
    "Rules": "Règles",
    "API": "API",
    "Sign in": "Se connecter",
    "Sign out": "Se déconnecter",
    "User name": "Nom d'utilisateur",
    "Password": "Mot de passe",
    "Wrong user name or password.": "Nom d'utilisateur ou mot de passe incorrect.",
    "Signed in as": "Connecté en tant que",
    "role": "rôle",
    "Exposures at risk per brand (30 days)": "Expositions à risque par marque (30 jours)",
    "Riskiest sites": "Sites les plus risqués",
    "Pressure spikes": "Pics de pression",
    "Latest crawl runs": "Dernières collectes",
    "No data yet.": "Aucune donnée pour l'instant.",
    "placements": "placements",
    "sites": "sites",
    "last 24 h": "dernières 24 h",
    "7-day mean": "moyenne sur 7 jours",
    "Filter": "Filtrer",
    "Reset": "Réinitialiser",
    "All": "Toutes",
    "any": "tous",
    "Category": "Catégorie",
    "Categories": "Catégories",
    "Tier": "Niveau",
    "Minimum tier": "Niveau minimum",
    "Network": "Régie",
    "From": "Du",
    "To": "Au",
    "Page": "Page",
    "First seen": "Vu la première fois",
    "Last seen": "Vu la dernière fois",
    "Evidence": "Preuve",
    "Next page": "Page suivante",
    "First page": "Première page",
    "Export CSV": "Exporter en CSV",
    "Export JSONL": "Exporter en JSONL",
    "unknown advertiser": "annonceur inconnu",
    "Advertiser domain": "Domaine de l'annonceur",
    "Landing page": "Page d'atterrissage",
    "Creative": "Création",
    "Click chain": "Chaîne de clics",
    "Rendered in a browser": "Rendu dans un navigateur",
    "yes": "oui",
    "no": "non",
    "Screenshot of the page, the ad outlined": "Capture de la page, publicité encadrée",
    "Screenshot of the ad": "Capture de la publicité",
    "No screenshot was kept for this placement.": "Aucune capture n'a été conservée pour ce placement.",
    "Ad text": "Texte de la publicité",
    "Ads.txt sellers": "Vendeurs ads.txt",
    "Exchange": "Plateforme",
    "Seller id": "Identifiant vendeur",
    "Seller name": "Nom du vendeur",
    "Relationship": "Relation",
    "Activist posts naming this site": "Publications militantes citant ce site",
    "Brands exposed": "Marques exposées",
    "Pressure timeline (30 days)": "Évolution de la pression (30 jours)",
    "posts per day": "publications par jour",
    "spike": "pic",
    "Pressure": "Pression",
    "Draft from template": "Rédiger depuis le modèle",
    "withdrawn": "retiré",
    "Cases": "Dossiers",
    "Exclusion suggestions": "Suggestions d'exclusion",
    "Suitability profile": "Profil d'adéquation",
    "Excluded tiers": "Niveaux exclus",
    "none (use defaults)": "aucun (par défaut)",
    "floor only": "plancher seulement",
    "high and above": "élevé et plus",
    "medium and above": "moyen et plus",
    "all risk": "tout risque",
    "Save": "Enregistrer",
    "Saved.": "Enregistré.",
    "Status": "Statut",
    "Deadline": "Échéance",
    "Assignee": "Responsable",
    "Post": "Publication",
    "Author": "Auteur",
    "Open": "Ouvrir",
    "overdue": "en retard",
    "Draft answer": "Projet de réponse",
    "Save draft": "Enregistrer le projet",
    "Approve answer": "Approuver la réponse",
    "Mark as answered": "Marquer comme répondu",
    "Reopen": "Rouvrir",
    "History": "Historique",
    "Language of the answer": "Langue de la réponse",
    "What Vigie saw": "Ce que Vigie a constaté",
    "Vigie's crawls saw this brand's ads on": "Les collectes de Vigie ont vu des publicités de cette marque sur",
    "Vigie's crawls did not see this brand's ads on":
        "Les collectes de Vigie n'ont pas vu de publicité de cette marque sur",
    "new": "nouveau",
    "drafted": "rédigé",
    "approved": "approuvé",
    "answered": "répondu",
    "suggested": "suggéré",
    "rejected": "rejeté",
    "Domain": "Domaine",
    "Reasons": "Raisons",
    "Note": "Note",
    "Approve": "Approuver",
    "Reject": "Rejeter",
    "Download approved entries": "Télécharger les entrées approuvées",
    "Only buyers and admins can review and download lists.":
        "Seuls les acheteurs et les administrateurs peuvent valider et télécharger les listes.",
    "Kind": "Type",
    "exclusion": "exclusion",
    "inclusion": "inclusion",
    "Started": "Début",
    "Finished": "Fin",
    "Statistics": "Statistiques",
    "Errors": "Erreurs",
    "This page refreshes itself while a run is in progress.":
        "Cette page se rafraîchit tant qu'une collecte est en cours.",
    "Paste a text or a URL": "Collez un texte ou une URL",
    "Text": "Texte",
    "Score": "Évaluer",
    "Worst tier": "Niveau le plus grave",
    "No risk found.": "Aucun risque trouvé.",
    "Rule": "Règle",
    "Terms": "Termes",
    "Snippet": "Extrait",
    "Source": "Source",
    "Not allowed": "Non autorisé",
    "Not found": "Introuvable",
    "Your role does not allow this action.": "Votre rôle ne permet pas cette action.",
    "Back": "Retour",
    "Search": "Rechercher",
    "Risk score": "Score de risque",
    "Name": "Nom",
    "Domains": "Domaines",
    "Open cases": "Dossiers ouverts",
    "Language": "Langue",
    "Evidence file": "Fichier de preuve",
    "Endpoints": "Points d'accès",
    "Parameters": "Paramètres",
    "Tactic": "Tactique",
    "Engagement": "Engagement",
    "Pages with a risk": "Pages à risque",
    "Site-level verdicts": "Verdicts au niveau du site",
    "Skip to content": "Aller au contenu",
}


def detect_lang(cookie: str | None, accept_language: str | None) -> str:
    """The switch's choice, else the first of fr/en the browser prefers, else French."""
    if cookie in LANGS:
        return cookie
    best: tuple[float, str] | None = None
    for part in (accept_language or "").split(","):
        code, _, params = part.strip().partition(";")
        base = code.strip().lower()[:2]
        if base not in LANGS:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if best is None or q > best[0]:
            best = (q, base)
    return best[1] if best else "fr"


def translator(lang: str) -> Callable[[str], str]:
    def _(text: str) -> str:
        return FR.get(text, text) if lang == "fr" else text

    return _


def category_label(key: str, lang: str) -> str:
    return CATEGORIES.get(key, {}).get(lang, key)


TIER_LABELS: dict[str, dict[str, str]] = {
    "floor": {"en": "floor", "fr": "plancher"},
    "high": {"en": "high", "fr": "élevé"},
    "medium": {"en": "medium", "fr": "moyen"},
    "low": {"en": "low", "fr": "faible"},
    "none": {"en": "none", "fr": "aucun"},
}


def tier_label(tier: str | None, lang: str) -> str:
    if not tier:
        return "—"
    return TIER_LABELS.get(tier, {}).get(lang, tier)
