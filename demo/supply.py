"""The demo web's ads.txt, app-ads.txt and sellers.json, with planted faults.

Contract with ``demo.server``: :func:`supply_files` maps every ``(host, path)`` it returns to
``(status, headers, body)``; the proxy serves each key as is (including the redirect target
``/ads/ads.txt`` and the 404s). :func:`supply_truth` lists what was planted, so tests can ask
the cross-checks to find every fault and nothing else.

Every site declares ``OWNERDOMAIN`` = itself, one DIRECT account on each ad system its ads come
from (listed in that system's sellers.json as a PUBLISHER of the site) and one RESELLER line
through a shared intermediary. Then, by site (sorted by domain), roles are handed out in order:
missing seller, DIRECT-but-INTERMEDIARY, OWNERDOMAIN mismatch, one DIRECT account shared by
three unrelated sites, malformed lines, no ads.txt (404), a redirected ads.txt, the placeholder
record, a CRLF file with a BOM; the rest are clean. Pure and deterministic.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

#: ad network name (demo ground truth) -> ads.txt advertising system domain (as in real files)
NETWORK_SYSTEMS: dict[str, str] = {
    "Google Ad Manager": "google.com",
    "Criteo": "criteo.com",
    "Xandr": "appnexus.com",
    "Taboola": "taboola.com",
    "Outbrain": "outbrain.com",
    "Equativ": "smartadserver.com",
}
#: public TAG certification ids of those systems (field #4)
CERT_IDS: dict[str, str] = {
    "google.com": "f08c47fec0942fa0",
    "criteo.com": "9fac4a4a87c2a44f",
    "appnexus.com": "f5ab79cb980f11d1",
    "taboola.com": "c228e6794e811952",
    "smartadserver.com": "060d053dcf45cbf3",
}
SYSTEM_NAMES = {
    "google.com": "Google", "criteo.com": "Criteo", "appnexus.com": "Xandr", "taboola.com": "Taboola",
    "outbrain.com": "Outbrain", "smartadserver.com": "Equativ",
}
RESELLER = ("appnexus.com", "7001", "Demo Reseller Network", "resellernetwork.example")
SHARED = ("smartadserver.com", "424242", "Yield Arbitrage Ltd", "yieldarbitrage.example")
FOREIGN_OWNER = "holdingmedia.example"
ROLES = ("missing_seller", "direct_intermediary", "ownerdomain_mismatch", "shared_account", "malformed",
         "absent", "redirect", "placeholder", "crlf")
TEXT = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "max-age=86400"}
JSON_HEADERS = {"Content-Type": "application/json", "Cache-Control": "max-age=86400"}
HTML_404 = {"Content-Type": "text/html; charset=utf-8"}
MALFORMED = (
    ("google.com pub-0000000000000001 DIRECT", "no commas"),
    ("criteo.com, , DIRECT", "empty account id"),
    ("appnexus.com, 1234, DIRCT", "misspelt relationship"),
    ("taboola.com, abc, RESELLER, c228e6794e811952, extra", "five fields"),
    ("sub domain=news.example.com", "variable name with a space"),
    ("<html><body>ads</body></html>", "HTML"),
)

Files = dict[tuple[str, str], tuple[int, dict[str, str], bytes]]


def _digits(seed: str, n: int) -> str:
    h = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return str(h)[:n].rjust(n, "0")


def account_id(system: str, site: str) -> str:
    """The demo DIRECT account of a site on an ad system, shaped like the real ones."""
    if system == "google.com":
        return "pub-" + _digits(system + site, 16)
    if system == "outbrain.com":
        return hashlib.sha256((system + site).encode()).hexdigest()[:32]
    if system == "taboola.com":
        return "demo-" + site.split(".")[0].lower() + "-" + _digits(system + site, 4)
    return _digits(system + site, 6).lstrip("0") or "1"


def _truth(world: Any) -> dict[str, Any]:
    truth = world.ground_truth() if hasattr(world, "ground_truth") else world
    return truth if isinstance(truth, dict) else {}


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def site_systems(world: Any) -> dict[str, list[str]]:
    """Site domain -> the ad systems its ads come from (ground truth ``ads``: page_url, network).
    A site without any ad seen still sells through Google, like most of the web."""
    truth = _truth(world)
    sites = sorted({str(s["domain"]).lower() for s in truth.get("sites", []) if s.get("domain")})
    used: dict[str, set[str]] = {s: set() for s in sites}
    for ad in truth.get("ads", []) or []:
        host = _host(str(ad.get("page_url") or ""))
        system = NETWORK_SYSTEMS.get(str(ad.get("network") or ""))
        if system is None:
            continue
        for site in sites:
            if host == site or host.endswith("." + site):
                used[site].add(system)
    return {s: sorted(used[s]) or ["google.com"] for s in sites}


def risky_sites(world: Any) -> set[str]:
    """Sites the ground truth gives a risk category (or marks made-for-advertising)."""
    return {str(s["domain"]).lower() for s in _truth(world).get("sites", [])
            if s.get("domain") and (s.get("categories") or s.get("mfa"))}


FAULT_ROLES = ("missing_seller", "direct_intermediary", "ownerdomain_mismatch", "shared_account", "malformed")


def _roles(sites: list[str], risky: set[str]) -> dict[str, str]:
    """Faults go to risky sites first (a flagged site should have sellers to block), the
    file-level scenarios (404, redirect, placeholder, CRLF) to safe sites first."""
    roles: dict[str, str] = {}
    for role in ROLES:
        need = 3 if role == "shared_account" else 1
        order = sorted((s for s in sites if s not in roles),
                       key=lambda s: ((s not in risky) if role in FAULT_ROLES else (s in risky), s))
        if len(order) < need:
            continue
        for site in order[:need]:
            roles[site] = role
    return {s: roles.get(s, "clean") for s in sorted(sites)}


def world_accounts(world: Any) -> dict[tuple[str, str], str]:
    """(site, ad system) -> the seller account the world gave the site, when the world object
    exposes them (``world.sites[i].domain`` / ``.accounts`` by network); {} otherwise."""
    out: dict[tuple[str, str], str] = {}
    for site in getattr(world, "sites", None) or []:
        accounts = getattr(site, "accounts", None)
        domain = getattr(site, "domain", None)
        if not isinstance(accounts, dict) or not isinstance(domain, str):
            continue
        for network, account in accounts.items():
            system = NETWORK_SYSTEMS.get(str(network))
            if system and isinstance(account, str) and account.strip():
                out[(domain.lower(), system)] = account.strip()
    return out


class _Plan:
    """Builds every file and the truth together, so they cannot disagree."""

    def __init__(self, world: Any) -> None:
        self.systems = site_systems(world)
        self.accounts = world_accounts(world)
        self.roles = _roles(list(self.systems), risky_sites(world))
        self.files: Files = {}
        self.faults: list[dict[str, Any]] = []
        self.scenarios: dict[str, list[str]] = {r: [] for r in ("absent", "redirect", "placeholder", "crlf")}
        # ad system -> seller entries (dicts as in sellers.json)
        self.sellers: dict[str, list[dict[str, Any]]] = {s: [] for s in SYSTEM_NAMES}
        self.app_ads_site: str | None = None
        self._build()

    def account(self, system: str, site: str) -> str:
        return self.accounts.get((site, system)) or account_id(system, site)

    def fault(self, kind: str, site: str, line: int, system: str | None, account: str | None) -> None:
        self.faults.append({"kind": kind, "site": site, "line": line, "ad_system": system,
                            "account_id": account, "file": "ads.txt"})

    def _publisher(self, system: str, account: str, name: str, domain: str) -> None:
        self.sellers[system].append({"seller_id": account, "seller_type": "PUBLISHER", "name": name,
                                     "domain": domain})

    def _lines_for(self, site: str, role: str) -> list[str]:
        lines = [f"# ads.txt for {site} (Vigie demo web)", f"OWNERDOMAIN={site}", f"CONTACT=adops@{site}"]
        for system in self.systems[site]:
            account = self.account(system, site)
            cert = CERT_IDS.get(system)
            lines.append(f"{system}, {account}, DIRECT" + (f", {cert}" if cert else ""))
            owner = FOREIGN_OWNER if role == "ownerdomain_mismatch" and system == self.systems[site][0] else site
            self._publisher(system, account, site, owner)
            if owner != site:
                self.fault("ownerdomain_mismatch", site, len(lines), system, account)
        lines.append(f"{RESELLER[0]}, {RESELLER[1]}, RESELLER, {CERT_IDS[RESELLER[0]]} ; demo-extension=1")
        if role == "missing_seller":
            system = self.systems[site][0]
            account = "999" + _digits("missing" + site, 5)
            lines.append(f"{system}, {account}, DIRECT")
            self.fault("missing_seller", site, len(lines), system, account)
        elif role == "direct_intermediary":
            lines.append(f"{RESELLER[0]}, {RESELLER[1]}, DIRECT, {CERT_IDS[RESELLER[0]]}")
            self.fault("direct_intermediary", site, len(lines), RESELLER[0], RESELLER[1])
        elif role == "shared_account":
            lines.append(f"{SHARED[0]}, {SHARED[1]}, DIRECT, {CERT_IDS[SHARED[0]]}")
            self.fault("shared_account", site, len(lines), SHARED[0], SHARED[1])
        elif role == "malformed":
            for text, _why in MALFORMED:
                lines.append(text)
                self.fault("malformed_line", site, len(lines), None, None)
        return lines

    def _build(self) -> None:
        for site, role in self.roles.items():
            if role == "absent":
                self.files[(site, "/ads.txt")] = (404, dict(HTML_404), b"<h1>Not found</h1>")
                self.scenarios["absent"].append(site)
            elif role == "placeholder":
                body = f"OWNERDOMAIN={site}\nplaceholder.example.com, placeholder, DIRECT, placeholder\n"
                self.files[(site, "/ads.txt")] = (200, dict(TEXT), body.encode())
                self.scenarios["placeholder"].append(site)
            else:
                lines = self._lines_for(site, role)
                eol = "\r\n" if role == "crlf" else "\n"
                body_bytes = (eol.join(lines) + eol).encode()
                if role == "crlf":
                    body_bytes = b"\xef\xbb\xbf" + body_bytes
                    self.scenarios["crlf"].append(site)
                if role == "redirect":
                    self.files[(site, "/ads.txt")] = (301, {"Location": f"http://{site}/ads/ads.txt"}, b"")
                    self.files[(site, "/ads/ads.txt")] = (200, dict(TEXT), body_bytes)
                    self.scenarios["redirect"].append(site)
                else:
                    self.files[(site, "/ads.txt")] = (200, dict(TEXT), body_bytes)
                if role == "clean" and self.app_ads_site is None:
                    self.app_ads_site = site
            if site == self.app_ads_site:
                app = [f"# app-ads.txt for {site}", f"OWNERDOMAIN={site}",
                       f"google.com, {self.account('google.com', site)}, DIRECT, {CERT_IDS['google.com']}",
                       f"{RESELLER[0]}, {RESELLER[1]}, RESELLER, {CERT_IDS[RESELLER[0]]}"]
                if "google.com" not in self.systems[site]:
                    self._publisher("google.com", self.account("google.com", site), site, site)
                self.files[(site, "/app-ads.txt")] = (200, dict(TEXT), ("\n".join(app) + "\n").encode())
            else:
                self.files[(site, "/app-ads.txt")] = (404, dict(HTML_404), b"<h1>Not found</h1>")
        self.sellers[RESELLER[0]].append({"seller_id": RESELLER[1], "seller_type": "INTERMEDIARY",
                                          "name": RESELLER[2], "domain": RESELLER[3]})
        self.sellers[SHARED[0]].append({"seller_id": SHARED[1], "seller_type": "BOTH",
                                        "name": SHARED[2], "domain": SHARED[3]})
        for system, entries in self.sellers.items():
            self.files[(system, "/sellers.json")] = (200, dict(JSON_HEADERS), _sellers_json(system, entries))


def _sellers_json(system: str, entries: Iterable[dict[str, Any]]) -> bytes:
    sellers = [dict(e) for e in entries]
    sellers.append({"seller_id": "confidential-1", "seller_type": "PUBLISHER", "is_confidential": 1})
    doc: dict[str, Any] = {
        "contact_email": f"adops@{system}",
        "contact_address": f"{SYSTEM_NAMES[system]} demo, 1 rue de l'Exemple, Paris",
        "version": "1.0",
        "identifiers": [{"name": "TAG-ID", "value": CERT_IDS[system]}] if system in CERT_IDS else [],
        "sellers": sellers,
    }
    if system == "criteo.com":
        # real-world deviations the parser must tolerate: numbers for ids and version, extra keys
        doc["version"] = 1
        doc["demo_generated_by"] = "vigie"
        for s in sellers:
            if str(s["seller_id"]).isdigit():
                s["seller_id"] = int(s["seller_id"])
    return json.dumps(doc, indent=1, ensure_ascii=False).encode()


def supply_files(world: Any) -> Files:
    """(host, path) -> (HTTP status, headers, body) for every ads.txt-related URL of the demo."""
    return _Plan(world).files


def supply_truth(world: Any) -> dict[str, Any]:
    """What :func:`supply_files` planted: ``faults`` (kind, site, line, ad_system, account_id,
    file), ``scenarios`` (absent, redirect, placeholder, crlf: site lists), ``roles`` by site and
    the ad systems that serve a sellers.json."""
    plan = _Plan(world)
    return {
        "faults": sorted(plan.faults, key=lambda f: (f["site"], f["line"], f["kind"])),
        "scenarios": plan.scenarios,
        "roles": plan.roles,
        "app_ads_site": plan.app_ads_site,
        "sellers_hosts": sorted(plan.sellers),
        "shared_threshold": 3,
    }
