"""Records that keep failing validation, kept for a person (or a fix) to deal with.

The default store is a SQLite file; anything with the same four methods can stand in.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson

from zcrm.client._batch import Outcome
from zcrm.client._settings import should_dead_letter


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
    # The write's options (``duplicate_check_fields``, ``trigger``), sent again with it.
    options: dict[str, Any] = field(default_factory=dict)


# How a letter's write is sent again: operation -> (method, path suffix, idempotent)
RESEND: dict[str, tuple[str, str, bool]] = {
    "create": ("POST", "", False),
    "update": ("PUT", "", True),
    "upsert": ("POST", "/upsert", True),
}
# Given a letter, the record to send again (corrected), or None to discard the letter.
Fix = Callable[["DeadLetter"], "dict[str, Any] | None"]


class DeadLetterStore(Protocol):
    """A store needs these four methods. ``add`` is given ``options=`` (a dict) only when
    the write had options; a store that keeps them returns them in ``DeadLetter.options``."""

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
                " failed_at REAL, attempts INTEGER, options TEXT)"
            )
            columns = {row[1] for row in conn.execute("PRAGMA table_info(dead_letters)")}
            if "options" not in columns:  # a file from before write options were kept
                conn.execute("ALTER TABLE dead_letters ADD COLUMN options TEXT")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one transaction: committed (or rolled back), then closed."""
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def add(
        self,
        module: str,
        operation: str,
        record: dict[str, Any],
        code: str | None,
        message: str | None,
        details: dict[str, Any],
        options: dict[str, Any] | None = None,
    ) -> int:
        with self._lock, self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO dead_letters (module, operation, record, code, message, details,"
                " failed_at, attempts, options) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                (
                    module,
                    operation,
                    _as_sent(record),
                    code,
                    message,
                    _as_sent(details),
                    time.time(),
                    _as_sent(options or {}),
                ),
            )
            return int(cursor.lastrowid or 0)

    def list(self, module: str | None = None) -> list[DeadLetter]:
        query = (
            "SELECT id, module, operation, record, code, message, details, failed_at,"
            " attempts, options FROM dead_letters"
        )
        args: tuple[Any, ...] = ()
        if module:
            query += " WHERE module = ?"
            args = (module,)
        with self._lock, self._connect() as conn:
            rows = conn.execute(query + " ORDER BY id", args).fetchall()
        return [
            DeadLetter(
                *(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], json.loads(r[6]), r[7], r[8]),
                options=json.loads(r[9]) if r[9] else {},
            )
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


def _as_sent(value: dict[str, Any]) -> str:
    """JSON as the client put it on the wire (orjson: datetimes in ISO 8601 with their
    ``T``), so that a letter sent again is the record that was sent, not its ``str()``."""
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def _add(
    store: DeadLetterStore,
    module: str,
    operation: str,
    record: dict[str, Any],
    outcome: Outcome,
    options: dict[str, Any],
) -> None:
    args = (module, operation, record, outcome.code, outcome.message, outcome.details)
    if options:
        store.add(*args, options=options)  # type: ignore[call-arg]
    else:
        store.add(*args)


def file_failures(
    store: DeadLetterStore,
    module: str,
    operation: str,
    outcomes: Iterable[Outcome],
    options: dict[str, Any] | None = None,
) -> None:
    """Put the validation failures among ``outcomes`` in ``store``, with the write's
    ``options`` (``duplicate_check_fields``, ``trigger``)."""
    for outcome in outcomes:
        if not outcome.ok and should_dead_letter(outcome):
            _add(store, module, operation, outcome.record, outcome, dict(options or {}))


@dataclass(frozen=True)
class Resend:
    """One letter's write, to send again: ``record`` (maybe fixed) to ``path``."""

    letter: DeadLetter
    record: dict[str, Any]
    method: str
    path: str
    idempotent: bool
    options: dict[str, Any]


def to_resend(store: DeadLetterStore, module: str, fix: Fix | None) -> Iterator[Resend]:
    """The module's letters as writes to send again; those ``fix`` gives up on are
    discarded on the way."""
    for letter in store.list(module):
        # The fix gets a copy, free to edit in place: the store's letter stays as it was
        # until settled, and ``settle_letter`` sees what the fix changed.
        record = letter.record if fix is None else fix(copy.deepcopy(letter))
        if record is None:
            store.discard(letter.id)
            continue
        method, suffix, idempotent = RESEND[letter.operation]
        yield Resend(letter, record, method, module + suffix, idempotent, dict(letter.options))


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
        _add(store, letter.module, letter.operation, sent, outcome, letter.options)
