"""The delivery log: list, read with attempts, redeliver (api/deliveries.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from zcrm.server.events.worker import EventWorker
from zcrm.server.runtime import Runtime
from zcrm.testing import make_org
from zcrm.testing.api import Api
from zcrm.testing.receiver import Receiver

CHANNEL = "1000000068001"


@pytest.fixture
def deliver(runtime: Runtime) -> Iterator[Any]:
    worker = EventWorker(runtime, timeout=2.0)
    yield worker.run_until_idle
    worker.stop()


def watch(api: Api, receiver: Receiver, channel: str = CHANNEL) -> None:
    response = api.post(
        "actions/watch",
        json={
            "watch": [
                {
                    "channel_id": channel,
                    "events": ["Leads.create"],
                    "notify_url": receiver.url + "/n",
                    "token": "tok",
                }
            ]
        },
    )
    assert response.status_code == 200, response.text


def add_webhook(api: Api, receiver: Receiver) -> str:
    response = api.post(
        "settings/webhooks",
        json={
            "webhooks": [
                {
                    "name": "hook",
                    "module": {"api_name": "Leads"},
                    "events": ["create"],
                    "url": receiver.url + "/w",
                }
            ]
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["webhooks"][0]["details"]["id"])


def test_empty_logs_are_204(api: Api) -> None:
    assert api.get("actions/watch/deliveries").status_code == 204
    hook = add_webhook(api, Receiver(url="http://127.0.0.1:9"))
    assert api.get(f"settings/webhooks/{hook}/deliveries").status_code == 204


def test_list_read_and_redeliver(
    api: Api, receiver: Receiver, deliver: Any, runtime: Runtime
) -> None:
    watch(api, receiver)
    watch(api, receiver, channel="77")
    hook = add_webhook(api, receiver)
    (lead,) = api.create("Leads", {"Last_Name": "Logged"})
    deliver()
    assert len(receiver.wait_for(3)) == 3

    log = api.get("actions/watch/deliveries").json()
    assert log["info"] == {"per_page": 200, "count": 2, "page": 1, "more_records": False}
    assert {d["target"]["id"] for d in log["deliveries"]} == {f"{CHANNEL}:Leads", "77:Leads"}
    one = api.get("actions/watch/deliveries", params={"channel_id": "77"}).json()
    (item,) = one["deliveries"]
    assert item["target"] == {"type": "channel", "id": "77:Leads"}
    assert item["status"] == "delivered" and item["attempts"] == 1
    assert item["last_status_code"] == 200 and item["delivered_time"] is not None
    assert item["url"] == receiver.url + "/n" and item["method"] == "POST"
    paged = api.get("actions/watch/deliveries", params={"per_page": 1}).json()
    assert paged["info"]["more_records"] is True and len(paged["deliveries"]) == 1
    none = api.get("actions/watch/deliveries", params={"status": "dead"})
    assert none.status_code == 204

    hooked = api.get(f"settings/webhooks/{hook}/deliveries").json()["deliveries"]
    assert [d["target"] for d in hooked] == [{"type": "webhook", "id": hook}]

    detail = api.get(f"__deliveries/{item['id']}").json()["deliveries"][0]
    (attempt,) = detail["attempt_log"]
    assert attempt["attempt"] == 1 and attempt["status_code"] == 200
    assert attempt["latency_ms"] >= 0 and attempt["error"] is None
    assert attempt["response_excerpt"] == '{"ok": true}'
    assert '"operation":"insert"' in detail["payload"] and lead in detail["payload"]

    again = api.post(f"__deliveries/{item['id']}/actions/redeliver")
    assert again.status_code == 200, again.text
    assert again.json()["deliveries"][0]["code"] == "SUCCESS"
    pending = api.get(f"__deliveries/{item['id']}").json()["deliveries"][0]
    assert pending["status"] == "pending" and pending["next_attempt_time"] is not None
    busy = api.post(f"__deliveries/{item['id']}/actions/redeliver")
    assert busy.status_code == 400 and busy.json()["code"] == "NOT_ALLOWED"
    deliver()
    assert len(receiver.wait_for(4)) == 4
    done = api.get(f"__deliveries/{item['id']}").json()["deliveries"][0]
    assert done["status"] == "delivered"
    assert [a["attempt"] for a in done["attempt_log"]] == [1, 1]  # a fresh schedule


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("actions/watch/deliveries", {"status": "lost"}, "INVALID_DATA"),
        ("actions/watch/deliveries", {"channel_id": "abc"}, "INVALID_DATA"),
        ("actions/watch/deliveries", {"per_page": "500"}, "INVALID_DATA"),
        ("settings/webhooks/abc/deliveries", {}, "INVALID_DATA"),
        ("__deliveries/abc", {}, "INVALID_DATA"),
        ("__deliveries/99999999999", {}, "INVALID_DATA"),
    ],
)
def test_bad_requests(api: Api, path: str, params: dict[str, str], code: str) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code


def test_redeliver_unknown(api: Api) -> None:
    response = api.post("__deliveries/99999999999/actions/redeliver")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_DATA"


def test_other_orgs_deliveries_are_invisible(
    api: Api, receiver: Receiver, deliver: Any, runtime: Runtime
) -> None:
    watch(api, receiver)
    api.create("Leads", {"Last_Name": "Mine"})
    deliver()
    (item,) = api.get("actions/watch/deliveries").json()["deliveries"]
    other = Api(api.http, make_org(runtime))
    response = other.get(f"__deliveries/{item['id']}")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_DATA"
    assert other.get("actions/watch/deliveries").status_code == 204


def test_each_log_needs_its_own_scope(api: Api, receiver: Receiver, deliver: Any) -> None:
    watch(api, receiver)
    hook = add_webhook(api, receiver)
    api.create("Leads", {"Last_Name": "Scoped"})
    deliver()
    items = {
        d["target"]["type"]: d["id"]
        for d in api.get("actions/watch/deliveries").json()["deliveries"]
        + api.get(f"settings/webhooks/{hook}/deliveries").json()["deliveries"]
    }
    notifications = api.with_scopes("ZohoCRM.notifications.READ")
    assert notifications.get("actions/watch/deliveries").status_code == 200
    assert notifications.get(f"__deliveries/{items['channel']}").status_code == 200
    denied = notifications.get(f"__deliveries/{items['webhook']}")
    assert denied.status_code == 401 and denied.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    denied = notifications.get(f"settings/webhooks/{hook}/deliveries")
    assert denied.status_code == 401
    webhooks = api.with_scopes("ZohoCRM.settings.webhooks.READ")
    assert webhooks.get(f"__deliveries/{items['webhook']}").status_code == 200
    assert webhooks.get(f"__deliveries/{items['channel']}").status_code == 401
    assert webhooks.get("actions/watch/deliveries").status_code == 401


def test_only_administrators_redeliver_webhooks(api: Api, receiver: Receiver, deliver: Any) -> None:
    hook = add_webhook(api, receiver)
    api.create("Leads", {"Last_Name": "Admin only"})
    deliver()
    (item,) = api.get(f"settings/webhooks/{hook}/deliveries").json()["deliveries"]
    standard = api.as_user(api.org.add_user(profile="Standard"))
    response = standard.post(f"__deliveries/{item['id']}/actions/redeliver")
    assert response.status_code == 403 and response.json()["code"] == "NO_PERMISSION"
