"""/crm/{version}/settings/… (api/metadata.py, services/metadata/custom_fields.py)."""

from __future__ import annotations

from typing import Any

import pytest

SDK_MODULE_KEYS = {
    "api_name",
    "api_supported",
    "generated_type",
    "id",
    "module_name",
    "singular_label",
    "plural_label",
    "status",
    "profiles",
}
SDK_FIELD_KEYS = {
    "api_name",
    "data_type",
    "system_mandatory",
    "pick_list_values",
    "lookup",
    "json_type",
    "custom_field",
    "formula",
    "rollup_summary",
    "associated_module",
    "multiselectlookup",
    "multiuserlookup",
    "id",
    "field_label",
    "length",
    "read_only",
    "unique",
}


def test_modules(api: Any) -> None:
    response = api.get("settings/modules")
    assert response.status_code == 200
    modules = response.json()["modules"]
    names = [m["api_name"] for m in modules]
    assert {
        "Leads",
        "Contacts",
        "Accounts",
        "Deals",
        "Tasks",
        "Calls",
        "Events",
        "Products",
        "Campaigns",
        "Cases",
        "Notes",
    } <= set(names)
    for module in modules:
        assert SDK_MODULE_KEYS <= set(module)
        assert module["id"].isdigit() and module["api_supported"] is True
    events = next(m for m in modules if m["api_name"] == "Events")
    assert events["module_name"] == "Meetings"


def test_modules_if_modified_since(api: Any, runtime: Any) -> None:
    runtime.clock.advance(60)
    stamp = runtime.clock.now().replace(microsecond=0).isoformat()
    response = api.get("settings/modules", headers={"If-Modified-Since": stamp})
    assert response.status_code == 304
    runtime.clock.advance(1)
    api.post(
        "settings/fields",
        params={"module": "Leads"},
        json={"fields": [{"field_label": "Score", "data_type": "integer"}]},
    )
    assert api.get("settings/modules", headers={"If-Modified-Since": stamp}).status_code == 200


def test_one_module(api: Any) -> None:
    body = api.get("settings/modules/Accounts").json()["modules"][0]
    assert body["api_name"] == "Accounts"
    assert {r["api_name"] for r in body["related_lists"]} >= {"Contacts", "Deals", "Notes"}
    assert body["layouts"][0]["name"] == "Standard"
    assert any(f["api_name"] == "Account_Name" for f in body["fields"])
    missing = api.get("settings/modules/Unicorns")
    assert missing.status_code == 400 and missing.json()["code"] == "INVALID_MODULE"


def test_fields(api: Any) -> None:
    fields = {
        f["api_name"]: f
        for f in api.get("settings/fields", params={"module": "Contacts"}).json()["fields"]
    }
    for field in fields.values():
        assert SDK_FIELD_KEYS <= set(field)
    assert fields["Last_Name"]["system_mandatory"] is True
    assert fields["Last_Name"]["length"] == 80
    account = fields["Account_Name"]
    assert account["data_type"] == "lookup"
    assert account["lookup"]["module"]["api_name"] == "Accounts"
    one = api.get(f"settings/fields/{account['id']}", params={"module": "Contacts"}).json()
    assert one["fields"][0]["api_name"] == "Account_Name"


def test_deal_stage_options_carry_probability(api: Any) -> None:
    fields = api.get("settings/fields", params={"module": "Deals"}).json()["fields"]
    stage = next(f for f in fields if f["api_name"] == "Stage")
    options = {o["display_value"]: o for o in stage["pick_list_values"]}
    assert options["Identify Decision Makers"]["actual_value"] == "Id. Decision Makers"
    assert options["Closed Won"]["probability"] == 100


