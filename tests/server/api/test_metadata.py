"""/crm/{version}/settings/… (api/metadata.py)."""

from __future__ import annotations

from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy import select

from zcrm.server.runtime import Runtime
from zcrm.server.services.orgs import set_limits
from zcrm.server.storage.schema import orgs
from zcrm.testing.api import Api

STANDARD_MODULES = {
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
}
# What the official SDK reads, plus the §6.1 keys a Zoho client may read.
MODULE_KEYS = {
    "api_name",
    "api_supported",
    "generated_type",
    "id",
    "module_name",
    "singular_label",
    "plural_label",
    "creatable",
    "editable",
    "deletable",
    "viewable",
    "status",
    "visibility",
    "recycle_bin_on_delete",
    "modified_time",
    "modified_by",
    "profiles",
    "show_as_tab",
    "quick_create",
}
FIELD_KEYS = {
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
    "multi_module_lookup",
    "id",
    "field_label",
    "display_label",
    "length",
    "read_only",
    "field_read_only",
    "visible",
    "unique",
    "created_source",
    "decimal_place",
    "currency",
    "sortable",
    "searchable",
    "filterable",
    "ui_type",
    "operation_type",
    "view_type",
    "profiles",
}
PICKLIST_OPTION_KEYS = {
    "display_value",
    "actual_value",
    "sequence_number",
    "id",
    "reference_value",
    "type",
}
RELATED_LIST_KEYS = {
    "api_name",
    "id",
    "display_label",
    "module",
    "href",
    "type",
    "visible",
    "sequence_number",
    "name",
    "connectedmodule",
    "linkingmodule",
}


def fields_of(api: Api, module: str) -> dict[str, dict[str, Any]]:
    response = api.get("settings/fields", params={"module": module})
    assert response.status_code == 200, response.text
    return {f["api_name"]: f for f in response.json()["fields"]}


def create(api: Api, module: str, *specs: Any) -> Any:
    return api.post("settings/fields", params={"module": module}, json={"fields": list(specs)})


def metadata_version(runtime: Runtime, org_id: int) -> int:
    with runtime.db.read() as conn:
        return int(
            conn.execute(select(orgs.c.metadata_version).where(orgs.c.id == org_id)).scalar_one()
        )


# --- modules ------------------------------------------------------------------------------------


def test_modules_carry_what_the_sdk_reads(api: Api) -> None:
    response = api.get("settings/modules")
    assert response.status_code == 200
    modules = {m["api_name"]: m for m in response.json()["modules"]}
    assert set(modules) >= STANDARD_MODULES
    for module in modules.values():
        assert set(module) >= MODULE_KEYS
        assert module["id"].isdigit() and module["api_supported"] is True
        assert (module["status"], module["visibility"]) == ("visible", 1)
        assert {p["name"] for p in module["profiles"]} == {"Administrator", "Standard"}
    assert modules["Events"]["module_name"] == "Meetings"
    assert modules["Leads"]["generated_type"] == "default"


@pytest.mark.parametrize("http_date", [False, True], ids=["iso-8601", "http-date"])
def test_modules_if_modified_since(api: Api, runtime: Runtime, http_date: bool) -> None:
    runtime.clock.advance(60)
    now = runtime.clock.now().replace(microsecond=0)
    stamp = format_datetime(now, usegmt=True) if http_date else now.isoformat()
    unchanged = api.get("settings/modules", headers={"If-Modified-Since": stamp})
    assert unchanged.status_code == 304 and unchanged.content == b""
    runtime.clock.advance(1)
    assert create(api, "Leads", {"field_label": "Score", "data_type": "integer"}).status_code == 201
    changed = api.get("settings/modules", headers={"If-Modified-Since": stamp})
    assert changed.status_code == 200
    assert [m["api_name"] for m in changed.json()["modules"]] == ["Leads"]


def test_modules_refuse_a_garbled_if_modified_since(api: Api) -> None:
    response = api.get("settings/modules", headers={"If-Modified-Since": "yesterday"})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_DATA"


