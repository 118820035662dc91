"""Client speed: zcrm.client vs. the official zohocrmsdk6-0 SDK against the same server.

Run:  .venv/bin/python bench/client.py [--db URL] [--records 2000] [--rounds 3]

It starts one zcrm server (uvicorn, its own process, as bench/records.py does) on a
free loopback port and, in each round, gives each client a fresh org of its own and
times the same work, with the same calls on the wire:

* create ``--records`` Leads, 100 per request (the API's maximum);
* read each of them back by id (``GET /crm/v6/Leads/{id}``, one request each);
* list them all, 200 per page (``GET /crm/v6/Leads?fields=…&page=…``, 10 requests);
* update all of them, 100 per request.

Both clients start authorised (a refresh token, exchanged before the clock starts) and
log at ERROR or not at all. The orgs' rate limits are lifted (the SDK does not retry a
429; zcrm.client would wait, and the bench would measure the limiter). The official SDK
is used as its documentation shows: one ``Initializer`` per thread, a file token store,
``RecordOperations`` with ``Record`` objects. It prints the median seconds per phase, the
ratio SDK / zcrm.client, and the total for each way of reading (by id, by pages) with
create and update.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from records import free_port, lead, start_server  # noqa: E402

from zcrm.client import CRM  # noqa: E402
from zcrm.server.runtime import Runtime  # noqa: E402
from zcrm.server.services.orgs import set_limits  # noqa: E402
from zcrm.server.storage.engine import normalise_url  # noqa: E402
from zcrm.settings import Settings  # noqa: E402
from zcrm.testing import OrgHandle, make_org  # noqa: E402

PHASES = ("create", "read", "list", "update")
FIELDS = ["Last_Name", "First_Name", "Company", "Email", "Phone", "Lead_Source", "Annual_Revenue"]
Timings = dict[str, float]


def fresh_org(runtime: Runtime) -> OrgHandle:
    """A new org whose rate limits stay out of the way (the SDK does not retry a 429)."""
    org = make_org(runtime)
    set_limits(runtime, org.org_id, burst_per_minute=10**7, api_calls_per_day=10**8)
    return org


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def ours(url: str, org: OrgHandle, count: int) -> Timings:
    tokens = org.tokens()
    with CRM(
        client_id=org.client.client_id,
        client_secret=org.client.client_secret,
        refresh_token=tokens.refresh_token,
        api_url=url,
    ) as crm:
        crm.access_token()  # authorised before the clock starts, as the SDK is below
        leads = crm.leads
        create, result = timed(lambda: leads.create([lead(i) for i in range(count)]))
        assert len(result.succeeded) == count, result.failed[:3]
        ids = result.ids
        read, got = timed(lambda: [leads.get(record_id) for record_id in ids])
        assert all(g is not None for g in got)
        listing, rows = timed(lambda: list(leads.list(FIELDS, per_page=200)))
        assert len(rows) == count
        changes = [{"id": record_id, "Company": "Renamed"} for record_id in ids]
        update, result = timed(lambda: leads.update(changes))
        assert len(result.succeeded) == count, result.failed[:3]
    return {"create": create, "read": read, "list": listing, "update": update}


def official(url: str, org: OrgHandle, count: int, folder: Path) -> Timings:
    from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
    from zohocrmsdk.src.com.zoho.api.authenticator.store.file_store import FileStore
    from zohocrmsdk.src.com.zoho.api.logger import Logger
    from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
    from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
    from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
    from zohocrmsdk.src.com.zoho.crm.api.modules import ModulesOperations
    from zohocrmsdk.src.com.zoho.crm.api.record import (
        ActionWrapper,
        BodyWrapper,
        GetRecordsParam,
        Record,
        RecordOperations,
        SuccessResponse,
    )
    from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
    from zohocrmsdk.src.com.zoho.crm.api.util import Choice

    tokens = org.tokens()
    (folder / "resources").mkdir(parents=True)
    Initializer.initialize(
        environment=DataCenter.Environment(url, url + "/oauth/v2/token", url),
        token=OAuthToken(
            client_id=org.client.client_id,
            client_secret=org.client.client_secret,
            refresh_token=tokens.refresh_token,
        ),
        store=FileStore(str(folder / "tokens.csv")),
        sdk_config=SDKConfig(auto_refresh_fields=False, pick_list_validation=True),
        resource_path=str(folder / "resources"),
        logger=Logger.get_instance(Logger.Levels.ERROR, str(folder / "sdk.log")),
    )
    # Authorised, and the Leads field cache filled, before the clock starts.
    assert ModulesOperations().get_modules().get_status_code() == 200
    operations = RecordOperations("Leads")
    operations.get_records  # noqa: B018 - the module's class is resolved, as in real use

    def to_record(values: dict[str, Any], record_id: int | None = None) -> Record:
        record = Record()
        if record_id is not None:
            record.set_id(record_id)
        for key, value in values.items():
            record.add_key_value(key, Choice(value) if key == "Lead_Source" else value)
        return record

    def write(records: list[Record], create: bool) -> list[int]:
        out: list[int] = []
        for start in range(0, len(records), 100):
            wrapper = BodyWrapper()
            wrapper.set_data(records[start : start + 100])
            response = (
                operations.create_records(wrapper) if create else operations.update_records(wrapper)
            )
            answer = response.get_object()
            assert isinstance(answer, ActionWrapper), vars(answer)
            for item in answer.get_data():
                assert isinstance(item, SuccessResponse), vars(item)
                out.append(int(item.get_details()["id"]))
        return out

    create, ids = timed(lambda: write([to_record(lead(i)) for i in range(count)], True))
    assert len(ids) == count

    def read_all() -> None:
        for record_id in ids:
            response = operations.get_record(record_id)
            assert response.get_status_code() == 200
            response.get_object().get_data()[0].get_key_value("Last_Name")

    read, _ = timed(read_all)

    def list_all() -> int:
        seen, page = 0, 1
        while True:
            params = ParameterMap()
            params.add(GetRecordsParam.fields, ",".join(FIELDS))
            params.add(GetRecordsParam.per_page, 200)
            params.add(GetRecordsParam.page, page)
            response = operations.get_records(params)
            if response.get_status_code() == 204:
                return seen
            wrapper = response.get_object()
            rows = wrapper.get_data()
            seen += sum(1 for row in rows if row.get_key_value("Last_Name"))
            if not wrapper.get_info().get_more_records():
                return seen
            page += 1

    listing, seen = timed(list_all)
    assert seen == count
    changes = [to_record({"Company": "Renamed"}, record_id) for record_id in ids]
    update, updated = timed(lambda: write(changes, False))
    assert len(updated) == count
    return {"create": create, "read": read, "list": listing, "update": update}


def in_thread(work: Callable[[], Timings]) -> Timings:
    """The SDK keeps its state per thread: each run gets a fresh one."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="zcrm-bench-"))
    db_url = normalise_url(args.db or f"sqlite:///{tmp}/bench.sqlite3")
    runtime = Runtime.open(Settings(database_url=db_url, run_workers=False))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(db_url, port)
    results: dict[str, list[Timings]] = {"zcrm.client": [], "official SDK": []}
    try:
        for round_no in range(args.rounds):
            mine = fresh_org(runtime)
            results["zcrm.client"].append(
                in_thread(lambda: ours(url, mine, args.records))  # noqa: B023
            )
            theirs, folder = fresh_org(runtime), tmp / f"sdk-{round_no}"
            results["official SDK"].append(
                in_thread(lambda: official(url, theirs, args.records, folder))  # noqa: B023
            )
    finally:
        server.terminate()
        server.wait(10)
        runtime.close()

    def median(client: str, phase: str) -> float:
        return statistics.median(r[phase] for r in results[client])

    print(f"database: {runtime.db.dialect}; server: one uvicorn process on loopback")
    print(f"{args.records} Leads per phase; median of {args.rounds} rounds; seconds")
    print()
    print(f"{'phase':<10}{'zcrm.client':>13}{'official SDK':>14}{'SDK / ours':>12}")
    for phase in PHASES:
        mine, theirs = median("zcrm.client", phase), median("official SDK", phase)
        print(f"{phase:<10}{mine:>13.2f}{theirs:>14.2f}{theirs / mine:>11.1f}x")
    for label, reading in (("total/id", "read"), ("total/page", "list")):
        mine, theirs = (
            sum(median(client, phase) for phase in ("create", reading, "update"))
            for client in ("zcrm.client", "official SDK")
        )
        print(f"{label:<10}{mine:>13.2f}{theirs:>14.2f}{theirs / mine:>11.1f}x")


if __name__ == "__main__":
    main()
