"""Fresh orgs for tests: an org, its admin, a registered client and tokens, in one call."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

from zcrm.server.runtime import Runtime
from zcrm.server.services import oauth
from zcrm.server.services.orgs import CreatedOrg, create_org
from zcrm.server.services.passwords import hash_password
from zcrm.server.services.scopes import FULL_ACCESS

ALL_SCOPES = FULL_ACCESS  # the name tests and integrations know

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

    def add_user(
        self,
        *,
        profile: str = "Standard",
        role: str = "Sales Rep",
        email: str | None = None,
        password: str | None = None,
    ) -> int:
        """Another active user of this org; its id."""
        from zcrm.server.services.orgs import user_row
        from zcrm.server.storage.schema import users
        from zcrm.server.timefmt import to_storage

        user_id = self.runtime.ids.one(self.org_id, self.org.id_prefix)
        with self.runtime.db.write_org(self.org_id) as scope:
            scope.insert(
                users,
                user_row(
                    self.runtime,
                    user_id=user_id,
                    email=email or f"user-{user_id}@zcrm.test",
                    first_name="Test",
                    last_name=f"User {user_id % 10000}",
                    password_hash=_hashed(password) if password else None,
                    profile=profile,
                    role=role,
                    time_zone="UTC",
                    now=to_storage(self.runtime.clock.now()),
                    created_by=self.admin_id,
                ),
            )
        return user_id

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
