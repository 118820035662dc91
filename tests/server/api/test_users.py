"""/crm/{version}/users (api/users.py)."""

from __future__ import annotations

from typing import Any

import pytest


def test_current_user_has_what_the_sdk_needs(api: Any) -> None:
    body = api.get("users", params={"type": "CurrentUser"}).json()
    (me,) = body["users"]
    assert me["email"] == api.org.org.admin_email
    assert me["id"] == str(api.org.admin_id)
    assert me["profile"]["name"] == "Administrator" and me["profile"]["id"].isdigit()
    assert me["role"]["name"] == "CEO" and me["status"] == "active"
    assert body["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}


def test_types_and_paging(api: Any) -> None:
    other = api.org.add_user(profile="Standard")
    everyone = api.get("users", params={"type": "AllUsers"}).json()["users"]
    assert {u["id"] for u in everyone} == {str(api.org.admin_id), str(other)}
    admins = api.get("users", params={"type": "AdminUsers"}).json()["users"]
    assert [u["id"] for u in admins] == [str(api.org.admin_id)]
    page = api.get("users", params={"per_page": 1}).json()
    assert page["info"]["more_records"] is True and len(page["users"]) == 1
    assert api.get("users/actions/count", params={"type": "ActiveUsers"}).json() == {"count": 2}
    assert api.get(f"users/{other}").json()["users"][0]["profile"]["name"] == "Standard"
    assert api.get("users/4876876000000000001").status_code == 204


@pytest.mark.parametrize(
    ("params", "code"),
    [({"type": "Everybody"}, "INVALID_DATA"), ({"per_page": "500"}, "INVALID_DATA")],
)
def test_list_errors(api: Any, params: dict[str, str], code: str) -> None:
    assert api.get("users", params=params).json()["code"] == code


def test_add_update_delete_user(api: Any) -> None:
    profiles = api.get("users", params={"type": "CurrentUser"}).json()["users"][0]
    admin_profile = profiles["profile"]["id"]
    added = api.post(
        "users",
        json={
            "users": [
                {
                    "first_name": "Ana",
                    "last_name": "Pérez",
                    "email": "ana@example.com",
                    "profile": {"id": admin_profile},
                },
                {"last_name": "No email"},
                {"last_name": "Dup", "email": "ANA@example.com"},
            ]
        },
    )
    assert added.status_code == 207
    codes = [r["code"] for r in added.json()["users"]]
    assert codes == ["SUCCESS", "MANDATORY_NOT_FOUND", "DUPLICATE_DATA"]
    ana = added.json()["users"][0]["details"]["id"]
    assert api.put(f"users/{ana}", json={"users": [{"first_name": "Anna"}]}).status_code == 200
    assert api.get(f"users/{ana}").json()["users"][0]["full_name"] == "Anna Pérez"
    assert api.delete(f"users/{ana}").json()["users"][0]["message"] == "User deleted"
    assert api.get("users", params={"type": "DeletedUsers"}).json()["users"][0]["id"] == ana


def test_deleted_user_loses_access(api: Any) -> None:
    other = api.org.add_user(profile="Standard")
    as_other = api.as_user(other)
    assert as_other.get("Leads", params={"fields": "Last_Name"}).status_code == 204
    api.delete(f"users/{other}")
    response = as_other.get("Leads", params={"fields": "Last_Name"})
    assert response.status_code == 401 and response.json()["code"] == "INVALID_TOKEN"


def test_standard_users_cannot_manage_users(api: Any) -> None:
    other = api.as_user(api.org.add_user(profile="Standard"))
    response = other.post("users", json={"users": [{"last_name": "x", "email": "x@y.io"}]})
    assert response.status_code == 403
    assert response.json()["code"] == "NO_PERMISSION"


def test_users_scope(api: Any) -> None:
    response = api.with_scopes("ZohoCRM.modules.ALL").get("users")
    assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