def test_one_module_by_name_or_id(api: Api) -> None:
    body = api.get("settings/modules/Accounts").json()["modules"][0]
    assert body["api_name"] == "Accounts"
    assert {r["api_name"] for r in body["related_lists"]} >= {"Contacts", "Deals", "Notes"}
    assert body["layouts"][0]["name"] == "Standard" and body["layouts"][0]["id"].isdigit()
    assert any(f["api_name"] == "Account_Name" for f in body["fields"])
    assert body["display_field"] == "Account_Name"
    by_id = api.get(f"settings/modules/{body['id']}").json()["modules"][0]
    assert by_id["api_name"] == "Accounts"


# --- fields -------------------------------------------------------------------------------------


def test_fields_carry_what_the_sdk_reads(api: Api) -> None:
    fields = fields_of(api, "Contacts")
    for field in fields.values():
        assert set(field) >= FIELD_KEYS, field["api_name"]
        assert field["id"].isdigit()
        for option in field["pick_list_values"]:
            assert set(option) >= PICKLIST_OPTION_KEYS
    last = fields["Last_Name"]
    assert (last["system_mandatory"], last["length"], last["data_type"]) == (True, 80, "text")
    assert (last["json_type"], last["custom_field"], last["unique"]) == ("string", False, {})


def test_lookup_names_its_target_and_the_related_list_it_feeds(api: Api) -> None:
    account = fields_of(api, "Contacts")["Account_Name"]
    assert (account["data_type"], account["json_type"]) == ("lookup", "jsonobject")
    accounts = api.get("settings/related_lists", params={"module": "Accounts"}).json()
    contacts_list = next(r for r in accounts["related_lists"] if r["api_name"] == "Contacts")
    module_id = api.get("settings/modules/Accounts").json()["modules"][0]["id"]
    assert account["lookup"]["module"] == {"api_name": "Accounts", "id": module_id}
    assert account["lookup"]["api_name"] == "Contacts"
    assert account["lookup"]["id"] == contacts_list["id"]
    assert account["multi_module_lookup"] == {}


def test_multi_module_lookup(api: Api) -> None:
    what = fields_of(api, "Tasks")["What_Id"]
    assert what["data_type"] == "lookup"
    assert what["lookup"]["module"]["api_name"] == "se_module"  # the SDK's marker
    multi = what["multi_module_lookup"]
    assert multi["api_name"] == "What_Id"
    assert {"Accounts", "Deals"} <= {m["api_name"] for m in multi["modules"]}
    assert all(m["id"].isdigit() for m in multi["modules"])


@pytest.mark.parametrize(
    ("module", "api_name", "key", "expected"),
    [
        ("Accounts", "Annual_Revenue", "currency", {"rounding_option": "normal", "precision": 2}),
        ("Accounts", "Annual_Revenue", "json_type", "double"),
        ("Leads", "Description", "textarea", {"type": "large"}),
        ("Leads", "Owner", "data_type", "ownerlookup"),
        ("Leads", "Created_Time", "read_only", True),
        ("Leads", "Lead_Status", "data_type", "picklist"),
    ],
)
def test_field_details(api: Api, module: str, api_name: str, key: str, expected: Any) -> None:
    assert fields_of(api, module)[api_name][key] == expected


def test_picklists_start_with_none_and_stage_carries_probability(api: Api) -> None:
    status = fields_of(api, "Leads")["Lead_Status"]["pick_list_values"]
    assert status[0]["display_value"] == "-None-"
    assert [o["sequence_number"] for o in status] == list(range(1, len(status) + 1))
    stage = fields_of(api, "Deals")["Stage"]
    options = {o["display_value"]: o for o in stage["pick_list_values"]}
    assert options["Identify Decision Makers"]["actual_value"] == "Id. Decision Makers"
    assert options["Closed Won"]["probability"] == 100


def test_one_field_by_id(api: Api) -> None:
    account = fields_of(api, "Contacts")["Account_Name"]
    one = api.get(f"settings/fields/{account['id']}", params={"module": "Contacts"})
    assert one.status_code == 200
    assert one.json()["fields"] == [account]


@pytest.mark.parametrize(("kind", "status"), [("all", 200), ("used", 200), ("unused", 204)])
def test_fields_type_param(api: Api, kind: str, status: int) -> None:
    response = api.get("settings/fields", params={"module": "Leads", "type": kind})
    assert response.status_code == status


@pytest.mark.parametrize(
    ("path", "params", "code", "details"),
    [
        ("settings/fields", {}, "REQUIRED_PARAM_MISSING", {"param_name": "module"}),
        ("settings/fields", {"module": "Nope"}, "INVALID_MODULE", {"param_name": "module"}),
        ("settings/fields", {"module": "Leads", "type": "odd"}, "INVALID_DATA", {}),
        ("settings/fields/123", {}, "REQUIRED_PARAM_MISSING", {"param_name": "module"}),
        ("settings/fields/123", {"module": "Leads"}, "INVALID_DATA", {"resource_path_index": 2}),
        ("settings/fields/abc", {"module": "Leads"}, "INVALID_DATA", {"resource_path_index": 2}),
        ("settings/fields/123", {"module": "Nope"}, "INVALID_MODULE", {"param_name": "module"}),
        ("settings/layouts", {}, "REQUIRED_PARAM_MISSING", {"param_name": "module"}),
        ("settings/layouts", {"module": "Nope"}, "INVALID_MODULE", {"param_name": "module"}),
        ("settings/layouts/123", {"module": "Leads"}, "INVALID_DATA", {"resource_path_index": 2}),
        ("settings/related_lists", {}, "REQUIRED_PARAM_MISSING", {"param_name": "module"}),
        ("settings/related_lists", {"module": "Nope"}, "INVALID_MODULE", {}),
        ("settings/related_lists/9", {"module": "Leads"}, "INVALID_DATA", {}),
        ("settings/modules/Unicorns", {}, "INVALID_MODULE", {"resource_path_index": 2}),
    ],
)
def test_read_errors(
    api: Api, path: str, params: dict[str, str], code: str, details: dict[str, Any]
) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["status"]) == (code, "error")
    assert details.items() <= body["details"].items()


# --- layouts and related lists ------------------------------------------------------------------


def test_layouts(api: Api) -> None:
    layouts = api.get("settings/layouts", params={"module": "Leads"}).json()["layouts"]
    (layout,) = layouts
    assert layout["name"] == "Standard" and layout["id"].isdigit()
    assert {"status", "visible", "profiles", "created_time", "modified_time"} <= set(layout)
    (section,) = layout["sections"]
    assert {"display_label", "sequence_number", "column_count", "api_name", "name"} <= set(section)
    assert section["isSubformSection"] is False
    last = next(f for f in section["fields"] if f["api_name"] == "Last_Name")
    company = next(f for f in section["fields"] if f["api_name"] == "Company")
    assert (last["required"], company["required"]) == (True, False)
    one = api.get(f"settings/layouts/{layout['id']}", params={"module": "Leads"})
    assert one.json()["layouts"] == layouts


def test_related_lists(api: Api) -> None:
    body = api.get("settings/related_lists", params={"module": "Accounts"}).json()
    lists = {r["api_name"]: r for r in body["related_lists"]}
    contacts = lists["Contacts"]
    assert set(contacts) >= RELATED_LIST_KEYS
    assert contacts["href"] == "Accounts/{ENTITYID}/Contacts"
    assert contacts["module"]["api_name"] == "Contacts" and contacts["id"].isdigit()
    one = api.get(f"settings/related_lists/{contacts['id']}", params={"module": "Accounts"})
    assert one.json()["related_lists"] == [contacts]


# --- scopes -------------------------------------------------------------------------------------

READS = [
    "settings/modules",
    "settings/modules/Leads",
    "settings/fields?module=Leads",
    "settings/layouts?module=Leads",
    "settings/related_lists?module=Leads",
]


@pytest.mark.parametrize("path", READS)
def test_reads_need_their_settings_scope(api: Api, path: str) -> None:
    response = api.with_scopes("ZohoCRM.modules.ALL,ZohoCRM.settings.custom_views.READ").get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"


