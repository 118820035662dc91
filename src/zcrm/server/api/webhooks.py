"""``/crm/{version}/settings/webhooks``: webhooks on module events (administrators)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.responses import batch_status, json_response, no_content
from zcrm.server.errors import InvalidData, InvalidModule, LimitExceeded
from zcrm.server.services import webhooks
from zcrm.server.services.scopes import settings_scope

PERMISSION = "Crm_Implied_Manage_Workflow_Rules"
MAX_ITEMS = 10


def _webhook_id(call: ApiCall) -> int:
    raw = call.path["webhook_id"]
    if not raw.isdigit() or int(raw) >= 2**63:
        raise InvalidData("the id given seems to be invalid", resource_path_index=2)
    return int(raw)


def _items(call: ApiCall) -> list[Any]:
    items = call.json_body().get("webhooks")
    if not isinstance(items, list) or not items:
        raise InvalidData(
            api_name="webhooks", json_path="$.webhooks", expected_data_type="jsonarray"
        )
    if len(items) > MAX_ITEMS:
        raise LimitExceeded(api_name="webhooks", limit=MAX_ITEMS)
    return items


def list_webhooks(call: ApiCall) -> Response:
    """The org's webhooks (``?module=`` to filter)."""
    call.caller.require(settings_scope("webhooks", "READ"))
    module = call.param("module")
    if module:
        found = call.metadata().module(module)
        if found is None:
            raise InvalidModule(param_name="module")
        module = found.api_name
    rows = webhooks.list_webhooks(call.runtime, call.caller, module or None)
    if not rows:
        return no_content()
    meta = call.metadata()
    return json_response(
        {"webhooks": [webhooks.webhook_json(r, meta, call.caller.user.time_zone) for r in rows]}
    )


def get_webhook(call: ApiCall) -> Response:
    """One webhook."""
    call.caller.require(settings_scope("webhooks", "READ"))
    row = webhooks.get_webhook(call.runtime, call.caller, _webhook_id(call))
    if row is None:
        raise InvalidData("the id given seems to be invalid", resource_path_index=2)
    return json_response(
        {"webhooks": [webhooks.webhook_json(row, call.metadata(), call.caller.user.time_zone)]}
    )


def create_webhooks(call: ApiCall) -> Response:
    """Create webhooks."""
    call.caller.require(settings_scope("webhooks", "CREATE"))
    call.caller.require_admin(PERMISSION)
    results = webhooks.create_webhooks(call.runtime, call.caller, call.metadata(), _items(call))
    return json_response({"webhooks": results}, batch_status(results, 201))


def update_webhook(call: ApiCall) -> Response:
    """Change a webhook (keys left out keep their values)."""
    call.caller.require(settings_scope("webhooks", "UPDATE"))
    call.caller.require_admin(PERMISSION)
    items = _items(call)
    result = webhooks.update_webhook(
        call.runtime, call.caller, call.metadata(), _webhook_id(call), items[0]
    )
    return json_response({"webhooks": [result]})


def delete_webhook(call: ApiCall) -> Response:
    """Delete a webhook."""
    call.caller.require(settings_scope("webhooks", "DELETE"))
    call.caller.require_admin(PERMISSION)
    return json_response(
        {"webhooks": [webhooks.delete_webhook(call.runtime, call.caller, _webhook_id(call))]}
    )


P = "/crm/{version}/settings/webhooks"
routes = [
    Route(P, api_endpoint(list_webhooks), methods=["GET"]),
    Route(P, api_endpoint(create_webhooks), methods=["POST"]),
    Route(P + "/{webhook_id}", api_endpoint(get_webhook), methods=["GET"]),
    Route(P + "/{webhook_id}", api_endpoint(update_webhook), methods=["PUT", "PATCH"]),
    Route(P + "/{webhook_id}", api_endpoint(delete_webhook), methods=["DELETE"]),
]
