"""ads.txt / app-ads.txt parser following IAB Tech Lab ads.txt 1.1 (sections 3.2 to 3.5).

Pure and total: any ``str`` or ``bytes`` gives a :class:`ParseResult`; nothing raises. Lines
that cannot be used are reported in ``errors`` (line number and reason) and skipped, lines
that are used but look wrong are reported in ``warnings``. Line numbers count every end of line
(CR, LF or CRLF, spec 3.4.2), starting at 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

RELATIONSHIPS = ("DIRECT", "RESELLER")
KNOWN_VARIABLES = ("CONTACT", "SUBDOMAIN", "INVENTORYPARTNERDOMAIN", "OWNERDOMAIN", "MANAGERDOMAIN")
PLACEHOLDER = ("placeholder.example.com", "placeholder", "DIRECT", "placeholder")
MAX_ISSUES = 1000  # per list; a huge HTML page served as ads.txt must not flood the store

_EOL = re.compile(r"\r\n|\r|\n")
_VARIABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_WS = re.compile(r"\s")


@dataclass(frozen=True)
class Record:
    """One authorised-seller line: field #1 lower-cased, relationship upper-cased."""

    line: int
    ad_system: str
    account_id: str
    relationship: str
    cert_id: str | None = None
    extension: str | None = None

    @property
    def is_placeholder(self) -> bool:
        return (self.ad_system, self.account_id, self.relationship, self.cert_id) == PLACEHOLDER


@dataclass(frozen=True)
class Variable:
    """A ``NAME=value`` line; the name upper-cased, the value as written (stripped)."""

    line: int
    name: str
    value: str


@dataclass(frozen=True)
class Issue:
    line: int
    reason: str
    text: str = ""

    def as_dict(self, severity: str) -> dict[str, object]:
        return {"line": self.line, "reason": self.reason, "text": self.text, "severity": severity}


@dataclass
class ParseResult:
    records: list[Record] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    line_count: int = 0

    @property
    def placeholder(self) -> bool:
        """The spec 3.2.1 placeholder record is present: the site authorises no seller."""
        return any(r.is_placeholder for r in self.records)

    @property
    def authorised(self) -> list[Record]:
        """The records that really authorise a seller (placeholder left out)."""
        return [r for r in self.records if not r.is_placeholder]

    def values(self, name: str) -> list[str]:
        return [v.value for v in self.variables if v.name == name.upper()]

    @property
    def owner_domain(self) -> str | None:
        """The first OWNERDOMAIN (spec 3.5.1: only the first one counts), lower-cased."""
        values = self.values("OWNERDOMAIN")
        return values[0].lower() if values else None

    @property
    def manager_domains(self) -> list[tuple[str, str | None]]:
        """MANAGERDOMAIN values as (domain, ISO country or None for global)."""
        return [split_manager_domain(v) for v in self.values("MANAGERDOMAIN")]

    @property
    def subdomains(self) -> list[str]:
        return [v.lower() for v in self.values("SUBDOMAIN")]

    @property
    def inventory_partner_domains(self) -> list[str]:
        return [v.lower() for v in self.values("INVENTORYPARTNERDOMAIN")]

    @property
    def contacts(self) -> list[str]:
        return self.values("CONTACT")

    def issues(self) -> list[dict[str, object]]:
        """Errors then warnings as JSON-ready dicts, sorted by line (what the store keeps)."""
        out = [e.as_dict("error") for e in self.errors] + [w.as_dict("warning") for w in self.warnings]
        return sorted(out, key=lambda d: (int(str(d["line"])), str(d["severity"])))


def split_manager_domain(value: str) -> tuple[str, str | None]:
    """``yellowmediamanager.com, FR`` -> ("yellowmediamanager.com", "FR")."""
    domain, _, country = value.partition(",")
    return domain.strip().lower(), (country.strip().upper() or None)


