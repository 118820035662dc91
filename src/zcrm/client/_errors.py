"""Errors a Zoho API answers with, as exceptions.

The tree (one family per code, kept true by ``tests/client/test_retry.py``)::

    ZohoAPIError                 every error: status, code, details, message, request_id
    ├── TransportError           no answer (connection refused, reset, timeout)
    ├── AuthError                401: INVALID_TOKEN, AUTHENTICATION_FAILURE, OAUTH_SCOPE_MISMATCH
    │   └── OAuthError           the accounts server said {"error": ...}
    ├── PermissionDenied         403: NO_PERMISSION, NOT_SUPPORTED for the user
    ├── NotFound                 404: INVALID_URL_PATTERN, RESOURCE_NOT_FOUND
    ├── RateLimited              429: API_LIMIT_EXCEEDED, TOO_MANY_REQUESTS (retry_after)
    ├── ServerError              5xx
    └── InvalidRequest           other 4xx: INVALID_DATA, MANDATORY_NOT_FOUND, INVALID_QUERY, …
        ├── ValidationError      INVALID_DATA, MANDATORY_NOT_FOUND, DUPLICATE_DATA, …
        └── QueryError           INVALID_QUERY, SYNTAX_ERROR, LIMIT_REACHED
"""

from __future__ import annotations

from typing import Any


class ZohoAPIError(Exception):
    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{code or status}: {message}" if (code or status) else message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details or {}
        self.request_id = request_id


class TransportError(ZohoAPIError):
    pass


class AuthError(ZohoAPIError):
    pass


class OAuthError(AuthError):
    pass


class PermissionDenied(ZohoAPIError):
    pass


class NotFound(ZohoAPIError):
    pass


class RateLimited(ZohoAPIError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(ZohoAPIError):
    pass


class InvalidRequest(ZohoAPIError):
    pass


class ValidationError(InvalidRequest):
    pass


class QueryError(InvalidRequest):
    pass


VALIDATION_CODES = frozenset(
    {
        "INVALID_DATA",
        "MANDATORY_NOT_FOUND",
        "DUPLICATE_DATA",
        "MULTIPLE_OR_MULTI_ERRORS",
        "DEPENDENT_FIELD_MISSING",
        "DEPENDENT_MISMATCH",
        "EXPECTED_FIELD_MISSING",
        "REQUIRED_DATA_NOT_FOUND",
        "RECORD_LOCKED",
        "NOT_APPROVED",
        "ID_ALREADY_CONVERTED",
    }
)
QUERY_CODES = frozenset({"INVALID_QUERY", "SYNTAX_ERROR", "LIMIT_REACHED"})


def error_for(
    status: int,
    body: Any,
    *,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> ZohoAPIError:
    """The exception for an error response (``body`` is the parsed JSON, if any)."""
    body = _sole_error(body)
    code = body.get("code") if isinstance(body, dict) else None
    message = (body.get("message") if isinstance(body, dict) else None) or f"HTTP {status}"
    details = body.get("details") if isinstance(body, dict) else None
    kw: dict[str, Any] = {
        "status": status,
        "code": code,
        "details": details if isinstance(details, dict) else {},
        "request_id": request_id,
    }
    if status == 401:
        return AuthError(message, **kw)
    if status == 403:
        return PermissionDenied(message, **kw)
    if status == 404:
        return NotFound(message, **kw)
    if status == 429:
        return RateLimited(message, retry_after=retry_after, **kw)
    if status >= 500:
        return ServerError(message, **kw)
    if code in VALIDATION_CODES:
        return ValidationError(message, **kw)
    if code in QUERY_CODES:
        return QueryError(message, **kw)
    return InvalidRequest(message, **kw)


def _sole_error(body: Any) -> Any:
    """``{"watch": [{"code": ...}]}`` (an error wrapped as a one-item list) -> the item."""
    if isinstance(body, dict) and "code" not in body and len(body) == 1:
        (items,) = body.values()
        if isinstance(items, list) and len(items) == 1 and isinstance(items[0], dict):
            return items[0]
    return body


def record_error(item: dict[str, Any]) -> ValidationError:
    """A per-record error element of a batch write, as an exception value."""
    return ValidationError(
        str(item.get("message") or "invalid data"),
        status=400,
        code=item.get("code"),
        details=item.get("details") if isinstance(item.get("details"), dict) else {},
    )
