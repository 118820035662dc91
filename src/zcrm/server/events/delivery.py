"""Deliveries: claimed by one worker at a time, POSTed, recorded, retried or given up.

Retry schedule after a failed attempt (± 20 % jitter, on the injected clock):
10 s, 30 s, 1 min, 5 min, 15 min, 1 h, 3 h — eight attempts in all, then ``dead``
(redeliverable by hand). Any answer other than a 2xx within the timeout (5 s, as Zoho
allows its receivers) is a failed attempt.

A delivery is claimed by setting it ``delivering`` with a lease; a worker that dies
leaves a lease that runs out, and the delivery is claimed again (at least once).
Deliveries to one target (a channel on a module, a webhook) go strictly in order: one
is claimed only when no earlier one for its target is still pending.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from zcrm.server.events.signing import SIGNATURE_HEADER, sign
from zcrm.server.runtime import Runtime
from zcrm.server.storage.schema import deliveries, delivery_attempts

RETRY_DELAYS = (10, 30, 60, 300, 900, 3600, 10800)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE_SECONDS = 60.0
EXCERPT = 500


@dataclass(frozen=True)
class Claimed:
    id: int
    org_id: int
    method: str
    url: str
    body: str
    signing_key: str | None
    attempt: int
    lease: float


def retry_delay(runtime: Runtime, attempt: int) -> float:
    """Seconds before the attempt after failed attempt number ``attempt`` (from 1)."""
    base = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
    jitter = (runtime.random.randbelow(4001) - 2000) / 10000  # ±20 %, seedable
    return base * (1 + jitter)


def claim(runtime: Runtime, limit: int) -> list[Claimed]:
    now = runtime.clock.timestamp()
    earlier = aliased(deliveries)
    due = or_(
        and_(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now),
        and_(deliveries.c.status == "delivering", deliveries.c.lease_until < now),
    )
    blocked = exists().where(
        earlier.c.org_id == deliveries.c.org_id,
        earlier.c.target_key == deliveries.c.target_key,
        earlier.c.id < deliveries.c.id,
        earlier.c.status.in_(("pending", "delivering")),
    )
    query = select(deliveries).where(due, ~blocked).order_by(deliveries.c.id).limit(limit)
    if runtime.db.dialect == "postgresql":
        query = query.with_for_update(skip_locked=True, of=deliveries)
    claimed = []
    with runtime.db.write() as conn:
        rows = conn.execute(query).all()
        lease = now + LEASE_SECONDS
        for row in rows:
            conn.execute(
                deliveries.update()
                .where(deliveries.c.id == row.id)
                .values(status="delivering", lease_until=lease, attempts=row.attempts + 1)
            )
            claimed.append(
                Claimed(
                    row.id,
                    row.org_id,
                    row.method,
                    row.url,
                    row.body or "",
                    row.signing_key,
                    row.attempts + 1,
                    lease,
                )
            )
    return claimed


def send(client: httpx.Client, item: Claimed) -> tuple[int | None, str | None, str | None, float]:
    """POST (or PUT/GET) one delivery: (status, response excerpt, error, latency ms)."""
    body = item.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "zcrm-notifications/1",
        "X-Zcrm-Delivery": str(item.id),
        "X-Zcrm-Attempt": str(item.attempt),
    }
    if item.signing_key:
        headers[SIGNATURE_HEADER] = sign(item.signing_key, body)
    started = time.perf_counter()
    try:
        if item.method == "GET":
            import orjson

            payload = orjson.loads(body) if body else {}
            params = {
                "module": payload.get("module"),
                "operation": payload.get("operation"),
                "id": payload.get("id"),
                **(payload.get("parameters") or {}),
            }
            response = client.get(
                item.url, params={k: v for k, v in params.items() if v}, headers=headers
            )
        else:
            response = client.request(item.method, item.url, content=body, headers=headers)
    except httpx.TimeoutException:
        return None, None, "timeout", (time.perf_counter() - started) * 1000
    except httpx.HTTPError as exc:
        return (
            None,
            None,
            f"{type(exc).__name__}: {exc}"[:EXCERPT],
            (time.perf_counter() - started) * 1000,
        )
    latency = (time.perf_counter() - started) * 1000
    return response.status_code, response.text[:EXCERPT], None, latency


def finish(
    runtime: Runtime,
    item: Claimed,
    status: int | None,
    excerpt: str | None,
    error: str | None,
    latency_ms: float,
    worker: str,
) -> str:
    """Record the attempt and move the delivery on; its new status."""
    now = runtime.clock.timestamp()
    ok = status is not None and 200 <= status < 300
    if ok:
        changes: dict[str, Any] = {"status": "delivered", "delivered_at": now}
    elif item.attempt >= MAX_ATTEMPTS:
        changes = {"status": "dead"}
    else:
        changes = {"status": "pending", "next_attempt_at": now + retry_delay(runtime, item.attempt)}
    if not ok and error is None:
        error = f"HTTP {status}"
    with runtime.db.write() as conn:
        conn.execute(
            delivery_attempts.insert().values(
                org_id=item.org_id,
                delivery_id=item.id,
                attempt=item.attempt,
                started_at=now - latency_ms / 1000,
                status_code=status,
                latency_ms=int(latency_ms),
                response_excerpt=excerpt,
                error=error,
                worker=worker,
            )
        )
        updated = conn.execute(
            deliveries.update()
            .where(
                deliveries.c.id == item.id,
                deliveries.c.status == "delivering",
                deliveries.c.lease_until == item.lease,
            )
            .values(
                last_status=status, last_error=None if ok else error, lease_until=None, **changes
            )
        ).rowcount
    return str(changes["status"]) if updated else "superseded"
