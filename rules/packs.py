"""Rule packs: YAML files of rules, validated on load with errors that name file, line and rule id.

A pack is ``{pack: NAME, version: V, settings: {...}, rules: [...]}``; see docs/rules.md for the
schema. The shipped packs live in ``rules/packs/``; users add theirs from a directory. Reading
these files is the only I/O of the ``rules`` package."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rules.garm import CATEGORIES, TIERS
from vigie.errors import UserError

SHIPPED_DIR = Path(__file__).parent / "packs"
CONTEXTS = ("news", "education", "fiction", "howto", "glorification")
RISK_TIERS = TIERS[:-1]  # floor, high, medium, low
LANGS = ("fr", "en", "any")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,99}$")
_SITE_KEYS = {"ads_txt", "ad_density_gte", "ad_networks_gte", "called_out_gte", "mode"}

DEFAULT_SETTINGS: dict[str, Any] = {
    "negation_window": 3,
    "negation_cues": ["not", "no", "never", "without", "non", "ne", "n", "pas", "jamais", "sans",
                      "aucun", "aucune", "nul", "nulle", "ni", "anti"],
    "title_weight": 2.0,
    "contexts": {"news": -1, "education": -1, "fiction": -1, "howto": 1, "glorification": 1},
    "score_tiers": {},
    "site_min_share": 0.1,
    "tier_points": {"floor": 100.0, "high": 60.0, "medium": 30.0, "low": 10.0, "none": 0.0},
    "snippet_width": 60,
    "max_snippets": 3,
}


@dataclass(frozen=True)
class PackError:
    file: str
    line: int
    rule_id: str | None
    message: str

    def __str__(self) -> str:
        rid = f" rule {self.rule_id}:" if self.rule_id else ""
        return f"{self.file}:{self.line}:{rid} {self.message}"


@dataclass
class Rule:
    """One rule; exactly one matcher kind among phrases, url_patterns, domain_categories, meta,
    site. ``category`` rules raise a GARM tier, ``context`` rules shift tiers, ``signal`` rules
    only report (activist call-outs, gambling...)."""

    id: str
    file: str
    line: int
    category: str | None = None
    context: str | None = None
    signal: str | None = None
    tier: str = "none"
    lang: tuple[str, ...] = ("any",)
    weight: float = 1.0
    min_hits: int = 1
    min_terms: int = 1
    negatable: bool = True
    contexts: dict[str, int] = field(default_factory=dict)
    phrases: list[str] = field(default_factory=list)
    url_patterns: list[re.Pattern[str]] = field(default_factory=list)
    domain_categories: list[str] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    site: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    @property
    def kind(self) -> str:
        for k in ("phrases", "url_patterns", "domain_categories", "meta", "site"):
            if getattr(self, k):
                return k
        return "none"


@dataclass
class Pack:
    name: str
    file: str
    version: str
    settings: dict[str, Any]
    rules: list[Rule]
    digest: str


# --- YAML with line numbers -----------------------------------------------------------------


class _Map(dict[str, Any]):
    """A mapping that remembers its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    m = _Map()
    m.line = node.start_mark.line + 1
    m.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        m[str(key)] = loader.construct_object(value_node, deep=True)
        m.key_lines[str(key)] = key_node.start_mark.line + 1
    return m


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


def _line(m: Any, key: str | None = None) -> int:
    if isinstance(m, _Map):
        return m.key_lines.get(key, m.line) if key else m.line
    return 1


# --- validation -----------------------------------------------------------------------------


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    return None


