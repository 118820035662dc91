"""``/crm/{version}/users``: who works in the org (the SDK's first call after a token)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.params import choice_param, ids_param, if_modified_since
from zcrm.server.api.responses import batch_status, json_response, no_content
from zcrm.server.errors import InvalidData, MandatoryNotFound, ZohoError
from zcrm.server.services import users
from zcrm.server.services.scopes import Scope, need
from zcrm.server.timefmt import to_storage

MANAGE_USERS = "Crm_Implied_Manage_Users"
MAX_PER_PAGE = 200
MAX_BULK_UPDATE = 100


def _scope(operation: str) -> Scope:
    return need("ZohoCRM", "users", None, operation)


def _user_id(call: ApiCall) -> int:
    raw = call.path["user_id"]
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        raise InvalidData(
            "the id given seems to be invalid", resource_path_index=users.USER_ID_SEGMENT
        )
    return int(raw)


def _users_body(call: ApiCall, maximum: int) -> list[Any]:
    items = call.json_body().get("users")
    if items is None:
        raise MandatoryNotFound(api_name="users", json_path="$.users")
    if not isinstance(items, list) or not items:
        raise InvalidData(api_name="users", json_path="$.users", expected_data_type="jsonarray")
    if len(items) > maximum:
        raise InvalidData(api_name="users", json_path="$.users", maximum_length=maximum)
    return items


def list_users(call: ApiCall) -> Response:
    """Users of a type (AllUsers, ActiveUsers, CurrentUser, …), paged; 304 when unchanged."""
    call.caller.require(_scope("READ"))
    user_type = choice_param(call, "type", list(users.USER_TYPES), "AllUsers")
    page = call.int_param("page", 1)
    per_page = call.int_param("per_page", MAX_PER_PAGE, maximum=MAX_PER_PAGE)
    ids = ids_param(call)
    since = if_modified_since(call)
    data, more = users.list_users(
        call.runtime,
        call.caller,
        user_type,
        page,
        per_page,
        ids,
        to_storage(since) if since is not None else None,
    )
    if not data:
        return no_content(304 if since is not None else 204)
    info = {"per_page": per_page, "count": len(data), "page": page, "more_records": more}
    return json_response({"users": data, "info": info})


def get_user(call: ApiCall) -> Response:
    """One user (204 when the id names none)."""
    call.caller.require(_scope("READ"))
    found = users.get_user(call.runtime, call.caller, _user_id(call))
    if found is None:
        return no_content()
    return json_response({"users": [found]})


def count_users(call: ApiCall) -> Response:
    """How many users of a type."""
    call.caller.require(_scope("READ"))
    user_type = choice_param(call, "type", list(users.USER_TYPES), "AllUsers")
    return json_response({"count": users.count_users(call.runtime, call.caller, user_type)})


def add_user(call: ApiCall) -> Response:
    """Add a user (administrators only; one per call, as on Zoho)."""
    call.caller.require(_scope("CREATE"))
    call.caller.require_admin(MANAGE_USERS)
    (item,) = _users_body(call, 1)
    result = users.add_user(call.runtime, call.caller, item)
    return json_response({"users": [result]}, batch_status([result], 201))


def update_users(call: ApiCall) -> Response:
    """Change the users named by the ``id`` inside each element."""
    call.caller.require(_scope("UPDATE"))
    call.caller.require_admin(MANAGE_USERS)
    results = []
    for index, item in enumerate(_users_body(call, MAX_BULK_UPDATE)):
        raw_id = str(item.get("id", "")) if isinstance(item, dict) else ""
        try:
            if not raw_id.isdigit() or not 0 < int(raw_id) < 2**63:
                raise MandatoryNotFound(api_name="id", json_path=f"$.users[{index}].id")
            result = users.update_user(call.runtime, call.caller, int(raw_id), item, index)
        except ZohoError as error:
            result = error.to_json()
        results.append(result)
    return json_response({"users": results}, batch_status(results))


def update_user(call: ApiCall) -> Response:
    """Change one user."""
    call.caller.require(_scope("UPDATE"))
    call.caller.require_admin(MANAGE_USERS)
    user_id = _user_id(call)
    (item,) = _users_body(call, 1)
    result = users.update_user(call.runtime, call.caller, user_id, item)
    return json_response({"users": [result]}, batch_status([result]))


def delete_user(call: ApiCall) -> Response:
    """Delete a user (they can no longer sign in or use their tokens)."""
    call.caller.require(_scope("DELETE"))
    call.caller.require_admin(MANAGE_USERS)
    result = users.delete_user(call.runtime, call.caller, _user_id(call))
    return json_response({"users": [result]}, batch_status([result]))


P = "/crm/{version}/users"
routes = [
    Route(P, api_endpoint(list_users), methods=["GET"]),
    Route(P, api_endpoint(add_user), methods=["POST"]),
    Route(P, api_endpoint(update_users), methods=["PUT"]),
    Route(P + "/actions/count", api_endpoint(count_users), methods=["GET"]),
    Route(P + "/{user_id}", api_endpoint(get_user), methods=["GET"]),
    Route(P + "/{user_id}", api_endpoint(update_user), methods=["PUT"]),
    Route(P + "/{user_id}", api_endpoint(delete_user), methods=["DELETE"]),
]
