"""The ASGI application: the CRM API and the accounts server on one port."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from zcrm.server.api import records as records_api
from zcrm.server.api.responses import error_response
from zcrm.server.emulator.middleware import FaultMiddleware
from zcrm.server.errors import InternalError, InvalidRequestMethod, InvalidUrlPattern
from zcrm.server.oauth import token_endpoint
from zcrm.server.runtime import Runtime
from zcrm.server.services.oauth import caller_for_token

log = logging.getLogger("zcrm")


def _optional_routes(module_name: str) -> list[BaseRoute]:
    """Routes of an API area, if that area is installed (keeps the app assembly in one place)."""
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return []
        raise
    return list(module.routes)


def build_routes(*, emulator: bool = True) -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        Route("/oauth/v2/token", token_endpoint.token, methods=["POST"]),
        Route("/oauth/v2/token/revoke", token_endpoint.revoke, methods=["POST"]),
    ]
    # Specific paths first: everything else under /crm/{version}/ is a module name.
    for area in (
        "zcrm.server.oauth.authorize",
        "zcrm.server.api.metadata",
        "zcrm.server.api.users",
        "zcrm.server.api.org",
        "zcrm.server.api.coql",
        "zcrm.server.api.notifications",
        "zcrm.server.api.webhooks",
        "zcrm.server.api.deliveries",
        "zcrm.server.api.usage",
        "zcrm.server.api.search",
        "zcrm.server.api.docs",
    ):
        routes.extend(_optional_routes(area))
    if emulator:
        routes.extend(_optional_routes("zcrm.server.api.emulator"))
    routes.extend(records_api.routes)
    routes.extend(_optional_routes("zcrm.server.api.related"))
    return routes


async def _not_found(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        return error_response(InvalidRequestMethod())
    if isinstance(exc, HTTPException) and exc.status_code == 404:
        return error_response(InvalidUrlPattern())
    log.exception("unhandled error", exc_info=exc)
    return error_response(InternalError())


def create_app(runtime: Runtime) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services = list(runtime.background) if runtime.settings.run_workers else []
        for service in services:
            service.start()
        try:
            yield
        finally:
            for service in reversed(services):
                service.stop()

    emulator = runtime.settings.mode == "emulator"
    app = Starlette(
        routes=build_routes(emulator=emulator),
        exception_handlers={
            404: _not_found,
            405: _not_found,
            HTTPException: _not_found,
            Exception: _not_found,
        },
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    app.state.runtime = runtime
    if emulator:
        app.add_middleware(
            FaultMiddleware,
            book=runtime.faults,
            clock=runtime.clock,
            org_of_token=lambda token: caller_for_token(runtime, token).org.id,
        )
    return app


def app_from_env() -> Starlette:
    """An app built from ``ZCRM_*`` environment variables.

    For ASGI servers started on their own, e.g. several worker processes on one
    PostgreSQL: ``uvicorn --factory zcrm.server.app:app_from_env --workers 4``.
    """
    from zcrm.settings import Settings

    return create_app(Runtime.open(Settings()))
