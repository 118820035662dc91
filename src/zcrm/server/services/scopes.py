"""OAuth scopes: parsing what a token was granted and checking what a route needs.

Scopes look like ``Service.group[.resource].OPERATION``: ``ZohoCRM.modules.ALL``,
``ZohoCRM.modules.leads.READ``, ``ZohoCRM.settings.fields.READ``,
``ZohoSearch.securesearch.READ``. ``ALL`` grants every operation and ``WRITE``
grants CREATE, UPDATE and DELETE; a scope without a resource covers every resource
of its group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Every scope a zcrm server grants: what an admin's full-access token (the demo token,
# test fixtures) carries.
FULL_ACCESS = ",".join(
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

OPERATIONS = frozenset({"ALL", "READ", "CREATE", "UPDATE", "DELETE", "WRITE", "CUSTOM"})
WRITE_OPERATIONS = frozenset({"CREATE", "UPDATE", "DELETE", "WRITE"})
_SCOPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_$]+){2,3}$")


class InvalidScope(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Scope:
    service: str  # lower-case: "zohocrm", "zohosearch", "zohofiles"
    group: str  # lower-case: "modules", "settings", "users", ...
    resource: str | None  # lower-case: "leads", "fields", ... or None for the whole group
    operation: str  # upper-case

    def covers(self, need: Scope) -> bool:
        if self.service != need.service or self.group != need.group:
            return False
        if self.resource is not None and self.resource != need.resource:
            return False
        if self.operation == "ALL":
            return True
        if self.operation == "WRITE":
            return need.operation in WRITE_OPERATIONS
        return self.operation == need.operation


def parse_scope(text: str) -> Scope:
    text = text.strip()
    if not _SCOPE.match(text):
        raise InvalidScope(text)
    parts = text.split(".")
    operation = parts[-1].upper()
    if operation not in OPERATIONS:
        raise InvalidScope(text)
    resource = parts[2].lower() if len(parts) == 4 else None
    return Scope(parts[0].lower(), parts[1].lower(), resource, operation)


def split_scopes(text: str) -> list[str]:
    return [s for s in re.split(r"[,\s]+", text.strip()) if s]


@dataclass(frozen=True)
class ScopeSet:
    scopes: tuple[Scope, ...]
    text: tuple[str, ...]

    def allows(self, need: Scope) -> bool:
        return any(s.covers(need) for s in self.scopes)

    def joined(self, sep: str = ",") -> str:
        return sep.join(self.text)


@lru_cache(maxsize=1024)
def parse_scope_set(text: str) -> ScopeSet:
    """Parse a stored or requested scope list; raises :class:`InvalidScope` on a bad entry."""
    names = split_scopes(text)
    return ScopeSet(tuple(parse_scope(n) for n in names), tuple(names))


def need(service: str, group: str, resource: str | None, operation: str) -> Scope:
    return Scope(
        service.lower(), group.lower(), resource.lower() if resource else None, operation.upper()
    )


def module_scope(scope_name: str, operation: str) -> Scope:
    """What a record call on a module needs, e.g. ``ZohoCRM.modules.leads.READ``."""
    return need("ZohoCRM", "modules", scope_name, operation)


def settings_scope(resource: str, operation: str) -> Scope:
    return need("ZohoCRM", "settings", resource, operation)
