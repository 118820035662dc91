"""Notification channels end to end: /actions/watch -> outbox -> dispatcher -> receiver."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from zcrm.server.events.signing import verify
from zcrm.server.storage.schema import deliveries, delivery_attempts

CHANNEL = 1000000068001


def watch(api: Any, receiver: Any, events: list[str], **extra: Any) -> Any:
    response = api.post(
        "actions/watch",
        json={
            "watch": [
                {
                    "channel_id": str(CHANNEL),
                    "events": events,
                    "notify_url": receiver.url + "/hook?tenant=7",
                    "token": "verify-me",
                    **extra,
                }
            ]
        },
    )
    assert response.status_code == 200, response.text
    return response


def test_insert_update_delete_payloads(api: Any, receiver: Any, worker: Any) -> None:
    watch(api, receiver, ["Leads.all"], return_affected_field_values=True)
    ids = api.create("Leads", {"Last_Name": "A"}, {"Last_Name": "B"})
    api.put(f"Leads/{ids[0]}", json={"data": [{"Company": "ACME", "Last_Name": "A"}]})
    api.delete("Leads", params={"ids": ids[1]})
    worker.run_until_idle()
    requests = receiver.wait_for(3)
    # Ordered per record: the insert first; then the update of one and the delete of the
    # other (different records) in either order.
    assert requests[0].json()["operation"] == "insert"
    by_operation = {r.json()["operation"]: r.json() for r in requests}
    insert, update, delete = (by_operation[op] for op in ("insert", "update", "delete"))
    assert insert["operation"] == "insert" and insert["ids"] == ids
    assert insert["module"] == "Leads" and insert["channel_id"] == CHANNEL
    assert insert["token"] == "verify-me" and insert["query_params"] == {"tenant": "7"}
    assert insert["affected_fields"] == []
    assert insert["resource_uri"].endswith("/crm/v2/Leads")
    assert isinstance(insert["server_time"], int)
    assert update["operation"] == "update" and update["ids"] == [ids[0]]
    assert update["affected_fields"] == [{ids[0]: ["Company"]}]
    assert update["affected_values"] == [{"record_id": ids[0], "values": {"Company": "ACME"}}]
    assert delete["operation"] == "delete" and delete["ids"] == [ids[1]]
    first = requests[0]
    assert urlsplit(first.path).path == "/hook"
    assert verify("verify-me", first.body, first.headers["x-zcrm-signature"])


def test_only_the_events_watched(api: Any, receiver: Any, worker: Any) -> None:
    watch(api, receiver, ["Leads.edit"])
    (lead,) = api.create("Leads", {"Last_Name": "A"})
    api.create("Contacts", {"Last_Name": "C"})
    api.put(f"Leads/{lead}", json={"data": [{"Company": "X"}]})
    worker.run_until_idle()
    assert [b["operation"] for b in receiver.bodies()] == ["update"]


def test_field_selection_condition(api: Any, receiver: Any, worker: Any) -> None:
    watch(
        api,
        receiver,
        ["Deals.edit"],
        notification_condition=[
            {
                "type": "field_selection",
                "module": {"api_name": "Deals"},
                "field_selection": {
                    "group_operator": "or",
                    "group": [{"field": {"api_name": "Stage"}}],
                },
            }
        ],
    )
    (deal,) = api.create("Deals", {"Deal_Name": "D", "Stage": "Qualification"})
    api.put(f"Deals/{deal}", json={"data": [{"Amount": 100}]})
    api.put(f"Deals/{deal}", json={"data": [{"Stage": "Closed Won"}]})
    worker.run_until_idle()
    bodies = receiver.bodies()
    assert (
        len(bodies) == 1
        and bodies[0]["affected_fields"][0][deal] == ["Stage", "Probability", "Expected_Revenue"]
    ) or "Stage" in bodies[0]["affected_fields"][0][deal]


def test_expired_channels_stop(api: Any, receiver: Any, worker: Any, runtime: Any) -> None:
    watch(api, receiver, ["Leads.create"])
    runtime.clock.advance(3601)  # no expiry given: one hour
    api.renew()
    api.create("Leads", {"Last_Name": "late"})
    worker.run_until_idle()
    assert receiver.bodies() == []


def test_failures_are_retried_on_schedule_then_delivered(
    api: Any, receiver: Any, worker: Any, runtime: Any
) -> None:
    watch(api, receiver, ["Leads.create"])
    receiver.status = 500
    api.create("Leads", {"Last_Name": "A"})
    worker.run_until_idle()
    assert len(receiver.requests) == 1
    worker.run_until_idle()  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    runtime.clock.advance(13)
    receiver.status = 200
    worker.run_until_idle()
    assert len(receiver.requests) == 2
    with runtime.db.read() as conn:
        delivery = conn.execute(
            deliveries.select().where(deliveries.c.org_id == api.org.org_id)
        ).one()
        attempts = conn.execute(
            delivery_attempts.select()
            .where(delivery_attempts.c.delivery_id == delivery.id)
            .order_by(delivery_attempts.c.attempt)
        ).all()
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert [(a.attempt, a.status_code) for a in attempts] == [(1, 500), (2, 200)]
    assert attempts[0].response_excerpt == '{"ok": true}'


def test_dead_after_the_last_retry_then_redelivered(
    api: Any, receiver: Any, worker: Any, runtime: Any
) -> None:
    watch(api, receiver, ["Leads.create"])
    receiver.status = 503
    api.create("Leads", {"Last_Name": "A"})
    for _ in range(10):
        worker.run_until_idle()
        runtime.clock.advance(4 * 3600)
    assert len(receiver.requests) == 8
    api.renew()
    log = api.get("actions/watch/deliveries", params={"channel_id": CHANNEL}).json()
    (item,) = log["deliveries"]
    assert item["status"] == "dead" and item["attempts"] == 8
    detail = api.get(f"__deliveries/{item['id']}").json()["deliveries"][0]
    assert len(detail["attempt_log"]) == 8
    assert detail["attempt_log"][0]["status_code"] == 503
    receiver.status = 200
    assert api.post(f"__deliveries/{item['id']}/actions/redeliver").status_code == 200
    worker.run_until_idle()
    assert len(receiver.requests) == 9
    assert api.get(f"__deliveries/{item['id']}").json()["deliveries"][0]["status"] == ("delivered")
    assert api.post(f"__deliveries/{item['id']}/actions/redeliver").status_code == 200


def test_receiver_down_then_up(api: Any, worker: Any, runtime: Any) -> None:
    from zcrm.testing.live import free_port
    from zcrm.testing.receiver import Receiver, start_receiver

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    api.post(
        "actions/watch",
        json={"watch": [{"channel_id": "7", "events": ["Leads.create"], "notify_url": url + "/n"}]},
    )
    api.create("Leads", {"Last_Name": "A"})
    worker.run_until_idle()  # connection refused: a failed attempt
    receiver = start_receiver(Receiver(), port)
    try:
        runtime.clock.advance(13)
        worker.run_until_idle()
        assert len(receiver.wait_for(1)) == 1
    finally:
        receiver.stop()


def test_slow_receiver_times_out(api: Any, receiver: Any, runtime: Any) -> None:
    from zcrm.server.events.worker import EventWorker

    quick = EventWorker(runtime, timeout=0.3)
    try:
        watch(api, receiver, ["Leads.create"])
        receiver.delay = 0.6
        api.create("Leads", {"Last_Name": "A"})
        quick.run_until_idle()
        detail = api.get("actions/watch/deliveries").json()["deliveries"][0]
        assert detail["status"] == "pending" and detail["last_error"] == "timeout"
    finally:
        quick.stop()


def test_the_real_five_second_timeout(api: Any, receiver: Any, runtime: Any) -> None:
    from zcrm.server.events.worker import EventWorker

    real = EventWorker(runtime)  # settings.delivery_timeout_seconds = 5
    try:
        watch(api, receiver, ["Leads.create"])
        receiver.delay = 5.5
        api.create("Leads", {"Last_Name": "A"})
        real.run_until_idle()
        detail = api.get("actions/watch/deliveries").json()["deliveries"][0]
        assert detail["last_error"] == "timeout"
    finally:
        real.stop()


def test_order_is_kept_per_record(api: Any, receiver: Any, worker: Any, runtime: Any) -> None:
    watch(api, receiver, ["Leads.all"])
    receiver.status = 500
    (lead,) = api.create("Leads", {"Last_Name": "A"})
    worker.run_until_idle()
    for name in ("B", "C"):
        api.put(f"Leads/{lead}", json={"data": [{"Last_Name": name}]})
    worker.run_until_idle()
    assert len(receiver.requests) == 1  # the later ones wait for the first
    receiver.status = 200
    runtime.clock.advance(13)
    worker.run_until_idle()
    assert [b["operation"] for b in receiver.bodies()] == ["insert", "insert", "update", "update"]


def test_other_records_do_not_wait(api: Any, receiver: Any, worker: Any, runtime: Any) -> None:
    watch(api, receiver, ["Leads.all"])
    receiver.status = 500
    (first,) = api.create("Leads", {"Last_Name": "A"})
    worker.run_until_idle()  # failed: the first lead's insert waits for its retry
    receiver.status = 200
    (second,) = api.create("Leads", {"Last_Name": "B"})
    api.put(f"Leads/{first}", json={"data": [{"Last_Name": "A2"}]})
    worker.run_until_idle()
    delivered = [(b["operation"], b["ids"]) for b in receiver.bodies()[1:]]
    assert delivered == [("insert", [second])]  # the first lead's update still waits
    runtime.clock.advance(13)
    worker.run_until_idle()
    delivered = [(b["operation"], b["ids"]) for b in receiver.bodies()[2:]]
    assert delivered == [("insert", [first]), ("update", [first])]
