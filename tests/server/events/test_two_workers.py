"""Two worker processes on one PostgreSQL never send the same delivery twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from zcrm.server.events.dispatcher import dispatch_once
from zcrm.server.storage.schema import deliveries
from zcrm.testing.receiver import Receiver, start_receiver

DB = os.environ.get("ZCRM_TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not DB.startswith("postgres"), reason="several workers need PostgreSQL"
)


def test_each_delivery_is_sent_once(api: Any, runtime: Any) -> None:
    receiver = start_receiver(Receiver())
    channels = 20
    api.post(
        "actions/watch",
        json={
            "watch": [
                {
                    "channel_id": str(900000 + n),
                    "events": ["Leads.create"],
                    "notify_url": f"{receiver.url}/c{n}",
                }
                for n in range(channels)
            ]
        },
    )
    for n in range(30):
        api.create("Leads", {"Last_Name": f"L{n}"})
    while dispatch_once(runtime):
        pass
    with runtime.db.read() as conn:
        expected = conn.execute(
            select(func.count())
            .select_from(deliveries)
            .where(deliveries.c.org_id == api.org.org_id)
        ).scalar()
    assert expected == 30 * channels
    env = {**os.environ, "ZCRM_DATABASE_URL": DB}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "zcrm.cli", "worker", "--no-dispatch", "--concurrency", "4"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(receiver.requests) < expected:
            time.sleep(0.1)
        time.sleep(0.5)  # anything sent twice would arrive now
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(20)
        receiver.stop()
    sent = Counter(r.headers["x-zcrm-delivery"] for r in receiver.requests)
    assert len(sent) == expected
    assert max(sent.values()) == 1
    from zcrm.server.storage.schema import delivery_attempts

    with runtime.db.read() as conn:
        workers_used = Counter(
            conn.execute(
                select(delivery_attempts.c.worker).where(
                    delivery_attempts.c.org_id == api.org.org_id
                )
            ).scalars()
        )
    assert sum(workers_used.values()) == expected
    assert len(workers_used) == 2, workers_used  # both took part
