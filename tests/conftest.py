"""Shared fixtures.

The suite runs on SQLite by default and on PostgreSQL when ``ZCRM_TEST_DATABASE_URL``
names one. Every test gets a fresh org (``org``), so tests share one database and
one server runtime without seeing each other's data: every query is scoped by org.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from zcrm.server.app import create_app
from zcrm.server.runtime import Runtime
from zcrm.settings import Settings
from zcrm.testing import OrgHandle, make_org
from zcrm.testing.api import Api
from zcrm.testing.receiver import Receiver, start_receiver


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("ZCRM_TEST_DATABASE_URL")
    if url:
        return url
    path: Path = tmp_path_factory.mktemp("db") / "zcrm-tests.sqlite3"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def runtime(database_url: str) -> Iterator[Runtime]:
    rt = Runtime.open(
        Settings(
            database_url=database_url,
            public_url="http://testserver",
            run_workers=False,
            shared_clock=False,
            caller_cache_seconds=0,  # tests change tokens and users behind the API's back,
        )
    )
    yield rt
    rt.close()


@pytest.fixture(autouse=True)
def _reset_clock(runtime: Runtime) -> Iterator[None]:
    yield
    runtime.clock.reset()


@pytest.fixture(scope="session")
def app(runtime: Runtime) -> Any:
    return create_app(runtime)


@pytest.fixture(scope="session")
def http(app: Any) -> Iterator[TestClient]:
    """An HTTP client for the app, without authentication (the accounts endpoints)."""
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def org(runtime: Runtime) -> OrgHandle:
    return make_org(runtime)


@pytest.fixture
def api(http: TestClient, org: OrgHandle) -> Api:
    return Api(http, org)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP receiver on loopback (notifications, webhooks), stopped afterwards."""
    with start_receiver(Receiver()) as found:
        yield found
