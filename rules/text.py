"""Text folding for matching: casefold + strip accents, done once per text, with a way back to
the original offsets so that evidence snippets quote what the page really said.

Most characters fold to exactly one character (``É`` -> ``e``), so the folded text usually has
the original's length and offsets are the identity; ``str.translate`` does the work in C. Only
texts with characters that fold to several (``ß`` -> ``ss``) or none (a lone combining accent)
take the slower per-character path that records an offset map."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

# Typographic variants folded to their ASCII twin so that lexicon phrases written with a plain
# apostrophe or hyphen match whatever the page used.
_PUNCT = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ",
    "\u0153": "oe", "\u00e6": "ae",  # œ, æ: written both ways in French
}


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """One character folded: punctuation variants, then NFKD, drop combining marks, casefold."""
    if ch in _PUNCT:
        return _PUNCT[ch]
    low = ch.casefold()
    if low in _PUNCT:
        return _PUNCT[low]
    if ch.isascii():
        return low
    decomposed = unicodedata.normalize("NFKD", low)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Folded:
    """Folded text and the way back to ``original`` offsets (identity when ``ends`` is None)."""

    text: str
    original: str
    ends: list[int] | None = None  # ends[k]: folded end offset of original character k

    def orig_index(self, i: int) -> int:
        if self.ends is None:
            return i
        return min(bisect_right(self.ends, i), len(self.original))

    def snippet(self, start: int, end: int, width: int = 60) -> str:
        """The original text around folded span [start, end), on one line, with ellipses."""
        a = self.orig_index(start)
        b = self.orig_index(end - 1) + 1 if end > start else a
        lo, hi = max(0, a - width), min(len(self.original), b + width)
        out = self.original[lo:a] + "[" + self.original[a:b] + "]" + self.original[b:hi]
        out = " ".join(out.split())
        return ("…" if lo > 0 else "") + out + ("…" if hi < len(self.original) else "")


def fold(text: str) -> Folded:
    """Fold ``text`` once for matching (see module docstring)."""
    table: dict[int, str] = {}
    same_length = True
    for ch in set(text):
        f = fold_char(ch)
        if f != ch:
            table[ord(ch)] = f
        if len(f) != 1:
            same_length = False
    if same_length:
        return Folded(text.translate(table), text)
    by_char = {chr(k): v for k, v in table.items()}
    parts = list(map(by_char.get, text, text))  # all in C: no Python loop per character
    return Folded("".join(parts), text, list(accumulate(map(len, parts))))


def fold_phrase(phrase: str) -> str:
    """A lexicon phrase folded like page text, with runs of spaces collapsed."""
    return " ".join(fold(phrase).text.split())


_WORD_RE = re.compile(r"\w+")


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def words_before(text: str, pos: int, n: int, span: int = 60) -> list[str]:
    """The last ``n`` words that end before ``pos`` (negation windows)."""
    return _WORD_RE.findall(text, max(0, pos - span), pos)[-n:]
