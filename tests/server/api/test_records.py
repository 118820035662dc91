"""/crm/{version}/{module}: the record routes end to end (api/records.py)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import select

from zcrm.server.storage.schema import events, fields, orgs


def ok_ids(response: Any) -> list[str]:
    return [item["details"]["id"] for item in response.json()["data"]]


# --- insert -----------------------------------------------------------------------------------


def test_insert_reports_each_record_in_order_with_201(api: Any) -> None:
    response = api.post("Leads", json={"data": [{"Last_Name": "A"}, {"Last_Name": "B"}]})
    assert response.status_code == 201
    assert response.headers["content-type"].startswith("application/json")
    items = response.json()["data"]
    assert [i["code"] for i in items] == ["SUCCESS", "SUCCESS"]
    first = items[0]
    assert first["message"] == "record added" and first["status"] == "success"
    details = first["details"]
    assert set(details) >= {"id", "Created_Time", "Modified_Time", "Created_By", "Modified_By"}
    assert details["id"].isdigit() and len(details["id"]) == 19
    assert details["Created_By"] == {"name": "Admin User", "id": str(api.org.admin_id)}
    assert details["Created_Time"].endswith("+00:00")


def test_mixed_batch_is_207_and_good_records_are_written(api: Any) -> None:
    response = api.post(
        "Leads",
        json={"data": [{"Last_Name": "Good"}, {"First_Name": "NoLast"}, {"Last_Name": "Also"}]},
    )
    assert response.status_code == 207
    codes = [i["code"] for i in response.json()["data"]]
    assert codes == ["SUCCESS", "MANDATORY_NOT_FOUND", "SUCCESS"]
    listed = api.get("Leads", params={"fields": "Last_Name"}).json()["data"]
    assert sorted(r["Last_Name"] for r in listed) == ["Also", "Good"]


def test_all_bad_batch_is_400_with_per_record_errors(api: Any) -> None:
    response = api.post("Leads", json={"data": [{"First_Name": "x"}, {"Email": "bad"}]})
    assert response.status_code == 400
    data = response.json()["data"]
    assert data[0] == {
        "code": "MANDATORY_NOT_FOUND",
        "details": {"api_name": "Last_Name", "json_path": "$.data[0].Last_Name"},
        "message": "required field not found",
        "status": "error",
    }
    assert data[1]["code"] == "MANDATORY_NOT_FOUND"
    assert api.get("Leads", params={"fields": "Last_Name"}).status_code == 204


@pytest.mark.parametrize(
    ("record", "details"),
    [
        ({"Last_Name": "x" * 81}, {"api_name": "Last_Name", "maximum_length": 80}),
        ({"Last_Name": "L", "Email": "nope"}, {"api_name": "Email", "expected_data_type": "email"}),
        (
            {"Last_Name": "L", "Phone": "phone me"},
            {"api_name": "Phone", "expected_data_type": "phone"},
        ),
        ({"Last_Name": "L", "Website": "not a site"}, {"expected_data_type": "website"}),
        ({"Last_Name": "L", "No_of_Employees": "many"}, {"expected_data_type": "integer"}),
        ({"Last_Name": "L", "Annual_Revenue": "lots"}, {"expected_data_type": "currency"}),
        ({"Last_Name": "L", "Email_Opt_Out": "maybe"}, {"expected_data_type": "boolean"}),
        ({"Last_Name": "L", "Lead_Source": "Carrier Pigeon"}, {"api_name": "Lead_Source"}),
        (
            {"Last_Name": "L", "Owner": {"id": "1"}},
            {"api_name": "Owner", "json_path": "$.data[0].Owner"},
        ),
        ({"Last_Name": "L", "Owner": "abc"}, {"api_name": "Owner"}),
    ],
)
def test_invalid_values_name_the_field(
    api: Any, record: dict[str, Any], details: dict[str, Any]
) -> None:
    response = api.post("Leads", json={"data": [record]})
    assert response.status_code == 400
    item = response.json()["data"][0]
    assert item["code"] == "INVALID_DATA" and item["message"] == "invalid data"
    for key, value in details.items():
        assert item["details"][key] == value
    assert item["details"]["json_path"].startswith("$.data[0].")


@pytest.mark.parametrize("value", [None, ""])
def test_mandatory_empty_values(api: Any, value: Any) -> None:
    response = api.post("Accounts", json={"data": [{"Account_Name": value}]})
    assert response.json()["data"][0]["code"] == "MANDATORY_NOT_FOUND"


def test_deal_requires_stage_and_computes_probability(api: Any) -> None:
    missing = api.post("Deals", json={"data": [{"Deal_Name": "D"}]})
    assert missing.json()["data"][0]["details"]["api_name"] == "Stage"
    (deal,) = api.create("Deals", {"Deal_Name": "D", "Stage": "Negotiation/Review", "Amount": 1000})
    record = api.get(f"Deals/{deal}").json()["data"][0]
    assert record["Probability"] == 90
    assert record["Expected_Revenue"] == 900.0
    assert record["Stage"] == "Negotiation/Review"


def test_lookup_must_exist_and_reads_back_with_name(api: Any) -> None:
    (account,) = api.create("Accounts", {"Account_Name": "Northwind"})
    response = api.post(
        "Contacts",
        json={
            "data": [
                {"Last_Name": "Ok", "Account_Name": {"id": int(account)}},
                {"Last_Name": "Bad", "Account_Name": {"id": "4876876000000000001"}},
            ]
        },
    )
    assert response.status_code == 207
    assert response.json()["data"][1]["details"] == {
        "api_name": "Account_Name",
        "json_path": "$.data[1].Account_Name",
    }
    contact = api.get("Contacts", params={"fields": "Account_Name,Owner"}).json()["data"][0]
    assert contact["Account_Name"] == {"name": "Northwind", "id": account}
    assert contact["Owner"]["id"] == str(api.org.admin_id)
    assert set(contact["Owner"]) == {"name", "id", "email"}


def test_system_fields_are_set_by_the_server(api: Any) -> None:
    (lead,) = api.create(
        "Leads",
        {
            "Last_Name": "S",
            "Created_Time": "2001-01-01T00:00:00+00:00",
            "Full_Name": "Forged",
            "id": "123",
        },
    )
    record = api.get(f"Leads/{lead}").json()["data"][0]
    assert record["id"] == lead
    assert not record["Created_Time"].startswith("2001")
    assert record["Full_Name"] == "S"
    assert record["Created_By"]["id"] == str(api.org.admin_id)


def test_body_without_content_type_is_json(api: Any) -> None:
    response = api.post("Leads", content=b'{"data":[{"Last_Name":"Raw"}]}')
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "code", "details"),
    [
        (b"{not json", "INVALID_DATA", {"expected_data_type": "jsonobject"}),
        (b"[1,2]", "INVALID_DATA", {"expected_data_type": "jsonobject"}),
        (b"", "INVALID_DATA", {"expected_data_type": "jsonobject"}),
        (b"{}", "MANDATORY_NOT_FOUND", {"api_name": "data"}),
        (b'{"data": []}', "MANDATORY_NOT_FOUND", {"api_name": "data"}),
        (b'{"data": {"Last_Name": "x"}}', "INVALID_DATA", {"expected_data_type": "jsonarray"}),
        (
            b'{"data": [{"Last_Name": "x"}], "trigger": ["telepathy"]}',
            "INVALID_DATA",
            {"api_name": "trigger"},
        ),
    ],
)
def test_request_level_errors_are_single_objects(
    api: Any, body: bytes, code: str, details: dict[str, Any]
) -> None:
    response = api.post("Leads", content=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == code and payload["status"] == "error"
    for key, value in details.items():
        assert payload["details"][key] == value


def test_element_that_is_not_an_object(api: Any) -> None:
    response = api.post("Leads", json={"data": [{"Last_Name": "A"}, "oops"]})
    assert response.status_code == 207
    assert response.json()["data"][1]["details"] == {
        "expected_data_type": "jsonobject",
        "json_path": "$.data[1]",
    }


def test_records_per_call_limit_follows_the_plan(api: Any, runtime: Any) -> None:
    too_many = {"data": [{"Last_Name": f"L{i}"} for i in range(201)]}
    response = api.post("Leads", json=too_many)
    assert response.status_code == 400
    assert response.json()["code"] == "LIMIT_EXCEEDED"
    assert response.json()["details"]["limit"] == 200
    with runtime.db.write() as conn:
        conn.execute(orgs.update().where(orgs.c.id == api.org.org_id).values(plan="free"))
    free = api.post("Leads", json={"data": [{"Last_Name": f"L{i}"} for i in range(101)]})
    assert free.json()["details"]["limit"] == 100


def test_unique_field_gives_duplicate_data(api: Any, runtime: Any) -> None:
    with runtime.db.write() as conn:
        conn.execute(
            fields.update()
            .where(fields.c.org_id == api.org.org_id, fields.c.api_name == "Email")
            .values(unique_field=True)
        )
        conn.execute(
            orgs.update()
            .where(orgs.c.id == api.org.org_id)
            .values(metadata_version=orgs.c.metadata_version + 1)
        )
    (first,) = api.create("Leads", {"Last_Name": "One", "Email": "dup@example.com"})
    response = api.post(
        "Leads",
        json={
            "data": [
                {"Last_Name": "Two", "Email": "DUP@example.com"},
                {"Last_Name": "Three", "Email": "new@example.com"},
                {"Last_Name": "Four", "Email": "new@example.com"},
            ]
        },
    )
    items = response.json()["data"]
    assert [i["code"] for i in items] == ["DUPLICATE_DATA", "SUCCESS", "DUPLICATE_DATA"]
    clash = items[0]["details"]["duplicate_record"]
    assert clash["id"] == first
    assert clash["module"]["api_name"] == "Leads"
    assert clash["Owner"]["id"] == str(api.org.admin_id)


# --- read ---------------------------------------------------------------------------------------


def test_list_requires_fields(api: Any) -> None:
    response = api.get("Leads")
    assert response.status_code == 400
    assert response.json() == {
        "code": "REQUIRED_PARAM_MISSING",
        "details": {"param_name": "fields"},
        "message": "One of the expected parameter is missing",
        "status": "error",
    }


def test_list_fields_limit(api: Any) -> None:
    names = ",".join(f"F{i}" for i in range(51))
    assert api.get("Leads", params={"fields": names}).json()["code"] == "LIMIT_EXCEEDED"


def test_empty_list_is_204_without_body(api: Any) -> None:
    response = api.get("Leads", params={"fields": "Last_Name"})
    assert response.status_code == 204
    assert response.content == b""


def test_list_info_and_default_order(api: Any) -> None:
    ids = api.create("Leads", *({"Last_Name": f"L{i}"} for i in range(3)))
    body = api.get("Leads", params={"fields": "Last_Name"}).json()
    assert [r["id"] for r in body["data"]] == sorted(ids, reverse=True)
    info = body["info"]
    assert info["count"] == 3 and info["more_records"] is False and info["page"] == 1
    assert info["per_page"] == 200 and info["sort_by"] == "id" and info["sort_order"] == "desc"
    assert info["next_page_token"] is None


@pytest.mark.parametrize("sort_by", ["id", "Created_Time", "Modified_Time"])
def test_sort_ascending(api: Any, sort_by: str) -> None:
    ids = api.create("Leads", *({"Last_Name": f"L{i}"} for i in range(3)))
    body = api.get(
        "Leads", params={"fields": "Last_Name", "sort_by": sort_by, "sort_order": "asc"}
    ).json()
    assert [r["id"] for r in body["data"]] == sorted(ids)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"sort_by": "Last_Name"}, "INVALID_DATA"),
        ({"sort_order": "up"}, "INVALID_DATA"),
        ({"per_page": "201"}, "INVALID_DATA"),
        ({"per_page": "zero"}, "INVALID_DATA"),
        ({"page": "0"}, "INVALID_DATA"),
        ({"page": "11"}, "DISCRETE_PAGINATION_LIMIT_EXCEEDED"),
        ({"page": "2", "page_token": "x"}, "AMBIGUITY_DURING_PROCESSING"),
        ({"page_token": "garbage"}, "INVALID_DATA"),
        ({"ids": "12,abc"}, "UNABLE_TO_PARSE_DATA_TYPE"),
        ({"converted": "maybe"}, "INVALID_DATA"),
        ({"cvid": "1", "sort_by": "id"}, "AMBIGUITY_DURING_PROCESSING"),
    ],
)
def test_list_parameter_errors(api: Any, params: dict[str, str], code: str) -> None:
    response = api.get("Leads", params={"fields": "Last_Name", **params})
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_pages_then_page_tokens(api: Any) -> None:
    ids = api.create("Leads", *({"Last_Name": f"L{i}"} for i in range(5)))
    expected = sorted(ids, reverse=True)
    page1 = api.get("Leads", params={"fields": "Last_Name", "per_page": 2}).json()
    page2 = api.get("Leads", params={"fields": "Last_Name", "per_page": 2, "page": 2}).json()
    assert [r["id"] for r in page1["data"] + page2["data"]] == expected[:4]
    seen = [r["id"] for r in page1["data"]]
    token = page1["info"]["next_page_token"]
    assert token and page1["info"]["more_records"] is True
    assert page1["info"]["page_token_expiry"]
    while token:
        body = api.get(
            "Leads", params={"fields": "Last_Name", "per_page": 2, "page_token": token}
        ).json()
        seen += [r["id"] for r in body["data"]]
        token = body["info"]["next_page_token"]
    assert seen == expected


def test_page_token_is_bound_to_params_user_and_time(api: Any, runtime: Any) -> None:
    api.create("Leads", *({"Last_Name": f"L{i}"} for i in range(3)))
    token = api.get("Leads", params={"fields": "Last_Name", "per_page": 1}).json()["info"][
        "next_page_token"
    ]
    changed = api.get("Leads", params={"fields": "Email", "per_page": 1, "page_token": token})
    assert changed.json()["code"] == "TOKEN_BOUND_DATA_MISMATCH"
    runtime.clock.advance(24 * 3600 + 1)
    api.renew()
    expired = api.get("Leads", params={"fields": "Last_Name", "per_page": 1, "page_token": token})
    assert expired.json()["code"] == "EXPIRED_VALUE"


def test_ids_param_and_get_one(api: Any) -> None:
    ids = api.create("Leads", *({"Last_Name": f"L{i}"} for i in range(3)))
    body = api.get("Leads", params={"fields": "Last_Name", "ids": f"{ids[0]},{ids[2]}"}).json()
    assert sorted(r["id"] for r in body["data"]) == sorted([ids[0], ids[2]])
    one = api.get(f"Leads/{ids[1]}")
    assert one.status_code == 200
    record = one.json()["data"][0]
    assert record["Last_Name"] == "L1" and record["Lead_Source"] is None
    assert record["Tag"] == [] and record["Email_Opt_Out"] is False
    assert api.get(f"Leads/{ids[1]}", params={"fields": "Last_Name"}).json()["data"] == [
        {"Last_Name": "L1", "id": ids[1]}
    ]


def test_get_missing_and_malformed_ids(api: Any) -> None:
    assert api.get("Leads/4876876000000000001").status_code == 204
    bad = api.get("Leads/not-an-id")
    assert bad.status_code == 400
    assert bad.json()["code"] == "INVALID_DATA"
    assert bad.json()["details"] == {"resource_path_index": 1}


def test_if_modified_since(api: Any, runtime: Any) -> None:
    api.create("Leads", {"Last_Name": "Old"})
    runtime.clock.advance(60)
    stamp = runtime.clock.now().replace(microsecond=0).isoformat()
    runtime.clock.advance(60)
    params = {"fields": "Last_Name"}
    assert api.get("Leads", params=params, headers={"If-Modified-Since": stamp}).status_code == 304
    api.create("Leads", {"Last_Name": "New"})
    newer = api.get("Leads", params=params, headers={"If-Modified-Since": stamp})
    assert [r["Last_Name"] for r in newer.json()["data"]] == ["New"]
    bad = api.get("Leads", params=params, headers={"If-Modified-Since": "yesterday"})
    assert bad.status_code == 400


def test_datetimes_in_the_users_time_zone(api: Any, runtime: Any) -> None:
    from zcrm.server.storage.schema import users

    with runtime.db.write() as conn:
        conn.execute(
            users.update().where(users.c.id == api.org.admin_id).values(time_zone="Asia/Kolkata")
        )
    (lead,) = api.create(
        "Leads", {"Last_Name": "T", "Last_Activity_Time": "2024-08-01T10:00:00+00:00"}
    )
    record = api.get(f"Leads/{lead}").json()["data"][0]
    assert record["Created_Time"].endswith("+05:30")
    assert record["Last_Activity_Time"] in (None, "2024-08-01T15:30:00+05:30")


def test_count(api: Any) -> None:
    api.create("Leads", *({"Last_Name": f"L{i}"} for i in range(4)))
    assert api.get("Leads/actions/count").json() == {"count": 4}


# --- update -------------------------------------------------------------------------------------


def test_update_many_with_numeric_ids(api: Any) -> None:
    ids = api.create("Leads", {"Last_Name": "A"}, {"Last_Name": "B"})
    body = b'{"data":[{"id":%s,"Company":"ACME"},{"id":"%s","Company":"Initech"}]}' % (
        ids[0].encode(),
        ids[1].encode(),
    )
    response = api.put("Leads", content=body)
    assert response.status_code == 200
    assert [i["message"] for i in response.json()["data"]] == ["record updated"] * 2
    companies = {
        r["id"]: r["Company"] for r in api.get("Leads", params={"fields": "Company"}).json()["data"]
    }
    assert companies == {ids[0]: "ACME", ids[1]: "Initech"}


def test_update_errors(api: Any) -> None:
    (lead,) = api.create("Leads", {"Last_Name": "A"})
    response = api.put(
        "Leads",
        json={
            "data": [
                {"Company": "no id"},
                {"id": "4876876000000000001", "Company": "x"},
                {"id": lead, "Last_Name": None},
                {"id": "abc"},
                {"id": lead, "Company": "fine"},
            ]
        },
    )
    assert response.status_code == 207
    items = response.json()["data"]
    assert items[0]["code"] == "MANDATORY_NOT_FOUND"
    assert items[0]["details"] == {"api_name": "id", "json_path": "$.data[0].id"}
    assert items[1]["code"] == "INVALID_DATA"
    assert items[1]["message"] == "the id given seems to be invalid"
    assert items[2]["code"] == "MANDATORY_NOT_FOUND"
    assert items[3]["code"] == "INVALID_DATA"
    assert items[4]["code"] == "SUCCESS"


def test_update_one_is_partial(api: Any, runtime: Any) -> None:
    (lead,) = api.create("Leads", {"Last_Name": "A", "Company": "C", "Email": "a@x.io"})
    runtime.clock.advance(5)
    response = api.put(f"Leads/{lead}", json={"data": [{"Company": "D"}]})
    assert response.status_code == 200
    details = response.json()["data"][0]["details"]
    assert details["id"] == lead and details["Modified_Time"] > details["Created_Time"]
    record = api.get(f"Leads/{lead}").json()["data"][0]
    assert (record["Company"], record["Email"]) == ("D", "a@x.io")


def test_update_one_unknown(api: Any) -> None:
    response = api.put("Leads/4876876000000000001", json={"data": [{"Company": "D"}]})
    assert response.status_code == 400
    assert response.json()["data"][0]["code"] == "INVALID_DATA"


def test_multiselect_replace_and_append(api: Any, runtime: Any) -> None:
    (product,) = api.create("Products", {"Product_Name": "P"})
    meta = runtime.metadata.get(api.org.org_id)
    field = next(f for f in meta.module("Products").fields if f.data_type == "multiselectpicklist")
    name = field.api_name
    values = [o.display_value for o in field.picklist if o.display_value != "-None-"][:2]
    api.put(f"Products/{product}", json={"data": [{name: [values[0]]}]})
    api.put(
        f"Products/{product}",
        json={"data": [{name: [values[1]], "$append_values": {name: True}}]},
    )
    assert api.get(f"Products/{product}").json()["data"][0][name] == values
    api.put(f"Products/{product}", json={"data": [{name: [values[1]]}]})
    assert api.get(f"Products/{product}").json()["data"][0][name] == [values[1]]


# --- upsert -------------------------------------------------------------------------------------


def test_upsert_inserts_then_updates(api: Any) -> None:
    first = api.post(
        "Leads/upsert",
        json={"data": [{"Last_Name": "U", "Email": "u@x.io"}], "duplicate_check_fields": ["Email"]},
    )
    assert first.status_code == 200
    item = first.json()["data"][0]
    assert list(item) == ["code", "duplicate_field", "action", "details", "message", "status"]
    assert (item["action"], item["duplicate_field"], item["message"]) == (
        "insert",
        None,
        "record added",
    )
    second = api.post("Leads/upsert", json={"data": [{"Last_Name": "U2", "Email": "U@X.io"}]})
    item2 = second.json()["data"][0]
    assert (item2["action"], item2["duplicate_field"]) == ("update", "Email")
    assert item2["details"]["id"] == item["details"]["id"]
    assert api.get("Leads/actions/count").json() == {"count": 1}


def test_upsert_errors(api: Any) -> None:
    bad_field = api.post(
        "Leads/upsert", json={"data": [{"Last_Name": "U"}], "duplicate_check_fields": ["Company"]}
    )
    assert bad_field.status_code == 400 and bad_field.json()["code"] == "INVALID_DATA"
    tasks = api.post("Tasks/upsert", json={"data": [{"Subject": "s"}]})
    assert tasks.status_code == 400
    api.create(
        "Leads", {"Last_Name": "A", "Email": "twin@x.io"}, {"Last_Name": "B", "Email": "twin@x.io"}
    )
    twin = api.post("Leads/upsert", json={"data": [{"Last_Name": "C", "Email": "twin@x.io"}]})
    assert twin.json()["data"][0]["code"] == "DUPLICATE_DATA"


# --- delete -------------------------------------------------------------------------------------


def test_delete_one_and_many(api: Any) -> None:
    ids = api.create("Leads", *({"Last_Name": f"L{i}"} for i in range(3)))
    one = api.delete(f"Leads/{ids[0]}")
    assert one.status_code == 200
    assert one.json()["data"] == [
        {
            "code": "SUCCESS",
            "details": {"id": ids[0]},
            "message": "record deleted",
            "status": "success",
        }
    ]
    many = api.delete("Leads", params={"ids": f"{ids[1]},{ids[0]},{ids[2]}"})
    assert many.status_code == 207
    assert [i["code"] for i in many.json()["data"]] == ["SUCCESS", "INVALID_DATA", "SUCCESS"]
    assert many.json()["data"][1]["details"] == {"id": ids[0]}
    assert api.get("Leads", params={"fields": "Last_Name"}).status_code == 204
    deleted = api.get("Leads/deleted").json()
    assert sorted(r["id"] for r in deleted["data"]) == sorted(ids)
    assert {r["type"] for r in deleted["data"]} == {"recycle"}
    assert deleted["data"][0]["display_name"].startswith("L")
    assert api.get("Leads/deleted", params={"type": "permanent"}).status_code == 204
    assert api.get("Leads/deleted", params={"type": "bogus"}).json()["code"] == (
        "PATTERN_NOT_MATCHED"
    )


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "REQUIRED_PARAM_MISSING"),
        ({"ids": "1,x"}, "UNABLE_TO_PARSE_DATA_TYPE"),
        ({"ids": ",".join(str(i) for i in range(1, 102))}, "LIMIT_EXCEEDED"),
    ],
)
def test_delete_parameter_errors(api: Any, params: dict[str, str], code: str) -> None:
    response = api.delete("Leads", params=params)
    assert response.status_code == 400 and response.json()["code"] == code


def test_deleting_a_record_deletes_its_notes(api: Any) -> None:
    (lead,) = api.create("Leads", {"Last_Name": "Parent"})
    note = api.post(f"Leads/{lead}/Notes", json={"data": [{"Note_Content": "hello"}]})
    assert note.status_code == 201, note.text
    api.delete(f"Leads/{lead}")
    assert api.get("Notes", params={"fields": "Note_Content"}).status_code == 204


# --- outbox -------------------------------------------------------------------------------------


def test_every_write_records_an_event_in_the_same_transaction(api: Any, runtime: Any) -> None:
    (lead,) = api.create("Leads", {"Last_Name": "E"})
    api.put(f"Leads/{lead}", json={"data": [{"Company": "X", "Last_Name": "E"}]})
    api.post("Leads", json={"data": [{"First_Name": "rejected"}]})
    api.delete(f"Leads/{lead}")
    with runtime.db.read() as conn:
        rows = conn.execute(
            select(events.c.operation, events.c.changed_fields)
            .where(events.c.org_id == api.org.org_id)
            .order_by(events.c.id)
        ).all()
    assert [r.operation for r in rows] == ["insert", "update", "delete"]
    assert rows[1].changed_fields == ["Company"]


# --- routing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v6", "v7", "v8"])
def test_versions(api: Any, version: str) -> None:
    api.version = version
    assert api.post("Leads", json={"data": [{"Last_Name": "V"}]}).status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/crm/v5/Leads?fields=Last_Name", 404, "INVALID_URL_PATTERN"),
        ("GET", "/crm/v6/Leads/", 404, "INVALID_URL_PATTERN"),
        ("GET", "/nowhere", 404, "INVALID_URL_PATTERN"),
        ("GET", "/crm/v6/Unicorns?fields=Name", 400, "INVALID_MODULE"),
        ("PATCH", "/crm/v6/Leads", 400, "INVALID_REQUEST_METHOD"),
        ("POST", "/crm/v6/Leads/actions/count", 400, "INVALID_REQUEST_METHOD"),
    ],
)
def test_routing_errors(api: Any, method: str, path: str, status: int, code: str) -> None:
    response = api.http.request(method, path, headers=api.headers)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert "location" not in response.headers


def test_ids_are_strings_and_19_digits_everywhere(api: Any) -> None:
    (account,) = api.create("Accounts", {"Account_Name": "A"})
    raw = api.get(f"Accounts/{account}").content
    record = orjson.loads(raw)["data"][0]
    for key in ("id",):
        assert isinstance(record[key], str) and len(record[key]) == 19
    assert isinstance(record["Owner"]["id"], str)