@pytest.mark.parametrize(
    ("path", "params", "code", "details"),
    [
        ("settings/fields", {}, "REQUIRED_PARAM_MISSING", {"param_name": "module"}),
        ("settings/fields", {"module": "Nope"}, "INVALID_MODULE", {"param_name": "module"}),
        ("settings/fields/123", {"module": "Leads"}, "INVALID_DATA", {}),
        ("settings/fields/abc", {"module": "Leads"}, "INVALID_DATA", {}),
        ("settings/layouts", {}, "REQUIRED_PARAM_MISSING", {"param_name": "module"}),
        ("settings/layouts/123", {"module": "Leads"}, "INVALID_DATA", {}),
        ("settings/related_lists", {"module": "Nope"}, "INVALID_MODULE", {}),
    ],
)
def test_metadata_errors(
    api: Any, path: str, params: dict[str, str], code: str, details: dict[str, Any]
) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 400
    assert response.json()["code"] == code
    for key, value in details.items():
        assert response.json()["details"][key] == value


def test_layouts_and_related_lists(api: Any) -> None:
    layouts = api.get("settings/layouts", params={"module": "Leads"}).json()["layouts"]
    assert layouts[0]["name"] == "Standard"
    section_fields = layouts[0]["sections"][0]["fields"]
    last = next(f for f in section_fields if f["api_name"] == "Last_Name")
    assert last["required"] is True
    one = api.get(f"settings/layouts/{layouts[0]['id']}", params={"module": "Leads"})
    assert one.json()["layouts"][0]["id"] == layouts[0]["id"]
    related = api.get("settings/related_lists", params={"module": "Accounts"}).json()
    assert "Contacts" in {r["api_name"] for r in related["related_lists"]}


@pytest.mark.parametrize(
    "path",
    [
        "settings/modules",
        "settings/modules/Leads",
        "settings/fields?module=Leads",
        "settings/layouts?module=Leads",
        "settings/related_lists?module=Leads",
    ],
)
def test_settings_scope_required(api: Any, path: str) -> None:
    response = api.with_scopes("ZohoCRM.modules.ALL").get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"


# --- custom fields -----------------------------------------------------------------------------


def create(api: Any, module: str, *specs: dict[str, Any]) -> Any:
    return api.post("settings/fields", params={"module": module}, json={"fields": list(specs)})


def test_custom_field_life(api: Any) -> None:
    response = create(
        api,
        "Leads",
        {"field_label": "Renewal Date", "data_type": "date"},
        {
            "field_label": "Tier",
            "data_type": "picklist",
            "pick_list_values": [{"display_value": "Gold"}, "Silver"],
        },
    )
    assert response.status_code == 201
    assert [r["message"] for r in response.json()["fields"]] == ["field created"] * 2
    fields = {
        f["api_name"]: f
        for f in api.get("settings/fields", params={"module": "Leads"}).json()["fields"]
    }
    assert fields["Renewal_Date__c"]["custom_field"] is True
    assert [o["display_value"] for o in fields["Tier__c"]["pick_list_values"]] == [
        "-None-",
        "Gold",
        "Silver",
    ]
    (lead,) = api.create(
        "Leads", {"Last_Name": "C", "Renewal_Date__c": "2025-01-31", "Tier__c": "Gold"}
    )
    record = api.get(f"Leads/{lead}").json()["data"][0]
    assert (record["Renewal_Date__c"], record["Tier__c"]) == ("2025-01-31", "Gold")
    bad = api.post("Leads", json={"data": [{"Last_Name": "C", "Tier__c": "Bronze"}]})
    assert bad.json()["data"][0]["details"]["api_name"] == "Tier__c"
    tier_id = fields["Tier__c"]["id"]
    patched = api.patch(
        f"settings/fields/{tier_id}",
        params={"module": "Leads"},
        json={"fields": [{"field_label": "Customer Tier"}]},
    )
    assert patched.json()["fields"][0]["message"] == "field updated"
    deleted = api.delete(f"settings/fields/{tier_id}", params={"module": "Leads"})
    assert deleted.json()["fields"][0]["message"] == "field deleted"
    standard = fields["Last_Name"]["id"]
    refused = api.delete(f"settings/fields/{standard}", params={"module": "Leads"})
    assert refused.json()["code"] == "NOT_ALLOWED"


