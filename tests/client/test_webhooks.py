"""zcrm.client.webhooks.WebhookReceiver: check, persist, answer, process — lose nothing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from pathlib import Path
from typing import Any

import httpx

from zcrm.client.webhooks import WebhookReceiver


def post(
    app: WebhookReceiver, payload: Any, headers: dict[str, str] | None = None
) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hooks"
        ) as client:
            return await client.post("/", content=json.dumps(payload), headers=headers or {})

    return asyncio.run(go())


def test_token_is_checked_and_payload_handled(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []
    receiver = WebhookReceiver(seen.append, token="t0k", queue_path=tmp_path / "q.sqlite3")
    assert post(receiver, {"ids": ["1"], "token": "wrong"}).status_code == 401
    assert post(receiver, {"ids": ["1"], "token": "t0k"}).status_code == 200
    assert receiver.drain(5)
    receiver.stop()
    assert [p["ids"] for p in seen] == [["1"]]


def test_signature(tmp_path: Path) -> None:
    receiver = WebhookReceiver(lambda p: None, secret="s3", queue_path=tmp_path / "q.sqlite3")
    body = json.dumps({"x": 1})
    good = hmac.new(b"s3", body.encode(), hashlib.sha256).hexdigest()

    async def go(signature: str) -> int:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=receiver), base_url="http://hooks"
        ) as client:
            response = await client.post("/", content=body, headers={"X-Zcrm-Signature": signature})
            return response.status_code

    assert asyncio.run(go("sha256=" + good)) == 200
    assert asyncio.run(go("nope")) == 401
    receiver.stop()


def test_failing_handler_is_retried_then_dead(tmp_path: Path) -> None:
    calls = {"n": 0}

    def flaky(payload: dict[str, Any]) -> None:
        calls["n"] += 1
        if payload["fail"]:
            raise RuntimeError("boom")

    receiver = WebhookReceiver(
        flaky, queue_path=tmp_path / "q.sqlite3", max_attempts=3, base_delay=0.01
    )
    post(receiver, {"fail": True})
    post(receiver, {"fail": False})
    assert receiver.drain(10)
    receiver.stop()
    assert receiver.counts() == {"dead": 1, "done": 1}
    assert receiver.dead()[0]["attempts"] == 3 and "boom" in receiver.dead()[0]["error"]


def test_burst_of_1000_loses_none(tmp_path: Path) -> None:
    seen: set[int] = set()
    lock = threading.Lock()

    def handle(payload: dict[str, Any]) -> None:
        with lock:
            seen.add(payload["n"])

    receiver = WebhookReceiver(handle, queue_path=tmp_path / "q.sqlite3")

    async def burst() -> list[int]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=receiver), base_url="http://hooks"
        ) as client:
            responses = await asyncio.gather(
                *(client.post("/", content=json.dumps({"n": n})) for n in range(1000))
            )
            return [r.status_code for r in responses]

    statuses = asyncio.run(burst())
    assert statuses == [200] * 1000
    assert receiver.drain(60)
    receiver.stop()
    assert seen == set(range(1000))
