"""Zoho-shaped responses: ``application/json;charset=utf-8`` bodies via orjson."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from zcrm.server.errors import ZohoError

JSON_MEDIA_TYPE = "application/json;charset=utf-8"


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(payload), status_code=status, media_type=JSON_MEDIA_TYPE, headers=headers
    )


def error_response(error: ZohoError, headers: dict[str, str] | None = None) -> Response:
    return json_response(error.to_json(), error.http_status, headers)


def no_content(status: int = 204) -> Response:
    """204 (nothing matched) or 304 (not modified): no body, Zoho's content type."""
    response = Response(b"", status_code=status)
    response.headers["content-type"] = JSON_MEDIA_TYPE
    del response.headers["content-length"]
    return response


def batch_status(results: list[dict[str, Any]], success_status: int = 200) -> int:
    """201/200 when every element succeeded, 207 when some did, 400 when none did."""
    ok = sum(1 for r in results if r.get("status") == "success")
    if ok == len(results):
        return success_status
    if ok == 0:
        return 400
    return 207
