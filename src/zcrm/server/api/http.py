"""The endpoint wrapper every CRM API route goes through.

It reads the body, authenticates the caller, runs the (synchronous) handler in a
worker thread, and turns every :class:`ZohoError` — and anything unexpected — into
Zoho's error body. Handlers receive an :class:`ApiCall` and return a response.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from zcrm.server.api.responses import error_response
from zcrm.server.errors import (
    AuthenticationFailure,
    InternalError,
    InvalidData,
    InvalidModule,
    InvalidUrlPattern,
    ZohoError,
)
from zcrm.server.limits.decision import UsageKey
from zcrm.server.limits.limiter import refusal
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.metadata.model import Module, OrgMetadata
from zcrm.server.services.oauth import caller_for_token

log = logging.getLogger("zcrm.api")

SUPPORTED_VERSIONS = frozenset({"v6", "v7", "v8"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUTH_PREFIXES = ("zoho-oauthtoken ", "bearer ")


@dataclass
class ApiCall:
    request: Request
    body: bytes
    caller: Caller
    runtime: Runtime
    _parsed: dict[str, Any] | None = None

    # -- parameters ------------------------------------------------------------------------------

    @property
    def path(self) -> dict[str, Any]:
        return self.request.path_params

    def param(self, name: str) -> str | None:
        value = self.request.query_params.get(name)
        return value if value is None else value.strip()

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def int_param(
        self, name: str, default: int, *, minimum: int = 1, maximum: int | None = None
    ) -> int:
        raw = self.param(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InvalidData(param_name=name, expected_data_type="integer") from None
        if value < minimum or (maximum is not None and value > maximum):
            raise InvalidData(param_name=name, minimum=minimum, maximum=maximum)
        return value

    def json_body(self) -> dict[str, Any]:
        """The body as a JSON object, whatever the Content-Type said (the SDK sends none)."""
        if self._parsed is not None:
            return self._parsed
        self._parsed = self._parse_body()
        return self._parsed

    def _parse_body(self) -> dict[str, Any]:
        if not self.body.strip():
            raise InvalidData("body", expected_data_type="jsonobject")
        try:
            parsed = orjson.loads(self.body)
        except orjson.JSONDecodeError:
            raise InvalidData("body", expected_data_type="jsonobject") from None
        if not isinstance(parsed, dict):
            raise InvalidData("body", expected_data_type="jsonobject")
        return parsed

    # -- metadata --------------------------------------------------------------------------------

    def metadata(self) -> OrgMetadata:
        return self.runtime.metadata.get(self.caller.org.id, self.caller.org.metadata_version)

    def module(self, api_name: str, *, path_index: int | None = 0) -> Module:
        module = self.metadata().module(api_name)
        if module is None or not module.api_supported:
            details: dict[str, Any] = (
                {"resource_path_index": path_index}
                if path_index is not None
                else {"param_name": "module"}
            )
            raise InvalidModule(**details)
        return module


Handler = Callable[[ApiCall], Response]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise AuthenticationFailure()
    lowered = header.lower()
    for prefix in AUTH_PREFIXES:
        if lowered.startswith(prefix):
            token = header[len(prefix) :].strip()
            if token:
                return token
    raise AuthenticationFailure()


def _credits(handler: Handler, call: ApiCall) -> int:
    rule = getattr(handler, "credits", None)
    if rule is None:
        return 1
    try:
        return max(0, int(rule(call)))
    except ZohoError:
        return 1  # the handler refuses the request; it still costs a credit


def _run(handler: Handler, request: Request, body: bytes, runtime: Runtime) -> Response:
    try:
        caller = caller_for_token(runtime, bearer_token(request))
        call = ApiCall(request, body, caller, runtime)
        key = UsageKey(caller.org.id, caller.client_id, handler.__name__)
        decision = runtime.limiter.acquire(key, _credits(handler, call))
    except ZohoError as error:
        return error_response(error)
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return error_response(InternalError())
    if not decision.allowed:
        return error_response(refusal(decision), decision.headers())
    try:
        response = handler(call)
    except ZohoError as error:
        response = error_response(error)
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        response = error_response(InternalError())
    finally:
        runtime.limiter.release(key, decision)
    response.headers.update(decision.headers())
    return response


def api_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        if request.path_params.get("version") not in SUPPORTED_VERSIONS:
            return error_response(InvalidUrlPattern())
        body = await request.body() if request.method in BODY_METHODS else b""
        runtime: Runtime = request.app.state.runtime
        return await run_in_threadpool(_run, handler, request, body, runtime)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint
