"""Limiter on Redis: exact across processes and hosts, one round trip per decision.

One Lua script checks and counts atomically. Per org it keeps a hash of minute ->
credits (the rolling day), a counter per minute (burst), a sorted set of in-flight
tickets per client scored by lease expiry (concurrency), and a usage hash per minute.
Time comes from the caller (the injected clock), never from Redis.
"""

from __future__ import annotations

import uuid
from typing import Any

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

# KEYS: 1 daily hash, 2 burst counter, 3 inflight zset, 4 usage hash
# ARGV: 1 minute, 2 first live minute, 3 cost, 4 daily, 5 burst, 6 concurrency,
#       7 ticket, 8 now, 9 lease expiry, 10 usage field prefix
ACQUIRE = """
local daily = redis.call('HGETALL', KEYS[1])
local spent = 0
local buckets = {}
for i = 1, #daily, 2 do
  local minute = tonumber(daily[i])
  if minute < tonumber(ARGV[2]) then
    redis.call('HDEL', KEYS[1], daily[i])
  else
    spent = spent + tonumber(daily[i + 1])
    table.insert(buckets, daily[i])
    table.insert(buckets, daily[i + 1])
  end
end
local cost = tonumber(ARGV[3])
if cost > tonumber(ARGV[4]) - spent then
  return {'daily', spent, buckets}
end
local burst = tonumber(redis.call('GET', KEYS[2]) or '0')
if burst >= tonumber(ARGV[5]) then
  return {'burst', spent, buckets}
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[8])
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[6]) then
  return {'concurrency', spent, buckets}
end
redis.call('HINCRBY', KEYS[1], ARGV[1], cost)
redis.call('EXPIRE', KEYS[1], 172800)
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], 120)
redis.call('ZADD', KEYS[3], ARGV[9], ARGV[7])
redis.call('EXPIRE', KEYS[3], 600)
redis.call('HINCRBY', KEYS[4], ARGV[10] .. '|calls', 1)
redis.call('HINCRBY', KEYS[4], ARGV[10] .. '|credits', cost)
redis.call('EXPIRE', KEYS[4], 172800)
table.insert(buckets, ARGV[1])
table.insert(buckets, ARGV[3])
return {'ok', spent + cost, buckets}
"""

SEPARATOR = "\x1f"


class RedisBackend:
    name = "redis"

    def __init__(self, url: str, prefix: str = "zcrm") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, decode_responses=True)
        self._prefix = prefix
        self._acquire = self._redis.register_script(ACQUIRE)

    def _key(self, *parts: object) -> str:
        return ":".join([self._prefix, *(str(p) for p in parts)])

    def acquire(self, key: UsageKey, cost: int, policy: LimitPolicy, now: float) -> Decision:
        minute = minute_of(now)
        ticket = uuid.uuid4().hex
        verdict, spent, flat = self._acquire(
            keys=[
                self._key(key.org_id, "daily"),
                self._key(key.org_id, "burst", minute),
                self._key(key.org_id, "inflight", key.client_id),
                self._key(key.org_id, "usage", minute),
            ],
            args=[
                minute,
                first_live_minute(now),
                cost,
                policy.daily,
                policy.burst,
                policy.concurrency,
                ticket,
                now,
                now + LEASE_SECONDS,
                f"{key.client_id}{SEPARATOR}{key.api}",
            ],
        )
        buckets = [(int(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2)]
        spent = int(spent)
        remaining = policy.daily - spent
        reset = reset_seconds(buckets, now)
        if verdict == "ok":
            return Decision(True, policy.daily, remaining, reset, ticket=ticket)
        retry_after = {
            "daily": seconds_until_freed(buckets, now, cost - remaining),
            "burst": seconds_to_next_minute(now),
            "concurrency": 1,
        }[verdict]
        return Decision(False, policy.daily, remaining, reset, verdict, retry_after)

    def release(self, key: UsageKey, ticket: str) -> None:
        self._redis.zrem(self._key(key.org_id, "inflight", key.client_id), ticket)

    def usage(self, org_id: int, since_minute: int) -> list[UsageRow]:
        rows: dict[tuple[int, str, str], list[int]] = {}
        pattern = self._key(org_id, "usage", "*")
        for name in self._redis.scan_iter(match=pattern):
            minute = int(name.rsplit(":", 1)[1])
            if minute < since_minute:
                continue
            values: dict[str, Any] = self._redis.hgetall(name)  # type: ignore[assignment]
            for field, count in values.items():
                body, kind = field.rsplit("|", 1)
                client, api = body.split(SEPARATOR, 1)
                slot = rows.setdefault((minute, client, api), [0, 0])
                slot[0 if kind == "calls" else 1] += int(count)
        return [UsageRow(m, c, a, v[0], v[1]) for (m, c, a), v in rows.items()]

    def forget(self, org_id: int) -> None:
        for name in self._redis.scan_iter(match=self._key(org_id, "*")):
            self._redis.delete(name)
