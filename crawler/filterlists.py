"""Filter lists and the adblock-rust engine built from them.

Lists come from the project's own ``data/vigie-ads.txt``, from ``vigie lists update`` (EasyList,
EasyPrivacy, Liste FR, versioned under ``{data_dir}/lists/``) or from ``--filter-list`` (a local
file, plain or .gz, or a URL). The engine is built once per process and cached serialized under
``{data_dir}/lists/engines/`` keyed by the lists' sha256, because parsing EasyList takes time.
Each crawl pins the version string of the lists it used; it is stored on every placement."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import adblock
from lxml import etree

from vigie.errors import UserError

log = logging.getLogger(__name__)

OWN_LIST = Path(__file__).parent / "data" / "vigie-ads.txt"
OWN_NAME = "vigie-ads"

# Where `vigie lists update` fetches the real lists (checked against the lists' own headers:
# "! Homepage: https://easylist.to/" and Liste FR's "adblockplus.org" download mirror).
LIST_URLS: dict[str, str] = {
    "easylist": "https://easylist.to/easylist/easylist.txt",
    "easyprivacy": "https://easylist.to/easylist/easyprivacy.txt",
    "liste_fr": "https://easylist-downloads.adblockplus.org/liste_fr.txt",
}
MANIFEST = "current.json"
_VERSION_RE = re.compile(r"^!\s*Version:\s*(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class FilterList:
    """One list's text with the identity the crawl pins."""

    name: str
    text: str
    source: str
    sha256: str = field(default="")
    version: str = field(default="")

    @classmethod
    def from_text(cls, name: str, text: str, source: str) -> FilterList:
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        header = _VERSION_RE.search(text[:4000])
        version = header.group(1) if header else f"{datetime.now(UTC):%Y%m%d}-{sha[:12]}"
        return cls(name=name, text=text, source=source, sha256=sha, version=version)

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


def _list_name(source: str) -> str:
    base = source.rstrip("/").rsplit("/", 1)[-1]
    for suffix in (".gz", ".txt"):
        base = base.removesuffix(suffix)
    base = re.sub(r"-\d[\w.]*$", "", base)  # downloaded copies carry their version in the name
    return base or "list"


def _decode(data: bytes, where: str) -> str:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except OSError as exc:
            raise UserError(f"{where}: not a valid gzip file ({exc})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{where}: filter list is not UTF-8 text (byte {exc.start})") from exc


def fetch_url(url: str, proxy: str | None = None, timeout: float = 60.0) -> bytes:
    """GET a list over HTTP(S) (``httpx``; through ``proxy`` when given)."""
    import httpx

    try:
        with httpx.Client(proxy=proxy, timeout=timeout, follow_redirects=True,
                          headers={"User-Agent": "Vigie filter-list updater"}) as client:
            resp = client.get(url)
    except httpx.HTTPError as exc:
        raise UserError(f"{url}: download failed ({exc})") from exc
    if resp.status_code != 200:
        raise UserError(f"{url}: download failed (HTTP {resp.status_code})")
    return resp.content


def load_list(source: str, proxy: str | None = None) -> FilterList:
    """A filter list from a path (plain or .gz), a URL, or a short name: ``vigie``/``own`` for
    the shipped list, ``easylist``/``easyprivacy``/``liste_fr`` for a downloaded copy."""
    if source in {"own", "vigie", OWN_NAME}:
        return FilterList.from_text(OWN_NAME, OWN_LIST.read_text(encoding="utf-8"), str(OWN_LIST))
    if source in LIST_URLS:
        installed = installed_lists().get(source)
        if installed is None:
            raise UserError(f"--filter-list {source}: not downloaded yet; run `vigie lists update`")
        return load_list(str(installed))
    if source.startswith(("http://", "https://")):
        return FilterList.from_text(_list_name(source), _decode(fetch_url(source, proxy), source), source)
    path = Path(source).expanduser()
    if not path.is_file():
        raise UserError(f"--filter-list {source}: no such file")
    return FilterList.from_text(_list_name(path.name), _decode(path.read_bytes(), str(path)), str(path))


def lists_dir() -> Path:
    from vigie.config import get_settings

    return get_settings().lists_dir


def installed_lists(directory: Path | None = None) -> dict[str, Path]:
    """name -> file of the lists `vigie lists update` installed (from the manifest)."""
    directory = directory or lists_dir()
    manifest = directory / MANIFEST
    if not manifest.is_file():
        return {}
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    out = {}
    for name, entry in data.get("lists", {}).items():
        path = directory / entry["file"]
        if path.is_file():
            out[name] = path
    return out


def default_sources() -> list[str]:
    """Without ``--filter-list``: the own list plus whatever `vigie lists update` installed."""
    return [OWN_NAME, *(str(p) for p in installed_lists().values())]


def resolve_lists(sources: list[str] | None, proxy: str | None = None) -> list[FilterList]:
    return [load_list(s, proxy) for s in (sources or default_sources())]


def version_label(lists: list[FilterList]) -> str:
    """What a crawl pins, e.g. ``vigie-ads@2026.11.21+easylist@202608130520`` (<= 200 chars)."""
    label = "+".join(fl.label for fl in lists)
    if len(label) > 200:
        digest = hashlib.sha256(label.encode()).hexdigest()[:16]
        label = label[:180] + "~" + digest
    return label


