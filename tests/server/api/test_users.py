"""/crm/{version}/users (api/users.py, services/users.py)."""

from __future__ import annotations

from typing import Any

import pytest

from zcrm.server.runtime import Runtime
from zcrm.server.services.passwords import verify_password
from zcrm.server.storage.schema import users
from zcrm.testing.api import Api

USER_KEYS = {
    "id",
    "email",
    "first_name",
    "last_name",
    "full_name",
    "role",
    "profile",
    "status",
    "confirm",
    "zuid",
    "time_zone",
    "locale",
    "country_locale",
    "created_time",
    "Modified_Time",
    "created_by",
    "Modified_By",
    "offset",
}


def me(api: Api) -> dict[str, Any]:
    body: dict[str, Any] = api.get("users", params={"type": "CurrentUser"}).json()
    return body["users"][0]


def ids_of_profiles_and_roles(api: Api) -> dict[str, str]:
    """The admin's own profile and role ids, plus the Standard ones (from another user)."""
    other = api.org.add_user(profile="Standard", role="Sales Rep")
    row = api.get(f"users/{other}").json()["users"][0]
    mine = me(api)
    return {
        "Administrator": mine["profile"]["id"],
        "Standard": row["profile"]["id"],
        "CEO": mine["role"]["id"],
        "Sales Rep": row["role"]["id"],
    }


def add(api: Api, **user: Any) -> Any:
    return api.post("users", json={"users": [user]})


def new_user(api: Api, email: str = "ana@example.com", **extra: Any) -> dict[str, Any]:
    ids = ids_of_profiles_and_roles(api)
    return {
        "first_name": "Ana",
        "last_name": "Pérez",
        "email": email,
        "role": {"id": ids["Sales Rep"]},
        "profile": {"id": ids["Standard"]},
        **extra,
    }


# --- reading ------------------------------------------------------------------------------------


def test_current_user_has_what_the_sdk_needs(api: Api) -> None:
    body = api.get("users", params={"type": "CurrentUser"}).json()
    (user,) = body["users"]
    assert set(user) >= USER_KEYS
    assert user["email"] == api.org.org.admin_email
    assert user["id"] == str(api.org.admin_id)
    assert user["full_name"] == "Admin User"
    assert user["profile"]["name"] == "Administrator" and user["profile"]["id"].isdigit()
    assert user["role"]["name"] == "CEO" and user["role"]["id"].isdigit()
    assert (user["status"], user["confirm"], user["offset"]) == ("active", True, 0)
    assert body["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}


def test_offset_follows_the_time_zone(api: Api) -> None:
    other = api.org.add_user(profile="Standard")
    api.put(f"users/{other}", json={"users": [{"time_zone": "Asia/Kolkata"}]})
    user = api.get(f"users/{other}").json()["users"][0]
    assert (user["time_zone"], user["offset"]) == ("Asia/Kolkata", 19_800_000)


def test_types_and_paging(api: Api) -> None:
    other = api.org.add_user(profile="Standard")
    everyone = api.get("users", params={"type": "AllUsers"}).json()["users"]
    assert {u["id"] for u in everyone} == {str(api.org.admin_id), str(other)}
    admins = api.get("users", params={"type": "AdminUsers"}).json()["users"]
    assert [u["id"] for u in admins] == [str(api.org.admin_id)]
    page = api.get("users", params={"per_page": 1}).json()
    assert page["info"]["more_records"] is True and len(page["users"]) == 1
    second = api.get("users", params={"per_page": 1, "page": 2}).json()
    assert second["info"]["more_records"] is False and second["users"] != page["users"]
    assert api.get("users", params={"page": 3, "per_page": 1}).status_code == 204
    picked = api.get("users", params={"ids": str(other)}).json()["users"]
    assert [u["id"] for u in picked] == [str(other)]
    assert api.get("users", params={"type": "DeletedUsers"}).status_code == 204


@pytest.mark.parametrize(
    ("user_type", "count"),
    [("AllUsers", 2), ("ActiveUsers", 2), ("AdminUsers", 1), ("DeletedUsers", 0)],
)
def test_count(api: Api, user_type: str, count: int) -> None:
    api.org.add_user(profile="Standard")
    response = api.get("users/actions/count", params={"type": user_type})
    assert response.json() == {"count": count}


def test_one_user(api: Api) -> None:
    other = api.org.add_user(profile="Standard")
    (user,) = api.get(f"users/{other}").json()["users"]
    assert user["profile"]["name"] == "Standard"
    assert user["created_by"] == {"name": "Admin User", "id": str(api.org.admin_id)}
    assert api.get("users/4876876000000000001").status_code == 204


def test_users_if_modified_since(api: Api, runtime: Runtime) -> None:
    runtime.clock.advance(60)
    stamp = runtime.clock.now().replace(microsecond=0).isoformat()
    assert api.get("users", headers={"If-Modified-Since": stamp}).status_code == 304
    runtime.clock.advance(1)
    other = api.org.add_user(profile="Standard")
    changed = api.get("users", headers={"If-Modified-Since": stamp}).json()["users"]
    assert [u["id"] for u in changed] == [str(other)]


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("users", {"type": "Everybody"}, "INVALID_DATA"),
        ("users", {"per_page": "500"}, "INVALID_DATA"),
        ("users", {"page": "0"}, "INVALID_DATA"),
        ("users", {"page": "first"}, "INVALID_DATA"),
        ("users", {"ids": "12,abc"}, "UNABLE_TO_PARSE_DATA_TYPE"),
        ("users/actions/count", {"type": "Everybody"}, "INVALID_DATA"),
        ("users/not-an-id", {}, "INVALID_DATA"),
    ],
)
def test_read_errors(api: Api, path: str, params: dict[str, str], code: str) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 400 and response.json()["code"] == code


