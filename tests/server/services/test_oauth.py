"""The accounts server's logic without HTTP (services/oauth.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from zcrm.server.errors import InvalidToken
from zcrm.server.runtime import Runtime
from zcrm.server.services import oauth
from zcrm.server.services.oauth import OAuthError
from zcrm.server.storage.schema import oauth_clients, oauth_codes, oauth_tokens, users
from zcrm.testing import OrgHandle, make_org

CALLBACK = "https://app.example/cb"


def error_of(call: Any, *args: Any, **kw: Any) -> str:
    with pytest.raises(OAuthError) as caught:
        call(*args, **kw)
    return caught.value.error


def refresh(runtime: Runtime, org: OrgHandle, token: str | None) -> oauth.TokenGrant:
    return oauth.refresh_access_token(
        runtime,
        client_id=org.client.client_id,
        client_secret=org.client.client_secret,
        refresh_token=token,
    )


def web_client(runtime: Runtime, org: OrgHandle) -> oauth.RegisteredClient:
    return oauth.create_client(
        runtime, name="web", client_type="server", redirect_uris=[CALLBACK], org_id=org.org_id
    )


# --- clients ------------------------------------------------------------------------------------


def test_a_client_secret_is_stored_hashed(runtime: Runtime, org: OrgHandle) -> None:
    with runtime.db.read() as conn:
        row = oauth.find_client(conn, org.client.client_id)
    assert row.secret_hash == oauth.digest(org.client.client_secret)
    assert org.client.client_secret not in row.secret_hash
    assert org.client.client_id.startswith("1000.") and len(org.client.client_id) == 35


def test_client_types_are_checked(runtime: Runtime) -> None:
    with pytest.raises(ValueError, match="client_type"):
        oauth.create_client(runtime, name="x", client_type="robot")


def test_rotating_the_secret_retires_the_old_one(runtime: Runtime, org: OrgHandle) -> None:
    new_secret = oauth.rotate_client_secret(runtime, org.client.client_id)
    assert new_secret != org.client.client_secret
    code = org.grant_code()
    assert (
        error_of(
            oauth.exchange_code,
            runtime,
            client_id=org.client.client_id,
            client_secret=org.client.client_secret,
            code=code,
            redirect_uri=None,
        )
        == "invalid_client_secret"
    )
    grant = oauth.exchange_code(
        runtime,
        client_id=org.client.client_id,
        client_secret=new_secret,
        code=code,
        redirect_uri=None,
    )
    assert grant.access_token


def test_find_client_by_name_within_an_org(runtime: Runtime, org: OrgHandle) -> None:
    found = oauth.find_client_by_name(runtime, org.client.name, org.org_id)
    assert found is not None and found.client_id == org.client.client_id
    assert oauth.find_client_by_name(runtime, org.client.name, org.org_id + 1) is None


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("ZohoCRM.modules.ALL", "ZohoCRM.modules.ALL"),
        ("ZohoCRM.modules.ALL ZohoCRM.users.READ", "ZohoCRM.modules.ALL,ZohoCRM.users.READ"),
        (" ZohoCRM.modules.leads.read , ", "ZohoCRM.modules.leads.read"),
    ],
)
def test_validate_scopes(text: str, normalised: str) -> None:
    assert oauth.validate_scopes(text) == normalised


@pytest.mark.parametrize("text", [None, "", "  ", "Nonsense", "ZohoCRM.modules.ALL,bad"])
def test_validate_scopes_refuses(text: str | None) -> None:
    assert error_of(oauth.validate_scopes, text) == "invalid_scope"


# --- grant codes --------------------------------------------------------------------------------


def test_a_grant_code_is_stored_hashed_with_its_terms(runtime: Runtime, org: OrgHandle) -> None:
    code, ttl = oauth.issue_grant_code(
        runtime,
        client_id=org.client.client_id,
        org_id=org.org_id,
        user_id=org.admin_id,
        scopes="ZohoCRM.modules.ALL",
        access_type="online",
        ttl_seconds=120,
    )
    assert ttl == 120
    with runtime.db.read() as conn:
        row = conn.execute(
            select(oauth_codes).where(oauth_codes.c.code_hash == oauth.digest(code))
        ).one()
    assert row.access_type == "online" and not row.used
    assert 119 < row.expires_at - runtime.clock.timestamp() <= 120


def test_grant_codes_last_the_configured_time_by_default(runtime: Runtime, org: OrgHandle) -> None:
    _, ttl = oauth.issue_grant_code(
        runtime,
        client_id=org.client.client_id,
        org_id=org.org_id,
        user_id=org.admin_id,
        scopes="ZohoCRM.modules.ALL",
    )
    assert ttl == runtime.settings.grant_code_seconds


def test_a_grant_code_needs_a_known_client(runtime: Runtime, org: OrgHandle) -> None:
    kw = {"org_id": org.org_id, "user_id": org.admin_id, "scopes": "ZohoCRM.modules.ALL"}
    assert error_of(oauth.issue_grant_code, runtime, client_id="1000.NOPE", **kw) == (
        "invalid_client"
    )


def test_online_codes_give_no_refresh_token(runtime: Runtime, org: OrgHandle) -> None:
    code, _ = oauth.issue_grant_code(
        runtime,
        client_id=org.client.client_id,
        org_id=org.org_id,
        user_id=org.admin_id,
        scopes="ZohoCRM.modules.ALL",
        access_type="online",
    )
    grant = oauth.exchange_code(
        runtime,
        client_id=org.client.client_id,
        client_secret=org.client.client_secret,
        code=code,
        redirect_uri=None,
    )
    assert grant.refresh_token is None and grant.expires_in == 3600


def test_a_code_expires_exactly_at_its_ttl(runtime: Runtime, org: OrgHandle) -> None:
    code, ttl = oauth.issue_grant_code(
        runtime,
        client_id=org.client.client_id,
        org_id=org.org_id,
        user_id=org.admin_id,
        scopes="ZohoCRM.modules.ALL",
        ttl_seconds=120,
    )
    runtime.clock.advance(ttl)
    kw = {"client_id": org.client.client_id, "client_secret": org.client.client_secret}
    assert error_of(oauth.exchange_code, runtime, code=code, redirect_uri=None, **kw) == (
        "invalid_code"
    )


def test_a_wrong_redirect_uri_does_not_use_the_code(runtime: Runtime, org: OrgHandle) -> None:
    client = web_client(runtime, org)
    code, _ = oauth.issue_grant_code(
        runtime,
        client_id=client.client_id,
        org_id=org.org_id,
        user_id=org.admin_id,
        scopes="ZohoCRM.modules.ALL",
        redirect_uri=CALLBACK,
    )
    kw = {"client_id": client.client_id, "client_secret": client.client_secret, "code": code}
    assert error_of(oauth.exchange_code, runtime, redirect_uri="https://x.example", **kw) == (
        "invalid_redirect_uri"
    )
    assert oauth.exchange_code(runtime, redirect_uri=CALLBACK, **kw).access_token


def test_a_self_client_code_checks_redirect_uri_against_the_registered_ones(
    runtime: Runtime, org: OrgHandle
) -> None:
    client = web_client(runtime, org)

    def code() -> str:
        issued, _ = oauth.issue_grant_code(
            runtime,
            client_id=client.client_id,
            org_id=org.org_id,
            user_id=org.admin_id,
            scopes="ZohoCRM.modules.ALL",
        )
        return issued

    kw = {"client_id": client.client_id, "client_secret": client.client_secret}
    assert error_of(
        oauth.exchange_code, runtime, code=code(), redirect_uri="https://x.example", **kw
    ) == ("invalid_redirect_uri")
    assert oauth.exchange_code(runtime, code=code(), redirect_uri=CALLBACK, **kw).access_token
    assert oauth.exchange_code(runtime, code=code(), redirect_uri=None, **kw).access_token


# --- refresh tokens -----------------------------------------------------------------------------


def test_refresh_keeps_the_scopes_and_gives_no_new_refresh_token(
    runtime: Runtime, org: OrgHandle
) -> None:
    first = org.tokens(scopes="ZohoCRM.modules.leads.READ")
    again = refresh(runtime, org, first.refresh_token)
    assert again.refresh_token is None and again.scope == "ZohoCRM.modules.leads.READ"
    caller = oauth.caller_for_token(runtime, again.access_token)
    assert caller.scopes.joined() == "ZohoCRM.modules.leads.READ"


def test_a_refresh_token_belongs_to_its_client(runtime: Runtime, org: OrgHandle) -> None:
    token = org.tokens().refresh_token
    other = oauth.create_client(runtime, name="other", org_id=org.org_id)
    assert (
        error_of(
            oauth.refresh_access_token,
            runtime,
            client_id=other.client_id,
            client_secret=other.client_secret,
            refresh_token=token,
        )
        == "invalid_code"
    )


def test_an_access_token_is_not_a_refresh_token(runtime: Runtime, org: OrgHandle) -> None:
    assert error_of(refresh, runtime, org, org.tokens().access_token) == "invalid_code"


def test_ten_refreshes_per_ten_minutes(runtime: Runtime, org: OrgHandle) -> None:
    token = org.tokens().refresh_token
    for _ in range(10):
        refresh(runtime, org, token)
    with pytest.raises(OAuthError) as caught:
        refresh(runtime, org, token)
    assert caught.value.to_json() == {
        "error": "Access Denied",
        "error_description": "You have made too many requests continuously. "
        "Please try again after some time.",
        "status": "failure",
    }
    runtime.clock.advance(oauth.REFRESH_WINDOW_SECONDS + 1)
    for _ in range(10):
        refresh(runtime, org, token)
    assert error_of(refresh, runtime, org, token) == "Access Denied"


def test_the_21st_refresh_token_retires_the_oldest(runtime: Runtime, org: OrgHandle) -> None:
    other_user = org.add_user()
    others = org.tokens(user_id=other_user)
    grants = [org.tokens() for _ in range(oauth.MAX_REFRESH_TOKENS_PER_USER_CLIENT + 1)]
    assert error_of(refresh, runtime, org, grants[0].refresh_token) == "invalid_code"
    with pytest.raises(InvalidToken):
        oauth.caller_for_token(runtime, grants[0].access_token)
    assert refresh(runtime, org, grants[1].refresh_token).access_token
    # Another user's tokens for the same client are counted apart
    assert refresh(runtime, org, others.refresh_token).access_token


def test_the_31st_access_token_of_a_refresh_token_retires_the_oldest(
    runtime: Runtime, org: OrgHandle
) -> None:
    first = org.tokens()
    minted = [first.access_token]
    while len(minted) <= oauth.MAX_ACCESS_TOKENS_PER_REFRESH:
        for _ in range(oauth.REFRESHES_PER_WINDOW):
            minted.append(refresh(runtime, org, first.refresh_token).access_token)
        runtime.clock.advance(oauth.REFRESH_WINDOW_SECONDS + 1)
    assert len(minted) == 31
    with pytest.raises(InvalidToken):
        oauth.caller_for_token(runtime, minted[0])
    for token in minted[1:]:
        oauth.caller_for_token(runtime, token)


# --- client credentials and password grants ---------------------------------------------------


def test_client_credentials_act_as_the_org_admin(runtime: Runtime, org: OrgHandle) -> None:
    grant = oauth.client_credentials(
        runtime,
        client_id=org.client.client_id,
        client_secret=org.client.client_secret,
        scope="ZohoCRM.modules.ALL",
        soid=f"ZohoCRM.{org.org_id}",
    )
    assert grant.refresh_token is None
    caller = oauth.caller_for_token(runtime, grant.access_token)
    assert caller.user.id == org.admin_id and caller.org.id == org.org_id


@pytest.mark.parametrize(
    ("soid", "error"),
    [
        (None, "missing_org_info"),
        ("ZohoCRM.", "invalid_org_info"),
        ("ZohoCRM.abc", "invalid_org_info"),
        ("ZohoCRM.1", "invalid_org_info"),
    ],
)
def test_client_credentials_need_the_org(
    runtime: Runtime, org: OrgHandle, soid: str | None, error: str
) -> None:
    kw = {"client_id": org.client.client_id, "client_secret": org.client.client_secret}
    assert (
        error_of(oauth.client_credentials, runtime, scope="ZohoCRM.modules.ALL", soid=soid, **kw)
        == error
    )


def test_client_credentials_only_for_the_clients_own_org(runtime: Runtime, org: OrgHandle) -> None:
    other = make_org(runtime)
    kw = {"client_id": org.client.client_id, "client_secret": org.client.client_secret}
    soid = f"ZohoCRM.{other.org_id}"
    assert error_of(
        oauth.client_credentials, runtime, scope="ZohoCRM.modules.ALL", soid=soid, **kw
    ) == ("invalid_org_info")


def test_password_grant_signs_in_any_active_user(runtime: Runtime, org: OrgHandle) -> None:
    email = f"rep-{org.org_id}@zcrm.test"
    user_id = org.add_user(email=email, password="rep-password")
    kw = {"client_id": org.client.client_id, "client_secret": org.client.client_secret}
    grant = oauth.password_grant(
        runtime, username=email, password="rep-password", scope="ZohoCRM.modules.ALL", **kw
    )
    assert grant.refresh_token is not None
    assert oauth.caller_for_token(runtime, grant.access_token).user.id == user_id
    with runtime.db.write_org(org.org_id) as scope:
        scope.execute(scope.update(users).where(users.c.id == user_id).values(status="disabled"))
    assert (
        error_of(
            oauth.password_grant,
            runtime,
            username=email,
            password="rep-password",
            scope="ZohoCRM.modules.ALL",
            **kw,
        )
        == "invalid_user_credentials"
    )
    # A disabled user's tokens stop working at once
    with pytest.raises(InvalidToken):
        oauth.caller_for_token(runtime, grant.access_token)


def test_a_user_without_a_password_cannot_sign_in(runtime: Runtime, org: OrgHandle) -> None:
    email = f"nopass-{org.org_id}@zcrm.test"
    org.add_user(email=email)
    kw = {"client_id": org.client.client_id, "client_secret": org.client.client_secret}
    assert (
        error_of(
            oauth.password_grant,
            runtime,
            username=email,
            password="",
            scope="ZohoCRM.modules.ALL",
            **kw,
        )
        == "invalid_user_credentials"
    )


def test_find_login_narrows_to_the_soid_org(runtime: Runtime, org: OrgHandle) -> None:
    with runtime.db.read() as conn:
        found = oauth.find_login(conn, f"  {org.org.admin_email} ")
        assert found is not None and found.id == org.admin_id
        in_org = oauth.find_login(conn, org.org.admin_email, f"ZohoCRM.{org.org_id}")
        assert in_org is not None and in_org.id == org.admin_id
        assert oauth.find_login(conn, org.org.admin_email, "ZohoCRM.1") is None
        assert oauth.find_login(conn, org.org.admin_email, "ZohoCRM.x") is None


# --- browser grants -----------------------------------------------------------------------------


def test_issue_browser_token_gives_an_access_token_only(runtime: Runtime, org: OrgHandle) -> None:
    grant = oauth.issue_browser_token(
        runtime,
        client_id=org.client.client_id,
        org_id=org.org_id,
        user_id=org.admin_id,
        scopes="ZohoCRM.modules.leads.READ",
    )
    assert grant.refresh_token is None
    assert oauth.caller_for_token(runtime, grant.access_token).scopes.joined() == (
        "ZohoCRM.modules.leads.READ"
    )
    kw = {"org_id": org.org_id, "user_id": org.admin_id}
    assert error_of(
        oauth.issue_browser_token, runtime, client_id="1000.NOPE", scopes="a.b.ALL", **kw
    ) == ("invalid_client")
    assert error_of(
        oauth.issue_browser_token, runtime, client_id=org.client.client_id, scopes="x", **kw
    ) == ("invalid_scope")


def test_has_live_refresh_token(runtime: Runtime, org: OrgHandle) -> None:
    client = web_client(runtime, org)
    assert not oauth.has_live_refresh_token(runtime, client.client_id, org.org_id, org.admin_id)
    code, _ = oauth.issue_grant_code(
        runtime,
        client_id=client.client_id,
        org_id=org.org_id,
        user_id=org.admin_id,
        scopes="ZohoCRM.modules.ALL",
    )
    grant = oauth.exchange_code(
        runtime,
        client_id=client.client_id,
        client_secret=client.client_secret,
        code=code,
        redirect_uri=None,
    )
    assert oauth.has_live_refresh_token(runtime, client.client_id, org.org_id, org.admin_id)
    oauth.revoke(runtime, grant.refresh_token)
    assert not oauth.has_live_refresh_token(runtime, client.client_id, org.org_id, org.admin_id)


# --- revoke and resolving a token --------------------------------------------------------------


def test_tokens_are_stored_hashed(runtime: Runtime, org: OrgHandle) -> None:
    grant = org.tokens()
    assert grant.refresh_token is not None
    with runtime.db.read() as conn:
        hashes = set(conn.execute(select(oauth_tokens.c.token_hash)).scalars())
        secrets = set(conn.execute(select(oauth_clients.c.secret_hash)).scalars())
    assert oauth.digest(grant.access_token) in hashes
    assert oauth.digest(grant.refresh_token) in hashes
    assert grant.access_token not in hashes and grant.refresh_token not in hashes
    assert org.client.client_secret not in secrets


def test_revoke(runtime: Runtime, org: OrgHandle) -> None:
    grant = org.tokens()
    oauth.revoke(runtime, "1000.unknown.token")  # nothing to do, no error
    assert error_of(oauth.revoke, runtime, None) == "invalid_token"
    oauth.revoke(runtime, grant.refresh_token)
    with pytest.raises(InvalidToken):
        oauth.caller_for_token(runtime, grant.access_token)


def test_caller_for_token(runtime: Runtime, org: OrgHandle) -> None:
    caller = oauth.caller_for_token(runtime, org.tokens().access_token)
    assert caller.org.id == org.org_id and caller.org.zgid == org.org.zgid
    assert caller.user.id == org.admin_id and caller.user.email == org.org.admin_email
    assert caller.user.is_admin and caller.client_id == org.client.client_id
    for token in ("", "garbage", org.tokens().refresh_token or ""):
        with pytest.raises(InvalidToken):
            oauth.caller_for_token(runtime, token)


def test_an_access_token_lives_an_hour(runtime: Runtime, org: OrgHandle) -> None:
    token = org.tokens().access_token
    runtime.clock.advance(3599)
    oauth.caller_for_token(runtime, token)
    runtime.clock.advance(1)
    with pytest.raises(InvalidToken):
        oauth.caller_for_token(runtime, token)
