"""A server killed with SIGKILL mid-flight: after a restart every committed change is
delivered at least once, and nothing that was not committed is ever delivered."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from zcrm.server.runtime import Runtime
from zcrm.server.storage.schema import events
from zcrm.settings import Settings
from zcrm.testing import make_org
from zcrm.testing.live import free_port, start_server_process
from zcrm.testing.receiver import Receiver, start_receiver


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_loses_nothing(tmp_path: Path) -> None:
    db_url = os.environ.get("ZCRM_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'crash.db'}"
    runtime = Runtime.open(Settings(database_url=db_url, shared_clock=False, run_workers=False))
    org = make_org(runtime)
    receiver = start_receiver(Receiver())
    port = free_port()
    headers = org.headers()
    server, _ = start_server_process(db_url, port)
    base = f"http://127.0.0.1:{port}/crm/v6"
    httpx.post(
        f"{base}/actions/watch",
        headers=headers,
        json={
            "watch": [
                {
                    "channel_id": "42",
                    "events": ["Leads.create"],
                    "notify_url": receiver.url + "/n",
                    "token": "t",
                }
            ]
        },
    ).raise_for_status()
    committed: list[str] = []
    stop = threading.Event()

    def write() -> None:
        with httpx.Client(headers=headers, timeout=5) as client:
            n = 0
            while not stop.is_set():
                try:
                    response = client.post(
                        f"{base}/Leads",
                        json={"data": [{"Last_Name": f"L{n}-{i}"} for i in range(5)]},
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if response.status_code == 201:
                    committed.extend(r["details"]["id"] for r in response.json()["data"])
                n += 1

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(1.5)
    server.send_signal(signal.SIGKILL)
    server.wait(10)
    stop.set()
    writer.join(10)
    assert committed, "no write went through before the kill"
    server, _ = start_server_process(db_url, port)
    try:
        deadline = time.monotonic() + 60  # a killed worker's lease runs out in 15 s
        delivered: set[str] = set()
        while time.monotonic() < deadline:
            delivered = {i for body in receiver.bodies() for i in body["ids"]}
            if set(committed) <= delivered:
                break
            time.sleep(0.2)
        assert set(committed) <= delivered, f"{len(set(committed) - delivered)} not delivered"
        with runtime.db.read() as conn:
            written = {
                str(r)
                for r in conn.execute(
                    select(events.c.record_id).where(
                        events.c.org_id == org.org_id, events.c.operation == "insert"
                    )
                ).scalars()
            }
        assert delivered <= written, "a delivery for a change that was never committed"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
        receiver.stop()
        runtime.close()
