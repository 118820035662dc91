"""The zcrm pytest plugin: a real zcrm server as a fixture, and a client already signed in.

Installed with zcrm (entry point ``pytest11``), it gives your tests:

``zcrm_server``
    A real zcrm server on a free loopback port (``.url``), with its own database. One per
    test session by default; ``--zcrm-isolation=server`` starts one per test.
``zcrm_org``
    A fresh org on that server (``.client``, ``.tokens()``, ``.add_user()``): tests never
    see each other's records.
``crm``
    A :class:`zcrm.client.CRM` authorised as the org's administrator.
``zcrm_emulator``
    The emulator controls for that org: ``advance(seconds)``, ``fault(...)``, ``reset()``,
    ``seed(...)``, ``outbox()``.
``zcrm_recorder``
    Every request the server received during the test (``.calls("POST", "/crm/v6/Leads")``).

The ``zoho_verified`` marker runs a test against live Zoho instead when ``ZOHO_CLIENT_ID``,
``ZOHO_CLIENT_SECRET`` and ``ZOHO_REFRESH_TOKEN`` (and optionally ``ZOHO_DATA_CENTRE``,
``ZOHO_ENVIRONMENT``) are set, so a fidelity claim can be checked against the real service.
Tests that need emulator controls cannot run against Zoho and are skipped there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from zcrm.testing.emulator import EmulatorControls
from zcrm.testing.recorder import Recorder, RecordingMiddleware

ZOHO_ENV = ("ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("zcrm")
    group.addoption(
        "--zcrm-isolation",
        choices=("org", "server"),
        default=None,
        help="a fresh org per test on one server (org, default) or a fresh "
        "server and database per test (server)",
    )
    group.addoption(
        "--zcrm-database-url",
        default=None,
        help="database for the zcrm_server fixture (default: a temporary SQLite file)",
    )
    parser.addini("zcrm_isolation", "org or server", default="org")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "zoho_verified: also runs against live Zoho when ZOHO_* credentials are set",
    )


def zoho_credentials() -> dict[str, str] | None:
    if all(os.environ.get(name) for name in ZOHO_ENV):
        return {name: os.environ[name] for name in ZOHO_ENV}
    return None


@dataclass
class ZcrmServer:
    url: str
    runtime: Any
    recorder: Recorder
    _live: Any

    def stop(self) -> None:
        self._live.stop()
        self.runtime.close()


def _start_server(database_url: str | None) -> ZcrmServer:
    from zcrm.server.runtime import Runtime
    from zcrm.settings import Settings
    from zcrm.testing.live import LiveServer, free_port

    if database_url is None:
        folder = Path(tempfile.mkdtemp(prefix="zcrm-pytest-"))
        database_url = f"sqlite:///{folder / 'zcrm.sqlite3'}"
    port = free_port()
    runtime = Runtime.open(
        Settings(
            database_url=database_url, public_url=f"http://127.0.0.1:{port}", shared_clock=False
        )
    )
    recorder = Recorder()
    live = LiveServer(
        runtime, port=port, wrap=lambda app: RecordingMiddleware(app, recorder)
    ).start()
    return ZcrmServer(live.url, runtime, recorder, live)


def _isolation(config: pytest.Config) -> str:
    return str(config.getoption("--zcrm-isolation") or config.getini("zcrm_isolation"))


@pytest.fixture(scope="session")
def _zcrm_session_server(request: pytest.FixtureRequest) -> Iterator[ZcrmServer | None]:
    if _isolation(request.config) == "server":
        yield None
        return
    server = _start_server(request.config.getoption("--zcrm-database-url"))
    yield server
    server.stop()


@pytest.fixture
def zcrm_server(
    request: pytest.FixtureRequest, _zcrm_session_server: ZcrmServer | None
) -> Iterator[ZcrmServer]:
    """A real zcrm server (``.url``, ``.runtime``)."""
    if _zcrm_session_server is not None:
        _zcrm_session_server.recorder.clear()
        yield _zcrm_session_server
        _zcrm_session_server.runtime.clock.reset()
        return
    server = _start_server(request.config.getoption("--zcrm-database-url"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def zcrm_org(zcrm_server: ZcrmServer) -> Any:
    """A fresh org with an administrator and a registered client."""
    from zcrm.testing.orgs import make_org

    return make_org(zcrm_server.runtime)


@pytest.fixture
def crm(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A zcrm.client.CRM signed in as the org's administrator (or live Zoho, see above)."""
    from zcrm.client import CRM

    live = zoho_credentials()
    if request.node.get_closest_marker("zoho_verified") and live is not None:
        client = CRM(
            client_id=live["ZOHO_CLIENT_ID"],
            client_secret=live["ZOHO_CLIENT_SECRET"],
            refresh_token=live["ZOHO_REFRESH_TOKEN"],
            data_centre=os.environ.get("ZOHO_DATA_CENTRE", "com"),
            environment=os.environ.get("ZOHO_ENVIRONMENT", "sandbox"),
        )
    else:
        server: ZcrmServer = request.getfixturevalue("zcrm_server")
        org = request.getfixturevalue("zcrm_org")
        tokens = org.tokens()
        client = CRM(
            client_id=org.client.client_id,
            client_secret=org.client.client_secret,
            refresh_token=tokens.refresh_token,
            api_url=server.url,
            clock=server.runtime.clock.timestamp,
        )
    with client:
        yield client


@pytest.fixture
def zcrm_emulator(
    request: pytest.FixtureRequest, zcrm_server: ZcrmServer, zcrm_org: Any
) -> Iterator[EmulatorControls]:
    """Emulator controls (clock, faults, reset, seed) scoped to the test's org."""
    if request.node.get_closest_marker("zoho_verified") and zoho_credentials():
        pytest.skip("emulator controls do not exist on live Zoho")
    controls = EmulatorControls(zcrm_server.url, org_id=zcrm_org.org_id)
    try:
        yield controls
    finally:
        controls.clear_faults()
        controls.close()


@pytest.fixture
def zcrm_recorder(zcrm_server: ZcrmServer) -> Recorder:
    """The requests the server received during this test."""
    return zcrm_server.recorder
