"""A :class:`Caller` for work the server does on a user's behalf without a token.

The CLI seeding demo records, or any in-process job, goes through the same services
as an API call (validation, outbox events, audit fields); it needs a caller for that.
"""

from __future__ import annotations

from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller, OrgInfo, UserInfo
from zcrm.server.services.orgs import org_by_id, primary_admin
from zcrm.server.services.scopes import FULL_ACCESS, parse_scope_set
from zcrm.server.storage.schema import users

SYSTEM_CLIENT_ID = "zcrm-system"  # recorded as the "client" of in-process work


def caller_for_user(
    runtime: Runtime, org_id: int, user_id: int, scopes: str = FULL_ACCESS
) -> Caller:
    """The caller ``user_id`` of ``org_id`` would be with a token granting ``scopes``."""
    org = org_by_id(runtime, org_id)
    if org is None:
        raise LookupError(f"no org {org_id}")
    with runtime.db.read_org(org_id) as scope:
        user = scope.execute(scope.select(users).where(users.c.id == user_id)).first()
    if user is None:
        raise LookupError(f"no user {user_id} in org {org_id}")
    return Caller(
        org=OrgInfo(
            id=org.id,
            zgid=org.zgid,
            id_prefix=org.id_prefix,
            company_name=org.company_name,
            plan=org.plan,
            time_zone=org.time_zone,
            metadata_version=org.metadata_version,
        ),
        user=UserInfo(
            id=user.id,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            profile=user.profile,
            role=user.role,
            time_zone=user.time_zone,
            zuid=user.zuid,
        ),
        scopes=parse_scope_set(scopes),
        client_id=SYSTEM_CLIENT_ID,
    )


def admin_caller(runtime: Runtime, org_id: int, scopes: str = FULL_ACCESS) -> Caller:
    """The org's primary administrator, with full access."""
    admin = primary_admin(runtime, org_id)
    if admin is None:
        raise LookupError(f"org {org_id} has no active administrator")
    return caller_for_user(runtime, org_id, admin.id, scopes)
