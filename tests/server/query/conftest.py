"""A small fixed dataset for query tests: one org, shared by the module's tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from zcrm.server.runtime import Runtime
from zcrm.testing import make_org
from zcrm.testing.api import Api

LEADS: list[dict[str, Any]] = [
    {
        "First_Name": "Ann",
        "Last_Name": "Smith",
        "Company": "ABC Inc",
        "Email": "ann@abc.com",
        "Lead_Source": "Web Download",
        "Lead_Status": "Contacted",
        "Annual_Revenue": 500,
        "No_of_Employees": 10,
        "Email_Opt_Out": False,
        "Phone": "+1 555 0100",
        "Next_Call__c": "2024-01-10T10:00:00+00:00",
        "Topics__c": ["CRM", "Cloud"],
        "Renewal__c": "2025-01-31",
    },
    {
        "First_Name": "Bob",
        "Last_Name": "Jones",
        "Company": "ABCD",
        "Email": "bob@abcd.io",
        "Lead_Source": "Cold Call",
        "Lead_Status": "Not Contacted",
        "Annual_Revenue": 1500,
        "No_of_Employees": 250,
        "Email_Opt_Out": True,
        "Phone": "(555) 0200",
        "Next_Call__c": "2024-03-01T00:00:00+05:30",
        "Topics__c": ["ERP"],
        "Renewal__c": "2025-06-30",
    },
    {
        "First_Name": "Carla",
        "Last_Name": "Brown",
        "Company": "Northwind (EU), Ltd",
        "Email": "carla@northwind.eu",
        "Lead_Source": "Cold Call",
        "Lead_Status": "Contacted",
        "Annual_Revenue": 100,
        "Email_Opt_Out": False,
        "Next_Call__c": "2023-12-31T23:59:59+00:00",
    },
    {
        "First_Name": "Dan",
        "Last_Name": "O'Neil",
        "Company": "O'Neil & Sons",
        "Lead_Source": "Trade Show",
        "Lead_Status": "Junk Lead",
        "Annual_Revenue": 999999.5,
        "No_of_Employees": 5,
    },
    {"First_Name": "Eve", "Last_Name": "Stone", "Email": "eve@abc.com"},
    {
        "Last_Name": "Smith",
        "Company": "Smithson",
        "Lead_Source": "Partner",
        "Annual_Revenue": 250,
        "No_of_Employees": 250,
    },
]


@dataclass
class Dataset:
    api: Api
    ids: dict[str, str]  # "First Last" -> id
    names: dict[str, str]  # id -> "First Last"
    accounts: dict[str, str]
    contacts: dict[str, str]

    def label(self, record: dict[str, Any]) -> str:
        return " ".join(p for p in (record.get("First_Name"), record["Last_Name"]) if p)


@pytest.fixture(scope="module")
def dataset(runtime: Runtime, app: Any) -> Iterator[Dataset]:
    with TestClient(app, base_url="http://testserver") as http:
        api = Api(http, make_org(runtime))
        created = api.post(
            "settings/fields",
            params={"module": "Leads"},
            json={
                "fields": [
                    {"field_label": "Next Call", "data_type": "datetime"},
                    {
                        "field_label": "Topics",
                        "data_type": "multiselectpicklist",
                        "pick_list_values": ["CRM", "ERP", "Cloud"],
                    },
                    {"field_label": "Renewal", "data_type": "date"},
                ]
            },
        )
        assert created.status_code == 201, created.text
        ids = api.create("Leads", *LEADS)
        labels = [" ".join(p for p in (r.get("First_Name"), r["Last_Name"]) if p) for r in LEADS]
        accounts = dict(
            zip(
                ["Northwind", "Contoso"],
                api.create(
                    "Accounts",
                    {"Account_Name": "Northwind"},
                    {"Account_Name": "Contoso"},
                ),
                strict=True,
            )
        )
        contacts = dict(
            zip(
                ["C1", "C2", "C3"],
                api.create(
                    "Contacts",
                    {"Last_Name": "C1", "Account_Name": {"id": accounts["Northwind"]}},
                    {"Last_Name": "C2", "Account_Name": {"id": accounts["Contoso"]}},
                    {"Last_Name": "C3"},
                ),
                strict=True,
            )
        )
        yield Dataset(
            api,
            dict(zip(labels, ids, strict=True)),
            dict(zip(ids, labels, strict=True)),
            accounts,
            contacts,
        )
