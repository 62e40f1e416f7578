"""sellers.json (IAB Tech Lab sellers.json 1.0) parser that streams.

Exchanges publish directories of hundreds of megabytes, so the file is read in chunks and each
entry of ``sellers`` is decoded on its own with ``json.JSONDecoder.raw_decode``: memory holds one
seller at a time, never the whole tree. Real files deviate from the spec (integer ``seller_id``
or ``version``, extra top-level keys, missing fields, 0/1 instead of booleans); those are
accepted and noted. Nothing raises: invalid JSON ends the parse with an error naming the
byte offset, and the sellers read before it are kept.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

SELLER_TYPES = ("PUBLISHER", "INTERMEDIARY", "BOTH")
CHUNK = 64 * 1024
MAX_VALUE_CHARS = 8 * 1024 * 1024  # one seller (or one top-level value) larger than this is refused
MAX_ISSUES = 1000

Source = bytes | str | IO[bytes] | Iterable[bytes]
_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"
_NUMBER_CHARS = "0123456789.eE+-"


@dataclass(frozen=True)
class SellerEntry:
    seller_id: str
    seller_type: str | None
    name: str | None = None
    domain: str | None = None
    is_confidential: bool = False
    is_passthrough: bool = False
    comment: str | None = None
    index: int = 0  # position in the ``sellers`` array, for messages


@dataclass
class SellersDocument:
    """Top-level fields and problems. ``sellers`` is filled only by :func:`parse_sellers`."""

    version: str | None = None
    contact_email: str | None = None
    contact_address: str | None = None
    identifiers: list[dict[str, Any]] = field(default_factory=list)
    extra_keys: list[str] = field(default_factory=list)
    sellers: list[SellerEntry] = field(default_factory=list)
    seller_count: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    saw_sellers: bool = False

    def error(self, message: str) -> None:
        if len(self.errors) < MAX_ISSUES:
            self.errors.append(message)

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_ISSUES:
            self.warnings.append(message)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Invalid(Exception):
    pass


class _Reader:
    """A text buffer over byte chunks with a moving position."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.buf = ""
        self.pos = 0
        self.offset = 0  # characters dropped before buf
        self.eof = False
        self._first = True

    def more(self) -> bool:
        if self.eof:
            return False
        for chunk in self._chunks:
            if not chunk:
                continue
            if self._first:
                self._first = False
                if chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
            text = self._decoder.decode(chunk)
            if self.pos > CHUNK:
                self.offset += self.pos
                self.buf = self.buf[self.pos:]
                self.pos = 0
            self.buf += text
            return True
        self.buf += self._decoder.decode(b"", final=True)
        self.eof = True
        return False

    def peek(self) -> str:
        """The next non-whitespace character ('' at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        got = self.peek()
        if got != char:
            raise _Invalid(f"expected {char!r} at character {self.where()}, found {got or 'end of file'!r}")
        self.pos += 1

    def value(self) -> Any:
        """Decode one JSON value, reading more chunks while it is incomplete."""
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if not self.eof and len(self.buf) - self.pos <= MAX_VALUE_CHARS:
                    self.more()
                    continue
                raise _Invalid(f"invalid JSON at character {self.offset + exc.pos}: {exc.msg}") from None
            except RecursionError:
                raise _Invalid(f"JSON nested too deeply at character {self.where()}") from None
            # a number could continue in the next chunk ("1" then ".0"): only trust a value
            # followed by something that cannot continue it
            if not self.eof and (end >= len(self.buf) or (
                    isinstance(obj, int | float) and self.buf[end] in _NUMBER_CHARS)):
                self.more()
                continue
            self.pos = end
            return obj

    def where(self) -> int:
        return self.offset + self.pos


def _chunks_of(source: Source, size: int) -> Iterator[bytes]:
    if isinstance(source, str):
        source = source.encode("utf-8")
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        for start in range(0, len(data), size):
            yield data[start:start + size]
        return
    if isinstance(source, io.IOBase) or hasattr(source, "read"):
        reader: Any = source
        while True:
            chunk = reader.read(size)
            if not chunk:
                return
            yield chunk
    for chunk in source:
        yield bytes(chunk)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool | int | float):
        return str(value)
    return None


def _flag(value: Any) -> bool | None:
    """Spec: 0/1 integers; real files also use booleans and strings."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in ("0", "1", "true", "false"):
        return value.strip().lower() in ("1", "true")
    return None


