"""Timestamps: stored as UTC ISO-8601 strings, sent in the caller's time zone.

Zoho sends ``yyyy-MM-ddTHH:mm:ss±HH:mm`` (no fraction) in the API user's time zone
and accepts any offset on write.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_ISO_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?"
    r"(Z|[+-]\d{2}:?\d{2})$"
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def to_storage(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_datetime(value: str) -> datetime | None:
    """An ISO-8601 datetime *with* an offset (``Z`` allowed); None if it is not one."""
    match = _ISO_DATETIME.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    if offset == "Z":
        offset = "+00:00"
    elif ":" not in offset:
        offset = offset[:3] + ":" + offset[3:]
    try:
        return datetime.fromisoformat(
            f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}{offset}"
        )
    except ValueError:
        return None


def parse_date(value: str) -> date | None:
    if not _ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_http_or_iso(value: str) -> datetime | None:
    """``If-Modified-Since``: ISO-8601 (what Zoho documents) or an RFC 7231 HTTP-date."""
    parsed = parse_datetime(value)
    if parsed is not None:
        return parsed
    try:
        http = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if http is None:
        return None
    return http if http.tzinfo else http.replace(tzinfo=UTC)


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def to_wire(stored: str | None, tz_name: str) -> str | None:
    if stored is None:
        return None
    if tz_name in ("UTC", "Etc/UTC", "GMT") and stored.endswith("+00:00"):
        return stored  # stored form is already the UTC wire form
    moment = datetime.fromisoformat(stored)
    return moment.astimezone(zone(tz_name)).isoformat(timespec="seconds")


def wire_now(moment: datetime, tz_name: str) -> str:
    return moment.astimezone(zone(tz_name)).replace(microsecond=0).isoformat()
