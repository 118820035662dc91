"""GET /crm/{version}/org (api/org.py)."""

from __future__ import annotations

from typing import Any


def test_org_has_what_the_sdk_needs(api: Any) -> None:
    response = api.get("org")
    assert response.status_code == 200
    (org,) = response.json()["org"]
    assert org["id"] == str(api.org.org_id)
    assert org["zgid"] == api.org.org.zgid and isinstance(org["zgid"], str)
    assert org["domain_name"] == f"org{org['zgid']}"
    assert org["primary_email"] == api.org.org.admin_email
    assert org["license_details"]["paid_type"] == "enterprise"
    assert org["license_details"]["paid"] is True


def test_org_scope(api: Any) -> None:
    response = api.with_scopes("ZohoCRM.modules.ALL").get("org")
    assert response.status_code == 401 and response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    assert api.with_scopes("ZohoCRM.org.READ").get("org").status_code == 200
