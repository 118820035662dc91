"""The limiter the API consults on every call: policy + backend + the injected clock."""

from __future__ import annotations

from zcrm.server.clock import Clock
from zcrm.server.errors import ApiLimitExceeded, TooManyRequests, ZohoError
from zcrm.server.limits.backend import LimiterBackend, UsageRow
from zcrm.server.limits.decision import Decision, UsageKey
from zcrm.server.limits.policy import PolicyCache
from zcrm.server.limits.windows import minute_of

MESSAGES = {
    "daily": "API call limit for the 24 hour period is exceeded",
    "burst": "You have made too many requests in a minute",
    "concurrency": "The concurrency limit of the user for the app is exceeded",
}


class Limiter:
    def __init__(self, backend: LimiterBackend, policies: PolicyCache, clock: Clock) -> None:
        self.backend = backend
        self.policies = policies
        self.clock = clock
        self.enabled = True

    def acquire(self, key: UsageKey, cost: int) -> Decision:
        policy = self.policies.get(key.org_id)
        now = self.clock.timestamp()
        if not (self.enabled and policy.limiter_enabled):
            return Decision(True, policy.daily, policy.daily, 0)
        return self.backend.acquire(key, cost, policy, now)

    def release(self, key: UsageKey, decision: Decision) -> None:
        if decision.ticket is not None:
            self.backend.release(key, decision.ticket)

    def usage(self, org_id: int, minutes: int = 24 * 60) -> list[UsageRow]:
        return self.backend.usage(org_id, minute_of(self.clock.timestamp()) - minutes + 1)


def refusal(decision: Decision) -> ZohoError:
    if decision.refused_by == "daily":
        return ApiLimitExceeded(MESSAGES["daily"])
    error = TooManyRequests(MESSAGES.get(decision.refused_by or ""))
    return error


def make_backend(
    kind: str, *, db: object, redis_url: str | None, namespace: str = "zcrm"
) -> LimiterBackend:
    """``namespace`` keeps Redis keys of different zcrm databases apart on one Redis."""
    if kind == "memory":
        from zcrm.server.limits.memory import MemoryBackend

        return MemoryBackend()
    if kind == "sql":
        from zcrm.server.limits.sql import SqlBackend
        from zcrm.server.storage.database import Database

        assert isinstance(db, Database)
        return SqlBackend(db)
    if kind == "redis":
        if not redis_url:
            raise ValueError("the redis limiter needs a Redis URL (--redis / ZCRM_REDIS_URL)")
        from zcrm.server.limits.redis_backend import RedisBackend

        return RedisBackend(redis_url, prefix=namespace)
    raise ValueError(f"unknown limiter backend {kind!r}: memory, sql or redis")
