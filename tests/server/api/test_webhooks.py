"""/crm/{version}/settings/webhooks: create, list, read, change, delete (api/webhooks.py)."""

from __future__ import annotations

from typing import Any

import pytest

from zcrm.testing.api import Api

URL = "https://hooks.example.com/deals"


def webhook(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "name": "Won deals",
        "module": {"api_name": "Deals"},
        "events": ["create", "edit"],
        "url": URL,
        "http_method": "POST",
        "token": "s3cret",
        "custom_parameters": [
            {"name": "source", "value": "zcrm"},
            {"name": "deal", "value": "${Deals.Deal_Name}"},
        ],
        "condition": {"criteria": "(Stage:equals:Closed Won)", "fields_updated": ["Stage"]},
    }
    item.update(overrides)
    return item


def create(api: Api, **overrides: Any) -> str:
    response = api.post("settings/webhooks", json={"webhooks": [webhook(**overrides)]})
    assert response.status_code == 201, response.text
    (item,) = response.json()["webhooks"]
    assert item["code"] == "SUCCESS" and item["status"] == "success"
    return str(item["details"]["id"])


def test_create_read_list_change_delete(api: Api) -> None:
    assert api.get("settings/webhooks").status_code == 204
    hook_id = create(api)
    assert hook_id.isdigit()
    (stored,) = api.get(f"settings/webhooks/{hook_id}").json()["webhooks"]
    assert stored["id"] == hook_id and stored["name"] == "Won deals"
    assert stored["module"]["api_name"] == "Deals" and stored["module"]["id"].isdigit()
    assert stored["events"] == ["create", "edit"] and stored["http_method"] == "POST"
    assert stored["url"] == URL and stored["token"] == "s3cret" and stored["active"] is True
    assert stored["custom_parameters"][1] == {"name": "deal", "value": "${Deals.Deal_Name}"}
    assert stored["condition"] == {
        "criteria": "(Stage:equals:Closed Won)",
        "fields_updated": ["Stage"],
    }
    assert stored["created_time"] == stored["modified_time"]
    other = create(
        api, name="Leads hook", module={"api_name": "Leads"}, condition=None, custom_parameters=[]
    )
    listed = api.get("settings/webhooks").json()["webhooks"]
    assert [w["id"] for w in listed] == [hook_id, other]
    only_leads = api.get("settings/webhooks", params={"module": "leads"}).json()["webhooks"]
    assert [w["id"] for w in only_leads] == [other]

    changed = api.put(
        f"settings/webhooks/{hook_id}",
        json={"webhooks": [{"name": "Renamed", "active": False, "http_method": "put"}]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["webhooks"][0]["code"] == "SUCCESS"
    (stored,) = api.get(f"settings/webhooks/{hook_id}").json()["webhooks"]
    assert stored["name"] == "Renamed" and stored["active"] is False
    assert stored["http_method"] == "PUT"
    assert stored["events"] == ["create", "edit"]  # keys left out keep their values
    assert stored["condition"]["criteria"] == "(Stage:equals:Closed Won)"

    deleted = api.delete(f"settings/webhooks/{hook_id}")
    assert deleted.status_code == 200
    assert deleted.json()["webhooks"][0]["details"] == {"id": hook_id}
    gone = api.get(f"settings/webhooks/{hook_id}")
    assert gone.status_code == 400 and gone.json()["code"] == "INVALID_DATA"
    again = api.delete(f"settings/webhooks/{hook_id}")
    assert again.status_code == 400 and again.json()["code"] == "INVALID_DATA"


@pytest.mark.parametrize(
    ("overrides", "code", "api_name"),
    [
        ({"name": ""}, "MANDATORY_NOT_FOUND", "name"),
        ({"name": "x" * 101}, "INVALID_DATA", "name"),
        ({"module": None}, "MANDATORY_NOT_FOUND", "module"),
        ({"module": {"api_name": "Nope"}}, "INVALID_DATA", "module"),
        ({"events": []}, "MANDATORY_NOT_FOUND", "events"),
        ({"events": ["explode"]}, "INVALID_DATA", "events"),
        ({"url": None}, "MANDATORY_NOT_FOUND", "url"),
        ({"url": "ftp://hooks.example.com/x"}, "INVALID_DATA", "url"),
        ({"http_method": "TRACE"}, "INVALID_DATA", "http_method"),
        ({"token": "t" * 101}, "INVALID_DATA", "token"),
        ({"custom_parameters": {"a": 1}}, "INVALID_DATA", "custom_parameters"),
        ({"custom_parameters": [{"value": "no name"}]}, "MANDATORY_NOT_FOUND", "name"),
        ({"custom_parameters": [{"name": "x", "value": "${Deals.Nope}"}]}, "INVALID_DATA", "value"),
        (
            {"custom_parameters": [{"name": "x", "value": "${Leads.Last_Name}"}]},
            "INVALID_DATA",
            "value",
        ),
        ({"condition": "Stage"}, "INVALID_DATA", "condition"),
        ({"condition": {"fields_updated": ["Nope"]}}, "INVALID_DATA", "fields_updated"),
    ],
)
def test_invalid_webhooks(api: Api, overrides: dict[str, Any], code: str, api_name: str) -> None:
    response = api.post("settings/webhooks", json={"webhooks": [webhook(**overrides)]})
    assert response.status_code == 400, response.text
    (item,) = response.json()["webhooks"]
    assert item["code"] == code and item["status"] == "error"
    assert item["details"]["api_name"] == api_name


@pytest.mark.parametrize(
    "criteria", ["(Nope:equals:1)", "(Stage:equals:Closed Won", "(Amount:starts_with:1)"]
)
def test_conditions_use_the_search_criteria_core(api: Api, criteria: str) -> None:
    response = api.post(
        "settings/webhooks", json={"webhooks": [webhook(condition={"criteria": criteria})]}
    )
    assert response.status_code == 400, response.text
    (item,) = response.json()["webhooks"]
    assert item["code"] == "INVALID_QUERY"
    assert item["details"]["json_path"] == "$.webhooks[0].condition.criteria"


def test_one_bad_webhook_does_not_fail_the_others(api: Api) -> None:
    response = api.post("settings/webhooks", json={"webhooks": [webhook(), webhook(url="nowhere")]})
    assert response.status_code == 207
    assert [i["status"] for i in response.json()["webhooks"]] == ["success", "error"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "INVALID_DATA"),
        ({"webhooks": []}, "INVALID_DATA"),
        ({"webhooks": {"name": "x"}}, "INVALID_DATA"),
        ({"webhooks": [webhook()] * 11}, "LIMIT_EXCEEDED"),
    ],
)
def test_bad_request_bodies(api: Api, body: dict[str, Any], code: str) -> None:
    response = api.post("settings/webhooks", json=body)
    assert response.status_code == 400 and response.json()["code"] == code


