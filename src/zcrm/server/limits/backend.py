"""The protocol every limiter backend implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from zcrm.server.limits.decision import Decision, UsageKey
from zcrm.server.limits.policy import LimitPolicy

LEASE_SECONDS = 300  # a concurrency slot held by a process that died frees itself after this


@dataclass(frozen=True)
class UsageRow:
    minute: int  # epoch minute
    client_id: str
    api: str
    calls: int
    credits: int


class LimiterBackend(Protocol):
    name: str

    def acquire(self, key: UsageKey, cost: int, policy: LimitPolicy, now: float) -> Decision:
        """Check every limit and, if the call may go ahead, count it (atomically)."""
        ...

    def release(self, key: UsageKey, ticket: str) -> None:
        """Give back the concurrency slot taken by :meth:`acquire`."""
        ...

    def usage(self, org_id: int, since_minute: int) -> list[UsageRow]:
        """Calls and credits per minute, client and API since ``since_minute``."""
        ...

    def forget(self, org_id: int) -> None:
        """Drop an org's counters (emulator reset)."""
        ...
