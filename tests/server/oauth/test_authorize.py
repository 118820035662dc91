"""GET /oauth/v2/auth and its sign-in and consent forms (oauth/authorize.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from zcrm.server.services import oauth
from zcrm.testing import OrgHandle

CALLBACK = "https://app.example/callback"
SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.users.READ"
LIST = {"fields": "Last_Name"}


@pytest.fixture
def browser(app: Any) -> Iterator[TestClient]:
    """A fresh browser (its own cookie jar) that does not follow redirects."""
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def web_client(runtime: Any, org: OrgHandle) -> oauth.RegisteredClient:
    return oauth.create_client(
        runtime, name="Acme Sync", client_type="server", redirect_uris=[CALLBACK], org_id=org.org_id
    )


def auth_params(client: oauth.RegisteredClient, **extra: str) -> dict[str, str]:
    return {
        "client_id": client.client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": SCOPE,
        "access_type": "offline",
        "state": "xyz-123",
        **extra,
    }


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return match.group(1).replace("&#34;", '"').replace("&amp;", "&")


def form_of(page: Any, **fields: str) -> dict[str, str]:
    """The hidden fields of ``page``'s form, plus ``fields``."""
    return {"csrf": hidden(page.text, "csrf"), "request": hidden(page.text, "request"), **fields}


def sign_in(browser: TestClient, org: OrgHandle, params: dict[str, str]) -> Any:
    """Open the authorization URL and sign in (if needed); the consent page."""
    page = browser.get("/oauth/v2/auth", params=params)
    assert page.status_code == 200
    if "would like to access" in page.text:
        return page  # signed in already: straight to consent
    assert "Sign in" in page.text
    consent = browser.post(
        "/oauth/v2/auth/signin",
        data=form_of(page, email=org.org.admin_email, password="admin-password"),
    )
    assert consent.status_code == 200 and "would like to access" in consent.text
    return consent


def sign_in_and_decide(
    browser: TestClient, org: OrgHandle, params: dict[str, str], decision: str = "approve"
) -> Any:
    consent = sign_in(browser, org, params)
    response = browser.post("/oauth/v2/auth/consent", data=form_of(consent, decision=decision))
    assert response.status_code == 302
    return response


def redirected_query(response: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(response.headers["location"]).query)


def redirected_fragment(response: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(response.headers["location"]).fragment)


def exchange(http: TestClient, client: oauth.RegisteredClient, code: str, **extra: str) -> Any:
    fields = {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "grant_type": "authorization_code",
        "code": code,
        **extra,
    }
    return http.post("/oauth/v2/token", data=fields).json()


def list_leads(http: TestClient, token: str, module: str = "Leads") -> int:
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    status: int = http.get(f"/crm/v6/{module}", params=LIST, headers=headers).status_code
    return status


# --- the authorization-code flow ---------------------------------------------------------------


