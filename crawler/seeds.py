"""Seed lists: one URL or domain per line, ``#`` comments; a bad line is reported with its line
number and skipped (one typo must not stop a crawl of hundreds of sites)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from vigie.domains import normalise_domain
from vigie.errors import UserError


@dataclass(frozen=True)
class SeedError:
    where: str
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        if self.text in self.reason:
            return f"{self.where}:{self.line}: {self.reason}"
        return f"{self.where}:{self.line}: {self.reason}: {self.text!r}"


def normalise_seed(text: str) -> str:
    """A seed line -> an absolute http(s) URL; ValueError when it is neither a URL nor a domain."""
    text = text.strip()
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"unsupported scheme {parts.scheme!r}")
        if not parts.hostname:
            raise ValueError("no host")
        if any(c.isspace() for c in text):
            raise ValueError("spaces in URL")
        normalise_domain(parts.hostname) if not parts.hostname.replace(".", "").isdigit() else None
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
    if "/" in text.split("?")[0]:
        host, _, rest = text.partition("/")
        return f"https://{normalise_domain(host)}/{rest}"
    return f"https://{normalise_domain(text)}/"


def parse_seed_lines(lines: list[str], where: str = "seeds") -> tuple[list[str], list[SeedError]]:
    urls: list[str] = []
    errors: list[SeedError] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("http") else raw.strip()
        if raw.lstrip().startswith("#"):
            continue
        if " #" in line:
            line = line.split(" #", 1)[0].strip()
        if not line:
            continue
        try:
            url = normalise_seed(line)
        except ValueError as exc:
            errors.append(SeedError(where, number, line, str(exc)))
            continue
        if url not in urls:
            urls.append(url)
    return urls, errors


def load_seeds(specs: list[str] | str) -> tuple[list[str], list[SeedError]]:
    """``specs``: files and/or URLs/domains (a comma-separated string from ``scrapy crawl -a``)."""
    if isinstance(specs, str):
        specs = [s for s in specs.replace(",", " ").split() if s]
    urls: list[str] = []
    errors: list[SeedError] = []
    for spec in specs:
        path = Path(spec).expanduser()
        if "://" not in spec and path.is_file():
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                raise UserError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
            got, errs = parse_seed_lines(text.splitlines(), str(path))
        else:
            got, errs = parse_seed_lines([spec], "argument")
        urls += [u for u in got if u not in urls]
        errors += errs
    return urls, errors
