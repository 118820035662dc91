"""Notification channels (``/actions/watch``): subscribe, list, change, unsubscribe.

A channel watches ``{Module}.{create|edit|delete|all}`` events and has Zoho post
to its ``notify_url``. zcrm keeps one row per channel and module, as Zoho reports them.
Expiry: at most a week ahead; absent or beyond a week, one hour (reference §7.1).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_

from zcrm.server.errors import InvalidData, MandatoryNotFound, ZohoError
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.metadata.model import OrgMetadata
from zcrm.server.storage.schema import notification_channels
from zcrm.server.storage.scoped import OrgScope
from zcrm.server.timefmt import parse_datetime, to_storage, to_wire

OPERATIONS = {"create": "create", "edit": "edit", "delete": "delete"}
MAX_EXPIRY = timedelta(days=7)
DEFAULT_EXPIRY = timedelta(hours=1)
MAX_TOKEN = 50

Json = dict[str, Any]


def resource_uri(base_url: str, module: str) -> str:
    # Zoho's notifications name the module's v2 URI whatever the API version (§7.1).
    return f"{base_url.rstrip('/')}/crm/v2/{module}"


def _path(index: int, key: str) -> str:
    return f"$.watch[{index}].{key}"


def parse_events(raw: Any, meta: OrgMetadata, index: int) -> dict[str, list[str]]:
    """``["Leads.create", "Deals.all"]`` -> ``{"Leads": ["create"], "Deals": [...]}``."""
    if raw is None or raw == []:
        raise MandatoryNotFound(api_name="events", json_path=_path(index, "events"))
    if not isinstance(raw, list):
        raise InvalidData(
            api_name="events", json_path=_path(index, "events"), expected_data_type="jsonarray"
        )
    out: dict[str, list[str]] = {}
    for position, item in enumerate(raw):
        module_name, _, operation = str(item).rpartition(".")
        module = meta.module(module_name) if module_name else None
        if module is None or not module.api_supported:
            raise InvalidData(
                "the module given seems to be invalid",
                api_name="events",
                json_path=_path(index, f"events[{position}]"),
            )
        operation = operation.lower()
        if operation == "all":
            ops = ["create", "edit", "delete"]
        elif operation in OPERATIONS:
            ops = [operation]
        else:
            raise InvalidData(
                "the event given seems to be invalid",
                api_name="events",
                json_path=_path(index, f"events[{position}]"),
            )
        bucket = out.setdefault(module.api_name, [])
        bucket.extend(op for op in ops if op not in bucket)
    return out


def parse_expiry(raw: Any, now: datetime, index: int) -> datetime:
    if raw in (None, ""):
        return now + DEFAULT_EXPIRY
    when = parse_datetime(str(raw)) if isinstance(raw, str) else None
    if when is None:
        raise InvalidData(
            api_name="channel_expiry",
            json_path=_path(index, "channel_expiry"),
            expected_data_type="datetime",
        )
    if when <= now:
        raise InvalidData(
            "the channel expiry must be in the future",
            api_name="channel_expiry",
            json_path=_path(index, "channel_expiry"),
        )
    if when - now > MAX_EXPIRY:
        return now + DEFAULT_EXPIRY
    return when


def parse_channel_id(raw: Any, index: int) -> int:
    if raw in (None, ""):
        raise MandatoryNotFound(api_name="channel_id", json_path=_path(index, "channel_id"))
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit() or int(text) >= 2**63:
        raise InvalidData(
            api_name="channel_id", json_path=_path(index, "channel_id"), expected_data_type="long"
        )
    return int(text)


def parse_url(raw: Any, index: int) -> str:
    if raw in (None, ""):
        raise MandatoryNotFound(api_name="notify_url", json_path=_path(index, "notify_url"))
    parts = urlsplit(str(raw))
    if parts.scheme not in ("http", "https") or not parts.netloc or len(str(raw)) > 2000:
        raise InvalidData(api_name="notify_url", json_path=_path(index, "notify_url"))
    return str(raw)


def parse_token(raw: Any, index: int) -> str | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or len(raw) > MAX_TOKEN:
        raise InvalidData(
            api_name="token", json_path=_path(index, "token"), maximum_length=MAX_TOKEN
        )
    return raw


def parse_condition(raw: Any, index: int) -> Any:
    if raw in (None, []):
        return None
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise InvalidData(
            api_name="notification_condition",
            json_path=_path(index, "notification_condition"),
            expected_data_type="jsonarray",
        )
    for position, condition in enumerate(raw):
        if "type" not in condition:
            raise MandatoryNotFound(
                api_name="type", json_path=_path(index, f"notification_condition[{position}].type")
            )
        if "module" not in condition:
            raise MandatoryNotFound(
                api_name="module",
                json_path=_path(index, f"notification_condition[{position}].module"),
            )
    return raw


def condition_fields(condition: Any, module: str) -> set[str] | None:
    """The fields whose change a channel's field_selection asks for (None: any field)."""
    if not condition:
        return None
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            field = node.get("field")
            if isinstance(field, dict) and field.get("api_name"):
                found.add(str(field["api_name"]))
            for child in node.get("group", []) or []:
                walk(child)

    relevant = False
    for item in condition:
        target = item.get("module") or {}
        name = target.get("api_name") if isinstance(target, dict) else target
        if name and name != module:
            continue
        relevant = True
        walk(item.get("field_selection") or {})
    return found if relevant and found else None


