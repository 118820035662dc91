"""Change events, written in the same transaction as the change (transactional outbox)."""

from __future__ import annotations

from typing import Any

from zcrm.server.services.records.context import RecordContext
from zcrm.server.storage.schema import events


def record_event(
    ctx: RecordContext,
    record_id: int,
    operation: str,
    changed_fields: list[str] | None = None,
    changed_values: dict[str, Any] | None = None,
    *,
    workflow: bool = True,
) -> dict[str, Any]:
    return {
        "module": ctx.module.api_name,
        "record_id": record_id,
        "operation": operation,
        "changed_fields": changed_fields or [],
        "changed_values": changed_values or {},
        "user_id": ctx.caller.user.id,
        "workflow": workflow,
        "write_id": ctx.write_id,
        "occurred_at": ctx.now,
        "dispatched": False,
    }


def write_events(ctx: RecordContext, rows: list[dict[str, Any]]) -> None:
    ctx.scope.insert(events, rows)