# --- adding -------------------------------------------------------------------------------------


def test_add_user(api: Api) -> None:
    response = api.post("users", json={"users": [new_user(api)]})
    assert response.status_code == 201
    (result,) = response.json()["users"]
    assert (result["code"], result["message"], result["status"]) == (
        "SUCCESS",
        "User added",
        "success",
    )
    (user,) = api.get(f"users/{result['details']['id']}").json()["users"]
    assert (user["email"], user["full_name"]) == ("ana@example.com", "Ana Pérez")
    assert (user["profile"]["name"], user["role"]["name"]) == ("Standard", "Sales Rep")


def test_role_and_profile_may_be_bare_ids(api: Api) -> None:
    user = new_user(api)
    user["role"], user["profile"] = user["role"]["id"], user["profile"]["id"]
    assert api.post("users", json={"users": [user]}).status_code == 201


@pytest.mark.parametrize(
    ("change", "code", "api_name"),
    [
        ({"email": None}, "MANDATORY_NOT_FOUND", "email"),
        ({"last_name": ""}, "MANDATORY_NOT_FOUND", "last_name"),
        ({"role": None}, "MANDATORY_NOT_FOUND", "role"),
        ({"profile": None}, "MANDATORY_NOT_FOUND", "profile"),
        ({"email": "not-an-email"}, "INVALID_DATA", "email"),
        ({"profile": {"id": "1"}}, "INVALID_DATA", "profile"),
        ({"role": {"id": "1"}}, "INVALID_DATA", "role"),
        ({"first_name": "x" * 41}, "INVALID_DATA", "first_name"),
        ({"last_name": 12}, "INVALID_DATA", "last_name"),
        ({"time_zone": "Mars/Olympus"}, "INVALID_DATA", "time_zone"),
    ],
)
def test_add_user_errors(api: Api, change: dict[str, Any], code: str, api_name: str) -> None:
    response = api.post("users", json={"users": [{**new_user(api), **change}]})
    assert response.status_code == 400
    (error,) = response.json()["users"]
    assert (error["code"], error["details"]["api_name"]) == (code, api_name)


def test_add_user_with_a_taken_email(api: Api) -> None:
    response = api.post(
        "users", json={"users": [new_user(api, email=api.org.org.admin_email.upper())]}
    )
    assert response.status_code == 400
    assert response.json()["users"] == [
        {
            "code": "DUPLICATE_DATA",
            "details": {},
            "message": "Failed to add user since same email id is already present",
            "status": "error",
        }
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "MANDATORY_NOT_FOUND"),
        ({"users": []}, "INVALID_DATA"),
        ({"users": {"email": "x@y.io"}}, "INVALID_DATA"),
        ({"users": [{"last_name": "A"}, {"last_name": "B"}]}, "INVALID_DATA"),
    ],
)
def test_add_user_body_errors(api: Api, body: Any, code: str) -> None:
    response = api.post("users", json=body)
    assert response.status_code == 400 and response.json()["code"] == code


