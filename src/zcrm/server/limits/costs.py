"""What a call costs in API credits (reference §8.3).

A handler can carry its own rule as ``handler.credits = fn(call) -> int`` (see
:func:`charges`); without one a call costs 1 credit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

RECORDS_PER_CREDIT = 10  # writes: 1 credit per 10 records (100 records = 10)


def charges(rule: Callable[[Any], int]) -> Callable[[F], F]:
    """Attach a credit rule to an API handler."""

    def mark(handler: F) -> F:
        handler.credits = rule  # type: ignore[attr-defined]
        return handler

    return mark


def per_records(count: int) -> int:
    return max(1, math.ceil(count / RECORDS_PER_CREDIT))


def coql_credits(limit: int) -> int:
    """COQL: 1 credit up to LIMIT 200, 2 up to 1000, 3 above."""
    if limit <= 200:
        return 1
    if limit <= 1000:
        return 2
    return 3


def write_credits(call: Any) -> int:
    """Insert/update/upsert: by the number of records in ``data``."""
    try:
        items = call.json_body().get("data")
    except Exception:  # a malformed body is refused by the handler; it still costs 1
        return 1
    return per_records(len(items)) if isinstance(items, list) else 1


def delete_credits(call: Any) -> int:
    raw = call.param("ids") or ""
    return per_records(len([p for p in raw.split(",") if p.strip()]))
