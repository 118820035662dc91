"""``POST /crm/{version}/coql``: ``{"select_query": "select … from … where …"}``."""

from __future__ import annotations

import re

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.responses import json_response, no_content
from zcrm.server.errors import InvalidModule, InvalidQuery, MandatoryNotFound
from zcrm.server.limits.costs import charges, coql_credits
from zcrm.server.services.coql import run_coql
from zcrm.server.services.scopes import module_scope, need

COQL_SCOPE = need("ZohoCRM", "coql", None, "READ")
_FROM = re.compile(r"\bfrom\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_LIMIT = re.compile(r"\blimit\s+(\d+)(?:\s*,\s*(\d+))?", re.IGNORECASE)


def _credits(call: ApiCall) -> int:
    """1 credit up to LIMIT 200, 2 up to 1000, 3 beyond (reference §5.2)."""
    try:
        text = str(call.json_body().get("select_query") or "")
    except Exception:
        return 1
    match = _LIMIT.search(text)
    if not match:
        return 1
    return coql_credits(int(match.group(2) or match.group(1)))


@charges(_credits)
def coql(call: ApiCall) -> Response:
    """Run a COQL query."""
    call.caller.require(COQL_SCOPE)
    body = call.json_body()
    query = body.get("select_query")
    if query is None:
        raise MandatoryNotFound(api_name="select_query", json_path="$.select_query")
    if not isinstance(query, str):
        raise InvalidQuery("select_query must be a string", api_name="select_query")
    meta = call.metadata()
    named = _FROM.search(query)
    if named:  # the module's READ scope is needed too
        module = meta.module(named.group(1))
        if module is not None:
            call.caller.require(module_scope(module.scope_name, "READ"))
        elif named.group(1).lower() == "users":
            raise InvalidModule("Users are read with the users API", clause="from")
    result = run_coql(call.runtime, call.caller, meta, query)
    if not result.rows:
        return no_content()
    return json_response(
        {
            "data": result.rows,
            "info": {"count": len(result.rows), "more_records": result.more_records},
        }
    )


routes = [Route("/crm/{version}/coql", api_endpoint(coql), methods=["POST"])]
