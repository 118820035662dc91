"""WatchKeeper: a notification channel renewed before Zoho's week runs out."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from zcrm.client import CRM, AsyncCRM, AsyncWatchKeeper, InvalidRequest, WatchKeeper
from zcrm.server.services.notifications import active_channels
from zcrm.server.timefmt import to_storage
from zcrm.testing.live import LiveServer

CHANNEL = {
    "channel_id": "1000000068001",
    "events": ["Leads.all"],
    "notify_url": "https://hooks.example.com/zoho?tenant=7",
    "token": "verify-me",
}
DAY = 86400


def server_expiry(crm: CRM) -> datetime:
    (channel,) = crm.watches(channel_id=CHANNEL["channel_id"])
    return datetime.fromisoformat(channel["channel_expiry"])


def live_on_server(org: Any) -> bool:
    """Does the server still notify this channel (by its own clock)?"""
    runtime = org.runtime
    with runtime.db.read_org(org.org_id) as scope:
        rows = active_channels(scope, "Leads", to_storage(runtime.clock.now()))
    return any(str(row.channel_id) == CHANNEL["channel_id"] for row in rows)


def test_enabled_with_the_longest_expiry_zoho_grants(crm: CRM, org: Any) -> None:
    keeper = crm.keep_watching(CHANNEL)
    assert keeper.renew_if_due() is True  # never enabled: enable now
    now = datetime.fromtimestamp(org.runtime.clock.timestamp()).astimezone()
    granted = keeper.expiry
    assert granted is not None and granted == server_expiry(crm)
    # Just under a week (a week and more would get Zoho's one-hour default).
    assert timedelta(days=6, hours=22) < granted - now <= timedelta(days=7)
    assert keeper.renew_if_due() is False


def test_renewed_before_expiry_so_the_channel_never_dies(crm: CRM, org: Any) -> None:
    keeper = crm.keep_watching(CHANNEL, renew_before=timedelta(hours=6))
    keeper.renew_if_due()
    first = keeper.expiry
    assert first is not None
    for _ in range(3):  # three weeks, checked twice a day
        for _ in range(14):
            org.runtime.clock.advance(DAY / 2)
            keeper.renew_if_due()
            assert live_on_server(org)
    assert keeper.state.renewals >= 4
    assert keeper.expiry is not None and keeper.expiry > first + timedelta(days=14)
    assert server_expiry(crm) == keeper.expiry


def test_without_a_keeper_the_channel_dies(crm: CRM, org: Any) -> None:
    crm.keep_watching(CHANNEL).enable()
    org.runtime.clock.advance(7 * DAY + 60)
    assert not live_on_server(org)


def test_a_deleted_channel_is_enabled_again(crm: CRM, org: Any) -> None:
    keeper = crm.keep_watching(CHANNEL, renew_before=timedelta(hours=6))
    keeper.enable()
    crm.unwatch([CHANNEL["channel_id"]])
    assert crm.watches(channel_id=CHANNEL["channel_id"]) == []
    org.runtime.clock.advance(6 * DAY + 20 * 3600)
    assert keeper.renew_if_due() is True
    (channel,) = crm.watches(channel_id=CHANNEL["channel_id"])
    assert channel["notify_url"] == CHANNEL["notify_url"] and channel["token"] == "verify-me"
    assert live_on_server(org)


def test_a_refused_channel_raises(crm: CRM) -> None:
    keeper = crm.keep_watching({**CHANNEL, "token": "x" * 51})  # Zoho's cap is 50
    with pytest.raises(InvalidRequest) as caught:
        keeper.renew_if_due()
    assert caught.value.code == "INVALID_DATA"


@pytest.mark.parametrize(
    ("channel", "options"),
    [
        ({"events": ["Leads.all"], "notify_url": "https://h"}, {}),
        (CHANNEL, {"lifetime": timedelta(days=8)}),
        (CHANNEL, {"lifetime": timedelta(hours=1), "renew_before": timedelta(hours=2)}),
    ],
)
def test_bad_settings(crm: CRM, channel: dict[str, Any], options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        WatchKeeper(crm, channel, **options)


def test_background_thread_renews_and_stop_can_unwatch(crm: CRM, org: Any) -> None:
    errors: list[Exception] = []
    with crm.keep_watching(CHANNEL, check_every=0.02, on_error=errors.append) as keeper:
        first = keeper.expiry
        assert first is not None
        org.runtime.clock.advance(6 * DAY + 20 * 3600)
        deadline = time.monotonic() + 10
        while keeper.expiry == first and time.monotonic() < deadline:
            time.sleep(0.02)
        assert keeper.expiry is not None and keeper.expiry > first
    assert errors == []
    keeper.stop(unwatch=True)
    assert crm.watches(channel_id=CHANNEL["channel_id"]) == []


def test_async_keeper(client_server: LiveServer, org: Any) -> None:
    tokens = org.tokens()

    async def scenario() -> None:
        async with AsyncCRM(
            client_id=org.client.client_id,
            client_secret=org.client.client_secret,
            refresh_token=tokens.refresh_token,
            api_url=client_server.url,
            clock=org.runtime.clock.timestamp,
        ) as crm:
            keeper = crm.keep_watching(CHANNEL, check_every=0.02)
            assert isinstance(keeper, AsyncWatchKeeper)
            async with keeper:
                first = keeper.expiry
                assert first is not None
                org.runtime.clock.advance(6 * DAY + 20 * 3600)
                for _ in range(500):
                    if keeper.expiry != first:
                        break
                    await asyncio.sleep(0.02)
                assert keeper.expiry is not None and keeper.expiry > first
            await keeper.stop(unwatch=True)
            assert await crm.watches(channel_id=CHANNEL["channel_id"]) == []

    asyncio.run(scenario())
