"""Client tests run against a real zcrm server (no HTTP mocks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from zcrm.client import CRM, RetryPolicy
from zcrm.server.runtime import Runtime
from zcrm.testing import OrgHandle
from zcrm.testing.live import LiveServer


@pytest.fixture(scope="session")
def client_server(runtime: Runtime) -> Iterator[LiveServer]:
    with LiveServer(runtime) as server:
        yield server


class Sleeps(list[float]):
    """Records the waits the client asked for, and really waits a tiny fraction."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def crm(client_server: LiveServer, org: OrgHandle, sleeps: Sleeps) -> Iterator[CRM]:
    tokens = org.tokens()
    assert tokens.refresh_token
    client = CRM(
        client_id=org.client.client_id,
        client_secret=org.client.client_secret,
        refresh_token=tokens.refresh_token,
        api_url=client_server.url,
        sleep=sleeps,
        retry=RetryPolicy(max_attempts=4, jitter=lambda ceiling: ceiling),
        clock=lambda: org.runtime.clock.timestamp(),
    )
    with client:
        yield client


@pytest.fixture
def fault(http: Any, org: OrgHandle) -> Iterator[Callable[..., None]]:
    """Inject an emulator fault for this org's requests (org_id=None: for every request);
    each is cleared after the test."""
    added: list[str] = []

    def add(**spec: Any) -> None:
        spec.setdefault("org_id", org.org_id)
        answer = http.post("/_emulator/faults", json=spec)
        assert answer.status_code == 201, answer.text
        added.append(answer.json()["fault"]["id"])

    yield add
    for fault_id in added:
        http.delete(f"/_emulator/faults/{fault_id}")
