"""The ``zcrm`` command line: clients, grant codes, and ``zcrm serve`` as a real process.

``clients create`` and ``grant`` run in-process (typer's CliRunner) on the suite's
database (SQLite or PostgreSQL); their output is used over HTTP to prove it works.
``serve`` runs as a subprocess on a free port with its own SQLite file, and the other
commands run against that file while it serves.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from zcrm import __version__
from zcrm.cli import app
from zcrm.server.runtime import Runtime
from zcrm.server.services.demo import COUNTS
from zcrm.server.services.orgs import create_org, default_org, user_row
from zcrm.server.services.scopes import FULL_ACCESS
from zcrm.server.storage.schema import users
from zcrm.server.timefmt import to_storage
from zcrm.testing.live import free_port

runner = CliRunner()


def zcrm(*args: str) -> Any:
    return runner.invoke(app, list(args))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Zoho-oauthtoken {token}"}


def exchange(http: Any, client: dict[str, Any], code: str) -> dict[str, Any]:
    """``POST /oauth/v2/token`` with a grant code, as a client would."""
    form = {
        "grant_type": "authorization_code",
        "client_id": client["client_id"],
        "client_secret": client["client_secret"],
        "code": code,
    }
    body: dict[str, Any] = http.post("/oauth/v2/token", data=form).json()
    return body


def json_out(result: Any) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)  # the whole of stdout is the JSON
    return payload


@pytest.fixture(scope="module")
def default_org_id(runtime: Runtime) -> int:
    """The shared test database's default org (tests share it; each test its own clients)."""
    existing = default_org(runtime)
    if existing is not None:
        return int(existing.id)
    return create_org(
        runtime, company_name="Default", admin_email="admin@default.test", is_default=True
    ).org_id


# --- clients create / grant ---------------------------------------------------------------------


def test_version() -> None:
    result = zcrm("version")
    assert result.exit_code == 0
    assert result.stdout.strip() == __version__


def test_clients_create_json_prints_only_the_credentials(
    database_url: str, default_org_id: int
) -> None:
    client = json_out(
        zcrm("clients", "create", "--name", "cli test", "--db", database_url, "--json")
    )
    assert set(client) == {"client_id", "client_secret"}
    assert client["client_id"].startswith("1000.")
    assert len(client["client_secret"]) >= 32


