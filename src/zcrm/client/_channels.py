"""Notification channels that do not silently die: renew a watch before it expires.

Zoho stops a channel at its ``channel_expiry``: at most a week ahead, and a request for
more than a week (or none) gets one hour. A :class:`WatchKeeper` enables the channel
with the longest expiry Zoho grants, then renews it (``PATCH /actions/watch`` with a new
``channel_expiry``) ``renew_before`` ahead of the expiry it was given; if the channel
is gone (deleted, or dropped after expiring) it is enabled again in full::

    keeper = crm.keep_watching({"channel_id": "1000000068001", "events": ["Leads.all"],
                                "notify_url": "https://hooks.example.com/zoho",
                                "token": "verify-me"})
    keeper.start()          # a daemon thread that checks every minute; keeper.stop()

or call ``keeper.renew_if_due()`` from a scheduler of your own. ``AsyncCRM`` has the
same with :class:`AsyncWatchKeeper` (an asyncio task).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from zcrm.client import _operations as ops
from zcrm.client._errors import InvalidRequest, ZohoAPIError
from zcrm.client._flow import Core, Flow

if TYPE_CHECKING:
    from zcrm.client._async import AsyncCRM
    from zcrm.client._sync import CRM

log = logging.getLogger("zcrm.client.channels")
Client = TypeVar("Client", "CRM", "AsyncCRM")

MAX_LIFETIME = timedelta(days=7)
# Asked for a little under a week: a request past Zoho's cap (by the server's clock,
# which may run ahead of ours) gets one hour instead.
LONGEST = MAX_LIFETIME - timedelta(hours=1)
DEFAULT_RENEW_BEFORE = timedelta(hours=6)
DEFAULT_CHECK_EVERY = 60.0


def wire_time(moment: datetime) -> str:
    """``2024-07-01T10:30:00+00:00``: the ISO form ``channel_expiry`` takes."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def expiry_of(results: list[dict[str, Any]]) -> datetime | None:
    """The earliest ``channel_expiry`` granted in an enable answer (None when absent)."""
    found = []
    for result in results:
        if result.get("status") != "success":
            raise InvalidRequest(
                str(result.get("message") or "the watch was refused"),
                status=400,
                code=result.get("code"),
                details=result.get("details") if isinstance(result.get("details"), dict) else {},
            )
        for event in (result.get("details") or {}).get("events") or []:
            if event.get("channel_expiry"):
                found.append(datetime.fromisoformat(event["channel_expiry"]))
    return min(found) if found else None


def _channel_gone(error: ZohoAPIError) -> bool:
    """A PATCH refused because the channel no longer exists (enable it again)."""
    return isinstance(error, InvalidRequest) and (
        error.code in ("INVALID_DATA", "RESOURCE_NOT_FOUND")
        and error.details.get("api_name", "channel_id") == "channel_id"
    )


class _Renewal:
    """What the sync and async keepers share: the channel, its expiry, when to renew."""

    def __init__(
        self,
        channel: Mapping[str, Any],
        *,
        lifetime: timedelta,
        renew_before: timedelta,
        now: Callable[[], datetime],
    ) -> None:
        for key in ("channel_id", "events", "notify_url"):
            if key not in channel:
                raise ValueError(f"the channel needs {key!r}")
        if not timedelta(0) < lifetime <= MAX_LIFETIME:
            raise ValueError("lifetime must be more than nothing and at most a week")
        if not timedelta(0) <= renew_before < lifetime:
            raise ValueError("renew_before must be shorter than the lifetime")
        self.channel = {k: v for k, v in channel.items() if k != "channel_expiry"}
        self.lifetime = min(lifetime, LONGEST)
        self.renew_before = renew_before
        self.now = now
        self.expiry: datetime | None = None
        self.renewals = 0

    @property
    def channel_id(self) -> Any:
        return self.channel["channel_id"]

    def due(self) -> bool:
        return self.expiry is None or self.now() >= self.expiry - self.renew_before

    def _asked(self) -> str:
        return wire_time(self.now() + self.lifetime)

    def enable(self, core: Core) -> Flow[datetime | None]:
        """Enable the channel in full with the longest expiry; the expiry granted."""
        asked = self._asked()
        body = yield from ops.send_json(
            core, "POST", "actions/watch", {"watch": [{**self.channel, "channel_expiry": asked}]}
        )
        self._granted(body, asked)
        return self.expiry

    def renew(self, core: Core) -> Flow[datetime | None]:
        """Push the expiry out now (PATCH); enable again if the channel is gone."""
        if self.expiry is None:
            return (yield from self.enable(core))
        asked = self._asked()
        change = {"channel_id": self.channel_id, "events": self.channel["events"]}
        try:
            body = yield from ops.send_json(
                core, "PATCH", "actions/watch", {"watch": [{**change, "channel_expiry": asked}]}
            )
        except ZohoAPIError as error:
            if not _channel_gone(error):
                raise
            return (yield from self.enable(core))
        self._granted(body, asked)
        return self.expiry

    def renew_if_due(self, core: Core) -> Flow[bool]:
        if not self.due():
            return False
        yield from self.renew(core)
        return True

    def _granted(self, body: Any, asked: str) -> None:
        """Note the expiry an enable (or, without one in the answer, a renewal) gave."""
        results = list((body or {}).get("watch") or [])
        self.expiry = expiry_of(results) or datetime.fromisoformat(asked)
        self.renewals += 1


