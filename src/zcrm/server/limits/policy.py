"""The limits an org is held to: its plan's figures with the org's own overrides."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from zcrm.server.services.plans import Plan, resolve_plan
from zcrm.server.storage.database import Database
from zcrm.server.storage.schema import orgs

POLICY_TTL_SECONDS = 2.0  # how stale another process's plan change may be seen here


@dataclass(frozen=True)
class LimitPolicy:
    plan: Plan
    limiter_enabled: bool = True

    @property
    def daily(self) -> int:
        return self.plan.api_calls_per_day

    @property
    def burst(self) -> int:
        return self.plan.burst_per_minute

    @property
    def concurrency(self) -> int:
        return self.plan.concurrency


def policy_from_row(plan_name: str, settings: dict[str, Any] | None) -> LimitPolicy:
    settings = settings or {}
    overrides = settings.get("limits") or {}
    return LimitPolicy(
        plan=resolve_plan(plan_name, overrides),
        limiter_enabled=bool(settings.get("limiter_enabled", True)),
    )


class PolicyCache:
    """Org id -> :class:`LimitPolicy`, re-read from the ``orgs`` row every few seconds."""

    def __init__(self, db: Database, ttl: float = POLICY_TTL_SECONDS) -> None:
        self._db = db
        self._ttl = ttl
        self._cache: dict[int, tuple[float, LimitPolicy]] = {}
        self._lock = threading.Lock()

    def get(self, org_id: int) -> LimitPolicy:
        hit = self._cache.get(org_id)
        now = time.monotonic()
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        with self._db.read() as conn:
            row = conn.execute(
                select(orgs.c.plan, orgs.c.settings).where(orgs.c.id == org_id)
            ).first()
        policy = policy_from_row(row.plan if row else "enterprise", row.settings if row else {})
        with self._lock:
            self._cache[org_id] = (now, policy)
        return policy

    def invalidate(self, org_id: int | None = None) -> None:
        with self._lock:
            if org_id is None:
                self._cache.clear()
            else:
                self._cache.pop(org_id, None)
