"""The official SDK's notification calls against a live zcrm, and the insert it hears of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sdk_session import run_in_thread, sign_in
from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.notifications import (
    ActionWrapper,
    BodyWrapper,
    DeleteNotificationParam,
    GetNotificationsParam,
    Notification,
    NotificationsOperations,
    ResponseWrapper,
    SuccessResponse,
)
from zohocrmsdk.src.com.zoho.crm.api.util import Choice

from zcrm.server.events.worker import EventWorker
from zcrm.testing import OrgHandle
from zcrm.testing.live import LiveServer
from zcrm.testing.receiver import Receiver

pytestmark = pytest.mark.compat
CHANNEL = "1000000068001"


def test_enable_list_receive_delete(
    live_server: LiveServer,
    org: OrgHandle,
    sdk_dir: Path,
    api: Any,
    runtime: Any,
    receiver: Receiver,
) -> None:
    worker = EventWorker(runtime, timeout=2)

    def enable_and_list() -> tuple[Any, Any]:
        sign_in(live_server.url, org, sdk_dir)
        operations = NotificationsOperations()
        enabled = operations.enable_notifications(_channel(receiver.url + "/zoho", ["Leads.all"]))
        params = ParameterMap()
        params.add(GetNotificationsParam.module, "Leads")
        listed = operations.get_notifications(params)
        return enabled, listed

    def delete() -> Any:
        params = ParameterMap()
        params.add(DeleteNotificationParam.channel_ids, int(CHANNEL))
        return NotificationsOperations().delete_notification(params)

    try:
        enabled, listed = run_in_thread(enable_and_list)
        assert enabled.get_status_code() == 200
        wrapper = enabled.get_object()
        assert isinstance(wrapper, ActionWrapper)
        (item,) = wrapper.get_watch()
        assert isinstance(item, SuccessResponse), vars(item)
        assert item.get_status().get_value() == "success"
        assert listed.get_status_code() == 200
        channels = listed.get_object()
        assert isinstance(channels, ResponseWrapper)
        (channel,) = channels.get_watch()
        assert str(channel.get_channel_id()) == CHANNEL
        assert channel.get_token() == "sdk-token"

        (lead,) = api.create("Leads", {"Last_Name": "Heard"})
        worker.run_until_idle()
        (request,) = receiver.wait_for(1)
        body = request.json()
        assert body["operation"] == "insert" and body["ids"] == [lead]
        assert body["channel_id"] == int(CHANNEL) and body["token"] == "sdk-token"

        deleted = run_in_thread(delete)
        assert deleted.get_status_code() == 200
        (gone,) = deleted.get_object().get_watch()
        assert gone.get_status().get_value() == "success"
        assert api.get("actions/watch").status_code == 204
    finally:
        worker.stop()


def _channel(notify_url: str, events: list[str], *, delete_events: bool = False) -> BodyWrapper:
    notification = Notification()
    notification.set_channel_id(CHANNEL)
    notification.set_events(events)
    notification.set_notify_url(notify_url)
    notification.set_token("sdk-token")
    notification.set_channel_expiry(datetime.now(UTC).replace(microsecond=0) + timedelta(days=1))
    if delete_events:
        notification.set_deleteevents(Choice(True))
    wrapper = BodyWrapper()
    wrapper.set_watch([notification])
    return wrapper


def _messages(response: Any) -> list[str]:
    assert response.get_status_code() == 200, vars(response.get_object())
    wrapper = response.get_object()
    assert isinstance(wrapper, ActionWrapper), vars(wrapper)
    items = list(wrapper.get_watch())
    assert all(isinstance(i, SuccessResponse) for i in items), [vars(i) for i in items]
    return [i.get_message().get_value() for i in items]


def test_update_replace_and_disable(live_server: LiveServer, org: OrgHandle, sdk_dir: Path) -> None:
    url = "https://hooks.example.com/zoho?tenant=7"

    def scenario() -> dict[str, Any]:
        sign_in(live_server.url, org, sdk_dir)
        operations = NotificationsOperations()
        seen: dict[str, Any] = {}
        _messages(operations.enable_notifications(_channel(url, ["Leads.all"])))
        seen["patch"] = _messages(operations.update_notification(_channel(url, ["Deals.create"])))
        params = ParameterMap()
        params.add(GetNotificationsParam.channel_id, int(CHANNEL))
        listed = operations.get_notifications(params).get_object()
        seen["after_patch"] = sorted(tuple(n.get_events()) for n in listed.get_watch())
        seen["put"] = _messages(operations.update_notifications(_channel(url, ["Leads.all"])))
        seen["disable"] = _messages(
            operations.disable_notification(_channel(url, ["Leads.edit"], delete_events=True))
        )
        listed = operations.get_notifications(params).get_object()
        seen["after_disable"] = [
            (n.get_events(), n.get_notify_url(), n.get_resource_name()) for n in listed.get_watch()
        ]
        return seen

    seen = run_in_thread(scenario)
    assert seen["patch"] == ["Successfully updated the subscribe details"]
    assert seen["after_patch"] == [
        ("Deals.create",),
        ("Leads.create", "Leads.edit", "Leads.delete"),
    ]
    assert seen["put"] == ["Successfully subscribed for actions-watch of the given module"]
    assert seen["disable"] == ["Successfully removed the subscribe details"]
    assert seen["after_disable"] == [(["Leads.create", "Leads.delete"], url, "Leads")]
