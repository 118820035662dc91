"""``POST /oauth/v2/token`` and ``POST /oauth/v2/token/revoke``.

Zoho Accounts answers token errors with HTTP 200 and ``{"error": "..."}`` (clients
detect failure by the missing ``access_token``); zcrm does the same. Parameters come in
the query string, a form (url-encoded or multipart) or JSON; the client id and secret
may instead come in an ``Authorization: Basic`` header, as Zoho documents and as
generic OAuth libraries send them by default (RFC 6749 §2.3.1).
"""

from __future__ import annotations

import base64
import binascii
import logging
from urllib.parse import unquote_plus

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from zcrm.server.api.responses import json_response
from zcrm.server.oauth.params import oauth_params
from zcrm.server.runtime import Runtime
from zcrm.server.services import oauth
from zcrm.server.services.oauth import OAuthError, TokenGrant

log = logging.getLogger("zcrm.oauth")


def _grant(runtime: Runtime, params: dict[str, str]) -> TokenGrant:
    grant_type = params.get("grant_type", "")
    common = {"client_id": params.get("client_id"), "client_secret": params.get("client_secret")}
    if grant_type == "authorization_code":
        return oauth.exchange_code(
            runtime, code=params.get("code"), redirect_uri=params.get("redirect_uri"), **common
        )
    if grant_type == "refresh_token":
        return oauth.refresh_access_token(
            runtime, refresh_token=params.get("refresh_token"), **common
        )
    if grant_type == "client_credentials":
        return oauth.client_credentials(
            runtime, scope=params.get("scope"), soid=params.get("soid"), **common
        )
    if grant_type == "password":
        return oauth.password_grant(
            runtime,
            username=params.get("username") or params.get("email"),
            password=params.get("password"),
            scope=params.get("scope"),
            soid=params.get("soid"),
            **common,
        )
    raise OAuthError("unsupported_grant_type" if grant_type else "invalid_request")


def token_response(runtime: Runtime, params: dict[str, str]) -> Response:
    try:
        grant = _grant(runtime, params)
    except OAuthError as error:
        return json_response(error.to_json())
    except Exception:
        log.exception("token endpoint failed")
        return json_response({"error": "server_error"})
    return json_response(grant.to_json(runtime.settings.base_url()))


def basic_client_credentials(request: Request) -> dict[str, str]:
    """``client_id`` and ``client_secret`` from an ``Authorization: Basic`` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return {}
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return {}
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return {}
    return {"client_id": unquote_plus(client_id), "client_secret": unquote_plus(secret)}


async def token(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    params = {**basic_client_credentials(request), **await oauth_params(request)}
    return await run_in_threadpool(token_response, runtime, params)


def _revoke_response(runtime: Runtime, params: dict[str, str]) -> Response:
    try:
        oauth.revoke(runtime, params.get("token"))
    except OAuthError as error:
        return json_response(error.to_json())
    return json_response({"status": "success"})


async def revoke(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    params = await oauth_params(request)
    return await run_in_threadpool(_revoke_response, runtime, params)
