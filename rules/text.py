"""Text folding for matching, done once per text: casefold, strip accents, and turn every
non-word character into a space, with a way back to the original offsets so that evidence
snippets quote what the page really said.

Because punctuation becomes spaces, lexicon keys are stored as `` phrase `` (space on both
sides) and the folded text is padded with spaces: the automaton then only reports whole-word
matches, and no per-match boundary check is needed.

Speed: the common case (every character of the text folds to exactly one Latin-1 character)
is a ``bytes.translate`` through a 256-entry table, all in C. Characters outside Latin-1 that fold
into it (``’``, ``œ``, ``…``, ``ß``...) are replaced first with ``str.replace``; only texts with
other characters (Greek, Cyrillic, CJK...) take the generic Unicode path. Offsets are the
identity unless a character folds to several (``œ`` -> ``oe``); the map back is then computed
lazily, only when a snippet is asked for."""

from __future__ import annotations

import codecs
import re
import threading
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

# Folds that NFKD does not do but French and English writers use interchangeably.
_SPECIAL = {"\u0153": "oe", "\u00e6": "ae", "\u00df": "ss", "\u0131": "i", "\u0142": "l", "\u00f8": "o",
            "\u0111": "d", "\u00f0": "d", "\u00fe": "th"}


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """One character folded: casefold, NFKD, drop combining marks; non-word characters -> space."""
    low = ch.casefold()
    out = []
    for c in low:
        if c in _SPECIAL:
            out.append(_SPECIAL[c])
            continue
        for d in unicodedata.normalize("NFKD", c):
            if unicodedata.combining(d):
                continue
            d = d.casefold()
            if d in _SPECIAL:
                out.append(_SPECIAL[d])
            else:
                out.append(d if d.isalnum() else " ")
    return "".join(out)


def _latin1_table() -> bytes:
    table = bytearray(b" " * 256)
    for b in range(256):
        f = fold_char(chr(b))
        if len(f) == 1 and ord(f) < 256:
            table[b] = ord(f)
    return bytes(table)


_TABLE = _latin1_table()
# Latin-1 characters whose fold is not a single Latin-1 character: replaced before translate.
_LATIN1_MULTI = {chr(b) for b in range(256) if len(fold_char(chr(b))) != 1 or ord(fold_char(chr(b))) > 255}


@dataclass
class Folded:
    """Folded text and the way back to ``original`` offsets: the identity unless some characters
    (``multi``) fold to more or fewer than one character."""

    text: str
    original: str
    multi: str = ""
    _starts: list[int] | None = field(default=None, repr=False)
    _info: list[tuple[int, int, int]] = field(default_factory=list, repr=False)

    @property
    def same_length(self) -> bool:
        return not self.multi

    def orig_index(self, i: int) -> int:
        if not self.multi:
            return min(i, len(self.original))
        if self._starts is None:  # computed once, only when a snippet needs it, from the few
            shift = 0  # multi-folding characters (found by a regex, in C)
            starts: list[int] = []
            for m in re.finditer("[" + re.escape(self.multi) + "]", self.original):
                n = len(fold_char(m.group()))
                starts.append(m.start() + shift)
                self._info.append((m.start(), n, shift))
                shift += n - 1
            self._starts = starts
        k = bisect_right(self._starts, i) - 1
        if k < 0:
            return min(i, len(self.original))
        pos, n, shift = self._info[k]
        if i < self._starts[k] + n:
            return pos
        return min(i - shift - (n - 1), len(self.original))

    def snippet(self, start: int, end: int, width: int = 60) -> str:
        """The original text around folded span [start, end), on one line, with ellipses."""
        return self.snippets([(start, end)], width)[0]

    def snippets(self, spans: list[tuple[int, int]], width: int = 60) -> list[str]:
        """:meth:`snippet` for many spans at once (one call per page, not one per snippet)."""
        if self.multi:
            oi = self.orig_index
            spans = [(a, oi(end - 1) + 1 if end > start else a) for start, end in spans for a in (oi(start),)]
        o = self.original
        if "\n" in o or "\r" in o:  # snippets are on one line: cut from the text with line breaks as spaces
            o = o.replace("\n", " ").replace("\r", " ")
        n = len(o)
        return [f"{'…' if a > width else ''}{o[a - width if a > width else 0:a]}[{o[a:b]}]{o[b:b + width]}"
                f"{'…' if b + width < n else ''}" for a, b in spans]


class _NotLatin1(Exception):
    """A character folds outside Latin-1 (Greek, Cyrillic...): use the generic path."""


_collect = threading.local()


def _fold_error(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: characters outside Latin-1 are folded right inside ``encode`` (one
    call per run of such characters); those folding to several characters are remembered."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start:exc.end]:
        f = fold_char(ch)
        if len(f) != 1:
            _collect.multi.add(ch)
        if not f.isascii() and any(ord(c) > 255 for c in f):
            raise _NotLatin1(ch)
        out.append(f)
    return "".join(out), exc.end


codecs.register_error("vigie-fold", _fold_error)


def fold(text: str) -> Folded:
    """Fold ``text`` once for matching (see the module docstring)."""
    if text.isascii():
        return Folded(text.encode("ascii").translate(_TABLE).decode("ascii"), text)
    multi: set[str] = set()
    _collect.multi = multi
    for ch in _LATIN1_MULTI:  # a few C-speed scans
        if ch in text:
            multi.add(ch)
            text_ = text.replace(ch, fold_char(ch))
            break
    else:
        text_ = text
    if multi:
        for ch in _LATIN1_MULTI - multi:
            if ch in text_:
                multi.add(ch)
                text_ = text_.replace(ch, fold_char(ch))
    try:
        data = text_.encode("latin-1", "vigie-fold")
    except _NotLatin1:
        every = set(text)
        return Folded("".join(map(fold_char, text)), text,
                      "".join(sorted(c for c in every if len(fold_char(c)) != 1)))
    return Folded(data.translate(_TABLE).decode("latin-1"), text, "".join(sorted(multi)))


def fold_phrase(phrase: str) -> str:
    """A lexicon phrase folded like page text, with runs of spaces collapsed."""
    return " ".join(fold(phrase).text.split())


_WORD_RE = re.compile(r"\w+")


def words_before(text: str, pos: int, n: int, span: int = 60) -> list[str]:
    """The last ``n`` words that end before ``pos`` (negation windows)."""
    return _WORD_RE.findall(text, max(0, pos - span), pos)[-n:]
