"""An ASGI app that receives Zoho notifications and webhooks without ever losing one.

    from zcrm.client.webhooks import WebhookReceiver

    def on_change(payload: dict) -> None:        # raise to have it retried later
        ...

    receiver = WebhookReceiver(on_change, token="my-channel-token")
    app.mount("/zoho/hooks", receiver)           # Starlette / FastAPI

Each POST is checked (the channel ``token`` in the body, and, when a ``secret`` is
given, an HMAC-SHA256 signature header over the raw body), written to a durable
queue (a SQLite file), and answered 200 at once — Zoho counts anything slower than a
few seconds as a failure. A background thread hands queued payloads to your handler,
retrying with backoff; payloads that keep failing end as ``dead`` for inspection.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[dict[str, Any]], Any]


class WebhookReceiver:
    def __init__(
        self,
        handler: Handler,
        *,
        token: str | None = None,
        secret: str | None = None,
        signature_header: str = "x-zcrm-signature",
        queue_path: str | Path = "zcrm-webhooks.sqlite3",
        max_attempts: int = 8,
        base_delay: float = 1.0,
        poll_interval: float = 0.05,
    ) -> None:
        self.handler = handler
        self.token = token
        self.secret = secret.encode() if secret else None
        self.signature_header = signature_header.lower().encode()
        self.queue_path = str(queue_path)
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.poll_interval = poll_interval
        self._local = threading.local()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        with self._db() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " body TEXT NOT NULL, received_at REAL NOT NULL, attempts INTEGER NOT NULL"
                " DEFAULT 0, next_attempt_at REAL NOT NULL, status TEXT NOT NULL DEFAULT"
                " 'pending', last_error TEXT)"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS inbox_due ON inbox (status, next_attempt_at)")

    # -- storage -------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.queue_path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    def enqueue(self, body: bytes) -> int:
        now = time.time()
        with self._db() as conn:
            cursor = conn.execute(
                "INSERT INTO inbox (body, received_at, next_attempt_at) VALUES (?, ?, ?)",
                (body.decode("utf-8", "replace"), now, now),
            )
        self._wake.set()
        return int(cursor.lastrowid or 0)

    def counts(self) -> dict[str, int]:
        rows = self._db().execute("SELECT status, COUNT(*) FROM inbox GROUP BY status")
        return {status: count for status, count in rows}

    def dead(self) -> list[dict[str, Any]]:
        rows = self._db().execute(
            "SELECT id, body, attempts, last_error FROM inbox WHERE status = 'dead' ORDER BY id"
        )
        return [
            {"id": r[0], "payload": json.loads(r[1]), "attempts": r[2], "error": r[3]} for r in rows
        ]

    # -- HTTP -----------------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _respond(send, 405, {"status": "error", "message": "POST only"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        problem = self._check(scope, body)
        if problem is not None:
            await _respond(send, 401, {"status": "error", "message": problem})
            return
        self.start()
        await asyncio.get_running_loop().run_in_executor(None, self.enqueue, body)
        await _respond(send, 200, {"status": "success"})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _check(self, scope: dict[str, Any], body: bytes) -> str | None:
        try:
            payload = json.loads(body)
        except ValueError:
            return "the body is not JSON"
        if not isinstance(payload, dict):
            return "the body is not a JSON object"
        if self.token is not None and not hmac.compare_digest(
            str(payload.get("token", "")), self.token
        ):
            return "wrong token"
        if self.secret is not None:
            given = dict(scope.get("headers", [])).get(self.signature_header, b"").decode()
            expected = hmac.new(self.secret, body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(given.removeprefix("sha256="), expected):
                return "bad signature"
        return None

    # -- the worker -----------------------------------------------------------------------------

    def start(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._work, name="zcrm-webhooks", daemon=True
                )
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until nothing is pending (tests, shutdown); True if drained."""
        self.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.counts().get("pending", 0) == 0:
                return True
            time.sleep(self.poll_interval)
        return False

    def _work(self) -> None:
        while not self._stop.is_set():
            if not self.process_due():
                self._wake.wait(self.poll_interval)
                self._wake.clear()

    def process_due(self, limit: int = 100) -> int:
        """Hand due payloads to the handler; returns how many were tried."""
        conn = self._db()
        rows = conn.execute(
            "SELECT id, body, attempts FROM inbox WHERE status = 'pending' AND"
            " next_attempt_at <= ? ORDER BY id LIMIT ?",
            (time.time(), limit),
        ).fetchall()
        for row_id, body, attempts in rows:
            try:
                result = self.handler(json.loads(body))
                if inspect.isawaitable(result):
                    asyncio.run(_await(result))
            except Exception as exc:  # the handler failed: retry later, or give up
                attempts += 1
                status = "dead" if attempts >= self.max_attempts else "pending"
                delay = min(300.0, self.base_delay * 2 ** (attempts - 1))
                conn.execute(
                    "UPDATE inbox SET attempts = ?, status = ?, next_attempt_at = ?,"
                    " last_error = ? WHERE id = ?",
                    (attempts, status, time.time() + delay, repr(exc)[:1000], row_id),
                )
            else:
                conn.execute(
                    "UPDATE inbox SET attempts = attempts + 1, status = 'done' WHERE id = ?",
                    (row_id,),
                )
        return len(rows)


async def _await(awaitable: Any) -> Any:
    return await awaitable


async def _respond(send: Any, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