@pytest.mark.parametrize("scope", ["ZohoCRM.settings.READ", "ZohoCRM.settings.ALL"])
@pytest.mark.parametrize("path", READS)
def test_wide_settings_scopes_cover_reads(api: Api, path: str, scope: str) -> None:
    assert api.with_scopes(scope).get(path).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("POST", "settings/fields", "ZohoCRM.settings.fields.READ"),
        ("PATCH", "settings/fields/1", "ZohoCRM.settings.fields.CREATE"),
        ("DELETE", "settings/fields/1", "ZohoCRM.settings.fields.UPDATE"),
        ("GET", "settings/fields/1", "ZohoCRM.settings.fields.CREATE"),
        ("GET", "settings/layouts/1", "ZohoCRM.settings.fields.READ"),
        ("GET", "settings/related_lists/1", "ZohoCRM.settings.layouts.READ"),
    ],
)
def test_each_route_checks_its_scope_first(api: Api, method: str, path: str, scope: str) -> None:
    body = {"fields": [{"field_label": "X", "data_type": "text"}]}
    response = api.with_scopes(scope).request(method, path, params={"module": "Leads"}, json=body)
    assert response.status_code == 401
    assert response.json()["code"] == "OAUTH_SCOPE_MISMATCH"


# --- custom fields ------------------------------------------------------------------------------


def test_custom_field_is_usable_by_records_at_once(api: Api, runtime: Runtime) -> None:
    before = metadata_version(runtime, api.org.org_id)
    response = create(
        api,
        "Leads",
        {"field_label": "Renewal Date", "data_type": "date"},
        {
            "field_label": "Tier",
            "data_type": "picklist",
            "pick_list_values": [{"display_value": "Gold"}, "Silver"],
        },
        {"field_label": "Seats", "data_type": "integer", "length": 5},
    )
    assert response.status_code == 201
    results = response.json()["fields"]
    assert [(r["code"], r["message"], r["status"]) for r in results] == [
        ("SUCCESS", "field created", "success")
    ] * 3
    assert all(r["details"]["id"].isdigit() for r in results)
    assert metadata_version(runtime, api.org.org_id) == before + 1
    fields = fields_of(api, "Leads")
    assert fields["Renewal_Date__c"]["custom_field"] is True
    assert fields["Renewal_Date__c"]["created_source"] == "custom"
    assert fields["Seats__c"]["length"] == 5
    assert [o["display_value"] for o in fields["Tier__c"]["pick_list_values"]] == [
        "-None-",
        "Gold",
        "Silver",
    ]
    (lead,) = api.create(
        "Leads",
        {"Last_Name": "C", "Renewal_Date__c": "2025-01-31", "Tier__c": "Gold", "Seats__c": 12},
    )
    record = api.get(f"Leads/{lead}").json()["data"][0]
    assert (record["Renewal_Date__c"], record["Tier__c"], record["Seats__c"]) == (
        "2025-01-31",
        "Gold",
        12,
    )


@pytest.mark.parametrize(
    ("value", "api_name"),
    [
        ({"Tier__c": "Bronze"}, "Tier__c"),
        ({"Seats__c": "many"}, "Seats__c"),
        ({"Seats__c": 123456}, "Seats__c"),
        ({"Renewal_Date__c": "31/01/2025"}, "Renewal_Date__c"),
    ],
)
def test_bad_values_for_custom_fields_are_invalid_data(
    api: Api, value: dict[str, Any], api_name: str
) -> None:
    create(
        api,
        "Leads",
        {"field_label": "Renewal Date", "data_type": "date"},
        {"field_label": "Tier", "data_type": "picklist", "pick_list_values": ["Gold"]},
        {"field_label": "Seats", "data_type": "integer", "length": 5},
    )
    response = api.post("Leads", json={"data": [{"Last_Name": "C", **value}]})
    assert response.status_code == 400
    (error,) = response.json()["data"]
    assert (error["code"], error["details"]["api_name"]) == ("INVALID_DATA", api_name)


