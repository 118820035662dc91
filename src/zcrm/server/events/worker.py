"""The event worker: dispatches the outbox and delivers, in one background thread.

It runs inside ``zcrm serve`` (a :class:`~zcrm.server.runtime.BackgroundService`) and
as ``zcrm worker`` — several at once on PostgreSQL, each delivery claimed by one.

The thread runs an event loop. Each round it dispatches new outbox rows into
deliveries, then in one transaction records the attempts that ended and claims as many
due deliveries as there are free slots (``concurrency``), and starts sending those. So
a slow receiver (up to the 5-second timeout) holds one slot, not the whole worker; on
SQLite the worker takes the write lock about once per round, not once per delivery;
and one thread, not one per request, competes for the interpreter.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import ssl
import threading

import httpx

from zcrm.server.events.delivery import Claimed, Outcome, claim, finish_many, send, settle
from zcrm.server.events.dispatcher import dispatch_once
from zcrm.server.runtime import Runtime

log = logging.getLogger("zcrm.events")
_TLS = ssl.create_default_context()  # built once: loading the CA bundle takes a while

Done = tuple[Claimed, Outcome]


class EventWorker:
    def __init__(
        self,
        runtime: Runtime,
        *,
        concurrency: int = 16,
        poll_interval: float = 0.01,
        timeout: float | None = None,
        dispatch: bool = True,
    ) -> None:
        self.runtime = runtime
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.dispatch = dispatch
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self) % 10000}"
        self.timeout = timeout if timeout is not None else runtime.settings.delivery_timeout_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(
            max_connections=self.concurrency, max_keepalive_connections=self.concurrency
        )
        return httpx.AsyncClient(
            timeout=self.timeout, follow_redirects=False, verify=_TLS, limits=limits
        )

    async def _attempt(self, client: httpx.AsyncClient, item: Claimed) -> Done:
        return item, await send(client, item, self.timeout)

    # -- one round at a time (tests, benchmarks) -----------------------------------------------

    def run_once(self) -> int:
        """Dispatch, then send everything due (up to ``concurrency``) and wait for it."""
        work = dispatch_once(self.runtime) if self.dispatch else 0
        items = claim(self.runtime, self.concurrency)
        if items:

            async def attempts() -> list[Done]:
                async with self._client() as client:
                    return list(await asyncio.gather(*(self._attempt(client, i) for i in items)))

            finish_many(self.runtime, asyncio.run(attempts()), self.name)
        return work + len(items)

    def run_until_idle(self, max_rounds: int = 1000) -> int:
        total = 0
        for _ in range(max_rounds):
            done = self.run_once()
            total += done
            if not done:
                break
        return total

    # -- in the background -----------------------------------------------------------------

    async def _run(self) -> None:
        in_flight: set[asyncio.Task[Done]] = set()
        more = True  # more may be due right now (the last claim filled every free slot)
        async with self._client() as client:
            while not self._stop.is_set():
                full = len(in_flight) >= self.concurrency
                pause = 0.0 if more and not full else self.poll_interval
                if in_flight:
                    # Until an attempt ends (or, with nothing new to do, a poll interval).
                    await asyncio.wait(
                        in_flight, timeout=pause, return_when=asyncio.FIRST_COMPLETED
                    )
                else:
                    await asyncio.sleep(pause)
                done = {task for task in in_flight if task.done()}
                in_flight -= done
                finished = [task.result() for task in done]
                free = self.concurrency - len(in_flight)
                try:
                    created = dispatch_once(self.runtime) if self.dispatch else 0
                    claimed = settle(self.runtime, finished, free, self.name)
                except Exception:
                    # The database is away: these attempts are made again once their
                    # lease runs out (at least once). Try again after a pause.
                    log.exception("event worker round failed; retrying")
                    await asyncio.sleep(min(1.0, self.poll_interval * 50))
                    more = False
                    continue
                for item in claimed:
                    in_flight.add(asyncio.create_task(self._attempt(client, item)))
                more = bool(created) or (0 < free == len(claimed))
            # Stopping: let the attempts under way end (each within the timeout), keep them.
            if in_flight:
                done, _ = await asyncio.wait(in_flight, timeout=self.timeout + 1)
                finished = [task.result() for task in done]
                if finished:
                    try:
                        finish_many(self.runtime, finished, self.name)
                    except Exception:  # their leases run out and they are sent again
                        log.exception("could not record the last attempts")

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:
            log.exception("the event worker stopped")

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._main, name="zcrm-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop claiming; let attempts in flight end and record them."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 10)
            self._thread = None
