"""The synchronous client, :class:`CRM`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import httpx

from zcrm.client import _operations as ops
from zcrm.client._auth import Credentials, accept_token, token_request
from zcrm.client._batch import BatchResult, Outcome, chunks
from zcrm.client._channels import WatchKeeper
from zcrm.client._config import Endpoints
from zcrm.client._deadletter import (
    DeadLetterStore,
    Fix,
    file_failures,
    settle_letter,
    to_resend,
)
from zcrm.client._errors import TransportError
from zcrm.client._flow import Core, Flow, NeedToken, Sleep
from zcrm.client._paging import (
    coql_pages,
    coql_query,
    next_list_params,
    next_search_params,
    snake_to_module,
)
from zcrm.client._retry import RetryPolicy
from zcrm.client._settings import ClientSettings, write_extra
from zcrm.client._tokens import MemoryTokenStore, Token, TokenStore

T = TypeVar("T")

_REFRESH_LOCKS: dict[str, threading.Lock] = {}
_REFRESH_LOCKS_GUARD = threading.Lock()


def _refresh_lock(store_key: str) -> threading.Lock:
    """One lock per grant for the whole process, not per client: clients that share a
    store (a web app making a CRM per request) then refresh once between them, instead
    of once each and into Zoho's ten-refreshes-in-ten-minutes limit."""
    with _REFRESH_LOCKS_GUARD:
        return _REFRESH_LOCKS.setdefault(store_key, threading.Lock())


