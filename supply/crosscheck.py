"""Cross-checks between sites' ads.txt files and exchanges' sellers.json, and the supply path
to cut a flagged site off at the exchange. Pure: inputs are parsed files, outputs are findings
and rows; export writers return strings."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from supply.adstxt import ParseResult, Record
from supply.sellers import SellerEntry
from vigie.csvcells import neutralise_cell
from vigie.domains import registrable_domain

KINDS = ("malformed_line", "missing_seller", "direct_intermediary", "ownerdomain_mismatch", "shared_account")
DEFAULT_SHARED_THRESHOLD = 3


@dataclass(frozen=True)
class Finding:
    kind: str
    site: str
    line: int
    ad_system: str | None
    account_id: str | None
    detail: str
    file: str = "ads.txt"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class SiteFile:
    """One site's parsed ads.txt or app-ads.txt."""

    site: str
    parsed: ParseResult
    kind: str = "ads.txt"

    @property
    def owner(self) -> str:
        """OWNERDOMAIN, or the site itself when absent (spec 4.7)."""
        return self.parsed.owner_domain or registrable_domain(self.site) or self.site


@dataclass
class Directory:
    """One exchange's sellers.json, indexed by seller id. Only exchanges whose file was read
    get a Directory: without one, nothing can be said about a seller being missing."""

    ad_system: str
    sellers: dict[str, SellerEntry] = field(default_factory=dict)

    @classmethod
    def of(cls, ad_system: str, sellers: Iterable[SellerEntry]) -> Directory:
        d = cls(ad_system.lower())
        for s in sellers:
            d.sellers.setdefault(s.seller_id, s)
        return d


def _same_domain(a: str, b: str) -> bool:
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    return a == b or (registrable_domain(a) or a) == (registrable_domain(b) or b)


def check_site(site_file: SiteFile, directories: Mapping[str, Directory]) -> list[Finding]:
    """Findings of one file alone: malformed lines, and each record against its sellers.json."""
    out: list[Finding] = []
    site, kind = site_file.site, site_file.kind
    for err in site_file.parsed.errors:
        if err.line > 0:
            out.append(Finding("malformed_line", site, err.line, None, None, err.reason, kind))
    for rec in site_file.parsed.authorised:
        directory = directories.get(rec.ad_system)
        if directory is None:
            continue
        seller = directory.sellers.get(rec.account_id)
        if seller is None:
            out.append(Finding("missing_seller", site, rec.line, rec.ad_system, rec.account_id,
                               f"{rec.relationship} account {rec.account_id} is not in "
                               f"{rec.ad_system}/sellers.json", kind))
            continue
        if rec.relationship == "DIRECT" and seller.seller_type == "INTERMEDIARY":
            out.append(Finding("direct_intermediary", site, rec.line, rec.ad_system, rec.account_id,
                               f"declared DIRECT but {rec.ad_system} lists seller "
                               f"{seller.name or rec.account_id!r} as INTERMEDIARY", kind))
        elif (rec.relationship == "DIRECT" and seller.seller_type == "PUBLISHER" and seller.domain
              and not seller.is_confidential and not _same_domain(seller.domain, site_file.owner)):
            out.append(Finding("ownerdomain_mismatch", site, rec.line, rec.ad_system, rec.account_id,
                               f"OWNERDOMAIN {site_file.owner} but {rec.ad_system} says this PUBLISHER "
                               f"account belongs to {seller.domain}", kind))
    return out


def _owner_groups(files: Iterable[SiteFile]) -> dict[str, str]:
    """Site -> group id; sites sharing an OWNERDOMAIN or a MANAGERDOMAIN are related."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    for f in files:
        node = "site:" + f.site
        union(node, "owner:" + f.owner)
        for manager, _country in f.parsed.manager_domains:
            union(node, "manager:" + manager)
    return {key[5:]: find(key) for key in list(parent) if key.startswith("site:")}


def shared_accounts(files: list[SiteFile], threshold: int = DEFAULT_SHARED_THRESHOLD) -> list[Finding]:
    """The same DIRECT account on one exchange declared by ``threshold`` or more unrelated
    owners: DIRECT means the publisher controls the account, so unrelated sites cannot share it."""
    groups = _owner_groups(files)
    by_account: dict[tuple[str, str], list[tuple[SiteFile, Record]]] = defaultdict(list)
    for f in files:
        for rec in f.parsed.authorised:
            if rec.relationship == "DIRECT":
                by_account[(rec.ad_system, rec.account_id)].append((f, rec))
    out: list[Finding] = []
    for (ad_system, account_id), uses in sorted(by_account.items()):
        owners = sorted({groups[f.site] for f, _ in uses})
        if len(owners) < threshold:
            continue
        sites = sorted({f.site for f, _ in uses})
        for f, rec in uses:
            others = [s for s in sites if s != f.site]
            out.append(Finding("shared_account", f.site, rec.line, ad_system, account_id,
                               f"DIRECT account also declared by {len(owners) - 1} unrelated owner(s): "
                               + ", ".join(others[:10]) + (" ..." if len(others) > 10 else ""), f.kind))
    return out


def check_all(
    files: list[SiteFile],
    directories: Mapping[str, Directory],
    shared_threshold: int = DEFAULT_SHARED_THRESHOLD,
) -> list[Finding]:
    """Every finding over every file, sorted by site, file, line."""
    found = [f for sf in files for f in check_site(sf, directories)]
    found += shared_accounts(files, shared_threshold)
    return sorted(found, key=lambda f: (f.site, f.file, f.line, f.kind))


# --- supply path to block -------------------------------------------------------------------


@dataclass(frozen=True)
class PathRow:
    exchange: str
    seller_id: str
    seller_name: str | None
    seller_type: str | None
    relationship: str
    in_sellers_json: bool | None  # None: that exchange's sellers.json was not read
    file: str
    line: int


def supply_path(files: Iterable[SiteFile], directories: Mapping[str, Directory]) -> list[PathRow]:
    """What a buyer blocks to cut a site off: every authorised (exchange, seller id) pair with the
    seller's name from sellers.json, one row per pair (ads.txt line kept for evidence)."""
    rows: dict[tuple[str, str, str], PathRow] = {}
    for sf in files:
        for rec in sf.parsed.authorised:
            key = (rec.ad_system, rec.account_id, rec.relationship)
            if key in rows:
                continue
            directory = directories.get(rec.ad_system)
            seller = directory.sellers.get(rec.account_id) if directory else None
            rows[key] = PathRow(
                exchange=rec.ad_system,
                seller_id=rec.account_id,
                seller_name=seller.name if seller else None,
                seller_type=seller.seller_type if seller else None,
                relationship=rec.relationship,
                in_sellers_json=None if directory is None else seller is not None,
                file=sf.kind,
                line=rec.line,
            )
    return sorted(rows.values(), key=lambda r: (r.exchange, r.seller_id, r.relationship))


PATH_COLUMNS = ("exchange", "seller_id", "seller_name", "seller_type", "relationship",
                "in_sellers_json", "file", "line")


neutralise = neutralise_cell  # the one formula-injection guard (vigie/csvcells.py)


def path_csv(rows: Iterable[PathRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(PATH_COLUMNS)
    for r in rows:
        writer.writerow([neutralise(getattr(r, c)) for c in PATH_COLUMNS])
    return buf.getvalue()


def path_json(site: str, rows: Iterable[PathRow]) -> str:
    return json.dumps({"site": site, "supply_path": [asdict(r) for r in rows]}, indent=2, ensure_ascii=False)
