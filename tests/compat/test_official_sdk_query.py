"""The official SDK's search_records and COQL calls against a live zcrm (issue 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sdk_session import run_in_thread, sign_in
from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.coql import APIException as CoqlError
from zohocrmsdk.src.com.zoho.crm.api.coql import BodyWrapper as CoqlBody
from zohocrmsdk.src.com.zoho.crm.api.coql import CoqlOperations
from zohocrmsdk.src.com.zoho.crm.api.coql import ResponseWrapper as CoqlRows
from zohocrmsdk.src.com.zoho.crm.api.record import (
    APIException,
    RecordOperations,
    ResponseWrapper,
    SearchRecordsParam,
)

from zcrm.testing import OrgHandle
from zcrm.testing.api import Api
from zcrm.testing.live import LiveServer

pytestmark = pytest.mark.compat


@pytest.fixture
def leads(api: Api) -> dict[str, int]:
    ids = api.create(
        "Leads",
        {"Last_Name": "Rec1", "Company": "Northwind", "Email": "r1@x.io"},
        {"Last_Name": "Rec2", "Company": "Contoso"},
        {"Last_Name": "Other", "Company": "Northwind"},
    )
    return {"Rec1": int(ids[0]), "Rec2": int(ids[1]), "Other": int(ids[2])}


def test_search_records(
    live_server: LiveServer, org: OrgHandle, sdk_dir: Path, leads: dict[str, int]
) -> None:
    def scenario() -> tuple[list[int], Any, Any, Any]:
        sign_in(live_server.url, org, sdk_dir)
        operations = RecordOperations("Leads")
        params = ParameterMap()
        params.add(
            SearchRecordsParam.criteria,
            "((Company:equals:Northwind)and(Last_Name:starts_with:Rec))",
        )
        params.add(SearchRecordsParam.fields, "Last_Name,Company")
        found = operations.search_records(params)
        assert found.get_status_code() == 200
        wrapper = found.get_object()
        assert isinstance(wrapper, ResponseWrapper)
        ids = [r.get_id() for r in wrapper.get_data()]
        by_email = ParameterMap()
        by_email.add(SearchRecordsParam.email, "r1@x.io")
        email_hit = operations.search_records(by_email).get_object().get_data()[0].get_id()
        none = ParameterMap()
        none.add(SearchRecordsParam.criteria, "(Last_Name:equals:Nobody)")
        empty = operations.search_records(none)
        bad = ParameterMap()
        bad.add(SearchRecordsParam.criteria, "(Nope:equals:x)")
        error = operations.search_records(bad)
        return ids, email_hit, empty, error

    ids, email_hit, empty, error = run_in_thread(scenario)
    assert ids == [leads["Rec1"]]
    assert email_hit == leads["Rec1"]
    assert empty.get_status_code() == 204 and empty.get_object() is None
    assert error.get_status_code() == 400
    assert isinstance(error.get_object(), APIException)
    assert error.get_object().get_code().get_value() == "INVALID_QUERY"


def test_coql(
    live_server: LiveServer, org: OrgHandle, sdk_dir: Path, leads: dict[str, int]
) -> None:
    def scenario() -> tuple[Any, Any, Any]:
        sign_in(live_server.url, org, sdk_dir)
        operations = CoqlOperations()
        body = CoqlBody()
        body.set_select_query(
            "select Last_Name, Company from Leads "
            "where Company = 'Northwind' order by Last_Name limit 2 offset 0"
        )
        rows = operations.get_records(body)
        missing = CoqlBody()
        missing.set_select_query("select Last_Name from Leads")
        syntax = operations.get_records(missing)
        empty_body = CoqlBody()
        empty_body.set_select_query("select Last_Name from Leads where Last_Name = 'Nobody'")
        empty = operations.get_records(empty_body)
        return rows, syntax, empty

    rows, syntax, empty = run_in_thread(scenario)
    assert rows.get_status_code() == 200
    wrapper = rows.get_object()
    assert isinstance(wrapper, CoqlRows)
    records = wrapper.get_data()
    assert [r.get_key_value("Last_Name") for r in records] == ["Other", "Rec1"]
    assert [r.get_id() for r in records] == [leads["Other"], leads["Rec1"]]
    assert wrapper.get_info().get_count() == 2
    assert wrapper.get_info().get_more_records() is False
    assert syntax.get_status_code() == 400
    assert isinstance(syntax.get_object(), CoqlError)
    assert syntax.get_object().get_code().get_value() == "SYNTAX_ERROR"
    assert empty.get_status_code() == 204
