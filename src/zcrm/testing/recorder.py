"""Captures every request a server received, for assertions on what an integration sent."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int | None

    def json(self) -> Any:
        return orjson.loads(self.body) if self.body else None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Recorder:
    requests: list[RecordedRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def calls(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Requests matching a method and a path (``path`` may end with ``*``)."""
        with self._lock:
            found = list(self.requests)
        if method:
            found = [r for r in found if r.method == method.upper()]
        if path:
            if path.endswith("*"):
                found = [r for r in found if r.path.startswith(path[:-1])]
            else:
                found = [r for r in found if r.path == path]
        return found

    def __len__(self) -> int:
        return len(self.requests)


class RecordingMiddleware:
    def __init__(self, app: ASGIApp, recorder: Recorder) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        status: list[int] = []

        async def recv() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def snd(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, recv, snd)
        finally:
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1")
                for k, v in scope.get("headers", [])
            }
            self.recorder.add(
                RecordedRequest(
                    scope["method"],
                    scope["path"],
                    parse_qs(scope.get("query_string", b"").decode("latin-1")),
                    headers,
                    b"".join(chunks),
                    status[0] if status else None,
                )
            )
