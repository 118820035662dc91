"""POST /oauth/v2/token and /oauth/v2/token/revoke (oauth/token_endpoint.py)."""

from __future__ import annotations

from typing import Any

import pytest

from zcrm.server.services import oauth
from zcrm.testing import OrgHandle

LIST = {"fields": "Last_Name"}


def exchange(http: Any, org: OrgHandle, **extra: str) -> Any:
    form = {
        "client_id": org.client.client_id,
        "client_secret": org.client.client_secret,
        "grant_type": "authorization_code",
        "code": org.grant_code(),
        **extra,
    }
    return http.post("/oauth/v2/token", data=form)


def assert_token_body(body: dict[str, Any], refresh: bool) -> None:
    assert body["access_token"].startswith("1000.")
    assert ("refresh_token" in body) is refresh
    assert body["api_domain"] == "http://testserver"
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert "ZohoCRM.modules.ALL" in body["scope"]


@pytest.mark.parametrize("encoding", ["form", "query", "multipart", "json"])
def test_authorization_code_in_every_encoding(http: Any, org: OrgHandle, encoding: str) -> None:
    fields = {
        "client_id": org.client.client_id,
        "client_secret": org.client.client_secret,
        "grant_type": "authorization_code",
        "code": org.grant_code(),
    }
    if encoding == "form":
        response = http.post("/oauth/v2/token", data=fields)
    elif encoding == "query":
        response = http.post("/oauth/v2/token", params=fields)
    elif encoding == "multipart":
        response = http.post("/oauth/v2/token", files={k: (None, v) for k, v in fields.items()})
    else:
        response = http.post("/oauth/v2/token", json=fields)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert_token_body(response.json(), refresh=True)


def test_refresh_token_grant(http: Any, org: OrgHandle) -> None:
    refresh = exchange(http, org).json()["refresh_token"]
    response = http.post(
        "/oauth/v2/token",
        data={
            "client_id": org.client.client_id,
            "client_secret": org.client.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh,
        },
    )
    assert_token_body(response.json(), refresh=False)
    token = response.json()["access_token"]
    listed = http.get(
        "/crm/v6/Leads", params=LIST, headers={"Authorization": f"Zoho-oauthtoken {token}"}
    )
    assert listed.status_code == 204


def test_client_credentials_grant(http: Any, org: OrgHandle) -> None:
    base = {
        "client_id": org.client.client_id,
        "client_secret": org.client.client_secret,
        "grant_type": "client_credentials",
        "scope": "ZohoCRM.modules.ALL",
    }
    for soid in (f"ZohoCRM.{org.org_id}", f"ZohoCRM.{org.org.zgid}"):
        response = http.post("/oauth/v2/token", data={**base, "soid": soid})
        assert_token_body(response.json(), refresh=False)
    via_auth = http.post("/oauth/v2/auth", data={**base, "soid": f"ZohoCRM.{org.org_id}"})
    assert "access_token" in via_auth.json()
    assert http.post("/oauth/v2/token", data=base).json() == {"error": "missing_org_info"}


def test_password_grant(http: Any, org: OrgHandle) -> None:
    base = {
        "client_id": org.client.client_id,
        "client_secret": org.client.client_secret,
        "grant_type": "password",
        "username": org.org.admin_email,
        "scope": "ZohoCRM.modules.ALL",
    }
    ok = http.post("/oauth/v2/token", data={**base, "password": "admin-password"})
    assert_token_body(ok.json(), refresh=True)
    bad = http.post("/oauth/v2/token", data={**base, "password": "wrong"})
    assert bad.json() == {"error": "invalid_user_credentials"}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_id": "1000.NOPE"}, "invalid_client"),
        ({"client_secret": "wrong"}, "invalid_client_secret"),
        ({"code": "1000.abc.def"}, "invalid_code"),
        ({"grant_type": "magic"}, "unsupported_grant_type"),
        ({"grant_type": ""}, "invalid_request"),
    ],
)
def test_token_errors_are_json_with_200(
    http: Any, org: OrgHandle, change: dict[str, str], error: str
) -> None:
    form = {
        "client_id": org.client.client_id,
        "client_secret": org.client.client_secret,
        "grant_type": "authorization_code",
        "code": org.grant_code(),
        **change,
    }
    response = http.post("/oauth/v2/token", data=form)
    assert response.status_code == 200
    assert response.json() == {"error": error}


def test_codes_are_single_use_and_expire(http: Any, org: OrgHandle, runtime: Any) -> None:
    code = org.grant_code()
    form = {
        "client_id": org.client.client_id,
        "client_secret": org.client.client_secret,
        "grant_type": "authorization_code",
        "code": code,
    }
    assert "access_token" in http.post("/oauth/v2/token", data=form).json()
    assert http.post("/oauth/v2/token", data=form).json() == {"error": "invalid_code"}
    stale = {**form, "code": org.grant_code()}
    runtime.clock.advance(181)
    assert http.post("/oauth/v2/token", data=stale).json() == {"error": "invalid_code"}


