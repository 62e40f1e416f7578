"""Property-based run of the whole OpenAPI schema (schemathesis) with an admin API token:
whatever the generated input, no operation answers with a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy.orm import Session

from api.app import create_app
from tests.api.seed import World, seed


def test_no_server_errors(database_url: str, session: Session, data_dir: Path) -> None:
    """Every operation, positive and negative generated data. (The schema is loaded inside the
    test rather than with ``schemathesis.pytest.from_fixture``: that lazy loader breaks on
    pytest 9.)"""
    world = seed(session, data_dir)
    app = create_app(database_url)
    headers = {"Authorization": f"Bearer {world.tokens['admin']}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 15
    statuses: list[int] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=15, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
                statuses.append(response.status_code)

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to break in e.g. GET /me
    assert len(statuses) > 200 and {200, 422} <= set(statuses)


def test_schema_lists_every_resource(database_url: str, session: Session, data_dir: Path) -> None:
    world: World = seed(session, data_dir)
    app = create_app(database_url)
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        paths = c.get("/openapi.json", headers={"Authorization": f"Bearer {world.tokens['viewer']}"}).json()["paths"]
    for prefix in ["brands", "sites", "pages", "placements", "posts", "cases", "exclusion-lists", "crawl-runs",
                   "rules/score"]:
        assert f"/api/v1/{prefix}" in paths or any(p.startswith(f"/api/v1/{prefix}") for p in paths), prefix
