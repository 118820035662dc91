"""Record throughput: inserts through the API vs. the raw engine, and GET-by-id latency.

Run:  .venv/bin/python bench/records.py [--db URL] [--records 20000] [--rounds 3]

It starts a real server (uvicorn, one process) on a free loopback port against the
database, creates a fresh org and token, then in each round:

* inserts ``--records`` Leads through ``POST /crm/v6/Leads`` in 100-record requests
  (one client, keep-alive), and the same number of rows of the same shape straight into
  the ``records`` table with the DB-API's ``executemany``, 100 rows per transaction;
* reads ``--gets`` of those Leads one by one with ``GET /crm/v6/Leads/{id}``.

It prints the medians over the rounds and the ratio API / raw engine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from zcrm.server.runtime import Runtime  # noqa: E402
from zcrm.server.storage.engine import normalise_url  # noqa: E402
from zcrm.settings import Settings  # noqa: E402
from zcrm.testing import make_org  # noqa: E402
from zcrm.testing.live import start_server_process  # noqa: E402

LAST_NAMES = ["Ortega", "Nguyen", "Smith", "Okafor", "Schmidt", "Rossi", "Kowalski", "Silva"]
SOURCES = ["Advertisement", "Cold Call", "Trade Show", "Web Download", "Partner"]


def lead(i: int) -> dict[str, Any]:
    return {
        "Last_Name": f"{LAST_NAMES[i % len(LAST_NAMES)]}{i}",
        "First_Name": "Ann",
        "Company": f"Company {i % 997}",
        "Email": f"lead{i}@example.com",
        "Phone": f"+1 555 {i % 10000:04d}",
        "Lead_Source": SOURCES[i % len(SOURCES)],
        "Annual_Revenue": float(i % 100000),
    }


def api_inserts(client: httpx.Client, count: int, offset: int) -> float:
    started = time.perf_counter()
    for start in range(0, count, 100):
        batch = [lead(offset + i) for i in range(start, min(count, start + 100))]
        response = client.post("/crm/v6/Leads", content=orjson.dumps({"data": batch}))
        if response.status_code != 201:
            raise SystemExit(f"insert failed: {response.status_code} {response.text[:300]}")
    return count / (time.perf_counter() - started)


def raw_inserts(runtime: Runtime, org: Any, module_id: int, count: int, offset: int) -> float:
    """The same rows through the DB-API's executemany, bypassing zcrm entirely."""
    ids = runtime.ids.allocate(org.org_id, org.org.id_prefix, count)
    now = "2026-01-01T00:00:00+00:00"
    rows = [
        (
            org.org_id,
            ids[i],
            module_id,
            org.admin_id,
            org.admin_id,
            org.admin_id,
            now,
            now,
            json.dumps({**lead(offset + i), "Full_Name": "x", "Record_Status__s": "Available"}),
        )
        for i in range(count)
    ]
    sql = (
        "INSERT INTO records (org_id, id, module_id, owner_id, created_by, modified_by, "
        "created_time, modified_time, data) VALUES ({})"
    )
    raw = runtime.db.engine.raw_connection()
    try:
        placeholder = "?" if runtime.db.dialect == "sqlite" else "%s"
        statement = sql.format(", ".join([placeholder] * 9))
        if runtime.db.dialect == "sqlite":
            raw.driver_connection.isolation_level = ""  # let the DB-API open transactions
        cursor = raw.cursor()
        started = time.perf_counter()
        for start in range(0, count, 100):
            cursor.executemany(statement, rows[start : start + 100])
            raw.commit()
        elapsed = time.perf_counter() - started
    finally:
        raw.close()
    return count / elapsed


def get_latencies(client: httpx.Client, ids: list[str]) -> list[float]:
    out = []
    for record_id in ids:
        started = time.perf_counter()
        response = client.get(f"/crm/v6/Leads/{record_id}")
        out.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"get failed: {response.status_code}")
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--gets", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="zcrm-bench-")
    db_url = normalise_url(args.db or f"sqlite:///{tmp}/bench.sqlite3")
    runtime = Runtime.open(Settings(database_url=db_url))
    org = make_org(runtime)
    module_id = runtime.metadata.get(org.org_id).module("Leads").id
    server, url = start_server_process(db_url, log_level="warning")
    api_rates, raw_rates, latencies = [], [], []
    try:
        with httpx.Client(base_url=url, headers=org.headers(), timeout=60) as client:
            for round_no in range(args.rounds):
                offset = round_no * args.records * 2
                api_rates.append(api_inserts(client, args.records, offset))
                raw_rates.append(
                    raw_inserts(runtime, org, module_id, args.records, offset + args.records)
                )
                listing = client.get(
                    "/crm/v6/Leads", params={"fields": "Last_Name", "per_page": 200}
                )
                ids = [r["id"] for r in listing.json()["data"]]
                sample = (ids * (args.gets // len(ids) + 1))[: args.gets]
                latencies.extend(get_latencies(client, sample))
    finally:
        server.terminate()
        server.wait(10)
    api_rate = statistics.median(api_rates)
    raw_rate = statistics.median(raw_rates)
    print(f"database: {runtime.db.dialect} ({db_url.split('@')[-1]})")
    print(f"rounds: {args.rounds}, records per round: {args.records}, batch: 100")
    print()
    print(f"{'measure':<38}{'zcrm API':>14}{'raw engine':>14}{'ratio':>9}")
    print(
        f"{'inserts/s (median of rounds)':<38}{api_rate:>14,.0f}{raw_rate:>14,.0f}"
        f"{api_rate / raw_rate:>9.1%}"
    )
    print(f"{'GET /Leads/{id} p50 ms':<38}{percentile(latencies, 0.5):>14.2f}")
    print(f"{'GET /Leads/{id} p99 ms':<38}{percentile(latencies, 0.99):>14.2f}")
    runtime.close()


if __name__ == "__main__":
    main()
