"""Endpoints: Zoho's data centres and environments, or any host (a zcrm server)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from zcrm.client import CRM, Endpoints
from zcrm.testing import OrgHandle
from zcrm.testing.live import LiveServer

# data centre (and its aliases) -> (API domain suffix, accounts server)
ZOHO = [
    (("com", "us"), "com", "https://accounts.zoho.com"),
    (("eu",), "eu", "https://accounts.zoho.eu"),
    (("in",), "in", "https://accounts.zoho.in"),
    (("com.au", "au"), "com.au", "https://accounts.zoho.com.au"),
    (("jp",), "jp", "https://accounts.zoho.jp"),
    (("ca",), "ca", "https://accounts.zohocloud.ca"),
    (("sa",), "sa", "https://accounts.zoho.sa"),
    (("com.cn", "cn"), "com.cn", "https://accounts.zoho.com.cn"),
    (("uk",), "uk", "https://accounts.zoho.uk"),
]
CENTRES = [(name, suffix, accounts) for names, suffix, accounts in ZOHO for name in names]
ENVIRONMENTS = [("production", "www"), ("sandbox", "sandbox"), ("developer", "developer")]


def credentials() -> dict[str, Any]:
    return {"client_id": "1000.ABC", "client_secret": "secret", "refresh_token": "1000.r.t"}


@pytest.mark.parametrize(("environment", "host"), ENVIRONMENTS)
@pytest.mark.parametrize(("centre", "suffix", "accounts"), CENTRES)
def test_every_data_centre_and_environment(
    centre: str, suffix: str, accounts: str, environment: str, host: str
) -> None:
    endpoints = Endpoints.for_zoho(centre, environment)
    assert endpoints == Endpoints(f"https://{host}.zohoapis.{suffix}", accounts, "v6")
    assert endpoints.token_url == f"{accounts}/oauth/v2/token"
    assert endpoints.revoke_url == f"{accounts}/oauth/v2/token/revoke"
    assert endpoints.crm("Leads") == f"https://{host}.zohoapis.{suffix}/crm/v6/Leads"


def test_names_are_case_insensitive_and_default_to_com_production() -> None:
    assert Endpoints.for_zoho("EU", "Sandbox") == Endpoints.for_zoho("eu", "sandbox")
    assert Endpoints.for_zoho() == Endpoints(
        "https://www.zohoapis.com", "https://accounts.zoho.com"
    )


@pytest.mark.parametrize(
    ("kwargs", "named", "choices"),
    [
        ({"data_centre": "mars"}, "'mars'", ["com", "eu", "in", "com.au", "jp", "ca", "sa"]),
        ({"environment": "staging"}, "'staging'", ["production", "sandbox", "developer"]),
    ],
)
def test_unknown_names_are_refused_with_the_choices(
    kwargs: dict[str, Any], named: str, choices: list[str]
) -> None:
    with pytest.raises(ValueError) as caught:
        Endpoints.for_zoho(**kwargs)
    message = str(caught.value)
    assert named in message
    for choice in choices:
        assert choice in message
    with pytest.raises(ValueError):
        CRM(**credentials(), **kwargs)


@pytest.mark.parametrize("version", ["v6", "v7", "v8"])
def test_version_changes_the_crm_paths(version: str) -> None:
    endpoints = Endpoints.for_zoho("eu", version=version)
    assert endpoints.version == version
    assert endpoints.crm("/Leads/search") == f"https://www.zohoapis.eu/crm/{version}/Leads/search"
    assert endpoints.token_url == "https://accounts.zoho.eu/oauth/v2/token"  # not versioned
    crm = CRM(**credentials(), data_centre="in", version=version)
    assert crm.endpoints.crm("coql") == f"https://www.zohoapis.in/crm/{version}/coql"


def test_explicit_urls() -> None:
    endpoints = Endpoints("https://proxy.example/zoho/", "https://auth.example/")
    assert endpoints.version == "v6"
    assert endpoints.crm("Leads") == "https://proxy.example/zoho/crm/v6/Leads"
    assert endpoints.token_url == "https://auth.example/oauth/v2/token"


def test_crm_uses_the_data_centre_and_environment() -> None:
    with CRM(**credentials(), data_centre="ca", environment="sandbox") as crm:
        assert crm.endpoints == Endpoints(
            "https://sandbox.zohoapis.ca", "https://accounts.zohocloud.ca", "v6"
        )
    with CRM(**credentials()) as crm:
        assert crm.endpoints == Endpoints.for_zoho("com", "production")


def test_crm_accounts_url_overrides_the_data_centre_s() -> None:
    crm = CRM(**credentials(), data_centre="jp", accounts_url="https://accounts.proxy.example")
    assert crm.endpoints.api_url == "https://www.zohoapis.jp"
    assert crm.endpoints.token_url == "https://accounts.proxy.example/oauth/v2/token"


def test_crm_with_api_url_only_gets_tokens_from_the_same_host() -> None:
    crm = CRM(**credentials(), api_url="http://127.0.0.1:8000/", data_centre="eu")
    assert crm.endpoints == Endpoints("http://127.0.0.1:8000", "http://127.0.0.1:8000", "v6")
    assert crm.endpoints.token_url == "http://127.0.0.1:8000/oauth/v2/token"
    both = CRM(**credentials(), api_url="http://api.local", accounts_url="http://auth.local/")
    assert both.endpoints == Endpoints("http://api.local", "http://auth.local", "v6")


class Recording(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(f"{request.method} {request.url.path}")
        return super().handle_request(request)


def test_crm_talks_to_the_endpoints_it_was_given(client_server: LiveServer, org: OrgHandle) -> None:
    """Against zcrm (API and accounts on one port): the token, then the versioned path."""
    transport = Recording()
    with CRM(
        client_id=org.client.client_id,
        client_secret=org.client.client_secret,
        refresh_token=org.tokens().refresh_token,
        api_url=client_server.url,
        version="v7",
        transport=transport,
    ) as crm:
        assert crm.leads.count() == 0
    assert transport.paths == ["POST /oauth/v2/token", "GET /crm/v7/Leads/actions/count"]
