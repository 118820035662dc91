"""Deliveries: claimed by one worker at a time, POSTed, recorded, retried or given up.

Retry schedule after a failed attempt (± 20 % jitter, on the injected clock):
10 s, 30 s, 1 min, 5 min, 15 min, 1 h, 3 h — eight attempts in all, then ``dead``
(redeliverable by hand). Any answer other than a 2xx within the timeout (5 s, as Zoho
allows its receivers) is a failed attempt.

A delivery is claimed by setting it ``delivering`` with a lease; a worker that dies
leaves a lease that runs out, and the delivery is claimed again (at least once).
Ordering is per record and target: a delivery is claimed only when no earlier one to
the same target (a channel on a module, a webhook) about any of its records is still
pending or under way. Deliveries about different records go out in parallel.
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import orjson
import urllib3
from sqlalchemy import Connection, Float, Select, and_, bindparam, exists, literal, select
from sqlalchemy.orm import aliased

from zcrm.server.events.signing import SIGNATURE_HEADER, sign
from zcrm.server.runtime import Runtime
from zcrm.server.storage.schema import deliveries, delivery_attempts, delivery_records

RETRY_DELAYS = (10, 30, 60, 300, 900, 3600, 10800)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE_SECONDS = 15.0  # the 5 s timeout and margin; a dead worker blocks its targets this long
EXCERPT = 500
USER_AGENT = "zcrm-notifications/1"
DELIVERY_HEADER = "X-Zcrm-Delivery"  # the delivery's id: the same on every attempt
ATTEMPT_HEADER = "X-Zcrm-Attempt"  # 1 for the first attempt, 2 for the first retry, …
OPEN = ("pending", "delivering")


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


def _waits() -> Any:
    """True for a delivery while an earlier one to its target about one of its records is
    still open. Nested so that the planner starts from the delivery's own few records."""
    mine = aliased(delivery_records, name="mine")
    prior = aliased(delivery_records, name="prior")
    earlier = aliased(deliveries, name="earlier")
    earlier_open = (
        select(literal(1))
        .select_from(prior.join(earlier, earlier.c.id == prior.c.delivery_id))
        .where(
            prior.c.org_id == mine.c.org_id,
            prior.c.target_key == mine.c.target_key,
            prior.c.record_id == mine.c.record_id,
            prior.c.delivery_id < mine.c.delivery_id,
            earlier.c.status.in_(OPEN),
        )
    )
    return exists(
        select(literal(1))
        .select_from(mine)
        .where(
            mine.c.org_id == deliveries.c.org_id,
            mine.c.delivery_id == deliveries.c.id,
            exists(earlier_open),
        )
    )


