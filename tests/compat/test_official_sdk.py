"""The official Zoho CRM Python SDK (zohocrmsdk6-0 8.0.0), unmodified, against a live zcrm.

It exchanges a grant code, then lists modules and fields, creates, reads, updates,
upserts, pages through and deletes Leads, and links a Contact to an Account — each
step asserting on the SDK's own parsed objects, as an integration would see them.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sdk_session import run_in_thread, sign_in
from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.fields import FieldsOperations, GetFieldsParam
from zohocrmsdk.src.com.zoho.crm.api.modules import ModulesOperations
from zohocrmsdk.src.com.zoho.crm.api.modules import ResponseWrapper as ModulesWrapper
from zohocrmsdk.src.com.zoho.crm.api.record import (
    ActionWrapper,
    BodyWrapper,
    DeleteRecordsParam,
    GetRecordsParam,
    Record,
    RecordOperations,
    ResponseWrapper,
    SuccessResponse,
)
from zohocrmsdk.src.com.zoho.crm.api.record import APIException as RecordError
from zohocrmsdk.src.com.zoho.crm.api.util import Choice

from zcrm.testing import OrgHandle
from zcrm.testing.live import LiveServer

pytestmark = pytest.mark.compat


def actions(response: Any, status: int) -> list[Any]:
    assert response.get_status_code() == status, vars(response.get_object())
    wrapper = response.get_object()
    assert isinstance(wrapper, ActionWrapper)
    return list(wrapper.get_data())


def created_ids(response: Any, status: int = 201) -> list[int]:
    out = []
    for item in actions(response, status):
        assert isinstance(item, SuccessResponse), vars(item)
        assert item.get_status().get_value() == "success"
        out.append(int(item.get_details()["id"]))
    return out


def lead(last_name: str, **extra: Any) -> Record:
    record = Record()
    record.add_key_value("Last_Name", last_name)
    for key, value in extra.items():
        record.add_key_value(key, value)
    return record


def body(*records: Record, duplicate_check_fields: list[str] | None = None) -> BodyWrapper:
    wrapper = BodyWrapper()
    wrapper.set_data(list(records))
    if duplicate_check_fields is not None:
        wrapper.set_duplicate_check_fields(duplicate_check_fields)
    return wrapper


def test_grant_exchange_saves_a_token_keyed_by_email_and_zgid(
    live_server: LiveServer, org: OrgHandle, sdk_dir: Path
) -> None:
    def scenario() -> list[dict[str, str]]:
        sign_in(live_server.url, org, sdk_dir)
        # Any call works with the exchanged token.
        assert ModulesOperations().get_modules().get_status_code() == 200
        with open(sdk_dir / "tokens.csv", newline="") as handle:
            return list(csv.DictReader(handle))

    rows = run_in_thread(scenario)
    assert len(rows) == 1
    row = rows[0]
    assert row["user_name"].endswith(f":{org.org.zgid}")
    assert row["user_name"].startswith(org.org.admin_email)
    assert row["refresh_token"].startswith("1000.")
    assert row["api_domain"] == "http://testserver"


def test_modules_and_fields(live_server: LiveServer, org: OrgHandle, sdk_dir: Path) -> None:
    def scenario() -> tuple[list[str], dict[str, Any]]:
        sign_in(live_server.url, org, sdk_dir)
        modules = ModulesOperations().get_modules()
        assert modules.get_status_code() == 200
        wrapper = modules.get_object()
        assert isinstance(wrapper, ModulesWrapper)
        names = [m.get_api_name() for m in wrapper.get_modules()]
        params = ParameterMap()
        params.add(GetFieldsParam.module, "Leads")
        fields = FieldsOperations().get_fields(params)
        assert fields.get_status_code() == 200
        by_name = {f.get_api_name(): f for f in fields.get_object().get_fields()}
        return names, by_name

    names, fields = run_in_thread(scenario)
    assert {"Leads", "Contacts", "Accounts", "Deals", "Tasks", "Notes"} <= set(names)
    assert fields["Last_Name"].get_system_mandatory() is True
    assert fields["Last_Name"].get_data_type() == "text"
    statuses = [v.get_display_value() for v in fields["Lead_Status"].get_pick_list_values()]
    assert "Contacted" in statuses


def test_lead_life_cycle(live_server: LiveServer, org: OrgHandle, sdk_dir: Path) -> None:
    def scenario() -> None:
        sign_in(live_server.url, org, sdk_dir)
        leads = RecordOperations("Leads")

        # Create: three good records and one without its mandatory Last_Name.
        bad = Record()
        bad.add_key_value("First_Name", "No last name")
        response = leads.create_records(
            body(
                lead("Ortega", Email="l.ortega@example.com", Lead_Source=Choice("Trade Show")),
                lead("Nguyen", Annual_Revenue=1500.5),
                bad,
                lead("Okafor", Email="okafor@example.com"),
            )
        )
        items = actions(response, 207)
        assert [type(i) for i in items] == [
            SuccessResponse,
            SuccessResponse,
            RecordError,
            SuccessResponse,
        ]
        error = items[2]
        assert error.get_code().get_value() == "MANDATORY_NOT_FOUND"
        assert error.get_details()["api_name"] == "Last_Name"
        ids = [int(i.get_details()["id"]) for i in items if isinstance(i, SuccessResponse)]

        # Read one back, with typed values.
        got = leads.get_record(ids[0])
        assert got.get_status_code() == 200
        record = got.get_object().get_data()[0]
        assert record.get_id() == ids[0]
        assert record.get_key_value("Last_Name") == "Ortega"
        assert record.get_key_value("Lead_Source").get_value() == "Trade Show"
        assert record.get_created_time() is not None  # a real datetime: ISO with offset
        assert record.get_key_value("Owner").get_email() == org.org.admin_email

        # Update many (ids as JSON numbers) and one.
        change = Record()
        change.set_id(ids[1])
        change.add_key_value("Company", "ACME")
        assert len(actions(leads.update_records(body(change)), 200)) == 1
        single = Record()
        single.add_key_value("Company", "ACME 2")
        assert (
            actions(leads.update_record(ids[2], body(single)), 200)[0].get_status().get_value()
            == "success"
        )

        # Upsert on Email: one update, one insert.
        upserted = actions(
            leads.upsert_records(
                body(
                    lead("Ortega-Smith", Email="l.ortega@example.com"),
                    lead("New", Email="new@example.com"),
                    duplicate_check_fields=["Email"],
                )
            ),
            200,
        )
        assert [u.get_action().get_value() for u in upserted] == ["update", "insert"]
        assert int(upserted[0].get_details()["id"]) == ids[0]
        ids.append(int(upserted[1].get_details()["id"]))

        # List with pagination: 2 per page until more_records is False.
        seen: list[int] = []
        page = 1
        while True:
            params = ParameterMap()
            params.add(GetRecordsParam.fields, "Last_Name,Company,Email")
            params.add(GetRecordsParam.per_page, 2)
            params.add(GetRecordsParam.page, page)
            params.add(GetRecordsParam.sort_order, "asc")
            response = leads.get_records(params)
            assert response.get_status_code() == 200
            wrapper = response.get_object()
            assert isinstance(wrapper, ResponseWrapper)
            seen += [r.get_id() for r in wrapper.get_data()]
            if not wrapper.get_info().get_more_records():
                break
            page += 1
        assert seen == sorted(ids)

        # Delete many: the ids come back one result each.
        params = ParameterMap()
        for record_id in ids:
            params.add(DeleteRecordsParam.ids, str(record_id))
        deleted = actions(leads.delete_records(params), 200)
        assert [int(d.get_details()["id"]) for d in deleted] == ids
        # Nothing left: 204 and no object.
        params = ParameterMap()
        params.add(GetRecordsParam.fields, "Last_Name")
        empty = leads.get_records(params)
        assert empty.get_status_code() == 204
        assert empty.get_object() is None

    run_in_thread(scenario)


def test_contact_linked_to_an_account(
    live_server: LiveServer, org: OrgHandle, sdk_dir: Path
) -> None:
    def scenario() -> None:
        sign_in(live_server.url, org, sdk_dir)
        account = Record()
        account.add_key_value("Account_Name", "Northwind")
        (account_id,) = created_ids(RecordOperations("Accounts").create_records(body(account)))

        contact = Record()
        contact.add_key_value("Last_Name", "Con1")
        target = Record()
        target.set_id(account_id)
        contact.add_key_value("Account_Name", target)
        (contact_id,) = created_ids(RecordOperations("Contacts").create_records(body(contact)))

        got = RecordOperations("Contacts").get_record(contact_id).get_object().get_data()[0]
        linked = got.get_key_value("Account_Name")
        assert isinstance(linked, Record)
        assert linked.get_id() == account_id
        assert linked.get_key_value("name") == "Northwind"

    run_in_thread(scenario)


@pytest.mark.parametrize(
    ("module", "fields"),
    [
        ("Tasks", {"Subject": "Call back"}),
        (
            "Events",
            {
                "Event_Title": "Demo",
                "Start_DateTime": "2025-01-10T10:00:00+00:00",
                "End_DateTime": "2025-01-10T11:00:00+00:00",
            },
        ),
        (
            "Calls",
            {
                "Subject": "Intro",
                "Call_Type": "Outbound",
                "Call_Start_Time": "2025-01-10T10:00:00+00:00",
                "Call_Duration": "10:00",
            },
        ),
        ("Deals", {"Deal_Name": "Big", "Stage": "Qualification"}),
        ("Cases", {"Subject": "Broken", "Status": "New", "Case_Origin": "Email"}),
        ("Products", {"Product_Name": "Widget"}),
        ("Campaigns", {"Campaign_Name": "Spring"}),
        ("Vendors", {"Vendor_Name": "Acme"}),
        ("Solutions", {"Solution_Title": "Reboot"}),
        ("Price_Books", {"Price_Book_Name": "Retail"}),
    ],
)
def test_every_module_takes_sdk_writes(
    live_server: LiveServer, org: OrgHandle, sdk_dir: Path, module: str, fields: dict[str, Any]
) -> None:
    from datetime import datetime

    def scenario() -> Any:
        sign_in(live_server.url, org, sdk_dir)
        record = Record()
        for key, value in fields.items():
            if key.endswith(("_Time", "_DateTime")):
                value = datetime.fromisoformat(value)
            elif key in ("Stage", "Status", "Case_Origin", "Call_Type"):
                value = Choice(value)
            record.add_key_value(key, value)
        (record_id,) = created_ids(RecordOperations(module).create_records(body(record)))
        return RecordOperations(module).get_record(record_id).get_object().get_data()[0]

    got = run_in_thread(scenario)
    assert got.get_id() is not None
