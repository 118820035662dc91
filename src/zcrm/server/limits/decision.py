"""What a backend answers for one call: go ahead (with the headers to send) or 429."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UsageKey:
    org_id: int
    client_id: str
    api: str  # e.g. "insert_records"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int  # the daily credit quota
    remaining: int  # credits left in the rolling window after this call
    reset: int  # seconds until the oldest spent credit is freed
    refused_by: str | None = None  # "daily" | "burst" | "concurrency"
    retry_after: int | None = None
    ticket: str | None = None  # concurrency slot to release when the call ends

    def headers(self) -> dict[str, str]:
        out = {
            "X-RATELIMIT-LIMIT": str(self.limit),
            "X-RATELIMIT-REMAINING": str(max(0, self.remaining)),
            "X-RATELIMIT-RESET": str(self.reset),
        }
        if self.retry_after is not None:
            out["Retry-After"] = str(self.retry_after)
        return out
