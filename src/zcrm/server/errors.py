"""Errors that travel on the wire.

Every failure the API reports is a :class:`ZohoError`. A subclass exists per Zoho
code; it holds the code, the HTTP status and the message as class attributes, and
takes the ``details`` as keyword arguments::

    raise MandatoryNotFound(api_name="Last_Name", json_path="$.data[0].Last_Name")

One handler at the edge renders ``{"code","details","message","status":"error"}``.
Per-record failures in a batch are the same objects, rendered into the ``data``
array instead of raised.

The tree (kept true by ``tests/server/test_errors.py``)::

    ZohoError
    ├── AuthError (401)
    │   ├── InvalidToken
    │   ├── AuthenticationFailure
    │   └── OAuthScopeMismatch
    ├── NoPermission (403)
    ├── NotSupportedForUser (403)
    ├── InvalidUrlPattern (404)
    ├── ResourceNotFound (404)
    ├── ServerError (500)
    │   └── InternalError
    ├── TooManyRequests (429)
    │   └── ApiLimitExceeded
    └── RequestError (400)
        ├── InvalidModule
        ├── InvalidRequestMethod
        ├── RequiredParamMissing
        ├── ExpectedParamMissing
        ├── MandatoryNotFound
        ├── InvalidData
        │   └── InvalidId
        ├── DuplicateData
        ├── IdAlreadyDeleted
        ├── LimitExceeded
        ├── LimitReached
        ├── DiscretePaginationLimitExceeded
        ├── PaginationLimitExceeded
        ├── TokenBoundDataMismatch
        ├── ExpiredValue
        ├── AmbiguityDuringProcessing
        ├── PatternNotMatched
        ├── UnableToParseDataType
        ├── NotSupported
        ├── FeatureNotSupported
        ├── AuthorizationFailed
        ├── InvalidQuery
        ├── SyntaxError_
        ├── ReservedKeywordNotAllowed
        └── NotAllowed
"""

from __future__ import annotations

from typing import Any, ClassVar

JsonObject = dict[str, Any]


class ZohoError(Exception):
    """A Zoho-shaped error: ``code``, ``status`` (HTTP), ``message`` and ``details``."""

    code: ClassVar[str] = "INTERNAL_ERROR"
    http_status: ClassVar[int] = 500
    default_message: ClassVar[str] = "Internal Server Error"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.details: JsonObject = details
        super().__init__(f"{self.code}: {self.message} {details or ''}".rstrip())

    def to_json(self) -> JsonObject:
        return {
            "code": self.code,
            "details": self.details,
            "message": self.message,
            "status": "error",
        }

    def with_details(self, **extra: Any) -> ZohoError:
        """Add detail keys (e.g. the ``json_path`` once the caller knows it)."""
        self.details = {**self.details, **extra}
        return self


class AuthError(ZohoError):
    http_status = 401


class InvalidToken(AuthError):
    code = "INVALID_TOKEN"
    default_message = "invalid oauth token"


class AuthenticationFailure(AuthError):
    code = "AUTHENTICATION_FAILURE"
    default_message = "Authentication failed"


class OAuthScopeMismatch(AuthError):
    code = "OAUTH_SCOPE_MISMATCH"
    default_message = "invalid oauth scope to access this URL"


class NoPermission(ZohoError):
    code = "NO_PERMISSION"
    http_status = 403
    default_message = "permission denied"


class NotSupportedForUser(ZohoError):
    code = "NOT_SUPPORTED"
    http_status = 403
    default_message = "This API is supported only for admin users"


class InvalidUrlPattern(ZohoError):
    code = "INVALID_URL_PATTERN"
    http_status = 404
    default_message = "Please check if the URL trying to access is a correct one"


class ResourceNotFound(ZohoError):
    code = "RESOURCE_NOT_FOUND"
    http_status = 404
    default_message = "The requested resource doesn't exist."


class ServerError(ZohoError):
    http_status = 500