def update_lists(directory: Path | None = None, *, base_url: str | None = None,
                 urls: dict[str, str] | None = None, names: list[str] | None = None,
                 proxy: str | None = None) -> list[FilterList]:
    """Download the real lists into ``directory`` as ``{name}-{version}.txt`` and point the
    manifest at them; an unchanged list is not rewritten. ``base_url`` (or VIGIE_LISTS_BASE_URL)
    replaces the hosts (``{base}/{name}.txt``); ``urls`` (or VIGIE_LIST_URL_<NAME>) sets one."""
    directory = directory or lists_dir()
    directory.mkdir(parents=True, exist_ok=True)
    base_url = base_url or os.environ.get("VIGIE_LISTS_BASE_URL")
    wanted = names or list(LIST_URLS)
    manifest_path = directory / MANIFEST
    manifest: dict[str, Any] = {"lists": {}}
    if manifest_path.is_file():
        with contextlib.suppress(ValueError):
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    out = []
    for name in wanted:
        if name not in LIST_URLS:
            raise UserError(f"unknown list {name!r} (expected one of {', '.join(LIST_URLS)})")
        url = (urls or {}).get(name) or os.environ.get(f"VIGIE_LIST_URL_{name.upper()}")
        if not url:
            url = f"{base_url.rstrip('/')}/{name}.txt" if base_url else LIST_URLS[name]
        fl = FilterList.from_text(name, _decode(fetch_url(url, proxy), url), url)
        if "[Adblock" not in fl.text[:200] and not fl.text.lstrip().startswith("!"):
            raise UserError(f"{url}: does not look like an Adblock filter list")
        safe_version = re.sub(r"[^\w.-]", "_", fl.version)
        fname = f"{name}-{safe_version}.txt"
        target = directory / fname
        if not target.is_file() or hashlib.sha256(target.read_bytes()).hexdigest() != fl.sha256:
            tmp = target.with_suffix(".tmp")
            tmp.write_text(fl.text, encoding="utf-8")
            tmp.replace(target)
        manifest.setdefault("lists", {})[name] = {
            "file": fname, "version": fl.version, "sha256": fl.sha256, "url": url,
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        out.append(FilterList(name=name, text=fl.text, source=str(target), sha256=fl.sha256,
                              version=fl.version))
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(manifest_path)
    return out


# --- the engine ------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _compile_selector(selector: str) -> etree.XPath | None:
    """CSS -> compiled XPath; None for what lxml cannot express (``:has``, procedural rules)."""
    from cssselect import GenericTranslator, SelectorError

    try:
        return etree.XPath(GenericTranslator().css_to_xpath(selector))
    except (SelectorError, etree.XPathSyntaxError, ValueError, TypeError, NotImplementedError):
        return None


class AdEngine:
    """adblock-rust with the lists' rule text kept (debug mode) so every match names its rule."""

    def __init__(self, lists: list[FilterList], cache_dir: Path | None = None) -> None:
        self.lists = lists
        self.version = version_label(lists)
        key = hashlib.sha256(("|".join(fl.sha256 for fl in lists) + "|adblock-0.6|debug").encode())
        self.key = key.hexdigest()
        self.engine = self._build(cache_dir)

    def _build(self, cache_dir: Path | None) -> adblock.Engine:
        cached = cache_dir / f"{self.key}.dat" if cache_dir else None
        if cached is not None and cached.is_file():
            try:
                engine = adblock.Engine(adblock.FilterSet(True), True)
                engine.deserialize(cached.read_bytes())
                return engine
            except Exception as exc:  # a stale or truncated cache is rebuilt
                log.warning("ignoring engine cache %s: %s", cached, exc)
        fs = adblock.FilterSet(True)
        for fl in self.lists:
            fs.add_filter_list(fl.text)
        engine = adblock.Engine(fs, True)
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(engine.serialize())
                tmp.replace(cached)
            except OSError as exc:
                log.warning("cannot cache engine in %s: %s", cached, exc)
        return engine

    def check(self, url: str, source_url: str, request_type: str) -> str | None:
        """The blocking rule matching this request, or None (exceptions ``@@`` win)."""
        try:
            res = self.engine.check_network_urls(url, source_url, request_type)
        except Exception:  # malformed URLs are not ads
            return None
        if res.matched and not res.exception:
            return res.filter or "matched"
        return None

    def cosmetic_selectors(self, page_url: str, classes: set[str], ids: set[str]) -> list[str]:
        """Element-hiding selectors for this page: per-domain and generic complex ones, plus
        the generic class/id rules relevant to the classes and ids the page uses."""
        try:
            res = self.engine.url_cosmetic_resources(page_url)
        except Exception:
            return []
        selectors = list(res.hide_selectors)
        if not getattr(res, "generichide", False) and (classes or ids):
            selectors += self.engine.hidden_class_id_selectors(sorted(classes), sorted(ids), res.exceptions)
        return list(dict.fromkeys(selectors))

    @staticmethod
    def compiled(selector: str) -> etree.XPath | None:
        return _compile_selector(selector)


_ENGINES: dict[str, AdEngine] = {}


def get_engine(lists: list[FilterList], cache_dir: Path | None = None) -> AdEngine:
    """One engine per list set per process."""
    key = "|".join(fl.sha256 for fl in lists)
    if key not in _ENGINES:
        _ENGINES[key] = AdEngine(lists, cache_dir)
    return _ENGINES[key]
