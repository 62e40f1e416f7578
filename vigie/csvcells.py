"""Spreadsheet-safe CSV cells, shared by every export (placements, exclusion lists, supply path,
posts, API streams): a cell a spreadsheet would run as a formula gets a leading ``'``."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> str:
    """``None`` -> ``""``; text starting with = + - @ (or tab/CR) -> prefixed with ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
