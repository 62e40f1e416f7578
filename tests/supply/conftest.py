"""Supply test fixtures."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from store.db import get_engine
from store.models import Base


@pytest.fixture
def supply_session(database_url: str, session: Session) -> Session:
    """The shared migrated database, plus any supply table the migration does not have yet
    (``sellers_json_files`` until the lead regenerates 0001); a no-op once it does."""
    Base.metadata.create_all(get_engine(database_url), checkfirst=True)
    return session
