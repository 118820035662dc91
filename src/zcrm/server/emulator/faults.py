"""Fault injection: make a route answer with an error, slowly, or not at all.

Faults live in the database so that every server process applies them. A process
keeps the list in memory and re-reads it at most every ``REFRESH_SECONDS`` (or at
once after a change made through it), so a server without faults pays one
attribute check per request. A fault with a count is consumed atomically
(``UPDATE … SET remaining = remaining - 1 WHERE remaining > 0``): across processes it
fires exactly ``count`` times.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from zcrm.server.randomness import RandomSource
from zcrm.server.storage.database import Database
from zcrm.server.storage.schema import emulator_fault_log, emulator_faults
from zcrm.server.timefmt import to_storage

REFRESH_SECONDS = 0.5
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "*")


@dataclass(frozen=True)
class Fault:
    id: int
    route: str
    method: str
    status: int | None
    code: str | None
    message: str | None
    latency_ms: int
    drop_connection: bool
    probability: float
    remaining: int | None
    retry_after: int | None
    scope_org_id: int | None
    created_at: str

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and fnmatch.fnmatchcase(path, self.route)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = str(self.id)
        data["count"] = data.pop("remaining")
        scope_org = data.pop("scope_org_id")
        data["org_id"] = str(scope_org) if scope_org is not None else None
        return data


class FaultBook:
    def __init__(self, db: Database, random: RandomSource) -> None:
        self._db = db
        self._random = random
        self._faults: list[Fault] = []
        self._loaded_at = -1.0
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------------

    def active(self) -> list[Fault]:
        now = time.monotonic()
        if now - self._loaded_at >= REFRESH_SECONDS:
            self.reload()
        return self._faults

    def reload(self) -> list[Fault]:
        with self._db.read() as conn:
            rows = conn.execute(select(emulator_faults).order_by(emulator_faults.c.id)).all()
        faults = [Fault(**{k: getattr(r, k) for k in Fault.__dataclass_fields__}) for r in rows]
        with self._lock:
            self._faults = [f for f in faults if f.remaining is None or f.remaining > 0]
            self._loaded_at = time.monotonic()
        return self._faults

    def pick(
        self, method: str, path: str, when: str, org_of_request: Callable[[], int | None]
    ) -> Fault | None:
        """The fault to inject into this request, if any (consuming one of its count).

        ``org_of_request`` is called (once) only when a matching fault is limited to an org.
        """
        faults = self.active()
        if not faults:
            return None
        unresolved = object()
        org: object = unresolved
        for fault in faults:
            if not fault.matches(method, path):
                continue
            if fault.scope_org_id is not None:
                if org is unresolved:
                    org = org_of_request()
                if org != fault.scope_org_id:
                    continue
            if fault.probability < 1.0 and self._random.randbelow(1_000_000) >= int(
                fault.probability * 1_000_000
            ):
                continue
            if not self._consume(fault):
                continue
            self._log(fault, method, path, when)
            return fault
        return None

    def _consume(self, fault: Fault) -> bool:
        if fault.remaining is None:
            return True
        with self._db.write() as conn:
            taken = conn.execute(
                emulator_faults.update()
                .where(emulator_faults.c.id == fault.id, emulator_faults.c.remaining > 0)
                .values(remaining=emulator_faults.c.remaining - 1)
            ).rowcount
        self._loaded_at = -1.0  # see the new count on the next request
        return bool(taken)

    def _log(self, fault: Fault, method: str, path: str, when: str) -> None:
        injected = (
            "drop" if fault.drop_connection else str(fault.status) if fault.status else "latency"
        )
        with self._db.write() as conn:
            conn.execute(
                emulator_fault_log.insert().values(
                    fault_id=fault.id,
                    method=method,
                    path=path[:1000],
                    injected=injected,
                    occurred_at=when,
                )
            )

    # -- changing --------------------------------------------------------------------------------

    def add(self, spec: dict[str, Any], when: str) -> Fault:
        with self._db.write() as conn:
            result = conn.execute(emulator_faults.insert().values(created_at=when, **spec))
            fault_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
        self.reload()
        return next(f for f in self._faults_all() if f.id == fault_id)

    def _faults_all(self) -> list[Fault]:
        with self._db.read() as conn:
            rows = conn.execute(select(emulator_faults)).all()
        return [Fault(**{k: getattr(r, k) for k in Fault.__dataclass_fields__}) for r in rows]

    def listing(self) -> list[Fault]:
        return sorted(self._faults_all(), key=lambda f: f.id)

    def remove(self, fault_id: int) -> bool:
        with self._db.write() as conn:
            gone = conn.execute(
                emulator_faults.delete().where(emulator_faults.c.id == fault_id)
            ).rowcount
        self.reload()
        return bool(gone)

    def clear(self, org_id: int | None = None) -> int:
        """Remove every fault, or only those limited to ``org_id``."""
        statement = emulator_faults.delete()
        if org_id is not None:
            statement = statement.where(emulator_faults.c.scope_org_id == org_id)
        with self._db.write() as conn:
            gone = conn.execute(statement).rowcount
        self.reload()
        return int(gone or 0)

    def log(self, limit: int = 200) -> list[dict[str, Any]]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(emulator_fault_log).order_by(emulator_fault_log.c.id.desc()).limit(limit)
            ).all()
        return [
            {
                "fault_id": str(r.fault_id),
                "method": r.method,
                "path": r.path,
                "injected": r.injected,
                "time": r.occurred_at,
            }
            for r in rows
        ]


def now_stamp(moment: Any) -> str:
    return to_storage(moment)