def decode(data: bytes) -> tuple[str, str | None]:
    """Bytes -> text; UTF-8 (BOM stripped), UTF-16 when it has a BOM, else Latin-1 with a note."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        return (text[1:] if text.startswith("\ufeff") else text), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return data.decode("latin-1"), f"not valid UTF-8 (byte {exc.start}); read as Latin-1"


def is_domain(value: str) -> bool:
    """A DNS name (RFC 1123, underscores tolerated) with at least two labels."""
    if not value or len(value) > 253:
        return False
    labels = value.rstrip(".").split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def _short(text: str) -> str:
    return text if len(text) <= 200 else text[:197] + "..."


class _Collector:
    def __init__(self, result: ParseResult) -> None:
        self.result = result

    def error(self, line: int, reason: str, text: str) -> None:
        if len(self.result.errors) < MAX_ISSUES:
            self.result.errors.append(Issue(line, reason, _short(text)))

    def warn(self, line: int, reason: str, text: str) -> None:
        if len(self.result.warnings) < MAX_ISSUES:
            self.result.warnings.append(Issue(line, reason, _short(text)))


def parse_adstxt(data: str | bytes, domain: str | None = None) -> ParseResult:
    """Parse one ads.txt or app-ads.txt. ``domain`` (where the file was served) enables the
    checks that need it (SUBDOMAIN must be below it)."""
    result = ParseResult()
    out = _Collector(result)
    try:
        if isinstance(data, bytes):
            text, note = decode(data)
            if note:
                out.warn(0, note, "")
        else:
            text = data[1:] if data.startswith("\ufeff") else data
        lines = _EOL.split(text)
        if lines and lines[-1] == "":
            lines.pop()  # a final end of line does not start a new line
        result.line_count = len(lines)
        seen: dict[tuple[str, str, str], int] = {}
        for number, raw in enumerate(lines, start=1):
            _parse_line(number, raw, out, seen, domain)
        _file_checks(result, out)
    except Exception as exc:  # pragma: no cover - defensive: the parser must never raise
        out.error(0, f"internal parser error: {type(exc).__name__}: {exc}", "")
    return result


def _parse_line(
    number: int, raw: str, out: _Collector, seen: dict[tuple[str, str, str], int], domain: str | None
) -> None:
    # 3.4.1: everything after "#" is a comment.
    content = raw.split("#", 1)[0].strip()
    if not content:
        return
    if "\x00" in content:
        out.error(number, "binary data (NUL byte)", raw)
        return
    # 3.5: <VARIABLE>=<VALUE>, the variable name has no internal whitespace.
    name, eq, value = content.partition("=")
    if eq and _VARIABLE_NAME.match(name.strip()):
        _parse_variable(number, raw, name.strip().upper(), value.strip(), out, domain)
        return
    # 3.4.3: extension data after ";".
    body, semi, extension = content.partition(";")
    fields = [f.strip() for f in body.split(",")]
    if len(fields) > 3 and fields[-1] == "":
        while len(fields) > 3 and fields[-1] == "":
            fields.pop()
        out.warn(number, "trailing comma", raw)
    if len(fields) < 3:
        reason = "not a record: expected 'domain, account id, DIRECT|RESELLER[, certification id]'"
        if eq:
            reason = "not a variable: the name before '=' must be one word"
        out.error(number, reason, raw)
        return
    if len(fields) > 4:
        out.error(number, f"{len(fields)} fields, at most 4 allowed (extension data goes after ';')", raw)
        return
    ad_system, account_id, relationship = fields[0].lower(), fields[1], fields[2].upper()
    cert_id = fields[3] if len(fields) == 4 and fields[3] else None
    if not ad_system:
        out.error(number, "field #1 (advertising system domain) is empty", raw)
        return
    if not is_domain(ad_system):
        out.error(number, f"field #1 {fields[0]!r} is not a domain name", raw)
        return
    if "_" in ad_system:
        out.warn(number, f"field #1 {fields[0]!r} has '_', not allowed in host names (RFC 1123)", raw)
    if not account_id:
        out.error(number, "field #2 (account id) is empty", raw)
        return
    if _WS.search(account_id):
        out.error(number, "field #2 (account id) contains whitespace", raw)
        return
    if relationship not in RELATIONSHIPS:
        shown = fields[2] or "empty"
        out.error(number, f"field #3 must be DIRECT or RESELLER, got {shown!r}", raw)
        return
    if cert_id is not None and _WS.search(cert_id):
        out.error(number, "field #4 (certification authority id) contains whitespace", raw)
        return
    if cert_id is not None and "=" in cert_id:
        out.error(number, "field #4 contains '=': a variable seems glued to this record", raw)
        return
    record = Record(
        line=number,
        ad_system=ad_system,
        account_id=account_id,
        relationship=relationship,
        cert_id=cert_id,
        extension=extension.strip() if semi else None,
    )
    key = (record.ad_system, record.account_id, record.relationship)
    if key in seen:
        out.warn(number, f"duplicate of line {seen[key]}", raw)
    else:
        seen[key] = number
    out.result.records.append(record)


def _parse_variable(
    number: int, raw: str, name: str, value: str, out: _Collector, domain: str | None
) -> None:
    if not value:
        out.error(number, f"variable {name} has no value", raw)
        return
    out.result.variables.append(Variable(number, name, value))
    if name not in KNOWN_VARIABLES:
        out.warn(number, f"unknown variable {name} (kept; ads.txt 1.1 defines "
                 + ", ".join(KNOWN_VARIABLES) + ")", raw)
        return
    if name in ("SUBDOMAIN", "INVENTORYPARTNERDOMAIN", "OWNERDOMAIN"):
        if not is_domain(value.lower()):
            out.warn(number, f"{name} value {value!r} is not a domain name", raw)
        elif name == "SUBDOMAIN" and domain and not value.lower().endswith("." + domain.lower()):
            out.warn(number, f"SUBDOMAIN {value!r} is not below {domain}", raw)
    elif name == "MANAGERDOMAIN":
        manager, country = split_manager_domain(value)
        if not is_domain(manager):
            out.warn(number, f"MANAGERDOMAIN value {manager!r} is not a domain name", raw)
        if country is not None and not _COUNTRY.match(country):
            out.warn(number, f"MANAGERDOMAIN country {country!r} is not an ISO 3166-1 alpha-2 code", raw)


def _file_checks(result: ParseResult, out: _Collector) -> None:
    owners = [v for v in result.variables if v.name == "OWNERDOMAIN"]
    for extra in owners[1:]:
        out.warn(extra.line, f"more than one OWNERDOMAIN: only line {owners[0].line} counts", extra.value)
    countries: dict[str | None, int] = {}
    for v in result.variables:
        if v.name == "MANAGERDOMAIN":
            _, country = split_manager_domain(v.value)
            if country in countries:
                out.warn(v.line, f"second MANAGERDOMAIN for {country or 'global'} "
                         f"(first on line {countries[country]})", v.value)
            else:
                countries[country] = v.line
    if result.placeholder and result.authorised:
        line = next(r.line for r in result.records if r.is_placeholder)
        out.warn(line, "placeholder record next to real records", "")
    if not result.records and not result.errors:
        out.warn(0, "no record: an empty file is deprecated (spec 3.2.1), use the placeholder record", "")
