"""Outbox events -> deliveries, in one transaction (so nothing is lost or doubled).

One dispatcher runs at a time (an advisory lock on PostgreSQL; SQLite's write lock),
which keeps deliveries in event order; any number of workers may deliver.

Notifications: events of one write (same module, operation, moment and user) go to a
channel as one callback with all their ids, as Zoho batches them. Webhooks: one call
per record event, when its conditions hold for the record as it is when dispatched.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import orjson
from sqlalchemy import Connection, select

from zcrm.server.events.payloads import OPERATIONS, notification_body, webhook_body
from zcrm.server.query.compile import Compiler
from zcrm.server.query.criteria import parse_criteria
from zcrm.server.query.validate import CRITERIA, bind
from zcrm.server.runtime import Runtime
from zcrm.server.services.metadata.model import OrgMetadata
from zcrm.server.services.notifications import active_channels, condition_fields
from zcrm.server.services.records.serialize import render_rows
from zcrm.server.storage.schema import (
    deliveries,
    delivery_records,
    events,
    orgs,
    records,
    webhooks,
)
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import to_storage

DISPATCH_LOCK = 726374
BATCH = 500


_WAITING = select(events.c.id).where(events.c.dispatched.is_(False)).limit(1)


def anything_to_dispatch(runtime: Runtime) -> bool:
    """A cheap look, without taking the write lock: is any event waiting?"""
    with runtime.db.read() as conn:
        return conn.execute(_WAITING).first() is not None


def dispatch_once(runtime: Runtime, batch: int = BATCH) -> int:
    """Turn up to ``batch`` undispatched events into deliveries; how many events."""
    if not anything_to_dispatch(runtime):
        return 0
    with runtime.db.write() as conn:
        if runtime.db.dialect == "postgresql":
            got = conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({DISPATCH_LOCK})")
            if not got.scalar():
                return 0
        rows = conn.execute(
            select(events).where(events.c.dispatched.is_(False)).order_by(events.c.id).limit(batch)
        ).all()
        if not rows:
            return 0
        now = runtime.clock.timestamp()
        out: list[dict[str, Any]] = []
        by_org: OrderedDict[int, list[Any]] = OrderedDict()
        for row in rows:
            by_org.setdefault(row.org_id, []).append(row)
        for org_id, org_events in by_org.items():
            scope = OrgScope(conn, org_id)
            meta = runtime.metadata.for_scope(scope)
            tz = conn.execute(select(orgs.c.time_zone).where(orgs.c.id == org_id)).scalar()
            out += _for_channels(runtime, scope, org_events, now)
            out += _for_webhooks(scope, meta, org_events, now, str(tz or "UTC"))
        conn.execute(
            events.update().where(events.c.id.in_([r.id for r in rows])).values(dispatched=True)
        )
        if out:
            _insert_deliveries(conn, out)
        return len(rows)


def _insert_deliveries(conn: Connection, out: list[dict[str, Any]]) -> None:
    """The deliveries, and the records each is about (the worker orders by those)."""
    record_ids = [item.pop("record_ids") for item in out]
    inserted = conn.execute(
        deliveries.insert().returning(deliveries.c.id, sort_by_parameter_order=True), out
    )
    about = [
        {
            "org_id": item["org_id"],
            "delivery_id": delivery_id,
            "target_key": item["target_key"],
            "record_id": record_id,
        }
        for item, delivery_id, ids in zip(out, inserted.scalars(), record_ids, strict=True)
        for record_id in dict.fromkeys(ids)
    ]
    conn.execute(delivery_records.insert(), about)


def _groups(org_events: list[Any]) -> list[list[Any]]:
    """Consecutive events of one write call (same module and operation) together."""
    groups: list[list[Any]] = []
    for event in org_events:
        if groups and event.write_id:
            last = groups[-1][0]
            same = (last.module, last.operation, last.write_id)
            if same == (event.module, event.operation, event.write_id):
                groups[-1].append(event)
                continue
        groups.append([event])
    return groups


def _delivery(
    org_id: int,
    kind: str,
    target: str,
    about: list[Any],
    method: str,
    url: str,
    body: bytes,
    key: str | None,
    now: float,
) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "target_kind": kind,
        "target_id": target,
        "target_key": f"{kind}:{target}",
        "event_ids": [e.id for e in about],
        "record_ids": [e.record_id for e in about],
        "method": method,
        "url": url,
        "body": body.decode(),
        "signing_key": key,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "lease_until": None,
        "created_at": now,
    }


def _for_channels(
    runtime: Runtime, scope: OrgScope, org_events: list[Any], now: float
) -> list[dict[str, Any]]:
    out = []
    stamp = to_storage(runtime.clock.now())
    base = runtime.settings.base_url()
    channels_by_module: dict[str, list[Any]] = {}
    for group in _groups(org_events):
        first = group[0]
        wanted = OPERATIONS.get(first.operation)
        channels = channels_by_module.get(first.module)
        if channels is None:
            channels = active_channels(scope, first.module, stamp)
            channels_by_module[first.module] = channels
        for channel in channels:
            if wanted not in channel.events:
                continue
            selected = condition_fields(channel.notification_condition, first.module)
            members = group
            if selected is not None and first.operation == "update":
                members = [e for e in group if selected & set(e.changed_fields or [])]
            if not members:
                continue
            body = notification_body(
                channel=channel,
                module=first.module,
                operation=first.operation,
                ids=[e.record_id for e in members],
                changed={e.record_id: list(e.changed_fields or []) for e in members},
                values={e.record_id: dict(e.changed_values or {}) for e in members},
                server_time_ms=int(now * 1000),
                base_url=base,
            )
            out.append(
                _delivery(
                    scope.org_id,
                    "channel",
                    f"{channel.channel_id}:{first.module}",
                    members,
                    "POST",
                    channel.notify_url,
                    json_bytes(body),
                    channel.token,
                    now,
                )
            )
    return out


def json_bytes(value: Any) -> bytes:
    return orjson.dumps(value)


def _for_webhooks(
    scope: OrgScope, meta: OrgMetadata, org_events: list[Any], now: float, tz: str
) -> list[dict[str, Any]]:
    out = []
    hooks_by_module: dict[str, list[Any]] = {}
    for event in org_events:
        if not event.workflow:
            continue
        hooks = hooks_by_module.get(event.module)
        if hooks is None:
            hooks = scope.rows(
                scope.select(webhooks).where(
                    webhooks.c.module == event.module, webhooks.c.active.is_(True)
                )
            )
            hooks_by_module[event.module] = hooks
        if not hooks:
            continue
        module = meta.module(event.module)
        if module is None:
            continue
        operation = OPERATIONS.get(event.operation)
        record_row = None
        if event.operation != "delete":
            record_row = scope.execute(
                scope.select(records).where(records.c.id == event.record_id)
            ).first()
        rendered = (
            render_rows(scope, meta, module, [record_row], None, tz)[0]
            if record_row is not None
            else None
        )
        for hook in hooks:
            if operation not in hook.events:
                continue
            if (
                hook.fields_updated
                and event.operation == "update"
                and not (set(hook.fields_updated) & set(event.changed_fields or []))
            ):
                continue
            if (
                hook.criteria
                and event.operation != "delete"
                and not _matches(scope, meta, module, hook.criteria, event.record_id)
            ):
                continue
            body = webhook_body(
                webhook=hook,
                module=module,
                operation=event.operation,
                record_id=event.record_id,
                record=rendered,
                changed_fields=list(event.changed_fields or []),
                occurred_at=event.occurred_at,
            )
            out.append(
                _delivery(
                    scope.org_id,
                    "webhook",
                    str(hook.id),
                    [event],
                    hook.http_method,
                    hook.url,
                    json_bytes(body),
                    hook.token,
                    now,
                )
            )
    return out


def _matches(
    scope: OrgScope, meta: OrgMetadata, module: Any, criteria: str, record_id: int
) -> bool:
    try:
        node = bind(parse_criteria(criteria), meta, module, CRITERIA)
    except Exception:  # the fields changed since the webhook was saved: do not fire
        return False
    compiler = Compiler(scope.org_id, scope.dialect, meta, module)
    condition = compiler.compile(node)
    query = (
        select(records.c.id)
        .select_from(compiler.from_clause())
        .where(
            records.c.org_id == scope.org_id,
            records.c.module_id == module.id,
            records.c.id == record_id,
            condition,
        )
    )
    return scope.execute(query).first() is not None
