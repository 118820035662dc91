"""In-process callers: the org's admin (or any user) with the scopes a token would carry."""

from __future__ import annotations

import pytest

from zcrm.server.errors import OAuthScopeMismatch
from zcrm.server.runtime import Runtime
from zcrm.server.services.scopes import module_scope
from zcrm.server.services.system_caller import (
    SYSTEM_CLIENT_ID,
    admin_caller,
    caller_for_user,
)
from zcrm.testing import OrgHandle


def test_admin_caller_is_the_primary_admin_with_full_access(
    runtime: Runtime, org: OrgHandle
) -> None:
    caller = admin_caller(runtime, org.org_id)
    assert caller.org.id == org.org_id
    assert caller.org.zgid == org.org.zgid
    assert caller.user.id == org.admin_id
    assert caller.user.is_admin
    assert caller.client_id == SYSTEM_CLIENT_ID
    caller.require(module_scope("leads", "CREATE"), module_scope("deals", "DELETE"))


def test_scopes_are_enforced_like_a_token(runtime: Runtime, org: OrgHandle) -> None:
    caller = caller_for_user(runtime, org.org_id, org.admin_id, "ZohoCRM.modules.leads.READ")
    caller.require(module_scope("leads", "READ"))
    with pytest.raises(OAuthScopeMismatch):
        caller.require(module_scope("leads", "CREATE"))


@pytest.mark.parametrize("which", ["org", "user"])
def test_unknown_org_or_user(runtime: Runtime, org: OrgHandle, which: str) -> None:
    org_id, user_id = (1, org.admin_id) if which == "org" else (org.org_id, 1)
    with pytest.raises(LookupError):
        caller_for_user(runtime, org_id, user_id)