def test_invalid_scope_on_grant(runtime: Any, org: OrgHandle) -> None:
    with pytest.raises(oauth.OAuthError) as caught:
        org.grant_code(scopes="ZohoCRM.modules.EVERYTHING")
    assert caught.value.error == "invalid_scope"


def test_redirect_uri_must_match(http: Any, runtime: Any, org: OrgHandle) -> None:
    client = oauth.create_client(
        runtime,
        name="web",
        client_type="server",
        redirect_uris=["https://app.example/cb"],
        org_id=org.org_id,
    )
    code, _ = oauth.issue_grant_code(
        runtime,
        client_id=client.client_id,
        org_id=org.org_id,
        user_id=org.admin_id,
        scopes="ZohoCRM.modules.ALL",
        redirect_uri="https://app.example/cb",
    )
    form = {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "https://evil.example/cb",
    }
    assert http.post("/oauth/v2/token", data=form).json() == {"error": "invalid_redirect_uri"}


def test_refresh_throttle(http: Any, org: OrgHandle) -> None:
    refresh = exchange(http, org).json()["refresh_token"]
    form = {
        "client_id": org.client.client_id,
        "client_secret": org.client.client_secret,
        "grant_type": "refresh_token",
        "refresh_token": refresh,
    }
    bodies = [http.post("/oauth/v2/token", data=form).json() for _ in range(11)]
    assert all("access_token" in b for b in bodies[:9])
    assert bodies[-1]["error"] == "Access Denied"


def test_access_token_expires_after_an_hour(http: Any, org: OrgHandle, runtime: Any) -> None:
    token = exchange(http, org).json()["access_token"]
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    assert http.get("/crm/v6/Leads", params=LIST, headers=headers).status_code == 204
    runtime.clock.advance(3601)
    expired = http.get("/crm/v6/Leads", params=LIST, headers=headers)
    assert expired.status_code == 401
    assert expired.json() == {
        "code": "INVALID_TOKEN",
        "details": {},
        "message": "invalid oauth token",
        "status": "error",
    }


def test_revoke(http: Any, org: OrgHandle) -> None:
    body = exchange(http, org).json()
    headers = {"Authorization": f"Zoho-oauthtoken {body['access_token']}"}
    revoked = http.post("/oauth/v2/token/revoke", params={"token": body["refresh_token"]})
    assert revoked.json() == {"status": "success"}
    assert http.get("/crm/v6/Leads", params=LIST, headers=headers).status_code == 401
    again = http.post(
        "/oauth/v2/token",
        data={
            "client_id": org.client.client_id,
            "client_secret": org.client.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
        },
    )
    assert again.json() == {"error": "invalid_code"}
    assert http.post("/oauth/v2/token/revoke", data={}).json() == {"error": "invalid_token"}


@pytest.mark.parametrize(
    ("header", "status", "code"),
    [
        (None, 401, "AUTHENTICATION_FAILURE"),
        ("Zoho-oauthtoken", 401, "AUTHENTICATION_FAILURE"),
        ("Basic abc", 401, "AUTHENTICATION_FAILURE"),
        ("Zoho-oauthtoken 1000.bad.token", 401, "INVALID_TOKEN"),
    ],
)
def test_bad_authorization_headers(http: Any, header: str | None, status: int, code: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = http.get("/crm/v6/Leads", params=LIST, headers=headers)
    assert response.status_code == status and response.json()["code"] == code


def test_bearer_is_accepted(http: Any, org: OrgHandle) -> None:
    token = org.access_token()
    response = http.get("/crm/v6/Leads", params=LIST, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 204


@pytest.mark.parametrize(
    ("scopes", "method", "path", "allowed"),
    [
        ("ZohoCRM.modules.leads.READ", "GET", "Leads", True),
        ("ZohoCRM.modules.leads.READ", "GET", "Contacts", False),
        ("ZohoCRM.modules.leads.READ", "POST", "Leads", False),
        ("ZohoCRM.modules.leads.read", "GET", "Leads", True),
        ("ZohoCRM.modules.WRITE", "POST", "Leads", True),
        ("ZohoCRM.modules.WRITE", "GET", "Leads", False),
        ("ZohoCRM.modules.leads.ALL", "DELETE", "Leads", True),
        ("ZohoCRM.modules.READ", "GET", "Deals", True),
        ("ZohoCRM.modules.CREATE", "PUT", "Leads", False),
        ("ZohoCRM.settings.ALL", "GET", "Leads", False),
    ],
)
def test_scopes_are_enforced(
    http: Any, org: OrgHandle, scopes: str, method: str, path: str, allowed: bool
) -> None:
    headers = org.headers(scopes=scopes)
    kw: dict[str, Any] = {"params": LIST}
    if method in ("POST", "PUT"):
        kw = {"json": {"data": [{"Last_Name": "S", "id": "1"}]}}
    if method == "DELETE":
        kw = {"params": {"ids": "1"}}
    response = http.request(method, f"/crm/v6/{path}", headers=headers, **kw)
    if allowed:
        assert response.status_code != 401, response.text
    else:
        assert response.status_code == 401
        assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
