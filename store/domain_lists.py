"""Domain category lists in the database: UT1 import (directory, single list, tarball or URL)
and look-ups by page URL for the rules engine."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from rules.ut1 import category_from_name, lookup_keys, parse_entries, url_prefix_matches
from store.models import DomainCategory
from vigie.errors import UserError

SOURCE = "ut1"
_CHUNK = 5000


@dataclass
class ImportReport:
    source: str
    categories: dict[str, int] = field(default_factory=dict)  # category -> entries imported
    version: str = ""


def _read_bytes(data: bytes, name: str) -> list[str]:
    if name.endswith(".gz") or data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace").splitlines()


def _lists_from_path(path: Path) -> Iterable[tuple[str, list[str], str]]:
    """(category, lines, version) for every list found at ``path``."""
    if path.is_dir():
        found = False
        for f in sorted(path.iterdir()):
            if f.is_file() and (f.name.endswith((".txt", ".txt.gz", ".gz")) or f.name in ("domains", "urls")):
                cat = category_from_name(f.name)
                if cat:
                    found = True
                    data = f.read_bytes()
                    yield cat, _read_bytes(data, f.name), f"{f.name}@{hashlib.sha256(data).hexdigest()[:12]}"
            elif f.is_dir():
                for kind in ("domains", "urls"):
                    sub = f / kind
                    if sub.is_file() and (cat := category_from_name(f.name)):
                        found = True
                        data = sub.read_bytes()
                        name = cat if kind == "domains" else f"{cat}_urls"
                        yield name, _read_bytes(data, kind), f"{f.name}/{kind}@{hashlib.sha256(data).hexdigest()[:12]}"
        if not found:
            raise UserError(f"{path}: no UT1 list found (expected <category>.txt.gz files or <category>/domains)")
        return
    if not path.is_file():
        raise UserError(f"{path}: no such file or directory")
    data = path.read_bytes()
    if path.name.endswith((".tar.gz", ".tgz", ".tar")):
        yield from _lists_from_tar(data, path.name)
        return
    cat = category_from_name(path.name)
    if not cat:
        raise UserError(f"{path}: cannot tell the category from the file name (expected e.g. agressif.txt.gz)")
    yield cat, _read_bytes(data, path.name), f"{path.name}@{hashlib.sha256(data).hexdigest()[:12]}"


def _lists_from_tar(data: bytes, name: str) -> Iterable[tuple[str, list[str], str]]:
    version = f"{name}@{hashlib.sha256(data).hexdigest()[:12]}"
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            yield from _tar_members(tar, version)
    except tarfile.TarError as exc:
        raise UserError(f"{name}: not a readable tar archive ({exc})") from exc


def _tar_members(tar: tarfile.TarFile, version: str) -> Iterable[tuple[str, list[str], str]]:
    for member in tar.getmembers():
        parts = member.name.strip("/").split("/")
        if not member.isfile() or len(parts) < 2 or parts[-1] not in ("domains", "urls"):
            continue
        cat = category_from_name(parts[-2])
        fh = tar.extractfile(member)
        if cat and fh is not None:
            yield (cat if parts[-1] == "domains" else f"{cat}_urls"), _read_bytes(fh.read(), parts[-1]), version


def fetch(url: str, dest_dir: Path) -> Path:
    """Download a list or archive into ``dest_dir`` (VIGIE_DATA_DIR/lists) and return the file."""
    import httpx

    name = url.rstrip("/").split("/")[-1] or "ut1-download"
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"ut1-{name}"
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=60) as r:
            r.raise_for_status()
            with dest.open("wb") as fh:
                for chunk in r.iter_bytes():
                    fh.write(chunk)
    except httpx.HTTPError as exc:
        raise UserError(f"{url}: download failed ({exc})") from exc
    return dest


def import_ut1(session: Session, source: Path, categories: list[str] | None = None) -> ImportReport:
    """Replace each imported category's entries (other categories are kept)."""
    report = ImportReport(str(source))
    versions = []
    for cat, lines, version in _lists_from_path(source):
        if categories and cat not in categories:
            continue
        entries = sorted(set(parse_entries(lines)))
        session.execute(delete(DomainCategory).where(DomainCategory.source == SOURCE,
                                                     DomainCategory.category == cat))
        rows = [{"domain": d, "category": cat, "source": SOURCE, "list_version": version} for d in entries]
        for i in range(0, len(rows), _CHUNK):
            session.execute(insert(DomainCategory), rows[i:i + _CHUNK])
        report.categories[cat] = len(entries)
        versions.append(version)
    if not report.categories:
        only = f" for categories {', '.join(categories)}" if categories else ""
        raise UserError(f"{source}: no list imported{only}")
    report.version = ", ".join(sorted(set(versions)))[:200]
    session.flush()
    return report


class CategoryLookup:
    """Cached look-ups of list categories for page URLs (one query per host)."""

    def __init__(self, session: Session):
        self.session = session
        self._cache: dict[str, tuple[frozenset[str], list[tuple[str, str]]]] = {}
        self.enabled = session.execute(select(DomainCategory.id).limit(1)).first() is not None

    def for_url(self, url: str) -> frozenset[str]:
        if not self.enabled:
            return frozenset()
        keys = lookup_keys(url)
        if not keys:
            return frozenset()
        host = keys[0]
        if host not in self._cache:
            cats = frozenset(self.session.scalars(select(DomainCategory.category).where(
                DomainCategory.domain.in_(keys))).all())
            prefixed = list(self.session.execute(select(DomainCategory.domain, DomainCategory.category).where(
                DomainCategory.domain.like(f"{host}/%"))).tuples())
            self._cache[host] = (cats, prefixed)
        cats, prefixed = self._cache[host]
        extra = {c for entry, c in prefixed if url_prefix_matches(url, entry)}
        return cats | extra if extra else cats
