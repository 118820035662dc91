"""RetryPolicy's rules, and what a CRM retries, raises and carries against a real server."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from zcrm.client import (
    CRM,
    AuthError,
    InvalidRequest,
    MemoryTokenStore,
    NotFound,
    PermissionDenied,
    QueryError,
    RateLimited,
    RetryPolicy,
    ServerError,
    Token,
    TransportError,
    ValidationError,
    ZohoAPIError,
)
from zcrm.client._errors import error_for
from zcrm.testing import OrgHandle
from zcrm.testing.live import LiveServer, free_port

PINNED = RetryPolicy(max_attempts=4, jitter=lambda ceiling: ceiling)

# -- the pure policy ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, None])
def test_retried_statuses_and_transport_errors(status: int | None) -> None:
    assert PINNED.delay(1, status, {}) == 0.5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 413, 422])
def test_other_4xx_are_never_retried(status: int) -> None:
    assert PINNED.delay(1, status, {"Retry-After": "1"}) is None


def test_attempts_stop_at_max_attempts() -> None:
    waits = [PINNED.delay(attempt, 503, {}) for attempt in range(1, 6)]
    assert waits == [0.5, 1.0, 2.0, None, None]
    assert RetryPolicy(max_attempts=1).delay(1, 503, {}) is None


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=20, base_delay=0.5, max_delay=10.0, jitter=lambda c: c)
    waits = [policy.delay(attempt, None, {}) for attempt in range(1, 9)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_jitter_is_given_the_ceiling_and_its_answer_is_the_wait() -> None:
    ceilings: list[float] = []

    def quarter(ceiling: float) -> float:
        ceilings.append(ceiling)
        return ceiling / 4

    policy = RetryPolicy(jitter=quarter)
    assert [policy.delay(a, 500, {}) for a in (1, 2, 3)] == [0.125, 0.25, 0.5]
    assert ceilings == [0.5, 1.0, 2.0]


def test_default_jitter_is_full_jitter_below_the_ceiling() -> None:
    random.seed(1234)
    policy = RetryPolicy(max_attempts=50, base_delay=1.0, max_delay=8.0)
    waits = [policy.delay(4, 503, {}) for _ in range(200)]
    assert all(0.0 <= w <= 8.0 for w in waits if w is not None)
    assert len({round(w or 0, 6) for w in waits}) > 150  # spread, not one value
    assert min(w or 0 for w in waits) < 2.0 < max(w or 0 for w in waits)


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (429, {"Retry-After": "7"}, 7.0),
        (503, {"retry-after": "12.5"}, 12.5),  # any retried status, any header case
        (429, {"X-RATELIMIT-RESET": "30"}, 30.0),  # on a 429 only
        (503, {"X-RATELIMIT-RESET": "30"}, 0.5),
        (429, {"Retry-After": "3", "X-RATELIMIT-RESET": "30"}, 3.0),  # Retry-After first
        (429, {"Retry-After": "soon", "X-RATELIMIT-RESET": "9"}, 9.0),  # unreadable: next one
        (429, {"Retry-After": "0.1"}, 0.5),  # never shorter than the backoff either
        (429, {"Retry-After": "-5"}, 0.5),
        (429, {"Retry-After": "600"}, 600.0),  # the server's word beats max_delay
    ],
)
def test_server_asked_waits(status: int, headers: dict[str, str], expected: float) -> None:
    assert PINNED.delay(1, status, headers) == expected


def test_a_wait_beyond_max_server_wait_is_not_waited_for() -> None:
    assert PINNED.delay(1, 429, {"Retry-After": "901"}) is None  # a spent daily quota
    assert RetryPolicy(max_server_wait=3600).delay(1, 429, {"Retry-After": "901"}) == 901.0


def test_retry_after_as_an_http_date() -> None:
    from email.utils import format_datetime

    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    wait = PINNED.delay(1, 503, {"Retry-After": soon})
    assert wait is not None and 25 <= wait <= 30
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=30), usegmt=True)
    assert PINNED.delay(1, 503, {"Retry-After": past}) == 0.5  # the backoff


def test_server_wait_reads_httpx_headers() -> None:
    headers = httpx.Headers({"Retry-After": "4", "X-RateLimit-Reset": "40"})
    assert PINNED.delay(2, 429, headers) == 4.0


# -- errors by status ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "family"),
    [
        (401, "INVALID_TOKEN", AuthError),
        (403, "NO_PERMISSION", PermissionDenied),
        (404, "INVALID_URL_PATTERN", NotFound),
        (429, "TOO_MANY_REQUESTS", RateLimited),
        (500, "INTERNAL_ERROR", ServerError),
        (503, None, ServerError),
        (400, "MANDATORY_NOT_FOUND", ValidationError),
        (400, "SYNTAX_ERROR", QueryError),
        (400, "INVALID_MODULE", InvalidRequest),
    ],
)
def test_error_family_by_status_and_code(
    status: int, code: str | None, family: type[ZohoAPIError]
) -> None:
    body = {"code": code, "details": {"api_name": "X"}, "message": "m", "status": "error"}
    error = error_for(status, body if code else None, request_id="r-1")
    assert type(error) is family
    assert (error.status, error.code, error.request_id) == (status, code, "r-1")
    assert error.details == ({"api_name": "X"} if code else {})


# -- against a real server ---------------------------------------------------------------------


class Recording(httpx.HTTPTransport):
    """The real transport, keeping every request it sends."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        return super().handle_request(request)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if (r.method, r.url.path) == (method, path)]