@pytest.mark.parametrize("path", ["settings/webhooks/abc", "settings/webhooks/1"])
def test_unknown_ids(api: Api, path: str) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = api.request(method, path, json={"webhooks": [{"name": "x"}]})
        assert response.status_code == 400 and response.json()["code"] == "INVALID_DATA"


def test_unknown_module_filter(api: Api) -> None:
    response = api.get("settings/webhooks", params={"module": "Nope"})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_MODULE"


def test_only_administrators_change_webhooks(api: Api) -> None:
    hook_id = create(api)
    standard = api.as_user(api.org.add_user(profile="Standard"))
    assert standard.get("settings/webhooks").status_code == 200
    for method, path in [
        ("POST", "settings/webhooks"),
        ("PUT", f"settings/webhooks/{hook_id}"),
        ("DELETE", f"settings/webhooks/{hook_id}"),
    ]:
        response = standard.request(method, path, json={"webhooks": [webhook()]})
        assert response.status_code == 403 and response.json()["code"] == "NO_PERMISSION"


@pytest.mark.parametrize(
    ("scopes", "method", "allowed"),
    [
        ("ZohoCRM.settings.webhooks.READ", "GET", True),
        ("ZohoCRM.settings.ALL", "POST", True),
        ("ZohoCRM.settings.webhooks.ALL", "POST", True),
        ("ZohoCRM.settings.webhooks.READ", "POST", False),
        ("ZohoCRM.modules.ALL", "GET", False),
        ("ZohoCRM.notifications.ALL", "POST", False),
    ],
)
def test_scopes(api: Api, scopes: str, method: str, allowed: bool) -> None:
    scoped = api.with_scopes(scopes)
    body = {"webhooks": [webhook()]} if method == "POST" else None
    response = scoped.request(method, "settings/webhooks", json=body)
    if allowed:
        assert response.status_code in (200, 201, 204), response.text
    else:
        assert response.status_code == 401
        assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
