"""``/_emulator/…``: clock, faults, reset, seed and outbox inspection for tests and demos.

Present only in emulator mode (``zcrm serve``'s default; ``--mode production`` removes
the prefix entirely). When the server listens on a non-loopback address every call
needs the admin key in the ``X-Zcrm-Admin-Key`` header.
"""

from __future__ import annotations

import hmac
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.responses import error_response, json_response
from zcrm.server.emulator import controls
from zcrm.server.errors import InvalidData, NoPermission, ResourceNotFound, ZohoError
from zcrm.server.runtime import Runtime
from zcrm.server.timefmt import parse_datetime, to_storage

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
ADMIN_HEADER = "x-zcrm-admin-key"
DEFAULT_CODES = {
    401: "INVALID_TOKEN",
    403: "NO_PERMISSION",
    404: "INVALID_URL_PATTERN",
    429: "API_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    503: "INTERNAL_ERROR",
}


class FaultSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    route: str = Field("*", max_length=300, description="glob on the path, e.g. /crm/v6/Leads*")
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "*"] = "*"
    status: int | None = Field(None, ge=100, le=599)
    code: str | None = Field(None, max_length=64)
    message: str | None = Field(None, max_length=300)
    latency_ms: int = Field(0, ge=0, le=120_000)
    drop_connection: bool = False
    probability: float = Field(1.0, gt=0, le=1)
    count: int | None = Field(None, ge=1)
    retry_after: int | None = Field(None, ge=0)
    org_id: str | int | None = Field(None, description="only requests with this org's tokens")

    @model_validator(mode="after")
    def _something_to_inject(self) -> FaultSpec:
        if self.org_id not in (None, "") and not str(self.org_id).isdigit():
            raise ValueError("org_id must be an org id")
        if self.status is None and not self.latency_ms and not self.drop_connection:
            raise ValueError("a fault needs a status, a latency_ms or drop_connection")
        return self

    def row(self) -> dict[str, Any]:
        code = self.code or (DEFAULT_CODES.get(self.status) if self.status else None)
        return {
            "route": self.route,
            "method": self.method,
            "status": self.status,
            "code": code,
            "message": self.message,
            "latency_ms": self.latency_ms,
            "drop_connection": self.drop_connection,
            "probability": self.probability,
            "remaining": self.count,
            "retry_after": self.retry_after,
            "scope_org_id": int(self.org_id) if self.org_id not in (None, "") else None,
        }


class Advance(BaseModel):
    seconds: float


class SetClock(BaseModel):
    now: str


class ResetSpec(BaseModel):
    org_id: str | int | None = None
    keep_metadata: bool = True


class SeedSpec(BaseModel):
    org_id: str | int | None = None
    demo: bool = False
    module: str | None = None
    count: int = Field(10, ge=1, le=100_000)


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _check_admin(request: Request) -> None:
    settings = _runtime(request).settings
    needs_key = settings.host not in LOOPBACK or settings.admin_key is not None
    if not needs_key:
        return
    given = request.headers.get(ADMIN_HEADER, "")
    if not settings.admin_key or not hmac.compare_digest(given, settings.admin_key):
        raise NoPermission("the emulator controls need the admin key (X-Zcrm-Admin-Key)")


async def _body(request: Request, model: type[BaseModel]) -> Any:
    raw = await request.body()
    try:
        data = orjson.loads(raw) if raw.strip() else {}
        return model.model_validate(data)
    except (orjson.JSONDecodeError, ValidationError) as exc:
        raise InvalidData("body", reason=str(exc).splitlines()[0][:300]) from None