def test_code_flow_end_to_end(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    page = browser.get("/oauth/v2/auth", params=auth_params(web_client))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Acme Sync" in page.text and 'type="password"' in page.text
    consent = browser.post(
        "/oauth/v2/auth/signin",
        data=form_of(page, email=org.org.admin_email, password="admin-password"),
    )
    assert "Acme Sync" in consent.text and org.org.admin_email in consent.text
    assert "ZohoCRM.modules.ALL" in consent.text and "ZohoCRM.users.READ" in consent.text
    redirect = browser.post("/oauth/v2/auth/consent", data=form_of(consent, decision="approve"))
    assert redirect.status_code == 302
    target = urlsplit(redirect.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == CALLBACK
    query = redirected_query(redirect)
    assert set(query) == {"state", "code", "location", "accounts-server"}
    assert query["state"] == ["xyz-123"] and query["location"] == ["us"]
    assert query["accounts-server"] == ["http://testserver"]
    tokens = exchange(browser, web_client, query["code"][0], redirect_uri=CALLBACK)
    assert tokens["api_domain"] == "http://testserver" and "refresh_token" in tokens
    assert tokens["scope"] == SCOPE.replace(",", " ")
    assert list_leads(browser, tokens["access_token"]) == 204


def test_only_the_first_offline_grant_brings_a_refresh_token(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    first = sign_in_and_decide(browser, org, auth_params(web_client))
    assert "refresh_token" in exchange(browser, web_client, redirected_query(first)["code"][0])
    # Signed in already: the next request goes straight to consent; no second refresh token
    again = sign_in_and_decide(browser, org, auth_params(web_client))
    second = exchange(browser, web_client, redirected_query(again)["code"][0])
    assert "access_token" in second and "refresh_token" not in second


def test_prompt_consent_gives_a_new_refresh_token(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    for _ in range(2):
        redirect = sign_in_and_decide(browser, org, auth_params(web_client, prompt="consent"))
        body = exchange(browser, web_client, redirected_query(redirect)["code"][0])
        assert "refresh_token" in body


@pytest.mark.parametrize("access_type", ["online", None])
def test_online_access_has_no_refresh_token(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient, access_type: str | None
) -> None:
    params = auth_params(web_client, access_type=access_type or "")
    if access_type is None:
        del params["access_type"]  # online is the default
    redirect = sign_in_and_decide(browser, org, params)
    body = exchange(browser, web_client, redirected_query(redirect)["code"][0])
    assert "access_token" in body and "refresh_token" not in body


def test_the_code_lives_two_minutes(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient, runtime: Any
) -> None:
    redirect = sign_in_and_decide(browser, org, auth_params(web_client))
    runtime.clock.advance(121)
    assert exchange(browser, web_client, redirected_query(redirect)["code"][0]) == {
        "error": "invalid_code"
    }


def test_the_code_is_bound_to_its_redirect_uri(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    redirect = sign_in_and_decide(browser, org, auth_params(web_client))
    code = redirected_query(redirect)["code"][0]
    assert exchange(browser, web_client, code, redirect_uri="https://evil.example/cb") == {
        "error": "invalid_redirect_uri"
    }


def test_a_redirect_uri_with_a_query_keeps_it(
    browser: TestClient, org: OrgHandle, runtime: Any
) -> None:
    uri = "https://app.example/cb?tenant=7"
    client = oauth.create_client(
        runtime, name="Tenant", client_type="server", redirect_uris=[uri], org_id=org.org_id
    )
    params = {**auth_params(client), "redirect_uri": uri}
    del params["state"]
    redirect = sign_in_and_decide(browser, org, params)
    query = redirected_query(redirect)
    assert query["tenant"] == ["7"] and "code" in query and "state" not in query


def test_deny(browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient) -> None:
    redirect = sign_in_and_decide(browser, org, auth_params(web_client), decision="deny")
    assert redirected_query(redirect) == {"error": ["access_denied"], "state": ["xyz-123"]}


# --- the implicit flow -------------------------------------------------------------------------


def test_implicit_flow_returns_a_token_in_the_fragment(
    browser: TestClient, org: OrgHandle, runtime: Any
) -> None:
    client = oauth.create_client(
        runtime, name="SPA", client_type="browser", redirect_uris=[CALLBACK], org_id=org.org_id
    )
    params = auth_params(client, response_type="token", scope="ZohoCRM.modules.leads.READ")
    redirect = sign_in_and_decide(browser, org, params)
    assert urlsplit(redirect.headers["location"]).query == ""
    fragment = redirected_fragment(redirect)
    assert fragment["token_type"] == ["Bearer"] and fragment["expires_in"] == ["3600"]
    assert fragment["state"] == ["xyz-123"] and fragment["location"] == ["us"]
    assert fragment["api_domain"] == ["http://testserver"]
    assert "refresh_token" not in fragment
    token = fragment["access_token"][0]
    assert list_leads(browser, token) == 204
    assert list_leads(browser, token, "Contacts") == 401  # the granted scope only
    runtime.clock.advance(3601)
    assert list_leads(browser, token) == 401


def test_implicit_flow_errors_go_in_the_fragment(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    denied = sign_in_and_decide(
        browser, org, auth_params(web_client, response_type="token"), decision="deny"
    )
    assert redirected_fragment(denied) == {"error": ["access_denied"], "state": ["xyz-123"]}
    bad_scope = browser.get(
        "/oauth/v2/auth", params=auth_params(web_client, response_type="token", scope="x")
    )
    assert redirected_fragment(bad_scope)["error"] == ["invalid_scope"]


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"client_id": "1000.UNKNOWN"}, "invalid_client"),
        ({"client_id": ""}, "invalid_client"),
        ({"redirect_uri": "https://evil.example/cb"}, "invalid_redirect_uri"),
        ({"redirect_uri": CALLBACK + "/"}, "invalid_redirect_uri"),
        ({"redirect_uri": CALLBACK.upper()}, "invalid_redirect_uri"),
        ({"redirect_uri": ""}, "invalid_redirect_uri"),
    ],
)
def test_refused_on_a_page_never_redirected(
    browser: TestClient, web_client: oauth.RegisteredClient, change: dict[str, str], code: str
) -> None:
    response = browser.get("/oauth/v2/auth", params={**auth_params(web_client), **change})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "location" not in response.headers
    assert code in response.text


def test_a_client_without_redirect_uris_cannot_use_the_page(
    browser: TestClient, org: OrgHandle
) -> None:
    response = browser.get("/oauth/v2/auth", params={**auth_params(org.client)})
    assert response.status_code == 400 and "invalid_redirect_uri" in response.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"scope": "Nonsense"}, "invalid_scope"),
        ({"scope": "ZohoCRM.modules.EVERYTHING"}, "invalid_scope"),
        ({"scope": ""}, "invalid_scope"),
        ({"response_type": "id_token"}, "unsupported_response_type"),
        ({"response_type": ""}, "unsupported_response_type"),
    ],
)
def test_redirected_errors(
    browser: TestClient, web_client: oauth.RegisteredClient, change: dict[str, str], error: str
) -> None:
    response = browser.get("/oauth/v2/auth", params={**auth_params(web_client), **change})
    assert response.status_code == 302
    assert redirected_query(response) == {"error": [error], "state": ["xyz-123"]}


