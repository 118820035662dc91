"""The event worker: dispatches the outbox and delivers, in a background thread.

It runs inside ``zcrm serve`` (a :class:`~zcrm.server.runtime.BackgroundService`) and
as ``zcrm worker`` — several at once on PostgreSQL, each delivery claimed by one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from zcrm.server.events.delivery import claim, finish, send
from zcrm.server.events.dispatcher import dispatch_once
from zcrm.server.runtime import Runtime

log = logging.getLogger("zcrm.events")


class EventWorker:
    def __init__(
        self,
        runtime: Runtime,
        *,
        concurrency: int = 8,
        poll_interval: float = 0.02,
        timeout: float | None = None,
        dispatch: bool = True,
    ) -> None:
        self.runtime = runtime
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.dispatch = dispatch
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self) % 10000}"
        seconds = timeout if timeout is not None else runtime.settings.delivery_timeout_seconds
        self.client = httpx.Client(timeout=seconds, follow_redirects=False)
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="zcrm-send")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """One round: dispatch events, deliver what is due. How much work was done."""
        work = dispatch_once(self.runtime) if self.dispatch else 0
        items = claim(self.runtime, self.concurrency)
        work += len(items)

        def deliver(item: object) -> None:
            from zcrm.server.events.delivery import Claimed

            assert isinstance(item, Claimed)
            status, excerpt, error, latency = send(self.client, item)
            finish(self.runtime, item, status, excerpt, error, latency, self.name)

        for future in [self._pool.submit(deliver, item) for item in items]:
            future.result()
        return work

    def run_until_idle(self, max_rounds: int = 1000) -> int:
        total = 0
        for _ in range(max_rounds):
            done = self.run_once()
            total += done
            if not done:
                break
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                log.exception("event worker round failed; retrying")
                busy = 0
            if not busy:
                self._stop.wait(self.poll_interval)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="zcrm-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._pool.shutdown(wait=True)
        self.client.close()