def test_update_and_delete_a_custom_field(api: Api) -> None:
    create(
        api,
        "Leads",
        {"field_label": "Tier", "data_type": "picklist", "pick_list_values": ["Gold", "Silver"]},
        {"field_label": "Code", "data_type": "text", "length": 10},
    )
    fields = fields_of(api, "Leads")
    tier = fields["Tier__c"]
    gold_id = next(o["id"] for o in tier["pick_list_values"] if o["display_value"] == "Gold")
    patched = api.patch(
        f"settings/fields/{tier['id']}",
        params={"module": "Leads"},
        json={
            "fields": [{"field_label": "Customer Tier", "pick_list_values": ["Gold", "Platinum"]}]
        },
    )
    assert patched.status_code == 200
    assert patched.json()["fields"][0] == {
        "code": "SUCCESS",
        "details": {"id": tier["id"]},
        "message": "field updated",
        "status": "success",
    }
    after = fields_of(api, "Leads")["Tier__c"]
    assert after["field_label"] == "Customer Tier"
    options = {o["display_value"]: o["id"] for o in after["pick_list_values"]}
    assert list(options) == ["-None-", "Gold", "Platinum"] and options["Gold"] == gold_id
    api.create("Leads", {"Last_Name": "P", "Tier__c": "Platinum"})
    code = fields["Code__c"]["id"]
    longer = api.patch(
        f"settings/fields/{code}", params={"module": "Leads"}, json={"fields": [{"length": 40}]}
    )
    assert longer.status_code == 200 and fields_of(api, "Leads")["Code__c"]["length"] == 40
    deleted = api.delete(f"settings/fields/{tier['id']}", params={"module": "Leads"})
    assert deleted.status_code == 200
    assert deleted.json()["fields"][0]["message"] == "field deleted"
    assert "Tier__c" not in fields_of(api, "Leads")


@pytest.mark.parametrize(
    ("method", "body", "code", "status"),
    [
        ("DELETE", None, "NOT_ALLOWED", 400),
        ("PATCH", {"fields": [{"length": 10}]}, "NOT_ALLOWED", 400),
        ("PATCH", {"fields": [{"pick_list_values": ["x"]}]}, "INVALID_DATA", 400),
        ("PATCH", {"fields": [{}]}, "MANDATORY_NOT_FOUND", 400),
        ("PATCH", {"fields": [{"field_label": "A"}, {"field_label": "B"}]}, "INVALID_DATA", 400),
        ("PATCH", {"data": []}, "MANDATORY_NOT_FOUND", 400),
    ],
)
def test_standard_field_changes_refused(
    api: Api, method: str, body: Any, code: str, status: int
) -> None:
    last_name = fields_of(api, "Leads")["Last_Name"]["id"]
    response = api.request(
        method, f"settings/fields/{last_name}", params={"module": "Leads"}, json=body
    )
    assert response.status_code == status
    assert response.json()["code"] == code


