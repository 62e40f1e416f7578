"""Exclusion/inclusion list writers in each ad platform's upload format.

Pure: each writer takes the entries and returns ``{file name: bytes}``; the caller writes the
files. Lists are split where the platform documents a per-list limit. Every CSV cell that starts
with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) gets a leading ``'`` so that no
spreadsheet runs it as a formula."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vigie.csvcells import neutralise_cell

FORMATS = ("google-ads", "dv360", "ttd", "meta", "xandr", "txt", "csv")

#: Documented per-list limits. Google Ads: 65,000 placements per placement exclusion list.
#: Meta: 10,000 entries per block list. Others: one file.
LIMITS: dict[str, int | None] = {"google-ads": 65_000, "meta": 10_000, "dv360": None, "ttd": None,
                                 "xandr": None, "txt": None, "csv": None}


@dataclass
class ExportEntry:
    domain: str
    status: str = "approved"
    reasons: str = ""
    categories: list[str] = field(default_factory=list)
    note: str = ""


neutralise = neutralise_cell  # the one formula-injection guard (vigie/csvcells.py)


def _csv(rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        w.writerow([neutralise(c) for c in row])
    return buf.getvalue().encode("utf-8")


def _bare(domain: str) -> str:
    d = domain.strip().lower()
    return d[4:] if d.startswith("www.") else d


def _chunks(items: list[str], limit: int | None) -> list[list[str]]:
    if not limit or len(items) <= limit:
        return [items]
    return [items[i:i + limit] for i in range(0, len(items), limit)]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "list"


def _names(base: str, ext: str, n: int) -> list[str]:
    return [f"{base}.{ext}"] if n == 1 else [f"{base}-{i + 1:03d}.{ext}" for i in range(n)]


def _domains(entries: list[ExportEntry]) -> list[str]:
    return sorted(dict.fromkeys(_bare(e.domain) for e in entries if e.domain.strip()))


def google_ads(entries: list[ExportEntry], name: str) -> dict[str, bytes]:
    """Placement exclusion list upload: one placement (bare domain, no ``www.``) per row."""
    chunks = _chunks(_domains(entries), LIMITS["google-ads"])
    return {fn: _csv([[d] for d in c]) for fn, c in zip(_names(f"{_slug(name)}-google-ads", "csv", len(chunks)),
                                                       chunks, strict=True)}


def dv360(entries: list[ExportEntry], name: str) -> dict[str, bytes]:
    """DV360 channel upload: one URL per line."""
    return {f"{_slug(name)}-dv360.txt": "".join(f"{d}\n" for d in _domains(entries)).encode()}


def ttd(entries: list[ExportEntry], name: str) -> dict[str, bytes]:
    """The Trade Desk site list: a one-column CSV of domains."""
    return {f"{_slug(name)}-ttd-sitelist.csv": _csv([[d] for d in _domains(entries)])}


def meta(entries: list[ExportEntry], name: str) -> dict[str, bytes]:
    """Meta block list: a CSV of publisher URLs, at most 10,000 per list."""
    chunks = _chunks([f"https://{d}" for d in _domains(entries)], LIMITS["meta"])
    return {fn: _csv([[u] for u in c]) for fn, c in zip(_names(f"{_slug(name)}-meta-blocklist", "csv", len(chunks)),
                                                       chunks, strict=True)}


def xandr(entries: list[ExportEntry], name: str, description: str = "") -> dict[str, bytes]:
    """Xandr Domain List service object (POST body of ``/domain-list``)."""
    body = {"domain-list": {"name": name[:100], "description": (description or f"Vigie export: {name}")[:100],
                            "type": "domain", "domains": _domains(entries)}}
    return {f"{_slug(name)}-xandr-domain-list.json": json.dumps(body, indent=2).encode()}


def txt(entries: list[ExportEntry], name: str) -> dict[str, bytes]:
    return {f"{_slug(name)}.txt": "".join(f"{d}\n" for d in _domains(entries)).encode()}


def csv_with_reasons(entries: list[ExportEntry], name: str) -> dict[str, bytes]:
    seen: set[str] = set()
    rows: list[list[Any]] = [["domain", "status", "categories", "reasons", "note"]]
    for e in sorted(entries, key=lambda x: _bare(x.domain)):
        d = _bare(e.domain)
        if d in seen or not d:
            continue
        seen.add(d)
        rows.append([d, e.status, ";".join(e.categories), e.reasons, e.note])
    return {f"{_slug(name)}.csv": _csv(rows)}


WRITERS: dict[str, Callable[[list[ExportEntry], str], dict[str, bytes]]] = {
    "google-ads": google_ads, "dv360": dv360, "ttd": ttd, "meta": meta, "xandr": xandr, "txt": txt,
    "csv": csv_with_reasons}


def export(fmt: str, entries: list[ExportEntry], name: str) -> dict[str, bytes]:
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    return WRITERS[fmt](entries, name)
