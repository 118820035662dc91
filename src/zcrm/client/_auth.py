"""The OAuth grants a client can hold, and the token requests they make (no I/O here)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import httpx

from zcrm.client._config import Endpoints
from zcrm.client._errors import OAuthError, error_for
from zcrm.client._tokens import Token


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    refresh_token: str | None = None
    grant_code: str | None = None
    redirect_uri: str | None = None
    # client_credentials grant (no user): scope and the org (soid "ZohoCRM.<org id>")
    scope: str | None = None
    soid: str | None = None

    def __post_init__(self) -> None:
        if not (self.refresh_token or self.grant_code or (self.scope and self.soid)):
            raise ValueError(
                "give a refresh_token, a grant_code, or scope + soid (client credentials)"
            )

    @property
    def store_key(self) -> str:
        """Where the token lives in a store: per client and per grant."""
        origin = self.refresh_token or self.grant_code or f"{self.scope}|{self.soid}"
        return f"{self.client_id}:{hashlib.sha256(origin.encode()).hexdigest()[:16]}"


def token_request(
    endpoints: Endpoints, credentials: Credentials, current: Token | None
) -> httpx.Request:
    """The request that gets a (new) access token for these credentials."""
    form: dict[str, str] = {
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
    }
    refresh = (current.refresh_token if current else None) or credentials.refresh_token
    if refresh:
        form.update(grant_type="refresh_token", refresh_token=refresh)
    elif credentials.grant_code:
        form.update(grant_type="authorization_code", code=credentials.grant_code)
        if credentials.redirect_uri:
            form["redirect_uri"] = credentials.redirect_uri
    else:
        assert credentials.scope and credentials.soid
        form.update(grant_type="client_credentials", scope=credentials.scope, soid=credentials.soid)
    return httpx.Request("POST", endpoints.token_url, data=form)


def accept_token(response: httpx.Response, now: float, current: Token | None) -> Token:
    """The token in an accounts-server answer, or :class:`OAuthError` when it refused;
    a 5xx (the server failed, it refused nothing) is a :class:`ServerError`."""
    if response.status_code >= 500:
        try:
            failed: Any = response.json()
        except ValueError:
            failed = None
        raise error_for(
            response.status_code, failed, request_id=response.headers.get("x-request-id")
        )
    try:
        body: Any = response.json()
    except ValueError:
        raise OAuthError(
            f"the accounts server answered HTTP {response.status_code} without JSON",
            status=response.status_code,
        ) from None
    if not isinstance(body, dict) or "access_token" not in body:
        error = body.get("error") if isinstance(body, dict) else None
        raise OAuthError(
            str(body.get("error_description") or error or "no access token")
            if isinstance(body, dict)
            else "no access token",
            status=response.status_code,
            code=str(error) if error else None,
        )
    return Token.from_response(body, now, current.refresh_token if current else None)
