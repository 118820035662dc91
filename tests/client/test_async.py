"""zcrm.client.AsyncCRM against the in-process app through httpx.ASGITransport: no socket."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from starlette.testclient import TestClient

from zcrm.client import CRM, AsyncCRM, AsyncModule, Module, RetryPolicy, field
from zcrm.testing import OrgHandle

T = TypeVar("T")


def run(
    app: Any, org: OrgHandle, scenario: Callable[[AsyncCRM, list[float]], Awaitable[T]]
) -> tuple[T, list[float]]:
    """``scenario`` with an AsyncCRM on ``app`` (the session's), and the waits it asked for."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def main() -> T:
        tokens = org.tokens()
        async with AsyncCRM(
            client_id=org.client.client_id,
            client_secret=org.client.client_secret,
            refresh_token=tokens.refresh_token,
            api_url="http://testserver",
            transport=httpx.ASGITransport(app=app),
            sleep=sleep,
            retry=RetryPolicy(max_attempts=4, jitter=lambda ceiling: ceiling),
            clock=org.runtime.clock.timestamp,
        ) as crm:
            return await scenario(crm, waits)

    return asyncio.run(main()), waits


def test_the_whole_life_of_records(app: Any, http: TestClient, org: OrgHandle) -> None:
    async def scenario(crm: AsyncCRM, _: list[float]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        records = [{"Last_Name": f"L{i:03}"} if i % 60 else {"First_Name": "x"} for i in range(250)]
        created = await crm.leads.create(records)
        seen["outcomes"] = [o.index for o in created]
        seen["failed"] = [(o.index, o.code) for o in created.failed]
        first = created.succeeded[0].id
        assert first is not None
        seen["got"] = await crm.module("Leads").get(first, ["Last_Name"])
        await crm.leads.update([{"id": first, "Company": "ACME"}])
        seen["company"] = (await crm.leads.get(first, ["Company"]) or {}).get("Company")
        seen["listed"] = [r["Last_Name"] async for r in crm.leads.list(["Last_Name"], per_page=100)]
        seen["searched"] = [
            r["id"] async for r in crm.leads.search(field("Company").equals("ACME"))
        ]
        seen["coql"] = [
            r["Last_Name"]
            async for r in crm.coql(
                "select Last_Name from Leads where Last_Name like 'L00%' order by Last_Name"
            )
        ]
        for _ in range(2):
            upserted = await crm.leads.upsert(
                [{"Last_Name": "Same", "Email": "same@example.com"}],
                duplicate_check_fields=["Email"],
            )
            seen.setdefault("upserts", []).append(upserted.outcomes[0].action)
        seen["count"] = await crm.leads.count()
        deleted = await crm.leads.delete([first])
        seen["deleted"] = [o.id for o in deleted.succeeded]
        seen["gone"] = await crm.leads.get(first)
        seen["modules"] = {m["api_name"] for m in await crm.modules()}
        seen["fields"] = {f["api_name"] for f in await crm.fields("Leads")}
        seen["first"] = first
        return seen

    seen, waits = run(app, org, scenario)
    assert seen["outcomes"] == list(range(250))  # 3 chunks of 100, input order kept
    assert seen["failed"] == [(i, "MANDATORY_NOT_FOUND") for i in (0, 60, 120, 180, 240)]
    assert seen["got"] == {"Last_Name": "L001", "id": seen["first"]}
    assert seen["company"] == "ACME"
    assert len(seen["listed"]) == 245  # across three pages
    assert seen["searched"] == [seen["first"]]
    assert seen["coql"] == [f"L{i:03}" for i in range(1, 10)]
    assert seen["upserts"] == ["insert", "update"]  # the second found the first by Email
    assert seen["count"] == 246
    assert seen["deleted"] == [seen["first"]] and seen["gone"] is None
    assert {"Leads", "Contacts", "Deals"} <= seen["modules"]
    assert {"Last_Name", "Email", "Lead_Source"} <= seen["fields"]
    assert waits == []  # nothing retried


def test_429_waits_for_retry_after(app: Any, http: TestClient, org: OrgHandle) -> None:
    fault = {"org_id": org.org_id, "route": "/crm/v6/Leads", "status": 429, "retry_after": 7}
    http.post("/_emulator/faults", json={**fault, "count": 2})

    async def scenario(crm: AsyncCRM, _: list[float]) -> int:
        await crm.leads.create([{"Last_Name": "x"}])
        return await crm.leads.count()

    try:
        count, waits = run(app, org, scenario)
    finally:
        http.delete("/_emulator/faults", params={"org_id": org.org_id})
    assert waits == [7.0, 7.0] and count == 1


def test_token_refreshed_when_the_clock_moves(app: Any, org: OrgHandle) -> None:
    async def scenario(crm: AsyncCRM, _: list[float]) -> tuple[str, str, int]:
        first = await crm.access_token()
        org.runtime.clock.advance(3700)
        count = await crm.leads.count()
        return first, await crm.access_token(), count

    (first, second, count), _ = run(app, org, scenario)
    assert first != second and count == 0


def public(cls: type) -> dict[str, list[str]]:
    """Public names and, for methods, their parameter names."""
    out = {}
    for name, member in inspect.getmembers(cls):
        if name.startswith("_"):
            continue
        if callable(member):
            out[name] = list(inspect.signature(member).parameters)
        else:
            out[name] = []
    return out


def test_the_sync_and_async_clients_have_one_surface() -> None:
    sync_crm, async_crm = public(CRM), public(AsyncCRM)
    for name in ("close", "aclose"):  # a sync client closes, an async one acloses
        sync_crm.pop(name, None)
        async_crm.pop(name, None)
    assert sync_crm.keys() == async_crm.keys()
    assert {n: p for n, p in sync_crm.items() if n != "keep_watching"} == {
        n: p for n, p in async_crm.items() if n != "keep_watching"
    }
    assert public(Module) == public(AsyncModule)


def test_clients_sharing_a_store_refresh_once(app: Any, org: OrgHandle) -> None:
    from zcrm.client import MemoryTokenStore

    store = MemoryTokenStore()
    token_requests: list[str] = []

    async def count(request: httpx.Request) -> None:
        if request.url.path == "/oauth/v2/token":
            token_requests.append(request.url.path)

    async def main() -> list[int]:
        refresh = org.tokens().refresh_token
        clients = [
            AsyncCRM(
                client_id=org.client.client_id,
                client_secret=org.client.client_secret,
                refresh_token=refresh,
                api_url="http://testserver",
                transport=httpx.ASGITransport(app=app),
                token_store=store,
                clock=org.runtime.clock.timestamp,
                event_hooks={"request": [count]},
            )
            for _ in range(6)
        ]
        try:
            return list(await asyncio.gather(*(c.leads.count() for c in clients)))
        finally:
            for client in clients:
                await client.aclose()

    assert asyncio.run(main()) == [0] * 6
    assert len(token_requests) == 1
