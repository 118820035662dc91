"""``zcrm deliveries`` and ``zcrm worker`` (cli/events.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

from zcrm.cli import app
from zcrm.server.events.worker import EventWorker
from zcrm.server.services import notifications
from zcrm.server.services.records.writer import insert_records
from zcrm.server.services.system_caller import admin_caller
from zcrm.testing.receiver import Receiver, start_receiver


def _setup(cli_db: Any, receiver: Receiver) -> Any:
    runtime = cli_db.runtime
    caller = admin_caller(runtime, cli_db.org_id)
    meta = runtime.metadata.get(cli_db.org_id)
    notifications.subscribe(
        runtime,
        caller,
        meta,
        [{"channel_id": "5", "events": ["Leads.create"], "notify_url": receiver.url + "/n"}],
        replace=False,
    )
    insert_records(runtime, caller, meta.module("Leads"), [{"Last_Name": "A"}])
    return runtime


def test_list_attempts_and_redeliver(cli: Any, cli_db: Any) -> None:
    receiver = start_receiver(Receiver(status=500))
    runtime = _setup(cli_db, receiver)
    worker = EventWorker(runtime, timeout=2)
    try:
        worker.run_until_idle()
        listed = json.loads(cli.invoke(app, ["deliveries", "--db", cli_db.url, "--json"]).stdout)
        (delivery,) = listed["deliveries"]
        assert delivery["status"] == "pending" and delivery["last_status"] == 500
        attempts = json.loads(
            cli.invoke(
                app, ["deliveries", "--db", cli_db.url, "--attempts", delivery["id"], "--json"]
            ).stdout
        )["attempts"]
        assert [a["status_code"] for a in attempts] == [500]
        refused = cli.invoke(app, ["deliveries", "--db", cli_db.url, "--redeliver", delivery["id"]])
        assert refused.exit_code == 1  # still pending
        receiver.status = 200
        runtime.clock.advance(15)
        worker.run_until_idle()
        again = cli.invoke(app, ["deliveries", "--db", cli_db.url, "--redeliver", delivery["id"]])
        assert again.exit_code == 0, again.output
        worker.run_until_idle()
        assert len(receiver.requests) == 3
        table = cli.invoke(app, ["deliveries", "--db", cli_db.url, "--channel", "5"])
        assert "delivered" in table.stdout
    finally:
        worker.stop()
        receiver.stop()


def test_worker_process_delivers_and_stops_on_sigterm(cli_db: Any) -> None:
    receiver = start_receiver(Receiver())
    _setup(cli_db, receiver)
    process = subprocess.Popen(
        [sys.executable, "-m", "zcrm.cli", "worker", "--db", cli_db.url],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        receiver.wait_for(1, timeout=20)
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
        receiver.stop()
    assert process.returncode == 0
    assert b"zcrm worker stopped" in out
    time.sleep(0)
