"""The dead-letter store: failures kept, listed, fixed and retried, discarded; pluggable."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from zcrm.client import (
    CRM,
    AsyncCRM,
    DeadLetter,
    DeadLetterStore,
    SQLiteDeadLetterStore,
    TransportError,
)
from zcrm.testing import OrgHandle
from zcrm.testing.live import LiveServer

T = TypeVar("T")


def test_failures_land_with_their_error_and_record(crm: CRM, tmp_path: Path) -> None:
    crm.dead_letters = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")
    result = crm.leads.create(
        [{"Last_Name": "fine"}, {"First_Name": "no last name"}, {"Last_Name": "x", "Email": "bad"}]
    )
    assert [o.ok for o in result] == [True, False, False]
    letters = crm.dead_letters.list("Leads")
    assert [(x.operation, x.record, x.code) for x in letters] == [
        ("create", {"First_Name": "no last name"}, "MANDATORY_NOT_FOUND"),
        ("create", {"Last_Name": "x", "Email": "bad"}, "INVALID_DATA"),
    ]
    assert letters[0].details == {"api_name": "Last_Name", "json_path": "$.data[1].Last_Name"}
    assert letters[1].details["api_name"] == "Email" and letters[1].attempts == 1
    assert crm.dead_letters.list("Contacts") == []


def test_retry_with_a_fix_discard_and_durability(crm: CRM, tmp_path: Path) -> None:
    path = tmp_path / "dead.sqlite3"
    crm.dead_letters = SQLiteDeadLetterStore(path)
    crm.leads.create(
        [{"First_Name": "Ada"}, {"Last_Name": "Bad", "Email": "nope"}, {"First_Name": "Bob"}]
    )
    crm.dead_letters = SQLiteDeadLetterStore(path)  # reopened: nothing lost
    assert len(crm.dead_letters.list()) == 3

    unchanged = crm.leads.retry_dead_letters()  # as they are: they fail again
    assert len(unchanged.failed) == 3
    assert [x.attempts for x in crm.dead_letters.list()] == [2, 2, 2]

    def fix(letter: DeadLetter) -> dict[str, Any] | None:
        if letter.record.get("First_Name") == "Bob":
            return None  # not worth keeping
        if "Email" in letter.record:
            return {**letter.record, "Email": "still bad"}  # a wrong fix
        return {**letter.record, "Last_Name": "Lovelace"}

    fixed = crm.leads.retry_dead_letters(fix)
    assert [o.ok for o in fixed] == [True, False]
    (left,) = crm.dead_letters.list()
    assert left.record == {"Last_Name": "Bad", "Email": "still bad"}  # as last sent
    assert left.code == "INVALID_DATA"
    assert [r["Last_Name"] for r in crm.leads.list(["Last_Name"])] == ["Lovelace"]
    crm.dead_letters.discard(left.id)
    assert crm.dead_letters.list() == []


def test_updates_and_upserts_are_retried_as_what_they_were(crm: CRM, tmp_path: Path) -> None:
    crm.dead_letters = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")
    (lead_id,) = crm.leads.create([{"Last_Name": "Kept"}]).ids
    crm.leads.update([{"id": lead_id, "Email": "not an email"}])
    crm.leads.upsert([{"Email": "u@example.com"}], duplicate_check_fields=["Email"])
    assert [x.operation for x in crm.dead_letters.list()] == ["update", "upsert"]

    def fix(letter: DeadLetter) -> dict[str, Any]:
        if letter.operation == "update":
            return {**letter.record, "Email": "kept@example.com"}
        return {**letter.record, "Last_Name": "Upserted"}

    assert len(crm.leads.retry_dead_letters(fix).succeeded) == 2
    assert crm.leads.get(lead_id, ["Email"]) == {"Email": "kept@example.com", "id": lead_id}
    assert crm.leads.count() == 2 and crm.dead_letters.list() == []


class ListStore:
    """A store of one's own (here a list): the protocol's four methods are all it takes."""

    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    def add(
        self,
        module: str,
        operation: str,
        record: dict[str, Any],
        code: str | None,
        message: str | None,
        details: dict[str, Any],
    ) -> int:
        letter_id = len(self.letters) + 1
        self.letters.append(
            DeadLetter(letter_id, module, operation, record, code, message, details, 0.0, 1)
        )
        return letter_id

    def list(self, module: str | None = None) -> list[DeadLetter]:
        return [x for x in self.letters if module in (None, x.module)]

    def discard(self, letter_id: int) -> None:
        self.letters = [x for x in self.letters if x.id != letter_id]

    def bump(self, letter_id: int) -> None:
        pass


def test_a_store_of_ones_own(crm: CRM) -> None:
    store: DeadLetterStore = ListStore()
    crm.dead_letters = store
    crm.contacts.create([{"First_Name": "no last name"}])
    assert [(x.module, x.code) for x in store.list()] == [("Contacts", "MANDATORY_NOT_FOUND")]
    crm.contacts.retry_dead_letters(lambda letter: {**letter.record, "Last_Name": "Fixed"})
    assert store.list() == [] and crm.contacts.count() == 1


def test_a_fix_may_edit_the_letter_it_is_given(crm: CRM, tmp_path: Path) -> None:
    """A fix that edits ``letter.record`` in place and returns it: what was sent is what
    stays, with the new error (the store's copy is not the one the fix edits)."""
    crm.dead_letters = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")
    crm.leads.create([{"First_Name": "Ada", "Email": "bad"}])
    (before,) = crm.dead_letters.list()
    assert before.code == "MANDATORY_NOT_FOUND"

    def fix(letter: DeadLetter) -> dict[str, Any]:
        letter.record["Last_Name"] = "Lovelace"  # the Email is still bad
        return letter.record

    assert [o.code for o in crm.leads.retry_dead_letters(fix)] == ["INVALID_DATA"]
    (after,) = crm.dead_letters.list()
    assert after.record == {"First_Name": "Ada", "Email": "bad", "Last_Name": "Lovelace"}
    assert (after.code, after.details["api_name"]) == ("INVALID_DATA", "Email")


def test_a_fix_that_fails_half_way_leaves_the_letter_as_it_was(crm: CRM) -> None:
    store = ListStore()  # keeps the very dicts it is given and hands them out
    crm.dead_letters = store
    crm.contacts.create([{"First_Name": "Cy"}])

    def fix(letter: DeadLetter) -> dict[str, Any]:
        letter.record["Last_Name"] = "half done"
        raise LookupError("the CRM of record is down")

    with pytest.raises(LookupError):
        crm.contacts.retry_dead_letters(fix)
    assert [x.record for x in store.list()] == [{"First_Name": "Cy"}]
    assert crm.contacts.count() == 0


def test_records_are_kept_as_they_were_sent(crm: CRM, tmp_path: Path) -> None:
    """Datetimes go out as ISO 8601 (``T``, offset): the letter holds that, not ``str()``."""
    crm.dead_letters = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")
    start = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    crm.events.create([{"Start_DateTime": start, "End_DateTime": start + timedelta(hours=1)}])
    (letter,) = crm.dead_letters.list("Events")
    assert letter.record == {
        "Start_DateTime": "2024-05-01T10:00:00+00:00",
        "End_DateTime": "2024-05-01T11:00:00+00:00",
    }
    (done,) = crm.events.retry_dead_letters(lambda x: {**x.record, "Event_Title": "Kick-off"})
    assert done.ok and done.id is not None
    got = crm.events.get(done.id, ["Start_DateTime"]) or {}
    assert got["Start_DateTime"] == "2024-05-01T10:00:00+00:00"


def test_nothing_to_retry(crm: CRM, tmp_path: Path) -> None:
    assert len(crm.leads.retry_dead_letters()) == 0  # no store at all
    crm.dead_letters = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")
    crm.contacts.create([{"First_Name": "only a contact"}])
    assert len(crm.leads.retry_dead_letters()) == 0  # nothing for this module
    assert len(crm.dead_letters.list("Contacts")) == 1


def test_stores_on_one_file_take_concurrent_writers(tmp_path: Path) -> None:
    """Two stores on one file (two processes, say), four threads each adding."""
    stores = [SQLiteDeadLetterStore(tmp_path / "dead.sqlite3") for _ in range(2)]

    def add(worker: int) -> None:
        for n in range(25):
            stores[worker % 2].add(
                "Leads", "create", {"n": n, "w": worker}, "INVALID_DATA", "x", {}
            )

    threads = [threading.Thread(target=add, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    letters = stores[0].list()
    assert len(letters) == 200 and len({x.id for x in letters}) == 200
    assert sorted((x.record["w"], x.record["n"]) for x in letters) == sorted(
        (w, n) for w in range(8) for n in range(25)
    )
    assert stores[1].list("Leads") == letters and stores[1].list("Contacts") == []
    for letter in letters[:150]:
        stores[1].discard(letter.id)
    assert stores[0].list() == letters[150:]


def test_an_upsert_is_retried_with_its_duplicate_check_fields(crm: CRM, tmp_path: Path) -> None:
    crm.dead_letters = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")
    crm.request(
        "POST",
        "settings/fields",
        params={"module": "Leads"},
        json={"fields": [{"field_label": "Ext Ref", "data_type": "text", "unique": True}]},
    )
    first, _ = crm.leads.create(
        [
            {"Last_Name": "A", "Email": "a@example.com", "Ext_Ref__c": "R1"},
            {"Last_Name": "B", "Email": "b@example.com"},
        ]
    ).ids
    # Matched on Ext_Ref__c this is A's update (A takes B's email: Email is not unique).
    crm.leads.upsert(
        [{"Ext_Ref__c": "R1", "Email": "b@example.com", "Annual_Revenue": "lots"}],
        duplicate_check_fields=["Ext_Ref__c"],
    )
    (retried,) = crm.leads.retry_dead_letters(lambda x: {**x.record, "Annual_Revenue": 5})
    assert (retried.ok, retried.action, retried.id) == (True, "update", first)


ASYNC_DEADLINE = 10.0


def run_async(
    app: Any, org: OrgHandle, scenario: Callable[[AsyncCRM], Awaitable[T]], **options: Any
) -> T:
    async def main() -> T:
        options.setdefault("transport", httpx.ASGITransport(app=app))
        async with AsyncCRM(
            client_id=org.client.client_id,
            client_secret=org.client.client_secret,
            refresh_token=org.tokens().refresh_token,
            api_url="http://testserver",
            clock=org.runtime.clock.timestamp,
            **options,
        ) as crm:
            return await asyncio.wait_for(scenario(crm), ASYNC_DEADLINE)

    return asyncio.run(main())


def test_the_async_client_keeps_and_retries_letters(
    app: Any, org: OrgHandle, tmp_path: Path
) -> None:
    store = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")

    async def scenario(crm: AsyncCRM) -> list[str]:
        created = await crm.leads.create(
            [{"Last_Name": "ok"}, {"First_Name": "Ada"}, {"First_Name": "Bob"}]
        )
        assert [o.ok for o in created] == [True, False, False]
        await crm.contacts.create([{"First_Name": "Cy"}])
        assert [x.record for x in store.list("Leads")] == [
            {"First_Name": "Ada"},
            {"First_Name": "Bob"},
        ]
        assert store.list("Leads")[0].details == {
            "api_name": "Last_Name",
            "json_path": "$.data[1].Last_Name",
        }
        again = await crm.leads.retry_dead_letters()  # as they are: they fail again
        assert [o.code for o in again] == ["MANDATORY_NOT_FOUND"] * 2
        assert [x.attempts for x in store.list("Leads")] == [2, 2]

        def fix(letter: DeadLetter) -> dict[str, Any] | None:
            if letter.record["First_Name"] == "Bob":
                return None
            return {**letter.record, "Last_Name": "Lovelace"}

        fixed = await crm.leads.retry_dead_letters(fix)
        assert [(o.ok, o.index) for o in fixed] == [(True, 0)]
        assert store.list("Leads") == []
        assert [(x.module, x.code) for x in store.list()] == [("Contacts", "MANDATORY_NOT_FOUND")]
        return sorted([r["Last_Name"] async for r in crm.leads.list(["Last_Name"])])

    assert run_async(app, org, scenario, dead_letters=store) == ["Lovelace", "ok"]


class ResetsNthPost(httpx.AsyncBaseTransport):
    """The app over ASGI, but the answer to the ``n``-th POST to ``path`` is lost (the
    server acted on it; the client cannot know that, so it may not send it again)."""

    def __init__(self, app: Any, path: str, n: int) -> None:
        self.app = httpx.ASGITransport(app=app)
        self.path, self.n = path, n
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.app.handle_async_request(request)
        if (request.method, request.url.path) == ("POST", self.path):
            self.posts += 1
            if self.posts == self.n:
                await response.aclose()
                raise httpx.ReadError("connection reset by peer")
        return response


class SyncResetsNthPost(httpx.HTTPTransport):
    """The same over a socket, for :class:`CRM`."""

    def __init__(self, path: str, n: int) -> None:
        super().__init__()
        self.path, self.n = path, n
        self.posts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if (request.method, request.url.path) == ("POST", self.path):
            self.posts += 1
            if self.posts == self.n:
                response.close()
                raise httpx.ReadError("connection reset by peer")
        return response


RECORDS = [{"Last_Name": "a"}, {"First_Name": "b"}, {"Last_Name": "c"}, {"First_Name": "d"}]


def test_letters_of_earlier_chunks_are_kept_when_a_later_chunk_fails_async(
    app: Any, org: OrgHandle, tmp_path: Path
) -> None:
    store = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")

    async def scenario(crm: AsyncCRM) -> None:
        with pytest.raises(TransportError):
            await crm.leads.create(RECORDS)

    transport = ResetsNthPost(app, "/crm/v6/Leads", n=2)
    run_async(app, org, scenario, dead_letters=store, chunk_size=2, transport=transport)
    assert [x.record for x in store.list()] == [{"First_Name": "b"}]  # "d": never answered


def test_letters_of_earlier_chunks_are_kept_when_a_later_chunk_fails_sync(
    client_server: LiveServer, org: OrgHandle, tmp_path: Path
) -> None:
    store = SQLiteDeadLetterStore(tmp_path / "dead.sqlite3")
    with (
        CRM(
            client_id=org.client.client_id,
            client_secret=org.client.client_secret,
            refresh_token=org.tokens().refresh_token,
            api_url=client_server.url,
            clock=org.runtime.clock.timestamp,
            dead_letters=store,
            chunk_size=2,
            transport=SyncResetsNthPost("/crm/v6/Leads", n=2),
        ) as crm,
        pytest.raises(TransportError),
    ):
        crm.leads.create(RECORDS)
    assert [x.record for x in store.list()] == [{"First_Name": "b"}]
