"""``GET /crm/{version}/__usage``: what this org's integrations spend (zcrm's own route).

Zoho has no usage API (its figures live in the admin console); zcrm serves one at a
name no Zoho route can take. It costs no credit.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.responses import json_response
from zcrm.server.limits.costs import charges
from zcrm.server.services.usage import summarise


@charges(lambda call: 0)
def usage(call: ApiCall) -> Response:
    """Calls and credits per day, minute, client and API for the caller's org."""
    limiter = call.runtime.limiter
    rows = limiter.usage(call.caller.org.id, minutes=7 * 24 * 60)
    policy = limiter.policies.get(call.caller.org.id)
    return json_response(
        {"usage": summarise(rows, now=call.runtime.clock.timestamp(), limit=policy.daily)}
    )


routes = [Route("/crm/{version}/__usage", api_endpoint(usage), methods=["GET"])]
