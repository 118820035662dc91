"""Who is calling: the org, the user and the scopes behind an access token."""

from __future__ import annotations

from dataclasses import dataclass

from zcrm.server.errors import NoPermission, OAuthScopeMismatch
from zcrm.server.services.scopes import Scope, ScopeSet


@dataclass(frozen=True, slots=True)
class OrgInfo:
    id: int
    zgid: str
    id_prefix: int
    company_name: str
    plan: str
    time_zone: str
    metadata_version: int


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    email: str
    first_name: str | None
    last_name: str
    profile: str
    role: str
    time_zone: str
    zuid: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.first_name else self.last_name

    @property
    def is_admin(self) -> bool:
        return self.profile == "Administrator"

    def minified(self) -> dict[str, str]:
        return {"name": self.full_name, "id": str(self.id)}


@dataclass(frozen=True, slots=True)
class Caller:
    org: OrgInfo
    user: UserInfo
    scopes: ScopeSet
    client_id: str

    def require(self, *needs: Scope) -> None:
        """Every scope in ``needs`` must be granted, else 401 OAUTH_SCOPE_MISMATCH."""
        for item in needs:
            if not self.scopes.allows(item):
                raise OAuthScopeMismatch()

    def require_any(self, *needs: Scope) -> None:
        if not any(self.scopes.allows(item) for item in needs):
            raise OAuthScopeMismatch()

    def require_admin(self, permission: str) -> None:
        """Profile permission check: only the Administrator profile has ``permission``."""
        if not self.user.is_admin:
            raise NoPermission(permissions=[permission])
