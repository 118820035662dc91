"""``/crm/{version}/{module}/search``: criteria, email, phone and word searches."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.params import choice_param, fields_param
from zcrm.server.api.records import module_for, page_response
from zcrm.server.errors import AmbiguityDuringProcessing
from zcrm.server.services import search as service
from zcrm.server.services.metadata.model import Module
from zcrm.server.services.scopes import need

SECURE_SEARCH = need("ZohoSearch", "securesearch", None, "READ")


def _query(call: ApiCall) -> service.SearchQuery:
    if call.request.method == "POST" and call.body.strip():
        _merge_body(call)
    return service.SearchQuery(
        criteria=call.param("criteria") or None,
        email=call.param("email") or None,
        phone=call.param("phone") or None,
        word=call.param("word") or None,
        fields=fields_param(call, required=False),
        page=call.int_param("page", 1),
        per_page=call.int_param("per_page", 200, maximum=200),
        converted=choice_param(call, "converted", ["true", "false", "both"], "false"),
    )


def _merge_body(call: ApiCall) -> None:
    """POST search: the same parameters in a form or JSON body."""
    from urllib.parse import parse_qsl

    import orjson
    from starlette.datastructures import QueryParams

    extra: dict[str, str] = {}
    try:
        parsed = orjson.loads(call.body)
        if isinstance(parsed, dict):
            extra = {k: str(v) for k, v in parsed.items() if v is not None}
    except orjson.JSONDecodeError:
        extra = dict(parse_qsl(call.body.decode("utf-8", "replace"), keep_blank_values=True))
    merged = {**extra, **dict(call.request.query_params)}
    call.request._query_params = QueryParams(merged)


def search(call: ApiCall) -> Response:
    """Search records by criteria, email, phone or word."""
    module = module_for(call, "READ")
    call.caller.require(SECURE_SEARCH)
    if call.param("cvid") and any(call.param(p) for p in ("criteria", "email", "phone", "word")):
        raise AmbiguityDuringProcessing(ambiguity_due_to=["cvid", "criteria"])
    page = service.search_records(call.runtime, call.caller, call.metadata(), module, _query(call))
    return page_response(page)


def count_matching(call: ApiCall, module: Module) -> int:
    """``/{module}/actions/count`` with a search parameter (see api/records.py)."""
    if call.param("cvid"):
        raise AmbiguityDuringProcessing(ambiguity_due_to=["cvid", "criteria"])
    return service.count_matching(call.runtime, call.caller, call.metadata(), module, _query(call))


routes = [
    Route("/crm/{version}/{module}/search", api_endpoint(search), methods=["GET", "POST"]),
]
