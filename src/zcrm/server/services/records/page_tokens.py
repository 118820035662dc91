"""``page_token``: a signed, user-bound, parameter-bound keyset cursor.

The token carries the last row's sort key, how many records were already served
and when it expires; an HMAC over it (with the server secret) makes it tamper-proof
and valid on every server process that shares the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import orjson

from zcrm.server.errors import ExpiredValue, InvalidData, TokenBoundDataMismatch

TOKEN_LIFETIME_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Cursor:
    user_id: int
    binding: str  # digest of the parameters the token is bound to
    last_sort: Any
    last_id: int
    served: int
    expires_at: float


def binding_digest(params: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(params, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def encode(secret: bytes, cursor: Cursor) -> str:
    payload = orjson.dumps(
        [
            cursor.user_id,
            cursor.binding,
            cursor.last_sort,
            cursor.last_id,
            cursor.served,
            cursor.expires_at,
        ]
    )
    mac = hmac.new(secret, payload, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


def decode(secret: bytes, token: str, *, user_id: int, binding: str, now: float) -> Cursor:
    invalid = InvalidData("The token given seems to be invalid", param_name="page_token")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        raise invalid from None
    mac, payload = raw[:12], raw[12:]
    if not hmac.compare_digest(mac, hmac.new(secret, payload, hashlib.sha256).digest()[:12]):
        raise invalid
    try:
        fields = orjson.loads(payload)
        cursor = Cursor(
            int(fields[0]),
            str(fields[1]),
            fields[2],
            int(fields[3]),
            int(fields[4]),
            float(fields[5]),
        )
    except (orjson.JSONDecodeError, IndexError, TypeError, ValueError):
        raise invalid from None
    if cursor.user_id != user_id:
        raise invalid
    if cursor.expires_at <= now:
        raise ExpiredValue(param_name="page_token")
    if cursor.binding != binding:
        raise TokenBoundDataMismatch(param_name="page_token")
    return cursor
