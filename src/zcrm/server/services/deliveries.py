"""The delivery log: deliveries and their attempts per channel or webhook; redelivery."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from zcrm.server.errors import InvalidData, NotAllowed
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.storage.schema import deliveries, delivery_attempts
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import wire_now

STATUSES = ("pending", "delivering", "delivered", "dead")

Json = dict[str, Any]


def _when(epoch: float | None, tz: str) -> str | None:
    return None if epoch is None else wire_now(datetime.fromtimestamp(epoch, UTC), tz)


def delivery_json(row: Any, tz: str, attempts: list[Any] | None = None) -> Json:
    out: Json = {
        "id": str(row.id),
        "target": {"type": row.target_kind, "id": row.target_id},
        "status": row.status,
        "attempts": row.attempts,
        "method": row.method,
        "url": row.url,
        "event_ids": [str(e) for e in row.event_ids],
        "created_time": _when(row.created_at, tz),
        "next_attempt_time": _when(row.next_attempt_at, tz) if row.status == "pending" else None,
        "delivered_time": _when(row.delivered_at, tz),
        "last_status_code": row.last_status,
        "last_error": row.last_error,
    }
    if attempts is not None:
        out["attempt_log"] = [
            {
                "attempt": a.attempt,
                "time": _when(a.started_at, tz),
                "status_code": a.status_code,
                "latency_ms": a.latency_ms,
                "response_excerpt": a.response_excerpt,
                "error": a.error,
                "worker": a.worker,
            }
            for a in attempts
        ]
        out["payload"] = row.body
    return out


def list_deliveries(
    runtime: Runtime,
    caller: Caller,
    *,
    kind: str | None,
    target_prefix: str | None,
    status: str | None,
    page: int,
    per_page: int,
) -> tuple[list[Json], bool]:
    with runtime.db.read_org(caller.org.id) as scope:
        query = scope.select(deliveries)
        if kind:
            query = query.where(deliveries.c.target_kind == kind)
        if target_prefix:
            query = query.where(deliveries.c.target_id.like(target_prefix.replace("%", "") + "%"))
        if status:
            query = query.where(deliveries.c.status == status)
        rows = scope.rows(
            query.order_by(deliveries.c.id.desc()).offset((page - 1) * per_page).limit(per_page + 1)
        )
    more = len(rows) > per_page
    return [delivery_json(r, caller.user.time_zone) for r in rows[:per_page]], more


def _attempts(scope: OrgScope, delivery_id: int) -> list[Any]:
    return scope.rows(
        scope.select(delivery_attempts)
        .where(delivery_attempts.c.delivery_id == delivery_id)
        .order_by(delivery_attempts.c.attempt, delivery_attempts.c.id)
    )


def get_delivery(
    runtime: Runtime, caller: Caller, delivery_id: int, authorize: Callable[[str], None]
) -> Json:
    """One delivery and its attempts; ``authorize`` vets the caller for its target kind."""
    with runtime.db.read_org(caller.org.id) as scope:
        row = scope.execute(scope.select(deliveries).where(deliveries.c.id == delivery_id)).first()
        if row is None:
            raise InvalidData("the delivery id given seems to be invalid", resource_path_index=1)
        authorize(row.target_kind)
        return delivery_json(row, caller.user.time_zone, _attempts(scope, delivery_id))


def redeliver(
    runtime: Runtime, caller: Caller, delivery_id: int, authorize: Callable[[str], None]
) -> Json:
    """Send a dead (or delivered) delivery again, with a fresh retry schedule."""
    now = runtime.clock.timestamp()
    with runtime.db.write_org(caller.org.id) as scope:
        row = scope.execute(scope.select(deliveries).where(deliveries.c.id == delivery_id)).first()
        if row is None:
            raise InvalidData("the delivery id given seems to be invalid", resource_path_index=1)
        authorize(row.target_kind)
        if row.status in ("pending", "delivering"):
            raise NotAllowed("the delivery is still under way", status=row.status)
        scope.execute(
            scope.update(deliveries)
            .where(deliveries.c.id == delivery_id)
            .values(status="pending", attempts=0, next_attempt_at=now, lease_until=None)
        )
    return {
        "code": "SUCCESS",
        "details": {"id": str(delivery_id)},
        "message": "delivery scheduled again",
        "status": "success",
    }
