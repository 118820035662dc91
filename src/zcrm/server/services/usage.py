"""Usage reports: calls and credits per day, minute, client and API."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from zcrm.server.limits.backend import UsageRow
from zcrm.server.limits.windows import BUCKET_SECONDS, minute_of


def _iso(minute: int) -> str:
    return datetime.fromtimestamp(minute * BUCKET_SECONDS, UTC).isoformat()


def summarise(
    rows: list[UsageRow], *, now: float, limit: int, recent_minutes: int = 60
) -> dict[str, Any]:
    day_start = minute_of(now) - 24 * 60 + 1
    in_window = [r for r in rows if r.minute >= day_start]
    used = sum(r.credits for r in in_window)

    def group(key: Any, source: list[UsageRow]) -> dict[Any, list[int]]:
        out: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
        for r in source:
            slot = out[key(r)]
            slot[0] += r.calls
            slot[1] += r.credits
        return out

    per_day = group(lambda r: _iso(r.minute)[:10], rows)
    recent = [r for r in rows if r.minute > minute_of(now) - recent_minutes]
    per_minute = group(lambda r: r.minute, recent)
    per_client = group(lambda r: r.client_id, in_window)
    per_api = group(lambda r: r.api, in_window)
    return {
        "window": {"limit": limit, "used": used, "remaining": max(0, limit - used), "hours": 24},
        "per_day": [
            {"date": d, "calls": v[0], "credits": v[1]} for d, v in sorted(per_day.items())
        ],
        "per_minute": [
            {"minute": _iso(m), "calls": v[0], "credits": v[1]}
            for m, v in sorted(per_minute.items())
        ],
        "per_client": [
            {"client_id": c, "calls": v[0], "credits": v[1]} for c, v in sorted(per_client.items())
        ],
        "per_api": [
            {"api": a, "calls": v[0], "credits": v[1]}
            for a, v in sorted(per_api.items(), key=lambda kv: -kv[1][1])
        ],
    }
