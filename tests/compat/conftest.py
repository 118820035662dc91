"""Fixtures for driving the official Zoho SDK (``zohocrmsdk6-0``) against a live zcrm.

The SDK keeps its state per thread (``Initializer``), so every scenario runs in a
fresh thread: ``sdk_session.run_in_thread`` re-raises whatever the scenario raised.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zcrm.server.runtime import Runtime
from zcrm.testing.live import LiveServer

pytestmark = pytest.mark.compat


@pytest.fixture(scope="session")
def live_server(runtime: Runtime) -> Iterator[LiveServer]:
    with LiveServer(runtime) as server:
        yield server


@pytest.fixture
def sdk_dir(tmp_path: Path) -> Path:
    (tmp_path / "resources").mkdir()
    return tmp_path
