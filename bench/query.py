"""Query latency at scale: COQL, criteria search and aggregates vs hand-written SQL.

Run:  .venv/bin/python bench/query.py [--rows 1000000] [--db URL] [--repeat 200]

Seeds ``--rows`` Leads straight into storage (realistic values, created over two
years), then measures, in one run, p50/p99 of each query through the whole API stack
in-process (ASGI: routing, auth, limiter, parsing, validation, SQL, rendering; no
socket) beside the same query written by hand in SQL against the same database:

1. an equality COQL on an indexed field (Email);
2. a date range with ORDER BY Created_Time DESC + LIMIT 200 (COQL);
3. a criteria search (Lead_Source equals, 200 a page);
4. COUNT with GROUP BY Lead_Source (COQL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _asgi import asgi  # noqa: E402

from zcrm.server.app import create_app  # noqa: E402
from zcrm.server.catalogue.common import LEAD_SOURCES, LEAD_STATUSES, NONE  # noqa: E402
from zcrm.server.runtime import Runtime  # noqa: E402
from zcrm.server.services.orgs import set_limits  # noqa: E402
from zcrm.server.storage.engine import normalise_url  # noqa: E402
from zcrm.settings import Settings  # noqa: E402
from zcrm.testing import make_org  # noqa: E402

SOURCES = [v for v in LEAD_SOURCES if v != NONE]
STATUSES = [v for v in LEAD_STATUSES if v != NONE]
LAST = ["Ortega", "Nguyen", "Smith", "Okafor", "Schmidt", "Rossi", "Kowalski", "Silva"]
START = datetime(2024, 1, 1, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def seed(runtime: Runtime, org: Any, module_id: int, rows: int) -> None:
    rng = random.Random(7)
    batch = 10_000
    raw = runtime.db.engine.raw_connection()
    dialect = runtime.db.dialect
    placeholder = "?" if dialect == "sqlite" else "%s"
    sql = (
        "INSERT INTO records (org_id, id, module_id, owner_id, created_by, modified_by, "
        "created_time, modified_time, data) VALUES (" + ", ".join([placeholder] * 9) + ")"
    )
    if dialect == "sqlite":
        raw.driver_connection.isolation_level = ""
    cursor = raw.cursor()
    started = time.perf_counter()
    for offset in range(0, rows, batch):
        count = min(batch, rows - offset)
        ids = runtime.ids.allocate(org.org_id, org.org.id_prefix, count)
        values = []
        for n, record_id in enumerate(ids):
            i = offset + n
            created = START + timedelta(seconds=int(i * (730 * 86400 / rows)))
            doc = {
                "Last_Name": f"{rng.choice(LAST)}{i}",
                "First_Name": "Ann",
                "Full_Name": f"Ann {i}",
                "Company": f"Company {i % 5000}",
                "Email": f"lead{i}@example.com",
                "Lead_Source": SOURCES[i % len(SOURCES)],
                "Lead_Status": rng.choice(STATUSES),
                "Annual_Revenue": float(rng.randint(0, 10**6)),
                "Record_Status__s": "Available",
            }
            values.append(
                (
                    org.org_id,
                    record_id,
                    module_id,
                    org.admin_id,
                    org.admin_id,
                    org.admin_id,
                    stamp(created),
                    stamp(created),
                    json.dumps(doc),
                )
            )
        cursor.executemany(sql, values)
        raw.commit()
        done = offset + count
        rate = done / (time.perf_counter() - started)
        print(f"\rseeding: {done:,}/{rows:,} ({rate:,.0f} rows/s)", end="", flush=True)
    print()
    cursor.execute("ANALYZE")
    raw.commit()
    raw.close()


def timed(fn: Any, repeat: int) -> list[float]:
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    db_url = normalise_url(args.db or f"sqlite:///{tempfile.mkdtemp(prefix='zcrm-q-')}/q.sqlite3")
    runtime = Runtime.open(Settings(database_url=db_url, shared_clock=False, run_workers=False))
    org = make_org(runtime)
    set_limits(
        runtime, org.org_id, api_calls_per_day=10**9, burst_per_minute=10**9, coql_max_limit=2000
    )
    leads = runtime.metadata.get(org.org_id).module("Leads")
    assert leads is not None
    seed(runtime, org, leads.id, args.rows)
    app = create_app(runtime)
    auth = org.headers()["Authorization"].encode()
    probe = args.rows // 2
    lo = stamp(START + timedelta(days=300))
    hi = stamp(START + timedelta(days=330))
    pg = runtime.db.dialect == "postgresql"
    p = "%s" if pg else "?"

    def doc(key: str) -> str:
        return f"data ->> '{key}'" if pg else f"json_extract(data, '$.\"{key}\"')"

    cases = [
        (
            "equality COQL on Email (indexed)",
            (
                "POST",
                "/crm/v6/coql",
                "",
                orjson.dumps(
                    {
                        "select_query": "select Last_Name, Email from Leads "
                        f"where Email = 'lead{probe}@example.com'"
                    }
                ),
            ),
            (
                f"SELECT id, {doc('Last_Name')}, {doc('Email')} FROM records "
                f"WHERE org_id = {p} AND module_id = {p} AND lower({doc('Email')}) = {p}",
                (org.org_id, leads.id, f"lead{probe}@example.com"),
            ),
        ),
        (
            "date range, ORDER BY Created_Time DESC LIMIT 200",
            (
                "POST",
                "/crm/v6/coql",
                "",
                orjson.dumps(
                    {
                        "select_query": "select Last_Name, Created_Time from Leads "
                        f"where Created_Time between '{lo}' and '{hi}' "
                        "order by Created_Time desc limit 200"
                    }
                ),
            ),
            (
                f"SELECT id, {doc('Last_Name')}, created_time FROM records WHERE org_id = {p} AND "
                f"module_id = {p} AND created_time >= {p} AND created_time <= {p} "
                f"ORDER BY created_time DESC, id ASC LIMIT 201",
                (org.org_id, leads.id, lo, hi),
            ),
        ),
        (
            "criteria search (Lead_Source equals), 200 a page",
            (
                "GET",
                "/crm/v6/Leads/search",
                urlencode(
                    {
                        "criteria": "(Lead_Source:equals:Trade Show)",
                        "fields": "Last_Name,Lead_Source",
                    }
                ),
                b"",
            ),
            (
                f"SELECT id, {doc('Last_Name')}, {doc('Lead_Source')} FROM records "
                f"WHERE org_id = {p} AND module_id = {p} "
                f"AND lower({doc('Lead_Source')}) = {p} ORDER BY id DESC LIMIT 201",
                (org.org_id, leads.id, "trade show"),
            ),
        ),
        (
            "COUNT with GROUP BY Lead_Source",
            (
                "POST",
                "/crm/v6/coql",
                "",
                orjson.dumps(
                    {
                        "select_query": "select Lead_Source, COUNT(id) from Leads "
                        "where Lead_Source is not null group by Lead_Source"
                    }
                ),
            ),
            (
                f"SELECT {doc('Lead_Source')}, count(*) FROM records WHERE org_id = {p} AND "
                f"module_id = {p} AND {doc('Lead_Source')} IS NOT NULL "
                f"GROUP BY {doc('Lead_Source')}",
                (org.org_id, leads.id),
            ),
        ),
    ]
    loop = asyncio.new_event_loop()
    raw = runtime.db.engine.raw_connection()
    cursor = raw.cursor()
    print(
        f"database: {runtime.db.dialect}; {args.rows:,} Leads; {args.repeat} runs per query; "
        "API measured in-process through the ASGI app"
    )
    print(f"{'query':<50}{'API p50':>9}{'p99':>8}{'SQL p50':>9}{'p99':>8}{'ratio p50':>11}")
    for name, (method, path, query, body), (sql, params) in cases:

        def through_api(
            method: str = method,
            path: str = path,
            query: str = query,
            body: bytes = body,
            name: str = name,
        ) -> None:
            status, content = loop.run_until_complete(asgi(app, method, path, query, body, auth))
            if status not in (200, 204):
                raise SystemExit(f"{name}: HTTP {status} {content[:300]!r}")

        def by_hand(sql: str = sql, params: tuple[Any, ...] = params) -> None:
            cursor.execute(sql, params)
            cursor.fetchall()

        api = timed(through_api, args.repeat)
        hand = timed(by_hand, args.repeat)
        print(
            f"{name:<50}{pct(api, 0.5):>8.2f}m{pct(api, 0.99):>7.2f}m{pct(hand, 0.5):>8.2f}m"
            f"{pct(hand, 0.99):>7.2f}m{pct(api, 0.5) / pct(hand, 0.5):>10.1f}x"
        )
    raw.close()
    runtime.close()


if __name__ == "__main__":
    main()
