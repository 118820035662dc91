"""Webhooks (``/settings/webhooks``): a module's create/edit/delete events posted to a URL.

A webhook may carry custom parameters — static values, or ``${Module.Field}``
placeholders filled from the record — and conditions: a search-criteria string (the
same filter core as search and COQL, checked against field metadata when the webhook is
saved) that the record must match, and a list of fields of which at least one must have
changed. Like Zoho's workflow webhooks, they do not fire for writes sent with
``trigger: []``. Conditions are checked when the change is dispatched (in ``zcrm
serve``, tens of milliseconds after the write), against the record as it is then.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from zcrm.server.errors import (
    InvalidData,
    InvalidQuery,
    LimitExceeded,
    MandatoryNotFound,
    ZohoError,
)
from zcrm.server.query.criteria import parse_criteria
from zcrm.server.query.validate import CRITERIA, bind
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller
from zcrm.server.services.metadata.model import Module, OrgMetadata
from zcrm.server.storage.schema import webhooks
from zcrm.server.timefmt import to_storage, to_wire

EVENTS = ("create", "edit", "delete")
METHODS = ("POST", "PUT", "GET")
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\.([A-Za-z0-9_$]+)\}")
MAX_PARAMETERS = 25

Json = dict[str, Any]


def _path(index: int, key: str) -> str:
    return f"$.webhooks[{index}].{key}"


def parse_webhook(raw: Any, meta: OrgMetadata, index: int, current: Any = None) -> Json:
    """Validated column values from a request element (``current``: the stored row, PUT)."""
    if not isinstance(raw, dict):
        raise InvalidData(expected_data_type="jsonobject", json_path=f"$.webhooks[{index}]")

    def given(key: str) -> Any:
        if key in raw:
            return raw[key]
        return getattr(current, key, None) if current is not None else None

    name = given("name")
    if not isinstance(name, str) or not name.strip():
        raise MandatoryNotFound(api_name="name", json_path=_path(index, "name"))
    if len(name) > 100:
        raise InvalidData(api_name="name", json_path=_path(index, "name"), maximum_length=100)
    module_ref = (
        raw.get("module")
        if "module" in raw
        else ({"api_name": current.module} if current is not None else None)
    )
    module_name = module_ref.get("api_name") if isinstance(module_ref, dict) else module_ref
    if not module_name:
        raise MandatoryNotFound(api_name="module", json_path=_path(index, "module"))
    module = meta.module(str(module_name))
    if module is None or not module.api_supported:
        raise InvalidData(
            "the module given seems to be invalid",
            api_name="module",
            json_path=_path(index, "module"),
        )
    events = given("events")
    if not events:
        raise MandatoryNotFound(api_name="events", json_path=_path(index, "events"))
    if not isinstance(events, list) or any(e not in EVENTS for e in events):
        raise InvalidData(
            api_name="events", json_path=_path(index, "events"), supported_values=list(EVENTS)
        )
    url = given("url")
    if not url:
        raise MandatoryNotFound(api_name="url", json_path=_path(index, "url"))
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.netloc or len(str(url)) > 2000:
        raise InvalidData(api_name="url", json_path=_path(index, "url"))
    method = str(given("http_method") or "POST").upper()
    if method not in METHODS:
        raise InvalidData(
            api_name="http_method",
            json_path=_path(index, "http_method"),
            supported_values=list(METHODS),
        )
    token = given("token")
    if token is not None and (not isinstance(token, str) or len(token) > 100):
        raise InvalidData(api_name="token", json_path=_path(index, "token"), maximum_length=100)
    parameters = _parameters(given("custom_parameters") or [], module, index)
    condition = (
        raw.get("condition")
        if "condition" in raw
        else (
            {"criteria": current.criteria, "fields_updated": current.fields_updated}
            if current is not None
            else None
        )
    )
    criteria, fields_updated = _condition(condition, meta, module, index)
    active = given("active")
    return {
        "name": name.strip(),
        "module": module.api_name,
        "events": list(dict.fromkeys(events)),
        "url": str(url),
        "http_method": method,
        "token": token,
        "custom_parameters": parameters,
        "criteria": criteria,
        "fields_updated": fields_updated,
        "active": True if active is None else bool(active),
    }


def _parameters(raw: Any, module: Module, index: int) -> list[Json]:
    if not isinstance(raw, list):
        raise InvalidData(
            api_name="custom_parameters",
            expected_data_type="jsonarray",
            json_path=_path(index, "custom_parameters"),
        )
    if len(raw) > MAX_PARAMETERS:
        raise LimitExceeded(api_name="custom_parameters", limit=MAX_PARAMETERS)
    out = []
    for position, item in enumerate(raw):
        where = _path(index, f"custom_parameters[{position}]")
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise MandatoryNotFound(api_name="name", json_path=where + ".name")
        value = item.get("value", "")
        if not isinstance(value, (str, int, float, bool)):
            raise InvalidData(api_name="value", json_path=where + ".value")
        for module_name, field in PLACEHOLDER.findall(str(value)):
            if module_name != module.api_name or (field != "id" and module.field(field) is None):
                raise InvalidData(
                    "the placeholder names an unknown field",
                    api_name="value",
                    json_path=where + ".value",
                    placeholder=f"${{{module_name}.{field}}}",
                )
        out.append({"name": item["name"], "value": value})
    return out


def _condition(
    raw: Any, meta: OrgMetadata, module: Module, index: int
) -> tuple[str | None, list[str]]:
    if raw in (None, {}):
        return None, []
    if not isinstance(raw, dict):
        raise InvalidData(
            api_name="condition",
            expected_data_type="jsonobject",
            json_path=_path(index, "condition"),
        )
    criteria = raw.get("criteria")
    if criteria:
        try:
            bind(parse_criteria(str(criteria)), meta, module, CRITERIA)
        except ZohoError as error:
            details = {**error.details, "json_path": _path(index, "condition.criteria")}
            raise InvalidQuery(error.message, **details) from None
    fields_updated = raw.get("fields_updated") or []
    if not isinstance(fields_updated, list) or any(
        not isinstance(f, str) or module.field(f) is None for f in fields_updated
    ):
        raise InvalidData(
            api_name="fields_updated", json_path=_path(index, "condition.fields_updated")
        )
    return (str(criteria) if criteria else None), list(fields_updated)


def webhook_json(row: Any, meta: OrgMetadata, tz: str) -> Json:
    module = meta.module(row.module)
    return {
        "id": str(row.id),
        "name": row.name,
        "module": {"api_name": row.module, "id": str(module.id) if module else None},
        "events": row.events,
        "url": row.url,
        "http_method": row.http_method,
        "token": row.token,
        "custom_parameters": row.custom_parameters,
        "condition": {"criteria": row.criteria, "fields_updated": row.fields_updated},
        "active": row.active,
        "created_time": to_wire(row.created_time, tz),
        "modified_time": to_wire(row.modified_time, tz),
    }


def create_webhooks(
    runtime: Runtime, caller: Caller, meta: OrgMetadata, items: list[Any]
) -> list[Json]:
    ids = runtime.ids.allocate(caller.org.id, caller.org.id_prefix, len(items))
    now = to_storage(runtime.clock.now())
    results: list[Json] = []
    with runtime.db.write_org(caller.org.id) as scope:
        for index, raw in enumerate(items):
            try:
                values = parse_webhook(raw, meta, index)
            except ZohoError as error:
                results.append(error.to_json())
                continue
            scope.insert(
                webhooks, {"id": ids[index], "created_time": now, "modified_time": now, **values}
            )
            results.append(
                {
                    "code": "SUCCESS",
                    "details": {"id": str(ids[index])},
                    "message": "webhook created",
                    "status": "success",
                }
            )
    return results


def get_webhook(runtime: Runtime, caller: Caller, webhook_id: int) -> Any:
    with runtime.db.read_org(caller.org.id) as scope:
        return scope.execute(scope.select(webhooks).where(webhooks.c.id == webhook_id)).first()


def list_webhooks(runtime: Runtime, caller: Caller, module: str | None) -> list[Any]:
    with runtime.db.read_org(caller.org.id) as scope:
        query = scope.select(webhooks)
        if module:
            query = query.where(webhooks.c.module == module)
        return scope.rows(query.order_by(webhooks.c.id))


def update_webhook(
    runtime: Runtime, caller: Caller, meta: OrgMetadata, webhook_id: int, raw: Any
) -> Json:
    current = get_webhook(runtime, caller, webhook_id)
    if current is None:
        raise InvalidData("the id given seems to be invalid", resource_path_index=2)
    values = parse_webhook(raw, meta, 0, current)
    with runtime.db.write_org(caller.org.id) as scope:
        scope.execute(
            scope.update(webhooks)
            .where(webhooks.c.id == webhook_id)
            .values(modified_time=to_storage(runtime.clock.now()), **values)
        )
    return {
        "code": "SUCCESS",
        "details": {"id": str(webhook_id)},
        "message": "webhook updated",
        "status": "success",
    }


def delete_webhook(runtime: Runtime, caller: Caller, webhook_id: int) -> Json:
    with runtime.db.write_org(caller.org.id) as scope:
        gone = scope.execute(scope.delete(webhooks).where(webhooks.c.id == webhook_id)).rowcount
    if not gone:
        raise InvalidData("the id given seems to be invalid", resource_path_index=2)
    return {
        "code": "SUCCESS",
        "details": {"id": str(webhook_id)},
        "message": "webhook deleted",
        "status": "success",
    }