def subscribe(
    runtime: Runtime, caller: Caller, meta: OrgMetadata, items: list[Any], *, replace: bool
) -> list[Json]:
    """Create (or, with ``replace``, overwrite) channels; one result per watch item."""
    now = runtime.clock.now()
    stamp = to_storage(now)
    results: list[Json] = []
    base = runtime.settings.base_url()
    tz = caller.user.time_zone
    with runtime.db.write_org(caller.org.id) as scope:
        for index, item in enumerate(items):
            try:
                if not isinstance(item, dict):
                    raise InvalidData(
                        expected_data_type="jsonobject", json_path=f"$.watch[{index}]"
                    )
                channel_id = parse_channel_id(item.get("channel_id"), index)
                events = parse_events(item.get("events"), meta, index)
                url = parse_url(item.get("notify_url"), index)
                token = parse_token(item.get("token"), index)
                expiry = parse_expiry(item.get("channel_expiry"), now, index)
                condition = parse_condition(item.get("notification_condition"), index)
            except ZohoError as error:
                results.append(error.to_json())
                continue
            if replace:
                scope.execute(
                    scope.delete(notification_channels).where(
                        notification_channels.c.channel_id == channel_id
                    )
                )
            described = []
            for module_name, ops in events.items():
                values = {
                    "events": ops,
                    "notify_url": url,
                    "token": token,
                    "channel_expiry": to_storage(expiry),
                    "return_affected_field_values": bool(
                        item.get("return_affected_field_values", False)
                    ),
                    "notify_on_related_action": bool(item.get("notify_on_related_action", True)),
                    "notification_condition": condition,
                    "user_id": caller.user.id,
                    "client_id": caller.client_id,
                    "modified_time": stamp,
                }
                existing = _row(scope, channel_id, module_name)
                if existing is None:
                    scope.insert(
                        notification_channels,
                        {
                            "channel_id": channel_id,
                            "module": module_name,
                            "created_time": stamp,
                            **values,
                        },
                    )
                else:
                    merged = list(dict.fromkeys([*existing.events, *ops]))
                    scope.execute(
                        scope.update(notification_channels)
                        .where(
                            notification_channels.c.channel_id == channel_id,
                            notification_channels.c.module == module_name,
                        )
                        .values(**{**values, "events": merged})
                    )
                module = meta.module(module_name)
                described.append(
                    {
                        "channel_expiry": to_wire(to_storage(expiry), tz),
                        "resource_uri": resource_uri(base, module_name),
                        "resource_id": str(module.id) if module else None,
                        "resource_name": module_name,
                        "channel_id": str(channel_id),
                    }
                )
            results.append(
                {
                    "code": "SUCCESS",
                    "details": {"events": described},
                    "message": "Successfully subscribed for actions-watch of the given module",
                    "status": "success",
                }
            )
    return results


def _row(scope: OrgScope, channel_id: int, module: str) -> Any:
    return scope.execute(
        scope.select(notification_channels).where(
            notification_channels.c.channel_id == channel_id,
            notification_channels.c.module == module,
        )
    ).first()


