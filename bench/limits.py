"""What the API limiter costs: a cheap GET with the limiter on vs. off, per backend.

Run:  .venv/bin/python bench/limits.py [--db URL] [--redis redis://127.0.0.1:6379/0]
                                        [--requests 3000] [--rounds 5]

Each request goes through the whole ASGI app in-process (routing, auth, limiter,
handler, JSON) with no network in between, so the ratio isolates the limiter. The
request is GET /crm/v6/Leads/{id} of one small record. Rounds alternate on/off; the
table shows the median requests/s of each and the on/off ratio (short rounds, many of
them, so that drift of the machine falls on both sides alike). Beside it, the limiter
alone: acquire + release of one call, in microseconds, and that as a share of the time
of one whole request with the limiter off.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _asgi import asgi  # noqa: E402

from zcrm.server.app import create_app  # noqa: E402
from zcrm.server.limits.decision import UsageKey  # noqa: E402
from zcrm.server.limits.limiter import make_backend  # noqa: E402
from zcrm.server.runtime import Runtime  # noqa: E402
from zcrm.settings import Settings  # noqa: E402
from zcrm.testing import make_org  # noqa: E402


async def rate(app: Any, path: str, auth: bytes, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        if (await asgi(app, "GET", path, "", b"", auth))[0] != 200:
            raise SystemExit("request failed")
    return count / (time.perf_counter() - started)


def limiter_alone(runtime: Runtime, key: UsageKey, count: int = 5000) -> float:
    """Seconds per acquire + release, the median of five runs."""
    limiter = runtime.limiter
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(count):
            limiter.release(key, limiter.acquire(key, 1))
        runs.append((time.perf_counter() - started) / count)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--redis")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    db_url = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='zcrm-bench-')}/limits.sqlite3"
    runtime = Runtime.open(Settings(database_url=db_url, shared_clock=False, run_workers=False))
    org = make_org(runtime)
    from zcrm.server.services.orgs import set_limits

    set_limits(runtime, org.org_id, api_calls_per_day=10**9, burst_per_minute=10**9)
    app = create_app(runtime)
    auth = org.headers()["Authorization"].encode()
    from zcrm.server.services.records.writer import insert_records
    from zcrm.server.services.system_caller import admin_caller

    caller = admin_caller(runtime, org.org_id)
    leads = runtime.metadata.get(org.org_id).module("Leads")
    assert leads is not None
    record_id = insert_records(runtime, caller, leads, [{"Last_Name": "Bench"}])[0]["details"]["id"]
    path = f"/crm/v6/Leads/{record_id}"
    backends = ["memory", "sql"] + (["redis"] if args.redis else [])
    print(f"database: {runtime.db.dialect}; {args.requests} requests x {args.rounds} rounds each")
    print(
        f"{'backend':<10}{'limiter off (req/s)':>22}{'limiter on (req/s)':>22}{'on/off':>9}"
        f"{'limiter alone (us)':>20}{'share':>8}"
    )
    for kind in backends:
        runtime.limiter.backend = make_backend(
            kind, db=runtime.db, redis_url=args.redis, namespace=f"bench:{time.time()}"
        )
        off, on = [], []
        asyncio.run(rate(app, path, auth, 200))  # warm up
        for _ in range(args.rounds):
            runtime.limiter.enabled = False
            off.append(asyncio.run(rate(app, path, auth, args.requests)))
            runtime.limiter.enabled = True
            on.append(asyncio.run(rate(app, path, auth, args.requests)))
        m_off, m_on = statistics.median(off), statistics.median(on)
        alone = limiter_alone(runtime, UsageKey(org.org_id, org.client.client_id, "bench"))
        print(
            f"{kind:<10}{m_off:>22,.0f}{m_on:>22,.0f}{m_on / m_off:>9.1%}"
            f"{alone * 1e6:>20,.1f}{alone * m_off:>8.1%}"
        )
    runtime.close()


if __name__ == "__main__":
    main()
