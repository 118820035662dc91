"""``zcrm emulator …`` (cli/emulator.py) against a live server."""

from __future__ import annotations

import json
from typing import Any

from zcrm.cli import app
from zcrm.testing.live import LiveServer


def test_clock_faults_seed_reset(cli: Any, cli_db: Any) -> None:
    with LiveServer(cli_db.runtime) as server:
        url = ["--url", server.url]
        moved = cli.invoke(app, ["emulator", "advance", "3600", *url])
        assert moved.exit_code == 0, moved.output
        assert json.loads(cli.invoke(app, ["emulator", "clock", *url]).stdout)["now"]
        fault = cli.invoke(
            app,
            [
                "emulator",
                "fault",
                "--status",
                "500",
                "--route",
                "/crm/v6/Leads*",
                "--count",
                "2",
                *url,
            ],
        )
        assert json.loads(fault.stdout)["status"] == 500
        listed = json.loads(cli.invoke(app, ["emulator", "faults", *url]).stdout)["faults"]
        assert listed[0]["count"] == 2
        assert cli.invoke(app, ["emulator", "clear-faults", *url]).exit_code == 0
        seeded = json.loads(
            cli.invoke(app, ["emulator", "seed", "Leads", "--count", "5", *url]).stdout
        )
        assert seeded["created"] == 5
        reset = json.loads(cli.invoke(app, ["emulator", "reset", *url]).stdout)
        assert reset["removed"]["records"] == 5
    down = cli.invoke(app, ["emulator", "clock", "--url", "http://127.0.0.1:9"])
    assert down.exit_code == 1