def test_added_user_can_be_given_a_password(api: Api, runtime: Runtime) -> None:
    added = api.post("users", json={"users": [new_user(api, password="s3cret-pass")]})
    assert added.status_code == 201
    with runtime.db.read_org(api.org.org_id) as scope:
        stored = scope.scalar(
            scope.select(users, users.c.password_hash).where(users.c.email == "ana@example.com")
        )
    assert verify_password(stored, "s3cret-pass")


# --- changing -----------------------------------------------------------------------------------


def test_update_one_user(api: Api) -> None:
    other = api.org.add_user(profile="Standard")
    ids = ids_of_profiles_and_roles(api)
    response = api.put(
        f"users/{other}",
        json={"users": [{"first_name": "Anna", "profile": {"id": ids["Administrator"]}}]},
    )
    assert response.status_code == 200
    assert response.json()["users"][0] == {
        "code": "SUCCESS",
        "details": {"id": str(other)},
        "message": "User updated",
        "status": "success",
    }
    (user,) = api.get(f"users/{other}").json()["users"]
    assert user["first_name"] == "Anna" and user["profile"]["name"] == "Administrator"
    assert user["Modified_By"]["id"] == str(api.org.admin_id)


def test_deactivated_user_is_listed_and_locked_out(api: Api) -> None:
    other = api.org.add_user(profile="Standard")
    as_other = api.as_user(other)
    assert as_other.get("users", params={"type": "CurrentUser"}).status_code == 200
    assert api.put(f"users/{other}", json={"users": [{"status": "inactive"}]}).status_code == 200
    deactive = api.get("users", params={"type": "DeactiveUsers"}).json()["users"]
    assert [u["id"] for u in deactive] == [str(other)]
    response = as_other.get("users", params={"type": "CurrentUser"})
    assert response.status_code == 401 and response.json()["code"] == "INVALID_TOKEN"


def test_update_many_users(api: Api) -> None:
    other = api.org.add_user(profile="Standard")
    response = api.put(
        "users",
        json={
            "users": [
                {"id": str(other), "last_name": "Renamed"},
                {"id": "4876876000000000001", "last_name": "Ghost"},
                {"last_name": "No id"},
                {"id": str(other), "email": api.org.org.admin_email},
            ]
        },
    )
    assert response.status_code == 207
    results = response.json()["users"]
    assert [r["code"] for r in results] == [
        "SUCCESS",
        "INVALID_DATA",
        "MANDATORY_NOT_FOUND",
        "DUPLICATE_DATA",
    ]
    assert results[1]["details"]["json_path"] == "$.users[1].id"
    assert api.get(f"users/{other}").json()["users"][0]["last_name"] == "Renamed"


@pytest.mark.parametrize(
    ("target", "change", "code"),
    [
        ("other", {"status": "sleeping"}, "INVALID_DATA"),
        ("other", {"email": "nope"}, "INVALID_DATA"),
        ("other", {"last_name": None}, "MANDATORY_NOT_FOUND"),
        ("other", {"role": {"id": "5"}}, "INVALID_DATA"),
        ("self", {"status": "inactive"}, "NOT_ALLOWED"),
        ("self", {"profile": {"id": "standard"}}, "INVALID_DATA"),
    ],
)
def test_update_user_errors(api: Api, target: str, change: dict[str, Any], code: str) -> None:
    user_id = api.org.add_user(profile="Standard") if target == "other" else api.org.admin_id
    response = api.put(f"users/{user_id}", json={"users": [change]})
    assert response.status_code == 400
    assert response.json()["users"][0]["code"] == code


def test_admin_cannot_demote_themself(api: Api) -> None:
    standard = ids_of_profiles_and_roles(api)["Standard"]
    response = api.put(f"users/{api.org.admin_id}", json={"users": [{"profile": {"id": standard}}]})
    assert response.json()["users"][0]["code"] == "NOT_ALLOWED"
    assert me(api)["profile"]["name"] == "Administrator"


