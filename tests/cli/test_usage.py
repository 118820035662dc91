"""``zcrm usage`` (cli/usage.py): counts written by a server, read by another process."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from zcrm.cli import app
from zcrm.server.app import create_app
from zcrm.server.services import oauth
from zcrm.server.services.scopes import FULL_ACCESS


def test_usage_after_calls(cli: Any, cli_db: Any) -> None:
    runtime = cli_db.runtime
    client = oauth.create_client(runtime, name="usage", org_id=cli_db.org_id)
    code, _ = oauth.issue_grant_code(
        runtime,
        client_id=client.client_id,
        org_id=cli_db.org_id,
        user_id=_admin(runtime, cli_db.org_id),
        scopes=FULL_ACCESS,
    )
    token = oauth.exchange_code(
        runtime,
        client_id=client.client_id,
        client_secret=client.client_secret,
        code=code,
        redirect_uri=None,
    ).access_token
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    with TestClient(create_app(runtime)) as http:  # the lifespan runs the usage flusher
        http.post(
            "/crm/v6/Leads",
            headers=headers,
            json={"data": [{"Last_Name": f"L{i}"} for i in range(30)]},
        )
        http.get("/crm/v6/Leads", params={"fields": "Last_Name"}, headers=headers)
    result = cli.invoke(app, ["usage", "--db", cli_db.url, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["usage"]
    assert report["window"]["used"] == 4 and report["window"]["limit"] == 25000
    apis = {row["api"]: (row["calls"], row["credits"]) for row in report["per_api"]}
    assert apis == {"insert_records": (1, 3), "list_records": (1, 1)}
    assert report["per_client"][0]["client_id"] == client.client_id
    text = cli.invoke(app, ["usage", "--db", cli_db.url])
    assert "4 of 25,000 credits" in text.stdout


def _admin(runtime: Any, org_id: int) -> int:
    from zcrm.server.services.orgs import primary_admin

    admin = primary_admin(runtime, org_id)
    assert admin is not None
    return int(admin.id)
