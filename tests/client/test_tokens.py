"""Token stores, the OAuth grants a CRM can start from, and one refresh for many threads."""

from __future__ import annotations

import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from zcrm.client import (
    CRM,
    FileTokenStore,
    MemoryTokenStore,
    OAuthError,
    SQLTokenStore,
    Token,
    TokenStore,
)
from zcrm.testing import ALL_SCOPES, OrgHandle
from zcrm.testing.live import LiveServer

TOKEN = Token("1000.access", 1_900_000_000.0, "1000.refresh", "ZohoCRM.modules.ALL", "https://x")
OTHER = Token("1000.access-2", 1_900_003_600.0, "1000.refresh", None, None)
HOUR = 3700  # past an access token's hour


class Recording(httpx.HTTPTransport):
    """The real transport, noting every request it sends (from any thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.sent.append(f"{request.method} {request.url.path}")
        return super().handle_request(request)

    def token_requests(self) -> int:
        with self._lock:
            return self.sent.count("POST /oauth/v2/token")


StoreFactory = Callable[[Path], TokenStore]
STORES: dict[str, StoreFactory] = {
    "memory": lambda tmp: MemoryTokenStore(),
    "file": lambda tmp: FileTokenStore(tmp / "tokens.json"),
    "sql": lambda tmp: SQLTokenStore(f"sqlite:///{tmp / 'tokens.sqlite3'}"),
}
SHARED_STORES = {k: v for k, v in STORES.items() if k != "memory"}


@pytest.fixture(params=list(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> TokenStore:
    return STORES[request.param](tmp_path)


@pytest.fixture
def connect(client_server: LiveServer, org: OrgHandle) -> Iterator[Callable[..., CRM]]:
    """A factory of CRMs against the live server, on the server's clock; closed afterwards."""
    made: list[CRM] = []

    def make(**options: Any) -> CRM:
        if not {"refresh_token", "grant_code", "scope"} & options.keys():
            options["refresh_token"] = org.tokens().refresh_token
        crm = CRM(
            client_id=org.client.client_id,
            client_secret=org.client.client_secret,
            api_url=client_server.url,
            clock=lambda: org.runtime.clock.timestamp(),
            **options,
        )
        made.append(crm)
        return crm

    yield make
    for crm in made:
        crm.close()


# -- stores ------------------------------------------------------------------------------------


def test_store_round_trip_overwrite_and_delete(store: TokenStore) -> None:
    assert store.load("client:a") is None
    store.save("client:a", TOKEN)
    store.save("client:b", OTHER)
    assert store.load("client:a") == TOKEN
    store.save("client:a", OTHER)
    assert store.load("client:a") == OTHER
    store.delete("client:a")
    assert store.load("client:a") is None
    assert store.load("client:b") == OTHER
    store.delete("client:a")  # deleting what is not there is fine


@pytest.mark.parametrize("kind", list(SHARED_STORES))
def test_shared_stores_outlive_the_instance(kind: str, tmp_path: Path) -> None:
    SHARED_STORES[kind](tmp_path).save("k", TOKEN)
    assert SHARED_STORES[kind](tmp_path).load("k") == TOKEN


