"""The API operations, as flows (see ``_flow.py``); the clients drive them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zcrm.client._batch import Outcome, outcomes_for
from zcrm.client._flow import Core, Flow, body_of

Page = tuple[list[dict[str, Any]], dict[str, Any]]


def get_json(core: Core, path: str, params: Mapping[str, Any] | None = None) -> Flow[Any]:
    response = yield from core.call("GET", path, params=params)
    if response.status_code in (204, 304):
        return None
    return body_of(response)


def list_page(core: Core, path: str, params: Mapping[str, Any]) -> Flow[Page]:
    body = yield from get_json(core, path, params)
    if not body:
        return [], {"more_records": False}
    return list(body.get("data") or []), dict(body.get("info") or {})


def get_record(
    core: Core, module: str, record_id: str | int, fields: Sequence[str] | None
) -> Flow[dict[str, Any] | None]:
    params = {"fields": list(fields)} if fields else None
    body = yield from get_json(core, f"{module}/{record_id}", params)
    if not body or not body.get("data"):
        return None
    record: dict[str, Any] = body["data"][0]
    return record


def write(
    core: Core,
    method: str,
    path: str,
    offset: int,
    records: Sequence[dict[str, Any]],
    extra: Mapping[str, Any] | None = None,
    *,
    idempotent: bool,
) -> Flow[list[Outcome]]:
    payload = {"data": list(records), **(extra or {})}
    response = yield from core.call(method, path, json=payload, idempotent=idempotent, batch=True)
    body = body_of(response) or {}
    return outcomes_for(offset, records, list(body.get("data") or []))


def delete(core: Core, module: str, offset: int, ids: Sequence[str | int]) -> Flow[list[Outcome]]:
    response = yield from core.call("DELETE", module, params={"ids": list(ids)}, batch=True)
    body = body_of(response) or {}
    return outcomes_for(offset, [{"id": str(i)} for i in ids], list(body.get("data") or []))


def coql_page(core: Core, query: str) -> Flow[Page]:
    response = yield from core.call("POST", "coql", json={"select_query": query})
    if response.status_code == 204:
        return [], {"more_records": False, "count": 0}
    body = body_of(response) or {}
    return list(body.get("data") or []), dict(body.get("info") or {})


def send_json(
    core: Core, method: str, path: str, payload: Any = None, params: Mapping[str, Any] | None = None
) -> Flow[Any]:
    response = yield from core.call(method, path, json=payload, params=params, batch=True)
    return body_of(response)
