"""POST /oauth/v2/token and /oauth/v2/token/revoke (oauth/token_endpoint.py).

Every answer of the token endpoint is JSON with HTTP 200, failures included, as Zoho
Accounts answers; the tokens it mints then open (or not) the CRM API.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from zcrm.server.services import oauth
from zcrm.testing import ALL_SCOPES, OrgHandle

LIST = {"fields": "Last_Name"}
THROTTLED = {
    "error": "Access Denied",
    "error_description": "You have made too many requests continuously. "
    "Please try again after some time.",
    "status": "failure",
}
ENCODINGS = ["form", "query", "multipart", "json"]


def post(http: Any, fields: dict[str, str], encoding: str = "form", **kw: Any) -> Any:
    """POST the token endpoint with ``fields`` sent the way ``encoding`` says."""
    if encoding == "form":
        kw["data"] = fields
    elif encoding == "query":
        kw["params"] = fields
    elif encoding == "multipart":
        kw["files"] = {k: (None, v) for k, v in fields.items()}
    else:
        kw["json"] = fields
    response = http.post("/oauth/v2/token", **kw)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def client_fields(org: OrgHandle, grant_type: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": org.client.client_id,
        "client_secret": org.client.client_secret,
        "grant_type": grant_type,
        **extra,
    }


def exchange(http: Any, org: OrgHandle, **extra: str) -> Any:
    return post(http, client_fields(org, "authorization_code", code=org.grant_code(), **extra))


def refresh(http: Any, org: OrgHandle, token: str) -> Any:
    return post(http, client_fields(org, "refresh_token", refresh_token=token))


def auth(token: str, scheme: str = "Zoho-oauthtoken") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}"}


def assert_token_body(body: dict[str, Any], *, refresh: bool, scope: str) -> None:
    assert body["access_token"].startswith("1000.")
    assert ("refresh_token" in body) is refresh
    if refresh:
        assert body["refresh_token"].startswith("1000.")
        assert body["refresh_token"] != body["access_token"]
    assert body["api_domain"] == "http://testserver"
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == scope.replace(",", " ")


# --- every grant type, every encoding ---------------------------------------------------------


def grant_fields(org: OrgHandle, grant_type: str) -> tuple[dict[str, str], str]:
    """The fields of one grant of each type, and the scope it is for."""
    if grant_type == "authorization_code":
        return client_fields(org, grant_type, code=org.grant_code()), ALL_SCOPES
    if grant_type == "refresh_token":
        token = org.tokens().refresh_token
        assert token is not None
        return client_fields(org, grant_type, refresh_token=token), ALL_SCOPES
    scope = "ZohoCRM.modules.ALL,ZohoCRM.users.READ"
    if grant_type == "client_credentials":
        return client_fields(org, grant_type, scope=scope, soid=f"ZohoCRM.{org.org_id}"), scope
    fields = client_fields(
        org, grant_type, username=org.org.admin_email, password="admin-password", scope=scope
    )
    return fields, scope


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    ("grant_type", "gives_refresh_token"),
    [
        ("authorization_code", True),
        ("refresh_token", False),
        ("client_credentials", False),
        ("password", True),
    ],
)
def test_every_grant_in_every_encoding(
    http: Any, org: OrgHandle, grant_type: str, gives_refresh_token: bool, encoding: str
) -> None:
    fields, scope = grant_fields(org, grant_type)
    body = post(http, fields, encoding)
    assert_token_body(body, refresh=gives_refresh_token, scope=scope)
    listed = http.get("/crm/v6/Leads", params=LIST, headers=auth(body["access_token"]))
    assert listed.status_code == 204


def test_client_id_and_secret_in_a_basic_auth_header(http: Any, org: OrgHandle) -> None:
    pair = f"{org.client.client_id}:{org.client.client_secret}".encode()
    header = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    body = post(
        http, {"grant_type": "authorization_code", "code": org.grant_code()}, headers=header
    )
    assert_token_body(body, refresh=True, scope=ALL_SCOPES)
    wrong = {"Authorization": "Basic " + base64.b64encode(b"1000.NOPE:x").decode()}
    assert post(http, {"grant_type": "authorization_code", "code": "c"}, headers=wrong) == {
        "error": "invalid_client"
    }


def test_client_credentials_by_org_id_zgid_and_on_the_auth_url(http: Any, org: OrgHandle) -> None:
    base = client_fields(org, "client_credentials", scope="ZohoCRM.modules.ALL")
    for soid in (f"ZohoCRM.{org.org_id}", f"ZohoCRM.{org.org.zgid}"):
        assert "access_token" in post(http, {**base, "soid": soid})
    # The CRM docs show this call against /oauth/v2/auth: answered there too, as JSON
    via_auth = http.post("/oauth/v2/auth", data={**base, "soid": f"ZohoCRM.{org.org_id}"})
    assert via_auth.headers["content-type"].startswith("application/json")
    assert "access_token" in via_auth.json()


# --- failures: always {"error": ...} with HTTP 200 ---------------------------------------------


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_id": "1000.NOPE"}, "invalid_client"),
        ({"client_id": ""}, "invalid_client"),
        ({"client_secret": "wrong"}, "invalid_client_secret"),
        ({"client_secret": ""}, "invalid_client_secret"),
        ({"code": "1000.abc.def"}, "invalid_code"),
        ({"code": ""}, "invalid_code"),
        ({"grant_type": "magic"}, "unsupported_grant_type"),
        ({"grant_type": ""}, "invalid_request"),
    ],
)
@pytest.mark.parametrize("encoding", ["form", "query"])
def test_code_exchange_errors(
    http: Any, org: OrgHandle, change: dict[str, str], error: str, encoding: str
) -> None:
    fields = {**client_fields(org, "authorization_code", code=org.grant_code()), **change}
    assert post(http, fields, encoding) == {"error": error}


@pytest.mark.parametrize(
    ("grant_type", "change", "error"),
    [
        ("client_credentials", {"soid": ""}, "missing_org_info"),
        ("client_credentials", {"soid": "ZohoCRM.999"}, "invalid_org_info"),
        ("client_credentials", {"scope": "ZohoCRM.modules.EVERYTHING"}, "invalid_scope"),
        ("client_credentials", {"scope": ""}, "invalid_scope"),
        ("client_credentials", {"client_secret": "x"}, "invalid_client_secret"),
        ("password", {"password": "wrong"}, "invalid_user_credentials"),
        ("password", {"username": "nobody@zcrm.test"}, "invalid_user_credentials"),
        ("password", {"scope": "Nonsense"}, "invalid_scope"),
        ("refresh_token", {"refresh_token": "1000.abc.def"}, "invalid_code"),
        ("refresh_token", {"refresh_token": ""}, "invalid_code"),
        ("refresh_token", {"client_id": "1000.NOPE"}, "invalid_client"),
    ],
)
def test_grant_errors(
    http: Any, org: OrgHandle, grant_type: str, change: dict[str, str], error: str
) -> None:
    fields, _ = grant_fields(org, grant_type)
    assert post(http, {**fields, **change}) == {"error": error}


def test_codes_are_single_use(http: Any, org: OrgHandle) -> None:
    fields = client_fields(org, "authorization_code", code=org.grant_code())
    assert "access_token" in post(http, fields)
    assert post(http, fields) == {"error": "invalid_code"}


def test_codes_expire(http: Any, org: OrgHandle, runtime: Any) -> None:
    fields = client_fields(org, "authorization_code", code=org.grant_code())
    runtime.clock.advance(3 * 60 + 1)
    assert post(http, fields) == {"error": "invalid_code"}


def test_a_code_belongs_to_its_client(http: Any, org: OrgHandle, runtime: Any) -> None:
    other = oauth.create_client(runtime, name="other", org_id=org.org_id)
    fields = {
        **client_fields(org, "authorization_code", code=org.grant_code()),
        "client_id": other.client_id,
        "client_secret": other.client_secret,
    }
    assert post(http, fields) == {"error": "invalid_code"}


def test_redirect_uri_must_match_the_code(http: Any, runtime: Any, org: OrgHandle) -> None:
    client = oauth.create_client(
        runtime,
        name="web",
        client_type="server",
        redirect_uris=["https://app.example/cb"],
        org_id=org.org_id,
    )

    def code() -> str:
        issued, _ = oauth.issue_grant_code(
            runtime,
            client_id=client.client_id,
            org_id=org.org_id,
            user_id=org.admin_id,
            scopes="ZohoCRM.modules.ALL",
            redirect_uri="https://app.example/cb",
        )
        return issued

    fields = {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "grant_type": "authorization_code",
    }
    evil = {**fields, "code": code(), "redirect_uri": "https://evil.example/cb"}
    assert post(http, evil) == {"error": "invalid_redirect_uri"}
    good = {**fields, "code": code(), "redirect_uri": "https://app.example/cb"}
    assert "access_token" in post(http, good)


def test_ten_refreshes_in_ten_minutes_then_access_denied(
    http: Any, org: OrgHandle, runtime: Any
) -> None:
    token = exchange(http, org)["refresh_token"]
    bodies = [refresh(http, org, token) for _ in range(11)]
    assert all("access_token" in body for body in bodies[:10])
    assert bodies[10] == THROTTLED
    runtime.clock.advance(10 * 60 + 1)
    assert "access_token" in refresh(http, org, token)


def test_errors_are_never_html(http: Any) -> None:
    for response in (
        http.post("/oauth/v2/token"),
        http.post("/oauth/v2/token", content=b"\xff\xfe garbage"),
        http.post("/oauth/v2/token", content=b"{", headers={"content-type": "application/json"}),
        http.post("/oauth/v2/token/revoke"),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert "error" in response.json()


# --- access tokens: expiry, refresh, revoke ----------------------------------------------------


def test_access_token_expires_after_an_hour_and_a_refreshed_one_works(
    http: Any, org: OrgHandle, runtime: Any
) -> None:
    body = exchange(http, org)
    headers = auth(body["access_token"])
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
    fresh = refresh(http, org, body["refresh_token"])["access_token"]
    assert http.get("/crm/v6/Leads", params=LIST, headers=auth(fresh)).status_code == 204


@pytest.mark.parametrize("where", ["query", "form"])
def test_revoking_a_refresh_token_ends_it_and_its_access_tokens(
    http: Any, org: OrgHandle, where: str
) -> None:
    body = exchange(http, org)
    refreshed = refresh(http, org, body["refresh_token"])["access_token"]
    token = {"token": body["refresh_token"]}
    kw = {"params": token} if where == "query" else {"data": token}
    revoked = http.post("/oauth/v2/token/revoke", **kw)
    assert revoked.status_code == 200 and revoked.json() == {"status": "success"}
    for access in (body["access_token"], refreshed):
        assert http.get("/crm/v6/Leads", params=LIST, headers=auth(access)).status_code == 401
    assert refresh(http, org, body["refresh_token"]) == {"error": "invalid_code"}


def test_revoking_an_access_token_leaves_its_refresh_token(http: Any, org: OrgHandle) -> None:
    body = exchange(http, org)
    assert http.post("/oauth/v2/token/revoke", params={"token": body["access_token"]}).json() == {
        "status": "success"
    }
    gone = http.get("/crm/v6/Leads", params=LIST, headers=auth(body["access_token"]))
    assert gone.status_code == 401
    assert "access_token" in refresh(http, org, body["refresh_token"])


def test_revoke_unknown_and_missing_tokens(http: Any) -> None:
    unknown = http.post("/oauth/v2/token/revoke", params={"token": "1000.nothing.here"})
    assert unknown.json() == {"status": "success"}
    assert http.post("/oauth/v2/token/revoke", data={}).json() == {"error": "invalid_token"}


# --- the Authorization header on the CRM API ---------------------------------------------------


@pytest.mark.parametrize("scheme", ["Zoho-oauthtoken", "Bearer", "bearer", "ZOHO-OAUTHTOKEN"])
def test_both_schemes_are_accepted(http: Any, org: OrgHandle, scheme: str) -> None:
    headers = auth(org.access_token(), scheme)
    assert http.get("/crm/v6/Leads", params=LIST, headers=headers).status_code == 204


@pytest.mark.parametrize(
    ("header", "code", "message"),
    [
        (None, "AUTHENTICATION_FAILURE", "Authentication failed"),
        ("", "AUTHENTICATION_FAILURE", "Authentication failed"),
        ("Zoho-oauthtoken", "AUTHENTICATION_FAILURE", "Authentication failed"),
        ("Zoho-oauthtoken   ", "AUTHENTICATION_FAILURE", "Authentication failed"),
        ("Basic abc", "AUTHENTICATION_FAILURE", "Authentication failed"),
        ("Zoho-oauthtoken 1000.bad.token", "INVALID_TOKEN", "invalid oauth token"),
        ("Bearer garbage", "INVALID_TOKEN", "invalid oauth token"),
    ],
)
def test_bad_authorization_headers(http: Any, header: str | None, code: str, message: str) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = http.get("/crm/v6/Leads", params=LIST, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"code": code, "details": {}, "message": message, "status": "error"}


# --- scopes on the record routes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("scopes", "method", "path", "allowed"),
    [
        ("ZohoCRM.modules.leads.READ", "GET", "Leads", True),
        ("ZohoCRM.modules.leads.READ", "GET", "Leads/1", True),
        ("ZohoCRM.modules.leads.READ", "GET", "Contacts", False),
        ("ZohoCRM.modules.leads.READ", "POST", "Leads", False),
        ("ZohoCRM.modules.leads.READ", "PUT", "Leads", False),
        ("ZohoCRM.modules.leads.READ", "DELETE", "Leads", False),
        ("ZohoCRM.modules.leads.read", "GET", "Leads", True),
        ("ZohoCRM.modules.Leads.Read", "GET", "Leads", True),
        ("ZohoCRM.modules.WRITE", "POST", "Leads", True),
        ("ZohoCRM.modules.WRITE", "PUT", "Contacts", True),
        ("ZohoCRM.modules.WRITE", "DELETE", "Deals", True),
        ("ZohoCRM.modules.WRITE", "GET", "Leads", False),
        ("ZohoCRM.modules.leads.ALL", "GET", "Leads", True),
        ("ZohoCRM.modules.leads.ALL", "POST", "Leads", True),
        ("ZohoCRM.modules.leads.ALL", "DELETE", "Leads", True),
        ("ZohoCRM.modules.leads.ALL", "GET", "Accounts", False),
        ("ZohoCRM.modules.READ", "GET", "Deals", True),
        ("ZohoCRM.modules.CREATE", "POST", "Leads", True),
        ("ZohoCRM.modules.CREATE", "PUT", "Leads", False),
        ("ZohoCRM.modules.contacts.UPDATE", "PUT", "Contacts", True),
        ("ZohoCRM.modules.contacts.UPDATE", "DELETE", "Contacts", False),
        ("ZohoCRM.settings.ALL", "GET", "Leads", False),
        ("ZohoCRM.modules.leads.READ,ZohoCRM.modules.contacts.READ", "GET", "Contacts", True),
    ],
)
def test_scopes_are_enforced_on_record_routes(
    http: Any, org: OrgHandle, scopes: str, method: str, path: str, allowed: bool
) -> None:
    kw: dict[str, Any] = {"params": LIST}
    if method in ("POST", "PUT"):
        kw = {"json": {"data": [{"Last_Name": "S", "id": "1"}]}}
    if method == "DELETE":
        kw = {"params": {"ids": "1"}}
    response = http.request(method, f"/crm/v6/{path}", headers=org.headers(scopes=scopes), **kw)
    if allowed:
        assert response.status_code != 401, response.text
    else:
        assert response.status_code == 401
        assert response.json() == {
            "code": "OAUTH_SCOPE_MISMATCH",
            "details": {},
            "message": "invalid oauth scope to access this URL",
            "status": "error",
        }
