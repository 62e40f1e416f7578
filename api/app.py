"""The ASGI application: the JSON API under ``/api/v1`` and the dashboard at ``/`` in one app,
so one ``uvicorn`` process serves both. Nothing is open by default: every route but
``/login``, ``/static`` and ``/healthz`` needs a signed-in user or an API token."""

from __future__ import annotations

import logging
import sys
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import inspect

from api.auth import SessionCodec, ensure_bootstrap_admin, load_secret_key
from api.deps import AppContext, api_user
from api.routers import brands, cases, crawl_runs, exclusions, pages, placements, posts, rules, sites, users
from store.db import get_engine, migrate, session_factory
from vigie.config import get_settings

log = logging.getLogger("vigie.api")
API_PREFIX = "/api/v1"
JSON_ERRORS = {401: {"description": "not signed in"}, 403: {"description": "not allowed"},
               422: {"description": "invalid input"}}


def _bootstrap(database_url: str) -> str | None:
    engine = get_engine(database_url)
    if not inspect(engine).has_table("users"):
        migrate(database_url)
    with session_factory(database_url)() as session:
        return ensure_bootstrap_admin(session)


def create_app(database_url: str | None = None) -> FastAPI:
    """Build the app for ``database_url`` (default: VIGIE_DATABASE_URL). With no user in the
    database, an ``admin`` user with a random password is created; the password is printed on
    stderr once and kept in ``app.state.bootstrap_password`` for the CLI to show."""
    settings = get_settings()
    url = database_url or settings.database_url
    password = _bootstrap(url)
    if password:
        print(f"Vigie: created user 'admin' with one-time password: {password}\n"
              "       sign in and add real users with 'vigie users add NAME --role ROLE'.",
              file=sys.stderr, flush=True)

    app = FastAPI(title="Vigie API", version="1", docs_url=None, redoc_url=None, openapi_url=None,
                  description="Brand-safety exposures, activist pressure and exclusion lists. "
                              "Authenticate with 'Authorization: Bearer TOKEN' "
                              "(mint one with 'vigie users token NAME').")
    app.state.ctx = AppContext(database_url=url, sessions=session_factory(url),
                               codec=SessionCodec(load_secret_key(settings.data_dir)),
                               data_dir=settings.data_dir)
    app.state.bootstrap_password = password

    api = APIRouter(prefix=API_PREFIX, responses=JSON_ERRORS)  # type: ignore[arg-type]
    for module in (brands, sites, pages, placements, posts, cases, exclusions, crawl_runs, rules, users):
        api.include_router(module.router)
    app.include_router(api)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(_: Any = Depends(api_user)) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        where = ", ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in errors[:3])
        return JSONResponse({"detail": f"invalid input: {where}", "errors": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error; the server log has the details"}, status_code=500)

    from dashboard.views import mount

    mount(app)
    return app