def patch(runtime: Runtime, caller: Caller, meta: OrgMetadata, items: list[Any]) -> list[Json]:
    """Partial update; with ``_delete_events: true``, remove the listed events only."""
    now = runtime.clock.now()
    stamp = to_storage(now)
    results: list[Json] = []
    base = runtime.settings.base_url()
    with runtime.db.write_org(caller.org.id) as scope:
        for index, item in enumerate(items):
            try:
                if not isinstance(item, dict):
                    raise InvalidData(
                        expected_data_type="jsonobject", json_path=f"$.watch[{index}]"
                    )
                channel_id = parse_channel_id(item.get("channel_id"), index)
                removing = item.get("_delete_events") is True
                events = (
                    parse_events(item.get("events"), meta, index)
                    if (item.get("events") or removing)
                    else None
                )
                rows = scope.rows(
                    scope.select(notification_channels).where(
                        notification_channels.c.channel_id == channel_id
                    )
                )
                if not rows:
                    raise InvalidData(
                        "the channel id given seems to be invalid",
                        api_name="channel_id",
                        json_path=_path(index, "channel_id"),
                    )
                changes: Json = {"modified_time": stamp}
                if "notify_url" in item:
                    changes["notify_url"] = parse_url(item["notify_url"], index)
                if "token" in item:
                    changes["token"] = parse_token(item["token"], index)
                if "channel_expiry" in item:
                    changes["channel_expiry"] = to_storage(
                        parse_expiry(item["channel_expiry"], now, index)
                    )
                for flag in ("return_affected_field_values", "notify_on_related_action"):
                    if flag in item:
                        changes[flag] = bool(item[flag])
                if "notification_condition" in item:
                    changes["notification_condition"] = parse_condition(
                        item["notification_condition"], index
                    )
            except ZohoError as error:
                results.append(error.to_json())
                continue
            described = []
            for row in rows:
                values = dict(changes)
                if events is not None and row.module in events:
                    if removing:
                        values["events"] = [e for e in row.events if e not in events[row.module]]
                    else:
                        values["events"] = list(dict.fromkeys([*row.events, *events[row.module]]))
                if removing and values.get("events") == []:
                    scope.execute(
                        scope.delete(notification_channels).where(
                            notification_channels.c.channel_id == channel_id,
                            notification_channels.c.module == row.module,
                        )
                    )
                else:
                    scope.execute(
                        scope.update(notification_channels)
                        .where(
                            notification_channels.c.channel_id == channel_id,
                            notification_channels.c.module == row.module,
                        )
                        .values(**values)
                    )
                described.append(
                    {
                        "resource_uri": resource_uri(base, row.module),
                        "resource_name": row.module,
                        "channel_id": str(channel_id),
                    }
                )
            if events is not None and not removing:
                for module_name in set(events) - {r.module for r in rows}:
                    first = rows[0]
                    scope.insert(
                        notification_channels,
                        {
                            "channel_id": channel_id,
                            "module": module_name,
                            "events": events[module_name],
                            "notify_url": changes.get("notify_url", first.notify_url),
                            "token": changes.get("token", first.token),
                            "channel_expiry": changes.get("channel_expiry", first.channel_expiry),
                            "return_affected_field_values": first.return_affected_field_values,
                            "notify_on_related_action": first.notify_on_related_action,
                            "notification_condition": first.notification_condition,
                            "user_id": caller.user.id,
                            "client_id": caller.client_id,
                            "created_time": stamp,
                            "modified_time": stamp,
                        },
                    )
            results.append(
                {
                    "code": "SUCCESS",
                    "details": {"events": described},
                    "message": "Successfully removed the subscribe details"
                    if removing
                    else "Successfully updated the subscribe details",
                    "status": "success",
                }
            )
    return results


def channel_json(row: Any, base: str, module_id: str | None, tz: str) -> Json:
    return {
        "notify_on_related_action": row.notify_on_related_action,
        "channel_expiry": to_wire(row.channel_expiry, tz),
        "return_affected_field_values": row.return_affected_field_values,
        "resource_uri": resource_uri(base, row.module),
        "resource_id": module_id,
        "notify_url": row.notify_url,
        "resource_name": row.module,
        "fields": None,
        "notification_condition": row.notification_condition,
        "channel_id": str(row.channel_id),
        "events": [f"{row.module}.{e}" for e in row.events],
        "token": row.token,
    }


def list_channels(
    runtime: Runtime,
    caller: Caller,
    meta: OrgMetadata,
    *,
    channel_id: int | None,
    module: str | None,
    page: int,
    per_page: int,
) -> tuple[list[Json], bool]:
    with runtime.db.read_org(caller.org.id) as scope:
        query = scope.select(notification_channels)
        if channel_id is not None:
            query = query.where(notification_channels.c.channel_id == channel_id)
        if module is not None:
            query = query.where(notification_channels.c.module == module)
        rows = scope.rows(
            query.order_by(notification_channels.c.channel_id, notification_channels.c.module)
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
    more = len(rows) > per_page
    base = runtime.settings.base_url()
    out = []
    for row in rows[:per_page]:
        target = meta.module(row.module)
        out.append(
            channel_json(row, base, str(target.id) if target else None, caller.user.time_zone)
        )
    return out, more


def unsubscribe(
    runtime: Runtime, caller: Caller, meta: OrgMetadata, channel_ids: list[int]
) -> list[Json]:
    base = runtime.settings.base_url()
    results: list[Json] = []
    with runtime.db.write_org(caller.org.id) as scope:
        for channel_id in channel_ids:
            rows = scope.rows(
                scope.select(notification_channels).where(
                    notification_channels.c.channel_id == channel_id
                )
            )
            if not rows:
                results.append(
                    InvalidData(
                        "the channel id given seems to be invalid", channel_id=str(channel_id)
                    ).to_json()
                )
                continue
            scope.execute(
                scope.delete(notification_channels).where(
                    notification_channels.c.channel_id == channel_id
                )
            )
            for row in rows:
                target = meta.module(row.module)
                results.append(
                    {
                        "code": "SUCCESS",
                        "details": {
                            "resource_uri": resource_uri(base, row.module),
                            "resource_id": str(target.id) if target else None,
                            "channel_id": str(channel_id),
                        },
                        "message": "Successfully un-subscribed from actions-watch",
                        "status": "success",
                    }
                )
    return results


def active_channels(scope: OrgScope, module: str, now: str) -> list[Any]:
    return scope.rows(
        scope.select(notification_channels).where(
            and_(
                notification_channels.c.module == module,
                notification_channels.c.channel_expiry > now,
            )
        )
    )
