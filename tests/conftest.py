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
        Settings(database_url=database_url, public_url="http://testserver", run_workers=False)
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


class Api:
    """An authenticated client for ``/crm/v6`` calls of one org's admin."""

    def __init__(self, http: TestClient, org: OrgHandle, version: str = "v6") -> None:
        self.http = http
        self.org = org
        self.version = version
        self.headers = org.headers()

    def url(self, path: str) -> str:
        return f"/crm/{self.version}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.http.request(method, self.url(path), headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    def create(self, module: str, *records: dict[str, Any]) -> list[str]:
        """Insert records that must succeed; their ids."""
        response = self.post(module, json={"data": list(records)})
        assert response.status_code == 201, response.text
        return [item["details"]["id"] for item in response.json()["data"]]

    def as_user(self, user_id: int, scopes: str | None = None) -> Api:
        other = Api(self.http, self.org, self.version)
        if scopes is None:
            other.headers = self.org.headers(user_id=user_id)
        else:
            other.headers = self.org.headers(scopes=scopes, user_id=user_id)
        return other

    def renew(self) -> None:
        """A fresh access token (after the clock moved past the old one's expiry)."""
        self.org._tokens.clear()
        self.headers = self.org.headers()

    def with_scopes(self, scopes: str) -> Api:
        other = Api(self.http, self.org, self.version)
        other.headers = self.org.headers(scopes=scopes)
        return other


@pytest.fixture
def api(http: TestClient, org: OrgHandle) -> Api:
    return Api(http, org)
