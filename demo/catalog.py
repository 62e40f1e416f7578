"""The fixed cast of the demo web: fictional publishers, advertiser brands, unknown advertisers
and the real ad-tech host names the proxy answers for. The seed decides everything else
(which ad goes where, click chains, texts picked from the banks, post order).

Every publisher and brand here is invented; any resemblance to a real company is accidental.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteSpec:
    domain: str          # registrable domain
    host: str            # host the pages live on (may be www.<domain>)
    name: str
    aliases: tuple[str, ...]
    lang: str            # fr | en
    kind: str            # news | blog | forum
    topics: tuple[str, ...]   # one article per entry, see demo.content.TOPIC_TRUTH
    networks: tuple[str, ...]
    color: str
    url_style: str       # dated | slug | forum_query | forum_path
    mfa: bool = False    # made for advertising: many slots per page


@dataclass(frozen=True)
class BrandSpec:
    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    handle: str          # x handle; mastodon/bluesky handles derive from it
    mastodon_instance: str
    color: str
    lang: str
    tagline_fr: str
    tagline_en: str
    campaigns: tuple[str, ...]   # landing paths
    www: bool = True


GAM = "Google Ad Manager"
CRITEO = "Criteo"
XANDR = "Xandr"
TABOOLA = "Taboola"
OUTBRAIN = "Outbrain"
EQUATIV = "Equativ"
NETWORKS: tuple[str, ...] = (GAM, CRITEO, XANDR, TABOOLA, OUTBRAIN, EQUATIV)

#: ads.txt ad-system domain, certification authority id and seller-id style per network.
AD_SYSTEMS: dict[str, tuple[str, str, str]] = {
    GAM: ("google.com", "f08c47fec0942fa0", "pub-{n16}"),
    CRITEO: ("criteo.com", "9fac4a4a87c2a44f", "B-{n6}"),
    XANDR: ("appnexus.com", "f5ab79cb980f11d1", "{n4}"),
    TABOOLA: ("taboola.com", "c228e6794e811952", "vigiedemo-{slug}"),
    OUTBRAIN: ("outbrain.com", "", "00{n10}"),
    EQUATIV: ("smartadserver.com", "060d053dcf45cbf3", "{n5}"),
}

#: Hosts serving the networks' sellers.json (fallback when demo.supply is absent).
SELLERS_HOSTS: dict[str, str] = {
    GAM: "realtimebidding.google.com",
    CRITEO: "criteo.com",
    XANDR: "appnexus.com",
    TABOOLA: "taboola.com",
    OUTBRAIN: "outbrain.com",
    EQUATIV: "smartadserver.com",
}

MASTODON_HOST = "mastodon.demo-social.org"
MASTODON_FILES_HOST = "files.demo-social.org"
OTHER_MASTODON_HOST = "social.demo-pro.fr"
BSKY_HOST = "appview.demo-bsky.org"
BSKY_CDN_HOST = "cdn.demo-bsky.org"

_ALL = NETWORKS

SITES: tuple[SiteSpec, ...] = (
    # ---------------------------------------------------------------- French
    SiteSpec("le-quotidien-libre.fr", "www.le-quotidien-libre.fr", "Le Quotidien Libre",
             ("Quotidien Libre", "LQL"), "fr", "news",
             ("news", "news", "sport", "news_terror", "news", "debated_social_issues"),
             (GAM, CRITEO, OUTBRAIN, XANDR), "#1f3a93", "dated"),
    SiteSpec("cuisine-de-mamie.fr", "cuisine-de-mamie.fr", "Cuisine de Mamie",
             ("La Cuisine de Mamie",), "fr", "blog",
             ("cooking",) * 5, (GAM, TABOOLA, EQUATIV), "#d35400", "slug"),
    SiteSpec("sport-direct-actu.fr", "sport-direct-actu.fr", "Sport Direct Actu",
             ("SDA", "Sport Direct"), "fr", "news",
             ("sport",) * 5, (GAM, CRITEO, TABOOLA), "#27ae60", "dated"),
    SiteSpec("patriote-eveille.fr", "patriote-eveille.fr", "Patriote Éveillé",
             ("Patriote Eveille", "PatrioteEveille", "Le Patriote Éveillé"), "fr", "blog",
             ("hate_speech", "hate_speech", "misinformation", "hate_speech", "misinformation",
              "debated_social_issues"),
             (GAM, CRITEO, XANDR, TABOOLA), "#7f1d1d", "slug"),
    SiteSpec("verite-cachee.info", "www.verite-cachee.info", "La Vérité Cachée",
             ("Vérité Cachée", "Verite Cachee"), "fr", "blog",
             ("misinformation",) * 5, (GAM, OUTBRAIN, EQUATIV), "#4a235a", "slug"),
    SiteSpec("forum-chasse-tir.fr", "forum-chasse-tir.fr", "Forum Chasse & Tir",
             ("Forum Chasse et Tir", "Chasse & Tir"), "fr", "forum",
             ("arms",) * 4, (GAM, XANDR, EQUATIV), "#5d6d7e", "forum_query"),
    SiteSpec("streamgratos.net", "streamgratos.net", "StreamGratos",
             ("Stream Gratos",), "fr", "blog",
             ("piracy",) * 5, (XANDR, CRITEO, OUTBRAIN), "#111111", "slug"),
    SiteSpec("lecoinvert-forum.fr", "lecoinvert-forum.fr", "Le Coin Vert",
             ("Coin Vert", "lecoinvert"), "fr", "forum",
             ("drugs_alcohol_tobacco",) * 5, (XANDR, TABOOLA, GAM), "#1e8449", "forum_path"),
    SiteSpec("forum-libre-expression.fr", "forum-libre-expression.fr", "Forum Libre Expression",
             ("FLE", "Libre Expression"), "fr", "forum",
             ("terrorism", "crime", "obscenity", "debated_social_issues", "crime"),
             (XANDR, EQUATIV, GAM), "#6e2c00", "forum_path"),
    # ---------------------------------------------------------------- English
    SiteSpec("dailyharbor.co.uk", "www.dailyharbor.co.uk", "The Daily Harbor",
             ("Daily Harbor", "DailyHarbor"), "en", "news",
             ("news", "news", "news_war", "tech", "sport", "news"),
             (GAM, TABOOLA, XANDR, CRITEO), "#0b5394", "dated"),
    SiteSpec("techpulse-weekly.com", "techpulse-weekly.com", "TechPulse Weekly",
             ("TechPulse",), "en", "blog",
             ("tech",) * 5, (GAM, OUTBRAIN, CRITEO), "#0e6655", "slug"),
    SiteSpec("wanderlust-ledger.com", "wanderlust-ledger.com", "Wanderlust Ledger",
             ("The Wanderlust Ledger",), "en", "blog",
             ("travel",) * 4, (GAM, TABOOLA), "#b9770e", "slug"),
    SiteSpec("truthbeacon-news.com", "truthbeacon-news.com", "Truth Beacon",
             ("TruthBeacon", "Truth Beacon News"), "en", "blog",
             ("misinformation", "misinformation", "hate_speech", "misinformation", "hate_speech"),
             (GAM, XANDR, OUTBRAIN, CRITEO), "#922b21", "dated"),
    SiteSpec("freeflix-hub.net", "freeflix-hub.net", "FreeFlix Hub",
             ("FreeFlix",), "en", "blog",
             ("piracy",) * 5, (XANDR, EQUATIV, TABOOLA), "#212f3d", "slug"),
    SiteSpec("velvet-nights.com", "velvet-nights.com", "Velvet Nights",
             ("VelvetNights",), "en", "blog",
             ("adult",) * 4, (XANDR, EQUATIV), "#6c3483", "slug"),
    SiteSpec("gunrack-forum.com", "gunrack-forum.com", "GunRack Forum",
             ("GunRack",), "en", "forum",
             ("arms", "arms", "arms", "crime"), (GAM, XANDR, CRITEO), "#515a5a", "forum_query"),
    SiteSpec("cloudnine-lounge.net", "cloudnine-lounge.net", "Cloud Nine Lounge",
             ("Cloud9 Lounge", "CloudNine"), "en", "forum",
             ("drugs_alcohol_tobacco",) * 4, (XANDR, OUTBRAIN), "#16a085", "forum_path"),
    SiteSpec("top10-buzz-daily.com", "www.top10-buzz-daily.com", "Top10 Buzz Daily",
             ("Top 10 Buzz", "Top10Buzz"), "en", "blog",
             ("spam_harmful",) * 6, _ALL, "#e74c3c", "slug", mfa=True),
)

BRANDS: tuple[BrandSpec, ...] = (
    BrandSpec("Maison Verdier", ("maison-verdier.fr",), ("Verdier", "MaisonVerdier"), "maisonverdier",
              MASTODON_HOST, "#2e7d32", "fr", "La nouvelle collection maison automne-hiver",
              "The new autumn-winter home collection", ("/collection-automne", "/soldes")),
    BrandSpec("NordVolt Energy", ("nordvolt-energy.com", "nordvolt.fr"), ("NordVolt", "Nordvolt"),
              "nordvolt", MASTODON_HOST, "#f1c40f", "en", "Passez à l'électricité 100 % verte",
              "Switch to 100% green electricity", ("/offers/green-tariff", "/fr/offre-verte")),
    BrandSpec("Banque Azur", ("banque-azur.fr",), ("Azur Banque", "BanqueAzur"), "banqueazur",
              OTHER_MASTODON_HOST, "#1565c0", "fr", "Votre compte sans frais la première année",
              "A fee-free account for your first year", ("/ouvrir-un-compte", "/credit-immo")),
    BrandSpec("Kestrel Airlines", ("kestrel-airlines.com",), ("Kestrel Air", "KestrelAir"),
              "kestrelair", MASTODON_HOST, "#00838f", "en", "Vols vers Lisbonne dès 39 €",
              "Fly to Lisbon from £35", ("/deals/lisbon", "/deals/winter-sun")),
    BrandSpec("Fromagerie Lavaud", ("fromagerie-lavaud.fr",), ("Lavaud",), "fromagerielavaud",
              MASTODON_HOST, "#fbc02d", "fr", "Le comté 24 mois livré chez vous",
              "24-month Comté delivered to your door", ("/boutique/comte",), www=False),
    BrandSpec("Opaline Cosmétiques", ("opaline-cosmetiques.fr",), ("Opaline", "Opaline Cosmetiques"),
              "opaline", MASTODON_HOST, "#ec407a", "fr", "Le sérum éclat aux huiles bio",
              "The organic radiance serum", ("/serum-eclat", "/coffrets")),
    BrandSpec("Brightmoor Insurance", ("brightmoor-insurance.co.uk",), ("Brightmoor",),
              "brightmoorins", OTHER_MASTODON_HOST, "#37474f", "en", "Assurance auto simple et claire",
              "Car insurance made simple", ("/car-insurance/quote",)),
    BrandSpec("Celadon Motors", ("celadon-motors.com", "celadon-motors.fr"), ("Celadon",),
              "celadonmotors", MASTODON_HOST, "#00695c", "en", "Essayez la nouvelle Celadon électrique",
              "Test-drive the new electric Celadon", ("/models/e-lumen", "/test-drive")),
    BrandSpec("Mutuelle Sérénis", ("mutuelle-serenis.fr",), ("Sérénis", "Serenis", "Mutuelle Serenis"),
              "mutuelleserenis", MASTODON_HOST, "#5e35b1", "fr", "Votre mutuelle santé dès 19 €/mois",
              "Health cover from €19 a month", ("/devis",), www=False),
    BrandSpec("Quill & Oak", ("quillandoak.co.uk",), ("Quill and Oak", "QuillAndOak"), "quillandoak",
              MASTODON_HOST, "#6d4c41", "en", "Mobilier en chêne massif fait main",
              "Handmade solid oak furniture", ("/sale", "/dining-tables")),
    BrandSpec("Trekwise Outdoor", ("trekwise-outdoor.com",), ("Trekwise",), "trekwise",
              MASTODON_HOST, "#ef6c00", "en", "Vestes imperméables -30 %",
              "Waterproof jackets 30% off", ("/jackets", "/boots")),
    BrandSpec("Vélo Lumière", ("velo-lumiere.fr",), ("Velo Lumiere", "VéloLumière"), "velolumiere",
              MASTODON_HOST, "#43a047", "fr", "Le vélo électrique urbain made in France",
              "The French-made urban e-bike", ("/velos-electriques",), www=False),
    BrandSpec("Harborline Telecom", ("harborline-telecom.com",), ("Harborline",), "harborline",
              OTHER_MASTODON_HOST, "#3949ab", "en", "La fibre à 24,99 €/mois",
              "Full-fibre broadband at £24.99", ("/broadband", "/mobile/sim-only")),
    BrandSpec("Biscuiterie Ker Anna", ("keranna-biscuits.fr",), ("Ker Anna", "KerAnna"), "keranna",
              MASTODON_HOST, "#c62828", "fr", "Galettes pur beurre de Bretagne",
              "All-butter Breton biscuits", ("/galettes",)),
    BrandSpec("Solstice Voyages", ("solstice-voyages.fr", "solstice-travel.com"), ("Solstice",),
              "solsticevoyages", MASTODON_HOST, "#ff8f00", "fr", "Séjours soleil tout compris",
              "All-inclusive sun holidays", ("/sejours/canaries", "/sejours/grece")),
    BrandSpec("Pixelforge Games", ("pixelforge-games.com",), ("Pixelforge", "PixelForge"),
              "pixelforge", MASTODON_HOST, "#8e24aa", "en", "Précommandez Starfall Odyssey",
              "Pre-order Starfall Odyssey", ("/starfall-odyssey",)),
    BrandSpec("Greenleaf Grocers", ("greenleaf-grocers.co.uk",), ("Greenleaf",), "greenleafgrocers",
              MASTODON_HOST, "#558b2f", "en", "Vos courses bio livrées en une heure",
              "Organic groceries delivered in an hour", ("/delivery", "/offers")),
    BrandSpec("Atelier Castel", ("atelier-castel.fr",), ("Castel", "AtelierCastel"), "ateliercastel",
              MASTODON_HOST, "#795548", "fr", "Maroquinerie artisanale française",
              "French handmade leather goods", ("/sacs", "/ceintures")),
)


@dataclass(frozen=True)
class UnknownSpec:
    name: str
    domain: str
    color: str
    tagline_fr: str
    tagline_en: str
    path: str


#: Advertisers deliberately absent from the brand registry (ground truth brand: null).
UNKNOWN: tuple[UnknownSpec, ...] = (
    UnknownSpec("SlimMiracle", "slim-miracle-now.biz", "#ff00aa", "Perdez 10 kg en une semaine !",
                "Lose 10 kg in one week!", "/offer"),
    UnknownSpec("CryptoGainz Pro", "crypto-gainz-pro.net", "#ffd600", "Devenez riche avec le bitcoin",
                "Get rich with bitcoin today", "/signup"),
    UnknownSpec("Discount Watch Outlet", "discount-watch-outlet.shop", "#212121",
                "Montres de luxe à -90 %", "Luxury watches 90% off", "/deals"),
)

#: Fictional trackers used by unknown advertisers (not ad networks).
LOOP_TRACKER_HOST = "go.clickloop-track.net"
LONG_TRACKER_HOST = "trk.fastlane-redirect.net"
LONG_CHAIN_HOPS = 12
