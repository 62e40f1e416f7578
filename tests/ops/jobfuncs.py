"""Module-level job functions for the scheduler tests (the job store keeps references)."""

from __future__ import annotations

from pathlib import Path


def count(path: str) -> None:
    """Append one line per run, so a test can count runs across scheduler restarts."""
    with Path(path).open("a", encoding="utf-8") as fh:
        fh.write("run\n")
