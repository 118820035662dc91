"""/crm/{version}/actions/watch request and response shapes (api/notifications.py)."""

from __future__ import annotations

from typing import Any

import pytest

URL = "https://hooks.example.com/zoho?tenant=7"


def enable(api: Any, **item: Any) -> Any:
    return api.post(
        "actions/watch",
        json={
            "watch": [
                {"channel_id": "1000000068001", "events": ["Leads.all"], "notify_url": URL, **item}
            ]
        },
    )


def test_enable_list_patch_delete(api: Any, runtime: Any) -> None:
    response = enable(
        api,
        events=["Leads.create", "Deals.all"],
        token="t0k",
        channel_expiry=(
            runtime.clock.now().replace(microsecond=0).isoformat().replace("+00:00", "Z")
        ),
    )
    assert response.status_code == 400  # an expiry that is not in the future
    expiry = "2099-01-01T00:00:00+00:00"
    response = enable(api, events=["Leads.create", "Deals.all"], token="t0k")
    assert response.status_code == 200
    (item,) = response.json()["watch"]
    assert item["code"] == "SUCCESS" and item["message"] == (
        "Successfully subscribed for actions-watch of the given module"
    )
    resources = {e["resource_name"]: e for e in item["details"]["events"]}
    assert set(resources) == {"Leads", "Deals"}
    assert resources["Leads"]["channel_id"] == "1000000068001"
    assert resources["Leads"]["resource_uri"].endswith("/crm/v2/Leads")
    assert resources["Leads"]["resource_id"].isdigit()
    listed = api.get("actions/watch").json()
    assert listed["info"]["count"] == 2
    leads = next(w for w in listed["watch"] if w["resource_name"] == "Leads")
    assert leads["events"] == ["Leads.create"] and leads["token"] == "t0k"
    assert leads["notify_url"] == URL
    assert api.get("actions/watch", params={"module": "Deals"}).json()["info"]["count"] == 1
    patched = api.patch(
        "actions/watch",
        json={
            "watch": [
                {"channel_id": 1000000068001, "events": ["Leads.edit"], "channel_expiry": expiry}
            ]
        },
    )
    assert patched.json()["watch"][0]["message"] == "Successfully updated the subscribe details"
    leads = api.get("actions/watch", params={"module": "Leads"}).json()["watch"][0]
    assert leads["events"] == ["Leads.create", "Leads.edit"]
    assert leads["channel_expiry"] != expiry  # beyond a week: one hour instead
    removed = api.patch(
        "actions/watch",
        json={
            "watch": [
                {"channel_id": "1000000068001", "events": ["Leads.create"], "_delete_events": True}
            ]
        },
    )
    assert removed.json()["watch"][0]["message"] == "Successfully removed the subscribe details"
    leads = api.get("actions/watch", params={"module": "Leads"}).json()["watch"][0]
    assert leads["events"] == ["Leads.edit"]
    deleted = api.delete("actions/watch", params={"channel_ids": "1000000068001"})
    assert [w["message"] for w in deleted.json()["watch"]] == [
        "Successfully un-subscribed from actions-watch"
    ] * 2
    assert api.get("actions/watch").status_code == 204


def test_put_replaces(api: Any) -> None:
    enable(api, events=["Leads.all", "Deals.all"])
    api.put(
        "actions/watch",
        json={
            "watch": [
                {"channel_id": "1000000068001", "events": ["Contacts.create"], "notify_url": URL}
            ]
        },
    )
    listed = api.get("actions/watch").json()["watch"]
    assert [w["resource_name"] for w in listed] == ["Contacts"]


@pytest.mark.parametrize(
    ("item", "code", "api_name"),
    [
        ({"channel_id": None}, "MANDATORY_NOT_FOUND", "channel_id"),
        ({"channel_id": "abc"}, "INVALID_DATA", "channel_id"),
        ({"events": []}, "MANDATORY_NOT_FOUND", "events"),
        ({"events": ["Unicorns.all"]}, "INVALID_DATA", "events"),
        ({"events": ["Leads.explode"]}, "INVALID_DATA", "events"),
        ({"notify_url": None}, "MANDATORY_NOT_FOUND", "notify_url"),
        ({"notify_url": "not a url"}, "INVALID_DATA", "notify_url"),
        ({"token": "x" * 51}, "INVALID_DATA", "token"),
        ({"channel_expiry": "tomorrow"}, "INVALID_DATA", "channel_expiry"),
        (
            {"notification_condition": [{"module": {"api_name": "Leads"}}]},
            "MANDATORY_NOT_FOUND",
            "type",
        ),
    ],
)
def test_enable_errors(api: Any, item: dict[str, Any], code: str, api_name: str) -> None:
    response = enable(api, **item)
    assert response.status_code == 400
    result = response.json()["watch"][0]
    assert result["code"] == code and result["details"]["api_name"] == api_name


def test_body_and_scope_errors(api: Any) -> None:
    assert api.post("actions/watch", json={}).json()["code"] == "REQUIRED_PARAM_MISSING"
    assert api.post("actions/watch", json={"watch": {}}).json()["code"] == "INVALID_DATA"
    assert api.delete("actions/watch").json()["code"] == "REQUIRED_PARAM_MISSING"
    unknown = api.delete("actions/watch", params={"channel_ids": "5"})
    assert unknown.json()["watch"][0]["code"] == "INVALID_DATA"
    no_scope = api.with_scopes("ZohoCRM.modules.ALL")
    assert no_scope.get("actions/watch").json()["code"] == "OAUTH_SCOPE_MISMATCH"
