"""``/crm/{version}/actions/watch``: notification channels (the Notification API)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.params import ids_param
from zcrm.server.api.responses import batch_status, json_response, no_content
from zcrm.server.errors import InvalidData, InvalidModule, LimitExceeded, RequiredParamMissing
from zcrm.server.services import notifications
from zcrm.server.services.scopes import need

MAX_ITEMS = 100


def _scope(operation: str) -> Any:
    return need("ZohoCRM", "notifications", None, operation)


def _items(call: ApiCall) -> list[Any]:
    body = call.json_body()
    items = body.get("watch")
    if items is None:
        raise RequiredParamMissing(
            "the watch array is missing", api_name="watch", json_path="$.watch"
        )
    if not isinstance(items, list) or not items:
        raise InvalidData(api_name="watch", json_path="$.watch", expected_data_type="jsonarray")
    if len(items) > MAX_ITEMS:
        raise LimitExceeded(api_name="watch", limit=MAX_ITEMS)
    return items


def enable(call: ApiCall) -> Response:
    """Subscribe channels to module events."""
    call.caller.require(_scope("CREATE"))
    results = notifications.subscribe(
        call.runtime, call.caller, call.metadata(), _items(call), replace=False
    )
    return json_response({"watch": results}, batch_status(results))


def replace(call: ApiCall) -> Response:
    """Replace channels' subscriptions (keys left out are reset)."""
    call.caller.require(_scope("UPDATE"))
    results = notifications.subscribe(
        call.runtime, call.caller, call.metadata(), _items(call), replace=True
    )
    return json_response({"watch": results}, batch_status(results))


def update(call: ApiCall) -> Response:
    """Change part of a subscription; ``_delete_events: true`` removes events."""
    call.caller.require(_scope("UPDATE"))
    results = notifications.patch(call.runtime, call.caller, call.metadata(), _items(call))
    return json_response({"watch": results}, batch_status(results))


def details(call: ApiCall) -> Response:
    """The channels of this org (``channel_id``, ``module`` filter)."""
    call.caller.require(_scope("READ"))
    channel_id = None
    raw = call.param("channel_id")
    if raw:
        if not raw.isdigit():
            raise InvalidData(param_name="channel_id")
        channel_id = int(raw)
    module = call.param("module")
    if module:
        found = call.metadata().module(module)
        if found is None:
            raise InvalidModule(param_name="module")
        module = found.api_name
    page = call.int_param("page", 1)
    per_page = call.int_param("per_page", 200, maximum=200)
    items, more = notifications.list_channels(
        call.runtime,
        call.caller,
        call.metadata(),
        channel_id=channel_id,
        module=module or None,
        page=page,
        per_page=per_page,
    )
    if not items:
        return no_content()
    return json_response(
        {
            "watch": items,
            "info": {"per_page": per_page, "count": len(items), "page": page, "more_records": more},
        }
    )


def disable(call: ApiCall) -> Response:
    """Unsubscribe whole channels (``channel_ids=1,2``)."""
    call.caller.require(_scope("DELETE"))
    channel_ids = ids_param(call, "channel_ids", required=True)
    assert channel_ids is not None
    results = notifications.unsubscribe(call.runtime, call.caller, call.metadata(), channel_ids)
    return json_response({"watch": results}, batch_status(results))


P = "/crm/{version}/actions/watch"
routes = [
    Route(P, api_endpoint(enable), methods=["POST"]),
    Route(P, api_endpoint(replace), methods=["PUT"]),
    Route(P, api_endpoint(update), methods=["PATCH"]),
    Route(P, api_endpoint(details), methods=["GET"]),
    Route(P, api_endpoint(disable), methods=["DELETE"]),
]
