"""Fixtures for driving the official Zoho SDK (``zohocrmsdk6-0``) against a live zcrm.

The SDK keeps its state per thread (``Initializer``), so every scenario runs in a
fresh thread: :func:`run_in_thread` re-raises whatever the scenario raised.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from zcrm.server.runtime import Runtime
from zcrm.testing.live import LiveServer

T = TypeVar("T")

pytestmark = pytest.mark.compat


@pytest.fixture(scope="session")
def live_server(runtime: Runtime) -> Iterator[LiveServer]:
    with LiveServer(runtime) as server:
        yield server


def run_in_thread(fn: Callable[[], T], timeout: float = 120) -> T:
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed back to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="official-sdk")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError("the SDK scenario did not finish")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


@pytest.fixture
def sdk_dir(tmp_path: Path) -> Path:
    (tmp_path / "resources").mkdir()
    return tmp_path
