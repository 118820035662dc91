"""Limiter on the database: exact across several server processes on one PostgreSQL.

Each decision is one short transaction that serialises per org (an advisory lock on
PostgreSQL; SQLite's write lock does it there), reads the org's live minute buckets,
and counts the call in ``usage_counters`` only when it is allowed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from zcrm.server.limits.backend import LEASE_SECONDS, UsageRow
from zcrm.server.limits.decision import Decision, UsageKey
from zcrm.server.limits.policy import LimitPolicy
from zcrm.server.limits.windows import (
    first_live_minute,
    minute_of,
    reset_seconds,
    seconds_to_next_minute,
    seconds_until_freed,
)
from zcrm.server.storage.database import Database
from zcrm.server.storage.schema import limiter_inflight, usage_counters


class SqlBackend:
    name = "sql"

    def __init__(self, db: Database) -> None:
        self._db = db

    def acquire(self, key: UsageKey, cost: int, policy: LimitPolicy, now: float) -> Decision:
        minute = minute_of(now)
        with self._db.write() as conn:
            if self._db.dialect == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(key.org_id)))
            buckets = [
                (int(row.minute), int(row.credits))
                for row in conn.execute(
                    select(
                        usage_counters.c.minute, func.sum(usage_counters.c.credits).label("credits")
                    )
                    .where(
                        usage_counters.c.org_id == key.org_id,
                        usage_counters.c.minute >= first_live_minute(now),
                    )
                    .group_by(usage_counters.c.minute)
                )
            ]
            spent = sum(c for _, c in buckets)
            burst = sum(
                int(row.calls)
                for row in conn.execute(
                    select(usage_counters.c.calls).where(
                        usage_counters.c.org_id == key.org_id, usage_counters.c.minute == minute
                    )
                )
            )
            inflight = conn.execute(
                select(func.count())
                .select_from(limiter_inflight)
                .where(
                    limiter_inflight.c.org_id == key.org_id,
                    limiter_inflight.c.client_id == key.client_id,
                    limiter_inflight.c.expires_at > now,
                )
            ).scalar_one()
            remaining = policy.daily - spent
            refused = None
            retry_after = None
            if cost > remaining:
                refused = "daily"
                retry_after = seconds_until_freed(buckets, now, cost - remaining)
            elif burst >= policy.burst:
                refused, retry_after = "burst", seconds_to_next_minute(now)
            elif inflight >= policy.concurrency:
                refused, retry_after = "concurrency", 1
            if refused is not None:
                return Decision(
                    False,
                    policy.daily,
                    remaining,
                    reset_seconds(buckets, now),
                    refused,
                    retry_after,
                )
            self._count(conn, key, minute, cost)
            ticket = uuid.uuid4().hex
            conn.execute(
                limiter_inflight.delete().where(
                    limiter_inflight.c.org_id == key.org_id,
                    limiter_inflight.c.expires_at <= now,
                )
            )
            conn.execute(
                limiter_inflight.insert().values(
                    org_id=key.org_id,
                    ticket=ticket,
                    client_id=key.client_id,
                    expires_at=now + LEASE_SECONDS,
                )
            )
            buckets.append((minute, cost))
            return Decision(
                True, policy.daily, remaining - cost, reset_seconds(buckets, now), ticket=ticket
            )

    def _count(self, conn: Any, key: UsageKey, minute: int, cost: int) -> None:
        values = {
            "org_id": key.org_id,
            "minute": minute,
            "client_id": key.client_id,
            "api": key.api,
            "calls": 1,
            "credits": cost,
        }
        insert = pg_insert if self._db.dialect == "postgresql" else sqlite_insert
        statement = insert(usage_counters).values(**values)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["org_id", "minute", "client_id", "api"],
                set_={
                    "calls": usage_counters.c.calls + 1,
                    "credits": usage_counters.c.credits + cost,
                },
            )
        )

    def release(self, key: UsageKey, ticket: str) -> None:
        with self._db.write() as conn:
            conn.execute(
                limiter_inflight.delete().where(
                    limiter_inflight.c.org_id == key.org_id, limiter_inflight.c.ticket == ticket
                )
            )

    def usage(self, org_id: int, since_minute: int) -> list[UsageRow]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(usage_counters).where(
                    usage_counters.c.org_id == org_id, usage_counters.c.minute >= since_minute
                )
            ).all()
        return [UsageRow(r.minute, r.client_id, r.api, r.calls, r.credits) for r in rows]

    def forget(self, org_id: int) -> None:
        with self._db.write() as conn:
            conn.execute(usage_counters.delete().where(usage_counters.c.org_id == org_id))
            conn.execute(limiter_inflight.delete().where(limiter_inflight.c.org_id == org_id))


def add_usage(
    conn: Any,
    dialect: str,
    org_id: int,
    minute: int,
    client_id: str,
    api: str,
    calls: int,
    credits: int,
) -> None:
    """Add to one usage counter row (created when missing)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(usage_counters).values(
        org_id=org_id, minute=minute, client_id=client_id, api=api, calls=calls, credits=credits
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["org_id", "minute", "client_id", "api"],
            set_={
                "calls": usage_counters.c.calls + calls,
                "credits": usage_counters.c.credits + credits,
            },
        )
    )
