"""The event worker: dispatches the outbox and delivers, in the background.

It runs inside ``zcrm serve`` (a :class:`~zcrm.server.runtime.BackgroundService`) and
as ``zcrm worker`` — several at once on PostgreSQL, each delivery claimed by one.

One coordinating thread loops: it dispatches new outbox rows into deliveries, then in
one transaction records the attempts that ended and claims as many due deliveries as
there are free slots (``concurrency``), and hands those to a pool of sending threads.
So a slow receiver (up to the 5-second timeout) holds one slot, not the whole worker,
and on SQLite the worker takes the write lock about once per round, not once per
delivery. (Sending threads with a blocking client, measured in bench/events.py,
deliver several times as many callbacks a second as httpx's asyncio client.)
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from zcrm.server.events.delivery import (
    Claimed,
    Outcome,
    claim,
    finish_many,
    send,
    sender,
    settle,
)
from zcrm.server.events.dispatcher import dispatch_once
from zcrm.server.runtime import Runtime

log = logging.getLogger("zcrm.events")
_TLS = ssl.create_default_context()  # built once: loading the CA bundle takes a while

Done = tuple[Claimed, Outcome]
DISPATCH_BATCH = 500
EXPIRY_CHECK_SECONDS = 1.0  # leases last 15 s: looking once a second is plenty


class EventWorker:
    def __init__(
        self,
        runtime: Runtime,
        *,
        concurrency: int = 16,
        poll_interval: float = 0.01,
        dispatch_interval: float = 0.02,
        timeout: float | None = None,
        dispatch: bool = True,
    ) -> None:
        self.runtime = runtime
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.dispatch_interval = dispatch_interval
        self.dispatch = dispatch
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self) % 10000}"
        self.timeout = timeout if timeout is not None else runtime.settings.delivery_timeout_seconds
        self._pool_manager = sender(concurrency, _TLS)
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="zcrm-send")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _attempt(self, item: Claimed) -> Done:
        return item, send(self._pool_manager, item, self.timeout)

    # -- one round at a time (tests, benchmarks) -----------------------------------------------

    def run_once(self) -> int:
        """Dispatch, then send everything due (up to ``concurrency``) and wait for it."""
        work = dispatch_once(self.runtime) if self.dispatch else 0
        items = claim(self.runtime, self.concurrency)
        if items:
            finish_many(self.runtime, list(self._pool.map(self._attempt, items)), self.name)
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

    def _wait_for_slots(self, in_flight: set[Future[Done]]) -> None:
        """Until half the slots are free, or a poll interval has passed: a round's cost
        (two short transactions) is then shared by several attempts."""
        wanted = max(1, self.concurrency // 2)
        deadline = time.monotonic() + self.poll_interval
        while True:
            running = [future for future in in_flight if not future.done()]
            left = deadline - time.monotonic()
            if self.concurrency - len(running) >= wanted or left <= 0:
                return
            wait(running, timeout=left, return_when=FIRST_COMPLETED)

    def _loop(self) -> None:
        in_flight: set[Future[Done]] = set()
        more = True  # more may be due right now (the last claim filled every free slot)
        next_expiry_check = 0.0  # when to look for deliveries whose lease ran out
        next_dispatch = 0.0  # when to look at the outbox again (at once while it is full)
        while not self._stop.is_set():
            if in_flight:
                self._wait_for_slots(in_flight)
            elif not more:
                self._stop.wait(self.poll_interval)
            done = {future for future in in_flight if future.done()}
            in_flight -= done
            finished = [future.result() for future in done]
            free = self.concurrency - len(in_flight)
            try:
                created = 0
                if self.dispatch and time.monotonic() >= next_dispatch:
                    created = dispatch_once(self.runtime, DISPATCH_BATCH)
                    if created < DISPATCH_BATCH:
                        # Not a backlog: gather the next few events into one dispatch
                        # (its cost is mostly per call, not per event).
                        next_dispatch = time.monotonic() + self.dispatch_interval
                expired = time.monotonic() >= next_expiry_check
                claimed = settle(self.runtime, finished, free, self.name, expired=expired)
                if expired:
                    next_expiry_check = time.monotonic() + EXPIRY_CHECK_SECONDS
            except Exception:
                # The database is away: these attempts are made again once their lease
                # runs out (at least once). Try again after a pause.
                log.exception("event worker round failed; retrying")
                self._stop.wait(min(1.0, self.poll_interval * 50))
                more = False
                continue
            in_flight |= {self._pool.submit(self._attempt, item) for item in claimed}
            more = bool(created) or (0 < free == len(claimed))
        # Stopping: let the attempts under way end (each within the timeout), keep them.
        if in_flight:
            done, _ = wait(in_flight, timeout=self.timeout + 1)
            finished = [future.result() for future in done]
            try:
                finish_many(self.runtime, finished, self.name)
            except Exception:  # their leases run out and they are sent again
                log.exception("could not record the last attempts")

    def _main(self) -> None:
        try:
            self._loop()
        except Exception:
            log.exception("the event worker stopped")

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._main, name="zcrm-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop claiming; let attempts in flight end and record them; close the connections."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 10)
            self._thread = None
        self._pool.shutdown(wait=True)
        self._pool_manager.clear()
