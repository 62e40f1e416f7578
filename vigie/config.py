"""Settings from the environment, read in one place so every entry point agrees."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path

    @property
    def evidence_dir(self) -> Path:
        """Screenshots of ads and pages, referenced from placements by relative path."""
        return self.data_dir / "evidence"

    @property
    def lists_dir(self) -> Path:
        """Downloaded filter lists, one versioned file per list."""
        return self.data_dir / "lists"


def get_settings() -> Settings:
    """Read VIGIE_DATA_DIR and VIGIE_DATABASE_URL; the default is SQLite in ./var/."""
    data_dir = Path(os.environ.get("VIGIE_DATA_DIR", "var")).resolve()
    url = os.environ.get("VIGIE_DATABASE_URL") or f"sqlite:///{data_dir / 'vigie.db'}"
    return Settings(database_url=url, data_dir=data_dir)