def _parse_rule(raw: Any, file: str, errors: list[PackError], seen: dict[str, str]) -> Rule | None:
    if not isinstance(raw, dict):
        errors.append(PackError(file, 1, None, "each rule must be a mapping"))
        return None
    rid = raw.get("id")
    line = _line(raw)

    def err(key: str | None, msg: str) -> None:
        errors.append(PackError(file, _line(raw, key), str(rid) if rid else None, msg))

    n_before = len(errors)
    if not isinstance(rid, str) or not _ID_RE.match(rid):
        err("id", "field 'id': required, lower-case letters, digits and . _ : - only")
        rid = None
    elif rid in seen:
        err("id", f"field 'id': duplicate of the rule in {seen[rid]}")
    else:
        seen[rid] = f"{file}:{line}"
    allowed = {"id", "category", "context", "signal", "tier", "lang", "weight", "min_hits", "min_terms",
               "negatable", "contexts", "phrases", "url_patterns", "domain_categories", "meta", "site",
               "description"}
    for key in raw:
        if key not in allowed:
            err(key, f"unknown field '{key}' (expected one of {', '.join(sorted(allowed))})")
    rule = Rule(id=rid or "?", file=file, line=line, description=str(raw.get("description") or ""))
    roles = [k for k in ("category", "context", "signal") if k in raw]
    if len(roles) != 1:
        err(None, "exactly one of 'category', 'context', 'signal' is required")
    elif roles[0] == "category":
        if raw["category"] not in CATEGORIES:
            err("category", f"field 'category': unknown GARM category {raw['category']!r} "
                f"(expected one of {', '.join(CATEGORIES)})")
        rule.category = str(raw["category"])
        if raw.get("tier") not in RISK_TIERS:
            err("tier", f"field 'tier': expected one of {', '.join(RISK_TIERS)}")
        else:
            rule.tier = str(raw["tier"])
    elif roles[0] == "context":
        if raw["context"] not in CONTEXTS:
            err("context", f"field 'context': expected one of {', '.join(CONTEXTS)}")
        rule.context = str(raw["context"])
    else:
        if not isinstance(raw["signal"], str) or not raw["signal"]:
            err("signal", "field 'signal': expected a name")
        rule.signal = str(raw["signal"])
        if "tier" in raw:
            if raw["tier"] not in RISK_TIERS:
                err("tier", f"field 'tier': expected one of {', '.join(RISK_TIERS)}")
            else:
                rule.tier = str(raw["tier"])
    if "lang" in raw:
        langs = _str_list(raw["lang"])
        if not langs or any(lg not in LANGS for lg in langs):
            err("lang", f"field 'lang': expected a list of {', '.join(LANGS)}")
        else:
            rule.lang = tuple(langs)
    for key in ("weight",):
        if key in raw:
            if not isinstance(raw[key], int | float) or isinstance(raw[key], bool) or raw[key] <= 0:
                err(key, f"field '{key}': expected a positive number")
            else:
                rule.weight = float(raw[key])
    for key in ("min_hits", "min_terms"):
        if key in raw:
            if not isinstance(raw[key], int) or isinstance(raw[key], bool) or raw[key] < 1:
                err(key, f"field '{key}': expected an integer >= 1")
            else:
                setattr(rule, key, raw[key])
    if "negatable" in raw:
        if not isinstance(raw["negatable"], bool):
            err("negatable", "field 'negatable': expected true or false")
        else:
            rule.negatable = raw["negatable"]
    if "contexts" in raw:
        ctx = raw["contexts"]
        if not isinstance(ctx, dict) or any(k not in CONTEXTS or not isinstance(v, int) for k, v in ctx.items()):
            err("contexts", f"field 'contexts': expected a mapping of {', '.join(CONTEXTS)} to a tier shift "
                "(-1 lowers one tier, 1 raises one)")
        else:
            rule.contexts = {str(k): int(v) for k, v in ctx.items()}
    kinds = [k for k in ("phrases", "url_patterns", "domain_categories", "meta", "site") if k in raw]
    if len(kinds) != 1:
        err(None, "exactly one matcher is required: phrases, url_patterns, domain_categories, meta or site")
    for key in ("phrases", "domain_categories"):
        if key in raw:
            values = _str_list(raw[key])
            if not values or any(not v.strip() for v in values):
                err(key, f"field '{key}': expected a non-empty list of strings")
            else:
                setattr(rule, key, [v.strip() for v in values])
    if "url_patterns" in raw:
        values = _str_list(raw["url_patterns"])
        if not values:
            err("url_patterns", "field 'url_patterns': expected a non-empty list of regular expressions")
        else:
            for v in values:
                try:
                    rule.url_patterns.append(re.compile(v, re.IGNORECASE))
                except re.error as exc:
                    err("url_patterns", f"field 'url_patterns': bad regular expression {v!r} ({exc})")
    if "meta" in raw:
        meta = raw["meta"]
        if not isinstance(meta, dict) or not meta or any(_str_list(v) is None for v in meta.values()):
            err("meta", "field 'meta': expected a mapping of metadata key to a list of values")
        else:
            rule.meta = {str(k).lower(): [s.lower() for s in (_str_list(v) or [])] for k, v in meta.items()}
    if "site" in raw:
        site = raw["site"]
        if not isinstance(site, dict) or not site or any(k not in _SITE_KEYS for k in site):
            err("site", f"field 'site': expected a mapping with keys among {', '.join(sorted(_SITE_KEYS))}")
        else:
            bad = [k for k in ("ad_density_gte", "ad_networks_gte", "called_out_gte")
                   if k in site and (not isinstance(site[k], int | float) or isinstance(site[k], bool))]
            if bad:
                err("site", f"field 'site.{bad[0]}': expected a number")
            elif "ads_txt" in site and site["ads_txt"] not in ("absent", "error", "ok"):
                err("site", "field 'site.ads_txt': expected absent, error or ok")
            elif site.get("mode", "all") not in ("all", "any"):
                err("site", "field 'site.mode': expected all or any")
            else:
                rule.site = dict(site)
    return rule if len(errors) == n_before else None


