"""The delivery log (zcrm's own routes; Zoho shows failures only in its UI).

* ``GET /crm/{version}/actions/watch/deliveries?channel_id=&status=`` — notifications
* ``GET /crm/{version}/settings/webhooks/{id}/deliveries?status=`` — one webhook's
* ``GET /crm/{version}/__deliveries/{id}`` — one delivery, its payload and every attempt
* ``POST /crm/{version}/__deliveries/{id}/actions/redeliver`` — send it again
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.params import choice_param
from zcrm.server.api.responses import json_response, no_content
from zcrm.server.api.webhooks import PERMISSION
from zcrm.server.errors import InvalidData
from zcrm.server.services import deliveries
from zcrm.server.services.scopes import need, settings_scope


def _id(call: ApiCall, name: str) -> int:
    raw = call.path[name]
    if not raw.isdigit() or int(raw) >= 2**63:
        raise InvalidData("the id given seems to be invalid", resource_path_index=1)
    return int(raw)


def _page(call: ApiCall, kind: str, target: str | None) -> Response:
    status = choice_param(call, "status", ["", *deliveries.STATUSES], "") or None
    page = call.int_param("page", 1)
    per_page = call.int_param("per_page", 200, maximum=200)
    items, more = deliveries.list_deliveries(
        call.runtime,
        call.caller,
        kind=kind,
        target_prefix=target,
        status=status,
        page=page,
        per_page=per_page,
    )
    if not items:
        return no_content()
    return json_response(
        {
            "deliveries": items,
            "info": {"per_page": per_page, "count": len(items), "page": page, "more_records": more},
        }
    )


def channel_deliveries(call: ApiCall) -> Response:
    """Notification deliveries (``channel_id`` to filter)."""
    call.caller.require(need("ZohoCRM", "notifications", None, "READ"))
    channel = call.param("channel_id")
    if channel and not channel.isdigit():
        raise InvalidData(param_name="channel_id")
    return _page(call, "channel", f"{channel}:" if channel else None)


def webhook_deliveries(call: ApiCall) -> Response:
    """One webhook's deliveries."""
    call.caller.require(settings_scope("webhooks", "READ"))
    return _page(call, "webhook", str(_id(call, "webhook_id")))


def _authorize(call: ApiCall, operation: str) -> Callable[[str], None]:
    """A delivery is seen (and sent again) with its target's scope: a channel's with the
    notifications scope, a webhook's with the webhooks settings scope (and, to send it
    again, as an administrator)."""

    def check(kind: str) -> None:
        if kind == "webhook":
            call.caller.require(settings_scope("webhooks", operation))
            if operation != "READ":
                call.caller.require_admin(PERMISSION)
        else:
            call.caller.require(need("ZohoCRM", "notifications", None, operation))

    return check


def get_delivery(call: ApiCall) -> Response:
    """One delivery with its payload and every attempt."""
    call.caller.require_any(
        need("ZohoCRM", "notifications", None, "READ"), settings_scope("webhooks", "READ")
    )
    found = deliveries.get_delivery(
        call.runtime, call.caller, _id(call, "delivery_id"), _authorize(call, "READ")
    )
    return json_response({"deliveries": [found]})


def redeliver(call: ApiCall) -> Response:
    """Schedule a finished delivery again."""
    call.caller.require_any(
        need("ZohoCRM", "notifications", None, "UPDATE"), settings_scope("webhooks", "UPDATE")
    )
    result = deliveries.redeliver(
        call.runtime, call.caller, _id(call, "delivery_id"), _authorize(call, "UPDATE")
    )
    return json_response({"deliveries": [result]})


routes = [
    Route(
        "/crm/{version}/actions/watch/deliveries", api_endpoint(channel_deliveries), methods=["GET"]
    ),
    Route(
        "/crm/{version}/settings/webhooks/{webhook_id}/deliveries",
        api_endpoint(webhook_deliveries),
        methods=["GET"],
    ),
    Route("/crm/{version}/__deliveries/{delivery_id}", api_endpoint(get_delivery), methods=["GET"]),
    Route(
        "/crm/{version}/__deliveries/{delivery_id}/actions/redeliver",
        api_endpoint(redeliver),
        methods=["POST"],
    ),
]