class CRM:
    """A Zoho CRM client (sync). ``crm.leads.create([...])``, ``crm.coql("select …")``.

    Give it OAuth credentials and where to talk: a Zoho data centre and environment,
    or explicit ``api_url``/``accounts_url`` (a zcrm server, a proxy). It refreshes its
    token before expiry and once on ``INVALID_TOKEN``, retries 429/5xx/network errors
    with backoff (honouring ``Retry-After``), splits batch writes into allowed chunks
    and reports every record's outcome, and can keep failing records in a dead-letter
    store. The httpx transport is injectable (``transport=httpx.ASGITransport(app)``…
    for the async client; any sync transport here).
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str | None = None,
        grant_code: str | None = None,
        redirect_uri: str | None = None,
        scope: str | None = None,
        soid: str | None = None,
        data_centre: str = "com",
        environment: str = "production",
        api_url: str | None = None,
        accounts_url: str | None = None,
        version: str = "v6",
        token_store: TokenStore | None = None,
        retry: RetryPolicy | None = None,
        chunk_size: int = 100,
        dead_letters: DeadLetterStore | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        event_hooks: dict[str, list[Callable[..., Any]]] | None = None,
    ) -> None:
        self.settings = ClientSettings.build(
            Credentials(
                client_id, client_secret, refresh_token, grant_code, redirect_uri, scope, soid
            ),
            data_centre=data_centre,
            environment=environment,
            api_url=api_url,
            accounts_url=accounts_url,
            version=version,
            chunk_size=chunk_size,
        )
        self.core = Core(self.settings.endpoints, retry or RetryPolicy())
        self.tokens: TokenStore = token_store or MemoryTokenStore()
        self.dead_letters = dead_letters
        self._http = httpx.Client(
            transport=transport, timeout=timeout, event_hooks=event_hooks or {}
        )
        self._sleep = sleep
        self._clock = clock
        self._token_lock = _refresh_lock(self.settings.credentials.store_key)

    @property
    def endpoints(self) -> Endpoints:
        return self.settings.endpoints

    # -- driving flows ---------------------------------------------------------------------------

    def run(self, flow: Flow[T]) -> T:
        """Drive one operation: send its requests, wait its sleeps, hand it tokens."""
        try:
            instruction = next(flow)
            while True:
                if isinstance(instruction, httpx.Request):
                    try:
                        answer: Any = self._http.send(instruction)
                    except httpx.TransportError as exc:
                        error = TransportError(f"{type(exc).__name__}: {exc}")
                        error.__cause__ = exc
                        instruction = flow.throw(error)
                        continue
                elif isinstance(instruction, Sleep):
                    self._sleep(instruction.seconds)
                    answer = None
                elif isinstance(instruction, NeedToken):
                    answer = self.access_token(refused=instruction.refused)
                else:  # pragma: no cover - a flow bug
                    raise TypeError(f"unknown instruction {instruction!r}")
                instruction = flow.send(answer)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    def access_token(self, refused: str | None = None) -> str:
        """A valid access token, refreshed (by one thread at a time) when needed."""
        key = self.settings.credentials.store_key
        with self._token_lock:
            current = self.tokens.load(key)
            if (
                current is not None
                and current.fresh(self._clock())
                and (current.access_token != refused)
            ):
                return current.access_token
            token = self._fetch_token(current)
            self.tokens.save(key, token)
            return token.access_token

    def _fetch_token(self, current: Token | None) -> Token:
        request = token_request(self.endpoints, self.settings.credentials, current)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                wait = self.core.retry.delay(attempt, None, {})
                if wait is None:
                    raise TransportError(str(exc)) from exc
                self._sleep(wait)
                continue
            if response.status_code >= 500:
                wait = self.core.retry.delay(attempt, response.status_code, response.headers)
                if wait is not None:
                    self._sleep(wait)
                    continue
            return accept_token(response, self._clock(), current)

    # -- modules ---------------------------------------------------------------------------------

    def module(self, api_name: str) -> Module:
        return Module(self, api_name)

    def __getattr__(self, name: str) -> Module:
        if name.startswith("_"):
            raise AttributeError(name)
        return Module(self, snake_to_module(name))

    def modules(self) -> list[dict[str, Any]]:
        body = self.run(ops.get_json(self.core, "settings/modules"))
        return list((body or {}).get("modules") or [])

    def fields(self, module: str) -> list[dict[str, Any]]:
        body = self.run(ops.get_json(self.core, "settings/fields", {"module": module}))
        return list((body or {}).get("fields") or [])

    def current_user(self) -> dict[str, Any] | None:
        body = self.run(ops.get_json(self.core, "users", {"type": "CurrentUser"}))
        users = (body or {}).get("users") or []
        return users[0] if users else None

    def coql(self, query: str, *, page_size: int = 200) -> Iterator[dict[str, Any]]:
        """Rows of a COQL query; without a LIMIT of its own it pages with OFFSET."""
        base, pageable = coql_pages(query, page_size)
        if not pageable:
            rows, _ = self.run(ops.coql_page(self.core, base))
            yield from rows
            return
        offset = 0
        while True:
            rows, info = self.run(ops.coql_page(self.core, coql_query(base, offset, page_size)))
            yield from rows
            if not info.get("more_records") or not rows:
                return
            offset += len(rows)

    def request(self, method: str, path: str, **kw: Any) -> Any:
        """Any other call: ``crm.request("GET", "settings/layouts", params={...})``."""
        return self.run(ops.send_json(self.core, method, path, kw.get("json"), kw.get("params")))

    # -- notifications -----------------------------------------------------------------------------

    def watch(self, channels: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        body = self.run(ops.send_json(self.core, "POST", "actions/watch", {"watch": channels}))
        return list((body or {}).get("watch") or [])

    def watches(self, **params: Any) -> list[dict[str, Any]]:
        body = self.run(ops.get_json(self.core, "actions/watch", params or None))
        return list((body or {}).get("watch") or [])

    def unwatch(self, channel_ids: Sequence[str | int]) -> list[dict[str, Any]]:
        body = self.run(
            ops.send_json(
                self.core, "DELETE", "actions/watch", params={"channel_ids": list(channel_ids)}
            )
        )
        return list((body or {}).get("watch") or [])

    def keep_watching(self, channel: dict[str, Any], **options: Any) -> WatchKeeper:
        """A keeper that enables ``channel`` and renews it before it expires
        (``lifetime``, ``renew_before``, ``check_every``, ``on_error``); call ``start()``."""
        return WatchKeeper(self, channel, **options)

    @property
    def clock(self) -> Callable[[], float]:
        """The client's time source (seconds since the epoch)."""
        return self._clock

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CRM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Module:
    """One module's records: ``crm.leads`` or ``crm.module("Price_Books")``."""

    def __init__(self, crm: CRM, api_name: str) -> None:
        self.crm = crm
        self.api_name = api_name

    def get(
        self, record_id: str | int, fields: Sequence[str] | None = None
    ) -> dict[str, Any] | None:
        return self.crm.run(ops.get_record(self.crm.core, self.api_name, record_id, fields))

    def list(
        self,
        fields: Sequence[str],
        *,
        per_page: int = 200,
        sort_by: str | None = None,
        sort_order: str | None = None,
        **params: Any,
    ) -> Iterator[dict[str, Any]]:
        """Every record, page after page (page numbers, then ``page_token`` past 2000)."""
        query: dict[str, Any] | None = {
            "fields": list(fields),
            "per_page": per_page,
            "sort_by": sort_by,
            "sort_order": sort_order,
            **params,
        }
        query = {k: v for k, v in (query or {}).items() if v is not None}
        while query is not None:
            records, info = self.crm.run(ops.list_page(self.crm.core, self.api_name, query))
            yield from records
            query = next_list_params(query, info)

    def search(
        self,
        criteria: Any = None,
        *,
        email: str | None = None,
        phone: str | None = None,
        word: str | None = None,
        fields: Sequence[str] | None = None,
        per_page: int = 200,
    ) -> Iterator[dict[str, Any]]:
        query: dict[str, Any] | None = {
            k: v
            for k, v in {
                "criteria": str(criteria) if criteria is not None else None,
                "email": email,
                "phone": phone,
                "word": word,
                "fields": list(fields) if fields else None,
                "per_page": per_page,
            }.items()
            if v is not None
        }
        while query is not None:
            records, info = self.crm.run(
                ops.list_page(self.crm.core, f"{self.api_name}/search", query)
            )
            yield from records
            query = next_search_params(query, info)

    def count(self, criteria: Any = None) -> int:
        params = {"criteria": str(criteria)} if criteria is not None else None
        body = self.crm.run(ops.get_json(self.crm.core, f"{self.api_name}/actions/count", params))
        return int((body or {}).get("count") or 0)

    def related(
        self, record_id: str | int, related_list: str, fields: Sequence[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        query: dict[str, Any] | None = {"per_page": 200}
        if fields:
            assert query is not None
            query["fields"] = list(fields)
        while query is not None:
            records, info = self.crm.run(
                ops.list_page(self.crm.core, f"{self.api_name}/{record_id}/{related_list}", query)
            )
            yield from records
            query = next_list_params(query, info)

    # -- writes --------------------------------------------------------------------------------

    def _batch(
        self,
        operation: str,
        method: str,
        path: str,
        records: Sequence[dict[str, Any]],
        extra: dict[str, Any],
        *,
        idempotent: bool,
        keep_failures: bool = True,
    ) -> BatchResult:
        outcomes: list[Outcome] = []
        for offset, chunk in chunks(records, self.crm.settings.chunk_size):
            answered = self.crm.run(
                ops.write(self.crm.core, method, path, offset, chunk, extra, idempotent=idempotent)
            )
            # Kept chunk by chunk: should a later chunk raise, these are not lost with it.
            if keep_failures and self.crm.dead_letters is not None:
                file_failures(self.crm.dead_letters, self.api_name, operation, answered, extra)
            outcomes += answered
        return BatchResult(tuple(outcomes))

    def create(
        self, records: Sequence[dict[str, Any]], *, trigger: Sequence[str] | None = None
    ) -> BatchResult:
        return self._batch(
            "create", "POST", self.api_name, records, write_extra(trigger), idempotent=False
        )

    def update(
        self, records: Sequence[dict[str, Any]], *, trigger: Sequence[str] | None = None
    ) -> BatchResult:
        return self._batch(
            "update", "PUT", self.api_name, records, write_extra(trigger), idempotent=True
        )

    def upsert(
        self,
        records: Sequence[dict[str, Any]],
        *,
        duplicate_check_fields: Sequence[str] | None = None,
        trigger: Sequence[str] | None = None,
    ) -> BatchResult:
        extra = write_extra(trigger)
        if duplicate_check_fields:
            extra["duplicate_check_fields"] = list(duplicate_check_fields)
        return self._batch(
            "upsert", "POST", f"{self.api_name}/upsert", records, extra, idempotent=True
        )

    def delete(self, ids: Sequence[str | int]) -> BatchResult:
        outcomes: list[Outcome] = []
        for offset, chunk in chunks(list(ids), self.crm.settings.chunk_size):
            outcomes += self.crm.run(ops.delete(self.crm.core, self.api_name, offset, chunk))
        return BatchResult(tuple(outcomes))

    def retry_dead_letters(self, fix: Fix | None = None) -> BatchResult:
        """Send this module's dead letters again, each first through ``fix`` when given
        (it returns the corrected record, or None to discard the letter). Those that go
        through are removed; the others stay, with their new error."""
        store = self.crm.dead_letters
        if store is None:
            return BatchResult(())
        outcomes: list[Outcome] = []
        for resend in to_resend(store, self.api_name, fix):
            result = self._batch(
                resend.letter.operation,
                resend.method,
                resend.path,
                [resend.record],
                resend.options,
                idempotent=resend.idempotent,
                keep_failures=False,
            )
            outcomes.append(result.outcomes[0])
            settle_letter(store, resend.letter, resend.record, result.outcomes[0])
        return BatchResult(tuple(outcomes))