def test_standard_field_label_can_change(api: Api) -> None:
    company = fields_of(api, "Leads")["Company"]["id"]
    response = api.patch(
        f"settings/fields/{company}",
        params={"module": "Leads"},
        json={"fields": [{"field_label": "Organisation"}]},
    )
    assert response.status_code == 200
    assert fields_of(api, "Leads")["Company"]["field_label"] == "Organisation"


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_unknown_field_id_on_write(api: Api, method: str) -> None:
    response = api.request(
        method,
        "settings/fields/4876876000000000001",
        params={"module": "Leads"},
        json={"fields": [{"field_label": "X"}]},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_DATA"
    assert response.json()["details"] == {"resource_path_index": 2}


def test_api_names_from_labels(api: Api) -> None:
    created = create(
        api,
        "Contacts",
        {"field_label": "Employee No", "data_type": "text", "length": 20},
        {"field_label": "Employee No.", "data_type": "text"},
        {"field_label": "Badge", "data_type": "integer", "api_name": "Badge"},
        {"field_label": "Région & Zone", "data_type": "text"},
    )
    assert [r["code"] for r in created.json()["fields"]] == ["SUCCESS"] * 4
    names = set(fields_of(api, "Contacts"))
    assert {"Employee_No__c", "Employee_No1__c", "Badge", "Rgion_Zone__c"} <= names


def test_the_suffix_is_an_org_setting(api: Api, runtime: Runtime) -> None:
    with runtime.db.write() as conn:
        conn.execute(
            orgs.update()
            .where(orgs.c.id == api.org.org_id)
            .values(settings={"custom_field_suffix": False})
        )
    assert create(api, "Leads", {"field_label": "Score", "data_type": "integer"}).status_code == 201
    assert "Score" in fields_of(api, "Leads")


def test_unique_custom_field(api: Api) -> None:
    spec = {"field_label": "Employee No", "data_type": "text", "unique": {"case_sensitive": False}}
    assert create(api, "Contacts", spec).status_code == 201
    assert fields_of(api, "Contacts")["Employee_No__c"]["unique"] == {"case_sensitive": False}
    api.create("Contacts", {"Last_Name": "A", "Employee_No__c": "E-1"})
    clash = api.post("Contacts", json={"data": [{"Last_Name": "B", "Employee_No__c": "e-1"}]})
    assert clash.json()["data"][0]["code"] == "DUPLICATE_DATA"


def test_autonumber_custom_field(api: Api) -> None:
    assert (
        create(api, "Cases", {"field_label": "Ticket", "data_type": "autonumber"}).status_code
        == 201
    )
    case = {"Subject": "S", "Status": "New", "Case_Origin": "Email"}
    first, second = api.create("Cases", case, case)
    numbers = [api.get(f"Cases/{i}").json()["data"][0]["Ticket__c"] for i in (first, second)]
    assert numbers[0] != numbers[1] and all(numbers)
    again = create(api, "Cases", {"field_label": "Ticket 2", "data_type": "autonumber"})
    assert again.json()["fields"][0]["code"] == "LIMIT_EXCEEDED"


def test_lookup_custom_field_adds_and_removes_a_related_list(api: Api) -> None:
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
    partner = fields_of(api, "Cases")["Partner__c"]
    assert partner["lookup"]["module"]["api_name"] == "Vendors"
    assert partner["lookup"]["api_name"] == "Cases"
    (vendor,) = api.create("Vendors", {"Vendor_Name": "V"})
    case = {"Subject": "S", "Status": "New", "Case_Origin": "Email", "Partner__c": {"id": vendor}}
    (case_id,) = api.create("Cases", case)
    listed = api.get(f"Vendors/{vendor}/Cases").json()["data"]
    assert [c["id"] for c in listed] == [case_id]
    api.delete(f"settings/fields/{partner['id']}", params={"module": "Cases"})
    related = api.get("settings/related_lists", params={"module": "Vendors"}).json()
    assert "Cases" not in {r["api_name"] for r in related.get("related_lists", [])}


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ({"data_type": "text"}, "MANDATORY_NOT_FOUND"),
        ({"field_label": "X"}, "MANDATORY_NOT_FOUND"),
        ({"field_label": 7, "data_type": "text"}, "INVALID_DATA"),
        ({"field_label": "X" * 101, "data_type": "text"}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "hologram"}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "text", "length": 300}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "text", "length": 0}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "integer", "length": 10}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "email", "length": 101}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "currency", "length": 17}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "double", "decimal_place": 12}, "INVALID_DATA"),
        (
            {"field_label": "X", "data_type": "textarea", "textarea": {"type": "huge"}},
            "INVALID_DATA",
        ),
        ({"field_label": "X", "data_type": "picklist"}, "MANDATORY_NOT_FOUND"),
        (
            {"field_label": "X", "data_type": "picklist", "pick_list_values": ["a", "a"]},
            "DUPLICATE_DATA",
        ),
        ({"field_label": "X", "data_type": "lookup"}, "MANDATORY_NOT_FOUND"),
        ({"field_label": "X", "data_type": "lookup", "lookup": {"module": "Nope"}}, "INVALID_DATA"),
        ({"field_label": "Select", "data_type": "text"}, "RESERVED_KEYWORD_NOT_ALLOWED"),
        (
            {"field_label": "X", "data_type": "text", "api_name": "Owner"},
            "RESERVED_KEYWORD_NOT_ALLOWED",
        ),
        ({"field_label": "X", "data_type": "text", "api_name": "Last_Name"}, "DUPLICATE_DATA"),
        ({"field_label": "X", "data_type": "text", "api_name": "9lives"}, "INVALID_DATA"),
        ({"field_label": "X", "data_type": "boolean", "unique": True}, "INVALID_DATA"),
        ({"field_label": "!!!", "data_type": "text"}, "INVALID_DATA"),
        ("not an object", "INVALID_DATA"),
    ],
)
def test_custom_field_errors(api: Api, spec: Any, code: str) -> None:
    response = create(api, "Leads", spec)
    assert response.status_code == 400
    (error,) = response.json()["fields"]
    assert (error["code"], error["status"]) == (code, "error")
    assert "json_path" in error["details"] or error["details"].get("expected_data_type")


