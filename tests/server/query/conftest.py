"""A small fixed dataset for query tests: one org, shared by the module's tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from query_dataset import LEADS
from starlette.testclient import TestClient

from zcrm.server.runtime import Runtime
from zcrm.testing import make_org
from zcrm.testing.api import Api


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
