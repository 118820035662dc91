"""``zcrm orgs …`` (cli/orgs.py)."""

from __future__ import annotations

import json
from typing import Any

from zcrm.cli import app


def test_list(cli: Any, cli_db: Any) -> None:
    result = cli.invoke(app, ["orgs", "list", "--db", cli_db.url, "--json"])
    assert result.exit_code == 0, result.output
    (org,) = json.loads(result.stdout)["orgs"]
    assert org == {
        "id": str(cli_db.org_id),
        "zgid": org["zgid"],
        "name": "CLI Org",
        "plan": "enterprise",
        "default": True,
    }


def test_set_plan_and_limits(cli: Any, cli_db: Any) -> None:
    result = cli.invoke(app, ["orgs", "set-plan", "free", "--db", cli_db.url])
    assert result.exit_code == 0, result.output
    limits = json.loads(cli.invoke(app, ["orgs", "limits", "--db", cli_db.url, "--json"]).stdout)
    assert (limits["name"], limits["api_calls_per_day"], limits["coql_enabled"]) == (
        "free",
        1000,
        False,
    )
    changed = cli.invoke(
        app, ["orgs", "set-limit", "api_calls_per_day=50", "coql_enabled=true", "--db", cli_db.url]
    )
    assert changed.exit_code == 0, changed.output
    limits = json.loads(cli.invoke(app, ["orgs", "limits", "--db", cli_db.url, "--json"]).stdout)
    assert (limits["api_calls_per_day"], limits["coql_enabled"]) == (50, True)
    back = cli.invoke(app, ["orgs", "set-limit", "api_calls_per_day=default", "--db", cli_db.url])
    assert back.exit_code == 0
    limits = json.loads(cli.invoke(app, ["orgs", "limits", "--db", cli_db.url, "--json"]).stdout)
    assert limits["api_calls_per_day"] == 1000


def test_errors(cli: Any, cli_db: Any) -> None:
    assert cli.invoke(app, ["orgs", "set-plan", "platinum", "--db", cli_db.url]).exit_code == 2
    assert (
        cli.invoke(app, ["orgs", "set-plan", "free", "--org", "42", "--db", cli_db.url]).exit_code
        == 1
    )
    assert cli.invoke(app, ["orgs", "set-limit", "speed=9", "--db", cli_db.url]).exit_code == 2
    assert (
        cli.invoke(app, ["orgs", "set-limit", "concurrency=many", "--db", cli_db.url]).exit_code
        == 2
    )
