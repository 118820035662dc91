"""zcrm.client.AsyncCRM against the in-process app through httpx.ASGITransport: no socket."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import orjson
import pytest
from starlette.testclient import TestClient

from zcrm.client import (
    CRM,
    AsyncCRM,
    AsyncModule,
    AuthError,
    Module,
    RetryPolicy,
    ServerError,
    TransportError,
    ValidationError,
    field,
)
from zcrm.testing import OrgHandle

T = TypeVar("T")


class Wire(httpx.AsyncBaseTransport):
    """The app over ASGI, keeping every request; ``fail`` makes the next request to a
    method and path raise a network error instead of reaching the app."""

    def __init__(self, app: Any) -> None:
        self.app = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []
        self.failures: list[tuple[str, str, Exception]] = []

    def fail(self, method: str, path: str, error: Exception) -> None:
        self.failures.append((method, path, error))

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if (r.method, r.url.path) == (method, path)]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for i, (method, path, error) in enumerate(self.failures):
            if (request.method, request.url.path) == (method, path):
                del self.failures[i]
                raise error
        return await self.app.handle_async_request(request)


def run(
    app: Any,
    org: OrgHandle,
    scenario: Callable[[AsyncCRM, list[float]], Awaitable[T]],
    **options: Any,
) -> tuple[T, list[float]]:
    """``scenario`` with an AsyncCRM on ``app`` (the session's), and the waits it asked for."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def main() -> T:
        tokens = org.tokens()
        options.setdefault("transport", httpx.ASGITransport(app=app))
        async with AsyncCRM(
            client_id=org.client.client_id,
            client_secret=org.client.client_secret,
            refresh_token=tokens.refresh_token,
            api_url="http://testserver",
            sleep=sleep,
            retry=RetryPolicy(max_attempts=4, jitter=lambda ceiling: ceiling),
            clock=org.runtime.clock.timestamp,
            **options,
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


def test_modules_by_attribute_and_by_name(app: Any, org: OrgHandle) -> None:
    async def scenario(crm: AsyncCRM, _: list[float]) -> tuple[int, list[str]]:
        assert crm.sales_orders.api_name == "Sales_Orders"
        assert crm.module("Price_Books").api_name == "Price_Books"
        with pytest.raises(AttributeError):
            crm._not_a_module  # noqa: B018 - private names are not modules
        created = await crm.price_books.create([{"Price_Book_Name": "Standard"}])
        assert created.failed == []
        names = [
            r["Price_Book_Name"] async for r in crm.module("Price_Books").list(["Price_Book_Name"])
        ]
        return await crm.module("Price_Books").count(), names

    assert run(app, org, scenario)[0] == (1, ["Standard"])


def test_chunk_size_and_related_lists(app: Any, org: OrgHandle) -> None:
    wire = Wire(app)

    async def scenario(crm: AsyncCRM, _: list[float]) -> tuple[str, list[int], list[str]]:
        (account,) = (await crm.accounts.create([{"Account_Name": "ACME"}])).ids
        contacts = [{"Last_Name": f"C{i:03}", "Account_Name": {"id": account}} for i in range(205)]
        created = await crm.contacts.create(contacts)
        assert created.failed == [] and [o.index for o in created] == list(range(205))
        sizes = [
            len(orjson.loads(r.content)["data"]) for r in wire.sent("POST", "/crm/v6/Contacts")
        ]
        assert account is not None
        related = [
            r["Last_Name"] async for r in crm.accounts.related(account, "Contacts", ["Last_Name"])
        ]
        return account, sizes, related

    (account, sizes, related), _ = run(app, org, scenario, transport=wire, chunk_size=50)
    assert sizes == [50, 50, 50, 50, 5]
    assert sorted(related) == [f"C{i:03}" for i in range(205)]
    assert len(wire.sent("GET", f"/crm/v6/Accounts/{account}/Contacts")) == 2  # pages of 200


def test_list_passes_2000_by_page_token_and_search_stops_there(app: Any, org: OrgHandle) -> None:
    wire = Wire(app)

    async def scenario(crm: AsyncCRM, _: list[float]) -> tuple[int, int]:
        created = await crm.leads.create(
            [{"Last_Name": f"L{i:04}", "Company": "Big"} for i in range(2050)]
        )
        assert len(created.succeeded) == 2050
        listed = [r["id"] async for r in crm.leads.list(["Last_Name"])]
        assert len(set(listed)) == len(listed)
        found = [r["id"] async for r in crm.leads.search(field("Company").equals("Big"))]
        return len(listed), len(found)

    assert run(app, org, scenario, transport=wire, chunk_size=200)[0] == (2050, 2000)
    pages = wire.sent("GET", "/crm/v6/Leads")
    assert len(pages) == 11
    assert "page_token" in pages[-1].url.params and "page" not in pages[-1].url.params
    assert len(wire.sent("GET", "/crm/v6/Leads/search")) == 10  # no 11th: LIMIT_REACHED


def test_coql_pages_by_offset_unless_the_query_has_its_limit(app: Any, org: OrgHandle) -> None:
    wire = Wire(app)
    query = "select Last_Name from Leads where Last_Name is not null order by Last_Name"

    async def scenario(crm: AsyncCRM, _: list[float]) -> tuple[list[str], list[str]]:
        await crm.leads.create([{"Last_Name": f"L{i}"} for i in range(7)])
        paged = [r["Last_Name"] async for r in crm.coql(query + ";", page_size=3)]
        limited = [r["Last_Name"] async for r in crm.coql(query + " LIMIT 2 ;", page_size=3)]
        return paged, limited

    (paged, limited), _ = run(app, org, scenario, transport=wire)
    assert paged == [f"L{i}" for i in range(7)]
    assert limited == ["L0", "L1"]
    sent = [orjson.loads(r.content)["select_query"] for r in wire.sent("POST", "/crm/v6/coql")]
    assert sent == [
        f"{query} limit 0, 3",
        f"{query} limit 3, 3",
        f"{query} limit 6, 3",
        f"{query} LIMIT 2",  # its own limit: sent once, as written
    ]


def test_search_round_trips_what_the_builder_escapes(app: Any, org: OrgHandle) -> None:
    awkward = ["A (B), C\\", "x,y", "Smith and Jones", "a:b", "back\\slash)"]

    async def scenario(crm: AsyncCRM, _: list[float]) -> dict[str, Any]:
        await crm.leads.create(
            [
                {"Last_Name": name, "Company": name, "Email": f"e{i}@example.com"}
                for i, name in enumerate(awkward)
            ]
        )
        seen: dict[str, Any] = {}
        for name in awkward:
            found = crm.leads.search(field("Company").equals(name), fields=["Company"])
            seen[name] = [r["Company"] async for r in found]
        either = crm.leads.search(
            field("Company").in_("x,y", "a:b") | field("Email").starts_with("e0")
        )
        seen["in"] = sorted([r["Last_Name"] async for r in either])
        seen["email"] = [r["Last_Name"] async for r in crm.leads.search(email="e3@example.com")]
        after = field("Created_Time").greater_than(datetime(2000, 1, 1, tzinfo=UTC))
        seen["after"] = len([r async for r in crm.leads.search(after, per_page=2)])
        return seen

    seen, _ = run(app, org, scenario)
    for name in awkward:
        assert seen[name] == [name]
    assert seen["in"] == sorted(["A (B), C\\", "x,y", "a:b"])
    assert seen["email"] == ["a:b"]
    assert seen["after"] == len(awkward)  # three pages of two


def test_a_naive_datetime_is_refused_by_the_builder() -> None:
    """Zoho wants an offset; a datetime without one names no moment, so it is not guessed."""
    with pytest.raises(ValueError, match="time zone"):
        field("Created_Time").greater_than(datetime(2024, 1, 1))
    moment = datetime(2024, 1, 1, 9, 30, tzinfo=UTC)
    assert (
        str(field("Created_Time").equals(moment))
        == "(Created_Time:equals:2024-01-01T09:30:00+00:00)"
    )


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


def test_a_batch_that_fails_validation_is_answered_per_record(app: Any, org: OrgHandle) -> None:
    """All records invalid: HTTP 400 with a data array, an answer and not an error; not retried."""
    wire = Wire(app)

    async def scenario(crm: AsyncCRM, _: list[float]) -> list[tuple[int, bool, str | None]]:
        result = await crm.leads.create([{"First_Name": "a"}, {"Last_Name": "b", "Email": "no"}])
        with pytest.raises(ValidationError) as caught:
            await crm.request("PUT", "Leads", json={"data": {"not": "a list"}})
        assert (caught.value.status, caught.value.code) == (400, "INVALID_DATA")
        return [(o.index, o.ok, o.code) for o in result]

    outcomes, waits = run(app, org, scenario, transport=wire)
    assert outcomes == [(0, False, "MANDATORY_NOT_FOUND"), (1, False, "INVALID_DATA")]
    assert waits == []
    assert len(wire.sent("POST", "/crm/v6/Leads")) == 1
    assert len(wire.sent("PUT", "/crm/v6/Leads")) == 1  # an idempotent 400: still not retried


def test_5xx_retries_reads_but_not_inserts(
    app: Any, org: OrgHandle, fault: Callable[..., None]
) -> None:
    wire = Wire(app)
    fault(route="/crm/v6/Leads*", method="GET", status=503, count=2)
    fault(route="/crm/v6/Leads", method="POST", status=500, count=1)

    async def scenario(crm: AsyncCRM, waits: list[float]) -> int:
        count = await crm.leads.count()
        assert waits == [0.5, 1.0]
        with pytest.raises(ServerError) as caught:
            await crm.leads.create([{"Last_Name": "maybe"}])
        assert caught.value.status == 500
        return count

    count, waits = run(app, org, scenario, transport=wire)
    assert count == 0 and waits == [0.5, 1.0]
    assert len(wire.sent("GET", "/crm/v6/Leads/actions/count")) == 3
    assert len(wire.sent("POST", "/crm/v6/Leads")) == 1  # the server may have acted on it


def test_network_errors_through_the_async_driver(app: Any, org: OrgHandle) -> None:
    wire = Wire(app)

    async def scenario(crm: AsyncCRM, waits: list[float]) -> None:
        await crm.access_token()
        wire.fail("POST", "/crm/v6/Leads", httpx.ConnectError("refused"))
        assert (await crm.leads.create([{"Last_Name": "once"}])).failed == []
        assert waits == [0.5]  # never left: safe to send again
        wire.fail("GET", "/crm/v6/Leads/actions/count", httpx.ReadError("reset"))
        assert await crm.leads.count() == 1
        assert waits == [0.5, 0.5]
        wire.fail("POST", "/crm/v6/Leads", httpx.ReadError("reset"))
        with pytest.raises(TransportError) as caught:
            await crm.leads.create([{"Last_Name": "maybe"}])
        assert isinstance(caught.value.__cause__, httpx.ReadError)
        assert caught.value.request_id == wire.requests[-1].headers["X-Request-Id"]
        assert waits == [0.5, 0.5]  # it may have arrived: not sent twice

    run(app, org, scenario, transport=wire)
    assert len(wire.sent("POST", "/crm/v6/Leads")) == 3


def test_token_refreshed_when_the_clock_moves(app: Any, org: OrgHandle) -> None:
    async def scenario(crm: AsyncCRM, _: list[float]) -> tuple[str, str, int]:
        first = await crm.access_token()
        org.runtime.clock.advance(3700)
        count = await crm.leads.count()
        return first, await crm.access_token(), count

    (first, second, count), _ = run(app, org, scenario)
    assert first != second and count == 0


def test_invalid_token_is_refreshed_once(
    app: Any, org: OrgHandle, fault: Callable[..., None]
) -> None:
    wire = Wire(app)

    async def scenario(crm: AsyncCRM, waits: list[float]) -> tuple[str, str]:
        first = await crm.access_token()
        fault(route="/crm/v6/Leads/actions/count", status=401, count=1)
        assert await crm.leads.count() == 0
        second = await crm.access_token()
        fault(route="/crm/v6/Leads/actions/count", status=401, count=2)
        with pytest.raises(AuthError) as caught:
            await crm.leads.count()
        assert caught.value.code == "INVALID_TOKEN" and caught.value.details["refreshed"]
        assert waits == []
        return first, second

    (first, second), _ = run(app, org, scenario, transport=wire)
    assert first != second
    assert len(wire.sent("POST", "/oauth/v2/token")) == 3  # the first, then one per 401 run


def test_the_accounts_server_is_retried(
    app: Any, org: OrgHandle, fault: Callable[..., None]
) -> None:
    wire = Wire(app)
    wire.fail("POST", "/oauth/v2/token", httpx.ConnectError("refused"))
    fault(route="/oauth/v2/token", method="POST", status=503, count=1, org_id=None)

    async def scenario(crm: AsyncCRM, _: list[float]) -> int:
        return await crm.leads.count()

    count, waits = run(app, org, scenario, transport=wire)
    assert count == 0 and waits == [0.5, 1.0]
    assert len(wire.sent("POST", "/oauth/v2/token")) == 3


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


# Differences by design: a sync client closes, an async one acloses; the two build a
# module and a watch keeper without I/O, so neither is awaited.
CLOSE = {"close", "aclose"}
NOT_AWAITED = {"module", "keep_watching"}


def test_the_sync_and_async_clients_have_one_surface() -> None:
    sync_crm, async_crm = public(CRM), public(AsyncCRM)
    for name in CLOSE:
        sync_crm.pop(name, None)
        async_crm.pop(name, None)
    assert sync_crm.keys() == async_crm.keys()
    assert {n: p for n, p in sync_crm.items() if n != "keep_watching"} == {
        n: p for n, p in async_crm.items() if n != "keep_watching"
    }
    assert public(Module) == public(AsyncModule)


@pytest.mark.parametrize(("sync", "asynchronous"), [(CRM, AsyncCRM), (Module, AsyncModule)])
def test_what_the_sync_client_iterates_the_async_one_iterates_asynchronously(
    sync: type, asynchronous: type
) -> None:
    iterated, awaited = [], []
    for name, member in inspect.getmembers(asynchronous, inspect.isfunction):
        if name.startswith("_") or name in NOT_AWAITED | CLOSE:
            continue
        if inspect.isgeneratorfunction(getattr(sync, name)):
            assert inspect.isasyncgenfunction(member), name
            iterated.append(name)
        else:
            assert inspect.iscoroutinefunction(member), name
            awaited.append(name)
    assert {"coql", "list", "search", "related"} & set(iterated)
    assert {"count", "create", "modules", "retry_dead_letters"} & set(awaited)
    assert inspect.iscoroutinefunction(AsyncCRM.aclose)


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
