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
        "scope": "ZohoCRM.modules.ALL,ZohoCRM.users.READ",
        "access_type": "offline",
        "state": "xyz-123",
        **extra,
    }


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return match.group(1).replace("&#34;", '"').replace("&amp;", "&")


def sign_in_and_approve(
    browser: TestClient, org: OrgHandle, params: dict[str, str], decision: str = "approve"
) -> Any:
    page = browser.get("/oauth/v2/auth", params=params)
    assert page.status_code == 200
    consent = page  # signed in already: straight to consent
    if "Sign in" in page.text:
        consent = browser.post(
            "/oauth/v2/auth/signin",
            data={
                "email": org.org.admin_email,
                "password": "admin-password",
                "csrf": hidden(page.text, "csrf"),
                "request": hidden(page.text, "request"),
            },
        )
    assert consent.status_code == 200 and "ZohoCRM.users.READ" in consent.text
    return browser.post(
        "/oauth/v2/auth/consent",
        data={
            "decision": decision,
            "csrf": hidden(consent.text, "csrf"),
            "request": hidden(consent.text, "request"),
        },
    )


def test_code_flow_end_to_end(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    redirect = sign_in_and_approve(browser, org, auth_params(web_client))
    assert redirect.status_code == 302
    target = urlsplit(redirect.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == CALLBACK
    query = parse_qs(target.query)
    assert query["state"] == ["xyz-123"] and query["location"] == ["us"]
    assert query["accounts-server"] == ["http://testserver"]
    tokens = browser.post(
        "/oauth/v2/token",
        data={
            "client_id": web_client.client_id,
            "client_secret": web_client.client_secret,
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": CALLBACK,
        },
    ).json()
    assert "refresh_token" in tokens
    leads = browser.get(
        "/crm/v6/Leads",
        params={"fields": "Last_Name"},
        headers={"Authorization": f"Zoho-oauthtoken {tokens['access_token']}"},
    )
    assert leads.status_code == 204
    # Signed in already: the next request goes straight to consent; no second refresh token
    page = browser.get("/oauth/v2/auth", params=auth_params(web_client))
    assert "would like to access" in page.text
    again = browser.post(
        "/oauth/v2/auth/consent",
        data={
            "decision": "approve",
            "csrf": hidden(page.text, "csrf"),
            "request": hidden(page.text, "request"),
        },
    )
    code = parse_qs(urlsplit(again.headers["location"]).query)["code"][0]
    second = browser.post(
        "/oauth/v2/token",
        data={
            "client_id": web_client.client_id,
            "client_secret": web_client.client_secret,
            "grant_type": "authorization_code",
            "code": code,
        },
    ).json()
    assert "access_token" in second and "refresh_token" not in second


def test_prompt_consent_gives_a_new_refresh_token(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    for _ in range(2):
        redirect = sign_in_and_approve(browser, org, auth_params(web_client, prompt="consent"))
        code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
        body = browser.post(
            "/oauth/v2/token",
            data={
                "client_id": web_client.client_id,
                "client_secret": web_client.client_secret,
                "grant_type": "authorization_code",
                "code": code,
            },
        ).json()
        assert "refresh_token" in body


def test_online_access_has_no_refresh_token(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    redirect = sign_in_and_approve(browser, org, auth_params(web_client, access_type="online"))
    code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
    body = browser.post(
        "/oauth/v2/token",
        data={
            "client_id": web_client.client_id,
            "client_secret": web_client.client_secret,
            "grant_type": "authorization_code",
            "code": code,
        },
    ).json()
    assert "access_token" in body and "refresh_token" not in body


def test_implicit_flow(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    redirect = sign_in_and_approve(browser, org, auth_params(web_client, response_type="token"))
    fragment = parse_qs(urlsplit(redirect.headers["location"]).fragment)
    assert fragment["token_type"] == ["Bearer"] and fragment["state"] == ["xyz-123"]
    token = fragment["access_token"][0]
    leads = browser.get(
        "/crm/v6/Leads",
        params={"fields": "Last_Name"},
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
    )
    assert leads.status_code == 204


def test_deny(browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient) -> None:
    redirect = sign_in_and_approve(browser, org, auth_params(web_client), decision="deny")
    query = parse_qs(urlsplit(redirect.headers["location"]).query)
    assert query == {"error": ["access_denied"], "state": ["xyz-123"]}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"client_id": "1000.UNKNOWN"}, "invalid_client"),
        ({"redirect_uri": "https://evil.example/cb"}, "invalid_redirect_uri"),
        ({"redirect_uri": ""}, "invalid_redirect_uri"),
    ],
)
def test_refused_without_redirect(
    browser: TestClient, web_client: oauth.RegisteredClient, change: dict[str, str], code: str
) -> None:
    response = browser.get("/oauth/v2/auth", params={**auth_params(web_client), **change})
    assert response.status_code == 400
    assert "location" not in response.headers
    assert code in response.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"scope": "Nonsense"}, "invalid_scope"),
        ({"response_type": "id_token"}, "unsupported_response_type"),
    ],
)
def test_redirected_errors(
    browser: TestClient, web_client: oauth.RegisteredClient, change: dict[str, str], error: str
) -> None:
    response = browser.get("/oauth/v2/auth", params={**auth_params(web_client), **change})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["location"]).query)["error"] == [error]


def test_wrong_password_and_csrf(
    browser: TestClient, org: OrgHandle, web_client: oauth.RegisteredClient
) -> None:
    page = browser.get("/oauth/v2/auth", params=auth_params(web_client))
    form = {
        "email": org.org.admin_email,
        "password": "nope",
        "csrf": hidden(page.text, "csrf"),
        "request": hidden(page.text, "request"),
    }
    wrong = browser.post("/oauth/v2/auth/signin", data=form)
    assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
    forged = browser.post(
        "/oauth/v2/auth/signin", data={**form, "password": "admin-password", "csrf": "forged"}
    )
    assert forged.status_code == 400 and "CSRF" in forged.text
    tampered = browser.post(
        "/oauth/v2/auth/signin", data={**form, "password": "admin-password", "request": "x"}
    )
    assert tampered.status_code == 400