def test_wrong_password(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    page = browser.get("/oauth/v2/auth", params=auth_params(web_client))
    for email, password in ((org.org.admin_email, "nope"), ("nobody@zcrm.test", "admin-password")):
        wrong = browser.post(
            "/oauth/v2/auth/signin", data=form_of(page, email=email, password=password)
        )
        assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
        assert "would like to access" not in wrong.text


def test_csrf_is_checked_on_every_form(
    app: Any, browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    page = browser.get("/oauth/v2/auth", params=auth_params(web_client))
    credentials = {"email": org.org.admin_email, "password": "admin-password"}
    for forged in ("forged", ""):
        response = browser.post(
            "/oauth/v2/auth/signin", data={**form_of(page, **credentials), "csrf": forged}
        )
        assert response.status_code == 400 and "CSRF" in response.text
    # A token that belongs to another browser's cookie does not pass either
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as other:
        response = other.post("/oauth/v2/auth/signin", data=form_of(page, **credentials))
        assert response.status_code == 400 and "CSRF" in response.text
    consent = browser.post("/oauth/v2/auth/signin", data=form_of(page, **credentials))
    for path in ("/oauth/v2/auth/consent", "/oauth/v2/auth/signout"):
        response = browser.post(path, data={**form_of(consent, decision="approve"), "csrf": "x"})
        assert response.status_code == 400 and "CSRF" in response.text


def test_a_tampered_or_expired_request_is_refused(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient, runtime: Any
) -> None:
    page = browser.get("/oauth/v2/auth", params=auth_params(web_client))
    credentials = {"email": org.org.admin_email, "password": "admin-password"}
    tampered = {**form_of(page, **credentials), "request": hidden(page.text, "request")[:-2]}
    assert browser.post("/oauth/v2/auth/signin", data=tampered).status_code == 400
    runtime.clock.advance(16 * 60)
    expired = browser.post("/oauth/v2/auth/signin", data=form_of(page, **credentials))
    assert expired.status_code == 400 and "expired" in expired.text


def test_consent_needs_a_signed_in_user(
    app: Any, browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    consent = sign_in(browser, org, auth_params(web_client))
    # Another browser with its own CSRF cookie but nobody signed in
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as other:
        page = other.get("/oauth/v2/auth", params=auth_params(web_client))
        response = other.post(
            "/oauth/v2/auth/consent",
            data={**form_of(consent, decision="approve"), "csrf": hidden(page.text, "csrf")},
        )
        assert response.status_code == 400 and "not signed in" in response.text


# --- the browser session -----------------------------------------------------------------------


def test_cookies_are_http_only_and_same_site_lax(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    page = browser.get("/oauth/v2/auth", params=auth_params(web_client))
    consent = browser.post(
        "/oauth/v2/auth/signin",
        data=form_of(page, email=org.org.admin_email, password="admin-password"),
    )
    cookies = consent.headers.get_list("set-cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {"zcrm_csrf", "zcrm_session"}
    for cookie in cookies:
        lowered = cookie.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered and "path=/oauth" in lowered
    assert consent.headers["cache-control"] == "no-store"
    assert consent.headers["x-frame-options"] == "DENY"


def test_the_session_ends_after_an_hour(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient, runtime: Any
) -> None:
    sign_in(browser, org, auth_params(web_client))
    again = browser.get("/oauth/v2/auth", params=auth_params(web_client))
    assert "would like to access" in again.text
    runtime.clock.advance(3601)
    later = browser.get("/oauth/v2/auth", params=auth_params(web_client))
    assert "Sign in" in later.text and "would like to access" not in later.text


def test_not_you_signs_out(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    other_email = f"second-{org.org_id}@zcrm.test"
    other_id = org.add_user(email=other_email, password="second-password")
    consent = sign_in(browser, org, auth_params(web_client))
    page = browser.post("/oauth/v2/auth/signout", data=form_of(consent))
    assert page.status_code == 200 and 'type="password"' in page.text
    assert any("zcrm_session=" in c for c in page.headers.get_list("set-cookie"))
    consent = browser.post(
        "/oauth/v2/auth/signin",
        data=form_of(page, email=other_email, password="second-password"),
    )
    assert other_email in consent.text
    redirect = browser.post("/oauth/v2/auth/consent", data=form_of(consent, decision="approve"))
    token = exchange(browser, web_client, redirected_query(redirect)["code"][0])["access_token"]
    me = browser.get(
        "/crm/v6/users",
        params={"type": "CurrentUser"},
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
    )
    assert me.json()["users"][0]["id"] == str(other_id)


def test_pages_escape_what_they_show_and_load_nothing_else(
    browser: TestClient, org: OrgHandle, runtime: Any
) -> None:
    client = oauth.create_client(
        runtime,
        name="<script>alert(1)</script>",
        client_type="server",
        redirect_uris=[CALLBACK],
        org_id=org.org_id,
    )
    consent = sign_in(browser, org, auth_params(client))
    assert "<script>" not in consent.text and "&lt;script&gt;" in consent.text
    assert not re.search(r"\b(src|href)=", consent.text)  # no external assets, no scripts
