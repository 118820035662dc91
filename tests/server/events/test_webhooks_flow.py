"""Webhooks end to end: conditions, placeholders, methods, trigger: [] (events/*)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from zcrm.server.events.signing import verify


def hook(api: Any, receiver: Any, **spec: Any) -> str:
    body = {
        "name": "Won deals",
        "module": {"api_name": "Deals"},
        "events": ["create", "edit"],
        "url": receiver.url + "/won",
        "token": "hook-token",
        **spec,
    }
    response = api.post("settings/webhooks", json={"webhooks": [body]})
    assert response.status_code == 201, response.text
    return str(response.json()["webhooks"][0]["details"]["id"])


def test_condition_and_placeholders(api: Any, receiver: Any, worker: Any) -> None:
    hook(
        api,
        receiver,
        condition={"criteria": "(Stage:equals:Closed Won)", "fields_updated": ["Stage"]},
        custom_parameters=[
            {"name": "deal", "value": "${Deals.Deal_Name}"},
            {"name": "env", "value": "prod"},
            {"name": "deal_id", "value": "${Deals.id}"},
        ],
    )
    (deal,) = api.create("Deals", {"Deal_Name": "Big One", "Stage": "Qualification"})
    worker.run_until_idle()  # conditions are checked at dispatch, as the record is then
    api.put(f"Deals/{deal}", json={"data": [{"Amount": 5000}]})
    worker.run_until_idle()
    api.put(f"Deals/{deal}", json={"data": [{"Stage": "Closed Won"}]})
    worker.run_until_idle()
    api.put(f"Deals/{deal}", json={"data": [{"Amount": 6000}]})  # Stage unchanged
    worker.run_until_idle()
    (request,) = receiver.wait_for(1)
    body = request.json()
    assert body["operation"] == "update" and body["id"] == deal
    assert body["parameters"] == {"deal": "Big One", "env": "prod", "deal_id": deal}
    assert body["record"]["Stage"] == "Closed Won" and "Stage" in body["changed_fields"]
    assert body["webhook"]["name"] == "Won deals"
    assert verify("hook-token", request.body, request.headers["x-zcrm-signature"])


def test_trigger_empty_skips_webhooks(api: Any, receiver: Any, worker: Any) -> None:
    hook(api, receiver)
    api.post(
        "Deals", json={"data": [{"Deal_Name": "Quiet", "Stage": "Qualification"}], "trigger": []}
    )
    api.post(
        "Deals",
        json={"data": [{"Deal_Name": "Loud", "Stage": "Qualification"}], "trigger": ["workflow"]},
    )
    worker.run_until_idle()
    assert [b["record"]["Deal_Name"] for b in receiver.bodies()] == ["Loud"]


def test_get_method_sends_parameters_in_the_query(api: Any, receiver: Any, worker: Any) -> None:
    hook(
        api,
        receiver,
        http_method="GET",
        events=["delete"],
        custom_parameters=[{"name": "source", "value": "zcrm"}],
    )
    (deal,) = api.create("Deals", {"Deal_Name": "Gone", "Stage": "Qualification"})
    api.delete(f"Deals/{deal}")
    worker.run_until_idle()
    (request,) = receiver.wait_for(1)
    assert request.method == "GET"
    query = parse_qs(urlsplit(request.path).query)
    assert query == {"module": ["Deals"], "operation": ["delete"], "id": [deal], "source": ["zcrm"]}


def test_webhook_crud_and_errors(api: Any, receiver: Any) -> None:
    webhook_id = hook(api, receiver)
    listed = api.get("settings/webhooks").json()["webhooks"]
    assert [w["id"] for w in listed] == [webhook_id]
    changed = api.put(f"settings/webhooks/{webhook_id}", json={"webhooks": [{"active": False}]})
    assert changed.json()["webhooks"][0]["message"] == "webhook updated"
    one = api.get(f"settings/webhooks/{webhook_id}").json()["webhooks"][0]
    assert one["active"] is False and one["name"] == "Won deals"
    bad = api.post(
        "settings/webhooks",
        json={
            "webhooks": [
                {
                    "name": "x",
                    "module": {"api_name": "Unicorns"},
                    "events": ["create"],
                    "url": receiver.url,
                },
                {
                    "name": "x",
                    "module": {"api_name": "Deals"},
                    "events": ["explode"],
                    "url": receiver.url,
                },
                {
                    "name": "x",
                    "module": {"api_name": "Deals"},
                    "events": ["create"],
                    "url": "ftp://x",
                },
                {
                    "name": "x",
                    "module": {"api_name": "Deals"},
                    "events": ["create"],
                    "url": receiver.url,
                    "condition": {"criteria": "(Nope:equals:1)"},
                },
                {
                    "name": "x",
                    "module": {"api_name": "Deals"},
                    "events": ["create"],
                    "url": receiver.url,
                    "custom_parameters": [{"name": "p", "value": "${Deals.Nope}"}],
                },
                {"module": {"api_name": "Deals"}, "events": ["create"], "url": receiver.url},
            ]
        },
    )
    assert bad.status_code == 400
    codes = [r["code"] for r in bad.json()["webhooks"]]
    assert codes == [
        "INVALID_DATA",
        "INVALID_DATA",
        "INVALID_DATA",
        "INVALID_QUERY",
        "INVALID_DATA",
        "MANDATORY_NOT_FOUND",
    ]
    assert api.delete(f"settings/webhooks/{webhook_id}").status_code == 200
    assert api.get(f"settings/webhooks/{webhook_id}").status_code == 400
    assert api.get("settings/webhooks").status_code == 204


def test_webhooks_need_an_administrator(api: Any, receiver: Any) -> None:
    user = api.org.add_user(profile="Standard")
    response = api.as_user(user).post(
        "settings/webhooks",
        json={
            "webhooks": [
                {
                    "name": "x",
                    "module": {"api_name": "Deals"},
                    "events": ["create"],
                    "url": receiver.url,
                }
            ]
        },
    )
    assert response.status_code == 403


def test_webhook_delivery_log(api: Any, receiver: Any, worker: Any) -> None:
    webhook_id = hook(api, receiver)
    api.create("Deals", {"Deal_Name": "Logged", "Stage": "Qualification"})
    worker.run_until_idle()
    log = api.get(f"settings/webhooks/{webhook_id}/deliveries").json()["deliveries"]
    assert [d["status"] for d in log] == ["delivered"]
    assert (
        api.get(f"settings/webhooks/{webhook_id}/deliveries", params={"status": "dead"}).status_code
        == 204
    )