class Client:
    """A CRM against the live server, with the requests it sent and the waits it asked for."""

    def __init__(self, crm: CRM, transport: Recording, sleeps: list[float]) -> None:
        self.crm, self.transport, self.sleeps = crm, transport, sleeps


@pytest.fixture
def make_client(client_server: LiveServer, org: OrgHandle) -> Iterator[Callable[..., Client]]:
    made: list[CRM] = []

    def make(
        api_url: str | None = None, transport: Recording | None = None, **options: Any
    ) -> Client:
        sleeps: list[float] = []
        transport = transport or Recording()
        options.setdefault("refresh_token", org.tokens().refresh_token)
        crm = CRM(
            client_id=org.client.client_id,
            client_secret=org.client.client_secret,
            api_url=api_url or client_server.url,
            transport=transport,
            sleep=sleeps.append,
            retry=PINNED,
            clock=lambda: org.runtime.clock.timestamp(),
            **options,
        )
        made.append(crm)
        return Client(crm, transport, sleeps)

    yield make
    for crm in made:
        crm.close()


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    found = make_client()
    found.crm.access_token()  # the token first, so tests count only the API's requests
    found.transport.requests.clear()
    return found


def seeded_store(crm: CRM) -> MemoryTokenStore:
    """A store already holding a fresh token, so a call goes straight to the API."""
    store = MemoryTokenStore()
    store.save(crm.settings.credentials.store_key, Token("1000.seeded", time.time() + 3600))
    return store


REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def test_connection_refused_is_retried_then_a_transport_error(
    make_client: Callable[..., Client],
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    found = make_client(api_url=closed, refresh_token="1000.r")
    found.crm.tokens = seeded_store(found.crm)
    with pytest.raises(TransportError) as caught:
        found.crm.leads.count()
    assert len(found.transport.sent("GET", "/crm/v6/Leads/actions/count")) == 4
    assert found.sleeps == [0.5, 1.0, 2.0]
    error = caught.value
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert error.status is None and error.code is None and error.details == {}
    assert error.request_id == found.transport.requests[-1].headers["X-Request-Id"]
    # An insert is retried too: a refused connection surely created nothing.
    found.transport.requests.clear()
    with pytest.raises(TransportError):
        found.crm.leads.create([{"Last_Name": "never sent"}])
    assert len(found.transport.sent("POST", "/crm/v6/Leads")) == 4


def test_token_endpoint_refused_is_a_transport_error(make_client: Callable[..., Client]) -> None:
    found = make_client(api_url=f"http://127.0.0.1:{free_port()}", refresh_token="1000.r")
    with pytest.raises(TransportError):
        found.crm.leads.count()
    assert len(found.transport.sent("POST", "/oauth/v2/token")) == 4
    assert found.sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(
    ("status", "family", "code"),
    [(403, PermissionDenied, "NO_PERMISSION"), (404, NotFound, "INVALID_URL_PATTERN")],
)
def test_403_and_404_are_raised_at_once(
    client: Client,
    fault: Callable[..., None],
    status: int,
    family: type[ZohoAPIError],
    code: str,
) -> None:
    fault(route="/crm/v6/Leads*", status=status, count=3)
    with pytest.raises(family) as caught:
        client.crm.leads.count()
    (sent,) = client.transport.requests
    assert client.sleeps == []
    error = caught.value
    assert (error.status, error.code, error.details) == (status, code, {})
    assert error.request_id == sent.headers["X-Request-Id"]
    assert REQUEST_ID.match(error.request_id or "")
    assert str(error).startswith(f"{code}: ")


def test_server_errors_carry_their_details(client: Client) -> None:
    with pytest.raises(QueryError) as caught:
        client.crm.request("POST", "coql", json={"select_query": "select from"})
    error = caught.value
    assert (error.status, error.code) == (400, "SYNTAX_ERROR")
    assert error.details and error.message
    assert error.request_id == client.transport.requests[-1].headers["X-Request-Id"]
    assert client.sleeps == []


def test_5xx_exhausts_the_attempts_then_server_error(
    client: Client, fault: Callable[..., None]
) -> None:
    fault(route="/crm/v6/Leads*", method="GET", status=503, count=10)
    with pytest.raises(ServerError) as caught:
        client.crm.leads.count()
    assert len(client.transport.requests) == 4
    assert client.sleeps == [0.5, 1.0, 2.0]
    assert caught.value.status == 503
    request_ids = {r.headers["X-Request-Id"] for r in client.transport.requests}
    assert len(request_ids) == 4  # one per attempt
    assert caught.value.request_id == client.transport.requests[-1].headers["X-Request-Id"]


def test_an_insert_is_not_retried_after_a_500(client: Client, fault: Callable[..., None]) -> None:
    """The server may have acted on it: a retry could create the record twice."""
    fault(route="/crm/v6/Leads", method="POST", status=500, count=1)
    with pytest.raises(ServerError):
        client.crm.leads.create([{"Last_Name": "once"}])
    assert len(client.transport.sent("POST", "/crm/v6/Leads")) == 1
    assert client.sleeps == []


def test_idempotent_writes_are_retried_after_a_500_without_duplicates(
    client: Client, fault: Callable[..., None]
) -> None:
    crm = client.crm
    (lead_id,) = crm.leads.create([{"Last_Name": "Ortega", "Email": "o@example.com"}]).ids
    assert lead_id is not None
    fault(route="/crm/v6/Leads*", method="POST", status=500, count=1)
    fault(route="/crm/v6/Leads", method="PUT", status=502, count=1)
    fault(route="/crm/v6/Leads", method="DELETE", status=503, count=1)
    client.transport.requests.clear()
    upserted = crm.leads.upsert(
        [{"Last_Name": "Ortega 2", "Email": "o@example.com"}, {"Last_Name": "New"}],
        duplicate_check_fields=["Email"],
    )
    assert [o.action for o in upserted] == ["update", "insert"]
    updated = crm.leads.update([{"id": lead_id, "Company": "ACME"}])
    assert updated.succeeded[0].id == lead_id
    assert client.sleeps == [0.5, 0.5]
    assert len(client.transport.sent("POST", "/crm/v6/Leads/upsert")) == 2
    assert len(client.transport.sent("PUT", "/crm/v6/Leads")) == 2
    names = sorted(r["Last_Name"] for r in crm.leads.list(["Last_Name"]))
    assert names == ["New", "Ortega 2"]
    assert crm.leads.get(lead_id, ["Company"]) == {"Company": "ACME", "id": lead_id}
    assert crm.leads.delete([lead_id]).succeeded[0].id == lead_id
    assert len(client.transport.sent("DELETE", "/crm/v6/Leads")) == 2
    assert crm.leads.count() == 1


def test_a_dropped_answer_retries_reads_but_not_inserts(
    client: Client, fault: Callable[..., None]
) -> None:
    fault(route="/crm/v6/Leads*", method="GET", drop_connection=True, count=1)
    assert client.crm.leads.count() == 0
    assert client.sleeps == [0.5]
    fault(route="/crm/v6/Leads", method="POST", drop_connection=True, count=1)
    with pytest.raises(TransportError) as caught:
        client.crm.leads.create([{"Last_Name": "maybe"}])
    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)
    assert len(client.transport.sent("POST", "/crm/v6/Leads")) == 1
    assert caught.value.request_id == client.transport.requests[-1].headers["X-Request-Id"]


