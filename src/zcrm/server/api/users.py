"""``/crm/{version}/users``: who works in the org (the SDK's first call after a token)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.params import choice_param, ids_param
from zcrm.server.api.responses import batch_status, json_response, no_content
from zcrm.server.errors import InvalidData
from zcrm.server.services import users
from zcrm.server.services.scopes import need

MANAGE_USERS = "Crm_Implied_Manage_Users"


def _scope(operation: str):  # type: ignore[no-untyped-def]
    return need("ZohoCRM", "users", None, operation)


def _user_id(call: ApiCall) -> int:
    raw = call.path["user_id"]
    if not raw.isdigit() or int(raw) >= 2**63:
        raise InvalidData("the id given seems to be invalid", resource_path_index=1)
    return int(raw)


def list_users(call: ApiCall) -> Response:
    """Users of a type (AllUsers, ActiveUsers, CurrentUser, …), paged."""
    call.caller.require(_scope("READ"))
    user_type = choice_param(call, "type", list(users.USER_TYPES), "AllUsers")
    page = call.int_param("page", 1)
    per_page = call.int_param("per_page", 200, maximum=200)
    data, more = users.list_users(
        call.runtime, call.caller, user_type, page, per_page, ids_param(call)
    )
    if not data:
        return no_content()
    return json_response(
        {
            "users": data,
            "info": {"per_page": per_page, "count": len(data), "page": page, "more_records": more},
        }
    )


def get_user(call: ApiCall) -> Response:
    """One user."""
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


def add_users(call: ApiCall) -> Response:
    """Add users (administrators only)."""
    call.caller.require(_scope("CREATE"))
    call.caller.require_admin(MANAGE_USERS)
    items = call.json_body().get("users")
    if not isinstance(items, list) or not items:
        raise InvalidData(api_name="users", json_path="$.users", expected_data_type="jsonarray")
    results = users.add_users(call.runtime, call.caller, items)
    return json_response({"users": results}, batch_status(results, 201))


def update_users(call: ApiCall) -> Response:
    """Change users named by the id inside each element."""
    call.caller.require(_scope("UPDATE"))
    call.caller.require_admin(MANAGE_USERS)
    items = call.json_body().get("users")
    if not isinstance(items, list) or not items:
        raise InvalidData(api_name="users", json_path="$.users", expected_data_type="jsonarray")
    results = []
    for index, item in enumerate(items):
        raw_id = str(item.get("id", "")) if isinstance(item, dict) else ""
        try:
            if not raw_id.isdigit():
                raise InvalidData(
                    "the id given seems to be invalid", json_path=f"$.users[{index}].id"
                )
            results.append(users.update_user(call.runtime, call.caller, int(raw_id), item, index))
        except InvalidData as error:
            results.append(error.to_json())
    return json_response({"users": results}, batch_status(results))


def update_user(call: ApiCall) -> Response:
    """Change one user."""
    call.caller.require(_scope("UPDATE"))
    call.caller.require_admin(MANAGE_USERS)
    items = call.json_body().get("users")
    if not isinstance(items, list) or len(items) != 1:
        raise InvalidData(api_name="users", json_path="$.users", expected_data_type="jsonarray")
    result = users.update_user(call.runtime, call.caller, _user_id(call), items[0])
    return json_response({"users": [result]})


def delete_user(call: ApiCall) -> Response:
    """Delete a user (they can no longer sign in or use their tokens)."""
    call.caller.require(_scope("DELETE"))
    call.caller.require_admin(MANAGE_USERS)
    return json_response({"users": [users.delete_user(call.runtime, call.caller, _user_id(call))]})


P = "/crm/{version}/users"
routes = [
    Route(P, api_endpoint(list_users), methods=["GET"]),
    Route(P, api_endpoint(add_users), methods=["POST"]),
    Route(P, api_endpoint(update_users), methods=["PUT"]),
    Route(P + "/actions/count", api_endpoint(count_users), methods=["GET"]),
    Route(P + "/{user_id}", api_endpoint(get_user), methods=["GET"]),
    Route(P + "/{user_id}", api_endpoint(update_user), methods=["PUT"]),
    Route(P + "/{user_id}", api_endpoint(delete_user), methods=["DELETE"]),
]
