"""Event test fixtures: a real HTTP receiver on loopback, and a worker driven by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zcrm.server.events.worker import EventWorker
from zcrm.server.runtime import Runtime
from zcrm.testing.receiver import Receiver, start_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = start_receiver(Receiver())
    yield found
    assert found.server is not None
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def worker(runtime: Runtime) -> Iterator[EventWorker]:
    events_worker = EventWorker(runtime, timeout=2.0)
    yield events_worker
    events_worker.stop()