def test_a_timed_out_insert_is_not_sent_again(
    make_client: Callable[..., Client], fault: Callable[..., None]
) -> None:
    """The server may act on the insert after the client gave up: a retry could duplicate."""
    found = make_client(timeout=0.5)
    found.crm.access_token()
    fault(route="/crm/v6/Leads", method="POST", latency_ms=1500, count=1)
    with pytest.raises(TransportError) as caught:
        found.crm.leads.create([{"Last_Name": "slow"}])
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert len(found.transport.sent("POST", "/crm/v6/Leads")) == 1
    assert found.sleeps == []
    fault(route="/crm/v6/Leads*", method="GET", latency_ms=1500, count=1)
    assert found.crm.leads.count() in (0, 1)  # a read is simply asked again
    assert found.sleeps[:1] == [0.5]  # (a loaded machine may need one more)


class FailingFirst(Recording):
    """Raises ``error`` for the first request (as if the connection could not be made)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error: Exception | None = error

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.error is not None and request.url.path.startswith("/crm/"):
            error, self.error = self.error, None
            self.requests.append(request)
            raise error
        return super().handle_request(request)


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("no SYN-ACK"), httpx.PoolTimeout("")],
    ids=["connect-error", "connect-timeout", "pool-timeout"],
)
def test_an_insert_is_retried_when_the_request_never_left(
    make_client: Callable[..., Client], error: Exception
) -> None:
    found = make_client(transport=FailingFirst(error))
    assert found.crm.leads.create([{"Last_Name": "once"}]).ids[0]
    assert len(found.transport.sent("POST", "/crm/v6/Leads")) == 2
    assert found.sleeps == [0.5]
    assert found.crm.leads.count() == 1


def test_accounts_server_5xx_is_retried_then_a_server_error(
    make_client: Callable[..., Client], fault: Callable[..., None]
) -> None:
    found = make_client()
    fault(route="/oauth/v2/token", method="POST", status=503, count=4, org_id=None)
    with pytest.raises(ServerError) as caught:
        found.crm.leads.count()
    assert len(found.transport.sent("POST", "/oauth/v2/token")) == 4
    assert found.sleeps == [0.5, 1.0, 2.0]
    assert caught.value.status == 503
