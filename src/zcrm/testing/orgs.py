"""Fresh orgs for tests: an org, its admin, a registered client and tokens, in one call."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

from zcrm.server.runtime import Runtime
from zcrm.server.services import oauth
from zcrm.server.services.orgs import CreatedOrg, create_org
from zcrm.server.services.passwords import hash_password

ALL_SCOPES = ",".join(
    [
        "ZohoCRM.modules.ALL",
        "ZohoCRM.settings.ALL",
        "ZohoCRM.users.ALL",
        "ZohoCRM.org.ALL",
        "ZohoCRM.coql.READ",
        "ZohoCRM.notifications.ALL",
        "ZohoCRM.bulk.ALL",
        "ZohoSearch.securesearch.READ",
    ]
)

_counter = itertools.count(1)


@functools.lru_cache(maxsize=8)
def _hashed(password: str) -> str:
    return hash_password(password)


@dataclass
class OrgHandle:
    runtime: Runtime
    org: CreatedOrg
    client: oauth.RegisteredClient
    _tokens: dict[str, oauth.TokenGrant] = field(default_factory=dict)

    @property
    def org_id(self) -> int:
        return self.org.org_id

    @property
    def admin_id(self) -> int:
        return self.org.admin_user_id

    def grant_code(self, scopes: str = ALL_SCOPES, user_id: int | None = None) -> str:
        code, _ = oauth.issue_grant_code(
            self.runtime,
            client_id=self.client.client_id,
            org_id=self.org_id,
            user_id=user_id or self.admin_id,
            scopes=scopes,
        )
        return code

    def tokens(self, scopes: str = ALL_SCOPES, user_id: int | None = None) -> oauth.TokenGrant:
        """A fresh access + refresh token pair for the admin (or ``user_id``)."""
        return oauth.exchange_code(
            self.runtime,
            client_id=self.client.client_id,
            client_secret=self.client.client_secret,
            code=self.grant_code(scopes, user_id),
            redirect_uri=None,
        )

    def access_token(self, scopes: str = ALL_SCOPES, user_id: int | None = None) -> str:
        key = f"{scopes}|{user_id}"
        if key not in self._tokens:
            self._tokens[key] = self.tokens(scopes, user_id)
        return self._tokens[key].access_token

    def headers(self, scopes: str = ALL_SCOPES, user_id: int | None = None) -> dict[str, str]:
        return {"Authorization": f"Zoho-oauthtoken {self.access_token(scopes, user_id)}"}


def make_org(
    runtime: Runtime,
    *,
    company_name: str | None = None,
    plan: str | None = None,
    admin_password: str = "admin-password",
    time_zone: str = "UTC",
) -> OrgHandle:
    number = next(_counter)
    unique = runtime.random.token_hex(4)
    created = create_org(
        runtime,
        company_name=company_name or f"Test Org {number}",
        admin_email=f"admin-{unique}-{number}@zcrm.test",
        admin_password=admin_password,
        admin_password_hash=_hashed(admin_password),
        plan=plan,
        time_zone=time_zone,
    )
    client = oauth.create_client(runtime, name=f"tests-{number}", org_id=created.org_id)
    return OrgHandle(runtime, created, client)