class InternalError(ServerError):
    code = "INTERNAL_ERROR"
    default_message = "Internal Server Error"


class TooManyRequests(ZohoError):
    code = "TOO_MANY_REQUESTS"
    http_status = 429
    default_message = "You have made too many requests"


class ApiLimitExceeded(TooManyRequests):
    code = "API_LIMIT_EXCEEDED"
    default_message = "API call limit for the 24 hour period is exceeded"


class RequestError(ZohoError):
    http_status = 400


class InvalidModule(RequestError):
    code = "INVALID_MODULE"
    default_message = "the module name given seems to be invalid"


class InvalidRequestMethod(RequestError):
    code = "INVALID_REQUEST_METHOD"
    default_message = "The http request method type is not a valid one"


class RequiredParamMissing(RequestError):
    code = "REQUIRED_PARAM_MISSING"
    default_message = "One of the expected parameter is missing"


class ExpectedParamMissing(RequestError):
    code = "EXPECTED_PARAM_MISSING"
    default_message = "mandatory param missing"


class MandatoryNotFound(RequestError):
    code = "MANDATORY_NOT_FOUND"
    default_message = "required field not found"


class InvalidData(RequestError):
    code = "INVALID_DATA"
    default_message = "invalid data"


class InvalidId(InvalidData):
    default_message = "the id given seems to be invalid"


class DuplicateData(RequestError):
    code = "DUPLICATE_DATA"
    default_message = "duplicate data"


class IdAlreadyDeleted(RequestError):
    code = "ID_ALREADY_DELETED"
    default_message = "the id given is already deleted"


class LimitExceeded(RequestError):
    code = "LIMIT_EXCEEDED"
    default_message = "the limit has been exceeded"


class LimitReached(RequestError):
    code = "LIMIT_REACHED"
    default_message = "Maximum response iteration limit reached"


class DiscretePaginationLimitExceeded(RequestError):
    code = "DISCRETE_PAGINATION_LIMIT_EXCEEDED"
    default_message = "You can only get the first 2000 records without using page_token param"


class PaginationLimitExceeded(RequestError):
    code = "PAGINATION_LIMIT_EXCEEDED"
    default_message = "pagination limit exceeded"


class TokenBoundDataMismatch(RequestError):
    code = "TOKEN_BOUND_DATA_MISMATCH"
    default_message = "The given params does not match with the params bound to the token"


class ExpiredValue(RequestError):
    code = "EXPIRED_VALUE"
    default_message = "The given page token has expired"


class AmbiguityDuringProcessing(RequestError):
    code = "AMBIGUITY_DURING_PROCESSING"
    default_message = "ambiguity while processing the request"


class PatternNotMatched(RequestError):
    code = "PATTERN_NOT_MATCHED"
    default_message = "Please check whether the input values are correct"


class UnableToParseDataType(RequestError):
    code = "UNABLE_TO_PARSE_DATA_TYPE"
    default_message = "either the request body or parameters is in wrong format"


class NotSupported(RequestError):
    code = "NOT_SUPPORTED"
    default_message = "not supported"


class FeatureNotSupported(RequestError):
    code = "FEATURE_NOT_SUPPORTED"
    default_message = "Your License does not support this feature"


class AuthorizationFailed(RequestError):
    code = "AUTHORIZATION_FAILED"
    default_message = "User does not have sufficient privilege to perform this operation"


class InvalidQuery(RequestError):
    code = "INVALID_QUERY"
    default_message = "invalid query formed"


class SyntaxError_(RequestError):
    code = "SYNTAX_ERROR"
    default_message = "syntax error"


class ReservedKeywordNotAllowed(RequestError):
    code = "RESERVED_KEYWORD_NOT_ALLOWED"
    default_message = "reserved keyword not allowed"


class NotAllowed(RequestError):
    code = "NOT_ALLOWED"
    default_message = "the operation is not allowed"
