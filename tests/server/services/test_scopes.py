"""Parsing granted scopes and checking what a route needs (services/scopes.py)."""

from __future__ import annotations

import pytest

from zcrm.server.services.scopes import (
    FULL_ACCESS,
    InvalidScope,
    Scope,
    module_scope,
    need,
    parse_scope,
    parse_scope_set,
    settings_scope,
    split_scopes,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ZohoCRM.modules.ALL", Scope("zohocrm", "modules", None, "ALL")),
        ("ZohoCRM.modules.leads.READ", Scope("zohocrm", "modules", "leads", "READ")),
        ("ZohoCRM.modules.Leads.read", Scope("zohocrm", "modules", "leads", "READ")),
        ("zohocrm.MODULES.leads.Write", Scope("zohocrm", "modules", "leads", "WRITE")),
        ("ZohoCRM.settings.fields.READ", Scope("zohocrm", "settings", "fields", "READ")),
        ("ZohoCRM.coql.READ", Scope("zohocrm", "coql", None, "READ")),
        ("ZohoSearch.securesearch.READ", Scope("zohosearch", "securesearch", None, "READ")),
        ("ZohoCRM.modules.custom.CUSTOM", Scope("zohocrm", "modules", "custom", "CUSTOM")),
        ("  ZohoCRM.users.ALL  ", Scope("zohocrm", "users", None, "ALL")),
    ],
)
def test_parse_scope(text: str, expected: Scope) -> None:
    assert parse_scope(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Nonsense",
        "ZohoCRM.modules",
        "ZohoCRM.modules.EVERYTHING",
        "ZohoCRM.modules.leads",
        "ZohoCRM.modules.leads.READ.more",
        "ZohoCRM..READ",
        "ZohoCRM.modules.leads-x.READ",
        "1ZohoCRM.modules.READ",
        "ZohoCRM.modules.READ;DROP",
    ],
)
def test_malformed_scopes_are_refused(text: str) -> None:
    with pytest.raises(InvalidScope):
        parse_scope(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a.b.READ,c.d.ALL", ["a.b.READ", "c.d.ALL"]),
        ("a.b.READ c.d.ALL", ["a.b.READ", "c.d.ALL"]),
        (" a.b.READ , c.d.ALL ,, ", ["a.b.READ", "c.d.ALL"]),
        ("", []),
    ],
)
def test_split_scopes_on_commas_and_spaces(text: str, expected: list[str]) -> None:
    assert split_scopes(text) == expected


@pytest.mark.parametrize(
    ("granted", "needed", "allowed"),
    [
        ("ZohoCRM.modules.ALL", module_scope("Leads", "READ"), True),
        ("ZohoCRM.modules.ALL", module_scope("deals", "DELETE"), True),
        ("ZohoCRM.modules.READ", module_scope("leads", "READ"), True),
        ("ZohoCRM.modules.READ", module_scope("leads", "CREATE"), False),
        ("ZohoCRM.modules.leads.READ", module_scope("leads", "READ"), True),
        ("ZohoCRM.modules.leads.READ", module_scope("contacts", "READ"), False),
        ("ZohoCRM.modules.leads.READ", module_scope("leads", "UPDATE"), False),
        ("ZohoCRM.modules.leads.ALL", module_scope("leads", "DELETE"), True),
        ("ZohoCRM.modules.WRITE", module_scope("leads", "CREATE"), True),
        ("ZohoCRM.modules.WRITE", module_scope("leads", "UPDATE"), True),
        ("ZohoCRM.modules.WRITE", module_scope("leads", "DELETE"), True),
        ("ZohoCRM.modules.WRITE", module_scope("leads", "READ"), False),
        ("ZohoCRM.modules.leads.WRITE", module_scope("accounts", "CREATE"), False),
        ("ZohoCRM.modules.CREATE", module_scope("leads", "UPDATE"), False),
        ("ZohoCRM.modules.ALL", settings_scope("fields", "READ"), False),
        ("ZohoCRM.settings.ALL", settings_scope("fields", "READ"), True),
        ("ZohoCRM.settings.fields.READ", settings_scope("layouts", "READ"), False),
        ("ZohoCRM.users.READ", need("ZohoCRM", "users", None, "READ"), True),
        ("ZohoCRM.users.READ", need("ZohoCRM", "users", None, "CREATE"), False),
        ("ZohoCRM.modules.ALL", need("ZohoSearch", "modules", None, "READ"), False),
        (
            "ZohoCRM.modules.leads.READ,ZohoCRM.modules.deals.ALL",
            module_scope("deals", "CREATE"),
            True,
        ),
    ],
)
def test_what_a_scope_set_allows(granted: str, needed: Scope, allowed: bool) -> None:
    assert parse_scope_set(granted).allows(needed) is allowed


def test_a_resource_scope_does_not_cover_the_whole_group() -> None:
    # A route that needs the whole group (no resource) is not opened by one resource's scope
    granted = parse_scope_set("ZohoCRM.settings.fields.ALL")
    assert not granted.allows(need("ZohoCRM", "settings", None, "READ"))


def test_a_scope_set_keeps_the_text_it_was_given() -> None:
    scopes = parse_scope_set("ZohoCRM.modules.leads.read ZohoCRM.users.ALL")
    assert scopes.joined() == "ZohoCRM.modules.leads.read,ZohoCRM.users.ALL"
    assert scopes.joined(" ") == "ZohoCRM.modules.leads.read ZohoCRM.users.ALL"


def test_one_bad_scope_refuses_the_whole_set() -> None:
    with pytest.raises(InvalidScope):
        parse_scope_set("ZohoCRM.modules.ALL,Nonsense")


def test_full_access_opens_every_area() -> None:
    granted = parse_scope_set(FULL_ACCESS)
    for needed in (
        module_scope("leads", "DELETE"),
        settings_scope("fields", "CREATE"),
        need("ZohoCRM", "users", None, "READ"),
        need("ZohoCRM", "org", None, "READ"),
        need("ZohoCRM", "coql", None, "READ"),
        need("ZohoCRM", "notifications", None, "CREATE"),
        need("ZohoSearch", "securesearch", None, "READ"),
    ):
        assert granted.allows(needed), needed
