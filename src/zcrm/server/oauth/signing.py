"""Signed values for the browser flow: the session cookie, CSRF tokens, the request blob.

All are HMAC-SHA256 with the server secret (shared by every process on the database),
so any server process can check what another issued. Stdlib only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import orjson


def _mac(secret: bytes, purpose: str, payload: bytes) -> bytes:
    return hmac.new(secret, purpose.encode() + b"\x00" + payload, hashlib.sha256).digest()[:18]


def sign(
    secret: bytes, purpose: str, value: Any, ttl_seconds: float, now: float | None = None
) -> str:
    expires = (now if now is not None else time.time()) + ttl_seconds
    payload = orjson.dumps([value, expires])
    blob = _mac(secret, purpose, payload) + payload
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


def unsign(secret: bytes, purpose: str, token: str | None, now: float | None = None) -> Any:
    """The signed value, or None if the token is missing, forged, or expired."""
    if not token:
        return None
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    mac, payload = blob[:18], blob[18:]
    if not hmac.compare_digest(mac, _mac(secret, purpose, payload)):
        return None
    try:
        value, expires = orjson.loads(payload)
    except (orjson.JSONDecodeError, ValueError, TypeError):
        return None
    if float(expires) <= (now if now is not None else time.time()):
        return None
    return value


def csrf_for(secret: bytes, cookie_value: str) -> str:
    """The form token that goes with a CSRF cookie (double submit, bound by HMAC)."""
    return base64.urlsafe_b64encode(_mac(secret, "csrf", cookie_value.encode())).decode()


def csrf_ok(secret: bytes, cookie_value: str | None, form_value: str | None) -> bool:
    if not cookie_value or not form_value:
        return False
    return hmac.compare_digest(csrf_for(secret, cookie_value), form_value)
