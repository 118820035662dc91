"""What is posted: Zoho's notification body, and zcrm's webhook body."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from zcrm.server.services.metadata.model import Module
from zcrm.server.services.notifications import resource_uri
from zcrm.server.services.webhooks import PLACEHOLDER

OPERATIONS = {"insert": "create", "update": "edit", "delete": "delete"}


def notification_body(
    *,
    channel: Any,
    module: str,
    operation: str,
    ids: list[int],
    changed: dict[int, list[str]],
    values: dict[int, dict[str, Any]],
    server_time_ms: int,
    base_url: str,
) -> dict[str, Any]:
    """The JSON Zoho posts to a channel's ``notify_url`` (reference §7.1)."""
    body: dict[str, Any] = {
        "server_time": server_time_ms,
        "query_params": dict(parse_qsl(urlsplit(channel.notify_url).query)),
        "module": module,
        "resource_uri": resource_uri(base_url, module),
        "ids": [str(i) for i in ids],
        "affected_fields": []
        if operation != "update"
        else [{str(i): changed.get(i, [])} for i in ids],
        "operation": operation,
        "channel_id": channel.channel_id,
        "token": channel.token,
    }
    if channel.return_affected_field_values and operation == "update":
        body["affected_values"] = [{"record_id": str(i), "values": values.get(i, {})} for i in ids]
    return body


def fill_placeholders(value: Any, module: Module, record_id: int, record: dict[str, Any]) -> Any:
    """``${Deals.Deal_Name}`` -> the record's value (as text; lookups by name)."""
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        if match.group(1) != module.api_name:
            return match.group(0)
        name = match.group(2)
        if name == "id":
            return str(record_id)
        found = record.get(name)
        if isinstance(found, dict):
            found = found.get("name") or found.get("id")
        if isinstance(found, list):
            found = ";".join(str(v) for v in found)
        return "" if found is None else str(found)

    return PLACEHOLDER.sub(replace, value)


def webhook_body(
    *,
    webhook: Any,
    module: Module,
    operation: str,
    record_id: int,
    record: dict[str, Any] | None,
    changed_fields: list[str],
    occurred_at: str,
) -> dict[str, Any]:
    parameters = {
        p["name"]: fill_placeholders(p["value"], module, record_id, record or {})
        for p in webhook.custom_parameters
    }
    return {
        "webhook": {"id": str(webhook.id), "name": webhook.name},
        "module": module.api_name,
        "operation": operation,
        "id": str(record_id),
        "occurred_at": occurred_at,
        "changed_fields": changed_fields,
        "parameters": parameters,
        "record": record,
        "token": webhook.token,
    }
