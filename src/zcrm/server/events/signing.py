"""The signature on every delivery: ``X-Zcrm-Signature: sha256=<hex>``.

HMAC-SHA256 of the exact request body, keyed with the channel's or webhook's token,
so a receiver that knows the token can tell the request came from this server and was
not changed (``zcrm.client.webhooks.WebhookReceiver(secret=token)`` checks it).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Zcrm-Signature"


def sign(key: str, body: bytes) -> str:
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def verify(key: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(sign(key, body), header)
