"""When to retry a call and how long to wait: a pure function, jitter kept apart.

Retried: 429, 500, 502, 503, 504, timeouts and connection errors, with exponential backoff and
jitter, never shorter than what the server asked for (``Retry-After``, else
``X-RATELIMIT-RESET`` on a 429) — unless the server asks for longer than
``max_server_wait`` (a spent daily quota asks for hours): then the error is raised at
once, carrying ``retry_after``, for the caller to schedule. Never retried: other 4xx (a
401 is handled by one token refresh, not by this policy).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # the first try included
    base_delay: float = 0.5
    max_delay: float = 60.0
    # A server that asks for a longer wait than this is not waited for (raised at once).
    max_server_wait: float = 900.0
    # Called with the backoff ceiling, returns the wait; pin it in tests.
    jitter: Callable[[float], float] = field(default=lambda ceiling: random.uniform(0, ceiling))

    def delay(self, attempt: int, status: int | None, headers: Mapping[str, str]) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to stop.

        ``attempt`` counts from 1; ``status`` is None for a transport error.
        """
        if attempt >= self.max_attempts:
            return None
        if status is not None and status not in RETRYABLE_STATUSES:
            return None
        backoff = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        wait = self.jitter(backoff)
        asked = server_wait(status, headers)
        if asked is not None:
            if asked > self.max_server_wait:
                return None
            wait = max(wait, asked)
        return wait


def server_wait(status: int | None, headers: Mapping[str, str]) -> float | None:
    """What the server asked for: Retry-After, else (on a 429) X-RATELIMIT-RESET."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("retry-after",) + (("x-ratelimit-reset",) if status == 429 else ()):
        raw = lowered.get(name)
        if raw is None:
            continue
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
        if name == "retry-after":  # the other form: an HTTP date
            try:
                when = parsedate_to_datetime(raw)
            except (TypeError, ValueError):
                continue
            if when.tzinfo is not None:
                return max(0.0, when.timestamp() - time.time())
    return None


NO_RETRIES = RetryPolicy(max_attempts=1)
