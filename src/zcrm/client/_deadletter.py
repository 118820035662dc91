"""Records that keep failing validation, kept for a person (or a fix) to deal with.

The default store is a SQLite file; anything with the same four methods can stand in.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class DeadLetter:
    id: int
    module: str
    operation: str  # create | update | upsert
    record: dict[str, Any]
    code: str | None
    message: str | None
    details: dict[str, Any]
    failed_at: float
    attempts: int


# How a letter's write is sent again: operation -> (method, path suffix, idempotent)
RESEND: dict[str, tuple[str, str, bool]] = {
    "create": ("POST", "", False),
    "update": ("PUT", "", True),
    "upsert": ("POST", "/upsert", True),
}
# Given a letter, the record to send again (corrected), or None to discard the letter.
Fix = Callable[["DeadLetter"], "dict[str, Any] | None"]


class DeadLetterStore(Protocol):
    def add(
        self,
        module: str,
        operation: str,
        record: dict[str, Any],
        code: str | None,
        message: str | None,
        details: dict[str, Any],
    ) -> int: ...

    def list(self, module: str | None = None) -> list[DeadLetter]: ...

    def discard(self, letter_id: int) -> None: ...

    def bump(self, letter_id: int) -> None: ...


class SQLiteDeadLetterStore:
    def __init__(self, path: str | Path = "zcrm-dead-letters.sqlite3") -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS dead_letters (id INTEGER PRIMARY KEY, module TEXT,"
                " operation TEXT, record TEXT, code TEXT, message TEXT, details TEXT,"
                " failed_at REAL, attempts INTEGER)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def add(
        self,
        module: str,
        operation: str,
        record: dict[str, Any],
        code: str | None,
        message: str | None,
        details: dict[str, Any],
    ) -> int:
        with self._lock, self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO dead_letters (module, operation, record, code, message, details,"
                " failed_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                (
                    module,
                    operation,
                    json.dumps(record, default=str),
                    code,
                    message,
                    json.dumps(details, default=str),
                    time.time(),
                ),
            )
            return int(cursor.lastrowid or 0)

    def list(self, module: str | None = None) -> list[DeadLetter]:
        query = "SELECT * FROM dead_letters"
        args: tuple[Any, ...] = ()
        if module:
            query += " WHERE module = ?"
            args = (module,)
        with self._lock, self._connect() as conn:
            rows = conn.execute(query + " ORDER BY id", args).fetchall()
        return [
            DeadLetter(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], json.loads(r[6]), r[7], r[8])
            for r in rows
        ]

    def discard(self, letter_id: int) -> None:
        with self._lock, self._connect() as conn:
            conn.execute("DELETE FROM dead_letters WHERE id = ?", (letter_id,))

    def bump(self, letter_id: int) -> None:
        with self._lock, self._connect() as conn:
            conn.execute(
                "UPDATE dead_letters SET attempts = attempts + 1, failed_at = ? WHERE id = ?",
                (time.time(), letter_id),
            )


@dataclass(frozen=True)
class Resend:
    """One letter's write, to send again: ``record`` (maybe fixed) to ``path``."""

    letter: DeadLetter
    record: dict[str, Any]
    method: str
    path: str
    idempotent: bool


def to_resend(store: DeadLetterStore, module: str, fix: Fix | None) -> Iterator[Resend]:
    """The module's letters as writes to send again; those ``fix`` gives up on are
    discarded on the way."""
    for letter in store.list(module):
        record = letter.record if fix is None else fix(letter)
        if record is None:
            store.discard(letter.id)
            continue
        method, suffix, idempotent = RESEND[letter.operation]
        yield Resend(letter, record, method, module + suffix, idempotent)


def settle_letter(
    store: DeadLetterStore, letter: DeadLetter, sent: dict[str, Any], outcome: Any
) -> None:
    """After a letter was sent again: gone when it went through; else kept, with the
    record as sent and the new error when a fix changed it, or one more attempt counted."""
    if outcome.ok:
        store.discard(letter.id)
    elif sent == letter.record:
        store.bump(letter.id)
    else:
        store.discard(letter.id)
        store.add(
            letter.module, letter.operation, sent, outcome.code, outcome.message, outcome.details
        )
