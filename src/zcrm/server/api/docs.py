"""``GET /openapi.json``: an OpenAPI 3.1 document of every route the server answers.

Built from the routing table itself, so it cannot drift from it: each route's path,
methods and the first line of its handler's docstring (or the module's) as summary.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from zcrm import __version__
from zcrm.server.api.responses import json_response

_PARAM = re.compile(r"{([a-zA-Z_]+)(?::[a-z]+)?}")

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "details", "message", "status"],
    "properties": {
        "code": {"type": "string", "examples": ["INVALID_DATA"]},
        "details": {"type": "object"},
        "message": {"type": "string"},
        "status": {"type": "string", "const": "error"},
    },
}


def _summary(route: Route) -> str:
    doc = (route.endpoint.__doc__ or "").strip()
    if not doc:
        module = __import__(route.endpoint.__module__, fromlist=["_"])
        doc = (module.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else route.path


def _tag(path: str) -> str:
    if path.startswith("/oauth"):
        return "accounts"
    if "/settings/" in path:
        return "metadata"
    if path.startswith("/_emulator"):
        return "emulator"
    segments = [s for s in path.split("/") if s and not s.startswith("{")]
    return segments[2] if len(segments) > 2 and segments[0] == "crm" else "records"


def build_document(routes: list[BaseRoute], server_url: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, Route) or route.path in ("/openapi.json",):
            continue
        path = _PARAM.sub(r"{\1}", route.path)
        names = _PARAM.findall(route.path)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            operation: dict[str, Any] = {
                "summary": _summary(route),
                "operationId": f"{method.lower()}_{route.endpoint.__name__}",
                "tags": [_tag(path)],
                "parameters": [
                    {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                    for n in names
                ],
                "responses": {
                    "200": {"description": "Zoho-shaped JSON"},
                    "204": {"description": "nothing matched (no body)"},
                    "400": {
                        "description": "Zoho error",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                    "401": {"description": "INVALID_TOKEN / OAUTH_SCOPE_MISMATCH"},
                },
            }
            if path.startswith("/crm/"):
                operation["security"] = [{"zohoOAuth": []}]
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "zcrm — Zoho CRM REST API v6 look-alike",
            "version": __version__,
            "description": "Routes answered by this zcrm server. `{version}` is v6, v7 or v8.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "zohoOAuth": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Zoho-oauthtoken <access token>` (`Bearer` accepted too)",
                }
            },
        },
    }


async def openapi(request: Request) -> Response:
    """The OpenAPI document of this server's routes."""
    base = str(request.base_url).rstrip("/")
    return json_response(build_document(request.app.routes, base))


routes = [Route("/openapi.json", openapi, methods=["GET"])]