@lru_cache(maxsize=64)
def _claimable(dialect: str, limit: int, expired: bool, lock: bool = True) -> Select[Any]:
    """Deliveries to claim (``now`` is a bound parameter): with ``expired``, those whose
    worker's lease ran out; else those due, soonest first (both use ix_deliveries_due)."""
    now = bindparam("now", type_=Float)
    if expired:
        where = and_(deliveries.c.status == "delivering", deliveries.c.lease_until < now)
        order = deliveries.c.id
    else:
        where = and_(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
        order = deliveries.c.next_attempt_at
    query = select(deliveries).where(where, ~_waits()).order_by(order).limit(limit)
    if lock and dialect == "postgresql":
        # Several workers: each skips the rows another is claiming (each taken once).
        query = query.with_for_update(skip_locked=True, of=deliveries)
    return query


_TAKE = (
    deliveries.update()
    .where(deliveries.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        status="delivering",
        lease_until=bindparam("lease", type_=Float),
        attempts=deliveries.c.attempts + 1,
    )
)


def _claim_in(
    conn: Connection, dialect: str, now: float, limit: int, expired: bool = True
) -> list[Claimed]:
    """Claim up to ``limit``: with ``expired``, first those whose lease ran out."""
    rows = []
    if expired:
        rows = list(conn.execute(_claimable(dialect, limit, True), {"now": now}).all())
    if len(rows) < limit:
        rows += conn.execute(_claimable(dialect, limit - len(rows), False), {"now": now}).all()
    if not rows:
        return []
    lease = now + LEASE_SECONDS
    conn.execute(_TAKE, {"ids": [row.id for row in rows], "lease": lease})
    return [
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
        for row in rows
    ]


def anything_to_claim(runtime: Runtime, expired: bool = True) -> bool:
    """A cheap look, without taking the write lock: is any delivery claimable now?
    (``expired``: those whose lease ran out count too.)"""
    now = runtime.clock.timestamp()
    dialect = runtime.db.dialect
    with runtime.db.read() as conn:
        return any(
            conn.execute(_claimable(dialect, 1, kind, False), {"now": now}).first()
            for kind in ((True, False) if expired else (False,))
        )


def claim(runtime: Runtime, limit: int) -> list[Claimed]:
    """Take up to ``limit`` deliveries: ``delivering``, with a lease, in one transaction."""
    with runtime.db.write() as conn:
        return _claim_in(conn, runtime.db.dialect, runtime.clock.timestamp(), limit)


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: an HTTP status (None when no answer came), the start of the
    answer, an error (``timeout``, a connection error), and how long it took."""

    status: int | None
    excerpt: str | None
    error: str | None
    latency_ms: float

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


def _query_parameters(body: bytes) -> dict[str, str]:
    """A GET webhook carries its body's module, operation, id and parameters as a query."""
    payload = orjson.loads(body) if body else {}
    params = {
        "module": payload.get("module"),
        "operation": payload.get("operation"),
        "id": payload.get("id"),
        **(payload.get("parameters") or {}),
    }
    return {k: str(v) for k, v in params.items() if v not in (None, "")}


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    body: bytes | None
    headers: dict[str, str]


def request_for(item: Claimed) -> Request:
    """The HTTP request of one attempt: the body as stored (signed), or for a GET webhook
    its module, operation, id and parameters added to the URL's query string."""
    body = item.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        DELIVERY_HEADER: str(item.id),
        ATTEMPT_HEADER: str(item.attempt),
    }
    if item.signing_key:
        headers[SIGNATURE_HEADER] = sign(item.signing_key, body)
    if item.method == "GET":
        query = urlencode(_query_parameters(body))
        url = f"{item.url}{'&' if '?' in item.url else '?'}{query}" if query else item.url
        return Request("GET", url, None, headers)
    return Request(item.method, item.url, body, headers)


def sender(connections: int, tls: ssl.SSLContext | None = None) -> urllib3.PoolManager:
    """The connection pools a worker sends through (thread-safe; kept-alive per host).

    urllib3, not httpx, here: with several threads sending at once httpx's pool spends
    twice the CPU per request on its locks (measured: 8 threads on loopback, httpx
    0.80k requests/s at 1.2 ms CPU each, urllib3 1.75k/s at 0.58 ms)."""
    return urllib3.PoolManager(
        num_pools=64, maxsize=connections, block=False, retries=False, ssl_context=tls
    )


def send(pool: urllib3.PoolManager, item: Claimed, timeout: float) -> Outcome:
    """Make one attempt: a 2xx answer within ``timeout`` seconds (bounding connecting
    and each read; an answer that took longer in all failed as well). Only the first
    ``EXCERPT`` bytes of the answer are kept."""
    started = time.perf_counter()
    request = request_for(item)
    try:
        response = pool.request(
            request.method,
            request.url,
            body=request.body,
            headers=request.headers,
            preload_content=False,
            redirect=False,
            retries=False,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
        )
        try:
            head = response.read(EXCERPT)
            if response.length_remaining == 0:
                response.release_conn()  # fully read: the connection is kept alive
            else:
                response.close()  # more (or unknown) left: not worth reading
        except BaseException:
            response.close()
            raise
    except urllib3.exceptions.TimeoutError:
        return Outcome(None, None, "timeout", (time.perf_counter() - started) * 1000)
    except Exception as exc:  # refused, reset, a bad URL …: a failed attempt, never a crash
        error = f"{type(exc).__name__}: {exc}"[:EXCERPT]
        return Outcome(None, None, error, (time.perf_counter() - started) * 1000)
    latency = (time.perf_counter() - started) * 1000
    if latency > timeout * 1000:
        return Outcome(response.status, None, "timeout", latency)
    return Outcome(response.status, head.decode("utf-8", "replace"), None, latency)


