"""OAuth tokens and where they are kept.

Every store implements :class:`TokenStore`: ``load``, ``save`` and ``delete`` by key
(the client id and the grant the token came from). Stores must be safe to share
between threads; the clients add their own lock around refreshes, so only one
thread (or task) refreshes a given token at a time.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

EXPIRY_MARGIN_SECONDS = 60.0  # refresh this long before the access token expires


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: float  # epoch seconds
    refresh_token: str | None = None
    scope: str | None = None
    api_domain: str | None = None

    def fresh(self, now: float | None = None, margin: float = EXPIRY_MARGIN_SECONDS) -> bool:
        return (now if now is not None else time.time()) < self.expires_at - margin

    @classmethod
    def from_response(
        cls, body: dict[str, Any], now: float, previous_refresh: str | None = None
    ) -> Token:
        expires_in = float(body.get("expires_in", 3600))
        if "expires_in_sec" in body:  # legacy accounts servers: expires_in in milliseconds
            expires_in = float(body["expires_in_sec"])
        return cls(
            access_token=str(body["access_token"]),
            expires_at=now + expires_in,
            refresh_token=body.get("refresh_token") or previous_refresh,
            scope=body.get("scope"),
            api_domain=body.get("api_domain"),
        )


class TokenStore(Protocol):
    def load(self, key: str) -> Token | None: ...

    def save(self, key: str, token: Token) -> None: ...

    def delete(self, key: str) -> None: ...


class MemoryTokenStore:
    """Tokens for the life of the process."""

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def load(self, key: str) -> Token | None:
        with self._lock:
            return self._tokens.get(key)

    def save(self, key: str, token: Token) -> None:
        with self._lock:
            self._tokens[key] = token

    def delete(self, key: str) -> None:
        with self._lock:
            self._tokens.pop(key, None)


class FileTokenStore:
    """Tokens in a JSON file (mode 0600), rewritten atomically on every change.

    ``~`` in the path is the user's home (``FileTokenStore("~/.config/app/tokens.json")``).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(data, handle, indent=1, sort_keys=True)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, key: str) -> Token | None:
        with self._lock:
            raw = self._read().get(key)
        return Token(**raw) if isinstance(raw, dict) else None

    def save(self, key: str, token: Token) -> None:
        with self._lock:
            data = self._read()
            data[key] = asdict(token)
            self._write(data)

    def delete(self, key: str) -> None:
        with self._lock:
            data = self._read()
            if data.pop(key, None) is not None:
                self._write(data)


class SQLTokenStore:
    """Tokens in a SQL table (any SQLAlchemy URL), shared by processes on one database."""

    def __init__(self, url: str, table_name: str = "zcrm_client_tokens") -> None:
        from sqlalchemy import Column, Float, MetaData, String, Table, Text, create_engine

        self._engine = create_engine(url)
        meta = MetaData()
        self._table = Table(
            table_name,
            meta,
            Column("key", String(255), primary_key=True),
            Column("access_token", Text, nullable=False),
            Column("expires_at", Float, nullable=False),
            Column("refresh_token", Text, nullable=True),
            Column("scope", Text, nullable=True),
            Column("api_domain", Text, nullable=True),
        )
        meta.create_all(self._engine)

    def load(self, key: str) -> Token | None:
        from sqlalchemy import select

        with self._engine.connect() as conn:
            row = conn.execute(select(self._table).where(self._table.c.key == key)).first()
        if row is None:
            return None
        return Token(row.access_token, row.expires_at, row.refresh_token, row.scope, row.api_domain)

    def save(self, key: str, token: Token) -> None:
        with self._engine.begin() as conn:
            updated = conn.execute(
                self._table.update().where(self._table.c.key == key).values(**asdict(token))
            ).rowcount
            if not updated:
                conn.execute(self._table.insert().values(key=key, **asdict(token)))

    def delete(self, key: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(self._table.delete().where(self._table.c.key == key))