def test_mixed_batch_is_207_in_request_order(api: Api) -> None:
    response = create(
        api,
        "Leads",
        {"field_label": "Good", "data_type": "text"},
        {"field_label": "Bad", "data_type": "hologram"},
    )
    assert response.status_code == 207
    (good, bad) = response.json()["fields"]
    assert (good["code"], bad["code"]) == ("SUCCESS", "INVALID_DATA")
    assert bad["details"]["json_path"] == "$.fields[1].data_type"
    assert "supported_values" in bad["details"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "MANDATORY_NOT_FOUND"),
        ({"fields": []}, "INVALID_DATA"),
        ({"fields": {"field_label": "X"}}, "INVALID_DATA"),
        (
            {"fields": [{"field_label": f"F{i}", "data_type": "text"} for i in range(6)]},
            "LIMIT_EXCEEDED",
        ),
    ],
)
def test_create_body_errors(api: Api, body: Any, code: str) -> None:
    response = api.post("settings/fields", params={"module": "Leads"}, json=body)
    assert response.status_code == 400 and response.json()["code"] == code


def test_malformed_json_body(api: Api) -> None:
    response = api.post("settings/fields", params={"module": "Leads"}, content=b"{nope")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_DATA"


def test_custom_field_limits(api: Api, runtime: Runtime) -> None:
    three_unique = [{"field_label": f"U{i}", "data_type": "text", "unique": True} for i in range(3)]
    codes = [r["code"] for r in create(api, "Leads", *three_unique).json()["fields"]]
    assert codes == ["SUCCESS", "SUCCESS", "LIMIT_EXCEEDED"]
    set_limits(runtime, api.org.org_id, custom_fields_per_module=3)
    over = create(
        api,
        "Leads",
        {"field_label": "One more", "data_type": "text"},
        {"field_label": "Two more", "data_type": "text"},
    )
    assert [r["code"] for r in over.json()["fields"]] == ["SUCCESS", "LIMIT_EXCEEDED"]
    assert over.json()["fields"][1]["details"]["limit"] == 3


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "settings/fields", {"fields": [{"field_label": "X", "data_type": "text"}]}),
        ("PATCH", "settings/fields/{id}", {"fields": [{"field_label": "X"}]}),
        ("DELETE", "settings/fields/{id}", None),
    ],
)
def test_field_changes_need_an_administrator(api: Api, method: str, path: str, body: Any) -> None:
    create(api, "Leads", {"field_label": "Mine", "data_type": "text"})
    field_id = fields_of(api, "Leads")["Mine__c"]["id"]
    standard_user = api.as_user(api.org.add_user(profile="Standard"))
    assert standard_user.get("settings/fields", params={"module": "Leads"}).status_code == 200
    response = standard_user.request(
        method, path.format(id=field_id), params={"module": "Leads"}, json=body
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "NO_PERMISSION",
        "details": {"permissions": ["Crm_Implied_Customize_Zoho_CRM"]},
        "message": "permission denied",
        "status": "error",
    }
    assert "Mine__c" in fields_of(api, "Leads")


@pytest.mark.parametrize("version", ["v7", "v8"])
def test_later_versions_answer_alike(api: Api, version: str) -> None:
    other = Api(api.http, api.org, version)
    assert other.get("settings/fields", params={"module": "Leads"}).status_code == 200
