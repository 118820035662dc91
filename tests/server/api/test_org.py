"""GET /crm/{version}/org (api/org.py)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from zcrm.server.runtime import Runtime
from zcrm.testing import make_org
from zcrm.testing.api import Api

ORG_KEYS = {
    "id",
    "zgid",
    "company_name",
    "domain_name",
    "primary_email",
    "primary_zuid",
    "time_zone",
    "currency",
    "currency_symbol",
    "iso_code",
    "country",
    "type",
    "mc_status",
    "license_details",
    "created_time",
    "employee_count",
}


def test_org_has_what_the_sdk_needs(api: Api) -> None:
    response = api.get("org")
    assert response.status_code == 200
    (org,) = response.json()["org"]
    assert set(org) >= ORG_KEYS
    assert org["id"] == str(api.org.org_id)
    assert org["zgid"] == api.org.org.zgid and isinstance(org["zgid"], str)
    assert org["zgid"].isdigit()
    assert org["domain_name"] == f"org{org['zgid']}"
    assert org["primary_email"] == api.org.org.admin_email
    assert (org["type"], org["mc_status"]) == ("production", False)
    assert (org["currency"], org["currency_symbol"], org["iso_code"]) == (
        "US Dollar - USD",
        "$",
        "USD",
    )
    licence = org["license_details"]
    assert (licence["paid"], licence["paid_type"]) == (True, "enterprise")
    assert licence["users_license_purchased"] >= 1


def test_primary_zuid_is_the_admins(api: Api) -> None:
    me = api.get("users", params={"type": "CurrentUser"}).json()["users"][0]
    assert api.get("org").json()["org"][0]["primary_zuid"] == me["zuid"]


@pytest.mark.parametrize(
    ("plan", "paid"), [("free", False), ("standard", True), ("ultimate", True)]
)
def test_licence_follows_the_plan(
    http: TestClient, runtime: Runtime, plan: str, paid: bool
) -> None:
    api = Api(http, make_org(runtime, plan=plan))
    licence = api.get("org").json()["org"][0]["license_details"]
    assert (licence["paid"], licence["paid_type"]) == (paid, plan)


def test_org_time_zone(http: TestClient, runtime: Runtime) -> None:
    api = Api(http, make_org(runtime, time_zone="Europe/Paris"))
    assert api.get("org").json()["org"][0]["time_zone"] == "Europe/Paris"


@pytest.mark.parametrize(
    "scope", ["ZohoCRM.modules.ALL", "ZohoCRM.users.ALL", "ZohoCRM.settings.ALL"]
)
def test_org_needs_the_org_scope(api: Api, scope: str) -> None:
    response = api.with_scopes(scope).get("org")
    assert response.status_code == 401 and response.json()["code"] == "OAUTH_SCOPE_MISMATCH"


@pytest.mark.parametrize("scope", ["ZohoCRM.org.READ", "ZohoCRM.org.ALL"])
def test_org_scopes(api: Api, scope: str) -> None:
    assert api.with_scopes(scope).get("org").status_code == 200


def test_standard_users_can_read_the_org(api: Api) -> None:
    standard = api.as_user(api.org.add_user(profile="Standard"))
    assert standard.get("org").json()["org"][0]["zgid"] == api.org.org.zgid