def test_file_store_is_private_and_atomic(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "tokens.json"
    store = FileTokenStore(path)
    store.save("k", TOKEN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.save("k", OTHER)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["tokens.json"]  # no temp files left


def test_file_store_ignores_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{not json")
    store = FileTokenStore(path)
    assert store.load("k") is None
    store.save("k", TOKEN)
    assert store.load("k") == TOKEN


def test_file_store_expands_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/client.md shows ``FileTokenStore("~/.config/my-app/tokens.json")``."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    FileTokenStore("~/.config/app/tokens.json").save("k", TOKEN)
    assert (tmp_path / ".config" / "app" / "tokens.json").is_file()
    assert not (tmp_path / "~").exists()


@pytest.mark.parametrize("kind", list(STORES))
def test_store_takes_concurrent_saves(kind: str, tmp_path: Path) -> None:
    """Threads saving (first inserts of one key included) lose nothing and raise nothing."""
    store = STORES[kind](tmp_path)
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                store.save("shared", Token(f"t{n}-{i}", 1.0))
                store.save(f"own-{n}", Token(f"t{n}", 1.0))
        except BaseException as error:  # pragma: no cover - the failure being tested
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(store.load(f"own-{n}") == Token(f"t{n}", 1.0) for n in range(8))
    assert store.load("shared") is not None


def test_token_freshness_and_parsing() -> None:
    token = Token.from_response(
        {"access_token": "a", "expires_in": 3600, "api_domain": "https://d"}, 1000.0, "r-old"
    )
    assert token == Token("a", 4600.0, "r-old", None, "https://d")
    assert token.fresh(4600.0 - 61) and not token.fresh(4600.0 - 60)
    legacy = Token.from_response(
        {"access_token": "a", "expires_in": 3600000, "expires_in_sec": 3600, "refresh_token": "r"},
        0.0,
        "r-old",
    )
    assert (legacy.expires_at, legacy.refresh_token) == (3600.0, "r")


# -- grants --------------------------------------------------------------------------------------


def test_refresh_token_grant_keeps_its_token_in_the_store(
    connect: Callable[..., CRM], store: TokenStore
) -> None:
    crm = connect(token_store=store)
    assert crm.leads.count() == 0
    saved = store.load(crm.settings.credentials.store_key)
    assert saved is not None
    assert saved.access_token == crm.access_token()
    assert saved.fresh(crm.clock())


def test_grant_code_is_exchanged_once_then_refreshed(
    connect: Callable[..., CRM], org: OrgHandle, runtime: Any, tmp_path: Path
) -> None:
    path = tmp_path / "tokens.json"
    code = org.grant_code()
    first = connect(grant_code=code, token_store=FileTokenStore(path))
    assert first.leads.create([{"Last_Name": "granted"}]).ids[0]
    saved = FileTokenStore(path).load(first.settings.credentials.store_key)
    assert saved is not None and saved.refresh_token
    # A restarted process with the same (now spent) code refreshes with the stored token.
    runtime.clock.advance(HOUR)
    transport = Recording()
    again = connect(grant_code=code, token_store=FileTokenStore(path), transport=transport)
    assert again.leads.count() == 1
    assert transport.token_requests() == 1
    refreshed = FileTokenStore(path).load(first.settings.credentials.store_key)
    assert refreshed is not None
    assert refreshed.refresh_token == saved.refresh_token
    assert refreshed.access_token != saved.access_token


def test_a_spent_grant_code_is_an_oauth_error(connect: Callable[..., CRM], org: OrgHandle) -> None:
    code = org.grant_code()
    connect(grant_code=code).current_user()
    with pytest.raises(OAuthError) as caught:
        connect(grant_code=code).current_user()  # a fresh store: nothing to refresh with
    assert caught.value.code


def test_client_credentials_grant(
    connect: Callable[..., CRM], org: OrgHandle, runtime: Any
) -> None:
    transport = Recording()
    crm = connect(scope=ALL_SCOPES, soid=f"ZohoCRM.{org.org_id}", transport=transport)
    assert crm.leads.create([{"Last_Name": "machine"}]).ids[0]
    user = crm.current_user()
    assert user is not None and str(user["id"]) == str(org.admin_id)
    runtime.clock.advance(HOUR)  # no refresh token: the grant is simply made again
    assert crm.leads.count() == 1
    assert transport.token_requests() == 2


# -- one refresh for many threads ---------------------------------------------------------------


def hammer(calls: list[Callable[[], object]], rounds: int = 3) -> list[BaseException]:
    """Run each call ``rounds`` times in its own thread, all starting together."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def work(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            for _ in range(rounds):
                call()
        except BaseException as error:  # pragma: no cover - the failure being tested
            errors.append(error)

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_threads_sharing_a_crm_refresh_once(
    connect: Callable[..., CRM], runtime: Any, store: TokenStore
) -> None:
    transport = Recording()
    crm = connect(token_store=store, transport=transport)
    before = crm.access_token()
    runtime.clock.advance(HOUR)
    assert hammer([crm.leads.count] * 8) == []
    assert transport.token_requests() == 2  # the first token, then one refresh
    assert transport.sent.count("GET /crm/v6/Leads/actions/count") == 24
    assert crm.access_token() != before


@pytest.mark.parametrize("kind", list(SHARED_STORES))
def test_clients_sharing_a_store_refresh_once(
    connect: Callable[..., CRM], runtime: Any, org: OrgHandle, kind: str, tmp_path: Path
) -> None:
    refresh_token = org.tokens().refresh_token
    transports = [Recording(), Recording()]
    first, second = (
        connect(
            refresh_token=refresh_token,
            token_store=SHARED_STORES[kind](tmp_path),
            transport=transport,
        )
        for transport in transports
    )
    first.leads.count()
    second.leads.count()  # finds the first one's token
    assert [t.token_requests() for t in transports] == [1, 0]
    runtime.clock.advance(HOUR)
    first.leads.count()
    second.leads.count()
    assert [t.token_requests() for t in transports] == [2, 0]
    assert first.access_token() == second.access_token()


@pytest.mark.parametrize("kind", list(SHARED_STORES))
def test_threads_of_clients_sharing_a_store_refresh_once(
    connect: Callable[..., CRM], runtime: Any, org: OrgHandle, kind: str, tmp_path: Path
) -> None:
    """A CRM per thread (or per web request) on one store: still one refresh. Twelve
    refreshes would also run into Zoho's ten per refresh token in ten minutes."""
    refresh_token = org.tokens().refresh_token
    transport = Recording()
    clients = [
        connect(
            refresh_token=refresh_token,
            token_store=SHARED_STORES[kind](tmp_path),
            transport=transport,
        )
        for _ in range(12)
    ]
    clients[0].current_user()
    runtime.clock.advance(HOUR)
    assert hammer([c.leads.count for c in clients], rounds=2) == []
    assert transport.token_requests() == 2