def _utc_now(clock: Callable[[], float]) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(clock(), UTC)


class _Keeper(Generic[Client]):
    """What both keepers hold: the client, the renewal state, how often to check."""

    def __init__(
        self,
        crm: Client,
        channel: Mapping[str, Any],
        *,
        lifetime: timedelta = MAX_LIFETIME,
        renew_before: timedelta = DEFAULT_RENEW_BEFORE,
        check_every: float = DEFAULT_CHECK_EVERY,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.crm: Client = crm
        self.state = _Renewal(
            channel, lifetime=lifetime, renew_before=renew_before, now=_utc_now(crm.clock)
        )
        self.check_every = check_every
        self.on_error = on_error

    @property
    def expiry(self) -> datetime | None:
        """When the channel stops unless renewed (None before the first enable)."""
        return self.state.expiry

    def _failed(self, error: Exception) -> None:
        log.warning("could not renew channel %s: %s", self.state.channel_id, error)
        if self.on_error is not None:
            self.on_error(error)


class WatchKeeper(_Keeper["CRM"]):
    """Keeps one notification channel alive for a :class:`~zcrm.client.CRM`."""

    def __init__(self, crm: CRM, channel: Mapping[str, Any], **options: Any) -> None:
        super().__init__(crm, channel, **options)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def enable(self) -> datetime | None:
        """Enable the channel in full with the longest expiry; the expiry granted."""
        return self.crm.run(self.state.enable(self.crm.core))

    def renew(self) -> datetime | None:
        """Push the expiry out now; enable again if the channel is gone."""
        return self.crm.run(self.state.renew(self.crm.core))

    def renew_if_due(self) -> bool:
        """Renew when within ``renew_before`` of the expiry (or never enabled)."""
        return self.crm.run(self.state.renew_if_due(self.crm.core))

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.renew_if_due()
            except Exception as error:  # keep trying: a dead channel is the thing to avoid
                self._failed(error)
            self._stop.wait(self.check_every)

    def start(self) -> WatchKeeper:
        """Enable now (errors raise here), then renew from a daemon thread."""
        self.renew_if_due()
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, name=f"zcrm-watch-{self.state.channel_id}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, *, unwatch: bool = False) -> None:
        """Stop renewing (and, with ``unwatch``, disable the channel)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if unwatch:
            self.crm.unwatch([self.state.channel_id])

    def __enter__(self) -> WatchKeeper:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class AsyncWatchKeeper(_Keeper["AsyncCRM"]):
    """Keeps one notification channel alive for an :class:`~zcrm.client.AsyncCRM`."""

    def __init__(self, crm: AsyncCRM, channel: Mapping[str, Any], **options: Any) -> None:
        super().__init__(crm, channel, **options)
        self._task: asyncio.Task[None] | None = None

    async def enable(self) -> datetime | None:
        return await self.crm.run(self.state.enable(self.crm.core))

    async def renew(self) -> datetime | None:
        return await self.crm.run(self.state.renew(self.crm.core))

    async def renew_if_due(self) -> bool:
        return await self.crm.run(self.state.renew_if_due(self.crm.core))

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            try:
                await self.renew_if_due()
            except Exception as error:
                self._failed(error)

    async def start(self) -> AsyncWatchKeeper:
        """Enable now (errors raise here), then renew from a task."""
        await self.renew_if_due()
        self._task = asyncio.create_task(self._loop(), name=f"zcrm-watch-{self.state.channel_id}")
        return self

    async def stop(self, *, unwatch: bool = False) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if unwatch:
            await self.crm.unwatch([self.state.channel_id])

    async def __aenter__(self) -> AsyncWatchKeeper:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
