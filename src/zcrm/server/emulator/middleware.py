"""The ASGI middleware that injects faults into matching requests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from zcrm.server.clock import Clock
from zcrm.server.emulator.faults import Fault, FaultBook
from zcrm.server.errors import ZohoError
from zcrm.server.timefmt import to_storage

EMULATOR_PREFIX = "/_emulator"


class DroppedConnection(Exception):
    """Raised after a partial response so the server closes the connection mid-answer."""


def fault_body(fault: Fault) -> bytes:
    code = fault.code or "INTERNAL_ERROR"
    known = {c.code: c for c in _error_classes()}
    message = fault.message or (known[code].default_message if code in known else code)
    return orjson.dumps({"code": code, "details": {}, "message": message, "status": "error"})


def _error_classes() -> list[type[ZohoError]]:
    out: list[type[ZohoError]] = []
    todo: list[type[ZohoError]] = [ZohoError]
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return out


class FaultMiddleware:
    def __init__(
        self, app: ASGIApp, book: FaultBook, clock: Clock, org_of_token: Callable[[str], int]
    ) -> None:
        self.app = app
        self.book = book
        self.clock = clock
        self.org_of_token = org_of_token

    def _org_of(self, scope: Scope) -> int | None:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                token = value.decode("latin-1").split(" ", 1)[-1].strip()
                try:
                    return self.org_of_token(token)
                except ZohoError:
                    return None
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EMULATOR_PREFIX):
            await self.app(scope, receive, send)
            return
        if not self.book.active():
            await self.app(scope, receive, send)
            return
        fault = await run_in_threadpool(
            self.book.pick,
            scope["method"],
            scope["path"],
            to_storage(self.clock.now()),
            lambda: self._org_of(scope),
        )
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        if fault.drop_connection:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json;charset=utf-8"),
                        (b"content-length", b"1000"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b'{"data":[', "more_body": True})
            raise DroppedConnection(f"fault {fault.id} dropped the connection")
        if fault.status is None:
            await self.app(scope, receive, send)
            return
        body = fault_body(fault)
        headers = [
            (b"content-type", b"application/json;charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ]
        if fault.retry_after is not None:
            headers.append((b"retry-after", str(fault.retry_after).encode()))
        await send({"type": "http.response.start", "status": fault.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