def _parse_settings(raw: Any, file: str, errors: list[PackError]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(PackError(file, 1, None, "'settings' must be a mapping"))
        return {}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        line = _line(raw, key)
        if key not in DEFAULT_SETTINGS:
            errors.append(PackError(file, line, None, f"settings: unknown key '{key}' "
                                    f"(expected one of {', '.join(DEFAULT_SETTINGS)})"))
            continue
        if key == "score_tiers" and (not isinstance(value, dict) or any(
                k not in RISK_TIERS or not isinstance(v, int | float) for k, v in value.items())):
            errors.append(PackError(file, line, None, "settings.score_tiers: expected tier -> score"))
            continue
        if key == "contexts" and (not isinstance(value, dict) or any(
                k not in CONTEXTS or not isinstance(v, int) for k, v in value.items())):
            errors.append(PackError(file, line, None, "settings.contexts: expected context -> tier shift"))
            continue
        out[key] = dict(value) if isinstance(value, dict) else value
    return out


def parse_pack(text: str, file: str) -> tuple[Pack | None, list[PackError]]:
    """Parse and validate one pack's YAML text; every problem is returned, nothing is raised."""
    errors: list[PackError] = []
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [PackError(file, mark.line + 1 if mark else 1, None,
                                f"invalid YAML ({getattr(exc, 'problem', exc)})")]
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        return None, [PackError(file, 1, None, "expected a mapping with a 'rules' list")]
    for key in data:
        if key not in ("pack", "version", "description", "settings", "rules"):
            errors.append(PackError(file, _line(data, key), None, f"unknown top-level key '{key}'"))
    settings = _parse_settings(data.get("settings"), file, errors)
    seen: dict[str, str] = {}
    rules = [r for raw in data["rules"] if (r := _parse_rule(raw, file, errors, seen)) is not None]
    digest = hashlib.sha256(text.encode()).hexdigest()
    pack = Pack(name=str(data.get("pack") or Path(file).stem), file=file, version=str(data.get("version", "1")),
                settings=settings, rules=rules, digest=digest)
    return pack, errors


def pack_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def load_packs(dirs: list[Path] | None = None, *, shipped: bool = True) -> list[Pack]:
    """The shipped packs then each directory's packs (sorted by name); UserError listing every
    problem (file:line: rule id: message) when any pack is invalid."""
    files: list[Path] = pack_files(SHIPPED_DIR) if shipped else []
    for d in dirs or []:
        if d.is_file():
            files.append(d)
        elif d.is_dir():
            files.extend(pack_files(d))
        else:
            raise UserError(f"{d}: no such rule pack file or directory")
    packs, errors = [], []
    ids: dict[str, str] = {}
    for f in files:
        pack, errs = parse_pack(f.read_text(encoding="utf-8"), str(f))
        errors.extend(errs)
        if pack:
            for r in pack.rules:
                if r.id in ids and ids[r.id] != f"{f}:{r.line}":
                    errors.append(PackError(str(f), r.line, r.id, f"duplicate rule id, also in {ids[r.id]}"))
                ids[r.id] = f"{f}:{r.line}"
            packs.append(pack)
    if errors:
        raise UserError("; ".join(str(e) for e in errors[:20]) + (
            f"; and {len(errors) - 20} more" if len(errors) > 20 else ""))
    return packs


def lint_dir(directory: Path) -> list[PackError]:
    """Every problem of every pack in ``directory`` (or of one file), for ``vigie rules lint``."""
    if directory.is_file():
        files = [directory]
    elif directory.is_dir():
        files = pack_files(directory)
    else:
        return [PackError(str(directory), 1, None, "no such file or directory")]
    errors: list[PackError] = []
    ids: dict[str, str] = {}
    for f in files:
        pack, errs = parse_pack(f.read_text(encoding="utf-8"), str(f))
        errors.extend(errs)
        for r in pack.rules if pack else []:
            if r.id in ids:
                errors.append(PackError(str(f), r.line, r.id, f"duplicate rule id, also in {ids[r.id]}"))
            ids[r.id] = f"{f}:{r.line}"
    return errors