def control(fn: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            _check_admin(request)
            response: Response = await fn(request)
            return response
        except ZohoError as error:
            return error_response(error)

    endpoint.__name__ = fn.__name__
    endpoint.__doc__ = fn.__doc__
    return endpoint


def _clock_json(runtime: Runtime) -> dict[str, Any]:
    return {"now": to_storage(runtime.clock.now()), "offset_seconds": runtime.clock.offset_seconds}


@control
async def index(request: Request) -> Response:
    """What the emulator controls are."""
    runtime = _runtime(request)
    return json_response(
        {
            "mode": runtime.settings.mode,
            "clock": _clock_json(runtime),
            "controls": [
                "clock",
                "clock/advance",
                "faults",
                "faults/log",
                "reset",
                "seed",
                "outbox",
            ],
        }
    )


@control
async def get_clock(request: Request) -> Response:
    """The server's current (possibly moved) time."""
    return json_response(_clock_json(_runtime(request)))


@control
async def set_clock(request: Request) -> Response:
    """Set the server time: {"now": ISO-8601}."""
    spec = await _body(request, SetClock)
    when = parse_datetime(spec.now)
    if when is None:
        raise InvalidData("now must be ISO-8601 with an offset", expected_data_type="datetime")
    runtime = _runtime(request)
    await run_in_threadpool(runtime.clock.set, when)
    return json_response(_clock_json(runtime))


@control
async def advance_clock(request: Request) -> Response:
    """Move the server time forward: {"seconds": N}."""
    spec = await _body(request, Advance)
    runtime = _runtime(request)
    await run_in_threadpool(runtime.clock.advance, spec.seconds)
    return json_response(_clock_json(runtime))


@control
async def reset_clock(request: Request) -> Response:
    """Back to real time."""
    runtime = _runtime(request)
    await run_in_threadpool(runtime.clock.reset)
    return json_response(_clock_json(runtime))


@control
async def add_fault(request: Request) -> Response:
    """Inject a fault: status + Zoho code, latency, dropped connection; probability, count."""
    spec = await _body(request, FaultSpec)
    runtime = _runtime(request)
    fault = await run_in_threadpool(runtime.faults.add, spec.row(), to_storage(runtime.clock.now()))
    return json_response({"fault": fault.to_json()}, 201)


@control
async def list_faults(request: Request) -> Response:
    """Faults in force."""
    faults = await run_in_threadpool(_runtime(request).faults.listing)
    return json_response({"faults": [f.to_json() for f in faults]})


@control
async def clear_faults(request: Request) -> Response:
    """Remove every fault (or, with ?org_id=, that org's faults)."""
    org = request.query_params.get("org_id")
    if org is not None and not org.isdigit():
        raise InvalidData(param_name="org_id")
    removed = await run_in_threadpool(_runtime(request).faults.clear, int(org) if org else None)
    return json_response({"removed": removed})


@control
async def delete_fault(request: Request) -> Response:
    """Remove one fault."""
    raw = request.path_params["fault_id"]
    if not raw.isdigit():
        raise ResourceNotFound()
    if not await run_in_threadpool(_runtime(request).faults.remove, int(raw)):
        raise ResourceNotFound()
    return json_response({"removed": 1})


@control
async def fault_log(request: Request) -> Response:
    """Every injected fault, newest first."""
    return json_response({"log": await run_in_threadpool(_runtime(request).faults.log)})


@control
async def reset(request: Request) -> Response:
    """Wipe an org's data: {"org_id"?, "keep_metadata": true}."""
    spec = await _body(request, ResetSpec)
    runtime = _runtime(request)

    def work() -> dict[str, Any]:
        org_id = controls.resolve_org(runtime, spec.org_id)
        removed = controls.reset_org(runtime, org_id, keep_metadata=spec.keep_metadata)
        return {"org_id": str(org_id), "removed": removed}

    return json_response(await run_in_threadpool(work))


@control
async def seed(request: Request) -> Response:
    """Seed demo data ({"demo": true}) or N generated records of a module."""
    spec = await _body(request, SeedSpec)
    runtime = _runtime(request)

    def work() -> dict[str, Any]:
        org_id = controls.resolve_org(runtime, spec.org_id)
        if spec.demo:
            from zcrm.server.services import demo

            summary = demo.seed_demo(runtime, org_id)
            return {"org_id": str(org_id), "demo": summary}
        if not spec.module:
            raise InvalidData("give demo: true or a module", param_name="module")
        results = controls.seed_generated(runtime, org_id, spec.module, spec.count)
        ids = [r["details"]["id"] for r in results if r.get("status") == "success"]
        return {"org_id": str(org_id), "module": spec.module, "created": len(ids), "ids": ids}

    return json_response(await run_in_threadpool(work), 201)


@control
async def outbox(request: Request) -> Response:
    """The org's latest change events (the transactional outbox)."""
    runtime = _runtime(request)
    org_param = request.query_params.get("org_id")

    def work() -> list[dict[str, Any]]:
        return controls.outbox(runtime, controls.resolve_org(runtime, org_param))

    return json_response({"events": await run_in_threadpool(work)})


routes = [
    Route("/_emulator", index, methods=["GET"]),
    Route("/_emulator/clock", get_clock, methods=["GET"]),
    Route("/_emulator/clock", set_clock, methods=["POST"]),
    Route("/_emulator/clock", reset_clock, methods=["DELETE"]),
    Route("/_emulator/clock/advance", advance_clock, methods=["POST"]),
    Route("/_emulator/faults", add_fault, methods=["POST"]),
    Route("/_emulator/faults", list_faults, methods=["GET"]),
    Route("/_emulator/faults", clear_faults, methods=["DELETE"]),
    Route("/_emulator/faults/log", fault_log, methods=["GET"]),
    Route("/_emulator/faults/{fault_id}", delete_fault, methods=["DELETE"]),
    Route("/_emulator/reset", reset, methods=["POST"]),
    Route("/_emulator/seed", seed, methods=["POST"]),
    Route("/_emulator/outbox", outbox, methods=["GET"]),
]