def test_unique_custom_field_and_api_name_rules(api: Any) -> None:
    created = create(
        api,
        "Contacts",
        {
            "field_label": "Employee No",
            "data_type": "text",
            "length": 20,
            "unique": {"case_sensitive": False},
        },
        {"field_label": "Employee No", "data_type": "text"},
        {"field_label": "Badge", "data_type": "integer", "api_name": "Badge"},
    )
    assert [r["code"] for r in created.json()["fields"]] == ["SUCCESS"] * 3
    names = {
        f["api_name"]
        for f in api.get("settings/fields", params={"module": "Contacts"}).json()["fields"]
    }
    assert {"Employee_No__c", "Employee_No1__c", "Badge"} <= names
    api.create("Contacts", {"Last_Name": "A", "Employee_No__c": "E-1"})
    clash = api.post("Contacts", json={"data": [{"Last_Name": "B", "Employee_No__c": "e-1"}]})
    assert clash.json()["data"][0]["code"] == "DUPLICATE_DATA"


def test_lookup_custom_field_adds_a_related_list(api: Any) -> None:
    created = create(
        api,
        "Cases",
        {
            "field_label": "Partner",
            "data_type": "lookup",
            "lookup": {"module": {"api_name": "Vendors"}},
        },
    )
    assert created.status_code == 201
    related = api.get("settings/related_lists", params={"module": "Vendors"}).json()
    assert "Cases" in {r["api_name"] for r in related["related_lists"]}
    (vendor,) = api.create("Vendors", {"Vendor_Name": "V"})
    (case,) = api.create(
        "Cases",
        {"Subject": "S", "Status": "New", "Case_Origin": "Email", "Partner__c": {"id": vendor}},
    )
    listed = api.get(f"Vendors/{vendor}/Cases").json()["data"]
    assert [c["id"] for c in listed] == [case]


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ({"data_type": "text"}, "MANDATORY_NOT_FOUND"),
        ({"field_label": "X"}, "MANDATORY_NOT_FOUND"),
        ({"field_label": "X", "data_type": "hologram"}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "text", "length": 300}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "integer", "length": 10}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "picklist"}, "MANDATORY_NOT_FOUND"),
        ({"field_label": "X", "data_type": "lookup"}, "MANDATORY_NOT_FOUND"),
        ({"field_label": "X", "data_type": "lookup", "lookup": {"module": "Nope"}}, "INVALID_DATA"),
        ({"field_label": "Select", "data_type": "text"}, "RESERVED_KEYWORD_NOT_ALLOWED"),
        ({"field_label": "X", "data_type": "text", "api_name": "Last_Name"}, "DUPLICATE_DATA"),
        ({"field_label": "X", "data_type": "boolean", "unique": True}, "INVALID_DATA"),
    ],
)
def test_custom_field_errors(api: Any, spec: dict[str, Any], code: str) -> None:
    response = create(api, "Leads", spec)
    assert response.status_code == 400
    assert response.json()["fields"][0]["code"] == code


def test_custom_field_limits(api: Any, runtime: Any) -> None:
    six = [{"field_label": f"F{i}", "data_type": "text"} for i in range(6)]
    assert create(api, "Leads", *six).json()["code"] == "LIMIT_EXCEEDED"
    three_unique = [{"field_label": f"U{i}", "data_type": "text", "unique": True} for i in range(3)]
    codes = [r["code"] for r in create(api, "Leads", *three_unique).json()["fields"]]
    assert codes == ["SUCCESS", "SUCCESS", "LIMIT_EXCEEDED"]
    from zcrm.server.services.orgs import set_limits

    set_limits(runtime, api.org.org_id, custom_fields_per_module=2)
    over = create(api, "Leads", {"field_label": "One more", "data_type": "text"})
    assert over.json()["fields"][0]["code"] == "LIMIT_EXCEEDED"


def test_custom_fields_need_an_administrator(api: Any) -> None:
    standard_user = api.org.add_user(profile="Standard")
    response = api.as_user(standard_user).post(
        "settings/fields",
        params={"module": "Leads"},
        json={"fields": [{"field_label": "X", "data_type": "text"}]},
    )
    assert response.status_code == 403
    assert response.json()["details"] == {"permissions": ["Crm_Implied_Customize_Zoho_CRM"]}
