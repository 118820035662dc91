"""Event delivery: how fast one worker delivers, and how long a change takes to arrive.

Run:  .venv/bin/python bench/events.py [--db URL] [--changes 2000] [--rate 500]
                                        [--seconds 10] [--targets 1,8]

0. The HTTP client: 8 threads sharing one httpx client vs. one urllib3 pool, POSTs/s
   and CPU per POST to the same receiver (why the worker sends with urllib3).
1. Throughput: ``--changes`` single-record inserts are committed first (one write each,
   so one notification each), then one worker (``EventWorker``, the one ``zcrm serve``
   runs) dispatches and delivers them all to a receiver on loopback; deliveries/s per
   number of channels watching (order is kept per record and target, so deliveries about
   different records go out in parallel, up to the worker's concurrency).
2. Latency: a writer process commits ``--rate`` inserts a second for ``--seconds``
   (as API clients' writes reach the server) while one worker runs in this process's
   background thread (as ``zcrm worker`` does); the time from each write's commit to
   the receiver having its callback, p50/p90/p99 (goal: p50 < 50 ms at 500 changes/s).

The receiver is a keep-alive HTTP/1.1 server in a process of its own that answers 200
at once. Times cross processes on CLOCK_MONOTONIC (``time.monotonic``), which Linux
shares between them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import orjson
import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from zcrm.server.events.worker import EventWorker  # noqa: E402
from zcrm.server.runtime import Runtime  # noqa: E402
from zcrm.server.services import notifications  # noqa: E402
from zcrm.server.services.records.writer import insert_records  # noqa: E402
from zcrm.server.services.system_caller import admin_caller  # noqa: E402
from zcrm.settings import Settings  # noqa: E402
from zcrm.testing import make_org  # noqa: E402
from zcrm.testing.live import free_port  # noqa: E402


class Receiver:
    """The receiving side, in its own process (as a real receiver would be): it answers
    200 at once and notes when each record's first callback arrived (CLOCK_MONOTONIC,
    which both processes share)."""

    def __init__(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.client = httpx.Client(base_url=self.url, timeout=30)
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-receiver", str(port)],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                self.arrivals()
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def arrivals(self, detail: bool = False) -> tuple[int, dict[str, float]]:
        """How many callbacks came, and (``detail``) ``"<channel>:<record id>"`` -> when
        the first about that record arrived."""
        answer = self.client.get("/arrivals", params={"detail": int(detail)}).json()
        return answer["count"], answer.get("first", {})

    def wait(self, count: int, timeout: float = 600.0) -> dict[str, float]:
        deadline = time.monotonic() + timeout
        while True:
            got, _ = self.arrivals()
            if got >= count:
                return self.arrivals(detail=True)[1]
            if time.monotonic() > deadline:
                raise SystemExit(f"only {got} of {count} callbacks arrived")
            time.sleep(0.05)

    def close(self) -> None:
        self.client.close()
        self.process.terminate()
        self.process.wait(10)


def serve_receiver(port: int) -> None:
    """A minimal keep-alive HTTP/1.1 server on one asyncio loop (a thread per connection
    would make the receiver, not the worker, the bottleneck)."""
    first: dict[str, float] = {}
    count = 0

    def answer(writer: asyncio.StreamWriter, body: bytes) -> None:
        head = f"HTTP/1.1 200 OK\r\ncontent-length: {len(body)}\r\n\r\n".encode()
        writer.write(head + body)

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                now = time.monotonic()
                lines = head.decode("latin-1").split("\r\n")
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                if lines[0].startswith("GET"):
                    reply: dict[str, Any] = {"count": count}
                    if "detail=1" in lines[0]:
                        reply["first"] = first
                    answer(writer, orjson.dumps(reply))
                else:
                    payload = orjson.loads(body)
                    count += 1
                    for record_id in payload.get("ids", []):
                        first.setdefault(f"{payload['channel_id']}:{record_id}", now)
                    answer(writer, b"{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class Bench:
    def __init__(self, db_url: str) -> None:
        settings = Settings(database_url=db_url, shared_clock=False, run_workers=False)
        self.runtime = Runtime.open(settings)
        self.db_url = db_url
        self.receiver = Receiver()
        self.delivered = 0
        self.next_channel = 1000

    def org(self, channels: int) -> tuple[Any, Any, list[int]]:
        """A fresh org whose Leads inserts ``channels`` channels watch."""
        org = make_org(self.runtime)
        caller = admin_caller(self.runtime, org.org_id)
        meta = self.runtime.metadata.get(org.org_id)
        ids = list(range(self.next_channel + 1, self.next_channel + 1 + channels))
        self.next_channel += channels
        items = [
            {
                "channel_id": str(channel),
                "events": ["Leads.create"],
                "notify_url": self.receiver.url + "/notify",
                "token": "bench",
            }
            for channel in ids
        ]
        results = notifications.subscribe(self.runtime, caller, meta, items, replace=False)
        assert all(r["status"] == "success" for r in results), results
        leads = meta.module("Leads")
        assert leads is not None
        return caller, leads, ids

    def insert(self, caller: Any, leads: Any, name: str) -> str:
        result = insert_records(self.runtime, caller, leads, [{"Last_Name": name}])[0]
        return str(result["details"]["id"])

    def throughput(self, changes: int, channels: int) -> tuple[float, int]:
        """Deliveries/s of one background worker working off a backlog."""
        caller, leads, _ = self.org(channels)
        for n in range(changes):
            self.insert(caller, leads, f"T{n}")
        self.delivered += changes * channels
        worker = EventWorker(self.runtime)
        started = time.monotonic()
        worker.start()
        try:
            first = self.receiver.wait(self.delivered)
        finally:
            worker.stop()
        elapsed = max(first.values()) - started
        return changes * channels / elapsed, changes * channels

    def latency(self, rate: float, seconds: float) -> tuple[list[float], float]:
        """Commit -> arrival while a writer process commits ``rate`` single inserts a
        second (as API clients' writes reach a server) and this process's worker runs
        in its background thread (as ``zcrm worker`` does)."""
        caller, _, (channel,) = self.org(1)
        total = int(rate * seconds)
        self.delivered += total
        worker = EventWorker(self.runtime)
        worker.start()
        try:
            command = [sys.executable, __file__, "--write", self.db_url, str(caller.org.id)]
            writer = subprocess.run(
                [*command, str(rate), str(total)],
                check=True,
                capture_output=True,
            )
            report = orjson.loads(writer.stdout)
            first = self.receiver.wait(self.delivered)
        finally:
            worker.stop()
        committed: dict[str, float] = report["committed"]
        latencies = [(first[f"{channel}:{i}"] - at) * 1000 for i, at in committed.items()]
        return latencies, report["achieved"]

    def close(self) -> None:
        self.receiver.close()
        self.runtime.close()


def write(db_url: str, org_id: int, rate: float, total: int) -> None:
    """The writer process: ``total`` single-record inserts at ``rate`` a second; prints
    when each committed (CLOCK_MONOTONIC, shared with the other processes)."""
    runtime = Runtime.open(Settings(database_url=db_url, shared_clock=False, run_workers=False))
    caller = admin_caller(runtime, org_id)
    leads = runtime.metadata.get(org_id).module("Leads")
    assert leads is not None
    committed: dict[str, float] = {}
    interval = 1.0 / rate
    started = time.monotonic()
    for n in range(total):
        pause = started + n * interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        result = insert_records(runtime, caller, leads, [{"Last_Name": f"L{n}"}])[0]
        committed[str(result["details"]["id"])] = time.monotonic()
    achieved = total / (time.monotonic() - started)
    runtime.close()
    sys.stdout.buffer.write(orjson.dumps({"committed": committed, "achieved": achieved}))


def compare_clients(receiver: Receiver, requests: int = 3000, threads: int = 8) -> int:
    """Why the worker sends with urllib3: POSTs/s and CPU per POST from ``threads``
    threads through one shared client, httpx's and urllib3's, to the same receiver.
    Returns how many POSTs the receiver got."""
    body = b'{"ids":["1"],"channel_id":1,"module":"Leads","operation":"insert"}'
    headers = {"Content-Type": "application/json"}
    url = receiver.url + "/compare"
    with httpx.Client(limits=httpx.Limits(max_connections=threads), timeout=5) as client:

        def with_httpx(_: int) -> None:
            client.post(url, content=body, headers=headers).read()

        pool = urllib3.PoolManager(maxsize=threads, retries=False)

        def with_urllib3(_: int) -> None:
            pool.request("POST", url, body=body, headers=headers).data  # noqa: B018

        print(f"{'client':>9}{'POSTs/s':>10}{'CPU ms/POST':>13}")
        for name, post in (("httpx", with_httpx), ("urllib3", with_urllib3)):
            with ThreadPoolExecutor(threads) as pool_of_threads:
                list(pool_of_threads.map(post, range(200)))  # warm up
                started, cpu = time.perf_counter(), time.process_time()
                list(pool_of_threads.map(post, range(requests)))
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(f"{name:>9}{requests / elapsed:>10,.0f}{cpu / requests * 1000:>13.2f}")
    return 2 * (requests + 200)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-receiver":
        serve_receiver(int(sys.argv[2]))
        return
    if len(sys.argv) == 6 and sys.argv[1] == "--write":
        write(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--changes", type=int, default=2000)
    parser.add_argument("--targets", default="1,8", help="channels per org, comma-separated")
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    db_url = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='zcrm-bench-')}/events.sqlite3"
    bench = Bench(db_url)
    try:
        print(f"database: {bench.runtime.db.dialect}")
        print("\n0. HTTP clients, 8 threads sharing one (the worker's sends)")
        bench.delivered += compare_clients(bench.receiver)
        print(f"\n1. one worker, {args.changes} committed single-record inserts")
        print(f"{'channels':>9}{'deliveries':>12}{'deliveries/s':>15}")
        for channels in (int(t) for t in args.targets.split(",")):
            per_second, delivered = bench.throughput(args.changes, channels)
            print(f"{channels:>9}{delivered:>12}{per_second:>15,.0f}")
        print(f"\n2. commit -> delivery at {args.rate:.0f} changes/s for {args.seconds:.0f} s")
        latencies, achieved = bench.latency(args.rate, args.seconds)
        print(f"{'achieved':>12}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
        print(
            f"{achieved:>10,.0f}/s"
            f"{statistics.median(latencies):>9.1f}{percentile(latencies, 90):>9.1f}"
            f"{percentile(latencies, 99):>9.1f}{max(latencies):>9.1f}"
        )
    finally:
        bench.close()


if __name__ == "__main__":
    main()
