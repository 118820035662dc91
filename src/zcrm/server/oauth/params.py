"""Accounts parameters arrive in the query string, a form body, or JSON: take them all."""

from __future__ import annotations

from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request


async def oauth_params(request: Request) -> dict[str, str]:
    params: dict[str, str] = dict(request.query_params)
    body = await request.body()
    if not body:
        return params
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return params
    if content_type.startswith("application/json"):
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            return params
        if isinstance(parsed, dict):
            params.update({k: str(v) for k, v in parsed.items() if v is not None})
        return params
    # application/x-www-form-urlencoded, or no/odd content type: parse as a form.
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    params.update(dict(parse_qsl(text, keep_blank_values=True)))
    return params