def test_update_unknown_or_deleted_user(api: Api) -> None:
    unknown = api.put("users/4876876000000000001", json={"users": [{"first_name": "X"}]})
    assert unknown.status_code == 400
    assert unknown.json() == {
        "code": "INVALID_DATA",
        "details": {"resource_path_index": 1},
        "message": "the id given seems to be invalid",
        "status": "error",
    }
    other = api.org.add_user(profile="Standard")
    api.delete(f"users/{other}")
    gone = api.put(f"users/{other}", json={"users": [{"first_name": "X"}]})
    assert gone.status_code == 400 and gone.json()["code"] == "NOT_ALLOWED"


# --- deleting -----------------------------------------------------------------------------------


def test_delete_user(api: Api) -> None:
    other = api.org.add_user(profile="Standard")
    response = api.delete(f"users/{other}")
    assert response.status_code == 200
    assert response.json()["users"] == [
        {
            "code": "SUCCESS",
            "details": {"id": str(other)},
            "message": "User deleted",
            "status": "success",
        }
    ]
    (deleted,) = api.get("users", params={"type": "DeletedUsers"}).json()["users"]
    assert (deleted["id"], deleted["status"]) == (str(other), "deleted")
    assert str(other) not in {u["id"] for u in api.get("users").json()["users"]}
    again = api.delete(f"users/{other}")
    assert again.status_code == 400
    assert again.json()["users"][0]["code"] == "ID_ALREADY_DELETED"


@pytest.mark.parametrize(
    ("path", "code", "where"),
    [
        ("users/4876876000000000001", "INVALID_DATA", "top"),
        ("users/abc", "INVALID_DATA", "top"),
        ("users/{admin}", "NOT_ALLOWED", "element"),
    ],
)
def test_delete_user_errors(api: Api, path: str, code: str, where: str) -> None:
    response = api.delete(path.format(admin=api.org.admin_id))
    assert response.status_code == 400
    body = response.json()
    assert (body["code"] if where == "top" else body["users"][0]["code"]) == code


def test_deleted_user_loses_access(api: Api) -> None:
    other = api.org.add_user(profile="Standard")
    as_other = api.as_user(other)
    assert as_other.get("Leads", params={"fields": "Last_Name"}).status_code == 204
    api.delete(f"users/{other}")
    response = as_other.get("Leads", params={"fields": "Last_Name"})
    assert response.status_code == 401 and response.json()["code"] == "INVALID_TOKEN"


# --- permissions and scopes ---------------------------------------------------------------------

WRITES = [
    ("POST", "users", {"users": [{"last_name": "x", "email": "x@y.io"}]}),
    ("PUT", "users", {"users": [{"id": "{admin}", "last_name": "x"}]}),
    ("PUT", "users/{admin}", {"users": [{"last_name": "x"}]}),
    ("DELETE", "users/{admin}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_standard_users_cannot_manage_users(api: Api, method: str, path: str, body: Any) -> None:
    standard = api.as_user(api.org.add_user(profile="Standard"))
    admin = str(api.org.admin_id)
    if body is not None:
        body = {"users": [{k: v.format(admin=admin) for k, v in u.items()} for u in body["users"]]}
    response = standard.request(method, path.format(admin=admin), json=body)
    assert response.status_code == 403
    assert response.json() == {
        "code": "NO_PERMISSION",
        "details": {"permissions": ["Crm_Implied_Manage_Users"]},
        "message": "permission denied",
        "status": "error",
    }


def test_standard_users_can_read_users(api: Api) -> None:
    standard = api.as_user(api.org.add_user(profile="Standard"))
    assert standard.get("users").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "users", "ZohoCRM.modules.ALL"),
        ("GET", "users/1", "ZohoCRM.org.READ"),
        ("GET", "users/actions/count", "ZohoCRM.settings.ALL"),
        ("POST", "users", "ZohoCRM.users.READ"),
        ("PUT", "users", "ZohoCRM.users.CREATE"),
        ("PUT", "users/1", "ZohoCRM.users.READ"),
        ("DELETE", "users/1", "ZohoCRM.users.UPDATE"),
    ],
)
def test_users_scopes(api: Api, method: str, path: str, scope: str) -> None:
    response = api.with_scopes(scope).request(method, path, json={"users": [{"id": "1"}]})
    assert response.status_code == 401
    assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"


@pytest.mark.parametrize("scope", ["ZohoCRM.users.READ", "ZohoCRM.users.ALL"])
def test_users_read_scopes(api: Api, scope: str) -> None:
    assert api.with_scopes(scope).get("users", params={"type": "CurrentUser"}).status_code == 200
