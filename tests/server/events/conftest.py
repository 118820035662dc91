"""Event test fixtures: a worker driven by hand (the receiver is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zcrm.server.events.worker import EventWorker
from zcrm.server.runtime import Runtime


@pytest.fixture
def worker(runtime: Runtime) -> Iterator[EventWorker]:
    events_worker = EventWorker(runtime, timeout=2.0)
    yield events_worker
    events_worker.stop()
