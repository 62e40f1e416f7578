"""Brand and site registry imports (YAML or CSV). Every record is validated before anything is
written, so a bad file changes nothing; a re-import updates records by name/domain, never
duplicates them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Brand, BrandDomain, Site
from vigie.domains import normalise_domain
from vigie.errors import UserError

HANDLE_KINDS = ("x", "mastodon", "bluesky", "instagram", "facebook", "linkedin", "tiktok", "threads")


@dataclass
class BrandSpec:
    name: str
    domains: list[str]
    aliases: list[str] = field(default_factory=list)
    handles: dict[str, str] = field(default_factory=dict)


@dataclass
class SiteSpec:
    domain: str
    name: str | None = None
    aliases: list[str] = field(default_factory=list)
    group: str | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


class _LineLoader(yaml.SafeLoader):
    """Records each mapping's line number under ``__line__`` for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = dict(loader.construct_mapping(node, deep=True))  # type: ignore[arg-type]
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows with their ``__line__``; YAML (a list of mappings) or CSV (a header row)."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        rows = []
        for row in reader:
            if None in row:
                raise UserError(f"{path}:{reader.line_num}: more cells than header columns")
            rows.append({**{k.strip(): v for k, v in row.items() if k}, "__line__": reader.line_num})
        return rows
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise UserError(f"{path}{where}: invalid YAML ({getattr(exc, 'problem', exc)})") from exc
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise UserError(f"{path}:1: expected a list of mappings (one per record)")
    return data


def _str_list(value: Any, where: str, fname: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace("|", ";").split(";") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    raise UserError(f"{where}: field '{fname}': expected a list of strings")


def _domains(values: list[str], where: str, fname: str) -> list[str]:
    out = []
    for value in values:
        try:
            out.append(normalise_domain(value))
        except ValueError as exc:
            raise UserError(f"{where}: field '{fname}': {exc}") from exc
    return list(dict.fromkeys(out))


def _check_fields(row: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(row) - allowed - {"__line__"})
    if unknown:
        raise UserError(f"{where}: unknown field '{unknown[0]}' (expected one of {', '.join(sorted(allowed))})")


def parse_brands(path: Path) -> list[BrandSpec]:
    specs: list[BrandSpec] = []
    seen: dict[str, str] = {}
    for row in _read_rows(path):
        where = f"{path}:{row.get('__line__', '?')}"
        _check_fields(row, {"name", "domains", "aliases", "handles", *HANDLE_KINDS}, where)
        name = str(row.get("name") or "").strip()
        if not name:
            raise UserError(f"{where}: field 'name': required")
        domains = _domains(_str_list(row.get("domains"), where, "domains"), where, "domains")
        if not domains:
            raise UserError(f"{where}: field 'domains': at least one domain is required")
        for d in domains:
            if d in seen and seen[d] != name:
                raise UserError(f"{where}: field 'domains': {d} is also given to brand {seen[d]!r}")
            seen[d] = name
        handles_raw = row.get("handles") or {}
        if isinstance(handles_raw, dict):
            handles_raw = {k: v for k, v in handles_raw.items() if k != "__line__"}
        if isinstance(handles_raw, str):  # CSV: "x:acme;bluesky:acme.bsky.social"
            handles_raw = dict(p.split(":", 1) for p in _str_list(handles_raw, where, "handles") if ":" in p)
        if not isinstance(handles_raw, dict):
            raise UserError(f"{where}: field 'handles': expected a mapping such as {{x: acme}}")
        handles_raw = {**handles_raw, **{k: row[k] for k in HANDLE_KINDS if row.get(k)}}
        handles: dict[str, str] = {}
        for kind, handle in handles_raw.items():
            if kind not in HANDLE_KINDS:
                raise UserError(f"{where}: field 'handles': unknown network {kind!r}")
            if not isinstance(handle, str) or not handle.strip():
                raise UserError(f"{where}: field 'handles.{kind}': expected a handle")
            handles[kind] = handle.strip().lstrip("@")
        aliases = _str_list(row.get("aliases"), where, "aliases")
        specs.append(BrandSpec(name=name, domains=domains, aliases=aliases, handles=handles))
    return specs


def parse_sites(path: Path) -> list[SiteSpec]:
    specs: list[SiteSpec] = []
    for row in _read_rows(path):
        where = f"{path}:{row.get('__line__', '?')}"
        _check_fields(row, {"domain", "name", "aliases", "group"}, where)
        raw = str(row.get("domain") or "").strip()
        if not raw:
            raise UserError(f"{where}: field 'domain': required")
        domain = _domains([raw], where, "domain")[0]
        specs.append(SiteSpec(domain=domain, name=(str(row["name"]).strip() if row.get("name") else None),
                              aliases=_str_list(row.get("aliases"), where, "aliases"),
                              group=(str(row["group"]).strip() if row.get("group") else None)))
    return specs


def upsert_brands(session: Session, specs: list[BrandSpec]) -> ImportResult:
    result = ImportResult()
    for spec in specs:
        brand = session.scalar(select(Brand).where(Brand.name == spec.name))
        if brand is None:
            brand = Brand(name=spec.name, aliases=[], handles={})
            session.add(brand)
            result.created += 1
        else:
            result.updated += 1
        brand.aliases = spec.aliases
        brand.handles = spec.handles
        owned = {d.domain: d for d in brand.domains}
        for domain in spec.domains:
            if domain in owned:
                continue
            other = session.scalar(select(BrandDomain).where(BrandDomain.domain == domain))
            if other is not None:
                raise UserError(f"domain {domain} already belongs to brand {other.brand.name!r}")
            brand.domains.append(BrandDomain(domain=domain))
        for domain, row in owned.items():
            if domain not in spec.domains:
                brand.domains.remove(row)
        session.flush()
    return result


def upsert_sites(session: Session, specs: list[SiteSpec]) -> ImportResult:
    result = ImportResult()
    for spec in specs:
        site = session.scalar(select(Site).where(Site.domain == spec.domain))
        if site is None:
            site = Site(domain=spec.domain)
            session.add(site)
            result.created += 1
        else:
            result.updated += 1
        site.name = spec.name or site.name
        site.aliases = spec.aliases
        site.group = spec.group or site.group
    session.flush()
    return result


def get_or_create_site(session: Session, domain: str) -> Site:
    """The site for a registrable domain, created on first sight (crawls of unknown sites)."""
    site = session.scalar(select(Site).where(Site.domain == domain))
    if site is None:
        site = Site(domain=domain, aliases=[])
        session.add(site)
        session.flush()
    return site


def brand_by_domain(session: Session) -> dict[str, int]:
    """registrable domain -> brand id, for attribution."""
    return {d: b for d, b in session.execute(select(BrandDomain.domain, BrandDomain.brand_id))}
