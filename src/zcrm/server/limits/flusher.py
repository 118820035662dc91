"""Writes the in-process limiter's usage counts to the database every few seconds, so
``zcrm usage`` (another process) sees them; the limiter itself never waits for it."""

from __future__ import annotations

import logging
import threading

from zcrm.server.limits.memory import MemoryBackend
from zcrm.server.limits.sql import add_usage
from zcrm.server.storage.database import Database

log = logging.getLogger("zcrm.limits")


class UsageFlusher:
    def __init__(self, backend: MemoryBackend, db: Database, interval: float = 5.0) -> None:
        self.backend = backend
        self.db = db
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def flush(self) -> int:
        pending = self.backend.take_pending()
        if not pending:
            return 0
        with self.db.write() as conn:
            for (org_id, minute, client_id, api), (calls, credits) in pending.items():
                add_usage(conn, self.db.dialect, org_id, minute, client_id, api, calls, credits)
        return len(pending)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # keep counting; the next round retries
                log.exception("could not write API usage to the database")

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="zcrm-usage", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            self.flush()
        except Exception:
            log.exception("could not write API usage to the database")
