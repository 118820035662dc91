"""Calls as generators, so one implementation serves the sync and the async client.

An operation is a generator that yields instructions and gets answers back:

* an ``httpx.Request``  -> the driver sends it and sends back the ``httpx.Response``
  (or throws :class:`TransportError` into the generator);
* a :class:`Sleep`      -> the driver waits (``time.sleep`` / ``asyncio.sleep``);
* a :class:`NeedToken`  -> the driver sends back a valid access token, refreshing it
  under its lock when it is missing, about to expire, or the one that was refused.

This is how HTTPX's own auth flows serve both of its clients.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import orjson

from zcrm.client._config import Endpoints
from zcrm.client._errors import AuthError, TransportError, error_for
from zcrm.client._retry import RetryPolicy, server_wait

T = TypeVar("T")


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class NeedToken:
    refused: str | None = None  # the token the server just refused, to be replaced


Instruction = httpx.Request | Sleep | NeedToken
Flow = Generator[Instruction, Any, T]

# Failures that mean the request never left: no connection was made (refused, or the
# connect timed out) or none came free in the pool. Safe to retry even for an insert.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass
class Core:
    endpoints: Endpoints
    retry: RetryPolicy
    user_agent: str = "zcrm-client"
    default_headers: dict[str, str] = field(default_factory=dict)

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        batch: bool = False,
    ) -> Flow[httpx.Response]:
        """One API call with auth, one refresh on INVALID_TOKEN, and retries.

        ``idempotent=False`` (inserts): retried only when the server surely did not act
        (429, or the request never left: ``NOT_SENT``). ``batch=True``: a 400 whose body
        is a per-record ``data`` array is an answer, not an error.
        """
        url = path if path.startswith("http") else self.endpoints.crm(path)
        token: str = yield NeedToken()
        refreshed = False
        attempt = 0
        content = orjson.dumps(json) if json is not None else None
        while True:
            attempt += 1
            request = httpx.Request(
                method,
                url,
                params={k: _param(v) for k, v in (params or {}).items() if v is not None},
                content=content,
                headers={
                    "Authorization": f"Zoho-oauthtoken {token}",
                    "User-Agent": self.user_agent,
                    "X-Request-Id": uuid.uuid4().hex,
                    **({"Content-Type": "application/json"} if content is not None else {}),
                    **self.default_headers,
                    **(headers or {}),
                },
            )
            try:
                response: httpx.Response = yield request
            except TransportError as error:
                error.request_id = error.request_id or request.headers.get("x-request-id")
                connect_only = isinstance(error.__cause__, NOT_SENT)
                wait = self.retry.delay(attempt, None, {})
                if wait is None or not (idempotent or connect_only):
                    raise
                yield Sleep(wait)
                continue
            status = response.status_code
            if status < 400 or (batch and status == 400 and _is_batch(response)):
                return response
            body = _json(response)
            code = body.get("code") if isinstance(body, dict) else None
            if (
                status == 401
                and code in ("INVALID_TOKEN", "AUTHENTICATION_FAILURE")
                and (not refreshed)
            ):
                token = yield NeedToken(refused=token)
                refreshed = True
                attempt -= 1
                continue
            may_retry = idempotent or status == 429
            wait = self.retry.delay(attempt, status, response.headers) if may_retry else None
            if wait is not None:
                yield Sleep(wait)
                continue
            failure = error_for(
                status,
                body,
                request_id=response.headers.get("x-request-id")
                or request.headers.get("x-request-id"),
                retry_after=server_wait(status, response.headers),
            )
            if isinstance(failure, AuthError) and refreshed:
                failure.details.setdefault("refreshed", True)
            raise failure


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


def _is_batch(response: httpx.Response) -> bool:
    body = _json(response)
    return isinstance(body, dict) and isinstance(body.get("data"), list)


def body_of(response: httpx.Response) -> Any:
    return _json(response)
