"""The one source of time for the server: token expiry, rate windows, retry schedules.

Tests and emulator users move time with :meth:`Clock.advance` or :meth:`Clock.set`;
everything that asks :meth:`Clock.now` sees the same moved time. A clock can share
its offset through a :class:`OffsetStore` (the database), so that several server
processes and workers on one database move together; each re-reads the stored
offset at most once per ``refresh_seconds``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class OffsetStore(Protocol):
    def load(self) -> float: ...

    def save(self, offset_seconds: float) -> None: ...


class Clock:
    """Wall-clock time plus an adjustable offset (zero unless someone moves it)."""

    def __init__(self, offset_seconds: float = 0.0) -> None:
        self._offset = timedelta(seconds=offset_seconds)
        self._lock = threading.Lock()
        self._store: OffsetStore | None = None
        self._refresh = 1.0
        self._loaded_at = 0.0

    def share(self, store: OffsetStore, refresh_seconds: float = 1.0) -> None:
        """Keep the offset in ``store`` so every process on it sees the same time."""
        self._store = store
        self._refresh = refresh_seconds
        self._sync(force=True)

    def _sync(self, force: bool = False) -> None:
        if self._store is None:
            return
        now = time.monotonic()
        if force or now - self._loaded_at >= self._refresh:
            offset = self._store.load()
            with self._lock:
                self._offset = timedelta(seconds=offset)
                self._loaded_at = now

    def _save(self) -> None:
        if self._store is not None:
            self._store.save(self._offset.total_seconds())
            self._loaded_at = time.monotonic()

    def now(self) -> datetime:
        if self._store is not None:
            self._sync()
        return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        return self.now().timestamp()

    @property
    def offset_seconds(self) -> float:
        return self._offset.total_seconds()

    def advance(self, seconds: float) -> datetime:
        self._sync(force=True)
        with self._lock:
            self._offset += timedelta(seconds=seconds)
            self._save()
        return self.now()

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        with self._lock:
            self._offset = when - datetime.now(UTC)
            self._save()
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta(0)
            self._save()
