"""In-process limiter: exact for one server process, O(1) per call."""

from __future__ import annotations

import threading
import uuid
from collections import deque
from dataclasses import dataclass, field

from zcrm.server.limits.backend import UsageRow
from zcrm.server.limits.decision import Decision, UsageKey
from zcrm.server.limits.policy import LimitPolicy
from zcrm.server.limits.windows import (
    first_live_minute,
    minute_of,
    reset_seconds,
    seconds_to_next_minute,
    seconds_until_freed,
)


@dataclass
class _OrgCounters:
    buckets: deque[list[int]] = field(default_factory=deque)  # [minute, credits], oldest first
    spent: int = 0  # credits inside the window (sum of buckets)
    burst_minute: int = -1
    burst_calls: int = 0
    inflight: dict[str, set[str]] = field(default_factory=dict)  # client -> tickets

    def prune(self, now: float) -> None:
        oldest = first_live_minute(now)
        while self.buckets and self.buckets[0][0] < oldest:
            self.spent -= self.buckets.popleft()[1]


USAGE_KEPT_MINUTES = 2 * 24 * 60


class MemoryBackend:
    name = "memory"

    def __init__(self) -> None:
        self._orgs: dict[int, _OrgCounters] = {}
        self._usage: dict[tuple[int, int, str, str], list[int]] = {}
        self._lock = threading.Lock()
        self._pruned_at = 0
        # Counts not yet written to the database (see UsageFlusher): key -> [calls, credits]
        self._pending: dict[tuple[int, int, str, str], list[int]] = {}

    def _prune_usage(self, minute: int) -> None:
        if minute - self._pruned_at < 60:
            return
        self._pruned_at = minute
        oldest = minute - USAGE_KEPT_MINUTES
        for key in [k for k in self._usage if k[1] < oldest]:
            del self._usage[key]

    def acquire(self, key: UsageKey, cost: int, policy: LimitPolicy, now: float) -> Decision:
        minute = minute_of(now)
        with self._lock:
            org = self._orgs.setdefault(key.org_id, _OrgCounters())
            org.prune(now)
            buckets = [(m, c) for m, c in org.buckets]
            remaining = policy.daily - org.spent
            if org.burst_minute != minute:
                org.burst_minute, org.burst_calls = minute, 0
            slots = org.inflight.setdefault(key.client_id, set())
            refused = None
            retry_after = None
            if cost > remaining:
                refused = "daily"
                retry_after = seconds_until_freed(buckets, now, cost - remaining)
            elif org.burst_calls >= policy.burst:
                refused, retry_after = "burst", seconds_to_next_minute(now)
            elif len(slots) >= policy.concurrency:
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
            if org.buckets and org.buckets[-1][0] == minute:
                org.buckets[-1][1] += cost
            else:
                org.buckets.append([minute, cost])
            org.spent += cost
            org.burst_calls += 1
            ticket = uuid.uuid4().hex
            slots.add(ticket)
            self._prune_usage(minute)
            counter = self._usage.setdefault((key.org_id, minute, key.client_id, key.api), [0, 0])
            counter[0] += 1
            counter[1] += cost
            pending = self._pending.setdefault((key.org_id, minute, key.client_id, key.api), [0, 0])
            pending[0] += 1
            pending[1] += cost
            reset = reset_seconds([(org.buckets[0][0], org.buckets[0][1])], now)
            return Decision(True, policy.daily, policy.daily - org.spent, reset, ticket=ticket)

    def release(self, key: UsageKey, ticket: str) -> None:
        with self._lock:
            org = self._orgs.get(key.org_id)
            if org is not None:
                org.inflight.get(key.client_id, set()).discard(ticket)

    def usage(self, org_id: int, since_minute: int) -> list[UsageRow]:
        with self._lock:
            return [
                UsageRow(minute, client, api, calls, credits)
                for (org, minute, client, api), (calls, credits) in self._usage.items()
                if org == org_id and minute >= since_minute
            ]

    def take_pending(self) -> dict[tuple[int, int, str, str], list[int]]:
        """The counts since the last call (for writing them to the database)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        return pending

    def forget(self, org_id: int) -> None:
        with self._lock:
            self._orgs.pop(org_id, None)
            for key in [k for k in self._usage if k[0] == org_id]:
                del self._usage[key]
            for key in [k for k in self._pending if k[0] == org_id]:
                del self._pending[key]
