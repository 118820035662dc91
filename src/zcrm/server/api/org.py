"""``GET /crm/{version}/org``: the organisation (the SDK needs ``org[0].zgid``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import Route

from zcrm.server.api.http import ApiCall, api_endpoint
from zcrm.server.api.responses import json_response
from zcrm.server.services.orgs import primary_admin
from zcrm.server.services.scopes import need
from zcrm.server.storage.schema import orgs, users
from zcrm.server.timefmt import to_wire

PAID_PLANS = frozenset({"standard", "professional", "enterprise", "ultimate"})


def org_json(row: Any, admin: Any, user_count: int, tz: str) -> dict[str, Any]:
    """The org in Zoho's shape; the licence follows the plan (``free`` is the unpaid one)."""
    return {
        "country": row.country,
        "photo_id": None,
        "city": None,
        "description": None,
        "mc_status": False,
        "gapps_enabled": False,
        "domain_name": f"org{row.zgid}",
        "translation_enabled": False,
        "street": None,
        "alias": None,
        "currency": row.currency,
        "id": str(row.id),
        "state": None,
        "fax": None,
        "employee_count": str(user_count),
        "zip": None,
        "created_time": to_wire(row.created_time, tz),
        "website": None,
        "currency_symbol": row.currency_symbol,
        "mobile": None,
        "currency_locale": "en_US",
        "primary_zuid": admin.zuid if admin else None,
        "zia_portal_id": None,
        "time_zone": row.time_zone,
        "zgid": row.zgid,
        "country_code": "US",
        "license_details": {
            "paid_expiry": None,
            "users_license_purchased": max(user_count, 10),
            "trial_type": None,
            "trial_expiry": None,
            "paid": row.plan in PAID_PLANS,
            "paid_type": row.plan,
            "portal_users_license_purchased": 0,
            "trial_action": None,
        },
        "phone": None,
        "company_name": row.company_name,
        "privacy_settings": False,
        "primary_email": admin.email if admin else None,
        "hipaa_compliance_enabled": False,
        "iso_code": row.iso_code,
        "type": "production",
        "lite_users_enabled": False,
        "deletable_org_account": False,
        "hierarchy_preferences": {"type": "Role_Hierarchy"},
        "max_per_page": 200,
        "oauth_presence": True,
    }


def get_org(call: ApiCall) -> Response:
    """The caller's organisation."""
    call.caller.require(need("ZohoCRM", "org", None, "READ"))
    org_id = call.caller.org.id
    with call.runtime.db.read_org(org_id) as scope:
        row = scope.execute(select(orgs).where(orgs.c.id == org_id)).first()
        count = len(scope.rows(scope.select(users, users.c.id).where(users.c.status != "deleted")))
    admin = primary_admin(call.runtime, org_id)
    return json_response({"org": [org_json(row, admin, count, call.caller.user.time_zone)]})


routes = [Route("/crm/{version}/org", api_endpoint(get_org), methods=["GET"])]