_RECORD_ATTEMPT = delivery_attempts.insert()
_MOVE_ON = (
    deliveries.update()
    .where(
        deliveries.c.id == bindparam("b_id"),
        deliveries.c.status == "delivering",
        deliveries.c.lease_until == bindparam("b_lease"),  # not taken over meanwhile
    )
    .values(
        status=bindparam("b_status"),
        next_attempt_at=bindparam("b_next"),
        delivered_at=bindparam("b_delivered"),
        last_status=bindparam("b_last_status"),
        last_error=bindparam("b_last_error"),
        lease_until=None,
    )
)


def _record_in(
    conn: Connection,
    runtime: Runtime,
    now: float,
    results: list[tuple[Claimed, Outcome]],
    worker: str,
) -> list[str]:
    """Each attempt's row, and each delivery moved on (two statements for all of them)."""
    attempts, moves, statuses = [], [], []
    for item, outcome in results:
        error = outcome.error
        if outcome.ok:
            status, next_at = "delivered", now
        elif item.attempt >= MAX_ATTEMPTS:
            status, next_at = "dead", now
        else:
            status, next_at = "pending", now + retry_delay(runtime, item.attempt)
        if not outcome.ok and error is None:
            error = f"HTTP {outcome.status}"
        statuses.append(status)
        attempts.append(
            {
                "org_id": item.org_id,
                "delivery_id": item.id,
                "attempt": item.attempt,
                "started_at": now - outcome.latency_ms / 1000,
                "status_code": outcome.status,
                "latency_ms": int(outcome.latency_ms),
                "response_excerpt": outcome.excerpt,
                "error": error,
                "worker": worker[:64],
            }
        )
        moves.append(
            {
                "b_id": item.id,
                "b_lease": item.lease,
                "b_status": status,
                "b_next": next_at,
                "b_delivered": now if outcome.ok else None,
                "b_last_status": outcome.status,
                "b_last_error": None if outcome.ok else error,
            }
        )
    if results:
        conn.execute(_RECORD_ATTEMPT, attempts)
        conn.execute(_MOVE_ON, moves)
    return statuses


def finish_many(runtime: Runtime, results: list[tuple[Claimed, Outcome]], worker: str) -> list[str]:
    """Record the attempts and move each delivery on, in one transaction; the new
    statuses. (A delivery whose lease ran out and that another worker took over is
    left to that worker; its attempt is recorded all the same.)"""
    with runtime.db.write() as conn:
        return _record_in(conn, runtime, runtime.clock.timestamp(), results, worker)


def settle(
    runtime: Runtime,
    results: list[tuple[Claimed, Outcome]],
    limit: int,
    worker: str,
    *,
    expired: bool = True,
) -> list[Claimed]:
    """Record finished attempts and claim up to ``limit`` more, in one transaction (one
    write lock per round, which matters on SQLite); none taken when nothing is due.
    ``expired=False`` skips looking for deliveries whose lease ran out (a worker need
    not look every round: a lease lasts ``LEASE_SECONDS``)."""
    if not results and (limit <= 0 or not anything_to_claim(runtime, expired)):
        return []
    now = runtime.clock.timestamp()
    with runtime.db.write() as conn:
        if results:
            _record_in(conn, runtime, now, results, worker)
        if limit <= 0:
            return []
        return _claim_in(conn, runtime.db.dialect, now, limit, expired)


def finish(runtime: Runtime, item: Claimed, outcome: Outcome, worker: str) -> str:
    """Record one attempt and move its delivery on; its new status."""
    return finish_many(runtime, [(item, outcome)], worker)[0]
