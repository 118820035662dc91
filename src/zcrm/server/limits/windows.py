"""Window arithmetic shared by every backend (pure functions of the injected time).

* Daily quota: a rolling 24-hour window of one-minute buckets — each credit is freed
  24 hours after the minute it was spent in, as Zoho's rolling window frees it.
* Burst: calls in the current clock minute (a fixed window).
"""

from __future__ import annotations

from collections.abc import Iterable

DAY_SECONDS = 86_400
BUCKET_SECONDS = 60
BUCKETS_PER_DAY = DAY_SECONDS // BUCKET_SECONDS


def minute_of(timestamp: float) -> int:
    return int(timestamp // BUCKET_SECONDS)


def first_live_minute(now: float) -> int:
    """The oldest minute bucket still inside the rolling 24 h window ending now."""
    return minute_of(now) - BUCKETS_PER_DAY + 1


def seconds_until_freed(buckets: Iterable[tuple[int, int]], now: float, needed: int) -> int:
    """Seconds until at least ``needed`` credits of the (minute, credits) buckets expire."""
    freed = 0
    for minute, credits in sorted(buckets):
        freed += credits
        if freed >= needed:
            expires = (minute + BUCKETS_PER_DAY) * BUCKET_SECONDS
            return max(1, int(expires - now + 0.999))
    return DAY_SECONDS


def reset_seconds(buckets: Iterable[tuple[int, int]], now: float) -> int:
    """Seconds until the oldest credit in the window is freed (0 when nothing is spent)."""
    live = [minute for minute, credits in buckets if credits > 0]
    if not live:
        return 0
    expires = (min(live) + BUCKETS_PER_DAY) * BUCKET_SECONDS
    return max(0, int(expires - now + 0.999))


def seconds_to_next_minute(now: float) -> int:
    return max(1, int((minute_of(now) + 1) * BUCKET_SECONDS - now + 0.999))
