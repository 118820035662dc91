"""Test support: fresh orgs with ready tokens, for zcrm's own tests and for integrations."""

from zcrm.testing.orgs import ALL_SCOPES, OrgHandle, make_org

__all__ = ["ALL_SCOPES", "OrgHandle", "make_org"]