def test_clients_create_table(database_url: str, default_org_id: int) -> None:
    result = zcrm(
        "clients", "create", "--name", "web app", "--redirect-uri", "https://app.test/cb",
        "--db", database_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert re.search(r"client_secret\s+[0-9a-f]{42}\n", result.stdout)
    assert re.search(r"type\s+server\n", result.stdout)
    assert "https://app.test/cb" in result.stdout


def test_grant_json_gives_a_code_the_token_endpoint_exchanges(
    database_url: str, default_org_id: int, runtime: Runtime, http: Any
) -> None:
    client = json_out(zcrm("clients", "create", "--name", "sdk", "--db", database_url, "--json"))
    granted = json_out(
        zcrm(
            "grant", "--client-id", client["client_id"], "--scope", "ZohoCRM.modules.ALL",
            "--db", database_url, "--json",
        )
    )  # fmt: skip
    assert set(granted) == {"code", "expires_in"}
    assert granted["expires_in"] == 180

    tokens = exchange(http, client, granted["code"])
    assert tokens["refresh_token"] and tokens["expires_in"] == 3600, tokens
    assert tokens["scope"] == "ZohoCRM.modules.ALL"
    leads = http.get(
        "/crm/v6/Leads", params={"fields": "Last_Name"}, headers=bearer(tokens["access_token"])
    )
    assert leads.status_code in (200, 204), leads.text
    assert exchange(http, client, granted["code"]) == {"error": "invalid_code"}  # single use


def add_user(runtime: Runtime, org_id: int, email: str) -> None:
    org = default_org(runtime)
    assert org is not None and org.id == org_id
    user_id = runtime.ids.one(org_id, org.id_prefix)  # before the write transaction
    with runtime.db.write_org(org_id) as scope:
        scope.insert(
            users,
            user_row(
                runtime,
                user_id=user_id,
                email=email,
                first_name="Sales",
                last_name="Rep",
                password_hash=None,
                profile="Standard",
                role="Manager",
                time_zone="UTC",
                now=to_storage(runtime.clock.now()),
            ),
        )


def test_grant_for_another_user_with_its_own_lifetime(
    database_url: str, default_org_id: int, runtime: Runtime, http: Any
) -> None:
    email = f"rep-{runtime.random.token_hex(4)}@default.test"
    add_user(runtime, default_org_id, email)
    client = json_out(zcrm("clients", "create", "--name", "u", "--db", database_url, "--json"))
    granted = json_out(
        zcrm(
            "grant", "--client-id", client["client_id"], "--scope", FULL_ACCESS,
            "--user", email.upper(), "--expires-in", "60", "--db", database_url, "--json",
        )
    )  # fmt: skip
    assert granted["expires_in"] == 60
    tokens = exchange(http, client, granted["code"])
    me = http.get(
        "/crm/v6/users", params={"type": "CurrentUser"}, headers=bearer(tokens["access_token"])
    )
    assert me.status_code == 200, me.text
    assert me.json()["users"][0]["email"] == email


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "not a scope"], "invalid scope"),
        (["--scope", "ZohoCRM.modules.EVERYTHING"], "invalid scope"),
        (["--scope", ""], "invalid scope"),
        (["--client-id", "1000.NOSUCHCLIENT", "--scope", "ZohoCRM.modules.ALL"], "unknown client"),
        (["--scope", "ZohoCRM.modules.ALL", "--user", "nobody@nowhere.test"], "no active user"),
    ],
)
def test_grant_errors_exit_2(
    database_url: str, default_org_id: int, args: list[str], message: str
) -> None:
    client = json_out(zcrm("clients", "create", "--name", "e", "--db", database_url, "--json"))
    if "--client-id" not in args:
        args = ["--client-id", client["client_id"], *args]
    result = zcrm("grant", *args, "--db", database_url, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_bad_redirect_uri_exits_2(database_url: str) -> None:
    result = zcrm(
        "clients", "create", "--name", "x", "--redirect-uri", "not-a-url", "--db", database_url
    )
    assert result.exit_code == 2
    assert "redirect-uri" in result.stderr


def test_a_database_without_a_default_org(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    for args in (
        ["clients", "create", "--name", "x"],
        ["grant", "--client-id", "1000.X", "--scope", "ZohoCRM.modules.ALL"],
    ):
        result = zcrm(*args, "--db", url, "--json")
        assert result.exit_code in (1, 2), result.output
        assert result.stdout == ""
    result = zcrm("clients", "create", "--name", "x", "--db", url, "--json")
    assert result.exit_code == 1
    assert "run `zcrm serve` once" in result.stderr


# --- zcrm serve, as a real process --------------------------------------------------------------


class Served:
    """``zcrm serve`` in a subprocess on a free port; its output collected line by line."""

    def __init__(self, db_url: str, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZCRM_")}
        env.pop("FORCE_COLOR", None)
        env.update(PYTHONUNBUFFERED="1", TERM="dumb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "zcrm.cli", "serve", "--db", db_url, "--port", str(self.port),
             *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )  # fmt: skip
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_until_serving(self, timeout: float = 60) -> Served:
        deadline = time.monotonic() + timeout
        while "Uvicorn running on" not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"zcrm serve did not start:\n{self.output}")
            time.sleep(0.05)
        return self

    def value(self, pattern: str) -> str:
        found = re.search(pattern, self.output)
        assert found, f"{pattern!r} not in:\n{self.output}"
        return found.group(1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5)
        assert self.process.stdout is not None
        self.process.stdout.close()

    def __enter__(self) -> Served:
        return self.wait_until_serving()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def test_serve_first_start_creates_the_default_org_and_serves(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'zcrm.sqlite3'}"
    with Served(db) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        email = server.value(r"admin email\s+(\S+)")
        password = server.value(r"admin password\s+(\S+)")
        assert email == "admin@zcrm.local"
        assert len(password) >= 12

        # The other commands, on the same SQLite file, while the server runs.
        client = json_out(zcrm("clients", "create", "--name", "live", "--db", db, "--json"))
        granted = json_out(
            zcrm("grant", "--client-id", client["client_id"], "--scope", FULL_ACCESS, "--db", db,
                 "--json")
        )  # fmt: skip
        tokens = exchange(http, client, granted["code"])
        assert tokens["api_domain"] == server.url, tokens
        headers = bearer(tokens["access_token"])
        leads = http.get("/crm/v6/Leads", params={"fields": "Last_Name"}, headers=headers)
        assert leads.status_code == 204  # no --demo: an empty org
        org = http.get("/crm/v6/org", headers=headers)
        assert org.status_code == 200, org.text
        assert org.json()["org"][0]["zgid"].isdigit()

        # The printed password is the admin's (only its hash is stored).
        signed_in = http.post(
            "/oauth/v2/token",
            data={
                "grant_type": "password",
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
                "username": email,
                "password": password,
                "scope": "ZohoCRM.modules.ALL",
            },
        ).json()
        assert "access_token" in signed_in, signed_in

    with Served(db, "--admin-password", "ignored-now") as again:
        assert "admin password" not in again.output
        assert "first start only" in again.output


def count_records(http: httpx.Client, token: str) -> dict[str, int]:
    counts = {}
    for module in COUNTS:
        response = http.get(f"/crm/v6/{module}/actions/count", headers=bearer(token))
        assert response.status_code == 200, response.text
        counts[module] = response.json()["count"]
    return counts


def test_serve_demo_seeds_once_and_prints_working_credentials(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    with Served(db, "--demo") as first, httpx.Client(base_url=first.url, timeout=30) as http:
        assert first.value(r"export ZCRM_URL=(\S+)") == first.url
        token = first.value(r"export ZCRM_ACCESS_TOKEN=(\S+)")
        first_secret = first.value(r"export ZCRM_CLIENT_SECRET=(\S+)")
        client_id = first.value(r"export ZCRM_CLIENT_ID=(\S+)")
        refresh_token = first.value(r"export ZCRM_REFRESH_TOKEN=(\S+)")
        curl = first.value(r"\n(curl [^\n]+)")
        assert f"Zoho-oauthtoken {token}" in curl and first.url in curl
        seeded = count_records(http, token)
    assert seeded == COUNTS
    assert sum(seeded.values()) >= 300

    with Served(db, "--demo") as second, httpx.Client(base_url=second.url, timeout=30) as http:
        assert "not seeding again" in second.output
        assert second.value(r"export ZCRM_CLIENT_ID=(\S+)") == client_id
        secret = second.value(r"export ZCRM_CLIENT_SECRET=(\S+)")
        assert secret != first_secret
        assert count_records(http, second.value(r"export ZCRM_ACCESS_TOKEN=(\S+)")) == seeded

        def refresh(with_secret: str) -> dict[str, Any]:
            form = {
                "grant_type": "refresh_token",
                "client_id": client_id,
                "client_secret": with_secret,
                "refresh_token": refresh_token,
            }
            body: dict[str, Any] = http.post("/oauth/v2/token", data=form).json()
            return body

        assert refresh(first_secret) == {"error": "invalid_client_secret"}
        assert "access_token" in refresh(secret)