def seller_from(obj: Any, index: int, doc: SellersDocument) -> SellerEntry | None:
    """Validate one entry of ``sellers``; None (with an error) when it is unusable."""
    where = f"sellers[{index}]"
    if not isinstance(obj, dict):
        doc.error(f"{where}: not an object")
        return None
    raw_id = obj.get("seller_id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        doc.error(f"{where}: seller_id missing or not a string")
        return None
    if isinstance(raw_id, int):
        doc.warn(f"{where}: seller_id is a number, read as the string {str(raw_id)!r}")
    seller_id = str(raw_id).strip()
    if not seller_id:
        doc.error(f"{where}: seller_id is empty")
        return None
    raw_type = obj.get("seller_type")
    seller_type = raw_type.strip().upper() if isinstance(raw_type, str) else None
    if seller_type not in SELLER_TYPES:
        doc.warn(f"{where} ({seller_id}): seller_type {raw_type!r} is not PUBLISHER, INTERMEDIARY or BOTH")
        seller_type = None
    confidential = _flag(obj.get("is_confidential"))
    passthrough = _flag(obj.get("is_passthrough"))
    if confidential is None or passthrough is None:
        doc.warn(f"{where} ({seller_id}): is_confidential / is_passthrough is not 0 or 1")
    name, domain = _text(obj.get("name")), _text(obj.get("domain"))
    if not confidential and name is None:
        doc.warn(f"{where} ({seller_id}): name missing on a non-confidential seller")
    return SellerEntry(
        seller_id=seller_id,
        seller_type=seller_type,
        name=name,
        domain=domain.lower() if domain else None,
        is_confidential=bool(confidential),
        is_passthrough=bool(passthrough),
        comment=_text(obj.get("comment")),
        index=index,
    )


def iter_sellers(
    source: Source, doc: SellersDocument | None = None, chunk_size: int = CHUNK
) -> Iterator[SellerEntry]:
    """Yield the sellers one by one while filling ``doc`` with the top-level fields and problems.
    Keys after ``sellers`` are read too, once the last seller has been yielded."""
    doc = doc if doc is not None else SellersDocument()
    reader = _Reader(_chunks_of(source, max(1, chunk_size)))
    try:
        yield from _walk(reader, doc)
    except _Invalid as exc:
        doc.error(str(exc))
    except Exception as exc:  # defensive: never raise on input data
        doc.error(f"unreadable: {type(exc).__name__}: {exc}")
    if not doc.saw_sellers and not doc.errors:
        doc.error("no 'sellers' array")


def _walk(reader: _Reader, doc: SellersDocument) -> Iterator[SellerEntry]:
    if reader.peek() == "":
        raise _Invalid("empty file")
    reader.expect("{")
    if reader.peek() == "}":
        reader.pos += 1
        return
    while True:
        key = reader.value()
        if not isinstance(key, str):
            raise _Invalid(f"object key is not a string at character {reader.where()}")
        reader.expect(":")
        if key == "sellers":
            yield from _walk_sellers(reader, doc)
        else:
            _top_level(key, reader.value(), doc)
        nxt = reader.peek()
        if nxt == ",":
            reader.pos += 1
            continue
        if nxt == "}":
            reader.pos += 1
            break
        raise _Invalid(f"expected ',' or '}}' at character {reader.where()}, found {nxt or 'end of file'!r}")
    if reader.peek() != "":
        doc.warn(f"data after the top-level object at character {reader.where()} ignored")


def _walk_sellers(reader: _Reader, doc: SellersDocument) -> Iterator[SellerEntry]:
    doc.saw_sellers = True
    if reader.peek() != "[":
        doc.error("'sellers' is not an array")
        reader.value()
        return
    reader.pos += 1
    if reader.peek() == "]":
        reader.pos += 1
        return
    index = 0
    while True:
        entry = seller_from(reader.value(), index, doc)
        index += 1
        if entry is not None:
            doc.seller_count += 1
            yield entry
        nxt = reader.peek()
        if nxt == ",":
            reader.pos += 1
            continue
        if nxt == "]":
            reader.pos += 1
            return
        raise _Invalid(f"expected ',' or ']' at character {reader.where()}, found {nxt or 'end of file'!r}")


def _top_level(key: str, value: Any, doc: SellersDocument) -> None:
    if key == "version":
        if not isinstance(value, str):
            doc.warn(f"version is {type(value).__name__} {value!r}, not a string")
        doc.version = _text(value)
    elif key == "contact_email":
        doc.contact_email = _text(value)
    elif key == "contact_address":
        doc.contact_address = _text(value)
    elif key == "identifiers":
        if isinstance(value, list):
            doc.identifiers = [i for i in value if isinstance(i, dict)]
        else:
            doc.warn("identifiers is not an array")
    elif key == "ext":
        pass
    else:
        doc.extra_keys.append(key)
        doc.warn(f"non-standard top-level key {key!r}")


def parse_sellers(source: Source, chunk_size: int = CHUNK) -> SellersDocument:
    """Read a whole sellers.json into a :class:`SellersDocument` (sellers in ``.sellers``)."""
    doc = SellersDocument()
    doc.sellers = list(iter_sellers(source, doc, chunk_size))
    return doc
